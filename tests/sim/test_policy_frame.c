// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf/policy/frame.h: a frame stage's work estimate, the frame it belongs
 * to, and the speed it needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy_fixture.h"

#define MS 1000000ull

/*
 * Activations of 3.5 ms +-25%, spread evenly: the estimate (average plus
 * twice the mean deviation) settles near the largest, 4.375 ms.
 */
static void test_work_estimate_covers_jitter(void **state)
{
	struct jp_task t;
	u32 i;

	(void)state;
	jp_task_init(&t, 0, 1024);
	for (i = 0; i < 400; i++) {
		/* 0..16 sixteenths of the +-25% band, in a scrambled order */
		u64 step = (i * 7) % 17;

		t.period_work = 3500000 * 3 / 4 + step * (3500000 / 2) / 16;
		jp_task_work_fold(&t);
	}
	assert_in_range(t.work_avg, 3400000, 3600000);
	assert_in_range(jp_frame_work(&t), 4150000, 4600000);
}

/* main wakes render: render's frame began when main's did. */
static void test_wakeup_joins_the_wakers_frame(void **state)
{
	struct jp_task main_t, render, other;

	(void)state;
	jp_task_init(&main_t, 0, 1024);
	jp_task_init(&render, 0, 1024);
	main_t.period_avg = render.period_avg = 16 * MS;
	main_t.frame_start = 100 * MS;
	render.work_avg = 3 * MS;
	jp_frame_wakeup(&render, &main_t, 105 * MS);
	assert_int_equal(render.frame_start, 100 * MS);
	assert_int_equal(main_t.next_work_now, 3 * MS);
	/* main's next activation carries it */
	jp_frame_wakeup(&main_t, NULL, 116 * MS);
	assert_int_equal(main_t.next_work, 3 * MS);
	assert_int_equal(main_t.next_work_now, 0);
	assert_int_equal(main_t.frame_start, 116 * MS);

	/* no frame of its own loop: its own wakeup starts its frame */
	jp_task_init(&other, 0, 1024);
	other.period_avg = 33 * MS;
	other.frame_start = 100 * MS;
	jp_frame_wakeup(&render, &other, 105 * MS);
	assert_int_equal(render.frame_start, 105 * MS);
	/* a frame older than the wakee's own, shorter, period */
	main_t.frame_start = 100 * MS;
	render.period_avg = 13 * MS;
	jp_frame_wakeup(&render, &main_t, 114 * MS);
	assert_int_equal(render.frame_start, 114 * MS);
	render.period_avg = 16 * MS;
	/* a waker whose frame is over (an interrupt found it running) */
	main_t.frame_start = 80 * MS;
	jp_frame_wakeup(&render, &main_t, 105 * MS);
	assert_int_equal(render.frame_start, 105 * MS);
	jp_frame_wakeup(&render, NULL, 106 * MS);
	assert_int_equal(render.frame_start, 106 * MS);
}

/* An activation that woke no next stage leaves a fading next_work. */
static void test_next_stage_fades(void **state)
{
	struct jp_task t;

	(void)state;
	jp_task_init(&t, 0, 1024);
	t.next_work_now = 4 * MS;
	jp_frame_wakeup(&t, NULL, 10 * MS);
	assert_int_equal(t.next_work, 4 * MS);
	jp_frame_wakeup(&t, NULL, 26 * MS);
	assert_int_equal(t.next_work, 3 * MS);
	t.next_work_now = 2 * MS;
	jp_frame_wakeup(&t, NULL, 42 * MS);
	assert_int_equal(t.next_work, 2 * MS);
}

/*
 * A running stage keeps the highest speed of its activation, also after a
 * preemption; its next activation starts afresh. Past its estimate with
 * steady work (no deviation) it still counts an eighth of its average.
 */
static void test_running_speed_keeps_its_peak(void **state)
{
	struct jp_profile p;
	struct jp_task t;

	(void)state;
	jp_profile_init(&p, JOULE_PROFILE_GAMING);
	p.frame_headroom = 1024;
	jp_task_init(&t, 0, 1024);
	t.period_avg = 16 * MS;
	t.frame_start = 100 * MS;
	t.work_avg = 8 * MS;
	assert_int_equal(jp_frame_speed_running(&p, &t, 100 * MS), 512);
	/* ran 7.9 ms by 115 ms: 1 ms (an eighth) in 1 ms left, full speed */
	t.period_work = 7900000;
	assert_int_equal(jp_frame_speed(&p, &t, 115 * MS), 1024);
	/* by 108 ms with 7.9 ms done, a fresh estimate would be 1 ms in 8: 128 */
	assert_int_equal(jp_frame_speed(&p, &t, 108 * MS), 128);
	assert_int_equal(jp_frame_speed_running(&p, &t, 108 * MS), 512);
	jp_frame_wakeup(&t, NULL, 116 * MS);
	t.period_work = 0;
	assert_int_equal(jp_frame_speed_running(&p, &t, 116 * MS), 512);
}

