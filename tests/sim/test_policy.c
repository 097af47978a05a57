// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of bpf/policy.h in userspace: the numbers the scheduler and the
 * simulator rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"
#include "policy_fixture.h"

static void all_idle_wake(struct jp_wake *w, uint32_t util, int prev)
{
	uint32_t c;

	memset(w, 0, sizeof(*w));
	w->task_util = util;
	w->prev_cpu = prev;
	for (c = 0; c < 6; c++) {
		jp_mask_set(&w->allowed, c);
		jp_mask_set(&w->idle, c);
	}
}

static void test_decay_halves(void **state)
{
	(void)state;
	assert_int_equal(jp_decay(1024, 32000000, 32000000), 512);
	assert_int_equal(jp_decay(1024, 64000000, 32000000), 256);
	/* half a half-life: 1024 / sqrt(2) = 724.08 */
	assert_in_range(jp_decay(1024, 16000000, 32000000), 723, 725);
	assert_int_equal(jp_decay(1024, 33 * 32000000ull, 32000000), 0);
}

static void test_util_converges_to_busy_fraction(void **state)
{
	struct jp_cpu_state c = {0};
	uint64_t now = 0;
	int i;

	(void)state;
	/* busy 25% of the time at full capacity, accounted every 1 ms */
	for (i = 0; i < 1000; i++) {
		now += 1000000;
		jp_cpu_account(&c, now, 250000, 1024);
	}
	assert_in_range(c.util_avg, 250, 262);
	/* at capacity 512 the same time is half the work */
	for (i = 0; i < 1000; i++) {
		now += 1000000;
		jp_cpu_account(&c, now, 250000, 512);
	}
	assert_in_range(c.util_avg, 122, 134);
}

/* A task's share of the busy averages moves with it, as PELT's does. */
static void test_util_moves_with_a_migrating_task(void **state)
{
	struct jp_cpu_state from = {0}, to = {0};
	uint64_t now = 0;
	int i;

	(void)state;
	/* a task busy 30% of the time on from; to idle */
	for (i = 0; i < 1000; i++) {
		now += 1000000;
		jp_cpu_account(&from, now, 300000, 1024);
		jp_cpu_account(&to, now, 0, 1024);
	}
	assert_in_range(jp_cpu_util(&from), 300, 312);
	assert_int_equal(jp_cpu_util(&to), 0);
	jp_cpu_migrate(&from, &to, 290);
	/* at once for readers, before from's next update */
	assert_true(jp_cpu_util(&from) <= 22);
	assert_in_range(jp_cpu_util(&to), 290, 290);
	/* from's next update takes it off for good, once */
	now += 1000000;
	jp_cpu_account(&from, now, 0, 1024);
	assert_int_equal(from.util_removed, 0);
	assert_true(jp_cpu_util(&from) <= 22);
	now += 1000000;
	jp_cpu_account(&from, now, 0, 1024);
	assert_true(jp_cpu_util(&from) <= 22);
	/* more than from has: nothing below zero, nothing wraps */
	jp_cpu_migrate(&from, &to, 900);
	assert_int_equal(jp_cpu_util(&from), 0);
	assert_int_equal(jp_cpu_util(&to), 1024);
	now += 1000000;
	jp_cpu_account(&from, now, 0, 1024);
	assert_int_equal(from.util_avg, 0);
}

static void test_util_est_rises_at_once(void **state)
{
	struct jp_task t;

	(void)state;
	jp_task_init(&t, 0, 0);
	jp_task_waking(&t, 0);
	/* 8 ms of continuous running at full capacity: full scale at once */
	jp_task_stopping(&t, 8000000, 8000000, 1024);
	assert_int_equal(jp_task_util(&t), 1024);
	assert_true(t.util_avg < 300); /* the average lags behind */
	/* then 1 ms every 100 ms: the estimate falls by quarters, not at once */
	jp_task_waking(&t, 100000000);
	assert_true(t.util_est < 1024 && t.util_est > 700);
}

/*
 * A task that runs 10 ms of every 20 ms reads about half, not full scale,
 * even while it runs: the activation is judged over its usual period. One
 * that stops sleeping still reaches full scale once it has run that long.
 */
static void test_util_est_judged_over_the_period(void **state)
{
	struct jp_task t;
	uint64_t now = 0;

	(void)state;
	jp_task_init(&t, 0, 0);
	for (int i = 0; i < 50; i++) {
		jp_task_waking(&t, now);
		jp_task_stopping(&t, now + 10000000, 10000000, 1024);
		now += 20000000;
	}
	assert_in_range(t.period_avg, 19000000, 21000000);
	assert_in_range(t.util_est, 480, 560);
	/*
	 * util_avg, decayed over each 10 ms sleep at the wakeup, peaks at the
	 * end of a run: 1024 - (1024 - 457) * 2^(-10/32) = 567 (PELT's ripple)
	 */
	assert_in_range(jp_task_util(&t), 480, 580);
	/* it turns into a hog: full scale after one period of running */
	jp_task_waking(&t, now);
	jp_task_stopping(&t, now + 12000000, 12000000, 1024);
	assert_true(jp_task_util(&t) < 700);
	jp_task_stopping(&t, now + 20000000, 8000000, 1024);
	assert_int_equal(jp_task_util(&t), 1024);
}

/*
 * A light task stays light on a slow CPU: 1 ms of work every 20 ms that a
 * little CPU (capacity 381) stretches to 2.7 ms of run time, with every
 * fourth wakeup late by 10 ms and that run cut in two by a preemption,
 * stays far below the little CPU's misfit threshold (80% of 381).
 */
static void test_light_task_stays_light_when_stretched(void **state)
{
	struct jp_profile p;
	struct jp_task t;
	uint64_t now = 0;

	(void)state;
	jp_profile_init(&p, JOULE_PROFILE_BALANCED);
	jp_task_init(&t, 0, p.init_util);
	for (int i = 0; i < 200; i++) {
		uint64_t late = i % 4 == 3 ? 10000000 : 0;

		jp_task_waking(&t, now + late);
		if (late) {
			jp_task_stopping(&t, now + late + 1350000, 1350000, 381);
			jp_task_stopping(&t, now + late + 4000000, 1350000, 381);
		} else {
			jp_task_stopping(&t, now + 2700000, 2700000, 381);
		}
		now += 20000000;
		if (i > 20)
			assert_true(jp_task_util(&t) * 1024 < 381 * p.misfit_down);
	}
	assert_true(jp_task_util(&t) < 100);
}

/* The request schedutil turns back into the target after its own x1.25. */
static void test_perf_request_on_system_scale(void **state)
{
	(void)state;
	/* a little CPU (381) at its top speed: 305, which schedutil makes 381 */
	assert_int_equal(jp_perf_request(1024, 381), 305);
	assert_true(jp_perf_request(1024, 381) * 5 / 4 >= 381);
	/* half speed on the biggest CPU */
	assert_int_equal(jp_perf_request(512, 1024), 410);
	assert_int_equal(jp_perf_request(0, 1024), 0);
	assert_int_equal(jp_perf_request(1024, 1024), 820);
	/* rate limit: small moves dropped, going idle never */
	assert_false(jp_perf_request_due(300, 300));
	assert_false(jp_perf_request_due(300, 310));
	assert_true(jp_perf_request_due(300, 320));
	assert_true(jp_perf_request_due(10, 0));
	assert_false(jp_perf_request_due(0, 15));
	assert_true(jp_perf_request_due(0, 16));
	/* after a request the kernel may not hold, anything is sent */
	assert_true(jp_perf_request_due(JP_REQUEST_UNSENT, 0));
	assert_true(jp_perf_request_due(JP_REQUEST_UNSENT, 300));
	assert_true(jp_perf_request_due(JP_REQUEST_UNSENT, 1024));
	/* a CPU running below what it asked for (the request was dropped) */
	assert_true(jp_perf_request_lagging(600, 400));
	assert_false(jp_perf_request_lagging(600, 590));
	assert_false(jp_perf_request_lagging(300, 1024));
}

