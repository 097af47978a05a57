// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF tables the loader builds from a recorded machine's model
 * (joule_machine_from_model): per-CPU capacity, kind, domain, cluster and
 * sibling; per domain the operating points the policy holds (at most
 * JP_MAX_OPPS, efficient ones, top kept) with policy.h's cost; full entries
 * for CPUs offline in the model; and the refusal of a model that does not
 * describe every CPU of this machine; a 512-CPU machine with domains of 256
 * CPUs (the CPU ceiling is the build's max_cpus), also from one cpufreq
 * policy of all 512, and the one message for a machine beyond it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "jpower.h"
#include "jtopo.h"
#include "machine.h"
#include "soc.h"

static struct jtopo topo;
static struct jpower_cpufreq cf;
static struct jpower_model em;
static struct joule_machine m;
static char err[512];

static void load_from(const char *dir, const char *name)
{
	char root[512];
	struct jtopo_input in = {.root = root};

	snprintf(root, sizeof(root), "%s/%s", dir, name);
	if (jtopo_load(&topo, &in, err, sizeof(err)) ||
	    jpower_model_build(&em, &cf, &topo, root, NULL, err, sizeof(err)))
		fail_msg("%s: %s", name, err);
}

static void load(const char *name)
{
	load_from(FIXTURES_DIR, name);
}

static void test_phone_tables(void **state)
{
	const struct jp_pd *big;

	(void)state;
	load("arm-phone-tri");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 8, err, sizeof(err)), 0);
	assert_int_equal(m.tables.nr_cpus, 8);
	assert_int_equal(m.tables.nr_pds, 3);
	assert_int_equal(m.tables.max_capacity, 1024);
	assert_int_equal(m.tables.cpu[0].kind, JP_KIND_LITTLE);
	assert_int_equal(m.tables.cpu[4].kind, JP_KIND_MEDIUM);
	assert_int_equal(m.tables.cpu[7].kind, JP_KIND_BIG);
	assert_int_equal(m.tables.cpu[5].capacity, 498);
	assert_int_equal(m.tables.cpu[5].pd, 1);
	assert_int_equal(m.tables.cpu[6].sibling, JP_NO_SIBLING);
	assert_true(m.has_energy_model);
	assert_string_equal(m.kind_name[1], "mid");
	/* the X1 domain has 17 OPPs: thinned to 16, the lowest and the top kept */
	big = &m.tables.pd[2];
	assert_int_equal(big->nr_cpus, 2);
	assert_int_equal(big->cpus[0], 6);
	assert_int_equal(big->nr_opps, JP_MAX_OPPS);
	assert_int_equal(big->opps[0].capacity, em.pd[2].opp[0].capacity);
	assert_int_equal(big->opps[JP_MAX_OPPS - 1].capacity, 1024);
	assert_int_equal(big->max_capacity, 1024);
	/* cost = power in uW * max capacity / capacity: 2007983 at the top */
	assert_int_equal(big->opps[JP_MAX_OPPS - 1].cost, 2007983);
	assert_int_equal(big->opps[0].cost, (uint32_t)(117000.0 * 1024 / em.pd[2].opp[0].capacity));
	for (int i = 1; i < JP_MAX_OPPS; i++)
		assert_true(big->opps[i].capacity > big->opps[i - 1].capacity);
	/* the stats' power table follows the same OPPs */
	assert_int_equal(m.power[6].nr_opps, JP_MAX_OPPS);
	assert_true(m.power[6].busy_mw[JP_MAX_OPPS - 1] > 2007.9);
}

/*
 * Arrow Lake's 24 per-CPU kernel domains become 3 table domains (they were
 * refused: more than 16). The artificial model's lower states cost as much
 * per unit of work or more, so only efficient ones reach the tables, and
 * the E-cores' cost per unit of work is below the P-cores'.
 */
