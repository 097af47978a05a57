/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: where a runnable task waits (ops.enqueue), and what a
 * busy CPU's tick does about its queue and the task it runs (ops.tick).
 *
 * Enqueue, in order:
 *   1. a per-CPU kthread that wakes goes to its CPU's local queue: a
 *      backlog in a domain queue must never stall one. So does any task
 *      pinned to a CPU going offline, which no longer asks for work. Other
 *      pinned tasks, and a per-CPU kthread whose slice ended, wait in their
 *      CPU's domain queue like the rest: the kernel calls dispatch only when
 *      a CPU's local queue is empty, and two tasks pinned to one CPU (taskset,
 *      as any user may) kept one there at every slice's end, so that CPU
 *      never took from its domain's queue again;
 *   2. a misfit task moves up, never sideways, and only to a bigger CPU that
 *      is idle: with every big CPU busy it would wait in their queue while
 *      the little CPU it left, idle at once, pulled it straight back;
 *      a task whose CPU is leaving (out of the online mask, on its way
 *      down) moves to where placement puts it among the online CPUs: in the
 *      leaving CPU's domain queue it would wait for the queue watch once
 *      that CPU stops taking from queues (soon: the kernel still asks
 *      ops.enqueue only while the CPU is active), its domain maybe having
 *      no other CPU;
 *   3. a task enqueued as its CPU's last (SCX_OPS_ENQ_LAST: its slice ended
 *      with nothing else to run there) keeps that CPU, unless it moved;
 *   4. gaming: a latency-critical wakeup goes to the head of its CPU's local
 *      queue and preempts what runs there. Queued by vtime instead, it waited
 *      behind the hog it preempted, since a sleeper is credited at most one
 *      slice. Only while the task is behind what it preempts in vtime
 *      (behind_running), and only a task whose runs take at most half its
 *      time (jp_lat_light): one that preempts at every wakeup gets all it
 *      asks for ahead of what it preempts, whatever its weight, and so did
 *      two that took turns, each under half. Not over another such task:
 *      they would only take turns preempting each other;
 *   5. everything else waits in its CPU's domain queue, by vtime, and an
 *      idle CPU is woken for it (the caller's kick: never leave an allowed
 *      CPU idle while the task waits). A kernel thread whose runs are
 *      short (jp_short_runs: rcu_preempt, most kworkers) goes to the head
 *      of that queue as it wakes, and the first two times it is queued
 *      again before it sleeps (its slice ended, or it was preempted): by
 *      vtime, under hybrid-stress, rcu_preempt waited up to 526 ms, mostly
 *      after a slice's end, and once held up an RCU grace period for 3 s.
 *      Only short runs: a kernel thread doing bulk work (kcryptd, a
 *      writeback kworker) would jump the queue at every wakeup.
 * Tick, on a busy CPU: tasks waiting in its domain's queue get an idle CPU
 * woken for them (a wakeup's kick can miss, and an idle CPU does not look at
 * queues until kicked); a task that outgrew the CPU ends its slice when a
 * bigger CPU is idle to take it, so that enqueue moves it up. With no bigger
 * CPU idle an idle big CPU pulls it later; cutting its slice at every tick
 * would only churn. So would asking again at every tick after placement
 * kept it where it is (jp_misfit_move_due).
 *
 * The callers gather the inputs (idle state, where placement would put a
 * misfit) and carry the plan out: the BPF scheduler with kfuncs, the
 * simulator on its own queues.
 */
#ifndef JOULE_POLICY_ENQUEUE_H
#define JOULE_POLICY_ENQUEUE_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

enum jp_enqueue_where {
	JP_ENQ_LOCAL = 1, /* the local queue of the CPU the task is on */
	JP_ENQ_PREEMPT,	  /* the head of cpu's local queue, preempting */
	JP_ENQ_QUEUE,	  /* cpu's domain queue, by vtime */
};