/* A lagging request is resent at most every JP_PERF_RESEND_NS. */
static void test_perf_resend_spaced(void **state)
{
	const u64 ms = 1000000;

	(void)state;
	assert_true(jp_perf_resend_due(600, 400, 100 * ms, 0));
	assert_false(jp_perf_resend_due(600, 400, 100 * ms, 95 * ms));
	assert_true(jp_perf_resend_due(600, 400, 100 * ms, 92 * ms));
	assert_false(jp_perf_resend_due(600, 590, 100 * ms, 0)); /* not lagging */
}

/*
 * A kept request expires JP_KEPT_REQUEST_NS after its CPU went idle, and
 * not when that CPU's clock is ahead of the checker's (the time would wrap).
 */
static void test_kept_request_expiry(void **state)
{
	const u64 now = 1000 * JP_KEPT_REQUEST_NS;

	(void)state;
	assert_true(jp_kept_request_expired(now - JP_KEPT_REQUEST_NS, now));
	assert_false(jp_kept_request_expired(now - JP_KEPT_REQUEST_NS + 1, now));
	assert_false(jp_kept_request_expired(now, now));
	assert_false(jp_kept_request_expired(now + 1000, now)); /* kept a moment after now */
}

/*
 * Gaming: a frame thread's CPU runs at least at the thread's frame speed,
 * keeps its request when it goes idle; the thread is placed for energy,
 * only where it is that fast, with its domain priced at the OPP for that
 * speed, and only on a whole idle core; latency-first, when it falls back
 * to that, prefers the idle CPUs that fast. Latency-critical tasks are
 * placed latency-first.
 */
static void test_gaming_frame_threads(void **state)
{
	struct jp_cpu_state cs[JP_MAX_CPUS];
	struct jp_profile g, b;
	struct jp_pd_scan scan;
	struct jp_tables t;
	struct jp_wake w;
	u32 plain;

	(void)state;
	two_cluster(&t);
	memset(cs, 0, sizeof(cs));
	jp_profile_init(&g, JOULE_PROFILE_GAMING);
	jp_profile_init(&b, JOULE_PROFILE_BALANCED);
	cs[4].util_runnable = 245;
	plain = jp_cpu_perf_target(&t, cs, &g, 4);
	cs[4].frame = 1;
	cs[4].frame_speed = 600;
	assert_int_equal(jp_cpu_perf_target(&t, cs, &g, 4), 600);
	assert_true(plain < 600);
	/* on a little CPU the same speed is a larger share of its own top */
	cs[0] = cs[4];
	assert_int_equal(jp_cpu_perf_target(&t, cs, &g, 0), 1024);
	/* no frame headroom in balanced: the mark changes nothing */
	assert_int_equal(jp_cpu_perf_target(&t, cs, &b, 4), jp_perf_target(245, 1024, b.headroom));
	assert_true(jp_idle_keeps_request(&g, &cs[4]));
	assert_false(jp_idle_keeps_request(&b, &cs[4]));
	assert_false(jp_idle_keeps_request(&g, &cs[5]));

	/* fast enough: a frame speed above the little CPUs' 400 needs a big one */
	memset(cs, 0, sizeof(cs));
	all_idle_wake(&w, 50, JP_NO_CPU);
	w.frame = 1;
	w.frame_speed = 401;
	assert_true(jp_wake_energy_aware(&g, &w));
	assert_false(jp_wake_fits(&g, &w, 0, 400));
	assert_true(jp_wake_fits(&b, &w, 0, 400));
	assert_in_range(jp_select_cpu_energy(&t, cs, NULL, &g, &w), 4, 5);
	w.frame_speed = 390;
	assert_in_range(jp_select_cpu_energy(&t, cs, NULL, &g, &w), 0, 3);
	w.lat_crit = 1;
	assert_false(jp_wake_energy_aware(&g, &w));
	assert_in_range(jp_select_cpu(&t, cs, NULL, &g, &w), 4, 5);
	assert_true(jp_wake_energy_aware(&b, &w));
	w.lat_crit = 0;

	/*
	 * Priced at the frame's OPP: util 50 alone would run the little PD at
	 * its 100 OPP (cost 20 mW * 400 / 100); at speed 390 it runs at 400
	 * (180 mW * 400 / 400): 22500 instead of 10000.
	 */
	jp_pd_scan_start(&scan, 0, 0);
	assert_int_equal(jp_pd_delta(&t.pd[0], &scan, 0, 0, 400, &g, &w, 0), 180000 * 50 / 400);
	w.frame = 0;
	assert_int_equal(jp_pd_delta(&t.pd[0], &scan, 0, 0, 400, &g, &w, 0), 80000 * 50 / 400);

	/* a whole idle core: not beside a busy SMT sibling */
	t.cpu[4].sibling = 5;
	t.cpu[5].sibling = 4;
	all_idle_wake(&w, 50, JP_NO_CPU);
	w.frame = 1;
	w.frame_speed = 600;
	assert_in_range(jp_select_cpu_energy(&t, cs, NULL, &g, &w), 4, 5);
	jp_mask_clear(&w.idle, 5);
	assert_int_equal(jp_select_cpu_energy(&t, cs, NULL, &g, &w), JP_NO_CPU);
	/* then latency-first: an idle CPU that fast, beside a busy sibling or not */
	assert_int_equal(jp_select_cpu(&t, cs, NULL, &g, &w), 4);
	/* another task: a whole idle core first */
	w.frame = 0;
	w.frame_speed = 0;
	w.overutilized = 1;
	assert_int_equal(jp_select_cpu(&t, cs, NULL, &g, &w), 0);
}

static void test_fits_and_perf(void **state)
{
	(void)state;
	assert_true(jp_fits(800, 1024, 1280));
	assert_false(jp_fits(820, 1024, 1280));
	assert_int_equal(jp_perf_target(256, 512, 1280), 640);
	assert_int_equal(jp_perf_target(1000, 512, 1280), 1024);
}

static void test_misfit_hysteresis(void **state)
{
	struct jp_profile p;

	(void)state;
	jp_profile_init(&p, JOULE_PROFILE_BALANCED);
	/* up above 80% of 400 (319.9), down below 60% (239.8) */
	assert_false(jp_misfit(&p, 319, 400, 1024, false));
	assert_true(jp_misfit(&p, 330, 400, 1024, false));
	assert_true(jp_misfit(&p, 260, 400, 1024, true));
	assert_false(jp_misfit(&p, 230, 400, 1024, true));
	assert_false(jp_misfit(&p, 1000, 1024, 1024, false)); /* nowhere bigger */
}

static void test_lat_crit_hysteresis(void **state)
{
	const u64 ms = 1000000;

	(void)state;
	assert_false(jp_lat_crit(0, 0, false));		  /* never woken yet */
	assert_true(jp_lat_crit(33 * ms, 1 * ms, false)); /* a 30 fps frame thread */
	assert_false(jp_lat_crit(60 * ms, 1 * ms, false));
	assert_true(jp_lat_crit(60 * ms, 1 * ms, true)); /* missing frames keeps it */
	assert_false(jp_lat_crit(100 * ms, 1 * ms, true));
	assert_false(jp_lat_crit(10 * ms, 2 * ms, true)); /* runs too long per wakeup */
}