static void test_intel_arl_tables(void **state)
{
	const struct jp_pd *p, *e;

	(void)state;
	load("intel-arl-desktop");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 24, err, sizeof(err)), 0);
	assert_int_equal(m.tables.nr_pds, 3);
	assert_int_equal(m.tables.cpu[0].pd, m.tables.cpu[7].pd);
	assert_int_equal(m.tables.cpu[2].pd, m.tables.cpu[5].pd);
	assert_int_not_equal(m.tables.cpu[0].pd, m.tables.cpu[2].pd);
	assert_int_equal(m.tables.cpu[8].pd, m.tables.cpu[23].pd);
	assert_int_equal(m.tables.cpu[8].kind, JP_KIND_LITTLE);
	assert_int_equal(m.tables.cpu[2].kind, JP_KIND_BIG);
	p = &m.tables.pd[m.tables.cpu[0].pd];
	e = &m.tables.pd[m.tables.cpu[8].pd];
	assert_int_equal(p->nr_cpus, 6);
	assert_int_equal(e->nr_cpus, 16);
	/*
	 * A cluster per L2 (each P-core, each E-core module), all in one LLC: the
	 * clusters nest, so every domain's CPUs rank alike for latency-first
	 * placement (jp_pds_rank_alike), though no domain has one cluster.
	 */
	assert_true(jp_clusters_nest(&m.tables));
	assert_int_equal(jp_pds_rank_alike(&m.tables) & 7, 7);
	assert_int_not_equal(m.tables.cpu[8].cluster, m.tables.cpu[12].cluster);
	/* placement uses the costs, but the stats estimate no energy in no unit */
	assert_true(m.has_energy_model);
	assert_null(m.view.power);
	assert_int_equal(e->max_capacity, 736);
	/* policy.h's cost at the top: power (uW) * max capacity / capacity = power */
	assert_int_equal(e->opps[e->nr_opps - 1].cost, 107 * 736 / 10);
	assert_int_equal(p->opps[p->nr_opps - 1].cost, 122 * 1008 / 10);
	/* energy of the same work (cost / max capacity): cheaper on an E-core */
	assert_true((double)e->opps[e->nr_opps - 1].cost / e->max_capacity <
		    (double)p->opps[p->nr_opps - 1].cost / p->max_capacity);
}

/*
 * Meteor Lake: the two kinds of Crestmont E-core (one core type) are two
 * table domains, and the SoC tile's pair is an LLC of its own, so
 * latency-first placement ranks it apart from the compute tile's CPUs.
 */
static void test_intel_mtl_tables(void **state)
{
	const struct jp_pd *lp, *e, *p;

	(void)state;
	load("intel-mtl-laptop");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 22, err, sizeof(err)), 0);
	assert_int_equal(m.tables.nr_pds, 3);
	assert_int_equal(m.tables.cpu[20].kind, JP_KIND_LITTLE);
	assert_int_equal(m.tables.cpu[12].kind, JP_KIND_MEDIUM);
	assert_int_equal(m.tables.cpu[0].kind, JP_KIND_BIG);
	assert_int_equal(m.tables.cpu[21].capacity, 426);
	assert_int_equal(m.tables.cpu[19].capacity, 648);
	assert_int_equal(m.tables.cpu[20].pd, m.tables.cpu[21].pd);
	assert_int_not_equal(m.tables.cpu[20].pd, m.tables.cpu[12].pd);
	assert_int_equal(m.tables.cpu[0].llc, m.tables.cpu[19].llc);
	assert_int_not_equal(m.tables.cpu[20].llc, m.tables.cpu[19].llc);
	assert_int_equal(m.tables.cpu[0].sibling, 1);
	assert_int_equal(m.tables.cpu[20].sibling, JP_NO_SIBLING);
	assert_true(jp_clusters_nest(&m.tables));
	lp = &m.tables.pd[m.tables.cpu[20].pd];
	e = &m.tables.pd[m.tables.cpu[12].pd];
	p = &m.tables.pd[m.tables.cpu[0].pd];
	assert_int_equal(lp->nr_cpus, 2);
	assert_int_equal(e->nr_cpus, 8);
	assert_int_equal(p->nr_cpus, 12);
	assert_int_equal(lp->max_capacity, 426);
	assert_int_equal(e->max_capacity, 648);
	/* the derived model's energy of the same work at each kind's top: P dearest */
	assert_true((double)lp->opps[lp->nr_opps - 1].cost / lp->max_capacity <
		    (double)e->opps[e->nr_opps - 1].cost / e->max_capacity);
	assert_true((double)e->opps[e->nr_opps - 1].cost / e->max_capacity <
		    (double)p->opps[p->nr_opps - 1].cost / p->max_capacity);
}