/* A CPU enqueue may choose, as the caller sees it. */
struct jp_enq_cpu {
	s32 cpu;	/* JP_NO_CPU: none */
	u32 capacity;	/* at its highest OPP */
	u8 may_preempt; /* online, and not running a task that preempts itself */
	u8 online;
	u8 behind_running; /* the task's vtime, placed on this CPU's domain clock, is
			      before the running task's (none running: 1); asked only
			      for a wakeup that may preempt */
	u8 pad;
};

struct jp_enqueue_in {
	struct jp_enq_cpu here; /* the CPU the task is on */
	struct jp_enq_cpu move; /* placement's pick for a misfit due to be placed again
				   (jp_misfit_move_due) with a bigger CPU idle, or here
				   leaving; else none */
	u8 pinned;		/* may run on one CPU only */
	u8 kthread;		/* a kernel thread */
	u8 wakeup;		/* SCX_ENQ_WAKEUP */
	u8 last;		/* SCX_ENQ_LAST */
	u8 lat_preempts;	/* gaming, and the task latency-critical and light
				   (jp_lat_crit, jp_lat_light) */
	u8 short_runs;		/* a kernel thread's short runs: jp_short_runs */
	u8 pad[2];
};

struct jp_enqueue_plan {
	u32 where;   /* enum jp_enqueue_where */
	s32 cpu;     /* JP_ENQ_PREEMPT and JP_ENQ_QUEUE: the CPU (and so the domain) */
	u8 moved_up; /* a misfit, to a bigger CPU (not a move off a leaving one) */
	u8 head;     /* JP_ENQ_QUEUE: at the head of the queue (jp_queue_head_vtime) */
	u8 pad[2];
};

/*
 * Short runs, from a task's averages (ns) of its run per wakeup and of the
 * time between wakeups, and how many times it was queued again since it
 * last woke before this one (requeues: its slice ended, or it was
 * preempted, before it slept): on average at most a slice /
 * JP_SHORT_RUN_SLICE_DIV, and 1 / JP_SHORT_RUN_DUTY_DIV of the time, and
 * fewer than JP_SHORT_RUN_REQUEUES requeues before this one. The duty keeps
 * a thread that wakes again as soon as it sleeps (1 ms runs every 1.1 ms)
 * from taking most of a CPU at the head of the queue; the requeues, one that
 * turned to bulk work after short runs from going back to the head at each
 * of its slices' ends. Not its run since it woke: a vCPU the host does not
 * run for a while (steal time; 8-32 ms now and then in the single-threaded
 * TCG guests of the tests) charges that time to the task on it, and a few us
 * of work would count as a slice.
 */
#define JP_SHORT_RUN_SLICE_DIV 4
#define JP_SHORT_RUN_DUTY_DIV  8
#define JP_SHORT_RUN_REQUEUES  2

static __always_inline bool jp_short_runs(u64 run_avg, u64 wake_period, u32 requeues, u64 slice)
{
	return run_avg <= slice / JP_SHORT_RUN_SLICE_DIV &&
	       run_avg * JP_SHORT_RUN_DUTY_DIV <= wake_period && requeues < JP_SHORT_RUN_REQUEUES;
}

static __always_inline void jp_enqueue_plan(const struct jp_enqueue_in *in,
					    struct jp_enqueue_plan *out)
{
	const struct jp_enq_cpu *c = &in->here;
	bool move;

	out->moved_up = 0;
	out->head = 0;
	out->cpu = in->here.cpu;
	if (in->pinned && ((in->kthread && in->wakeup) || !in->here.online)) {
		out->where = JP_ENQ_LOCAL;
		return;
	}
	/* up, never sideways; off a leaving CPU, to an online one */
	move = !in->pinned && in->move.cpu != JP_NO_CPU && in->move.online &&
	       (!in->here.online || in->move.capacity > in->here.capacity);
	if (move) {
		c = &in->move;
		out->cpu = c->cpu;
		out->moved_up = in->here.online;
	}
	if (in->last && !move)
		out->where = JP_ENQ_LOCAL;
	else if (in->wakeup && in->lat_preempts && c->may_preempt && c->behind_running)
		out->where = JP_ENQ_PREEMPT;
	else
		out->where = JP_ENQ_QUEUE;
	out->head = out->where == JP_ENQ_QUEUE && in->kthread && in->short_runs;
}

