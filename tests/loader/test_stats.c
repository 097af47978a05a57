// SPDX-License-Identifier: GPL-2.0-only
/*
 * joule_stats_interval: two snapshots of the per-CPU counters turned into
 * one interval's figures, as the loader prints them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

/* two operating points: 100 mW at half speed, 1000 mW at full; 10 mW idle */
static const struct joule_cpu_power two_opps = {
	.nr_opps = 2, .perf = {512, 1024}, .busy_mw = {100, 1000}, .idle_mw = 10};

static struct joule_stats_view view_with_power(struct joule_cpu_power *power)
{
	struct joule_stats_view v = view();

	for (int c = 0; c < NR_CPUS; c++)
		power[c] = two_opps;
	v.power = power;
	return v;
}

/*
 * Busy time is priced at the speed asked while it ran (BUSY_PERF), not at
 * the target when the interval was read: CPU 0 ran 1.8 s of 2 at full
 * speed and had gone idle (target 0) when sampled. 1.8 s at 1000 mW plus
 * 0.2 s idle, and 2 s idle on each of the other five: 1.902 J. Priced at
 * its target of the moment it read 0.282 J.
 */
static void test_energy_at_speed_while_busy(void **state)
{
	struct joule_cpu_power power[NR_CPUS];
	struct joule_stats_view v = view_with_power(power);
	struct joule_stats_snapshot a, b;
	struct joule_interval iv;

	(void)state;
	snapshots(&a, &b);
	b.cpu[0].count[JOULE_STAT_BUSY_NS] = 1800000000ULL;
	b.cpu[0].count[JOULE_STAT_BUSY_PERF] = 1800000000ULL;
	b.cpu[0].perf_target = 0;
	joule_stats_interval(&v, &a, &b, &iv);
	assert_true(iv.energy_j > 1.9019 && iv.energy_j < 1.9021);
	assert_true(iv.perf_target[0] > 1023.9 && iv.perf_target[0] < 1024.1);
	/* at half speed instead: the lower point, 1.8 s at 100 mW */
	b.cpu[0].count[JOULE_STAT_BUSY_PERF] = 900000000ULL;
	b.cpu[0].perf_target = 1024;
	joule_stats_interval(&v, &a, &b, &iv);
	assert_true(iv.energy_j > 0.2819 && iv.energy_j < 0.2821);
	assert_true(iv.perf_target[0] > 511.9 && iv.perf_target[0] < 512.1);
	assert_true(iv.perf_target[1] == 0); /* nothing ran on a big CPU */
	joule_stats_snapshot_free(&a);
	joule_stats_snapshot_free(&b);
}

/*
 * An offline CPU draws no idle power, but what it ran before it went still
 * counts, and so does it as its kind's capacity: big CPU 5 offline, big
 * CPU 4 busy the whole 2 s at full speed, CPU 5 busy 0.5 s before it went.
 */
/* snapshots() with big CPU 5 offline at b's end */
static void snapshots_cpu5_offline(struct joule_stats_snapshot *a, struct joule_stats_snapshot *b)
{
	__u64 online = 0x1f; /* CPUs 0-4 */

	snapshots(a, b);
	joule_stats_set_online(b, &online, 1);
}