/*
 * Meteor Lake: light work waking on an E-core, with one CPU of the pair off
 * the L3 busy. The pair must then run faster than the idle E-cores would,
 * and without the derived model's 2/3 for CPUs off the L3 the same Crestmont
 * core costs more there (the E-core keeps it); with it, the idle CPU of the
 * pair is cheaper. Work that does not fit the pair stays on the E-cores.
 */
static void test_intel_mtl_light_off_l3(void **state)
{
	static struct jp_cpu_state cs[JP_MAX_CPUS];
	struct jp_profile prof;
	struct jp_wake w;

	(void)state;
	load("intel-mtl-laptop");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 22, err, sizeof(err)), 0);
	jp_profile_init(&prof, JOULE_PROFILE_BALANCED);
	memset(&w, 0, sizeof(w));
	for (u32 c = 0; c < 22; c++) {
		jp_mask_set(&w.allowed, c);
		jp_mask_set(&w.idle, c);
	}
	w.prev_cpu = 12;
	w.task_util = 100;
	cs[20].util_runnable = 150;
	jp_mask_clear(&w.idle, 20);
	assert_int_equal(jp_select_cpu_energy(&m.tables, cs, NULL, &prof, &w), 21);
	w.task_util = 400; /* beyond what the pair takes with the profile's headroom */
	assert_in_range(jp_select_cpu_energy(&m.tables, cs, NULL, &prof, &w), 12, 19);
}

/* 32 CPUs with 20 distinct kernel domains fit the tables' 16. */
static void test_hybrid_32_tables(void **state)
{
	(void)state;
	load("intel-hybrid-32");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 32, err, sizeof(err)), 0);
	assert_int_equal(m.tables.nr_pds, JP_MAX_PDS);
	for (int c = 0; c < 32; c++) {
		const struct jp_pd *d = &m.tables.pd[m.tables.cpu[c].pd];
		bool found = false;

		for (unsigned i = 0; i < d->nr_cpus; i++)
			found |= d->cpus[i] == c;
		assert_true(found);
		assert_true(d->max_capacity >= m.tables.cpu[c].capacity);
	}
}

/* Two kinds, no cpufreq: the estimated model reaches the tables, cheaper little CPUs. */
static void test_no_cpufreq_hybrid_tables(void **state)
{
	const struct jp_pd *little, *big;

	(void)state;
	load("arm-virt-no-cpufreq");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 6, err, sizeof(err)), 0);
	assert_true(m.has_energy_model);
	little = &m.tables.pd[m.tables.cpu[0].pd];
	big = &m.tables.pd[m.tables.cpu[4].pd];
	assert_true(little->nr_opps >= 3);
	assert_true(big->nr_opps >= 3);
	/* not the cost 1 of every domain a model-less machine gets */
	assert_true(little->opps[0].cost > 1);
	assert_true((double)little->opps[0].cost / little->max_capacity <
		    (double)big->opps[0].cost / big->max_capacity);
}

/* One kind, no cpufreq: a single OPP per domain, no energy estimate. */
static void test_this_machine_tables(void **state)
{
	struct jtopo_input in = {0};

	(void)state;
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	assert_int_equal(jpower_model_build(&em, &cf, &topo, NULL, NULL, err, sizeof(err)), 0);
	if (cf.nr_policies)
		skip(); /* a machine with cpufreq: covered by the fixtures */
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, topo.nr_cpus, err, sizeof(err)),
			 0);
	assert_false(m.has_energy_model);
	assert_int_equal(m.tables.pd[0].nr_opps, 1);
	assert_int_equal(m.tables.cpu[0].kind, JP_KIND_BIG);
	assert_null(m.view.power);
}

/* A recorded machine must describe every CPU of this one, online or not. */
static void test_cpu_count_mismatch(void **state)
{
	(void)state;
	load("arm-board-rk3399");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 4, err, sizeof(err)), -EINVAL);
	assert_true(strstr(err, "has 6 CPUs; this machine has 4"));
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 8, err, sizeof(err)), -EINVAL);
	assert_true(strstr(err, "CPU 6 exists here but the model"));
	assert_true(strstr(err, "describes CPUs 0-5"));
}