/*
 * The vtime that puts a task at the head of a domain queue whose first task
 * (if have_first) is at first_vtime: one before it, or the task's own
 * placement (vtime) if that is already earlier. If the first task was put
 * at the head itself (first_at_head), the same vtime as it, whatever the
 * task's own: the queue orders equal vtimes first in, first out, so such
 * tasks keep their order. One before each time, or a task's own earlier
 * vtime (a kworker after a long sleep), would put a burst of kworker
 * wakeups ahead of an rcu_preempt already waiting there.
 */
static __always_inline u64 jp_queue_head_vtime(u64 vtime, bool have_first, u64 first_vtime,
					       bool first_at_head)
{
	if (!have_first)
		return vtime;
	if (first_at_head)
		return first_vtime;
	return (s64)(vtime - first_vtime) < 0 ? vtime : first_vtime - 1;
}

/* how far a task's vtime may lead its domain's clock, in slices (at least) */
#define JP_VTIME_MAX_LEAD_SLICES 8

/*
 * Where a task sorts in domain queue ordered by vtime: its vtime on that
 * domain's clock. A task that comes from another domain (moved; old_clock
 * is that domain's clock) keeps its lag over it within a slice and its lead
 * within one slice's charge (a slice, or slice * 100 / weight where that is
 * more), so it neither jumps a queue nor waits behind one for what another
 * domain did, and a low-weight task does not leave its debt behind: cut to
 * one slice, a nice-19 task (a slice costs it 100) left up to 99 slices of
 * its lead behind at each move.
 * A sleeper is credited at most one slice behind the clock. A task ahead of
 * the clock leads it by at most JP_VTIME_MAX_LEAD_SLICES, or by what one
 * slice of its own costs it (slice * 100 / weight) where that is more:
 * behind a steady stream of new tasks, which start at the clock, an
 * unbounded lead would never reach the head (khugepaged, nice 19, once went
 * 6.5 s without running under hybrid-stress), but capped below one slice's
 * charge a nice-19 task (weight 1, 100 times its run) led by 40 ms where
 * its slice cost 500, and among four nice-0 hogs ran 810-862 ms in 8 s
 * where its weight gave it 55-61 (EEVDF: 56-64; VM scenario nice-weights).
 * How long it then waits is bounded by the starvation backstop (500 ms).
 */
static __always_inline u64 jp_vtime_place(u64 vtime, u64 clock, u64 old_clock, bool moved,
					  u64 slice, u32 weight)
{
	u64 lead = slice * 100 / (weight ? weight : 1);
	s64 lag;

	if (moved) {
		lag = (s64)(vtime - old_clock);
		if (lag > (s64)jp_max64(slice, lead))
			lag = (s64)jp_max64(slice, lead);
		vtime = clock + (u64)lag;
	}
	if ((s64)(vtime - (clock - slice)) < 0)
		vtime = clock - slice;
	if (lead < JP_VTIME_MAX_LEAD_SLICES * slice)
		lead = JP_VTIME_MAX_LEAD_SLICES * slice;
	if ((s64)(clock + lead - vtime) < 0)
		vtime = clock + lead;
	return vtime;
}

/*
 * A domain's clock once a task at vtime starts there (running: most is a
 * slice) or keeps its CPU with nothing queued (tick: most as large as can
 * be): it follows the task, by at most most. A task starts out of vtime
 * order when the starvation backstop moves it; followed all the way, a
 * rescued nice-19 task, up to one slice's charge (500 ms) ahead, could move
 * the clock past every queued task, and each task that woke next would be
 * placed behind all of them.
 */