/*
 * Light enough to preempt: an input thread is, and a 240 fps main thread;
 * a loop running 1 ms every 1.2 ms is latency-critical but is not, nor is
 * anything over half of its time.
 */
static void test_lat_light(void **state)
{
	const u64 us = 1000, ms = 1000 * us;

	(void)state;
	assert_true(jp_lat_light(16 * ms, 300 * us));
	assert_true(jp_lat_light(4200 * us, 1500 * us));
	assert_true(jp_lat_light(2 * ms, ms)); /* half, just */
	assert_false(jp_lat_light(2 * ms - 1, ms));
	assert_true(jp_lat_crit(1200 * us, ms, false));
	assert_false(jp_lat_light(1200 * us, ms));
	assert_false(jp_lat_light(0, 1)); /* never woken twice yet */
}

/*
 * A task waking every 100 ms and running 7 ms, as the BPF program and the
 * simulator keep its averages: at no wakeup is it latency-critical or a
 * frame thread. Averaged up from 0 it was both at its second wakeup (25 ms
 * between wakeups, 1.75 ms a run).
 */
static void test_lat_crit_new_task(void **state)
{
	const u64 ms = 1000000;
	u64 wake_period = 0, run_avg = 0;
	bool lat_crit = false;

	(void)state;
	for (int wakeup = 1; wakeup <= 8; wakeup++) {
		if (wakeup > 1)
			wake_period = jp_avg_sample(wake_period, 100 * ms);
		lat_crit = jp_lat_crit(wake_period, run_avg, lat_crit);
		assert_false(lat_crit);
		assert_false(jp_frame_task(wake_period, false));
		run_avg = jp_avg_sample(run_avg, 7 * ms);
	}
	assert_int_equal(wake_period, 100 * ms);
	assert_int_equal(run_avg, 7 * ms);
	/* and a 60 fps thread is one from its second wakeup */
	assert_true(jp_lat_crit(jp_avg_sample(0, 16 * ms), jp_avg_sample(0, ms), false));
}

static void test_pd_energy_picks_covering_opp(void **state)
{
	struct jp_tables t;

	(void)state;
	two_cluster(&t);
	/* max util 150 (no headroom) needs OPP 200 (50 mW): cost 50*1000*2 per cap */
	assert_int_equal(jp_pd_opp_for(&t.pd[0], 150, 1024), 1);
	assert_int_equal(jp_pd_energy(&t.pd[0], 150, 150, 1024),
			 (uint64_t)t.pd[0].opps[1].cost * 150 / 400);
	/* beyond the top: the top OPP */
	assert_int_equal(jp_pd_opp_for(&t.pd[0], 900, 1280), 3);
}

static void test_energy_placement(void **state)
{
	struct jp_cpu_state cs[JP_MAX_CPUS];
	struct jp_tables t;
	struct jp_profile p;
	struct jp_wake w;
	int32_t cpu;

	(void)state;
	two_cluster(&t);
	memset(cs, 0, sizeof(cs));
	jp_profile_init(&p, JOULE_PROFILE_BALANCED);
	/* a small task costs least on a little CPU */
	all_idle_wake(&w, 50, JP_NO_CPU);
	cpu = jp_select_cpu_energy(&t, cs, NULL, &p, &w);
	assert_in_range(cpu, 0, 3);
	/* ties go to the previous CPU */
	all_idle_wake(&w, 50, 2);
	assert_int_equal(jp_select_cpu_energy(&t, cs, NULL, &p, &w), 2);
	/* a task that does not fit a little CPU goes big */
	all_idle_wake(&w, 500, 1);
	cpu = jp_select_cpu_energy(&t, cs, NULL, &p, &w);
	assert_in_range(cpu, 4, 5);
	/* fits nowhere: no answer, the caller places for performance */
	all_idle_wake(&w, 1000, 1);
	assert_int_equal(jp_select_cpu_energy(&t, cs, NULL, &p, &w), JP_NO_CPU);
	assert_in_range(jp_select_cpu(&t, cs, NULL, &p, &w), 4, 5);
	/* overutilized: straight to the best CPU for speed, however light the task */
	all_idle_wake(&w, 50, 1);
	w.overutilized = 1;
	assert_in_range(jp_select_cpu(&t, cs, NULL, &p, &w), 4, 5);
	/* only allowed CPUs */
	all_idle_wake(&w, 50, JP_NO_CPU);
	memset(&w.allowed, 0, sizeof(w.allowed));
	jp_mask_set(&w.allowed, 5);
	assert_int_equal(jp_select_cpu_energy(&t, cs, NULL, &p, &w), 5);
}

static void test_perf_placement(void **state)
{
	struct jp_cpu_state cs[JP_MAX_CPUS];
	struct jp_tables t;
	struct jp_wake w;

	(void)state;
	two_cluster(&t);
	memset(cs, 0, sizeof(cs));
	/* big before little */
	all_idle_wake(&w, 50, 0);
	assert_in_range(jp_select_cpu_perf(&t, cs, &w), 4, 5);
	/* among equals, the previous CPU (cache-near) */
	all_idle_wake(&w, 50, 5);
	assert_int_equal(jp_select_cpu_perf(&t, cs, &w), 5);
	/* idle before busy, even if smaller */
	all_idle_wake(&w, 50, 5);
	jp_mask_clear(&w.idle, 4);
	jp_mask_clear(&w.idle, 5);
	assert_in_range(jp_select_cpu_perf(&t, cs, &w), 0, 3);
	/* idle whole core before an idle SMT thread whose sibling is busy */
	t.cpu[4].sibling = 5;
	t.cpu[5].sibling = 4;
	all_idle_wake(&w, 50, 4);
	jp_mask_clear(&w.idle, 5);
	assert_in_range(jp_select_cpu_perf(&t, cs, &w), 0, 3);
}

/* The PDs' views of a machine where no CPU is idle, built at time 0. */
static void busy_views(const struct jp_tables *t, const struct jp_cpu_state *cs,
		       const struct jp_cpumask *online, struct jp_pd_view *views)
{
	struct jp_cpumask idle;
	struct jp_view_src src = {.idle = &idle, .online = online, .now = 0};

	memset(&idle, 0, sizeof(idle));
	jp_pd_views_build(t, cs, &src, views);
}

static bool overutilized(const struct jp_tables *t, const struct jp_cpu_state *cs,
			 const struct jp_profile *p, const struct jp_cpumask *online)
{
	struct jp_pd_view views[JP_MAX_PDS];

	busy_views(t, cs, online, views);
	return jp_overutilized_views(t, views, p, 0);
}

static bool balance_domains(const struct jp_tables *t, const struct jp_cpu_state *cs,
			    const struct jp_profile *p, const struct jp_cpumask *online,
			    struct jp_balance *b)
{
	struct jp_pd_view views[JP_MAX_PDS];

	busy_views(t, cs, online, views);
	return jp_balance_domains(t, views, p, 0, b);
}

