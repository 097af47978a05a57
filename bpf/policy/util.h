/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: task and CPU utilization.
 *
 * Task utilization (jp_task_*). Frequency- and capacity-invariant work: a run
 * of r ns at capacity-now c counts as r * c / 1024 ns of "full-speed" work.
 *   util_avg: exponential moving average of (invariant busy time / wall time),
 *     half-life JP_UTIL_HALF_LIFE_NS (32 ms, as PELT's 32 ms): over a window
 *     of w ns with invariant busy b ns,  avg' = avg*d + (1024*b/w)*(1-d),
 *     d = 2^(-w/half_life) computed in 16-bit fixed point (jp_decay); windows
 *     shorter than JP_UTIL_MIN_WINDOW_NS (1 ms) accumulate into the next.
 *   util_est: quick to rise, slow to fall. While a task runs without sleeping
 *     its activation sample 1024*work/max(elapsed, window) lifts util_est at
 *     once; window is the task's usual period between wakeups (a moving
 *     average, at least JP_EST_MIN_WINDOW_NS = 8 ms, at most
 *     JP_EST_MAX_WINDOW_NS = 32 ms). So a task running 10 ms of every 20 ms
 *     reads 50%, even if one run is delayed or stretched, while a task that
 *     stops sleeping reaches full scale once it has run a whole window. At
 *     each wakeup the sample of the finished period (previous wakeup to this
 *     one) replaces util_est if higher, else util_est falls by 1/4 of the
 *     difference.
 *   task util = min(1024, max(util_avg, util_est)).
 *
 * At wakeup util_avg first decays over the sleep (a window with no work).
 *
 * CPU utilization: max(util_avg of the CPU's busy time, util of the task
 * running on it + utils of the tasks placed on it that have not started);
 * the caller maintains all three (jp_cpu_account, util_runnable,
 * jp_cpu_pending_add/sub).
 */
#ifndef JOULE_POLICY_UTIL_H
#define JOULE_POLICY_UTIL_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

static __always_inline void jp_task_init(struct jp_task *t, u64 now, u32 initial_util)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->util_avg = initial_util;
	t->util_fp = (u64)initial_util << 16;
	t->util_est = initial_util;
	t->last_update_ns = now;
	t->wake_ns = now;
}

static __always_inline u32 jp_task_util(const struct jp_task *t)
{
	return (u32)jp_min64(jp_max64(t->util_avg, t->util_est), JP_SCALE);
}

/* The window an activation is judged over: the task's usual period, bounded. */
static __always_inline u64 jp_est_window(const struct jp_task *t)
{
	return jp_min64(jp_max64(t->period_avg, JP_EST_MIN_WINDOW_NS), JP_EST_MAX_WINDOW_NS);
}

/*
 * util_avg takes in the window since its last update, with the work done in
 * it (window_work); windows under JP_UTIL_MIN_WINDOW_NS wait for more.
 */
static __always_inline void jp_task_update_avg(struct jp_task *t, u64 now)
{
	if (now >= t->last_update_ns + JP_UTIL_MIN_WINDOW_NS) {
		t->util_avg = jp_ema_util(&t->util_fp, now - t->last_update_ns, t->window_work);
		t->last_update_ns = now;
		t->window_work = 0;
	}
}

/*
 * The task stops running (slice end, preemption or blocking) after ran_ns at
 * capacity-now cap_now. Updates util_avg over the window since the last
 * update and lets util_est rise at once if this activation is busier.
 */
static __always_inline void jp_task_stopping(struct jp_task *t, u64 now, u64 ran_ns, u32 cap_now)
{
	u64 work = jp_work_of_run(ran_ns, cap_now);
	u64 elapsed, sample;

	t->window_work += work;
	t->period_work += work;
	jp_task_update_avg(t, now);
	elapsed = now > t->wake_ns ? now - t->wake_ns : 0;
	elapsed = jp_max64(elapsed, jp_est_window(t));
	sample = jp_min64((t->period_work * JP_SCALE) / elapsed, JP_SCALE);
	if (sample > t->util_est)
		t->util_est = (u32)sample;
}

/*
 * The activation that ends at a wakeup into the task's work statistics:
 * averages over about 8 activations of its work and of that work's
 * distance from the average (policy/frame.h estimates a frame's stage by
 * them).
 */
static __always_inline void jp_task_work_fold(struct jp_task *t)
{
	u32 w = (u32)jp_min64(t->period_work, 0xffffffffu);
	u32 diff;

	if (!t->work_avg) {
		t->work_avg = w;
		t->work_dev = w / 4;
		return;
	}
	diff = w > t->work_avg ? w - t->work_avg : t->work_avg - w;
	if (w > t->work_avg)
		t->work_avg += (w - t->work_avg) / 8;
	else
		t->work_avg -= (t->work_avg - w) / 8;
	if (diff > t->work_dev)
		t->work_dev += (diff - t->work_dev) / 8;
	else
		t->work_dev -= (t->work_dev - diff) / 8;
}

/*
 * The task wakes up. util_avg decays over the sleep (a window without work,
 * the same decay as while it runs, as PELT decays a blocked task): without
 * this a task that ran hot and slept 200 ms woke with the util_avg it had
 * when it stopped, and the sleep counted only at its next stop, after it
 * had been placed. The period since the previous wakeup is complete: its
 * busy fraction moves util_est (up at once, down by a quarter of the gap),
 * which so keeps a periodic task's size over its sleeps.
 */
