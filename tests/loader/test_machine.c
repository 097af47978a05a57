// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF tables the loader builds from a recorded machine's model
 * (joule_machine_from_model): per-CPU capacity, kind, domain, cluster and
 * sibling; per domain the operating points the policy holds (at most
 * JP_MAX_OPPS, efficient ones, top kept) with policy.h's cost; and the
 * refusal of a model whose online CPUs are not this machine's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "jpower.h"
#include "jtopo.h"
#include "machine.h"

static struct jtopo topo;
static struct jpower_cpufreq cf;
static struct jpower_model em;
static struct joule_machine m;
static char err[512];

static void load(const char *name)
{
	char root[512];
	struct jtopo_input in = {.root = root};

	snprintf(root, sizeof(root), "%s/%s", FIXTURES_DIR, name);
	if (jtopo_load(&topo, &in, err, sizeof(err)) ||
	    jpower_model_build(&em, &cf, &topo, root, NULL, err, sizeof(err)))
		fail_msg("%s: %s", name, err);
}

static void test_phone_tables(void **state)
{
	const struct jp_pd *big;

	(void)state;
	load("arm-phone-tri");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 8, "0-7", err, sizeof(err)), 0);
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
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 24, "0-23", err, sizeof(err)), 0);
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

/* 32 CPUs with 20 distinct kernel domains fit the tables' 16. */
static void test_hybrid_32_tables(void **state)
{
	(void)state;
	load("intel-hybrid-32");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 32, "0-31", err, sizeof(err)), 0);
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
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 6, "0-5", err, sizeof(err)), 0);
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
	char online[64];
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	(void)state;
	assert_int_equal(jtopo_load(&topo, &in, err, sizeof(err)), 0);
	assert_int_equal(jpower_model_build(&em, &cf, &topo, NULL, NULL, err, sizeof(err)), 0);
	if (cf.nr_policies)
		skip(); /* a machine with cpufreq: covered by the fixtures */
	snprintf(online, sizeof(online), "0-%ld", n - 1);
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, (int)n, online, err, sizeof(err)),
			 0);
	assert_false(m.has_energy_model);
	assert_int_equal(m.tables.pd[0].nr_opps, 1);
	assert_int_equal(m.tables.cpu[0].kind, JP_KIND_BIG);
	assert_null(m.view.power);
}

/* A recorded machine must match this one's online CPUs exactly. */
static void test_online_mismatch(void **state)
{
	(void)state;
	load("arm-board-rk3399");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 4, "0-3", err, sizeof(err)),
			 -EINVAL);
	assert_true(strstr(err, "has 6 CPUs; this machine has 4"));
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 8, "0-7", err, sizeof(err)),
			 -EINVAL);
	assert_true(strstr(err, "CPU 6 is online here but absent or offline in the model"));
	load("offline-cpu");
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 6, "0-5", err, sizeof(err)),
			 -EINVAL);
	assert_true(strstr(err, "CPU 5 is online here but absent or offline"));
	assert_int_equal(joule_machine_from_model(&m, &topo, &em, 6, "0-4", err, sizeof(err)), 0);
	assert_int_equal(m.tables.pd[1].nr_cpus, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_tables),
		cmocka_unit_test(test_intel_arl_tables),
		cmocka_unit_test(test_hybrid_32_tables),
		cmocka_unit_test(test_no_cpufreq_hybrid_tables),
		cmocka_unit_test(test_this_machine_tables),
		cmocka_unit_test(test_online_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