static void test_overutilized_and_balance(void **state)
{
	struct jp_cpu_state cs[JP_MAX_CPUS];
	struct jp_tables t;
	struct jp_profile p;
	struct jp_balance b;
	struct jp_cpumask online;

	(void)state;
	two_cluster(&t);
	memset(cs, 0, sizeof(cs));
	jp_profile_init(&p, JOULE_PROFILE_BALANCED);
	memset(&online, 0, sizeof(online));
	for (int c = 0; c < 6; c++)
		jp_mask_set(&online, c);
	/* a little CPU over capacity is misfit's business, not overutilization */
	cs[0].util_avg = 400;
	assert_false(overutilized(&t, cs, &p, &online));
	cs[4].util_avg = 900;
	assert_true(overutilized(&t, cs, &p, &online));
	/*
	 * The little CPUs busy: fine with the big ones to spare, but with both
	 * big CPUs offline the machine is over what it has online.
	 */
	memset(cs, 0, sizeof(cs));
	for (int c = 0; c < 4; c++)
		cs[c].util_avg = 350;
	assert_false(overutilized(&t, cs, &p, &online));
	jp_mask_clear(&online, 4);
	jp_mask_clear(&online, 5);
	assert_true(overutilized(&t, cs, &p, &online));
	jp_mask_set(&online, 4);
	jp_mask_set(&online, 5);
	/* all load on the little PD: it is over its share, the big PD under */
	memset(cs, 0, sizeof(cs));
	cs[0].util_avg = cs[1].util_avg = cs[2].util_avg = 350;
	assert_true(balance_domains(&t, cs, &p, &online, &b));
	assert_int_equal(b.src_pd, 0);
	assert_int_equal(b.dst_pd, 1);
	/* load in proportion to capacity: nothing to do */
	memset(cs, 0, sizeof(cs));
	cs[0].util_avg = 100;
	cs[4].util_avg = 128;
	assert_false(balance_domains(&t, cs, &p, &online, &b));
	/*
	 * The big CPUs offline: the little PD has all the online capacity, so
	 * its load is its share, however high (counted with the offline
	 * capacity, it was over its share and the offline PD under it).
	 */
	memset(cs, 0, sizeof(cs));
	cs[0].util_avg = cs[1].util_avg = cs[2].util_avg = 350;
	jp_mask_clear(&online, 4);
	jp_mask_clear(&online, 5);
	assert_false(balance_domains(&t, cs, &p, &online, &b));
	/* one big CPU back: the little PD is over its share again */
	jp_mask_set(&online, 4);
	assert_true(balance_domains(&t, cs, &p, &online, &b));
	assert_int_equal(b.src_pd, 0);
	assert_int_equal(b.dst_pd, 1);
	jp_mask_set(&online, 5);
}

/*
 * An idle CPU's average is aged by its readers, to what the CPU's own
 * accounting makes it when it next runs; and a view of a PD that sleeps
 * decays with its CPUs, so overutilization ends without a rebuild.
 */
static void test_idle_cpus_age_unwritten(void **state)
{
	const u64 ms = 1000000;
	struct jp_cpu_state cs[JP_MAX_CPUS], c;
	struct jp_pd_view views[JP_MAX_PDS];
	struct jp_cpumask online, idle;
	struct jp_view_src src = {.idle = &idle, .online = &online, .now = 100 * ms};
	struct jp_tables t;
	struct jp_profile p;
	u32 seen;

	(void)state;
	two_cluster(&t);
	jp_profile_init(&p, JOULE_PROFILE_BALANCED);
	memset(cs, 0, sizeof(cs));
	memset(&online, 0, sizeof(online));
	memset(&idle, 0, sizeof(idle));
	/* big CPU 4 ran flat out until 100 ms, then went idle with its PD */
	for (u64 now = ms; now <= 100 * ms; now += ms)
		jp_cpu_account(&cs[4], now, ms, 1024);
	for (int i = 0; i < 6; i++) {
		jp_mask_set(&online, i);
		jp_mask_set(&idle, i);
	}
	assert_in_range(jp_cpu_util_avg(&cs[4]), 900, 1024);
	/* unchanged until a whole window has passed, then aged as accounting would */
	assert_int_equal(jp_cpu_util_avg_at(&cs[4], 100 * ms + ms / 2, true),
			 jp_cpu_util_avg(&cs[4]));
	seen = jp_cpu_util_avg_at(&cs[4], 132 * ms, true);
	assert_int_equal(jp_cpu_util_avg_at(&cs[4], 132 * ms, false), jp_cpu_util_avg(&cs[4]));
	c = cs[4];
	jp_cpu_account(&c, 132 * ms, 0, 0);
	assert_int_equal(seen, jp_cpu_util_avg(&c));
	assert_in_range(seen, jp_cpu_util_avg(&cs[4]) / 2 - 2, jp_cpu_util_avg(&cs[4]) / 2 + 2);

	jp_pd_views_build(&t, cs, &src, views);
	assert_true(views[1].all_idle);
	assert_true(jp_overutilized_views(&t, views, &p, 100 * ms));
	/* 32 ms later (one half-life) CPU 4 reads about 470: it fits again */
	assert_false(jp_overutilized_views(&t, views, &p, 132 * ms));
	/* a view with a CPU busy in it does not decay */
	jp_mask_clear(&idle, 5);
	jp_pd_views_build(&t, cs, &src, views);
	assert_false(views[1].all_idle);
	assert_true(jp_overutilized_views(&t, views, &p, 132 * ms));
}

/* 8 hogs on 4 little (400) + 2 big (1024) CPUs, every CPU busy */
static void test_overloaded_pd_counts_tasks(void **state)
{
	struct jp_pd_load l[JP_MAX_PDS];
	struct jp_tables t;
	struct jp_profile p;

	(void)state;
	two_cluster(&t);
	jp_profile_init(&p, JOULE_PROFILE_BALANCED);
	memset(l, 0, sizeof(l));
	l[0].busy = 4, l[0].capacity = 1600, l[0].online = 4;
	l[1].busy = 2, l[1].capacity = 2048, l[1].online = 2;
	/* both extra hogs queued on little: 6/1600 vs 2/2048, big takes one */
	l[0].queued = 2;
	assert_int_equal(jp_overloaded_pd(&t, &p, l, 1, 0), 0);
	/* little never takes from big here: big is the less loaded */
	assert_int_equal(jp_overloaded_pd(&t, &p, l, 0, 0), JP_NO_PD);
	/* one each: 5/1600 = 3277/2^20 vs 3/2048 = 1536/2^20, still over 1.25x */
	l[0].queued = 1, l[1].queued = 1;
	assert_int_equal(jp_overloaded_pd(&t, &p, l, 1, 0), 0);
	/* a PD with an idle CPU runs its queue there: 4/1600 vs 1/2048, no pull */
	l[0].busy = 3, l[0].queued = 1, l[1].busy = 1, l[1].queued = 0;
	assert_int_equal(jp_overloaded_pd(&t, &p, l, 1, 0), JP_NO_PD);
	l[0].busy = 4, l[1].busy = 2;
	/* both on big: settled, little has nothing queued to give */
	l[0].queued = 0, l[1].queued = 2;
	assert_int_equal(jp_overloaded_pd(&t, &p, l, 0, 0), JP_NO_PD);
	assert_int_equal(jp_overloaded_pd(&t, &p, l, 1, 0), JP_NO_PD);
	/* a loaded PD with nothing queued, or one the caller skips, gives nothing */
	l[1].queued = 0, l[0].queued = 3;
	assert_int_equal(jp_overloaded_pd(&t, &p, l, 1, 1u << 0), JP_NO_PD);
	l[0].queued = 0, l[0].busy = 4, l[1].busy = 0;
	assert_int_equal(jp_overloaded_pd(&t, &p, l, 1, 0), JP_NO_PD);
	/* a PD with every CPU offline has no load of its own and takes anything */
	l[1].busy = 0, l[1].capacity = 0, l[0].queued = 1;
	assert_int_equal(jp_overloaded_pd(&t, &p, l, 1, 0), 0);
}

