// SPDX-License-Identifier: GPL-2.0-only
/*
 * The energy-model file format (good and bad input), the kernel's cost and
 * inefficiency rule, the derived model's formula, domains from cpufreq
 * policies, CPU lists, and the line reader's refusal of a line too long.
 * The topology here is built by hand: 4 little CPUs of capacity 381 and 2
 * big ones of 1024 (RK3399's figures).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "jpower.h"
#include "jtopo.h"

static struct jtopo topo;
static struct jpower_model em;
static char err[512];

static void board(struct jtopo *t)
{
	memset(t, 0, sizeof(*t));
	t->nr_cpus = 6;
	t->nr_kinds = 2;
	snprintf(t->origin, sizeof(t->origin), "hand-made board");
	for (int c = 0; c < 6; c++) {
		bool big = c >= 4;

		t->cpu[c].online = true;
		t->cpu[c].kind = big;
		t->cpu[c].capacity = big ? 1024 : 381;
		t->cpu[c].sibling = -1;
		jtopo_cpuset_set(&t->online, c);
		jtopo_cpuset_set(&t->kind[big].cpus, c);
	}
	t->nr_online = 6;
	snprintf(t->kind[0].name, sizeof(t->kind[0].name), "little");
	snprintf(t->kind[1].name, sizeof(t->kind[1].name), "big");
}

static int parse(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	assert_non_null(f);
	err[0] = '\0';
	ret = jpower_em_parse(&em, &topo, f, "test.em", err, sizeof(err));
	fclose(f);
	return ret;
}

#define GOOD_FILE                                                                                  \
	"# two domains\n"                                                                          \
	"scx-joule-energy-model 1\n"                                                               \
	"pd little cpus=0-3 idle_mw=5\n"                                                           \
	"opp little khz=408000 mw=20\n"                                                            \
	"opp little khz=1416000 mw=180  # top\n"                                                   \
	"pd big cpus=4,5 idle_mw=20\n"                                                             \
	"opp big khz=408000 mw=100\n"                                                              \
	"opp big khz=1200000 mw=400\n"                                                             \
	"opp big khz=1800000 mw=1200\n"

static void test_file_good(void **state)
{
	(void)state;
	assert_int_equal(parse(GOOD_FILE), 0);
	assert_int_equal(em.source, JPOWER_EM_FILE);
	assert_int_equal(em.nr_pds, 2);
	assert_string_equal(em.pd[0].name, "little");
	assert_int_equal(em.pd[0].nr_opps, 2);
	assert_int_equal(em.pd[0].kind, 0);
	assert_int_equal(em.pd[0].capacity, 381);
	assert_true(fabs(em.pd[0].idle_mw - 5) < 1e-9);
	/* capacity at an OPP: the CPU's capacity times f / f_max, truncated */
	assert_int_equal(em.pd[0].opp[0].capacity, 381 * 408000 / 1416000);
	assert_int_equal(em.pd[0].opp[1].capacity, 381);
	/* cost = power * f_max / f */
	assert_true(fabs(em.pd[0].opp[0].cost - 20.0 * 1416000 / 408000) < 1e-6);
	assert_true(fabs(em.pd[0].opp[1].cost - 180.0) < 1e-6);
	assert_int_equal(em.pd[1].kind, 1);
	assert_int_equal(em.pd[1].nr_opps, 3);
	assert_int_equal(em.pd[1].opp[1].capacity, 1024 * 1200000 / 1800000);
}

/*
 * A file saved with CRLF line ends reads as the same model: "1\r" failed
 * as the version ("expected 'scx-joule-energy-model 1' first").
 */
static void test_file_crlf(void **state)
{
	char crlf[1024];
	size_t n = 0;

	(void)state;
	for (const char *p = GOOD_FILE; *p && n + 2 < sizeof(crlf); p++) {
		if (*p == '\n')
			crlf[n++] = '\r';
		crlf[n++] = *p;
	}
	crlf[n] = '\0';
	assert_int_equal(parse(crlf), 0);
	assert_int_equal(em.nr_pds, 2);
	assert_int_equal(em.pd[1].nr_opps, 3);
	assert_true(fabs(em.pd[1].opp[2].power_mw - 1200) < 1e-9);
	assert_true(fabs(em.pd[1].idle_mw - 20) < 1e-9);
}

