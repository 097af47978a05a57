// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine model of every recorded machine in tests/fixtures, read by
 * the real code: hwloc's Linux backend on the fake root (or hwloc's XML
 * import of it), sysfs capacity sources, cpufreq files and the energy
 * model. Each test asserts the exact classification, capacities, domains
 * and energy tables the fixture's published figures imply; the bad fixtures
 * must fail with a message naming the file or CPU.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "jpower.h"
#include "jtopo.h"

static struct jtopo topo;
static struct jpower_cpufreq cf;
static struct jpower_model em;
static char err[512];

static int load_with(const char *name, bool xml, const char *em_file)
{
	char root[512], xml_path[512];
	struct jtopo_input in = {0};
	int ret;

	snprintf(root, sizeof(root), "%s/%s", FIXTURES_DIR, name);
	snprintf(xml_path, sizeof(xml_path), "%s/%s.xml", FIXTURES_DIR, name);
	in.root = root;
	in.xml = xml ? xml_path : NULL;
	err[0] = '\0';
	ret = jtopo_load(&topo, &in, err, sizeof(err));
	if (!ret)
		ret = jpower_model_build(&em, &cf, &topo, root, em_file, err, sizeof(err));
	return ret;
}

static int load_as(const char *name, bool xml)
{
	return load_with(name, xml, NULL);
}

static void load(const char *name)
{
	if (load_as(name, false))
		fail_msg("%s: %s", name, err);
}

