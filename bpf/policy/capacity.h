/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: fit, overutilization, misfit and latency-critical tasks.
 *
 * Fit: util fits capacity cap when util * fit_margin <= cap * 1024
 * (fit_margin 1280 = 25% spare, the kernel's fits_capacity() margin).
 *
 *
 * Overutilization (when energy placement is abandoned for jp_select_cpu_perf).
 * The kernel gives up EAS when any CPU is over capacity; here a little CPU over
 * its capacity is left to misfit migration, and the energy path is abandoned
 * only when a CPU of the biggest class is over, or the whole system is:
 *   sum(cpu_util) * fit_margin > sum(capacity) * 1024, over the online CPUs.
 *
 * Misfit, with hysteresis: a task on a CPU smaller than the biggest becomes
 * misfit when util * 1024 > cap * misfit_up, and stops being misfit only when
 * util * 1024 < cap * misfit_down (misfit_down < misfit_up).
 */
#ifndef JOULE_POLICY_CAPACITY_H
#define JOULE_POLICY_CAPACITY_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

static __always_inline bool jp_fits(u32 util, u32 capacity, u32 fit_margin)
{
	return (u64)util * fit_margin <= (u64)capacity * JP_SCALE;
}

/*
 * The system's load as the rule above reads it, summed per PD from the PDs'
 * views (placement.h: jp_sys_load_add, jp_overutilized_views). Over online
 * CPUs only: an offline CPU's capacity does not take load, and counted,
 * with all big CPUs offline the system was never overutilized.
 */
struct jp_sys_load {
	u64 util;	  /* the online CPUs' utilization */
	u64 cap;	  /* ... and capacity */
	u32 big_max_util; /* the most utilized online CPU of the biggest class */
	u32 pad;
};

/* The rule's two halves: the busiest big CPU does not fit, ... */
static __always_inline bool jp_big_unfit(const struct jp_tables *t, const struct jp_profile *p,
					 u32 big_max_util)
{
	return !jp_fits(big_max_util, t->max_capacity, p->fit_margin);
}

/* ... or the online CPUs together do not. */
static __always_inline bool jp_load_over(const struct jp_profile *p, u64 util, u64 cap)
{
	return util * p->fit_margin > cap * JP_SCALE;
}

static __always_inline bool jp_overutilized(const struct jp_tables *t, const struct jp_profile *p,
					    const struct jp_sys_load *l)
{
	return jp_big_unfit(t, p, l->big_max_util) || jp_load_over(p, l->util, l->cap);
}

/*
 * Should a task of util running on a CPU of capacity cap move to a bigger
 * CPU? was_misfit is the previous answer (hysteresis). Never misfit on the
 * biggest CPUs: there is nowhere to go.
 */
static __always_inline bool jp_misfit(const struct jp_profile *p, u32 util, u32 cap, u32 max_cap,
				      bool was_misfit)
{
	if (cap >= max_cap)
		return false;
	if (was_misfit)
		return (u64)util * JP_SCALE >= (u64)cap * p->misfit_down;
	return (u64)util * JP_SCALE > (u64)cap * p->misfit_up;
}

/*
 * Latency-critical: a task that wakes often and runs briefly each time, like
 * a game's frame thread, an audio callback or a compositor. wake_period and
 * run_avg are the task's averages (ns) of the time between wakeups and of
 * its run time per wakeup. 20 wakeups a second is below the frame rate of
 * any game, so 30 fps threads qualify. A task that is already latency-
 * critical keeps the mark up to twice that period: one kept waiting misses
 * frames and so wakes less often, which would take the mark away when it
 * needs it most (docs/design.md has the trace that showed it).
 */
/*
 * The running averages behind jp_lat_crit and jp_frame_task (wake_period,
 * run_avg): 3/4 of the old and 1/4 of the new, but the first sample is the
 * average. Started from 0, a task waking every 100 ms and running 7 ms read
 * as waking every 25 ms and running 1.75 ms at its second wakeup, and was
 * latency-critical and a frame thread for its first few: every process a
 * build forks could preempt in gaming.
 */
static __always_inline u64 jp_avg_sample(u64 avg, u64 sample)
{
	return avg ? (avg * 3 + sample) / 4 : sample;
}

static __always_inline bool jp_lat_crit(u64 wake_period, u64 run_avg, bool was_lat_crit)
{
	u64 limit = was_lat_crit ? 2 * JP_LAT_WAKE_PERIOD_NS : JP_LAT_WAKE_PERIOD_NS;

	return wake_period && wake_period < limit && run_avg < JP_LAT_RUN_NS;
}

/*
 * Light enough to preempt (gaming, jp_enqueue_plan): a latency-critical
 * task's runs take at most 1 / JP_LAT_PREEMPT_DUTY_DIV of the time between
 * its wakeups. Preemption buys latency, not CPU time: a task that preempts
 * at every wakeup gets all it asks for ahead of what it preempts, and a
 * loop running 1 ms every 1.2 ms left a CPU hog beside it on one CPU 14-15%
 * of it (EEVDF: 56%; VM scenario hybrid-gaming). At half, beside one other
 * task it takes no more than its share; a game's main thread at 240 fps
 * (1.5 ms every 4.2 ms) is under it, its input and audio threads far under.
 */
#define JP_LAT_PREEMPT_DUTY_DIV 2

static __always_inline bool jp_lat_light(u64 wake_period, u64 run_avg)
{
	return run_avg * JP_LAT_PREEMPT_DUTY_DIV <= wake_period;
}

/*
 * A frame thread: a user thread that wakes at least 20 times a second,
 * whatever it runs per wakeup (a game's main and render threads run longer
 * than a latency-critical task may). Its period is its deadline. Not a
 * kernel thread: RCU's and the workqueues' wake as often, and taking them
 * for frames kept idle CPUs' requests up long after a game had stopped.
 */
static __always_inline bool jp_frame_task(u64 wake_period, bool kthread)
{
	return !kthread && wake_period && wake_period < JP_LAT_WAKE_PERIOD_NS;
}

/*
 * Updates t->misfit for the CPU the task runs on and returns it. frame_speed
 * is the speed its frame needs if it is a running frame stage (the CPU's
 * jp_cpu_state.frame_speed), else 0: a stage that ran long on a CPU that
 * cannot go that fast has outgrown it whatever its util, and moving it up
 * is what saves the frame.
 */
static __always_inline bool jp_task_misfit(const struct jp_tables *tb, const struct jp_profile *p,
					   struct jp_task *t, u32 cpu, u32 frame_speed)
{
	u32 cap;
	bool by_util, by_frame;

	if (cpu >= JP_MAX_CPUS)
		return false;
	cap = tb->cpu[cpu].capacity;
	/* the util hysteresis goes on its own answer, not on the frame's */
	by_util = jp_misfit(p, jp_task_util(t), cap, tb->max_capacity, t->misfit & JP_MISFIT_UTIL);
	by_frame = p->frame_headroom && frame_speed > cap && cap < tb->max_capacity;
	t->misfit = (by_util ? JP_MISFIT_UTIL : 0) | (by_frame ? JP_MISFIT_FRAME : 0);
	return t->misfit;
}

/*
 * When a misfit is sent to placement again. When placement kept it on its
 * CPU (its pick no bigger), that answer stands until something placement
 * weighs has moved: the task's util, by a sixteenth of the CPU's capacity;
 * the other tasks' loads and the idle CPUs, given JP_MISFIT_RETRY_NS; the
 * capacity of the CPU it is on (a pull or a hotplug move took it to a CPU of
 * another kind); or it slept (its wakeup places it afresh). Until then neither the tick nor the
 * end of a slice sends it again, unless its answer changes by the tick: a
 * frame thread in a profile with frame headroom, whose frame's speed grows
 * by the tick, is always sent (held like the others, the phone model's game
 * missed 5 frames over seeds 1-6, not 2). Sent at every tick, a misfit that
 * placement kept on its little CPU went through the slice's end and
 * placement each time: in the simulator's build on the Alder Lake model,
 * 5,061 slices a minute ended by the tick, for 101 moves up. With 8 ms
 * instead of 32 the simulator's minutes cost more, not less.
 */
#define JP_MISFIT_RETRY_NS (32ull * 1000 * 1000)

/* Placement kept t, a misfit, on its CPU of capacity cap, now. */
static __always_inline void jp_misfit_kept(struct jp_task *t, u32 cap, u64 now)
{
	t->kept_util = jp_task_util(t) + 1;
	t->kept_cap = cap;
	t->kept_ns = now;
}

/*
 * Placement's answer for t, a misfit on a CPU of capacity cap: a pick of
 * capacity pick_cap. One no bigger keeps it there (jp_misfit_kept).
 */
static __always_inline void jp_misfit_answered(struct jp_task *t, u32 cap, u32 pick_cap, u64 now)
{
	if (pick_cap <= cap)
		jp_misfit_kept(t, cap, now);
}

/* A misfit sent to placement whatever it said last (frame: jp_frame_task). */
static __always_inline bool jp_misfit_always_due(const struct jp_profile *p, bool frame)
{
	return frame && p->frame_headroom;
}

/* Is t, on a CPU of capacity cap, a misfit to send to placement now? */
static __always_inline bool jp_misfit_move_due(const struct jp_task *t, u32 cap, bool always,
					       u64 now)
{
	if (!t->misfit)
		return false;
	if (always || !t->kept_util || cap != t->kept_cap || now < t->kept_ns ||
	    now - t->kept_ns >= JP_MISFIT_RETRY_NS)
		return true;
	return jp_task_util(t) + 1 >= t->kept_util + cap / 16;
}

#endif /* JOULE_POLICY_CAPACITY_H */