/*
 * CPU 5 of the board is offline in the recording (no topology/, cache/ or
 * cpu_capacity; its cpufreq policy still lists it). It gets the entry of
 * the big CPU of its policy: capacity 1024, big, the big domain, CPU 4's
 * cluster and LLC, and that domain's power table. Before, it had capacity
 * 0 and domain 0, so every task there looked misfit once it came online.
 */
static void test_offline_cpu_entry(void **state)
{
	const struct jp_cpu_info *c4 = &m.tables.cpu[4], *c5 = &m.tables.cpu[5];
	const struct jp_pd *big;

	(void)state;
	load("offline-cpu");
	assert_int_equal(topo.cpu[5].like_source, JTOPO_LIKE_CPUFREQ);
	assert_int_equal(topo.cpu[5].like, 4);
	assert_false(topo.cpu[5].own_capacity);
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 6, err, sizeof(err)), 0);
	assert_int_equal(c5->capacity, 1024);
	assert_int_equal(c5->kind, JP_KIND_BIG);
	assert_int_equal(c5->pd, c4->pd);
	assert_int_not_equal(c5->pd, m.tables.cpu[0].pd);
	assert_int_equal(c5->cluster, c4->cluster);
	assert_int_equal(c5->llc, c4->llc);
	assert_int_equal(c5->sibling, JP_NO_SIBLING);
	big = &m.tables.pd[c5->pd];
	assert_int_equal(big->nr_cpus, 2);
	assert_int_equal(big->cpus[0], 4);
	assert_int_equal(big->cpus[1], 5);
	assert_int_equal(m.power[5].nr_opps, m.power[4].nr_opps);
	assert_true(m.power[5].idle_mw == m.power[4].idle_mw);
	/* the little domain is unchanged */
	assert_int_equal(m.tables.pd[m.tables.cpu[0].pd].nr_cpus, 4);
	assert_int_equal(m.tables.cpu[0].capacity, 381);
	assert_int_equal(m.cpu_kind[5], m.cpu_kind[4]);
	/* its policy says what it is: nothing to read again when it comes online */
	for (int c = 0; c < 6; c++)
		assert_int_equal(m.tables.cpu[c].flags, 0);
}

/*
 * The same board from its hwloc XML export alone: no sysfs says anything
 * about the offline CPU 5, so it is taken to be like the nearest CPU by
 * number (4), and the model warns that it guessed. The tables mark it, so
 * that the scheduler has the model read again once it comes online.
 */
static void test_offline_cpu_guessed(void **state)
{
	char xml[512];
	struct jtopo_input in = {.xml = xml};
	bool warned = false;

	(void)state;
	snprintf(xml, sizeof(xml), "%s/offline-cpu.xml", FIXTURES_DIR);
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	assert_int_equal(jpower_model_build(&em, &cf, &topo, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(topo.nr_cpus, 6);
	assert_int_equal(topo.cpu[5].like_source, JTOPO_LIKE_NEAREST);
	assert_int_equal(topo.cpu[5].like, 4);
	for (int i = 0; i < topo.nr_warnings; i++)
		warned |= strstr(topo.warning[i], "offline CPUs 5: nothing known") != NULL;
	assert_true(warned);
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 6, err, sizeof(err)), 0);
	assert_int_equal(m.tables.cpu[5].capacity, m.tables.cpu[4].capacity);
	assert_int_equal(m.tables.cpu[5].pd, m.tables.cpu[4].pd);
	assert_int_equal(m.tables.cpu[5].kind, m.tables.cpu[4].kind);
	assert_int_equal(m.tables.cpu[5].flags, JP_CPU_GUESSED);
	for (int c = 0; c < 5; c++)
		assert_int_equal(m.tables.cpu[c].flags, 0);
}

/* ---- broken inputs: a copy of a fixture, changed by a shell command ------ */

static char tmp[64];

/* A copy of fixture name in tmp/root (or, xml, its XML in tmp/in.xml), changed by cmd there. */
static const char *changed_copy(const char *name, bool xml, const char *cmd)
{
	static char path[128];
	char sh[2048];

	snprintf(tmp, sizeof(tmp), "/tmp/joule-machine-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	if (xml) {
		snprintf(path, sizeof(path), "%s/in.xml", tmp);
		snprintf(sh, sizeof(sh), "cp '%s/%s.xml' '%s' && cd '%s' && %s", FIXTURES_DIR, name,
			 path, tmp, cmd);
	} else {
		snprintf(path, sizeof(path), "%s/root", tmp);
		snprintf(sh, sizeof(sh), "cp -a '%s/%s' '%s' && cd '%s' && %s", FIXTURES_DIR, name,
			 path, path, cmd);
	}
	assert_int_equal(system(sh), 0);
	return path;
}