/*
 * jp_pd_loads counts mask words; what dispatch counted before, CPU by CPU,
 * must come out the same: 2,000 random states of a 150-CPU machine (three
 * mask words) whose 5 PDs interleave their CPUs and mix capacities, with
 * random online and idle masks (an offline CPU's idle bit set, as the
 * kernel leaves it, must not count). The idle share changes from round to
 * round, from none to all and mostly low, so that PDs with every online CPU
 * busy (no bit in the result) come up often, as do PDs with an idle one.
 */
static void test_pd_loads_match_cpu_count(void **state)
{
	struct jp_pd_load got[JP_MAX_PDS], want[JP_MAX_PDS];
	struct jp_cpumask pd_cpus[JP_MAX_PDS], online, idle;
	u32 cap[JP_MAX_PDS], want_idle_pds, c, pd, round, idle_in_64;
	uint64_t seed = 88172645463325252ull;
	u32 busy_pds = 0, idle_pds_seen = 0;
	static struct jp_tables t;

	(void)state;
	if (JP_MAX_CPUS < 256)
		skip(); /* the machine below needs 150 CPUs and a fourth mask word */
	memset(&t, 0, sizeof(t));
	memset(pd_cpus, 0, sizeof(pd_cpus));
	t.nr_cpus = 150;
	t.nr_pds = 5;
	for (c = 0; c < t.nr_cpus; c++) {
		t.cpu[c].pd = (u8)((c * 7) % t.nr_pds);
		t.cpu[c].capacity = (u16)(200 + 100 * (c % 3) + t.cpu[c].pd);
		jp_mask_set(&pd_cpus[t.cpu[c].pd], c);
	}
	for (round = 0; round < 2000; round++) {
		memset(&online, 0, sizeof(online));
		memset(&idle, 0, sizeof(idle));
		memset(want, 0, sizeof(want));
		want_idle_pds = 0;
		/* 0-8/64 of the CPUs idle in even rounds (whole PDs busy), 0-64/64 in odd */
		idle_in_64 = round % 2 ? round % 65 : round % 9;
		for (c = 0; c < t.nr_cpus; c++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			/* a whole PD offline now and then: its capacity is 0 */
			if ((seed & 7) && (round % 50 || t.cpu[c].pd != 2))
				jp_mask_set(&online, c);
			if (((seed >> 3) & 63) < idle_in_64)
				jp_mask_set(&idle, c);
			if (!jp_mask_test(&online, c))
				continue;
			pd = t.cpu[c].pd;
			want[pd].online++;
			want[pd].capacity += t.cpu[c].capacity;
			if (jp_mask_test(&idle, c))
				want_idle_pds |= 1u << pd;
			else
				want[pd].busy++;
		}
		jp_pd_online_capacity(&t, &online, cap);
		memset(got, 0xff, sizeof(got));
		assert_int_equal(jp_pd_loads(&t, pd_cpus, &online, &idle, cap, 3, got),
				 want_idle_pds);
		for (pd = 0; pd < t.nr_pds; pd++) {
			assert_int_equal(got[pd].online, want[pd].online);
			assert_int_equal(got[pd].busy, want[pd].busy);
			assert_int_equal(got[pd].capacity, want[pd].capacity);
			if (want[pd].online && (want_idle_pds >> pd) & 1)
				idle_pds_seen++;
			else if (want[pd].online)
				busy_pds++;
		}
	}
	/* both kinds of PD came up often: the test can tell them apart */
	assert_true(busy_pds > 1000 && idle_pds_seen > 1000);
	/* the words past the machine's are not read */
	jp_mask_set(&online, 200);
	jp_mask_set(&pd_cpus[0], 200);
	assert_int_equal(jp_pd_loads(&t, pd_cpus, &online, &idle, cap, 3, got), want_idle_pds);
	assert_int_equal(got[0].online, want[0].online);
	assert_int_equal(got[0].busy, want[0].busy);
}

/* A CPU of PD self with nothing special going on: no prev, nothing over its share. */
static void dispatch_in(struct jp_dispatch_in *in, uint32_t self)
{
	memset(in, 0, sizeof(*in));
	in->self = self;
	in->overloaded = JP_NO_PD;
	in->balance_src = JP_NO_PD;
}

static void assert_step(const struct jp_dispatch_plan *plan, uint32_t i, uint8_t kind, uint32_t pd)
{
	assert_true(i < plan->nr);
	assert_int_equal(plan->step[i].kind, kind);
	assert_int_equal(plan->step[i].pd, pd);
}

static void test_dispatch_own_queue_first(void **state)
{
	struct jp_dispatch_plan plan;
	struct jp_dispatch_in in;
	struct jp_tables t;

	(void)state;
	two_cluster(&t);
	dispatch_in(&in, 0);
	in.queued[0] = 2;
	in.queued[1] = 3;
	jp_dispatch_plan(&t, &in, &plan);
	assert_step(&plan, 0, JP_DISPATCH_OWN, 0);
	/* then, idle, the other domain's queue: no task waits while a CPU idles */
	assert_step(&plan, 1, JP_DISPATCH_PULL, 1);
	assert_int_equal(plan.nr, 2);
}

static void test_dispatch_overloaded_first_unless_own_due(void **state)
{
	struct jp_dispatch_plan plan;
	struct jp_dispatch_in in;
	struct jp_tables t;

	(void)state;
	two_cluster(&t);
	dispatch_in(&in, 1);
	in.queued[0] = 6;
	in.queued[1] = 1;
	in.overloaded = 0;
	jp_dispatch_plan(&t, &in, &plan);
	assert_step(&plan, 0, JP_DISPATCH_PULL, 0);
	assert_step(&plan, 1, JP_DISPATCH_OWN, 1);
	/* the own queue waited too long: it goes first, the overloaded PD not at all */
	in.own_due = 1;
	jp_dispatch_plan(&t, &in, &plan);
	assert_step(&plan, 0, JP_DISPATCH_OWN, 1);
	assert_step(&plan, 1, JP_DISPATCH_PULL, 0);
	assert_int_equal(plan.nr, 2);
}

static void test_dispatch_keeps_prev_when_nothing_queued(void **state)
{
	struct jp_dispatch_plan plan;
	struct jp_dispatch_in in;
	struct jp_tables t;

	(void)state;
	two_cluster(&t);
	dispatch_in(&in, 0);
	in.prev_runnable = 1;
	in.balance_src = 1; /* a busy CPU does not balance: jp_overloaded_pd's call */
	in.queued[1] = 2;
	jp_dispatch_plan(&t, &in, &plan);
	assert_step(&plan, 0, JP_DISPATCH_OWN, 0);
	assert_step(&plan, 1, JP_DISPATCH_KEEP, 0);
	assert_int_equal(plan.nr, 2);
	/* before the queue's head in vtime, it goes on first */
	in.queued[0] = 3;
	in.prev_first = 1;
	jp_dispatch_plan(&t, &in, &plan);
	assert_step(&plan, 0, JP_DISPATCH_KEEP, 0);
	assert_int_equal(plan.nr, 1);
	in.queued[0] = 0;
	/* a misfit with a bigger CPU idle is let go, to be placed again */
	in.prev_misfit_up = 1;
	in.idle_pds = 0;
	jp_dispatch_plan(&t, &in, &plan);
	assert_step(&plan, 0, JP_DISPATCH_OWN, 0);
	assert_step(&plan, 1, JP_DISPATCH_PULL, 1);
	assert_int_equal(plan.nr, 2);
}