static void test_offline_cpus(void **state)
{
	struct joule_cpu_power power[NR_CPUS];
	struct joule_stats_view v = view_with_power(power);
	struct joule_stats_snapshot a, b;
	struct joule_interval iv;
	__u64 online;

	(void)state;
	snapshots_cpu5_offline(&a, &b);
	assert_true(b.online[4] && !b.online[5]);
	b.cpu[4].count[JOULE_STAT_BUSY_NS] = 2000000000ULL;
	b.cpu[4].count[JOULE_STAT_BUSY_PERF] = 2000000000ULL;
	b.cpu[5].count[JOULE_STAT_BUSY_NS] = 500000000ULL;
	b.cpu[5].count[JOULE_STAT_BUSY_PERF] = 500000000ULL;
	b.cpu[5].perf_target = 900; /* left from before it went */
	joule_stats_interval(&v, &a, &b, &iv);
	/* 2.5 s at 1000 mW, 4 little CPUs idle 2 s at 10 mW */
	assert_true(iv.energy_j > 2.5799 && iv.energy_j < 2.5801);
	/* the big kind's load is over both its CPUs, one online for part of it: 2.5 s of 4 */
	assert_true(iv.busy_util[1] > 62.49 && iv.busy_util[1] < 62.51);
	assert_true(iv.busy_share[1] > 99.99);
	assert_true(iv.perf_target[1] > 1023.9 && iv.perf_target[1] < 1024.1);
	/* gone before the interval began and idle since: no capacity (2 s of 2) */
	a.online[5] = false;
	b.cpu[5].count[JOULE_STAT_BUSY_NS] = 0;
	b.cpu[5].count[JOULE_STAT_BUSY_PERF] = 0;
	joule_stats_interval(&v, &a, &b, &iv);
	assert_true(iv.busy_util[1] > 99.99 && iv.busy_util[1] <= 100.0);
	/* both big CPUs gone by the end, both busy before: busy, not 0% (it read 0%) */
	online = 0x0f;
	joule_stats_set_online(&b, &online, 1);
	a.online[5] = true;
	b.cpu[4].count[JOULE_STAT_BUSY_NS] = 1000000000ULL;
	b.cpu[5].count[JOULE_STAT_BUSY_NS] = 1000000000ULL;
	joule_stats_interval(&v, &a, &b, &iv);
	assert_true(iv.busy_util[1] > 49.99 && iv.busy_util[1] < 50.01);
	/* a run still going in CPU 4 counted at most the interval: never over 100% */
	b.cpu[4].count[JOULE_STAT_BUSY_NS] = 9000000000ULL;
	b.cpu[5].count[JOULE_STAT_BUSY_NS] = 9000000000ULL;
	joule_stats_interval(&v, &a, &b, &iv);
	assert_true(iv.busy_util[1] <= 100.0);
	joule_stats_snapshot_free(&a);
	joule_stats_snapshot_free(&b);
}

/*
 * The end of one interval is the start of the next, online state too: big
 * CPU 5 offline for two intervals and idle, CPU 4 busy throughout, reads
 * 100% in the second (the loader kept "all online" as every start: 50%).
 */
static void test_advance_keeps_online(void **state)
{
	struct joule_cpu_power power[NR_CPUS];
	struct joule_stats_view v = view_with_power(power);
	struct joule_stats_snapshot a, b;
	struct joule_interval iv;

	(void)state;
	snapshots_cpu5_offline(&a, &b);
	b.cpu[4].count[JOULE_STAT_BUSY_NS] = 2000000000ULL;
	joule_stats_interval(&v, &a, &b, &iv);
	/* CPU 5 was online at the start as far as a knows: 2 s of 4 */
	assert_true(iv.busy_util[1] > 49.99 && iv.busy_util[1] < 50.01);
	joule_stats_advance(&a, &b);
	assert_false(a.online[5]);
	assert_true(a.online[4]);
	assert_true(a.time_s == 12.0);
	assert_true(a.cpu[4].count[JOULE_STAT_BUSY_NS] == 2000000000ULL);
	b.time_s = 14.0;
	b.cpu[4].count[JOULE_STAT_BUSY_NS] = 4000000000ULL;
	joule_stats_interval(&v, &a, &b, &iv);
	assert_true(iv.busy_util[1] > 99.99 && iv.busy_util[1] <= 100.0);
	joule_stats_snapshot_free(&a);
	joule_stats_snapshot_free(&b);
}

/* the text line gives each kind's share of the busy time and its load */
static void test_text_line(void **state)
{
	struct joule_stats_view v = view();
	struct joule_stats_snapshot a, b;
	struct joule_interval iv;
	char line[1024] = "";
	FILE *f = fmemopen(line, sizeof(line) - 1, "w");

	(void)state;
	assert_non_null(f);
	snapshots(&a, &b);
	b.cpu[0].count[JOULE_STAT_BUSY_NS] = 1000000000ULL;
	b.cpu[4].count[JOULE_STAT_BUSY_NS] = 1500000000ULL;
	joule_stats_interval(&v, &a, &b, &iv);
	joule_stats_print(f, &v, &iv, "balanced", "option", false);
	fclose(f);
	assert_non_null(strstr(line, " busy little=40% big=60% | load little=12% big=38% |"));
	assert_null(strstr(line, "| energy=")); /* no power model */
	joule_stats_snapshot_free(&a);
	joule_stats_snapshot_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overutil_is_machine_time),
		cmocka_unit_test(test_busy_by_kind),
		cmocka_unit_test(test_energy_at_speed_while_busy),
		cmocka_unit_test(test_offline_cpus),
		cmocka_unit_test(test_advance_keeps_online),
		cmocka_unit_test(test_text_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