static void remove_copy(void)
{
	char sh[128];

	snprintf(sh, sizeof(sh), "rm -rf '%s'", tmp);
	assert_int_equal(system(sh), 0);
}

/*
 * 32 CPUs of 32 CPPC capacities 10% or more apart make more than 8
 * capacity groups. The CPUs past the eighth group, the most capable, were
 * in no kind: kind little with capacity 1024 and, in the tables, the
 * smallest domain. They must join the last (big) kind, and say so.
 */
static void test_many_capacity_groups(void **state)
{
	const char *root =
		changed_copy("numa-server", false,
			     "for c in $(seq 0 31); do d=sys/devices/system/cpu/cpu$c/acpi_cppc; "
			     "mkdir -p $d && echo $((100 + 20 * c)) >$d/highest_perf; done");
	struct jtopo_input in = {.root = root};
	bool warned = false;

	(void)state;
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	assert_int_equal(topo.nr_kinds, JTOPO_MAX_KINDS);
	for (int c = 0; c < 32; c++)
		assert_true(jtopo_cpuset_isset(&topo.kind[topo.cpu[c].kind].cpus, c));
	assert_int_equal(topo.cpu[31].kind, JTOPO_MAX_KINDS - 1);
	assert_int_equal(topo.cpu[31].capacity, 1024);
	for (int i = 0; i < topo.nr_warnings; i++)
		warned |= strstr(topo.warning[i], "join the most capable kind") != NULL;
	assert_true(warned);
	assert_int_equal(jpower_model_build(&em, &cf, &topo, root, NULL, err, sizeof(err)), 0);
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 32, err, sizeof(err)), 0);
	assert_int_equal(m.tables.cpu[31].kind, JP_KIND_BIG);
	assert_int_equal(m.tables.pd[m.tables.cpu[31].pd].max_capacity, 1024);
	remove_copy();
}

/* XML CPU kinds that leave online CPUs out: an error naming them, not capacity 1. */
static void test_xml_kinds_gap(void **state)
{
	const char *xml = changed_copy("arm-board-rk3399", true,
				       "sed -i 's/<cpukind cpuset=\"0x0000000f\"/"
				       "<cpukind cpuset=\"0x00000003\"/' in.xml");
	struct jtopo_input in = {.xml = xml};

	(void)state;
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "in.xml: online CPUs 2-3 are in none of hwloc's 2 CPU kinds"));
	remove_copy();
}

/*
 * The tables' own check: a model that leaves a CPU out of every domain
 * (here by hand, past the model's checks) is refused naming the CPU.
 */
static void test_tables_check(void **state)
{
	(void)state;
	load("arm-board-rk3399");
	em.pd[0].cpus.bits[0] &= ~(1ULL << 3);
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 6, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "CPU 3 is in no scheduler domain");
	load("arm-board-rk3399");
	jtopo_cpuset_set(&em.pd[1].cpus, 3);
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 6, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "CPU 3 is in two scheduler domains, #0 and #1");
}

/* Overlapping cpufreq policies put CPUs 2-3 in two domains: refused, naming both. */
static void test_cpufreq_overlap(void **state)
{
	const char *root =
		changed_copy("arm-board-rk3399", false,
			     "echo '2 3 4 5' >sys/devices/system/cpu/cpufreq/policy4/related_cpus");
	struct jtopo_input in = {.root = root};

	(void)state;
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	assert_int_equal(jpower_model_build(&em, &cf, &topo, root, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "/root/sys/devices/system/cpu/cpu4/cpufreq/related_cpus: CPU 2 "
				    "is also in the policy of CPU 0 (CPUs 0-3)"));
	remove_copy();
}

/* A model file: the little domain a of the board, then more. */
static void write_em(const char *path, const char *more)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "scx-joule-energy-model 1\npd a cpus=0-3\nopp a khz=408000 mw=20\n%s", more);
	assert_int_equal(fclose(f), 0);
}