static void assert_cpus(const struct jtopo_cpuset *set, const char *want)
{
	char buf[256];

	jtopo_format_cpulist(set, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* kind name, CPU list and capacity of kind k (all its CPUs equal) */
static void assert_kind(int k, const char *name, const char *cpus, unsigned capacity)
{
	const struct jtopo_kind *kd = &topo.kind[k];

	assert_string_equal(kd->name, name);
	assert_cpus(&kd->cpus, cpus);
	for (int c = 0; c < topo.nr_cpus; c++) {
		if (!jtopo_cpuset_isset(&kd->cpus, c))
			continue;
		assert_int_equal(topo.cpu[c].kind, k);
		assert_int_equal(topo.cpu[c].capacity, capacity);
	}
}

static void assert_pd(int p, const char *name, const char *cpus, int nr_opps, unsigned lo_khz,
		      unsigned hi_khz)
{
	const struct jpower_pd *pd = &em.pd[p];

	assert_string_equal(pd->name, name);
	assert_cpus(&pd->cpus, cpus);
	assert_int_equal(pd->nr_opps, nr_opps);
	if (!nr_opps)
		return;
	assert_int_equal(pd->opp[0].khz, lo_khz);
	assert_int_equal(pd->opp[nr_opps - 1].khz, hi_khz);
	for (int i = 1; i < nr_opps; i++)
		assert_true(pd->opp[i].khz > pd->opp[i - 1].khz);
}

/* ---- RK3399 board: 4x A53 + 2x A72, cpu_capacity, cpufreq-dt ---------- */

static void check_rk3399(void)
{
	assert_int_equal(topo.nr_cpus, 6);
	assert_int_equal(topo.nr_online, 6);
	assert_int_equal(topo.nr_kinds, 2);
	assert_kind(0, "little", "0-3", 381); /* 1024 * 485 * 1416 / (1024 * 1800) */
	assert_kind(1, "big", "4-5", 1024);
	assert_int_equal(topo.nr_cores, 6);
	assert_int_equal(topo.nr_clusters, 2); /* one L2 per cluster */
	assert_int_equal(topo.nr_packages, 1);
	assert_int_equal(topo.nr_numa, 1);
	for (int c = 0; c < 6; c++) {
		assert_int_equal(topo.cpu[c].sibling, -1);
		assert_int_equal(topo.cpu[c].cluster, c >= 4);
	}
}

static void test_rk3399(void **state)
{
	(void)state;
	load("arm-board-rk3399");
	check_rk3399();
	assert_int_equal(topo.cap_source, JTOPO_CAP_SYSFS);
	assert_int_equal(cf.nr_policies, 2);
	assert_false(cf.via_libcpupower);
	assert_string_equal(cf.policy[0].driver, "cpufreq-dt");
	assert_cpus(&cf.policy[0].cpus, "0-3");
	assert_cpus(&cf.policy[1].cpus, "4-5");
	/* no kernel model in this recording: derived from rk3399-opp.dtsi's frequencies */
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	assert_int_equal(em.nr_pds, 2);
	assert_pd(0, "cpu0", "0-3", 6, 408000, 1416000);
	assert_pd(1, "cpu4", "4-5", 8, 408000, 1800000);
	assert_int_equal(em.pd[0].opp[5].capacity, 381);
	assert_int_equal(em.pd[1].opp[0].capacity, 1024 * 408000 / 1800000);
	/* big at the top: the A72's own DT figure, 436 uW/MHz/V^2 * 1800 MHz * 1.2^2 V^2 */
	assert_true(fabs(em.pd[1].opp[7].power_mw - 1130.112) < 1e-3);
}

/* The same machine through its hwloc XML export: structure and kinds agree. */
static void test_rk3399_xml(void **state)
{
	char xml[512];
	struct jtopo_input in = {.xml = xml};

	(void)state;
	snprintf(xml, sizeof(xml), "%s/arm-board-rk3399.xml", FIXTURES_DIR);
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	check_rk3399();
	/* only the XML: capacity from hwloc's LinuxCapacity kind info */
	assert_int_equal(topo.cap_source, JTOPO_CAP_HWLOC_KIND);
	assert_int_equal(topo.kind[0].linux_capacity, 381);
	assert_int_equal(topo.kind[1].max_mhz, 1800);
}

/* ---- phone: 4x A55 + 2x A76 + 2x X1, kernel energy model in debugfs ----- */

static void test_phone(void **state)
{
	(void)state;
	load("arm-phone-tri");
	assert_int_equal(topo.nr_cpus, 8);
	assert_int_equal(topo.nr_kinds, 3);
	assert_int_equal(topo.cap_source, JTOPO_CAP_SYSFS);
	assert_kind(0, "little", "0-3", 160); /* 1024 * 250 * 1803 / (1024 * 2802) */
	assert_kind(1, "mid", "4-5", 498);    /* 1024 * 620 * 2253 / (1024 * 2802) */
	assert_kind(2, "big", "6-7", 1024);
	assert_int_equal(topo.nr_clusters, 8); /* a private L2 per core */
	assert_int_equal(topo.nr_llcs, 1);     /* the DSU's L3 */
	assert_int_equal(cf.nr_policies, 3);
	assert_string_equal(cf.policy[2].driver, "exynos-acme");
	assert_string_equal(cf.policy[2].governor, "schedutil");
	assert_int_equal(em.source, JPOWER_EM_DEBUGFS);
	assert_int_equal(em.nr_pds, 3);
	assert_pd(0, "cpu0", "0-3", 11, 300000, 1803000);
	assert_pd(1, "cpu4", "4-5", 14, 400000, 2253000);
	assert_pd(2, "cpu6", "6-7", 17, 500000, 2802000);
	/* power straight from the kernel's table (uW -> mW): 70 uW/MHz/V^2 * 300 MHz * 0.6^2 */
	assert_true(fabs(em.pd[0].opp[0].power_mw - 7.560) < 1e-9);
	/* 650 * 2802 * 1.05^2 uW, rounded by the kernel to a whole uW */
	assert_true(fabs(em.pd[2].opp[16].power_mw - 2007.983) < 1e-9);
	/* capacity from the kernel's performance file: 160 * 300000 / 1803000 */
	assert_int_equal(em.pd[0].opp[0].capacity, 26);
	assert_int_equal(em.pd[2].opp[16].capacity, 1024);
	assert_true(fabs(em.pd[0].opp[10].cost - em.pd[0].opp[10].power_mw) < 1e-9);
	/* this SoC's costs rise with frequency: no inefficient OPP */
	for (int p = 0; p < 3; p++)
		for (int i = 0; i < em.pd[p].nr_opps; i++)
			assert_false(em.pd[p].opp[i].inefficient);
}

/* The model in use (em, with topo's offline CPUs) written to a new temporary path. */
static void write_model_file(char *path)
{
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	assert_non_null(f);
	assert_int_equal(jpower_em_write(&em, &topo, f), 0);
	fclose(f);
}

/*
 * A kernel model without EM_PERF_DOMAIN_MICROWATTS (an SCMI driver's own
 * scale): used for its ratios, said to be in no real unit, its figures not
 * refused as absurd for their size but scaled to a largest of 1000, and its
 * file marked, so that a run from it estimates no energy either.
 */
static void test_phone_abstract_scale(void **state)
{
	static const char *const pds[] = {"cpu0", "cpu4", "cpu6"};
	char tmp[] = "/tmp/joule-abstract-XXXXXX", cmd[1024], path[512];
	char file[] = "/tmp/joule-abstract-em-XXXXXX";
	struct jtopo_input in = {0};
	double little_low, big_low;
	FILE *f;

	(void)state;
	load("arm-phone-tri"); /* flags 0x1: microwatts */
	assert_false(em.abstract_scale);
	little_low = em.pd[0].opp[0].power_mw;
	big_low = em.pd[2].opp[0].power_mw;
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "cp -r '%s/arm-phone-tri/.' '%s'", FIXTURES_DIR, tmp);
	assert_int_equal(system(cmd), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/sys/kernel/debug/energy_model/%s/flags", tmp,
			 pds[i]);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("0x0\n", f);
		assert_int_equal(fclose(f), 0);
	}
	/* 2,007,983 "uW" times 1000: over 100 W, refused as absurd were it microwatts */
	snprintf(path, sizeof(path), "%s/sys/kernel/debug/energy_model/cpu6/ps:2802000/power", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("2007983000\n", f);
	assert_int_equal(fclose(f), 0);
	in.root = tmp;
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	if (jpower_model_build(&em, &cf, &topo, tmp, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(em.source, JPOWER_EM_DEBUGFS);
	assert_true(em.abstract_scale);
	assert_false(em.artificial);
	assert_non_null(strstr(em.why, "no EM_PERF_DOMAIN_MICROWATTS"));
	/* the largest figure scaled to 1000, the others in proportion */
	assert_true(fabs(em.pd[2].opp[16].power_mw - 1000.0) < 1e-9);
	assert_true(fabs(em.pd[0].opp[0].power_mw - little_low * 1000.0 / 2007983.0) < 0.001);
	assert_true(fabs(em.pd[2].opp[0].power_mw - big_low * 1000.0 / 2007983.0) < 0.001);

	/* its file says so, and reads back as the same model on the same scale */
	write_model_file(file);
	{
		struct jpower_model written = em;

		assert_int_equal(load_with("arm-phone-tri", false, file), 0);
		assert_int_equal(em.source, JPOWER_EM_FILE);
		assert_true(em.abstract_scale);
		assert_int_equal(em.nr_pds, written.nr_pds);
		for (int p = 0; p < em.nr_pds; p++) {
			assert_int_equal(em.pd[p].nr_opps, written.pd[p].nr_opps);
			for (int i = 0; i < em.pd[p].nr_opps; i++)
				assert_true(em.pd[p].opp[i].power_mw ==
					    written.pd[p].opp[i].power_mw);
		}
	}
	unlink(file);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

/*
 * An explicit --energy-model file wins over the kernel's model: the phone's
 * own table written out with one power changed must come back changed, and a
 * file that is not a model must fail naming its line, not fall back.
 */
static void test_phone_em_file_wins(void **state)
{
	char path[] = "/tmp/joule-em-XXXXXX";
	FILE *f;

	(void)state;
	load("arm-phone-tri");
	em.pd[2].opp[16].power_mw = 2500.0;
	write_model_file(path);
	assert_int_equal(load_with("arm-phone-tri", false, path), 0);
	assert_int_equal(em.source, JPOWER_EM_FILE);
	assert_string_equal(em.origin, path);
	assert_string_equal(em.why,
			    "given with --energy-model; the kernel's debugfs model is ignored");
	assert_int_equal(em.nr_pds, 3);
	assert_true(fabs(em.pd[2].opp[16].power_mw - 2500.0) < 1e-9);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("garbage\n", f);
	fclose(f);
	assert_int_not_equal(load_with("arm-phone-tri", false, path), 0);
	assert_true(strstr(err, ":1: expected 'scx-joule-energy-model 1' first"));
	assert_true(!strncmp(err, path, strlen(path)));
	unlink(path);
}

/* ---- Intel 6P+8E laptop: CPPC, CoreType, intel_pstate per-CPU policies -- */

static void test_intel_laptop(void **state)
{
	(void)state;
	load("intel-adl-laptop");
	assert_int_equal(topo.nr_cpus, 20);
	assert_int_equal(topo.nr_kinds, 2);
	assert_int_equal(topo.cap_source, JTOPO_CAP_CPPC);
	assert_kind(0, "little", "12-19", 604); /* 1024 * 36 / 61 */
	assert_kind(1, "big", "0-11", 1024);
	assert_string_equal(topo.kind[0].core_type, "IntelAtom");
	assert_string_equal(topo.kind[1].core_type, "IntelCore");
	assert_int_equal(topo.kind[0].max_mhz, 3600);
	assert_int_equal(topo.nr_cores, 14);
	assert_int_equal(topo.nr_clusters, 8); /* 6 P-core L2s, 2 E-core module L2s */
	assert_int_equal(topo.nr_llcs, 1);
	for (int c = 0; c < 12; c++) {
		assert_int_equal(topo.cpu[c].sibling, c ^ 1);
		assert_int_equal(topo.cpu[c].nr_threads, 2);
	}
	for (int c = 12; c < 20; c++) {
		assert_int_equal(topo.cpu[c].sibling, -1);
		assert_int_equal(topo.cpu[c].cluster, topo.cpu[c < 16 ? 12 : 16].cluster);
	}
	assert_int_not_equal(topo.cpu[12].cluster, topo.cpu[16].cluster);
	assert_int_equal(cf.nr_policies, 20);
	assert_string_equal(cf.policy[0].driver, "intel_pstate");
	assert_int_equal(cf.policy[0].nr_freqs, 0);
	/* per-CPU policies: one domain per kind, 100 MHz ladders, derived power */
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	assert_int_equal(em.nr_pds, 2);
	assert_pd(0, "little", "12-19", 33, 400000, 3600000);
	assert_pd(1, "big", "0-11", 45, 400000, 4800000);
	assert_true(em.pd[0].opp[32].cost < em.pd[1].opp[44].cost);
	/* every CPU shares the L3: no domain is priced as off it */
	assert_int_equal(topo.cpu[12].llc_level, 3);
	assert_null(strstr(em.origin, "off the L3"));
}

/*
 * ---- Meteor Lake 6P+8E+2LPE: three kinds, two of them one core type ----
 * Only cpu_capacity tells the SoC tile's low-power E-cores from the compute
 * tile's; they reach no L3, so they are an LLC of their own.
 */
static void test_intel_mtl(void **state)
{
	(void)state;
	load("intel-mtl-laptop");
	assert_int_equal(topo.nr_cpus, 22);
	assert_int_equal(topo.nr_kinds, 3);
	assert_int_equal(topo.cap_source, JTOPO_CAP_SYSFS);
	assert_kind(0, "little", "20-21", 426); /* 1024 * 25 / 60 */
	assert_kind(1, "mid", "12-19", 648);	/* 1024 * 38 / 60 */
	assert_kind(2, "big", "0-11", 1024);
	assert_string_equal(topo.kind[0].core_type, "IntelAtom");
	assert_string_equal(topo.kind[1].core_type, "IntelAtom");
	assert_string_equal(topo.kind[2].core_type, "IntelCore");
	assert_int_equal(topo.kind[0].max_mhz, 2500);
	assert_int_equal(topo.nr_cores, 16);
	assert_int_equal(topo.nr_clusters, 9); /* 6 P-core L2s, 2 E-core modules, the LP pair */
	assert_int_equal(topo.nr_llcs, 2);
	for (int c = 0; c < 20; c++)
		assert_int_equal(topo.cpu[c].llc, topo.cpu[0].llc);
	assert_int_equal(topo.cpu[20].llc, topo.cpu[21].llc);
	assert_int_not_equal(topo.cpu[20].llc, topo.cpu[0].llc);
	assert_int_equal(topo.cpu[20].cluster, topo.cpu[21].cluster);
	assert_int_equal(topo.cpu[20].sibling, -1);
	assert_int_equal(topo.cpu[0].sibling, 1);
	/* no kernel model (SMT): derived, a domain per kind, 100 MHz ladders */
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	assert_int_equal(em.nr_pds, 3);
	assert_pd(0, "little", "20-21", 22, 400000, 2500000);
	assert_pd(1, "mid", "12-19", 35, 400000, 3800000);
	assert_pd(2, "big", "0-11", 45, 400000, 4800000);
	/*
	 * Both Crestmont kinds do the same work at one frequency; the pair off
	 * the L3 does it for 2/3 of the power, so light work goes there first.
	 */
	assert_int_equal(em.pd[0].opp[21].capacity, em.pd[1].opp[21].capacity);
	assert_true(fabs(em.pd[0].opp[21].power_mw / em.pd[1].opp[21].power_mw - 2.0 / 3.0) < 0.01);
	assert_true(fabs(em.pd[0].idle_mw / em.pd[1].idle_mw - 2.0 / 3.0) < 0.01);
	assert_int_equal(topo.cpu[20].llc_level, 2);
	assert_int_equal(topo.cpu[12].llc_level, 3);
	assert_non_null(strstr(em.origin, "off the L3"));
	assert_true(em.pd[1].opp[34].power_mw / em.pd[1].opp[34].capacity <
		    em.pd[2].opp[44].power_mw / em.pd[2].opp[44].capacity);
}

/*
 * A domain's OPPs as the artificial kernel model gives them: capacity
 * capacity * f / f_top, power cost * performance / 10 (uW).
 */
static void assert_artificial_opps(int p, unsigned capacity, const unsigned *khz,
				   const unsigned *cost, int n)
{
	assert_int_equal(em.pd[p].capacity, capacity);
	assert_int_equal(em.pd[p].nr_opps, n);
	for (int i = 0; i < n; i++) {
		unsigned perf = capacity * khz[i] / khz[n - 1];

		assert_int_equal(em.pd[p].opp[i].khz, khz[i]);
		assert_int_equal(em.pd[p].opp[i].capacity, perf);
		assert_true(fabs(em.pd[p].opp[i].power_mw - cost[i] * perf / 1e4) < 1e-9);
	}
}

/* Work per unit of energy at the top OPP: lower is cheaper. */
static double top_cost_per_work(int p)
{
	const struct jpower_opp *o = &em.pd[p].opp[em.pd[p].nr_opps - 1];

	return o->power_mw / o->capacity;
}

/* ---- Arrow Lake 8P+16E: a per-CPU artificial kernel model (Linux 6.16) -- */

static void test_intel_arl(void **state)
{
	static const unsigned khz[] = {2, 3, 4, 5};
	static const unsigned p_cost[] = {119, 120, 121, 122}; /* 100 * 100000 / 86957 + f + 2 */
	static const unsigned e_cost[] = {104, 105, 106, 107}; /* 100 + f + 2 */

	(void)state;
	load("intel-arl-desktop");
	assert_int_equal(topo.nr_cpus, 24);
	/* hwloc ranks the favoured cores as a kind of their own */
	assert_int_equal(topo.nr_kinds, 3);
	assert_kind(0, "little", "8-23", 736);
	assert_kind(1, "mid", "0-1,3-4,6-7", 1008);
	assert_kind(2, "big", "2,5", 1024);
	assert_int_equal(cf.nr_policies, 24);
	assert_int_equal(em.source, JPOWER_EM_DEBUGFS);
	assert_true(em.artificial);
	/* 24 per-CPU domains, 3 distinct tables: grouped, none merged */
	assert_int_equal(em.nr_distinct, 3);
	assert_int_equal(em.nr_pds, 3);
	assert_pd(0, "cpu0", "0-1,3-4,6-7", 4, 2, 5);
	assert_pd(1, "cpu2", "2,5", 4, 2, 5);
	assert_pd(2, "cpu8", "8-23", 4, 2, 5);
	assert_int_equal(em.pd[0].nr_grouped, 6);
	assert_int_equal(em.pd[1].nr_grouped, 2);
	assert_int_equal(em.pd[2].nr_grouped, 16);
	for (int p = 0; p < 3; p++)
		assert_int_equal(em.pd[p].nr_merged, 0);
	assert_artificial_opps(0, 1008, khz, p_cost, 4);
	assert_artificial_opps(1, 1024, khz, p_cost, 4);
	assert_artificial_opps(2, 736, khz, e_cost, 4);
	/* the driver's costs make an E-core the cheaper place for the same work */
	assert_true(top_cost_per_work(2) < top_cost_per_work(0));
	assert_true(fabs(top_cost_per_work(0) / top_cost_per_work(2) - 122.0 / 107) < 1e-9);
}

/* ---- 32 CPUs, 20 distinct per-CPU tables: merged down to 16 ------------ */

static void test_intel_hybrid_32(void **state)
{
	static const unsigned e_pair_cap[] = {700, 697, 694, 691, 688, 685,
					      660, 657, 654, 651, 648, 645};
	int merged = 0;

	(void)state;
	load("intel-hybrid-32");
	/* hwloc's 20 kinds (one per capacity step) folded by core type */
	assert_int_equal(topo.nr_kinds, 2);
	assert_cpus(&topo.kind[0].cpus, "8-31");
	assert_cpus(&topo.kind[1].cpus, "0-7");
	assert_true(topo.nr_warnings >= 1);
	assert_non_null(strstr(topo.warning[0], "hwloc reports 20 CPU kinds"));
	for (int c = 0; c < 32; c++)
		assert_int_equal(topo.cpu[c].capacity,
				 c < 8 ? 1024u - 15u * (unsigned)c : e_pair_cap[(c - 8) / 2]);
	assert_int_equal(em.nr_distinct, 20);
	assert_int_equal(em.nr_pds, JPOWER_MAX_SCHED_PDS);
	for (int p = 0; p < em.nr_pds; p++) {
		const struct jpower_pd *pd = &em.pd[p];
		unsigned lo = 1024, hi = 0;

		for (int c = jtopo_cpuset_next(&pd->cpus, 0); c >= 0;
		     c = jtopo_cpuset_next(&pd->cpus, c + 1)) {
			/* merging never mixes kinds */
			assert_int_equal(topo.cpu[c].kind, pd->kind);
			lo = topo.cpu[c].capacity < lo ? topo.cpu[c].capacity : lo;
			hi = topo.cpu[c].capacity > hi ? topo.cpu[c].capacity : hi;
		}
		/* the biggest CPU's table serves the domain */
		assert_int_equal(pd->capacity, hi);
		assert_int_equal(pd->opp[pd->nr_opps - 1].capacity, hi);
		if (pd->nr_merged) {
			/* only the nearest capacities (3 apart) were merged, never P-cores 15 apart
			 */
			assert_int_equal(pd->kind, 0);
			assert_int_equal(hi - lo, 3);
			assert_int_equal(jtopo_cpuset_weight(&pd->cpus), 4);
			merged += pd->nr_merged;
		} else {
			assert_int_equal(hi, lo);
		}
	}
	assert_int_equal(merged, 20 - JPOWER_MAX_SCHED_PDS);
	/* every P-core keeps its own domain */
	for (int p = 0; p < 8; p++) {
		assert_int_equal(jtopo_cpuset_weight(&em.pd[p].cpus), 1);
		assert_int_equal(em.pd[p].capacity, 1024 - 15 * p);
	}
}

/* ---- big.LITTLE without cpufreq: a model estimated per kind ------------ */

static double derived_mw(double ipc, double mhz, double v)
{
	return 436.0 * ipc * ipc * mhz * v * v / 1000;
}

static void test_arm_no_cpufreq(void **state)
{
	double ipc = 485.0 / 1024; /* no frequency known: all of it is work per clock */

	(void)state;
	load("arm-virt-no-cpufreq");
	assert_int_equal(topo.nr_kinds, 2);
	assert_kind(0, "little", "0-3", 485);
	assert_kind(1, "big", "4-5", 1024);
	assert_int_equal(cf.nr_policies, 0);
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	assert_non_null(strstr(em.why, "no cpufreq on a machine with 2 kinds"));
	assert_non_null(strstr(em.origin, "assumed 2000 MHz"));
	assert_int_equal(em.nr_pds, 2);
	assert_pd(0, "little", "0-3", 5, 400000, 2000000);
	assert_pd(1, "big", "4-5", 5, 400000, 2000000);
	/* the derived formula on the estimated OPPs: V 0.70 V at 400 MHz .. 1.20 V at 2000 */
	assert_true(fabs(em.pd[1].opp[4].power_mw - derived_mw(1, 2000, 1.2)) < 1e-6);
	assert_true(fabs(em.pd[1].opp[0].power_mw - derived_mw(1, 400, 0.7)) < 1e-6);
	assert_true(fabs(em.pd[0].opp[2].power_mw - derived_mw(ipc, 1200, 0.95)) < 1e-6);
	assert_int_equal(em.pd[0].opp[4].capacity, 485);
	assert_int_equal(em.pd[0].opp[0].capacity, 97);
	/*
	 * Light work costs less on a little CPU: up to 80% of its capacity
	 * (its four lower OPPs), its cheapest OPP with the capacity costs less
	 * per unit of work than the big's. At its top OPP (1.2 V) it is on a
	 * par with a big CPU at 40%, as real little cores at full speed are.
	 */
	for (unsigned w = 1; w <= em.pd[0].opp[3].capacity; w++) {
		const struct jpower_opp *lo = NULL, *bo = NULL;

		for (int i = 4; i >= 0; i--) {
			if (em.pd[0].opp[i].capacity >= w)
				lo = &em.pd[0].opp[i];
			if (em.pd[1].opp[i].capacity >= w)
				bo = &em.pd[1].opp[i];
		}
		assert_true(lo->power_mw / lo->capacity < bo->power_mw / bo->capacity);
	}
}

/*
 * ---- AMD Zen 4 + Zen 4c: amd-pstate's figures, CPPC's ranking or not ----
 * CPPC's highest_perf holds the preferred-core ranking (236..156), which
 * would split the Zen 4c cores into kinds of their own; amd-pstate's
 * amd_pstate_highest_perf (196 / 148) is the capacity, with CPPC or without.
 */
static void check_amd(void)
{
	assert_int_equal(topo.nr_cpus, 12);
	assert_int_equal(topo.cap_source, JTOPO_CAP_AMD_PSTATE);
	assert_string_equal(topo.cpu_vendor, "AuthenticAMD");
	assert_int_equal(topo.nr_kinds, 2);
	assert_kind(0, "little", "4-11", 773); /* 1024 * 148 / 196 */
	assert_kind(1, "big", "0-3", 1024);
	assert_int_equal(topo.nr_cores, 6);
	for (int c = 0; c < 12; c++)
		assert_int_equal(topo.cpu[c].sibling, c ^ 1);
	assert_int_equal(cf.nr_policies, 12);
	assert_string_equal(cf.policy[5].driver, "amd-pstate-epp");
	assert_int_equal(em.nr_pds, 2);
	assert_pd(0, "little", "4-11", 34, 400000, 3700000);
	assert_pd(1, "big", "0-3", 46, 400000, 4900000);
}

static void test_amd(void **state)
{
	(void)state;
	load("amd-phoenix2");
	check_amd();
	load("amd-phoenix2-no-cppc");
	check_amd();
}

/*
 * ---- Ryzen 9 7950X: one kind, whatever the preferred-core ranking -------
 * Its CPPC highest_perf runs 166..236 over cores of one top frequency:
 * taken as capacities they made four kinds (781..1024). amd-pstate gives
 * every core 166; with acpi-cpufreq, CPPC alone is left and is not read on
 * an AMD CPU.
 */
static void check_ryzen_one_kind(enum jtopo_cap_source source)
{
	assert_int_equal(topo.nr_cpus, 32);
	assert_string_equal(topo.cpu_vendor, "AuthenticAMD");
	assert_int_equal(topo.cap_source, source);
	assert_int_equal(topo.nr_kinds, 1);
	assert_kind(0, "cpu", "0-31", 1024);
	for (int c = 0; c < 32; c++)
		assert_int_equal(topo.cpu[c].capacity, 1024);
	assert_int_equal(topo.nr_llcs, 2);
	assert_int_not_equal(topo.cpu[0].llc, topo.cpu[8].llc);
	assert_int_equal(em.nr_pds, 1);
}

static void test_amd_ryzen_ranking(void **state)
{
	(void)state;
	load("amd-ryzen-7950x");
	check_ryzen_one_kind(JTOPO_CAP_AMD_PSTATE);
	load("amd-ryzen-7950x-acpi-cpufreq");
	check_ryzen_one_kind(JTOPO_CAP_HOMOGENEOUS);
}

/* ---- homogeneous two-node NUMA server ----------------------------------- */

static void test_numa_server(void **state)
{
	(void)state;
	load("numa-server");
	assert_int_equal(topo.nr_cpus, 32);
	assert_int_equal(topo.nr_kinds, 1);
	assert_int_equal(topo.cap_source, JTOPO_CAP_HOMOGENEOUS);
	assert_kind(0, "cpu", "0-31", 1024);
	assert_int_equal(topo.nr_packages, 2);
	assert_int_equal(topo.nr_numa, 2);
	assert_int_equal(topo.nr_llcs, 2);
	assert_int_equal(topo.nr_cores, 16);
	assert_int_equal(topo.nr_warnings, 0);
	for (int c = 0; c < 32; c++) {
		int node = (c / 8) % 2;

		assert_int_equal(topo.cpu[c].sibling, c < 16 ? c + 16 : c - 16);
		assert_int_equal(topo.cpu[c].numa, node);
		assert_int_equal(topo.cpu[c].package, node);
		assert_int_equal(topo.cpu[c].llc, node);
	}
	/* acpi-cpufreq lists frequencies highest first; stored ascending */
	assert_int_equal(cf.policy[0].nr_freqs, 9);
	assert_int_equal(cf.policy[0].freq_khz[0], 800000);
	assert_int_equal(cf.policy[0].freq_khz[8], 2101000);
	assert_int_equal(em.nr_pds, 1);
	assert_pd(0, "cpu", "0-31", 9, 800000, 2101000);
}

/* ---- every good fixture's hwloc XML export gives the same structure ----- */

static void test_xml_matches_root(void **state)
{
	static const char *const names[] = {"arm-board-rk3399", "arm-phone-tri", "intel-adl-laptop",
					    "intel-mtl-laptop", "amd-phoenix2",	 "numa-server"};
	static struct jtopo from_root;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (load_as(names[i], false))
			fail_msg("%s: %s", names[i], err);
		from_root = topo;
		if (load_as(names[i], true))
			fail_msg("%s.xml: %s", names[i], err);
		assert_int_equal(topo.nr_cpus, from_root.nr_cpus);
		assert_int_equal(topo.nr_kinds, from_root.nr_kinds);
		assert_int_equal(topo.nr_cores, from_root.nr_cores);
		assert_int_equal(topo.nr_clusters, from_root.nr_clusters);
		assert_int_equal(topo.nr_llcs, from_root.nr_llcs);
		assert_int_equal(topo.nr_numa, from_root.nr_numa);
		for (int c = 0; c < topo.nr_cpus; c++) {
			assert_int_equal(topo.cpu[c].kind, from_root.cpu[c].kind);
			assert_int_equal(topo.cpu[c].sibling, from_root.cpu[c].sibling);
			assert_int_equal(topo.cpu[c].cluster, from_root.cpu[c].cluster);
			assert_int_equal(topo.cpu[c].llc, from_root.cpu[c].llc);
		}
	}
}

/*
 * The Alder Lake laptop's XML alone: no CPPC, no LinuxCapacity, only each
 * kind's FrequencyMaxMHz. An E-core's clock does 0.787 of a P-core's work
 * (intel_pstate's scaling), so its capacity is CPPC's 604, not 3600/4800
 * of 1024 (768), and the derived model prices its clock below a P-core's.
 */
static void test_intel_xml_alone(void **state)
{
	char xml[512];
	struct jtopo_input in = {0};

	(void)state;
	snprintf(xml, sizeof(xml), "%s/intel-adl-laptop.xml", FIXTURES_DIR);
	in.xml = xml;
	if (jtopo_load(&topo, &in, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(topo.cap_source, JTOPO_CAP_HWLOC_KIND);
	assert_kind(0, "little", "12-19", 604); /* 1024 * 3600 * 0.787 / 4800 */
	assert_kind(1, "big", "0-11", 1024);
}

/* ---- this machine: hwloc on /sys, cpufreq through libcpupower ----------- */

static void test_this_machine(void **state)
{
	struct jtopo_input in = {0};
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	(void)state;
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	assert_string_equal(topo.origin, "this machine");
	assert_int_equal(topo.nr_online, n);
	assert_int_equal(jpower_model_build(&em, &cf, &topo, NULL, NULL, err, sizeof(err)), 0);
	assert_true(cf.via_libcpupower);
	if (access("/sys/devices/system/cpu/cpu0/cpufreq", F_OK)) {
		/* the CI machines: no cpufreq, so no operating points and no model */
		assert_int_equal(cf.nr_policies, 0);
		assert_int_equal(em.source, JPOWER_EM_NONE);
	} else {
		assert_true(cf.nr_policies > 0);
		assert_true(cf.policy[0].max_khz >= cf.policy[0].min_khz);
	}
}

/* ---- bad recordings ---------------------------------------------------- */

static void expect_error(const char *name, const char *message)
{
	int ret = load_as(name, false);

	if (ret == 0 || !strstr(err, message))
		fail_msg("%s: ret %d, error '%s', expected '%s'", name, ret, err, message);
}

static void test_bad_missing_capacity(void **state)
{
	(void)state;
	expect_error("bad-missing-capacity", "/sys/devices/system/cpu/cpu3/cpu_capacity: missing");
}

static void test_bad_freq_order(void **state)
{
	(void)state;
	expect_error("bad-freq-order",
		     "/sys/devices/system/cpu/cpu4/cpufreq/scaling_available_frequencies: not "
		     "monotonic");
}

static void test_bad_absurd_capacity(void **state)
{
	(void)state;
	expect_error("bad-absurd-capacity",
		     "/sys/devices/system/cpu/cpu5/cpu_capacity: value out of range (expected "
		     "1..1024)");
}

static void test_bad_em_empty(void **state)
{
	(void)state;
	/*
	 * The kernel's model is refused, and the machine is modelled from
	 * cpufreq instead, with a warning naming the domain: not a homogeneous
	 * machine (the live loader's fallback for a model it cannot build).
	 */
	assert_int_equal(load_with("bad-em-empty", false, NULL), 0);
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	assert_int_equal(em.nr_pds, 3);
	assert_non_null(strstr(em.warning, "energy_model/cpu4: no performance states"));
	assert_non_null(strstr(em.why, "no usable kernel model"));
	load("arm-phone-partial-em");
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	assert_int_equal(em.nr_pds, 3);
	assert_non_null(strstr(em.warning, "online CPU 4 is in no performance domain"));
	load("arm-phone-tri");
	assert_string_equal(em.warning, "");
}

static void test_bad_missing_topology(void **state)
{
	(void)state;
	expect_error("bad-missing-topology", "CPU 3 is online but has no topology (missing "
					     "/sys/devices/system/cpu/cpu3/topology?)");
}

/*
 * A CPU offline in the recording is left out, not an error. A model file
 * written then lists it with the CPU it is like (its cpufreq policy's CPU
 * 4), so that the file still loads once it is online.
 */
static void test_offline_cpu(void **state)
{
	char path[] = "/tmp/joule-em-XXXXXX";

	(void)state;
	load("offline-cpu");
	assert_int_equal(topo.nr_cpus, 6);
	assert_int_equal(topo.nr_online, 5);
	assert_false(topo.cpu[5].online);
	assert_kind(1, "big", "4", 1024);
	assert_cpus(&em.pd[1].cpus, "4");
	write_model_file(path);
	assert_int_equal(load_with("arm-board-rk3399", false, path), 0);
	assert_int_equal(em.source, JPOWER_EM_FILE);
	assert_cpus(&em.pd[1].cpus, "4-5");
	unlink(path);
}

/* A warning of the model holding text, or NULL. */
static const char *warned(const char *text)
{
	for (int i = 0; i < topo.nr_warnings; i++)
		if (strstr(topo.warning[i], text))
			return topo.warning[i];
	return NULL;
}

/*
 * A capacity file that cannot be read (CPPC's highest_perf fails with EIO
 * where firmware fails the register read; here a link loop, ELOOP) says
 * nothing of the machine: the next source decides, with a warning naming
 * it, where the model was refused ("not a number"). An empty file is still
 * malformed.
 */
static void test_unreadable_capacity_file(void **state)
{
	char tmp[] = "/tmp/joule-cppc-XXXXXX", cmd[1024], path[512];
	struct jtopo_input in = {0};
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "cp -r '%s/intel-adl-laptop/.' '%s'", FIXTURES_DIR, tmp);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu13/acpi_cppc/highest_perf", tmp);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("highest_perf", path), 0);
	in.root = tmp;
	if (jtopo_load(&topo, &in, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(topo.cap_source, JTOPO_CAP_HWLOC_KIND);
	assert_non_null(warned("cpu13/acpi_cppc/highest_perf: Too many levels of symbolic links"));
	assert_kind(0, "little", "12-19", 604); /* the hwloc kinds' MHz, Intel's E-core factor */

	assert_int_equal(unlink(path), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	assert_int_not_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "cpu13/acpi_cppc/highest_perf: not a number"));
	/* what is no file says so, not "not a number" */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_not_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	if (!strstr(err, "cpu13/acpi_cppc/highest_perf: Is a directory (expected 1.."))
		fail_msg("error: '%s'", err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

/* Did the model warn that hwloc's kinds were made again? */
static bool kinds_made_again(void)
{
	return warned("misread past offline CPUs") != NULL;
}

/*
 * A CPU offline below online ones: hwloc read each later CPU's
 * cpu_capacity from another's file (by rank, not number) and split its
 * kinds along those. The kinds come from the capacities read by number.
 */
static void test_offline_below_online(void **state)
{
	(void)state;
	load("offline-little"); /* hwloc: little 2, mid1 0,3, mid2 5, big 4 */
	assert_int_equal(topo.nr_kinds, 2);
	assert_kind(0, "little", "0,2-3", 381);
	assert_kind(1, "big", "4-5", 1024);
	assert_int_equal(topo.kind[1].max_mhz, 1800);
	assert_true(kinds_made_again());
	assert_int_equal(em.nr_pds, 2);

	load("pi-offline"); /* hwloc: little 2, big 0,3 */
	assert_int_equal(topo.nr_kinds, 1);
	assert_kind(0, "cpu", "0,2-3", 1024);

	load("intel-mtl-nosmt"); /* hwloc: six kinds, P- and E-cores split */
	assert_int_equal(topo.nr_kinds, 3);
	assert_kind(0, "little", "20-21", 426);
	assert_kind(1, "mid", "12-19", 648);
	assert_kind(2, "big", "0,2,4,6,8,10", 1024);
	assert_string_equal(topo.kind[0].core_type, "IntelAtom");
	assert_string_equal(topo.kind[2].core_type, "IntelCore");
	assert_int_equal(topo.kind[2].max_mhz, 4800);

	load("virt-offline"); /* hwloc left CPU 2 in no kind: refused */
	assert_int_equal(topo.nr_kinds, 2);
	assert_kind(0, "little", "0,2-3", 485);
	assert_kind(1, "big", "4-5", 1024);

	/* a hole above the online CPUs shifts nothing: hwloc's kinds stand */
	load("offline-cpu");
	assert_false(kinds_made_again());
	assert_int_equal(topo.kind[1].hwloc_efficiency, 1);
}

/*
 * Both big CPUs offline: cpu_capacity is on the kernel's scale already
 * (normalised over every CPU, online or not), so the A53s stay 381.
 */
static void test_offline_big(void **state)
{
	char path[] = "/tmp/joule-em-XXXXXX";

	(void)state;
	load("offline-big");
	assert_int_equal(topo.nr_online, 4);
	assert_int_equal(topo.cap_source, JTOPO_CAP_SYSFS);
	for (int c = 0; c < 4; c++)
		assert_int_equal(topo.cpu[c].capacity, 381);
	/*
	 * The A53s' work per clock is still 381/1024 of a 1024 CPU's while
	 * they are the biggest online: at 1416 MHz 436 * 0.372^2 * 1416 *
	 * 1.2^2 uW (the voltage line now ends at their top), not the A72's
	 * coefficient (889 mW).
	 */
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	assert_int_equal(em.nr_pds, 1);
	assert_true(fabs(em.pd[0].opp[5].power_mw -
			 436 * pow(381 / 1024.0, 2) * 1416 * 1.2 * 1.2 / 1000) < 1e-3);
	/*
	 * The A72s are only guessed like CPU 3 (nothing of them is left): a
	 * model file leaves them out, and fails loudly on the whole board
	 * rather than putting them in the A53s' domain.
	 */
	assert_int_equal(topo.cpu[4].like_source, JTOPO_LIKE_NEAREST);
	write_model_file(path);
	assert_int_not_equal(load_with("arm-board-rk3399", false, path), 0);
	assert_non_null(strstr(err, "online CPU 4 is in no performance domain"));
	unlink(path);
}

/* A private copy of fixture name in tmp (a mkdtemp template). */
static void copy_fixture(const char *name, char *tmp)
{
	char cmd[1024];

	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "cp -r '%s/%s/.' '%s'", FIXTURES_DIR, name, tmp);
	assert_int_equal(system(cmd), 0);
}

static void drop_copy(const char *tmp)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

/* rel (below tmp) replaced by a file holding text, or by a directory when text is NULL. */
static void replace(const char *tmp, const char *rel, const char *text)
{
	char path[512], cmd[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
	if (!text) {
		assert_int_equal(mkdir(path, 0755), 0);
		return;
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int load_root(const char *root)
{
	struct jtopo_input in = {.root = root};
	int ret;

	err[0] = '\0';
	ret = jtopo_load(&topo, &in, err, sizeof(err));
	if (!ret)
		ret = jpower_model_build(&em, &cf, &topo, root, NULL, err, sizeof(err));
	return ret;
}

#define PHONE_EM "sys/kernel/debug/energy_model/"

/*
 * The kernel's performance (capacity at a state) is taken only when the
 * file holds a number: "512x" once read as 512, the little cluster's
 * lowest state then 512 where its top is 160. One that falls as the
 * frequency rises refuses the kernel's model, naming its directory.
 */
static void test_phone_em_bad_performance(void **state)
{
	char tmp[] = "/tmp/joule-em-perf-XXXXXX";

	(void)state;
	copy_fixture("arm-phone-tri", tmp);
	replace(tmp, PHONE_EM "cpu0/ps:300000/performance", "512x\n");
	if (load_root(tmp))
		fail_msg("%s", err);
	assert_int_equal(em.source, JPOWER_EM_DEBUGFS);
	/* from the frequency instead: 160 * 300000 / 1803000 */
	assert_int_equal(em.pd[0].opp[0].capacity, 26);

	replace(tmp, PHONE_EM "cpu0/ps:300000/performance", "200\n");
	if (load_root(tmp))
		fail_msg("%s", err);
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	if (!strstr(em.warning, "/" PHONE_EM "cpu0: performance falls as frequency rises (200 "
				"at 300000 kHz, 50 at 574000 kHz)"))
		fail_msg("warning: '%s'", em.warning);
	drop_copy(tmp);
}

/*
 * Only a domain without a cpus file is another device's (a GPU's): an
 * empty one, or a directory there, is a broken model, said with its path,
 * not a domain silently dropped.
 */
static void test_phone_em_bad_cpus_file(void **state)
{
	char tmp[] = "/tmp/joule-em-cpus-XXXXXX", path[512];

	(void)state;
	copy_fixture("arm-phone-tri", tmp);
	replace(tmp, PHONE_EM "cpu4/cpus", "");
	if (load_root(tmp))
		fail_msg("%s", err);
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	if (!strstr(em.warning, "/" PHONE_EM "cpu4/cpus: empty, not a list of CPUs"))
		fail_msg("warning: '%s'", em.warning);

	replace(tmp, PHONE_EM "cpu4/cpus", NULL);
	if (load_root(tmp))
		fail_msg("%s", err);
	if (!strstr(em.warning, "/" PHONE_EM "cpu4/cpus: Is a directory"))
		fail_msg("warning: '%s'", em.warning);

	/* no cpus file at all: another device's model, left out */
	snprintf(path, sizeof(path), "%s/" PHONE_EM "cpu4/cpus", tmp);
	assert_int_equal(rmdir(path), 0);
	if (load_root(tmp))
		fail_msg("%s", err);
	assert_int_equal(em.source, JPOWER_EM_DERIVED);
	assert_non_null(strstr(em.warning, "online CPU 4 is in no performance domain"));
	drop_copy(tmp);
}

/* The cpufreq limit that is wrong is named, not "cpuinfo_{min,max}_freq". */
static void test_cpufreq_limit_named(void **state)
{
	char tmp[] = "/tmp/joule-cpufreq-XXXXXX";

	(void)state;
	copy_fixture("arm-board-rk3399", tmp);
	replace(tmp, "sys/devices/system/cpu/cpufreq/policy4/cpuinfo_max_freq", "fast\n");
	assert_int_not_equal(load_root(tmp), 0);
	if (!strstr(err, "/sys/devices/system/cpu/cpu4/cpufreq/cpuinfo_max_freq: not a number"))
		fail_msg("error: '%s'", err);
	replace(tmp, "sys/devices/system/cpu/cpufreq/policy4/cpuinfo_max_freq", NULL);
	assert_int_not_equal(load_root(tmp), 0);
	if (!strstr(err, "/cpu4/cpufreq/cpuinfo_max_freq: Is a directory"))
		fail_msg("error: '%s'", err);
	drop_copy(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rk3399),
		cmocka_unit_test(test_rk3399_xml),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_phone_abstract_scale),
		cmocka_unit_test(test_phone_em_file_wins),
		cmocka_unit_test(test_intel_laptop),
		cmocka_unit_test(test_intel_arl),
		cmocka_unit_test(test_intel_mtl),
		cmocka_unit_test(test_arm_no_cpufreq),
		cmocka_unit_test(test_intel_hybrid_32),
		cmocka_unit_test(test_amd),
		cmocka_unit_test(test_amd_ryzen_ranking),
		cmocka_unit_test(test_numa_server),
		cmocka_unit_test(test_xml_matches_root),
		cmocka_unit_test(test_intel_xml_alone),
		cmocka_unit_test(test_this_machine),
		cmocka_unit_test(test_offline_cpu),
		cmocka_unit_test(test_offline_below_online),
		cmocka_unit_test(test_unreadable_capacity_file),
		cmocka_unit_test(test_offline_big),
		cmocka_unit_test(test_bad_missing_capacity),
		cmocka_unit_test(test_bad_freq_order),
		cmocka_unit_test(test_bad_absurd_capacity),
		cmocka_unit_test(test_bad_em_empty),
		cmocka_unit_test(test_bad_missing_topology),
		cmocka_unit_test(test_phone_em_bad_performance),
		cmocka_unit_test(test_phone_em_bad_cpus_file),
		cmocka_unit_test(test_cpufreq_limit_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
