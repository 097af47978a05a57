// SPDX-License-Identifier: GPL-2.0-only
/*
 * Utilization over a sleep (bpf/policy.h): the functions the BPF scheduler
 * and the simulator call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_avg_decays_over_sleep),
		cmocka_unit_test(test_sleep_of_a_half_life_halves_util_avg),
		cmocka_unit_test(test_short_sleep_waits_for_a_window),
		cmocka_unit_test(test_util_est_unchanged_by_the_decay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