static void test_dispatch_little_leaves_idle_big_alone(void **state)
{
	struct jp_dispatch_plan plan;
	struct jp_dispatch_in in;
	struct jp_tables t;

	(void)state;
	two_cluster(&t);
	dispatch_in(&in, 0);
	in.queued[1] = 1;
	in.balance_src = 1;
	in.idle_pds = 1u << 1; /* the big PD has an idle CPU: the misfit waits for it */
	jp_dispatch_plan(&t, &in, &plan);
	assert_step(&plan, 0, JP_DISPATCH_OWN, 0);
	assert_int_equal(plan.nr, 1);
	assert_false(jp_pd_may_pull(&t, 0, 1, in.idle_pds));
	assert_int_equal(jp_pull_skip(&t, 0, in.idle_pds), 1u << 1);
	/* a big CPU pulls from the little PD whatever is idle there */
	assert_true(jp_pd_may_pull(&t, 1, 0, 1u << 0));
	/* with no idle big CPU the little one helps, balance source first, once */
	in.idle_pds = 0;
	jp_dispatch_plan(&t, &in, &plan);
	assert_step(&plan, 1, JP_DISPATCH_PULL, 1);
	assert_int_equal(plan.nr, 2);
}

/* A little CPU 0 (capacity 446) that a task is on, and a big CPU 4 (1024). */
static void enqueue_in(struct jp_enqueue_in *in)
{
	memset(in, 0, sizeof(*in));
	in->here = (struct jp_enq_cpu){
		.cpu = 0, .capacity = 446, .may_preempt = 1, .online = 1, .behind_running = 1};
	in->move.cpu = JP_NO_CPU;
}

/*
 * The running task's migration_disabled count may hold the BPF trampoline's
 * own disable (kernels before 6.18, and later with CONFIG_PREEMPT_RCU) or
 * not (6.18+ without it); the first callback that finds it at 0 tells.
 */
static void test_migration_disabled(void **state)
{
	u8 adds_none = 0;

	(void)state;
	/* another task's count is always its own */
	assert_false(jp_migration_disabled(0, false, &adds_none));
	assert_true(jp_migration_disabled(1, false, &adds_none));
	/* the running task at 1: the trampoline's, until a 0 has been seen */
	assert_false(jp_migration_disabled(1, true, &adds_none));
	assert_true(jp_migration_disabled(2, true, &adds_none));
	assert_int_equal(adds_none, 0);
	/* the running task at 0: the trampoline adds none on this kernel */
	assert_false(jp_migration_disabled(0, true, &adds_none));
	assert_int_equal(adds_none, 1);
	assert_true(jp_migration_disabled(1, true, &adds_none));
	assert_false(jp_migration_disabled(0, false, &adds_none));
	assert_true(jp_migration_disabled(1, false, &adds_none));
	/* what was learned stays learned */
	assert_false(jp_migration_disabled(0, true, &adds_none));
	assert_true(jp_migration_disabled(1, true, &adds_none));
}

static void test_enqueue_plan(void **state)
{
	struct jp_enqueue_plan plan;
	struct jp_enqueue_in in;

	(void)state;
	enqueue_in(&in);
	in.wakeup = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_int_equal(plan.cpu, 0);
	assert_false(plan.moved_up);

	/*
	 * A pinned task never moves up, and waits in its CPU's domain queue: two
	 * kept in the local queue would keep the CPU from ever dispatching.
	 */
	in.pinned = 1;
	in.move = (struct jp_enq_cpu){.cpu = 4, .capacity = 1024, .may_preempt = 1, .online = 1};
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_int_equal(plan.cpu, 0);
	assert_false(plan.moved_up);
	/* a latency-critical one still preempts its own CPU in gaming */
	in.lat_preempts = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_PREEMPT);
	assert_int_equal(plan.cpu, 0);
	assert_false(plan.moved_up);
	/* a per-CPU kthread waking, or a task pinned to a CPU going offline: its local queue */
	in.kthread = 1;
	in.wakeup = 1;
	in.lat_preempts = 0;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_LOCAL);
	assert_int_equal(plan.cpu, 0);
	assert_false(plan.moved_up);
	/* but one whose slice ended waits in the queue: two such would keep the CPU from
	 * dispatching */
	in.wakeup = 0;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	in.kthread = 0;
	in.here.online = 0;
	in.here.may_preempt = 0;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_LOCAL);
	/* a kthread that may run on several CPUs is queued as any task */
	in.here.online = 1;
	in.pinned = 0;
	in.kthread = 1;
	in.lat_preempts = 0;
	in.move.cpu = JP_NO_CPU;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_false(plan.head);
	/* at the head of the queue with short runs, as it is queued again or as it wakes */
	in.short_runs = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_true(plan.head);
	in.wakeup = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_true(plan.head);
	/* not any other task, however short its runs */
	in.kthread = 0;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_false(plan.head);
	/* nor where it does not wait in a queue: the local one is first in, first out */
	in.kthread = 1;
	in.wakeup = 0;
	in.last = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_LOCAL);
	assert_false(plan.head);
	in.last = 0;
	in.short_runs = 0;

	/* the last task keeps its CPU, unless it moves up */
	enqueue_in(&in);
	in.last = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_LOCAL);
	in.move = (struct jp_enq_cpu){.cpu = 4, .capacity = 1024, .may_preempt = 1, .online = 1};
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_int_equal(plan.cpu, 4);
	assert_true(plan.moved_up);

	/* up, never sideways: placement's pick of an equal CPU is no move */
	in.move.capacity = 446;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_LOCAL);
	assert_int_equal(plan.cpu, 0);
	assert_false(plan.moved_up);
	/* nor to a CPU that left since placement picked it */
	in.move.capacity = 1024;
	in.move.online = 0;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_LOCAL);
	assert_int_equal(plan.cpu, 0);
	assert_false(plan.moved_up);

	/*
	 * Its CPU leaving (out of the online mask): to placement's online pick,
	 * sideways or down too, and not as its CPU's last; not a misfit's move
	 */
	enqueue_in(&in);
	in.here.online = 0;
	in.here.may_preempt = 0;
	in.move = (struct jp_enq_cpu){
		.cpu = 1, .capacity = 446, .may_preempt = 1, .online = 1, .behind_running = 1};
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_int_equal(plan.cpu, 1);
	assert_false(plan.moved_up);
	in.last = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_int_equal(plan.cpu, 1);
	in.move.capacity = 200;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_int_equal(plan.cpu, 1);
	/* up as well, but a move off a leaving CPU, not a misfit's */
	in.move.capacity = 1024;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_int_equal(plan.cpu, 1);
	assert_false(plan.moved_up);
	in.move.capacity = 446;
	/* a latency-critical wakeup in gaming preempts there, by that CPU's state */
	in.last = 0;
	in.wakeup = 1;
	in.lat_preempts = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_PREEMPT);
	assert_int_equal(plan.cpu, 1);
	/* placement found no online CPU (it answers the task's own): it stays */
	in.move = in.here;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_int_equal(plan.cpu, 0);
	in.wakeup = 0;
	in.last = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_LOCAL);
	/* a pinned one stays in its local queue, whatever placement offers (rule 1 first) */
	in.last = 0;
	in.pinned = 1;
	in.move = (struct jp_enq_cpu){.cpu = 1, .capacity = 446, .may_preempt = 1, .online = 1};
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_LOCAL);
	assert_int_equal(plan.cpu, 0);
}