/*
 * A model file that names the offline CPU 5 of the board: in two domains
 * it is an error like an online CPU; in a domain of its own it takes the
 * domain of the CPU it is like (4), as with the kernel's model. Before, it
 * was in two table domains, one of them of capacity 1.
 */
static void test_em_file_offline_cpu(void **state)
{
	char root[512], path[] = "/tmp/joule-em-XXXXXX";
	struct jtopo_input in = {.root = root};
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(root, sizeof(root), "%s/offline-cpu", FIXTURES_DIR);
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	write_em(path, "pd b cpus=4-5\nopp b khz=1800000 mw=1100\n"
		       "pd c cpus=5\nopp c khz=408000 mw=1\n");
	assert_int_equal(jpower_model_build(&em, &cf, &topo, root, path, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, ": CPU 5 is in two performance domains, b and c"));

	write_em(path, "pd b cpus=4\nopp b khz=1800000 mw=1100\n"
		       "pd c cpus=5\nopp c khz=408000 mw=1\n");
	assert_int_equal(jpower_model_build(&em, &cf, &topo, root, path, err, sizeof(err)), 0);
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 6, err, sizeof(err)), 0);
	assert_int_equal(m.tables.nr_pds, 2);
	assert_int_equal(m.tables.cpu[5].pd, m.tables.cpu[4].pd);
	assert_int_equal(m.tables.pd[m.tables.cpu[5].pd].max_capacity, 1024);
	assert_int_equal(m.tables.pd[m.tables.cpu[5].pd].nr_cpus, 2);
	unlink(path);
}

static __attribute__((unused)) double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 512 CPUs of 2 kinds, 512 per-CPU cpufreq policies: 2 domains of 256 CPUs. */
static void test_server_512_tables(void **state)
{
#if JP_MAX_CPUS < 512
	(void)state;
	skip(); /* a build with -Dmax_cpus below 512 */
#else
	const struct jp_pd *p, *e;
	double start = now_s(), modelled;

	(void)state;
	load_from(FIXTURES_LARGE_DIR, "server-512-hybrid");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 512, err, sizeof(err)), 0);
	modelled = now_s() - start;
	print_message("server-512-hybrid modelled in %.2f s\n", modelled);
	assert_int_equal(topo.nr_cpus, 512);
	assert_int_equal(topo.nr_online, 512);
	assert_int_equal(topo.nr_kinds, 2);
	assert_int_equal(m.tables.nr_cpus, 512);
	assert_int_equal(m.tables.nr_pds, 2);
	p = &m.tables.pd[m.tables.cpu[0].pd];
	e = &m.tables.pd[m.tables.cpu[511].pd];
	assert_ptr_not_equal(p, e);
	assert_int_equal(p->nr_cpus, 256);
	assert_int_equal(e->nr_cpus, 256);
	assert_int_equal(p->max_capacity, 1024);
	assert_int_equal(e->max_capacity, 640);
	for (int c = 0; c < 512; c++) {
		const struct jp_pd *d = &m.tables.pd[m.tables.cpu[c].pd];
		bool found = false;

		assert_ptr_equal(d, c < 256 ? p : e);
		assert_int_equal(m.tables.cpu[c].capacity, c < 256 ? 1024 : 640);
		assert_int_equal(m.tables.cpu[c].kind, c < 256 ? JP_KIND_BIG : JP_KIND_LITTLE);
		for (unsigned i = 0; i < d->nr_cpus; i++)
			found |= d->cpus[i] == c;
		assert_true(found);
	}
	/* SMT siblings past CPU 255 of the old ceiling's masks */
	assert_int_equal(m.tables.cpu[0].sibling, 128);
	assert_int_equal(m.tables.cpu[255].sibling, 127);
	assert_int_equal(m.tables.cpu[300].sibling, JP_NO_SIBLING);
#endif
}

/*
 * All 512 CPUs in one cpufreq policy (server-512-one-policy): related_cpus
 * lists each CPU ("0 1 ... 511", 1,938 bytes), and every one of them must
 * read, whatever the list's length. Read into 1,024 bytes, the list was
 * cut after CPU 282, and the model refused the machine:
 * "cpu283/cpufreq/related_cpus: CPU 0 is also in the policy of CPU 0 (CPUs
 * 0-282)".
 */