static __always_inline void jp_task_waking(struct jp_task *t, u64 now)
{
	u64 period = now > t->wake_ns ? now - t->wake_ns : 0;
	u64 sample;

	jp_task_update_avg(t, now);
	t->period_avg = t->period_avg ? (t->period_avg * 3 + period) / 4 : period;
	period = jp_max64(period, JP_EST_MIN_WINDOW_NS);
	sample = jp_min64((t->period_work * JP_SCALE) / period, JP_SCALE);
	if (sample >= t->util_est)
		t->util_est = (u32)sample;
	else
		t->util_est -= (t->util_est - (u32)sample) / 4;
	jp_task_work_fold(t);
	t->wake_ns = now;
	t->period_work = 0;
	t->kept_util = 0; /* its wakeup places it afresh */
}

/* The CPU ran tasks for ran_ns at cap_now since its last update. */
static __always_inline void jp_cpu_account(struct jp_cpu_state *c, u64 now, u64 ran_ns, u32 cap_now)
{
	u64 removed;

	c->busy_work += jp_work_of_run(ran_ns, cap_now);
	if (now >= c->last_update_ns + JP_UTIL_MIN_WINDOW_NS) {
		removed = (u64)__sync_lock_test_and_set(&c->util_removed, 0) << 16;
		c->util_fp -= jp_min64(removed, c->util_fp);
		c->util_avg = jp_ema_util(&c->util_fp, now - c->last_update_ns, c->busy_work);
		c->last_update_ns = now;
		c->busy_work = 0;
	}
}

/*
 * A task of util (its util_avg) moved from CPU from to CPU to, and runs
 * there: its share of the CPUs' busy averages moves with it, as PELT moves
 * a migrating task's load. Left where it was, the old CPU looked busy for
 * tens of ms after the task had gone (half-life 32 ms) and the new one
 * empty between the task's runs; a light task moving down to an idle little
 * CPU added its own util on top of the ghost there, which could lift the
 * whole little domain an OPP and make the move look dearer than staying on
 * a big CPU (hybrid-views: light tasks kept on big CPUs for good).
 * Called on to's CPU; from's share is taken off at its next update.
 */
static __always_inline void jp_cpu_migrate(struct jp_cpu_state *from, struct jp_cpu_state *to,
					   u32 util)
{
	__sync_fetch_and_add(&from->util_removed, util);
	to->util_fp = jp_min64(to->util_fp + ((u64)util << 16), (u64)JP_SCALE << 16);
	to->util_avg = jp_util_of_fp(to->util_fp);
}

/*
 * A task of util is placed on the CPU and waits to run there; it counts
 * until it starts (jp_cpu_pending_sub then, on this CPU whichever runs it).
 * Without it a burst of wakeups saw the CPU the first one was given still
 * empty, and every energy evaluation picked that same CPU. Atomic: the CPU
 * placing the task is often not this one.
 */
static __always_inline void jp_cpu_pending_add(struct jp_cpu_state *c, u32 util)
{
	__sync_fetch_and_add(&c->util_pending, util);
}

static __always_inline void jp_cpu_pending_sub(struct jp_cpu_state *c, u32 util)
{
	__sync_fetch_and_sub(&c->util_pending, util);
}

/* The CPU's busy average less what tasks that moved away took with them. */
static __always_inline u32 jp_cpu_util_avg(const struct jp_cpu_state *c)
{
	return c->util_avg > c->util_removed ? c->util_avg - c->util_removed : 0;
}

/* The running task plus those waiting for the CPU, or its busy average. */
static __always_inline u32 jp_cpu_util(const struct jp_cpu_state *c)
{
	return (u32)jp_max64(jp_cpu_util_avg(c), (u64)c->util_runnable + c->util_pending);
}

/*
 * An idle CPU's busy average at now, without writing it: what
 * jp_cpu_account(c, now, 0, 0) would make it. An idle CPU does not tick, so
 * its average is only brought up to date when it next runs (the caller folds
 * the idle time in then, before anything else); until then every reader
 * ages it alone. Aging every idle CPU in one pass instead (once a ms) cost
 * O(CPUs) and wrote every idle CPU's state from wherever that pass ran.
 */
static __always_inline u32 jp_cpu_util_avg_at(const struct jp_cpu_state *c, u64 now, bool idle)
{
	u64 fp, removed;

	if (!idle || now < c->last_update_ns + JP_UTIL_MIN_WINDOW_NS)
		return jp_cpu_util_avg(c);
	removed = (u64)c->util_removed << 16;
	fp = c->util_fp - jp_min64(removed, c->util_fp);
	return jp_util_of_fp(jp_ema_fp(fp, now - c->last_update_ns, c->busy_work));
}

/* jp_cpu_util at now, for a CPU that is idle (idle) or running. */
static __always_inline u32 jp_cpu_util_raw_at(const struct jp_cpu_state *cs, u32 cpu, u64 now,
					      bool idle)
{
	if (cpu >= JP_MAX_CPUS)
		return 0;
	return (u32)jp_max64(jp_cpu_util_avg_at(&cs[cpu], now, idle),
			     (u64)cs[cpu].util_runnable + cs[cpu].util_pending);
}

/*
 * Utilization as EAS uses it, never above what the CPU can deliver: at now,
 * for a CPU that is idle (idle) or running.
 */
static __always_inline u32 jp_cpu_util_at(const struct jp_tables *t, const struct jp_cpu_state *cs,
					  u32 cpu, bool idle, u64 now)
{
	if (cpu >= JP_MAX_CPUS)
		return 0;
	return (u32)jp_min64(jp_cpu_util_raw_at(cs, cpu, now, idle), t->cpu[cpu].capacity);
}

#endif /* JOULE_POLICY_UTIL_H */