/*
 * A 16 ms frame: own estimate 5 ms (4 + 2 * 0.5), 3 ms after it. Without
 * headroom, and the next stage planned in full, 8 ms of work in 16 ms is
 * half speed (512); 8 ms in, with 2 ms done, 6 ms in 8 (768); running over
 * its estimate, it keeps its deviation to do; past the frame's end, full
 * speed. Gaming's headroom applies to the stage's own work only, and it
 * plans for 13/16 of the next stage's average.
 */
static void test_frame_speed(void **state)
{
	struct jp_profile p, g;
	struct jp_task t;

	(void)state;
	jp_profile_init(&g, JOULE_PROFILE_GAMING);
	p = g;
	p.frame_headroom = 1024;
	p.frame_next_share = 1024;
	jp_task_init(&t, 0, 1024);
	t.period_avg = 16 * MS;
	t.frame_start = 100 * MS;
	t.work_avg = 4 * MS;
	t.work_dev = MS / 2;
	t.next_work = 3 * MS;
	assert_int_equal(jp_frame_speed(&p, &t, 100 * MS), 512);
	t.period_work = 2 * MS;
	assert_int_equal(jp_frame_speed(&p, &t, 108 * MS), 768);
	t.period_work = 5 * MS;
	assert_int_equal(jp_frame_speed(&p, &t, 108 * MS), (MS / 2 + 3 * MS) * 1024 / (8 * MS));
	assert_int_equal(jp_frame_speed(&p, &t, 116 * MS), 1024);
	t.period_work = 0;
	assert_int_equal(g.frame_next_share, 832);
	assert_int_equal(jp_frame_speed(&g, &t, 100 * MS),
			 (5 * MS * g.frame_headroom + 3 * MS * 832) / (16 * MS));
	/* no frame headroom (balanced): no frame speed */
	jp_profile_init(&p, JOULE_PROFILE_BALANCED);
	assert_int_equal(jp_frame_speed(&p, &t, 100 * MS), 0);
	/* the util whose OPP covers a speed with the PD headroom */
	assert_int_equal(jp_frame_util(390, 1280), 312);
}

/*
 * A stage whose frame needs more speed than its CPU has moves up, whatever
 * its util: a render thread of util 100 on a little CPU (400) whose frame
 * now needs 500. Not at 400 or less, not without frame headroom, not on
 * the biggest CPUs (900 here, so that a speed could exceed it); and once
 * its frame needs no more than the CPU has, its util alone counts, with its
 * own hysteresis: a util between misfit_down and misfit_up is not kept
 * misfit because the frame made it so.
 */
static void test_outgrown_stage_is_misfit(void **state)
{
	struct jp_tables tb;
	struct jp_profile g, b;
	struct jp_task t;
	uint32_t c;

	(void)state;
	two_cluster(&tb);
	for (c = 4; c < 6; c++)
		tb.cpu[c].capacity = 900;
	tb.pd[1].max_capacity = 900;
	tb.max_capacity = 900;
	jp_profile_init(&g, JOULE_PROFILE_GAMING);
	jp_profile_init(&b, JOULE_PROFILE_BALANCED);
	jp_task_init(&t, 0, 100);
	assert_true(jp_task_util(&t) * 1024 < 400 * g.misfit_down);
	assert_false(jp_task_misfit(&tb, &g, &t, 0, 400));
	assert_true(jp_task_misfit(&tb, &g, &t, 0, 500));
	assert_int_equal(t.misfit, JP_MISFIT_FRAME);
	assert_false(jp_task_misfit(&tb, &g, &t, 0, 300));
	assert_false(jp_task_misfit(&tb, &b, &t, 0, 500));
	assert_false(jp_task_misfit(&tb, &g, &t, 4, 1000));
	/* util 200 on 400: under gaming's misfit_up (60%), over its misfit_down (40%) */
	jp_task_init(&t, 0, 200);
	assert_false(jp_task_misfit(&tb, &g, &t, 0, 0));
	assert_true(jp_task_misfit(&tb, &g, &t, 0, 500));
	assert_false(jp_task_misfit(&tb, &g, &t, 0, 300));
	/* misfit by util, it stays so down to misfit_down */
	jp_task_init(&t, 0, 250);
	assert_true(jp_task_misfit(&tb, &g, &t, 0, 0));
	assert_int_equal(t.misfit, JP_MISFIT_UTIL);
	t.util_avg = t.util_est = 200;
	assert_true(jp_task_misfit(&tb, &g, &t, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_work_estimate_covers_jitter),
		cmocka_unit_test(test_wakeup_joins_the_wakers_frame),
		cmocka_unit_test(test_next_stage_fades),
		cmocka_unit_test(test_running_speed_keeps_its_peak),
		cmocka_unit_test(test_frame_speed),
		cmocka_unit_test(test_outgrown_stage_is_misfit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