/* The kernel's rule: an OPP is inefficient if a faster one costs no more. */
static void test_inefficient(void **state)
{
	(void)state;
	assert_int_equal(parse("scx-joule-energy-model 1\n"
			       "pd all cpus=0-5\n"
			       "opp all khz=500000 mw=100\n"  /* cost 400 */
			       "opp all khz=1000000 mw=150\n" /* cost 300 */
			       "opp all khz=1500000 mw=240\n" /* cost 320 */
			       "opp all khz=2000000 mw=400\n" /* cost 400 */),
			 0);
	assert_true(fabs(em.pd[0].opp[0].cost - 400) < 1e-9);
	assert_true(fabs(em.pd[0].opp[1].cost - 300) < 1e-9);
	assert_true(em.pd[0].opp[0].inefficient); /* 400 >= min(300, 320, 400) */
	assert_false(em.pd[0].opp[1].inefficient);
	assert_false(em.pd[0].opp[2].inefficient); /* 320 < 400 above it */
	assert_false(em.pd[0].opp[3].inefficient); /* the top never is */
}

struct bad_case {
	const char *text;
	const char *message; /* a substring of the error */
};

static const struct bad_case bad_cases[] = {
	{"", "test.em: empty"},
	{"scx-joule-energy-model 2\n", "test.em:1: expected 'scx-joule-energy-model 1'"},
	{"pd x cpus=0-5\n", "test.em:1: expected"},
	{"scx-joule-energy-model 1\npd little cpus=0-3\nopp little khz=1000 mw=1\nbogus\n",
	 "test.em:4: unknown keyword 'bogus'"},
	{"scx-joule-energy-model 1\npd a cpus=0-9\n", "test.em:2: bad 'cpus=0-9'"},
	{"scx-joule-energy-model 1\npd a cpus=0-5 idle_mw=-1\n", "test.em:2: bad 'idle_mw=-1'"},
	{"scx-joule-energy-model 1\npd a\n", "test.em:2: domain a has no cpus="},
	/* the second value silently replaced the first */
	{"scx-joule-energy-model 1\npd a cpus=0-5 idle_mw=1 idle_mw=2\n",
	 "test.em:2: idle_mw= given twice"},
	{"scx-joule-energy-model 1\npd a cpus=0-2 cpus=3-5\n", "test.em:2: cpus= given twice"},
	{"scx-joule-energy-model 1\npd a cpus=0-5\nopp a khz=1000 mw=10 mw=20\n",
	 "test.em:3: mw= given twice"},
	{"scx-joule-energy-model 1\npd a cpus=0-5\npd a cpus=0\n", "test.em:3: domain name 'a'"},
	{"scx-joule-energy-model 1\nopp a khz=1 mw=1\n", "test.em:2: 'opp' names no declared"},
	{"scx-joule-energy-model 1\npd a cpus=0-5\nopp a khz=2000 mw=1\nopp a khz=1000 mw=2\n",
	 "test.em:4: domain a: 1000 kHz is not above the previous OPP (2000 kHz)"},
	{"scx-joule-energy-model 1\npd a cpus=0-5\nopp a khz=2000 mw=1\nopp a khz=2000 mw=2\n",
	 "test.em:4: domain a: 2000 kHz is not above"},
	{"scx-joule-energy-model 1\npd a cpus=0-5\nopp a khz=1000 mw=1e9\n",
	 "test.em:3: bad 'mw=1e9'"},
	{"scx-joule-energy-model 1\npd a cpus=0-5\nopp a khz=abc mw=1\n",
	 "test.em:3: bad 'khz=abc'"},
	{"scx-joule-energy-model 1\npd a cpus=0-5\nopp a mw=1\n", "test.em:3: 'opp a' needs khz="},
	{"scx-joule-energy-model 1\npd a cpus=0-3\nopp a khz=1000 mw=1\n",
	 "test.em: online CPU 4 is in no performance domain"},
	{"scx-joule-energy-model 1\npd a cpus=0-4\npd b cpus=4-5\nopp a khz=1 mw=1\nopp b khz=1 "
	 "mw=1\n",
	 "test.em: CPU 4 is in two performance domains, a and b (must be in one)"},
	{"scx-joule-energy-model 1\npd a cpus=0-5\n", "performance domain a has no operating"},
};

