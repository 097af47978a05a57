// SPDX-License-Identifier: GPL-2.0-only
/*
 * Utilization over a sleep and of tasks placed but not running yet
 * (bpf/policy.h): the functions the BPF scheduler and the simulator call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"
#include "policy_fixture.h"

#define MS 1000000ull

/* A task that runs without sleeping for ms at full speed, folded in every 4 ms. */
static uint64_t run_hot(struct jp_task *t, uint64_t now, uint64_t ms)
{
	uint64_t end = now + ms * MS;

	jp_task_waking(t, now);
	for (; now < end; now += 4 * MS)
		jp_task_stopping(t, now + 4 * MS, 4 * MS, 1024);
	return end;
}

/*
 * A task that ran hot, slept 200 ms and wakes: util_avg has decayed over the
 * sleep by the running accounting's own decay (jp_decay, 32 ms half-life),
 * not kept the value it stopped with.
 */
static void test_util_avg_decays_over_sleep(void **state)
{
	struct jp_task t;
	uint64_t now, want;
	uint32_t hot;

	(void)state;
	jp_task_init(&t, 0, 0);
	now = run_hot(&t, 0, 100);
	hot = t.util_avg;
	assert_in_range(hot, 850, 950); /* 1024 * (1 - 2^(-100/32)) = 906 */
	/* exactly a window of no work through jp_ema_util */
	want = (t.util_fp * jp_decay(65536, 200 * MS, JP_UTIL_HALF_LIFE_NS)) >> 16;
	jp_task_waking(&t, now + 200 * MS);
	assert_int_equal(t.util_avg, (want + 32768) >> 16);
	assert_in_range(t.util_avg, 11, 13); /* 906 / 2^6.25 = 11.9 */
	assert_int_equal(t.last_update_ns, now + 200 * MS);
	assert_int_equal(t.window_work, 0);
}

/* One half-life asleep halves util_avg; the next run's window starts at the wakeup. */
static void test_sleep_of_a_half_life_halves_util_avg(void **state)
{
	struct jp_task t;
	uint64_t now;
	uint32_t hot;

	(void)state;
	jp_task_init(&t, 0, 1024);
	now = run_hot(&t, 0, 40);
	hot = t.util_avg;
	jp_task_waking(&t, now + JP_UTIL_HALF_LIFE_NS);
	assert_in_range(t.util_avg, hot / 2 - 1, hot / 2 + 1);
	/*
	 * then it runs 2 ms: util_avg rises. Had the window still begun before
	 * the sleep, 2 ms of work in 34 ms would count the sleep again.
	 */
	jp_task_stopping(&t, now + JP_UTIL_HALF_LIFE_NS + 2 * MS, 2 * MS, 1024);
	assert_true(t.util_avg > hot / 2);
}

/* A wakeup within 1 ms of the last update leaves util_avg to the next window. */
static void test_short_sleep_waits_for_a_window(void **state)
{
	struct jp_task t;
	uint64_t now;
	uint32_t avg;

	(void)state;
	jp_task_init(&t, 0, 0);
	now = run_hot(&t, 0, 20);
	avg = t.util_avg;
	jp_task_waking(&t, now + MS / 2);
	assert_int_equal(t.util_avg, avg);
	assert_int_equal(t.last_update_ns, now);
}

/*
 * util_est is not what the sleep decays: it still falls by a quarter of the
 * gap to the finished period's busy fraction, so a periodic task keeps its
 * size over its sleeps, and one that ran hot counts as big for a few
 * wakeups (as the kernel's util_est, which samples util_avg at dequeue).
 */
static void test_util_est_unchanged_by_the_decay(void **state)
{
	struct jp_task t;
	uint64_t now;

	(void)state;
	jp_task_init(&t, 0, 0);
	now = run_hot(&t, 0, 100);
	assert_int_equal(t.util_est, 1024);
	jp_task_waking(&t, now + 200 * MS);
	/* period 300 ms, 100 ms busy: sample 341; 1024 - (1024 - 341) / 4 = 854 */
	assert_in_range(t.util_est, 852, 856);
	assert_int_equal(jp_task_util(&t), t.util_est);
}

/*
 * A task forked at balanced's init_util (512) that ran 0.5 ms and slept
 * 200 ms woke at 512, too big for a little CPU of 381; now util_est decides.
 */
static void test_fork_that_slept_wakes_light(void **state)
{
	struct jp_profile p;
	struct jp_task t;

	(void)state;
	jp_profile_init(&p, JOULE_PROFILE_BALANCED);
	jp_task_init(&t, 0, p.init_util);
	jp_task_waking(&t, 0); /* select_cpu sees the fork as a wakeup */
	jp_task_stopping(&t, MS / 2, MS / 2, 1024);
	assert_int_equal(jp_task_util(&t), 512);
	jp_task_waking(&t, 200 * MS);
	assert_true(t.util_avg < 16);
	assert_int_equal(jp_task_util(&t), t.util_est);
	assert_in_range(jp_task_util(&t), 280, 300);
	assert_true(jp_fits(jp_task_util(&t), 381, p.fit_margin));
}

/*
 * Placement sees the util of tasks placed on a CPU that have not started:
 * jp_cpu_util and the energy evaluation take running + pending.
 */