#define MS 1000000ull

static void test_vtime_place(void **state)
{
	const u64 slice = 5 * MS, clock = 1000 * MS, other = 9000 * MS;

	(void)state;
	/* nice 0 (weight 100) leads by 8 slices at most; nearer stays */
	assert_int_equal(jp_vtime_place(clock + 900 * MS, clock, 0, false, slice, 100),
			 clock + 40 * MS);
	assert_int_equal(jp_vtime_place(clock + 30 * MS, clock, 0, false, slice, 100),
			 clock + 30 * MS);
	/* nice 19 (weight 1) by one slice's charge, 100 slices; weight 0 counts as 1 */
	assert_int_equal(jp_vtime_place(clock + 300 * MS, clock, 0, false, slice, 1),
			 clock + 300 * MS);
	assert_int_equal(jp_vtime_place(clock + 900 * MS, clock, 0, false, slice, 1),
			 clock + 500 * MS);
	assert_int_equal(jp_vtime_place(clock + 900 * MS, clock, 0, false, slice, 0),
			 clock + 500 * MS);
	/* weight 10 (about nice 10): one slice costs 50 ms, more than 8 slices */
	assert_int_equal(jp_vtime_place(clock + 900 * MS, clock, 0, false, slice, 10),
			 clock + 50 * MS);
	/* a sleeper is credited one slice, whatever its weight */
	assert_int_equal(jp_vtime_place(clock - 900 * MS, clock, 0, false, slice, 1),
			 clock - slice);
	assert_int_equal(jp_vtime_place(clock - 900 * MS, clock, 0, false, slice, 10000),
			 clock - slice);
	/* from another domain: its lag over that clock within a slice, its lead within a
	 * slice's charge */
	assert_int_equal(jp_vtime_place(other + 3 * MS, clock, other, true, slice, 100),
			 clock + 3 * MS);
	assert_int_equal(jp_vtime_place(other + 30 * MS, clock, other, true, slice, 100),
			 clock + slice);
	assert_int_equal(jp_vtime_place(other + 300 * MS, clock, other, true, slice, 1),
			 clock + 300 * MS);
	assert_int_equal(jp_vtime_place(other + 900 * MS, clock, other, true, slice, 1),
			 clock + 500 * MS);
	assert_int_equal(jp_vtime_place(other + 900 * MS, clock, other, true, slice, 10),
			 clock + 50 * MS);
	assert_int_equal(jp_vtime_place(other - 2 * MS, clock, other, true, slice, 100),
			 clock - 2 * MS);
	assert_int_equal(jp_vtime_place(other - 900 * MS, clock, other, true, slice, 100),
			 clock - slice);
}

/* A domain's clock follows a start by a slice at most; never back. */
static void test_clock_follow(void **state)
{
	const u64 slice = 5 * MS, clock = 1000 * MS;

	(void)state;
	assert_int_equal(jp_clock_follow(clock, clock + 3 * MS, slice), clock + 3 * MS);
	assert_int_equal(jp_clock_follow(clock, clock + slice, slice), clock + slice);
	/* a rescued nice-19 task half a second ahead moves it one slice */
	assert_int_equal(jp_clock_follow(clock, clock + 500 * MS, slice), clock + slice);
	assert_int_equal(jp_clock_follow(clock, clock - 40 * MS, slice), clock);
	assert_int_equal(jp_clock_follow(clock, clock + 500 * MS, ~0ull >> 1), clock + 500 * MS);
	/* across the wrap of u64, by signed distance */
	assert_int_equal(jp_clock_follow(~0ull - MS, 2 * MS, slice), 2 * MS);
	assert_int_equal(jp_clock_follow(2 * MS, ~0ull - MS, slice), 2 * MS);
}

/* The head of a domain queue: before its first task, never later than the task's own place. */
static void test_queue_head_vtime(void **state)
{
	(void)state;
	assert_int_equal(jp_queue_head_vtime(5000, false, 0, false), 5000);   /* empty queue */
	assert_int_equal(jp_queue_head_vtime(5000, true, 3000, false), 2999); /* moved up */
	assert_int_equal(jp_queue_head_vtime(5000, true, 5000, false),
			 4999); /* a tie: still first */
	assert_int_equal(jp_queue_head_vtime(2000, true, 3000, false), 2000); /* already first */
	/* behind one put at the head before it: the same vtime, which the queue orders after, */
	assert_int_equal(jp_queue_head_vtime(5000, true, 2999, true), 2999);
	/* even from an earlier vtime of its own: the head tasks keep their order */
	assert_int_equal(jp_queue_head_vtime(2000, true, 2999, true), 2999);
	/* vtime wraps: the order is by signed difference, not by value */
	assert_int_equal(jp_queue_head_vtime(5, true, UINT64_MAX - 5, false), UINT64_MAX - 6);
	assert_int_equal(jp_queue_head_vtime(UINT64_MAX - 5, true, 5, false), UINT64_MAX - 5);
	assert_int_equal(jp_queue_head_vtime(5, true, 0, false), UINT64_MAX);
}

/*
 * Short runs: on average a quarter slice at most and an eighth of the time
 * between wakeups, and at most the second time queued again since the last
 * wakeup (requeues counts those before it).
 */
static void test_short_runs(void **state)
{
	const u64 slice = 5000000;

	(void)state;
	assert_true(jp_short_runs(0, 0, 0, slice));		   /* never ran, never slept */
	assert_true(jp_short_runs(30000, 4000000, 0, slice));	   /* rcu_preempt-like, waking */
	assert_true(jp_short_runs(30000, 4000000, 1, slice));	   /* its second requeue */
	assert_true(jp_short_runs(1250000, 10000000, 1, slice));   /* all at their bounds */
	assert_false(jp_short_runs(30000, 4000000, 2, slice));	   /* a third: bulk work now */
	assert_false(jp_short_runs(1250001, 100000000, 0, slice)); /* over a quarter slice */
	assert_false(jp_short_runs(1000000, 1100000, 0, slice));   /* wakes again at once */
	assert_false(jp_short_runs(1000000, 7999999, 0, slice));   /* just over an eighth */
}

static void test_enqueue_plan_lat_crit_preempts(void **state)
{
	struct jp_enqueue_plan plan;
	struct jp_enqueue_in in;

	(void)state;
	enqueue_in(&in);
	in.wakeup = 1;
	in.lat_preempts = 1;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_PREEMPT);
	assert_int_equal(plan.cpu, 0);
	/* not over another latency-critical task, nor when re-queued without waking */
	in.here.may_preempt = 0;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	in.here.may_preempt = 1;
	/* nor over a task it is ahead of in vtime: preempting would buy it CPU time */
	in.here.behind_running = 0;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	in.here.behind_running = 1;
	in.wakeup = 0;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	/* a misfit moving up preempts there, by the bigger CPU's state */
	in.wakeup = 1;
	in.here.may_preempt = 0;
	in.move = (struct jp_enq_cpu){
		.cpu = 4, .capacity = 1024, .may_preempt = 1, .online = 1, .behind_running = 1};
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_PREEMPT);
	assert_int_equal(plan.cpu, 4);
	/* and waits in its queue if ahead of the task running there */
	in.move.behind_running = 0;
	jp_enqueue_plan(&in, &plan);
	assert_int_equal(plan.where, JP_ENQ_QUEUE);
	assert_int_equal(plan.cpu, 4);
}