static __always_inline u64 jp_clock_follow(u64 clock, u64 vtime, u64 most)
{
	if ((s64)(vtime - clock) <= 0)
		return clock;
	return (s64)(vtime - clock) > (s64)most ? clock + most : vtime;
}

/*
 * Is a task's migration really disabled, from its migration_disabled count
 * read inside a callback (is_current: the task running the callback)? The BPF
 * trampoline disables migration around every callback on kernels before
 * 6.18, and since then only with CONFIG_PREEMPT_RCU
 * (rcu_read_lock_dont_migrate), so the running task's count may hold one
 * the trampoline added. The kernel's own check (is_bpf_migration_disabled)
 * knows its config; the BPF program learns it: once a callback finds the
 * running task at 0, the trampoline adds none (*trampoline_adds_none set),
 * and a count of 1 is a real disable. Taken for the trampoline's on such a
 * kernel, a task really pinned by migrate_disable() could lose its place
 * and wait in its CPU's local queue with no kick (a stall); taken for a real
 * one on the others, no running task would ever move up (misfit).
 */
static __always_inline bool jp_migration_disabled(u32 count, bool is_current,
						  u8 *trampoline_adds_none)
{
	if (!is_current)
		return count > 0;
	if (!count) {
		*trampoline_adds_none = 1;
		return false;
	}
	return count > 1 || *trampoline_adds_none;
}

struct jp_tick_in {
	/*
	 * Tasks waiting in this CPU's domain queue that may run on any CPU. A
	 * task confined to some CPUs had an idle one of them kicked by its own
	 * enqueue, if one was idle: a CPU woken for it at every tick might well
	 * be one it may not use.
	 */
	u32 queued_free;
	u8 pinned;	/* the running task may run on this CPU only */
	u8 misfit;	/* the running task is a misfit to place again (jp_misfit_move_due) */
	u8 bigger_idle; /* a bigger CPU it may run on is idle (needed only if misfit) */
	u8 pad;
};

struct jp_tick_plan {
	u8 wake_for_queue; /* wake an idle CPU for this domain's queue */
	u8 end_slice;	   /* the running task gives the CPU up, to be enqueued again */
};

static __always_inline void jp_tick_plan(const struct jp_tick_in *in, struct jp_tick_plan *out)
{
	out->wake_for_queue = in->queued_free > 0;
	out->end_slice = !in->pinned && in->misfit && in->bigger_idle;
}

/*
 * The slice of a task that starts running while queued tasks wait in its
 * domain's queue: the base slice while the queue holds at most
 * JP_QUEUE_SLICE_DEPTH tasks per online CPU of the domain, shorter beyond, so
 * that the queue still goes round in about JP_QUEUE_SLICE_DEPTH base slices,
 * and never under base / JP_QUEUE_SLICE_MIN_DIV. A fixed slice made a task's
 * wait grow with the queue: under hybrid-stress a hackbench task waited
 * 34 ms on average (6.5 ms under EEVDF, whose slices are 2.25 ms on 6 CPUs).
 * The domain's CPUs are counted by capacity (its online capacity over the
 * CPU's own), as all CPUs of a domain are alike.
 */
#define JP_QUEUE_SLICE_DEPTH   2
#define JP_QUEUE_SLICE_MIN_DIV 8

static __always_inline u64 jp_queue_slice(u64 base, u32 queued, u32 pd_online_cap, u32 cpu_cap)
{
	u64 per_cpu_x = (u64)queued * cpu_cap; /* queued tasks per CPU, times pd_online_cap */
	u64 slice;

	if (!cpu_cap || !pd_online_cap || per_cpu_x <= (u64)JP_QUEUE_SLICE_DEPTH * pd_online_cap)
		return base;
	slice = base * JP_QUEUE_SLICE_DEPTH * pd_online_cap / per_cpu_x;
	if (slice < base / JP_QUEUE_SLICE_MIN_DIV)
		slice = base / JP_QUEUE_SLICE_MIN_DIV;
	return slice;
}

#endif /* JOULE_POLICY_ENQUEUE_H */
