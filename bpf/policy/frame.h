/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: frame threads' deadlines, in profiles with frame
 * headroom (gaming).
 *
 * A frame thread (jp_frame_task) has its period to do its work. A game's
 * frame is often a chain of stages: main simulates, then wakes the render
 * thread, and both must be done before the next frame begins. A frame
 * thread woken by a frame thread of about its period is the next stage of
 * the waker's frame: it inherits the frame's start, and the waker learns
 * the average work of the stage after it (jp_frame_wakeup).
 *
 * A stage's work is estimated from its past activations: their average
 * plus twice their mean deviation (jp_frame_work), near the largest when
 * the work jitters. Its speed (jp_frame_speed, system-wide capacity scale)
 * is that work, less what it has done, times frame_headroom (for its wakeup
 * and the frequency change), plus frame_next_share of the next stage's
 * average work, over the time left in the frame. The next stage gets its own
 * margin when it wakes, from the time then left: a stage that ran long
 * leaves it less time and so a higher speed, one that ran short a lower
 * one. One speed for the whole frame is what costs least on a convex power
 * curve; but the next stage may run on a faster CPU than this one, so this
 * stage plans for only a share of it (in full, a frame just too big for a
 * little CPU put its first stage on a big one in most frames).
 *
 * Energy placement puts a stage only on a whole idle core at least that
 * fast (jp_wake_fits, jp_frame_cpu_ok) and prices its domain at the OPP for
 * that speed (jp_pd_delta); latency-first placement, when it falls back to
 * that, ranks the idle CPUs that fast first. The CPU's frequency target is
 * at least the speed while the stage runs; the tick recomputes it from the
 * work done and the time left, and the stage keeps the highest of its
 * activation (jp_frame_speed_running).
 *
 * Before this (to d9a7a3f) each frame thread ran at 2.625x its own util,
 * placed latency-first on a big CPU: 0-1 missed frames a minute in the
 * simulator's game, at 1.65-2.35x the energy of EAS, which misses a sixth
 * of them. Now none missed at 1.26-1.68x (docs/evaluation.md).
 */
#ifndef JOULE_POLICY_FRAME_H
#define JOULE_POLICY_FRAME_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

/* Periods within a quarter of each other belong to the same frame loop. */
static __always_inline bool jp_same_period(u64 a, u64 b)
{
	u64 d = a > b ? a - b : b - a;

	return a && b && d <= a / 4;
}

/*
 * A frame stage's work, the invariant ns it may need per activation: its
 * average plus twice the mean deviation (with jitter spread evenly over
 * +-25%, that is the largest). Before the first activation ended, its util
 * of its period.
 */
static __always_inline u64 jp_frame_work(const struct jp_task *t)
{
	if (!t->work_avg)
		return (u64)jp_task_util(t) * t->period_avg / JP_SCALE;
	return (u64)t->work_avg + 2 * (u64)t->work_dev;
}

/*
 * Frame thread t wakes (after jp_task_waking(t, now)); waker is the frame
 * thread that woke it, or NULL if none did (a timer, an interrupt, a thread
 * of another kind). A waker of about t's period whose frame began less than
 * a period ago makes t the next stage of that frame. A wrong waker (the
 * task an interrupt happened to find running) can only make the frame look
 * older than it is: a higher speed, never a missed frame.
 */
static __always_inline void jp_frame_wakeup(struct jp_task *t, struct jp_task *waker, u64 now)
{
	u64 work;

	/*
	 * An activation that woke no next stage (a dropped frame, or a render
	 * thread still busy when main signalled it: no wakeup) does not mean
	 * the frame has none: the old value fades instead.
	 */
	t->next_work = t->next_work_now ? t->next_work_now : t->next_work - t->next_work / 4;
	t->next_work_now = 0;
	t->speed_peak = 0;
	t->frame_start = now;
	if (!waker || waker == t || !jp_same_period(t->period_avg, waker->period_avg) ||
	    now < waker->frame_start ||
	    now - waker->frame_start >= jp_min64(waker->period_avg, t->period_avg))
		return;
	t->frame_start = waker->frame_start;
	work = jp_min64(t->work_avg ? t->work_avg : jp_frame_work(t), 0xffffffffu);
	if (work > waker->next_work_now)
		waker->next_work_now = (u32)work;
}

/*
 * The speed a frame thread needs now, 0..1024 on the system-wide scale (0:
 * no frame headroom in this profile): the work it may still have times
 * frame_headroom (for the wakeup and the frequency change), plus
 * frame_next_share of the next stage's average work, over the time left in
 * its frame. A stage that runs
 * past its estimate still has at least its deviation, or an eighth of its
 * average, to do: with steady work the deviation is next to nothing.
 */
static __always_inline u32 jp_frame_speed(const struct jp_profile *p, const struct jp_task *t,
					  u64 now)
{
	u64 period = t->period_avg, elapsed, own, least, work;

	if (!p->frame_headroom || !period)
		return 0;
	elapsed = now > t->frame_start ? now - t->frame_start : 0;
	if (elapsed >= period)
		return JP_SCALE;
	own = jp_frame_work(t);
	least = jp_max64(t->work_dev, t->work_avg / 8);
	own = own > t->period_work + least ? own - t->period_work : least;
	work = own * p->frame_headroom + (u64)t->next_work * p->frame_next_share;
	return (u32)jp_min64(work / (period - elapsed), JP_SCALE);
}

/*
 * The speed a running frame stage asks for (ops.running, ops.tick): the
 * highest jp_frame_speed of its activation so far. Recomputed freely, the
 * speed of a stage about to run past its estimate fell (the estimate said
 * it was nearly done) and it missed frames; kept per task, not per CPU, so
 * that a preemption or a move to another CPU does not lose it.
 */
static __always_inline u32 jp_frame_speed_running(const struct jp_profile *p, struct jp_task *t,
						  u64 now)
{
	u32 speed = jp_frame_speed(p, t, now);

	if (speed > t->speed_peak)
		t->speed_peak = speed;
	return t->speed_peak;
}

/* The util whose OPP (jp_pd_opp_for with headroom) runs at speed. */
static __always_inline u32 jp_frame_util(u32 speed, u32 headroom)
{
	if (!headroom)
		return speed;
	return (u32)(((u64)speed * JP_SCALE + headroom - 1) / headroom);
}

#endif /* JOULE_POLICY_FRAME_H */