static void test_file_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		int ret = parse(bad_cases[i].text);

		if (ret == 0 || !strstr(err, bad_cases[i].message))
			fail_msg("case %zu: ret %d, error '%s', expected '%s'", i, ret, err,
				 bad_cases[i].message);
	}
}

static void test_load_missing_file(void **state)
{
	(void)state;
	assert_int_equal(jpower_em_load(&em, &topo, "/nonexistent/model.em", err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "/nonexistent/model.em: No such file or directory");
}

/* What --write-energy-model writes, --energy-model reads back unchanged. */
static void test_write_read_back(void **state)
{
	static struct jpower_model first;
	char buf[4096];
	FILE *f;

	(void)state;
	assert_int_equal(parse(GOOD_FILE), 0);
	first = em;
	f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(jpower_em_write(&first, NULL, f), 0);
	fclose(f);
	assert_int_equal(parse(buf), 0);
	assert_int_equal(em.nr_pds, first.nr_pds);
	for (int p = 0; p < em.nr_pds; p++) {
		assert_string_equal(em.pd[p].name, first.pd[p].name);
		assert_true(first.pd[p].idle_mw > 0); /* the file gives each domain one */
		assert_true(fabs(em.pd[p].idle_mw - first.pd[p].idle_mw) < 1e-3);
		assert_memory_equal(&em.pd[p].cpus, &first.pd[p].cpus, sizeof(em.pd[p].cpus));
		assert_int_equal(em.pd[p].nr_opps, first.pd[p].nr_opps);
		for (int i = 0; i < em.pd[p].nr_opps; i++) {
			assert_int_equal(em.pd[p].opp[i].khz, first.pd[p].opp[i].khz);
			assert_true(fabs(em.pd[p].opp[i].power_mw - first.pd[p].opp[i].power_mw) <
				    1e-3);
		}
	}
}

/*
 * A model whose figures are in no unit stays one through the file: written
 * without its mark (mark), its figures read back as milliwatts and the
 * stats printed an energy in no unit. set(m) makes such a model, is(m) says
 * whether one is.
 */
static void assert_mark_read_back(const char *mark, void (*set)(struct jpower_model *),
				  bool (*is)(const struct jpower_model *))
{
	static struct jpower_model first;
	char buf[4096], line[64], bad[64], msg[128];
	FILE *f;

	assert_int_equal(parse(GOOD_FILE), 0);
	assert_false(is(&em));
	first = em;
	set(&first);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(jpower_em_write(&first, NULL, f), 0);
	fclose(f);
	snprintf(line, sizeof(line), "\n%s\n", mark);
	assert_non_null(strstr(buf, line));
	assert_int_equal(parse(buf), 0);
	assert_true(is(&em));
	assert_int_equal(em.nr_pds, 2);
	/* a mark takes nothing after it */
	snprintf(bad, sizeof(bad), "scx-joule-energy-model 1\n%s yes\n", mark);
	assert_int_equal(parse(bad), -EINVAL);
	snprintf(msg, sizeof(msg),
		 "test.em:2: unknown keyword '%s' (pd, opp, artificial, abstract)", mark);
	assert_string_equal(err, msg);
}

static void set_artificial(struct jpower_model *m)
{
	m->artificial = true;
}

static bool is_artificial(const struct jpower_model *m)
{
	return m->artificial && !m->abstract_scale;
}

static void set_abstract(struct jpower_model *m)
{
	m->abstract_scale = true;
}

static bool is_abstract(const struct jpower_model *m)
{
	return m->abstract_scale && !m->artificial;
}

/* The kernel's costs, no power figures (artificial). */
static void test_artificial_read_back(void **state)
{
	(void)state;
	assert_mark_read_back("artificial", set_artificial, is_artificial);
}

/* A driver's own scale (abstract). */
static void test_abstract_read_back(void **state)
{
	(void)state;
	assert_mark_read_back("abstract", set_abstract, is_abstract);
}

static void two_policies(struct jpower_cpufreq *cf)
{
	static const unsigned little[] = {408000, 816000, 1416000};
	static const unsigned big[] = {408000, 1200000, 1800000};

	memset(cf, 0, sizeof(*cf));
	cf->nr_policies = 2;
	for (int c = 0; c < 6; c++)
		jtopo_cpuset_set(&cf->policy[c >= 4].cpus, c);
	cf->policy[0].nr_freqs = 3;
	cf->policy[1].nr_freqs = 3;
	memcpy(cf->policy[0].freq_khz, little, sizeof(little));
	memcpy(cf->policy[1].freq_khz, big, sizeof(big));
	cf->policy[0].min_khz = cf->policy[1].min_khz = 408000;
	cf->policy[0].max_khz = 1416000;
	cf->policy[1].max_khz = 1800000;
}

/*
 * P = 436 uW/MHz/V^2 * ipc^2 * f[MHz] * V(f)^2, V linear 0.70..1.20 V over
 * the machine's frequency range, ipc = capacity per MHz relative to the
 * biggest CPU (docs/energy-model.md).
 */
static void test_derived(void **state)
{
	static struct jpower_cpufreq cf;
	double ipc = 381.0 / 1024 * 1800000 / 1416000;
	double v_top = 0.70 + 0.50 * (1416000.0 - 408000) / (1800000 - 408000);

	(void)state;
	two_policies(&cf);
	assert_int_equal(jpower_domains(&em, &topo, &cf, err, sizeof(err)), 0);
	assert_int_equal(em.nr_pds, 2);
	assert_string_equal(em.pd[0].name, "cpu0");
	assert_string_equal(em.pd[1].name, "cpu4");
	assert_int_equal(jpower_em_derive(&em, &topo, err, sizeof(err)), 0);
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	/* big at the top: 436 * 1 * 1800 * 1.2^2 uW */
	assert_true(fabs(em.pd[1].opp[2].power_mw - 436.0 * 1800 * 1.44 / 1000) < 1e-6);
	assert_true(fabs(em.pd[1].opp[0].power_mw - 436.0 * 408 * 0.49 / 1000) < 1e-6);
	assert_true(fabs(em.pd[0].opp[2].power_mw -
			 436.0 * ipc * ipc * 1416 * v_top * v_top / 1000) < 1e-6);
	assert_true(fabs(em.pd[0].idle_mw - em.pd[0].opp[0].power_mw * 0.05) < 1e-9);
	/* a little CPU does the same work for less energy than a big one */
	assert_true(em.pd[0].opp[2].cost < em.pd[1].opp[1].cost);
}

/* One policy per CPU (intel_pstate, amd-pstate): one domain per kind, a 100 MHz ladder. */
static void test_per_cpu_policies(void **state)
{
	static struct jpower_cpufreq cf;

	(void)state;
	memset(&cf, 0, sizeof(cf));
	cf.nr_policies = 6;
	for (int c = 0; c < 6; c++) {
		jtopo_cpuset_set(&cf.policy[c].cpus, c);
		cf.policy[c].min_khz = 400000;
		cf.policy[c].max_khz = c >= 4 ? 4700000 : 3500000;
	}
	assert_int_equal(jpower_domains(&em, &topo, &cf, err, sizeof(err)), 0);
	assert_int_equal(em.nr_pds, 2);
	assert_string_equal(em.pd[0].name, "little");
	assert_string_equal(em.pd[1].name, "big");
	assert_int_equal(em.pd[0].nr_opps, 32); /* 400..3400 MHz by 100, then 3500 */
	assert_int_equal(em.pd[0].opp[0].khz, 400000);
	assert_int_equal(em.pd[0].opp[31].khz, 3500000);
	assert_int_equal(em.pd[1].nr_opps, 44);
	assert_int_equal(em.pd[1].opp[43].khz, 4700000);
}

/* No cpufreq: one domain per kind without operating points, no energy model. */
static void test_no_cpufreq(void **state)
{
	static struct jpower_cpufreq cf;

	(void)state;
	memset(&cf, 0, sizeof(cf));
	assert_int_equal(jpower_domains(&em, &topo, &cf, err, sizeof(err)), 0);
	assert_int_equal(em.nr_pds, 2);
	assert_int_equal(em.pd[0].nr_opps, 0);
	assert_int_equal(jpower_em_derive(&em, &topo, err, sizeof(err)), -ENOENT);
}

/*
 * A server whose cpufreq policies each cover one core's two SMT threads
 * (acpi-cpufreq with coordinated siblings): 20 policies, more than the
 * scheduler's 16 domains, were an error that left the machine homogeneous.
 * Identical policies now make one domain.
 */
/*
 * No cpufreq but kinds with hwloc's FrequencyMaxMHz: each kind's OPPs are
 * fractions of its own top frequency; with one kind there is nothing to
 * estimate.
 */
static void test_estimate_without_cpufreq(void **state)
{
	static struct jpower_cpufreq cf;
	char how[160];

	(void)state;
	memset(&cf, 0, sizeof(cf));
	topo.kind[0].max_mhz = 1416;
	topo.kind[1].max_mhz = 1800;
	assert_int_equal(jpower_domains(&em, &topo, &cf, err, sizeof(err)), 0);
	assert_int_equal(jpower_domains_estimate(&em, &topo, how, sizeof(how)), 0);
	assert_non_null(strstr(how, "FrequencyMaxMHz"));
	assert_int_equal(em.pd[0].nr_opps, 5);
	assert_int_equal(em.pd[0].opp[0].khz, 1416000 / 5);
	assert_int_equal(em.pd[0].opp[4].khz, 1416000);
	assert_int_equal(em.pd[1].opp[4].khz, 1800000);
	assert_int_equal(jpower_em_derive(&em, &topo, err, sizeof(err)), 0);
	/* the cpufreq-derived model's formula: ipc 381/1024 * 1800/1416 at the top */
	assert_true(fabs(em.pd[0].opp[4].power_mw -
			 436.0 * pow(381.0 / 1024 * 1800 / 1416, 2) * 1416 *
				 pow(0.70 + 0.50 * (1416.0 - 283.2) / (1800 - 283.2), 2) / 1000) <
		    1e-6);
	assert_true(em.pd[0].opp[4].cost < em.pd[1].opp[4].cost);

	topo.nr_kinds = 1;
	topo.kind[0].cpus = topo.online;
	assert_int_equal(jpower_domains(&em, &topo, &cf, err, sizeof(err)), 0);
	assert_int_equal(jpower_domains_estimate(&em, &topo, how, sizeof(how)), -ENOENT);
}

/* t: n online CPUs of one kind "cpu", CPU c of capacity cap(c), sibling sib(c) */
static void one_kind(struct jtopo *t, int n, unsigned (*cap)(int), int (*sib)(int))
{
	memset(t, 0, sizeof(*t));
	t->nr_cpus = t->nr_online = n;
	t->nr_kinds = 1;
	snprintf(t->kind[0].name, sizeof(t->kind[0].name), "cpu");
	for (int c = 0; c < n; c++) {
		t->cpu[c] =
			(struct jtopo_cpu){.online = true, .capacity = cap(c), .sibling = sib(c)};
		jtopo_cpuset_set(&t->online, c);
		jtopo_cpuset_set(&t->kind[0].cpus, c);
	}
}

static unsigned cap_1024(int c)
{
	(void)c;
	return 1024;
}

static int smt_pairs(int c)
{
	return c ^ 1;
}

static void test_many_identical_policies(void **state)
{
	static const unsigned freqs[] = {1200000, 2000000, 2800000};
	static struct jpower_cpufreq cf;
	static struct jtopo t;

	(void)state;
	one_kind(&t, 40, cap_1024, smt_pairs);
	memset(&cf, 0, sizeof(cf));
	for (int c = 0; c < 40; c++)
		jtopo_cpuset_set(&cf.policy[c / 2].cpus, c);
	cf.nr_policies = 20;
	for (int i = 0; i < 20; i++) {
		cf.policy[i].min_khz = freqs[0];
		cf.policy[i].max_khz = freqs[2];
		cf.policy[i].nr_freqs = 3;
		memcpy(cf.policy[i].freq_khz, freqs, sizeof(freqs));
	}
	assert_int_equal(jpower_domains(&em, &t, &cf, err, sizeof(err)), 0);
	assert_int_equal(em.nr_pds, 20);
	assert_int_equal(jpower_em_derive(&em, &t, err, sizeof(err)), 0);
	jpower_em_fit(&em, &t);
	assert_int_equal(em.nr_distinct, 1);
	assert_int_equal(em.nr_pds, 1);
	assert_int_equal(em.pd[0].nr_grouped, 20);
	assert_int_equal(em.pd[0].nr_merged, 0);
	assert_int_equal(jtopo_cpuset_weight(&em.pd[0].cpus), 40);
	assert_int_equal(em.pd[0].nr_opps, 3);
}

/*
 * A merged domain is measured by the table it kept: 18 single-CPU domains
 * of one kind, 2 merges to fit 16. Capacities 112 and 120 merge first (8
 * apart) and keep 120's table; then 120 and 130 are 10 apart, 100 and 120
 * 20, so 130 joins them and 100 stays alone. Measured by the 112 it had
 * before, the merged domain took 100 in instead (12 against 18).
 */
static const unsigned merge_caps[18] = {100, 112, 120, 130, 200, 250, 300, 350, 400,
					450, 500, 550, 600, 650, 700, 750, 800, 850};

static unsigned merge_cap(int c)
{
	return merge_caps[c];
}

static int no_sibling(int c)
{
	(void)c;
	return -1;
}

static void test_merged_domain_measured_by_its_table(void **state)
{
	const unsigned *caps = merge_caps;
	static struct jtopo t;

	(void)state;
	one_kind(&t, 18, merge_cap, no_sibling);
	memset(&em, 0, sizeof(em));
	em.nr_pds = 18;
	for (int c = 0; c < 18; c++) {
		struct jpower_pd *pd = &em.pd[c];

		snprintf(pd->name, sizeof(pd->name), "pd%d", c);
		jtopo_cpuset_set(&pd->cpus, c);
		pd->capacity = caps[c];
		pd->nr_opps = 1;
		pd->opp[0] = (struct jpower_opp){
			.khz = 1000000, .capacity = caps[c], .power_mw = caps[c] / 10.0};
	}
	jpower_em_fit(&em, &t);
	assert_int_equal(em.nr_distinct, 18);
	assert_int_equal(em.nr_pds, 16);
	assert_int_equal(jtopo_cpuset_weight(&em.pd[0].cpus), 1); /* 100 alone */
	assert_true(jtopo_cpuset_isset(&em.pd[0].cpus, 0));
	assert_int_equal(jtopo_cpuset_weight(&em.pd[1].cpus), 3); /* 112, 120, 130 */
	assert_int_equal(em.pd[1].capacity, 130);
	assert_int_equal(em.pd[1].nr_merged, 2);
}

/* Only schedutil reads the scheduler's requests; the note says how to get it. */
static void test_requests_ignored(void **state)
{
	static struct jpower_cpufreq cf;
	char why[512];

	(void)state;
	memset(&cf, 0, sizeof(cf));
	assert_false(jpower_requests_ignored(&cf, why, sizeof(why)));
	cf.nr_policies = 2;
	strcpy(cf.policy[0].driver, "intel_pstate");
	strcpy(cf.policy[0].governor, "schedutil");
	strcpy(cf.policy[1].driver, "intel_pstate");
	strcpy(cf.policy[1].governor, "schedutil");
	assert_false(jpower_requests_ignored(&cf, why, sizeof(why)));
	assert_string_equal(why, "");
	strcpy(cf.policy[1].governor, "powersave");
	assert_true(jpower_requests_ignored(&cf, why, sizeof(why)));
	assert_non_null(strstr(why, "intel_pstate with governor powersave"));
	assert_non_null(strstr(why, "echo passive > /sys/devices/system/cpu/intel_pstate/status"));
	strcpy(cf.policy[1].driver, "amd-pstate-epp");
	strcpy(cf.policy[1].governor, "performance");
	assert_true(jpower_requests_ignored(&cf, why, sizeof(why)));
	assert_non_null(strstr(why, "amd_pstate/status"));
	strcpy(cf.policy[1].driver, "cpufreq-dt");
	strcpy(cf.policy[1].governor, "ondemand");
	assert_true(jpower_requests_ignored(&cf, why, sizeof(why)));
	assert_non_null(strstr(why, "cpupower frequency-set -g schedutil"));
}

static void test_cpulist(void **state)
{
	struct jtopo_cpuset s;
	char buf[64];

	(void)state;
	assert_int_equal(jtopo_parse_cpulist("0-3,6,8-9\n", &s, 16), 0);
	assert_int_equal(jtopo_cpuset_weight(&s), 7);
	jtopo_format_cpulist(&s, buf, sizeof(buf));
	assert_string_equal(buf, "0-3,6,8-9");
	/* too small a buffer ends after a whole entry: never "0-3,6,8" */
	jtopo_format_cpulist(&s, buf, 8);
	assert_string_equal(buf, "0-3,6");
	assert_int_equal(jtopo_parse_cpulist("4 5 ", &s, 16), 0); /* cpufreq's style */
	jtopo_format_cpulist(&s, buf, sizeof(buf));
	assert_string_equal(buf, "4-5");
	assert_int_equal(jtopo_parse_cpulist("3-1", &s, 16), -EINVAL);
	assert_int_equal(jtopo_parse_cpulist("0-16", &s, 16), -EINVAL);
	assert_int_equal(jtopo_parse_cpulist("a", &s, 16), -EINVAL);
	assert_int_equal(jtopo_parse_cpulist("1-", &s, 16), -EINVAL);
	/* walking a set across words, as machine.c splits large domains */
	assert_int_equal(jtopo_parse_cpulist("5,63-64,200", &s, 256), 0);
	assert_int_equal(jtopo_cpuset_first(&s), 5);
	assert_int_equal(jtopo_cpuset_next(&s, 6), 63);
	assert_int_equal(jtopo_cpuset_next(&s, 64), 64);
	assert_int_equal(jtopo_cpuset_next(&s, 65), 200);
	assert_int_equal(jtopo_cpuset_next(&s, 201), -1);
	assert_int_equal(jtopo_cpuset_next(&s, 256), -1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(jtopo_cpuset_first(&s), -1);
}

/* Writes text to a new temporary file; its path in path (a mkstemp template). */
static void temp_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/*
 * A line that does not fit is an error, not a shorter line: cut, "0 1 2 3"
 * would read as CPUs 0-2, or "1234" as 12. One that fits exactly, with or
 * without its newline, reads whole.
 */
static void test_fs_line_fits_or_fails(void **state)
{
	char path[] = "/tmp/joule-line-XXXXXX", buf[8];

	(void)state;
	temp_file(path, "0 1 2 3\n");
	assert_int_equal(jtopo_fs_line(NULL, path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0 1 2 3");
	/* a word is cut from a whole line: a line too long is still an error */
	assert_int_equal(jtopo_fs_word(NULL, path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(jtopo_fs_word(NULL, path, buf, 7), -EOVERFLOW);
	assert_int_equal(jtopo_fs_line(NULL, path, buf, 7), -EOVERFLOW);
	assert_int_equal(jtopo_fs_line(NULL, path, buf, 6), -EOVERFLOW);
	/* the start of a file is all jtopo_fs_text promises */
	assert_int_equal(jtopo_fs_text(NULL, path, buf, 6), 0);
	assert_string_equal(buf, "0 1 2");
	unlink(path);
	strcpy(path, "/tmp/joule-line-XXXXXX");
	temp_file(path, "1234567");
	assert_int_equal(jtopo_fs_line(NULL, path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234567");
	assert_int_equal(jtopo_fs_line(NULL, path, buf, 7), -EOVERFLOW);
	unlink(path);
	/* only the first line counts: a long second line is no overflow */
	strcpy(path, "/tmp/joule-line-XXXXXX");
	temp_file(path, "12\n3456789012\n");
	assert_int_equal(jtopo_fs_line(NULL, path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "12");
	unlink(path);
}

/*
 * What is no regular file is an error at once: the open of a FIFO no one
 * writes would not come back, and a directory reads as empty.
 */
static void test_fs_reads_only_files(void **state)
{
	char dir[] = "/tmp/joule-fifo-XXXXXX", fifo[64], buf[8];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(jtopo_fs_line(NULL, fifo, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(jtopo_fs_line(NULL, dir, buf, sizeof(buf)), -EISDIR);
	assert_int_equal(jtopo_fs_line(NULL, "/dev/null", buf, sizeof(buf)), -EINVAL);
	unlink(fifo);
	rmdir(dir);
}

/*
 * A counter replaced by rename while it is read, as a RAPL fake's are (and
 * the power state file): every read gets a number. Checking that the file
 * opened was the one stat saw called 282 of 200,000 reads "not a regular
 * file", and failed joule-bench in the VM.
 */
static void test_fs_read_while_renamed(void **state)
{
	char dir[] = "/tmp/joule-rename-XXXXXX", path[64], tmp[64];
	int failures = 0, status;
	uint64_t v = 0, first = 0;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/energy_uj", dir);
	snprintf(tmp, sizeof(tmp), "%s/.energy_uj.tmp", dir);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("1\n", f);
		assert_int_equal(fclose(f), 0);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (unsigned long n = 2;; n++) {
			FILE *f = fopen(tmp, "w");

			if (!f || fprintf(f, "%lu\n", n) < 0 || fclose(f) || rename(tmp, path))
				_exit(1);
		}
	}
	for (int i = 0; i < 50000; i++) {
		failures += jtopo_fs_u64(NULL, path, &v) != 0;
		if (!first)
			first = v;
	}
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* the writer was still renaming when killed, and the reads saw it go on */
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(v > first);
	assert_int_equal(failures, 0);
	unlink(path);
	unlink(tmp);
	rmdir(dir);
}

/* The number in a file at a new temporary path made from text. */
static int u64_of(const char *text, uint64_t *v)
{
	char path[] = "/tmp/joule-u64-XXXXXX";
	int ret;

	temp_file(path, text);
	ret = jtopo_fs_u64(NULL, path, v);
	unlink(path);
	return ret;
}

/*
 * Digits, then blanks at most: strtoull took " -1" as 2^64 - 1, and the
 * number's end was not checked past a blank ("5 junk" read as 5). What
 * is refused leaves the value as it was, not its leading digits.
 */
static void test_fs_u64_whole_number(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(u64_of("42\n", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(u64_of("43 \t\r\n", &v), 0);
	assert_int_equal(v, 43);
	v = 7;
	assert_int_equal(u64_of(" -1\n", &v), -EINVAL);
	assert_int_equal(u64_of("-1\n", &v), -EINVAL);
	assert_int_equal(u64_of("+5\n", &v), -EINVAL);
	assert_int_equal(u64_of("5 junk\n", &v), -EINVAL);
	assert_int_equal(u64_of("512x\n", &v), -EINVAL);
	assert_int_equal(u64_of("18446744073709551616\n", &v), -EINVAL);
	assert_int_equal(v, 7);
	assert_int_equal(u64_of("\n", &v), -ENODATA);
}

/*
 * An online list with a CPU beyond the build's ceiling is a machine too
 * big for it, said as for the possible list: not a malformed list.
 */
static void test_online_beyond_ceiling(void **state)
{
	char root[] = "/tmp/joule-online-XXXXXX", path[256], want[400];
	struct jtopo_cpuset online;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "mkdir -p %s/sys/devices/system/cpu", root);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/online", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "0-3,%d\n", JTOPO_MAX_CPUS);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(jtopo_read_online(root, &online, err, sizeof(err)), -E2BIG);
	snprintf(want, sizeof(want), "%s: %d possible CPUs; this build of scx_joule handles", path,
		 JTOPO_MAX_CPUS + 1);
	if (!strstr(err, want))
		fail_msg("'%s' does not say '%s'", err, want);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
}

static void test_kind_names(void **state)
{
	char b[16];

	(void)state;
	jtopo_kind_name(0, 1, b, sizeof(b));
	assert_string_equal(b, "cpu");
	jtopo_kind_name(1, 3, b, sizeof(b));
	assert_string_equal(b, "mid");
	jtopo_kind_name(2, 3, b, sizeof(b));
	assert_string_equal(b, "big");
	jtopo_kind_name(2, 4, b, sizeof(b));
	assert_string_equal(b, "mid2");
}

static int setup(void **state)
{
	(void)state;
	board(&topo);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merged_domain_measured_by_its_table),
		cmocka_unit_test(test_requests_ignored),
		cmocka_unit_test_setup(test_file_good, setup),
		cmocka_unit_test_setup(test_file_crlf, setup),
		cmocka_unit_test_setup(test_inefficient, setup),
		cmocka_unit_test_setup(test_file_bad, setup),
		cmocka_unit_test_setup(test_load_missing_file, setup),
		cmocka_unit_test_setup(test_write_read_back, setup),
		cmocka_unit_test_setup(test_artificial_read_back, setup),
		cmocka_unit_test_setup(test_abstract_read_back, setup),
		cmocka_unit_test_setup(test_derived, setup),
		cmocka_unit_test_setup(test_per_cpu_policies, setup),
		cmocka_unit_test_setup(test_no_cpufreq, setup),
		cmocka_unit_test(test_many_identical_policies),
		cmocka_unit_test_setup(test_estimate_without_cpufreq, setup),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_fs_line_fits_or_fails),
		cmocka_unit_test(test_fs_reads_only_files),
		cmocka_unit_test(test_fs_read_while_renamed),
		cmocka_unit_test(test_fs_u64_whole_number),
		cmocka_unit_test(test_online_beyond_ceiling),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
