// SPDX-License-Identifier: GPL-2.0-only
/*
 * joule_stats_interval: two snapshots of the per-CPU counters turned into
 * one interval's figures, as the loader prints them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"

#define NR_CPUS 6

static const int cpu_kind[NR_CPUS] = {0, 0, 0, 0, 1, 1};

static struct joule_stats_view view(void)
{
	return (struct joule_stats_view){.nr_cpus = NR_CPUS,
					 .nr_kinds = 2,
					 .kind_name = {"little", "big"},
					 .cpu_kind = cpu_kind};
}

static void snapshots(struct joule_stats_snapshot *a, struct joule_stats_snapshot *b)
{
	assert_int_equal(joule_stats_snapshot_alloc(a, NR_CPUS), 0);
	assert_int_equal(joule_stats_snapshot_alloc(b, NR_CPUS), 0);
	a->time_s = 10.0;
	b->time_s = 12.0;
}

/*
 * Overutilization is a state of the machine, counted once for it by
 * whichever CPU refreshes it: 1 s of a 2 s interval is 50%, however many
 * CPUs there are and whichever counted it. (It was counted per ticking CPU
 * and divided by all CPUs: with one CPU busy, 100% read as 1/6.)
 */
static void test_overutil_is_machine_time(void **state)
{
	struct joule_stats_view v = view();
	struct joule_stats_snapshot a, b;
	struct joule_interval iv;

	(void)state;
	snapshots(&a, &b);
	a.cpu[3].count[JOULE_STAT_OVERUTIL_NS] = 4000000000ULL;
	b.cpu[3].count[JOULE_STAT_OVERUTIL_NS] = 4600000000ULL;
	b.cpu[5].count[JOULE_STAT_OVERUTIL_NS] = 400000000ULL;
	joule_stats_interval(&v, &a, &b, &iv);
	assert_true(iv.seconds > 1.999 && iv.seconds < 2.001);
	assert_true(iv.overutil_pct > 49.99 && iv.overutil_pct < 50.01);
	joule_stats_snapshot_free(&a);
	joule_stats_snapshot_free(&b);
}

/* busy time by kind: share of all busy time, and of the kind's CPU time */
static void test_busy_by_kind(void **state)
{
	struct joule_stats_view v = view();
	struct joule_stats_snapshot a, b;
	struct joule_interval iv;

	(void)state;
	snapshots(&a, &b);
	b.cpu[0].count[JOULE_STAT_BUSY_NS] = 1000000000ULL; /* little: 1 s of 8 */
	b.cpu[4].count[JOULE_STAT_BUSY_NS] = 1500000000ULL; /* big: 1.5 s of 4 */
	joule_stats_interval(&v, &a, &b, &iv);
	assert_true(iv.busy_share[0] > 39.99 && iv.busy_share[0] < 40.01);
	assert_true(iv.busy_share[1] > 59.99 && iv.busy_share[1] < 60.01);
	assert_true(iv.busy_util[0] > 12.49 && iv.busy_util[0] < 12.51);
	assert_true(iv.busy_util[1] > 37.49 && iv.busy_util[1] < 37.51);
	/* a run still going when sampled counts at most the interval: 3 s as 2 */
	b.cpu[5].count[JOULE_STAT_BUSY_NS] = 3000000000ULL;
	joule_stats_interval(&v, &a, &b, &iv);
	assert_true(iv.busy_util[1] > 87.49 && iv.busy_util[1] < 87.51);
	assert_true(iv.overutil_pct == 0);
	assert_true(iv.energy_j < 0); /* no power model */
	joule_stats_snapshot_free(&a);
	joule_stats_snapshot_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overutil_is_machine_time),
		cmocka_unit_test(test_busy_by_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