static void test_cpu_util_counts_pending(void **state)
{
	struct jp_cpu_state c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.util_avg = 100;
	c.util_runnable = 60;
	assert_int_equal(jp_cpu_util(&c), 100);
	jp_cpu_pending_add(&c, 50);
	jp_cpu_pending_add(&c, 30);
	assert_int_equal(jp_cpu_util(&c), 140);
	/* one starts: its util leaves pending for the running task's */
	jp_cpu_pending_sub(&c, 50);
	c.util_runnable = 50;
	assert_int_equal(c.util_pending, 30);
	assert_int_equal(jp_cpu_util(&c), 100);
}

/*
 * An idle CPU's average as a reader ages it (jp_cpu_util_avg_at, which
 * writes nothing) is what folding the idle time in (jp_cpu_account with no
 * run) makes it when the CPU next runs: over short and long idle times, up
 * to and past the point where the old average has decayed away, with work
 * left in the open window and with utilization of tasks that moved away.
 */
static void test_idle_cpu_aged_as_accounting_would(void **state)
{
	static const uint64_t works[] = {0, 1, 40000, 999999, 2 * MS};
	static const uint64_t ages[] = {
		MS,	      200 * MS,		8 * 32 * MS,  10 * 32 * MS,	16 * 32 * MS - 1,
		16 * 32 * MS, 17 * 32 * MS - 1, 17 * 32 * MS, 17 * 32 * MS + 1, 40000 * MS};
	static const uint32_t avgs[] = {0, 1, 300, 1024};
	struct jp_cpu_state c, folded;
	uint64_t now;

	(void)state;
	for (unsigned a = 0; a < sizeof(avgs) / sizeof(avgs[0]); a++)
		for (unsigned w = 0; w < sizeof(works) / sizeof(works[0]); w++)
			for (unsigned g = 0; g < sizeof(ages) / sizeof(ages[0]); g++) {
				memset(&c, 0, sizeof(c));
				c.util_avg = avgs[a];
				c.util_fp = ((uint64_t)avgs[a] << 16) + 12345 * (avgs[a] > 0);
				c.util_removed = avgs[a] / 3;
				c.busy_work = works[w];
				c.last_update_ns = 7 * MS;
				now = c.last_update_ns + ages[g];
				folded = c;
				jp_cpu_account(&folded, now, 0, 0);
				assert_int_equal(jp_cpu_util_avg_at(&c, now, true),
						 jp_cpu_util_avg(&folded));
			}
}

/*
 * Places n wakeups of light tasks (util, previous CPU prev) one after the
 * other, before any of them has run, as the BPF program's select_cpu does:
 * each takes its CPU's idle bit (scx_bpf_test_and_clear_cpu_idle) and, if
 * count_pending, counts on it (jp_cpu_pending_add). Returns how many
 * different CPUs they got.
 */
static int burst(uint32_t util, int prev, int n, bool count_pending, int *picks)
{
	struct jp_tables t;
	struct jp_cpu_state cs[JP_MAX_CPUS];
	struct jp_profile p;
	struct jp_wake w;
	int i, j, distinct = 0;
	uint32_t c;

	two_cluster(&t);
	memset(cs, 0, sizeof(cs));
	jp_profile_init(&p, JOULE_PROFILE_BALANCED);
	memset(&w, 0, sizeof(w));
	w.task_util = util;
	w.prev_cpu = prev;
	for (c = 0; c < 6; c++) {
		jp_mask_set(&w.allowed, c);
		jp_mask_set(&w.idle, c);
	}
	for (i = 0; i < n; i++) {
		picks[i] = jp_select_cpu_energy(&t, cs, NULL, &p, &w);
		assert_true(picks[i] >= 0 && picks[i] < 6);
		jp_mask_clear(&w.idle, (uint32_t)picks[i]);
		if (count_pending)
			jp_cpu_pending_add(&cs[picks[i]], util);
		for (j = 0; j < i && picks[j] != picks[i]; j++)
			;
		distinct += j == i;
	}
	return distinct;
}

/* A burst of 4 equal light wakeups spreads over the 4 idle little CPUs. */
static void test_burst_spreads(void **state)
{
	int picks[4], i;

	(void)state;
	/* new tasks (no previous CPU) and tasks that all last ran on CPU 0 */
	assert_int_equal(burst(80, JP_NO_CPU, 4, true, picks), 4);
	for (i = 0; i < 4; i++)
		assert_true(picks[i] < 4);
	assert_int_equal(burst(80, 0, 4, true, picks), 4);
	assert_int_equal(picks[0], 0);
	for (i = 0; i < 4; i++)
		assert_true(picks[i] < 4);
}

/*
 * Without counting them, tasks that last ran on one CPU all pick it: it
 * looks empty until the first has run, and the previous CPU wins a tie.
 */
static void test_burst_piles_up_without_pending(void **state)
{
	int picks[4];

	(void)state;
	assert_int_equal(burst(80, 0, 4, false, picks), 1);
	assert_int_equal(picks[3], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_avg_decays_over_sleep),
		cmocka_unit_test(test_sleep_of_a_half_life_halves_util_avg),
		cmocka_unit_test(test_short_sleep_waits_for_a_window),
		cmocka_unit_test(test_util_est_unchanged_by_the_decay),
		cmocka_unit_test(test_fork_that_slept_wakes_light),
		cmocka_unit_test(test_cpu_util_counts_pending),
		cmocka_unit_test(test_idle_cpu_aged_as_accounting_would),
		cmocka_unit_test(test_burst_spreads),
		cmocka_unit_test(test_burst_piles_up_without_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