static void test_tick_plan(void **state)
{
	struct jp_tick_plan plan;
	struct jp_tick_in in = {.queued_free = 0, .misfit = 1, .bigger_idle = 0};

	(void)state;
	jp_tick_plan(&in, &plan);
	assert_false(plan.wake_for_queue);
	assert_false(plan.end_slice); /* no bigger CPU idle: an idle big CPU pulls it later */
	in.bigger_idle = 1;
	in.queued_free = 2;
	jp_tick_plan(&in, &plan);
	assert_true(plan.wake_for_queue);
	assert_true(plan.end_slice);
	in.pinned = 1;
	jp_tick_plan(&in, &plan);
	assert_false(plan.end_slice);
	in.pinned = 0;
	in.misfit = 0;
	jp_tick_plan(&in, &plan);
	assert_false(plan.end_slice);
}

/*
 * A misfit that placement kept on its CPU is not sent again at the next
 * tick: only once its util grew by a sixteenth of the CPU, 32 ms passed, it
 * is on a CPU of another capacity, or it woke; a frame thread in gaming
 * always is.
 */
static void test_misfit_move_due(void **state)
{
	const u64 ms = 1000000, t0 = 1000 * ms;
	const u32 cap = 381;
	struct jp_profile bal, game;
	struct jp_task t;

	(void)state;
	jp_profile_init(&bal, JOULE_PROFILE_BALANCED);
	jp_profile_init(&game, JOULE_PROFILE_GAMING);
	jp_task_init(&t, 0, 320);
	assert_false(jp_misfit_move_due(&t, cap, false, t0)); /* not misfit */
	t.misfit = JP_MISFIT_UTIL;
	assert_true(jp_misfit_move_due(&t, cap, false, t0)); /* never kept */
	jp_misfit_kept(&t, cap, t0);
	assert_false(jp_misfit_move_due(&t, cap, false, t0 + 4 * ms));
	assert_false(jp_misfit_move_due(&t, cap, false, t0 + 31 * ms));
	assert_true(jp_misfit_move_due(&t, cap, false, t0 + 32 * ms));
	/* a clock behind the one it was kept by (another CPU's): sent, not held */
	assert_true(jp_misfit_move_due(&t, cap, false, t0 - 1));
	/* taken to a CPU of another capacity since (a pull, a hotplug move) */
	assert_true(jp_misfit_move_due(&t, 160, false, t0 + 4 * ms));
	/* grown by 381 / 16 = 23 */
	t.util_avg = t.util_est = 342;
	assert_false(jp_misfit_move_due(&t, cap, false, t0 + 4 * ms));
	t.util_avg = t.util_est = 343;
	assert_true(jp_misfit_move_due(&t, cap, false, t0 + 4 * ms));
	t.util_avg = t.util_est = 320;
	/* frame threads, in a profile with frame headroom only */
	assert_true(jp_misfit_always_due(&game, true));
	assert_false(jp_misfit_always_due(&game, false));
	assert_false(jp_misfit_always_due(&bal, true));
	assert_true(jp_misfit_move_due(&t, cap, true, t0 + 4 * ms));
	/* a wakeup places it afresh: sent at its first tick */
	jp_task_waking(&t, t0 + 5 * ms);
	t.misfit = JP_MISFIT_UTIL;
	assert_true(jp_misfit_move_due(&t, cap, false, t0 + 5 * ms));
	/* placement's answer: a bigger pick is no keep, one no bigger is */
	jp_misfit_answered(&t, cap, 1024, t0 + 5 * ms);
	assert_true(jp_misfit_move_due(&t, cap, false, t0 + 6 * ms));
	jp_misfit_answered(&t, cap, cap, t0 + 5 * ms);
	assert_false(jp_misfit_move_due(&t, cap, false, t0 + 6 * ms));
	/* no longer misfit: never sent, whatever the rest says */
	jp_misfit_kept(&t, cap, t0 + 5 * ms);
	t.misfit = 0;
	assert_false(jp_misfit_move_due(&t, cap, true, t0 + 6 * ms));
}

static void test_queue_slice(void **state)
{
	const u64 base = 5000000;

	(void)state;
	/* 4 little CPUs (381 each): up to 8 queued keeps the base slice */
	assert_int_equal(jp_queue_slice(base, 0, 4 * 381, 381), base);
	assert_int_equal(jp_queue_slice(base, 8, 4 * 381, 381), base);
	/* 16 queued: 4 a CPU, twice the depth: half a slice */
	assert_int_equal(jp_queue_slice(base, 16, 4 * 381, 381), base / 2);
	/* the same per CPU on a domain of 2 big CPUs */
	assert_int_equal(jp_queue_slice(base, 8, 2 * 1024, 1024), base / 2);
	/* a queue of 100 on 2 CPUs: the floor */
	assert_int_equal(jp_queue_slice(base, 100, 2 * 1024, 1024), base / JP_QUEUE_SLICE_MIN_DIV);
	/* a gaming quarter slice shrinks the same way */
	assert_int_equal(jp_queue_slice(base / 4, 16, 4 * 381, 381), base / 8);
	/* no online capacity (every CPU of the domain offline): unchanged */
	assert_int_equal(jp_queue_slice(base, 16, 0, 381), base);
	/* 512 CPUs of 1024 with 3000 queued: no overflow */
	assert_int_equal(jp_queue_slice(base, 3000, 512 * 1024, 1024), base * 2 * 512 / 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decay_halves),
		cmocka_unit_test(test_util_converges_to_busy_fraction),
		cmocka_unit_test(test_util_moves_with_a_migrating_task),
		cmocka_unit_test(test_util_est_rises_at_once),
		cmocka_unit_test(test_util_est_judged_over_the_period),
		cmocka_unit_test(test_perf_request_on_system_scale),
		cmocka_unit_test(test_light_task_stays_light_when_stretched),
		cmocka_unit_test(test_perf_resend_spaced),
		cmocka_unit_test(test_kept_request_expiry),
		cmocka_unit_test(test_gaming_frame_threads),
		cmocka_unit_test(test_fits_and_perf),
		cmocka_unit_test(test_misfit_hysteresis),
		cmocka_unit_test(test_lat_crit_hysteresis),
		cmocka_unit_test(test_lat_light),
		cmocka_unit_test(test_lat_crit_new_task),
		cmocka_unit_test(test_pd_energy_picks_covering_opp),
		cmocka_unit_test(test_energy_placement),
		cmocka_unit_test(test_perf_placement),
		cmocka_unit_test(test_overutilized_and_balance),
		cmocka_unit_test(test_idle_cpus_age_unwritten),
		cmocka_unit_test(test_overloaded_pd_counts_tasks),
		cmocka_unit_test(test_pd_loads_match_cpu_count),
		cmocka_unit_test(test_dispatch_own_queue_first),
		cmocka_unit_test(test_dispatch_overloaded_first_unless_own_due),
		cmocka_unit_test(test_dispatch_keeps_prev_when_nothing_queued),
		cmocka_unit_test(test_dispatch_little_leaves_idle_big_alone),
		cmocka_unit_test(test_migration_disabled),
		cmocka_unit_test(test_enqueue_plan),
		cmocka_unit_test(test_enqueue_plan_lat_crit_preempts),
		cmocka_unit_test(test_queue_head_vtime),
		cmocka_unit_test(test_short_runs),
		cmocka_unit_test(test_vtime_place),
		cmocka_unit_test(test_clock_follow),
		cmocka_unit_test(test_tick_plan),
		cmocka_unit_test(test_misfit_move_due),
		cmocka_unit_test(test_queue_slice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