static void test_server_512_one_policy(void **state)
{
#if JP_MAX_CPUS < 512
	(void)state;
	skip(); /* a build with -Dmax_cpus below 512 */
#else
	(void)state;
	load_from(FIXTURES_LARGE_DIR, "server-512-one-policy");
	assert_int_equal(cf.nr_policies, 1);
	assert_int_equal(jtopo_cpuset_weight(&cf.policy[0].cpus), 512);
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 512, err, sizeof(err)), 0);
	assert_int_equal(m.tables.nr_pds, 1);
	assert_int_equal(m.tables.pd[0].nr_cpus, 512);
#endif
}

/* One more CPU than the build handles: one line naming the limit and the option. */
/*
 * --model: the stats' power table holds the OPPs the policy tables keep.
 * The phone's big domain has 17 OPPs; the first 16 in order left out its
 * top one, so a CPU asking for full speed was priced at 2704 MHz.
 */
static void test_soc_power_keeps_top_opp(void **state)
{
	static struct sim_soc soc;
	const struct sim_pd *big;
	const struct joule_cpu_power *pw;

	(void)state;
	if (sim_soc_load(SOCS_DIR "/phone-gs101.soc", &soc, err, sizeof(err)) ||
	    joule_machine_from_soc(&m, &soc, (int)soc.nr_cpus, err, sizeof(err)))
		fail_msg("%s", err);
	/* the kinds named as from sysfs: the stats' keys do not depend on the source */
	assert_string_equal(m.kind_name[0], "little");
	assert_string_equal(m.kind_name[1], "mid");
	assert_string_equal(m.kind_name[2], "big");
	big = &soc.pd[soc.cpu[7].pd];
	assert_true(big->nr_opps > JOULE_STATS_MAX_OPPS);
	pw = &m.power[7];
	assert_int_equal(pw->nr_opps, m.tables.pd[m.tables.cpu[7].pd].nr_opps);
	assert_int_equal(pw->perf[pw->nr_opps - 1], JP_SCALE);
	assert_float_equal(pw->busy_mw[pw->nr_opps - 1], big->opps[big->nr_opps - 1].mw, 1e-9);
	/* the same OPPs as the tables', in the same order */
	for (int j = 0; j < pw->nr_opps; j++)
		assert_int_equal(pw->perf[j], m.tables.pd[m.tables.cpu[7].pd].opps[j].capacity *
						      JP_SCALE /
						      m.tables.pd[m.tables.cpu[7].pd].max_capacity);
}

static void test_beyond_max_cpus(void **state)
{
	(void)state;
	assert_int_equal(joule_machine_homogeneous(&m, JP_MAX_CPUS + 1, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "handles at most"));
	assert_non_null(strstr(err, "max_cpus"));
	assert_int_equal(joule_machine_homogeneous(&m, JP_MAX_CPUS, err, sizeof(err)), 0);
	assert_int_equal(m.tables.nr_pds, 1);
	assert_int_equal(m.tables.pd[0].nr_cpus, JP_MAX_CPUS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_tables),
		cmocka_unit_test(test_intel_arl_tables),
		cmocka_unit_test(test_intel_mtl_tables),
		cmocka_unit_test(test_intel_mtl_light_off_l3),
		cmocka_unit_test(test_hybrid_32_tables),
		cmocka_unit_test(test_no_cpufreq_hybrid_tables),
		cmocka_unit_test(test_this_machine_tables),
		cmocka_unit_test(test_cpu_count_mismatch),
		cmocka_unit_test(test_offline_cpu_entry),
		cmocka_unit_test(test_offline_cpu_guessed),
		cmocka_unit_test(test_server_512_tables),
		cmocka_unit_test(test_server_512_one_policy),
		cmocka_unit_test(test_beyond_max_cpus),
		cmocka_unit_test(test_soc_power_keeps_top_opp),
		cmocka_unit_test(test_many_capacity_groups),
		cmocka_unit_test(test_xml_kinds_gap),
		cmocka_unit_test(test_tables_check),
		cmocka_unit_test(test_cpufreq_overlap),
		cmocka_unit_test(test_em_file_offline_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
