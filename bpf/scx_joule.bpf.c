/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule: the BPF half of the scheduler.
 *
 * The decisions live in policy.h (shared with the tests and the simulator);
 * this file feeds them what the kernel knows and carries them out.
 *
 * - Wakeup (ops.select_cpu): unless the system is overutilized, or the
 *   profile places for performance, or the task is latency-critical in the
 *   gaming profile, the task goes to the CPU where it adds the least energy
 *   (jp_select_cpu_energy; with big domains on a view of each domain that
 *   its own CPUs keep, so that a wakeup costs per domain, not per CPU:
 *   refresh_own_pd_view); otherwise to the best CPU for speed
 *   (jp_select_cpu_perf). If that CPU is idle, the task is inserted straight
 *   into its local queue.
 * - Queueing (ops.enqueue): one queue per performance domain, ordered by
 *   weighted virtual time (vtime advances by run time * 100 / weight, and a
 *   sleeper is credited at most one slice). A waking per-CPU kthread goes
 *   to its CPU's local queue, so that a backlog can never stall it; other
 *   pinned tasks wait in their domain's queue like the rest
 *   (policy/enqueue.h, rule 1). Another kthread whose runs are short goes to
 *   the head of its domain's queue (rule 5).
 * - Dispatch: a CPU first takes from a domain with more runnable tasks per
 *   unit of capacity than its own (jp_overloaded_pd: with every CPU busy,
 *   utilization cannot tell), then from its own domain's queue; when that
 *   is empty, from the domain most over its capacity share of utilization
 *   (jp_balance_domains), then from any queue with work. A little CPU does
 *   not take from a bigger domain that has an idle CPU of its own.
 * - Frequency: each CPU asks schedutil (scx_bpf_cpuperf_set) for the OPP its
 *   utilization needs with the profile's headroom, when a task starts
 *   running and at each tick, and asks for the lowest when it goes idle
 *   (ops.update_idle): an idle CPU does not tick, and the kernel sets every
 *   CPU's request to the maximum when a scheduler attaches, so without that
 *   a cluster would stay near its top frequency while idle. A timer does
 *   the same for CPUs that went idle while the kernel bypassed the scheduler
 *   (attach, suspend), when ops.update_idle is not called.
 * - Tick: updates the CPU's utilization, its overutilized bit and its
 *   frequency request, and ends the slice of a task that outgrew its CPU
 *   (misfit), so it is placed again on a bigger one.
 *   SCX_OPS_ENQ_LAST makes that placement happen even when nothing else
 *   waits for the CPU; otherwise such a task just keeps running.
 * - Accounting (running/stopping): task and CPU utilization, busy time,
 *   migrations, and wakeup patterns that mark latency-critical tasks. A
 *   task placed on a CPU counts there until it runs (util_pending), so the
 *   wakeups of a burst do not all see the same CPU as the emptiest.
 *
 * CPU hotplug is handled in place (ops.cpu_online/offline), but for a CPU
 * that was offline when the model was read and could only be guessed: when
 * it comes online the scheduler stops, and the loader reads the model again.
 */
#include "vmlinux.h"
#include "scx_ops.bpf.h"
#include <bpf/bpf_core_read.h>
#include "joule.h"

/*
 * Per-PD energy evaluation and the idle CPUs' pass of latency-first
 * placement as global functions: each verified once, on its own. A PD's
 * view is its own (pd_view), so views only says whether to use them.
 */
struct jp_wake;
struct jp_pd_eval;
int joule_pd_evaluate(const struct jp_wake *w, u32 pd, struct jp_pd_eval *e, int use_views);
#define JP_PD_EVALUATE(t, cs, views, p, w, pd, e) joule_pd_evaluate(w, pd, e, !!(views))
int joule_perf_in(const struct jp_wake *w, int idle_only);
#define JP_SELECT_CPU_PERF_IN(t, cs, w, idle_only) joule_perf_in(w, idle_only)
int joule_perf_pd_best(const struct jp_wake *w, u32 pd);
#define JP_PERF_PD_BEST(t, cs, views, w, pd) joule_perf_pd_best(w, pd)
struct jp_perf_pick;
int joule_perf_pd_idle(const struct jp_wake *w, u32 pd, struct jp_perf_pick *pick);
#define JP_PERF_PD_IDLE(t, cs, views, w, pd, pick) joule_perf_pd_idle(w, pd, pick)
int joule_pd_worth_pricing(const struct jp_wake *w, u32 pd, u64 bound);
#define JP_PD_WORTH_PRICING(t, views, p, w, pd, bound) joule_pd_worth_pricing(w, pd, bound)
#include "policy.h"

char _license[] SEC("license") = "GPL";

/* PF_EXITING and PF_KTHREAD in include/linux/sched.h */
#define PF_EXITING 0x00000004
#define PF_KTHREAD 0x00200000

const volatile __u64 slice_ns = 5000000ULL;
/*
 * Set by the loader's hidden --older-kernel-paths: the kfuncs of 6.19 and
 * later count as absent, so that the pinned kernels (all newer) verify and
 * run the paths of 6.14-6.18 too. A read-only constant: the verifier prunes
 * whichever path is not taken, as it does for a missing kfunc.
 */
const volatile bool older_kernel_paths;

/* a kfunc of 6.19 or later, unless the loader asked for the older paths */
#define has_kfunc_6_19(f) (!older_kernel_paths && bpf_ksym_exists(f))

/* Filled by the loader from the machine model before the program loads. */
struct jp_tables tables;
/*
 * CPUs online now: read from the kernel in ops.init, kept by cpu_online/offline;
 * a CPU on its way down leaves it earlier (leave_early)
 */
struct jp_cpumask online;
/* CPUs taken out of online by leave_early, until ops.cpu_offline (or a rollback) */
struct jp_cpumask leaving;
/*
 * Bumped at each change of online: a task's unconfined (joule_note_cpus)
 * is worked out against the mask of the moment, and the kernel calls
 * ops.set_cpumask only when the task's own CPUs change.
 */
volatile __u32 online_gen;
/* for each CPU, the CPUs of more capacity (set in ops.init) */
struct jp_cpumask bigger_than[JP_MAX_CPUS];
/* each domain's CPUs (set in ops.init) */
struct jp_cpumask pd_cpus[JP_MAX_PDS];

/* Written by the loader at any time: switching profiles needs no reload. */
volatile __u32 profile = JOULE_PROFILE_BALANCED;
struct jp_profile profiles[JOULE_NR_PROFILES];

struct joule_exit_info exit_info;
/* filled before exit_info.kind, so complete once the loader sees the kind */
char exit_dump[JOULE_EXIT_DUMP_LEN];

struct jp_cpu_state cpu_state[JP_MAX_CPUS];
/*
 * What a CPU writes for itself at its ticks and switches, a cache line per
 * CPU as cpu_state's entries are (policy/base.h): in packed arrays the tick
 * times of 8 CPUs shared a line, and each CPU's tick took it from the others.
 */
struct cpu_local {
	__u64 perf_resent_at; /* perf_resend_due */
	__u64 kept_since;     /* the release timer's, below */
	/*
	 * the task running here is latency-critical and light enough to preempt
	 * (lat_preempts; set in running, cleared in stopping)
	 */
	__u8 running_preempter;
	/* a realtime or deadline task holds this CPU (note_rt, at each switch) */
	__u8 rt_running;
	/* from update_idle(idle) to the next task: recheck_queues' mark */
	__u8 going_idle;
	/*
	 * the running task's vtime as of running_since (its start, or its last
	 * tick's charge) and its weight; running_since 0: none of ours runs
	 * here. Read by other CPUs' enqueues (behind_running).
	 */
	__u64 running_vtime;
	__u64 running_since;
	__u32 running_weight;
	__u32 fence;	     /* full barriers: recheck_queues, wake_idle_cpu_for */
	__u32 nr_pending;    /* tasks placed here that have not started (count_pending) */
	volatile __u32 runs; /* ops.running's count here: joule_release_kept's check */
} __attribute__((aligned(64)));
static struct cpu_local cpu_local[JP_MAX_CPUS];
/*
 * Overutilization, from the domains' views: refreshed at most once per
 * OVERUTIL_PERIOD_NS across the machine (wakeups and ticks), each time
 * from OVERUTIL_STEP_PDS domains' views and the others' shares kept from
 * before (sys_load), so that a refresh costs the same however many domains
 * there are. With more domains than that, the views are read in a round of
 * nr_pds / OVERUTIL_STEP_PDS ms (4 ms for 8 domains), well inside the
 * utilization averages' half-life (JP_UTIL_HALF_LIFE_NS). sys_load_busy
 * keeps a refresh to one CPU at a time: the sums are kept by differences.
 */
volatile __u32 overutilized;
__u64 overutil_at;
#define OVERUTIL_PERIOD_NS (1ULL * 1000 * 1000)
#define OVERUTIL_STEP_PDS  2
/* a tick at HZ 100 */
#define OVERUTIL_MAX_GAP_NS (10ULL * 1000 * 1000)
static struct jp_sys_load_kept sys_load;
static __s32 sys_load_busy;
static __u32 stale_next; /* the domain a tick's refresh checks next (joule_rebuild_if_stale) */
/*
 * jp_balance_domains' answer (the domain over its share, JP_NO_PD if
 * none), from the views as well: recomputed at most once per
 * OVERUTIL_PERIOD_NS by whichever CPU's dispatch needs it first. Domain
 * utilization is an average over milliseconds; an answer a millisecond old
 * is as good as a fresh one.
 */
volatile __s32 balance_src = JP_NO_PD;
__u64 balance_at;
/*
 * Each domain's view (jp_pd_view: its sums and best CPUs for energy
 * placement, its share of overutilization and balance), kept by the
 * domain's own CPUs (refresh_own_pd_view). Once the view readers use is
 * OVERUTIL_PERIOD_NS old, the domain's ticks gather the next one,
 * VIEW_STEP_CPUS CPUs a tick, so that a tick's gathering does not grow with
 * its domain: a domain of 4 CPUs or fewer in one tick, a domain of 64 CPUs
 * in 16 ticks of its busy CPUs. A domain that falls all idle (its last CPU
 * going idle) or wakes (a tick finding the view all idle) is gathered
 * whole at once. A domain all idle needs no gathering, its view decays
 * (jp_view_decay); one whose CPUs stopped without telling (the kernel
 * bypassing the scheduler) is gathered whole by a tick that finds nothing
 * gathered there for VIEW_MAX_AGE_NS. Two buffers per domain: the view is
 * gathered into the one readers are not on, then published in ready, and
 * the next is not begun until OVERUTIL_PERIOD_NS after that.
 */
struct jp_pd_view pd_views[2][JP_MAX_PDS];
struct pd_view_state {
	__u64 published_at; /* when the ready view was published */
	__u64 worked_at;    /* the last gathering (or publishing) */
	__u32 next;	    /* where the view being gathered goes on; 0: none begun */
	__s32 ready;	    /* the buffer readers use */
	__s32 busy;	    /* a CPU is gathering: the others leave it alone */
	__s32 redo;	    /* a whole gathering found busy set: the next one is whole */
} __attribute__((aligned(64)));
static struct pd_view_state pd_view_state[JP_MAX_PDS];
#define VIEW_STEP_CPUS 4
/* a domain with a busy CPU ticks at least this often (HZ >= 100) */
#define VIEW_MAX_AGE_NS (20ULL * 1000 * 1000)
/*
 * Per domain, a cache line each: every switch in a domain writes its clock.
 * vtime_now: each domain's queue has its own virtual clock, the vtime of
 * the tasks that last started there. Domains advance at different rates
 * (more tasks per CPU, less each), so one clock for all would place a
 * sleeper waking in a crowded domain behind every task there.
 * own_served_at: when a CPU of the domain last took from its own queue (or
 * found it empty).
 */
struct pd_local {
	__u64 vtime_now;
	__u64 own_served_at;
	/*
	 * Of the tasks in the domain's queue, those that may run on every
	 * online CPU (task_ctx.unconfined): what a tick wakes an idle CPU for
	 * (wake_idle_cpu_for_queue). The others' own enqueue kicked an idle
	 * CPU they may use, if there was one; kicked for them at every tick of
	 * a busy CPU, CPUs they may not use woke for nothing.
	 */
	__u32 nr_free_queued;
	__u64 starved_scan_at; /* rescue_starved, claimed by the CPU that scans */
} __attribute__((aligned(64)));
static struct pd_local pd_local[JP_MAX_PDS];

/* a domain's CPUs balance tasks away from their own queue for at most this long */
#define OWN_QUEUE_MAX_WAIT_NS (20ULL * 1000 * 1000)

struct task_ctx {
	struct jp_task jt;
	__u64 started;	   /* when it last started running */
	__u32 started_cap; /* ... and its CPU's capacity-now then (jp_cap_of_run) */
	__u32 pending;	   /* counted in cpu_local[pend_cpu].nr_pending */
	__u64 last_wake;   /* when it last woke up */
	__u64 wake_period; /* average time between wakeups */
	__u64 run_avg;	   /* average run time per wakeup */
	__u64 run_this;	   /* run time since the last wakeup */
	__s32 last_cpu;
	__u32 lat_crit;
	__u32 woke_in_select; /* this wakeup went through select_cpu */
	__u32 vtime_pd;	      /* the domain whose clock p->scx.dsq_vtime is on */
	__u32 queued_by_us;   /* passed through select_cpu or enqueue since it last ran */
	__u32 pend_cpu;	      /* the CPU whose util_pending counts this task ... */
	__u32 pend_util;      /* ... and with how much (0: none) */
	__u32 other_pds;      /* the domains it may not use (jp_other_pds), for jp_wake */
	__u32 unconfined;     /* it may run on every online CPU (joule_note_cpus) */
	__u32 cpus_gen;	      /* online_gen when the two above were worked out */
	__u32 free_pd;	      /* counted in pd_local[free_pd - 1].nr_free_queued (0: not) */
	__u64 queued_at;      /* when it first went into a domain's queue since it last
				 ran, or left sched_ext (rescue_starved); 0: not since */
	__u32 claimed_cpu;    /* select_cpu took this CPU's idle bit for it, + 1 (0: none) */
	__u32 queued_at_head; /* its last enqueue put it at its domain queue's head */
	__u32 requeues;	      /* enqueued since it last slept, other than by a wakeup */
	__u32 enabled_before; /* ops.enable has run for it: its vtime is its own */
	__u64 vtime_away;     /* its vtime when it last left sched_ext (disable) */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct joule_stats);
} stats SEC(".maps");

static struct joule_stats *my_stats(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static struct joule_stats *cpu_stats(s32 cpu)
{
	u32 zero = 0;

	return bpf_map_lookup_percpu_elem(&stats, &zero, cpu);
}

static void stat_add(enum joule_stat id, __u64 n)
{
	struct joule_stats *s = my_stats();

	if (s && id < JOULE_NR_STATS)
		s->count[id] += n;
}

/*
 * ns run on cpu, and at which speed: what the loader's energy estimate
 * prices. cpu's, not this CPU's: ops.stopping also runs on the CPU that
 * changes a running task's affinity or nice (dequeue_task_scx), with cpu's
 * run queue locked, as every other writer of cpu's counters has it.
 */
static void stat_busy(s32 cpu, __u64 ns)
{
	struct joule_stats *s = cpu_stats(cpu);

	if (!s)
		return;
	s->count[JOULE_STAT_BUSY_NS] += ns;
	s->count[JOULE_STAT_BUSY_PERF] += ns * s->perf_target / JP_SCALE;
}

static struct task_ctx *task_ctx(struct task_struct *p)
{
	return bpf_task_storage_get(&task_ctxs, p, 0, 0);
}

static const struct jp_profile *cur_profile(void)
{
	__u32 idx = profile;

	if (idx >= JOULE_NR_PROFILES)
		idx = JOULE_PROFILE_BALANCED;
	return &profiles[idx];
}

/* Domain pd's view as readers see it. */
static const struct jp_pd_view *pd_view(u32 pd)
{
	pd &= JP_MAX_PDS - 1;
	return &pd_views[pd_view_state[pd].ready & 1][pd];
}

__attribute__((noinline)) int joule_pd_evaluate(const struct jp_wake *w, u32 pd,
						struct jp_pd_eval *e, int use_views)
{
	if (!w || !e)
		return 0;
	pd &= JP_MAX_PDS - 1;
	jp_pd_evaluate(&tables, cpu_state, use_views ? pd_views[pd_view_state[pd].ready & 1] : NULL,
		       cur_profile(), w, pd, e);
	return 0;
}

__attribute__((noinline)) int joule_perf_pd_best(const struct jp_wake *w, u32 pd)
{
	if (!w)
		return JP_NO_CPU;
	pd &= JP_MAX_PDS - 1;
	return jp_perf_pd_best(&tables, cpu_state, pd_view(pd), w, pd);
}

__attribute__((noinline)) int joule_perf_pd_idle(const struct jp_wake *w, u32 pd,
						 struct jp_perf_pick *pick)
{
	if (!w || !pick)
		return 0;
	pd &= JP_MAX_PDS - 1;
	/* the domain's fixed mask: a view's is cleared while it is gathered again */
	jp_perf_pd_idle(&tables, cpu_state, &pd_cpus[pd], w, pd, pick);
	return 0;
}

__attribute__((noinline)) int joule_perf_in(const struct jp_wake *w, int idle_only)
{
	if (!w)
		return JP_NO_CPU;
	return jp_select_cpu_perf_in(&tables, cpu_state, w, idle_only);
}

/*
 * 7.2 and later kernels warn that writing p->scx.slice or p->scx.dsq_vtime
 * directly is deprecated and offer these kfuncs; older kernels lack them.
 */
static void set_slice(struct task_struct *p, u64 slice)
{
	if (has_kfunc_6_19(scx_bpf_task_set_slice))
		scx_bpf_task_set_slice(p, slice);
	else
		p->scx.slice = slice;
}

static void set_vtime(struct task_struct *p, u64 vtime)
{
	if (has_kfunc_6_19(scx_bpf_task_set_dsq_vtime))
		scx_bpf_task_set_dsq_vtime(p, vtime);
	else
		p->scx.dsq_vtime = vtime;
}

static bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

/*
 * Was at stamped less than age before now? Signed, as scx_bpf_now() gives
 * no order between CPUs: a time another CPU stamped may be a little ahead of
 * this CPU's now, and unsigned, now - at would wrap to centuries.
 */
static __always_inline bool newer_than(u64 now, u64 at, u64 age)
{
	return (s64)(now - at) < (s64)age;
}

static __u64 *pd_clock(u32 pd)
{
	return &pd_local[pd & (JP_MAX_PDS - 1)].vtime_now;
}

/* vtime, p's, as it would be placed on domain pd's clock (jp_vtime_place) */
static u64 vtime_placed_from(struct task_struct *p, struct task_ctx *tctx, u32 pd, u64 vtime)
{
	bool moved = tctx && tctx->vtime_pd != pd;
	u64 old_clock = moved ? *pd_clock(tctx->vtime_pd) : 0;

	return jp_vtime_place(vtime, *pd_clock(pd), old_clock, moved, slice_ns, p->scx.weight);
}

static u64 vtime_placed(struct task_struct *p, struct task_ctx *tctx, u32 pd)
{
	return vtime_placed_from(p, tctx, pd, p->scx.dsq_vtime);
}

/* p's vtime placed on domain pd's clock, which it is on from now */
static u64 vtime_in_pd(struct task_struct *p, struct task_ctx *tctx, u32 pd)
{
	u64 vtime = vtime_placed(p, tctx, pd);

	if (tctx)
		tctx->vtime_pd = pd;
	return vtime;
}

/*
 * The domain's clock follows the vtime its tasks start at (running), by at
 * most a slice a start (jp_clock_follow), and all the way that of a task
 * that keeps its CPU while nothing is queued (tick: most as large as can be).
 */
static void advance_pd_clock(struct task_struct *p, struct task_ctx *tctx, u64 most)
{
	__u64 *clock = pd_clock(tctx->vtime_pd);

	*clock = jp_clock_follow(*clock, p->scx.dsq_vtime, most);
}

/* Virtual time advances by run time, scaled by the task's weight. */
static u64 vtime_after_run(u64 vtime, u64 run, u32 weight)
{
	return vtime + run * 100 / (weight ?: 1);
}

static void charge_vtime(struct task_struct *p, u64 run)
{
	set_vtime(p, vtime_after_run(p->scx.dsq_vtime, run, p->scx.weight));
}

static __u32 cpu_pd(s32 cpu)
{
	if (cpu < 0 || cpu >= JP_MAX_CPUS)
		return 0;
	return tables.cpu[cpu].pd & (JP_MAX_PDS - 1);
}

/*
 * The words of a CPU mask that hold this machine's CPUs: loops over masks
 * stop there, so a small machine does not pay for the build's max_cpus.
 * Also no further than this kernel's struct cpumask (its CONFIG_NR_CPUS,
 * relocated at load), which the verifier does not let a read go past; the
 * kernel has no CPUs beyond it.
 */
static __always_inline u32 mask_words(void)
{
	u32 words = (tables.nr_cpus + 63) / 64;
	u32 kernel_words = bpf_core_type_size(struct cpumask) / sizeof(u64);

	if (words > kernel_words)
		words = kernel_words;
	return words;
}

static void mask_from_cpumask(struct jp_cpumask *mask, const struct cpumask *cpus)
{
	/*
	 * Whole words, read straight from the kernel's mask: a
	 * bpf_cpumask_test_cpu() call per CPU made every wakeup cost 2N kfunc
	 * calls. Bits past the model's CPUs are cleared, and so are the words
	 * past mask_words(), written all the same: a loop that stopped there
	 * left the verifier as many stack states to follow through the caller
	 * as there could be words (2x joule_select_cpu's instructions).
	 */
	u32 words = mask_words();

	for (u32 i = 0; i < JP_MASK_WORDS; i++) {
		u32 nr = tables.nr_cpus, first = i * 64;
		u64 word = 0;

		if (i < words) {
			word = cpus->bits[i];
			if (nr - first < 64)
				word &= (1ULL << (nr - first)) - 1;
		}
		mask->bits[i] = word;
	}
}

/*
 * Gather domain pd's next view from the CPUs' state at now (idle: the CPUs
 * idle then), steps CPUs of it, or all of it from the start if steps is
 * JP_MAX_PD_CPUS, into the buffer readers are not on; publish it once
 * every CPU is in. A view is begun only min_age (if not 0) after the last was
 * published, by this CPU's clock. A CPU finding another at it does
 * nothing, but a whole gathering it would have done (a domain falling
 * asleep or waking, hotplug) is done whole by the next CPU to gather. A
 * global function, so that the verifier checks it once, on its own.
 */
__attribute__((noinline)) int joule_gather_pd_view(const struct jp_cpumask *idle, u32 pd, u64 now,
						   u32 steps, u64 min_age)
{
	struct jp_view_src src = {.idle = idle, .online = &online, .now = now};
	struct pd_view_state *st;
	struct jp_pd_view *v;
	u32 from, next, buf;

	if (!idle)
		return 0;
	pd &= JP_MAX_PDS - 1;
	st = &pd_view_state[pd];
	if (__sync_val_compare_and_swap(&st->busy, 0, 1)) {
		if (steps >= JP_MAX_PD_CPUS)
			st->redo = 1;
		return 0;
	}
	from = steps >= JP_MAX_PD_CPUS ? 0 : st->next;
	if (!from && min_age && newer_than(now, st->published_at, min_age))
		goto out;
	buf = (st->ready + 1) & 1;
	v = &pd_views[buf][pd];
	if (!from)
		jp_pd_view_begin(v, now);
	next = jp_pd_view_gather(&tables, cpu_state, &src, pd, from, from + steps, v);
	st->worked_at = now;
	if (next < tables.pd[pd].nr_cpus) {
		st->next = next;
		goto out;
	}
	jp_pd_view_end(v);
	st->next = 0;
	st->published_at = now;
	/* a full barrier: the view is written before a reader can pick it */
	__sync_lock_test_and_set(&st->ready, (int)buf);
out:
	__sync_lock_test_and_set(&st->busy, 0);
	return 0;
}

/* The CPUs idle now, as the kernel tracks them. */
static void read_idle_mask(struct jp_cpumask *idle)
{
	const struct cpumask *kernel_idle = scx_bpf_get_idle_cpumask();

	mask_from_cpumask(idle, kernel_idle);
	scx_bpf_put_idle_cpumask(kernel_idle);
}

/* Is every online CPU of domain pd idle in idle? O(mask words). */
static bool pd_all_idle(u32 pd, const struct jp_cpumask *idle)
{
	const struct jp_cpumask *cpus = &pd_cpus[pd & (JP_MAX_PDS - 1)];
	u64 busy = 0;

	for (u32 i = 0, words = mask_words(); i < JP_MASK_WORDS && i < words; i++)
		busy |= cpus->bits[i] & online.bits[i] & ~idle->bits[i];
	return !busy;
}

/*
 * jp_pd_worth_pricing in one global call per domain, on the domains' ready
 * views (each has its CPU mask). A global function: inlined, the mask
 * loop's spills put joule_enqueue's deepest call chain past the verifier's
 * 512 bytes of stack.
 */
__attribute__((noinline)) int joule_pd_worth_pricing(const struct jp_wake *w, u32 pd, u64 bound)
{
	if (!w)
		return 0;
	pd &= JP_MAX_PDS - 1;
	return jp_pd_worth_pricing(&tables, pd_views[pd_view_state[pd].ready & 1], cur_profile(), w,
				   pd, bound);
}

/*
 * cpu's own domain's view, from cpu's tick (self_idle false) or as it goes
 * idle (self_idle true). A tick gathers the next view's next
 * VIEW_STEP_CPUS CPUs once the view is OVERUTIL_PERIOD_NS old and until
 * it is done, or the whole view at once if the one readers use says the
 * domain is all idle; a CPU going idle, the whole view if that leaves the
 * domain all idle, so that a domain that went to sleep is seen to decay
 * from the moment it did (and a big domain whose hog stopped does not keep
 * the system overutilized). A tick that finds the view fresh reads no
 * mask.
 */
static void refresh_own_pd_view(u32 cpu, bool self_idle)
{
	const struct jp_pd_view *v;
	struct pd_view_state *st;
	struct jp_cpumask idle;
	u64 now = scx_bpf_now();
	bool all_idle, redo;
	u32 pd;

	cpu &= JP_MAX_CPUS - 1;
	pd = tables.cpu[cpu].pd & (JP_MAX_PDS - 1);
	st = &pd_view_state[pd];
	v = pd_view(pd);
	if (self_idle ? v->all_idle
		      : !v->all_idle && !st->next && !st->redo &&
				newer_than(now, st->published_at, OVERUTIL_PERIOD_NS))
		return;
	/* taken before the idle mask is read, so that the mask is as new as the request */
	redo = !self_idle && st->redo && __sync_lock_test_and_set(&st->redo, 0);
	read_idle_mask(&idle);
	/* the kernel may not have set or cleared this CPU's bit yet */
	if (self_idle)
		jp_mask_set(&idle, cpu);
	else
		jp_mask_clear(&idle, cpu);
	all_idle = pd_all_idle(pd, &idle);
	if (self_idle && !all_idle)
		return;
	if (redo || all_idle != !!v->all_idle)
		joule_gather_pd_view(&idle, pd, now, JP_MAX_PD_CPUS, 0);
	else
		joule_gather_pd_view(&idle, pd, now, VIEW_STEP_CPUS, OVERUTIL_PERIOD_NS);
}

/*
 * Domain pd's share of the system's load kept (jp_sys_load_keep_pd), with
 * sys_load_busy held (or at init). A global function, verified once: in a loop over the
 * domains, the verifier followed every domain's branches apart.
 */
__attribute__((noinline)) int joule_pd_load_keep(u32 pd, u64 now)
{
	pd &= JP_MAX_PDS - 1;
	jp_sys_load_keep_pd(&tables, cur_profile(), &sys_load, pd, pd_view(pd), now);
	return 0;
}

/*
 * Every domain's view, now: at init and when a CPU comes or goes (the views
 * count online CPUs only; the refreshes' rounds take the new ones in).
 */
__attribute__((noinline)) int joule_build_all_views(void)
{
	struct jp_cpumask idle;
	u64 now = scx_bpf_now();
	u32 pd;

	read_idle_mask(&idle);
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= tables.nr_pds)
			break;
		joule_gather_pd_view(&idle, pd, now, JP_MAX_PD_CPUS, 0);
	}
	return 0;
}

/*
 * Every domain's share of the system's load, from its view, and the
 * answer: at init, before any callback can refresh them (no lock).
 */
__attribute__((noinline)) int joule_keep_all_pd_loads(void)
{
	u64 now = scx_bpf_now();
	u32 pd;

	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= tables.nr_pds)
			break;
		joule_pd_load_keep(pd, now);
	}
	overutilized = jp_sys_load_kept_over(cur_profile(), &sys_load);
	overutil_at = now;
	return 0;
}

/*
 * Domain pd's view, gathered whole if nothing has been gathered there for
 * VIEW_MAX_AGE_NS with CPUs busy in it: they have stopped without telling
 * (update_idle is not called while the kernel bypasses the scheduler).
 * From a tick: wakeups have no stack left for it (the verifier's 512
 * bytes).
 */
__attribute__((noinline)) int joule_rebuild_if_stale(u32 pd, u64 now)
{
	struct jp_cpumask idle;

	pd &= JP_MAX_PDS - 1;
	if (pd_view(pd)->all_idle || newer_than(now, pd_view_state[pd].worked_at, VIEW_MAX_AGE_NS))
		return 0;
	read_idle_mask(&idle);
	joule_gather_pd_view(&idle, pd, now, JP_MAX_PD_CPUS, VIEW_MAX_AGE_NS);
	return 0;
}

/*
 * Whether the system is overutilized, at most once per OVERUTIL_PERIOD_NS
 * machine-wide (wakeups and ticks): the next OVERUTIL_STEP_PDS domains'
 * shares are kept from their views, and the answer read from the sums in
 * O(1). A tick's refresh also checks the next OVERUTIL_STEP_PDS domains of
 * its own round for views left stale, and gathers those whole
 * (joule_rebuild_if_stale).
 */
static __always_inline void refresh_overutilized(u64 now, bool from_tick)
{
	u32 i;

	if (newer_than(now, overutil_at, OVERUTIL_PERIOD_NS))
		return;
	if (__sync_val_compare_and_swap(&sys_load_busy, 0, 1))
		return;
	/* another CPU may have refreshed between the check and the lock */
	if (newer_than(now, overutil_at, OVERUTIL_PERIOD_NS))
		goto out;
	/*
	 * The time since the last refresh, counted once for the machine. A busy
	 * CPU ticks at least every OVERUTIL_MAX_GAP_NS: a longer gap had every
	 * CPU idle for part of it, whatever the last answer said.
	 */
	if (overutilized && now - overutil_at <= OVERUTIL_MAX_GAP_NS)
		stat_add(JOULE_STAT_OVERUTIL_NS, now - overutil_at);
	overutil_at = now;
	JP_FOR(i, 0, OVERUTIL_STEP_PDS)
	{
		if (i >= tables.nr_pds)
			break;
		/*
		 * A round of its own: a refresh a wakeup wins checks nothing,
		 * and on the load's round a domain's turns could all fall on
		 * wakeups.
		 */
		if (from_tick)
			joule_rebuild_if_stale(jp_next_pd(&tables, &stale_next), now);
		joule_pd_load_keep(jp_next_pd(&tables, &sys_load.next), now);
	}
	overutilized = jp_sys_load_kept_over(cur_profile(), &sys_load);
out:
	__sync_lock_test_and_set(&sys_load_busy, 0);
}

/*
 * The wakeup joule_choose_cpu places, one per CPU: on the stack its 168
 * bytes (at 512 CPUs) took joule_enqueue's deepest chain of calls to all
 * 512 bytes the verifier allows, with nothing to spare for another
 * compiler's frames. select_cpu and enqueue, its only callers, run with
 * interrupts off, so no other placement on the CPU can come in between.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct jp_wake);
} wake_scratch SEC(".maps");

/*
 * Where p would run best now (prev_cpu if placement finds nothing), and why
 * in *reason. A global function: verified once per program on its own, not
 * once for every range of prev_cpu a caller's branches leave (in
 * joule_enqueue that was 2.6x the instructions).
 */
__attribute__((noinline)) s32 joule_choose_cpu(struct task_struct *p __arg_trusted, s32 prev_cpu,
					       enum joule_stat *reason)
{
	const struct jp_profile *pr = cur_profile();
	struct task_ctx *tctx = task_ctx(p);
	const struct jp_pd_view *views;
	struct jp_wake *w;
	u32 zero = 0;
	bool energy;
	s32 cpu;

	w = bpf_map_lookup_elem(&wake_scratch, &zero);
	if (!tctx || !reason || !w)
		return prev_cpu;
	/*
	 * The fields before the masks are zeroed, not the masks: they are the
	 * build's max_cpus wide (128 bytes at 512), and the policy reads only
	 * the words of this machine's CPUs, which mask_from_cpumask writes.
	 */
	__builtin_memset(w, 0, offsetof(struct jp_wake, allowed));
	w->now = scx_bpf_now();
	w->task_util = jp_task_util(&tctx->jt);
	w->frame = jp_frame_task(tctx->wake_period, p->flags & PF_KTHREAD);
	w->frame_speed = w->frame ? jp_frame_speed(pr, &tctx->jt, w->now) : 0;
	w->lat_crit = tctx->lat_crit;
	w->prev_cpu = prev_cpu;
	w->other_pds = tctx->other_pds;
	mask_from_cpumask(&w->allowed, p->cpus_ptr);
	for (u32 i = 0, words = mask_words(); i < JP_MASK_WORDS && i < words; i++)
		w->allowed.bits[i] &= online.bits[i];
	read_idle_mask(&w->idle);
	refresh_overutilized(w->now, false);
	w->overutilized = overutilized;
	energy = jp_wake_energy_aware(pr, w);
	/* any buffer: each domain's own is read where a domain's view is */
	views = jp_views_pay(&tables) ? pd_views[0] : NULL;

	if (tctx->jt.misfit)
		*reason = JOULE_STAT_PLACE_MISFIT;
	else if (energy)
		*reason = JOULE_STAT_PLACE_ENERGY;
	else
		*reason = JOULE_STAT_PLACE_PERF;
	if (views && energy)
		stat_add(JOULE_STAT_ON_VIEWS, 1);
	cpu = jp_select_cpu(&tables, cpu_state, views, pr, w);
	return cpu < 0 ? prev_cpu : cpu;
}

/*
 * The frame thread whose frame p's wakeup joins (jp_frame_wakeup), or NULL:
 * the waker (wctx, the current task's context) if it is a frame thread of
 * p's process. The current task is the waker because select_cpu and
 * enqueue run in its context (no SCX_OPS_ALLOW_QUEUED_WAKEUP: with it,
 * enqueue would run on p's CPU and the joins would stop). When an interrupt
 * (a timer) wakes p, it is whatever ran; the process check keeps most of
 * those out.
 */
static struct jp_task *frame_waker(struct task_struct *p, struct task_struct *waker,
				   struct task_ctx *wctx)
{
	if (!wctx || waker->tgid != p->tgid ||
	    !jp_frame_task(wctx->wake_period, waker->flags & PF_KTHREAD))
		return NULL;
	return &wctx->jt;
}

static void note_wakeup(struct task_struct *p, struct task_ctx *tctx, u64 now, u64 wake_flags)
{
	struct task_struct *waker = bpf_get_current_task_btf();
	struct task_ctx *wctx = NULL;
	u64 period = now > tctx->last_wake ? now - tctx->last_wake : 0;
	bool sync_candidate, frame;

	if (tctx->last_wake)
		tctx->wake_period = jp_avg_sample(tctx->wake_period, period);
	tctx->last_wake = now;
	jp_task_waking(&tctx->jt, now);
	tctx->lat_crit = jp_lat_crit(tctx->wake_period, tctx->run_avg, tctx->lat_crit);
	/* the waker's context is looked up only when it can matter: hackbench wakes constantly */
	sync_candidate = !tctx->lat_crit && (wake_flags & SCX_WAKE_SYNC);
	frame = cur_profile()->frame_headroom &&
		jp_frame_task(tctx->wake_period, p->flags & PF_KTHREAD);
	if (waker != p && (sync_candidate || frame))
		wctx = bpf_task_storage_get(&task_ctxs, waker, 0, 0);
	jp_frame_wakeup(&tctx->jt, frame ? frame_waker(p, waker, wctx) : NULL, now);
	/* a latency-critical task's synchronous wakee is on the same critical path */
	if (sync_candidate && wctx && wctx->lat_crit)
		tctx->lat_crit = 1;
}

/*
 * Whether the task's wakeups may preempt in gaming: latency-critical, with
 * runs that take at most half its time (jp_lat_light).
 */
static bool lat_preempts(struct task_ctx *tctx)
{
	return tctx->lat_crit && jp_lat_light(tctx->wake_period, tctx->run_avg);
}

/*
 * The mark is set at wakeup; a task that has since run past JP_LAT_RUN_NS
 * without sleeping loses it there and then. Otherwise a CPU hog keeps the
 * mark it got while starting up (a few quick wakeups, then it never wakes
 * again), with short slices and preemption in gaming.
 */
static void drop_lat_crit_if_long(struct task_ctx *tctx)
{
	if (tctx->run_this >= JP_LAT_RUN_NS)
		tctx->lat_crit = 0;
}

static u64 task_slice(struct task_ctx *tctx)
{
	/* gaming: latency-critical tasks get short slices, so they wait less */
	if (tctx && tctx->lat_crit && profile == JOULE_PROFILE_GAMING)
		return slice_ns / 4;
	return slice_ns;
}

/*
 * The task no longer waits in the queue whose nr_free_queued counts it: it
 * runs, is enqueued again, or leaves.
 */
static void drop_free_queued(struct task_ctx *tctx)
{
	if (!tctx || !tctx->free_pd)
		return;
	__sync_fetch_and_sub(&pd_local[(tctx->free_pd - 1) & (JP_MAX_PDS - 1)].nr_free_queued, 1);
	tctx->free_pd = 0;
}

/* p no longer waits where it was placed: it runs, is placed again, or leaves. */
static void drop_pending(struct task_ctx *tctx)
{
	u32 cpu = tctx->pend_cpu & (JP_MAX_CPUS - 1);

	if (!tctx->pending)
		return;
	if (tctx->pend_util)
		jp_cpu_pending_sub(&cpu_state[cpu], tctx->pend_util);
	__sync_fetch_and_sub(&cpu_local[cpu].nr_pending, 1);
	tctx->pend_util = 0;
	tctx->pending = 0;
}

/*
 * p is placed on cpu and will wait to run: until it does (ops.running) its
 * util counts on cpu, so that the next wakeups of a burst, which run before
 * it starts, see that CPU taken. Where a task waits in its domain's queue,
 * the CPU it was placed on stands for the domain it waits in.
 */
static void count_pending(struct task_ctx *tctx, s32 cpu)
{
	drop_pending(tctx);
	if (cpu < 0 || cpu >= JP_MAX_CPUS)
		return;
	tctx->pend_cpu = (u32)cpu;
	tctx->pend_util = jp_task_util(&tctx->jt);
	tctx->pending = 1;
	jp_cpu_pending_add(&cpu_state[cpu], tctx->pend_util);
	__sync_fetch_and_add(&cpu_local[cpu].nr_pending, 1);
}

s32 BPF_STRUCT_OPS(joule_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	enum joule_stat reason = JOULE_STAT_PLACE_ENERGY;
	struct task_ctx *tctx = task_ctx(p);
	u64 now = scx_bpf_now();
	s32 cpu;

	if (!tctx)
		return prev_cpu;
	note_wakeup(p, tctx, now, wake_flags);
	tctx->woke_in_select = 1;
	tctx->queued_by_us = 1;
	cpu = joule_choose_cpu(p, prev_cpu, &reason);
	stat_add(reason, 1);
	count_pending(tctx, cpu);
	if (scx_bpf_test_and_clear_cpu_idle(cpu)) {
		stat_add(JOULE_STAT_DIRECT_IDLE, 1);
		tctx->claimed_cpu = (u32)cpu + 1;
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, task_slice(tctx), 0);
	}
	return cpu;
}

/*
 * An offline CPU keeps its bit in the kernel's idle mask: an idle CPU that
 * will take work is one that is also online.
 */
static bool cpu_idle_online(u32 cpu, const struct cpumask *idle)
{
	return jp_mask_test(&online, cpu) && bpf_cpumask_test_cpu(cpu, idle);
}

static bool cpu_is_idle(u32 cpu)
{
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();
	bool ret = cpu_idle_online(cpu, idle);

	scx_bpf_put_idle_cpumask(idle);
	return ret;
}

/*
 * Whether irq_work queued from this CPU will run. scx_bpf_kick_cpu(), and
 * bpf_timer_start() called with interrupts off on 7.x kernels, queue it on
 * the calling CPU. A CPU going offline still runs ops after the kernel has
 * taken it out of cpu_online_mask and switched off its interrupts (x86
 * soft-disables its local APIC in __cpu_disable; pending irq_work is run
 * once, at CPUHP_AP_SMPCFD_DYING): its stopper's completion wakes the task
 * taking it down (select_cpu, enqueue), and it goes idle a last time
 * (update_idle). Work queued then never runs, and stays queued when the
 * CPU comes back: that CPU's later irq_work raises no interrupt (the list
 * is not empty), and the kernel's disable path waits for the kick's work
 * forever (free_kick_syncs() in irq_work_sync(); hybrid-hotplug-domain
 * hung there). The kernel's online mask, not ours: a CPU taken down from
 * a hotplug state below CPUHP_AP_ACTIVE (the debug hotplug/target knob)
 * never passes ops.cpu_offline, and keeps its bit in ours.
 */
static bool irq_work_runs_here(void)
{
	const struct cpumask *kernel_online = scx_bpf_get_online_cpumask();
	bool ret = bpf_cpumask_test_cpu(bpf_get_smp_processor_id(), kernel_online);

	scx_bpf_put_cpumask(kernel_online);
	return ret;
}

static void kick_idle_cpu(s32 cpu)
{
	if (irq_work_runs_here())
		scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
}

/* set out of bypass; cleared when a sweep is armed */
volatile __u32 sched_live;

static void note_live(void)
{
	if (!sched_live)
		sched_live = 1;
}

/* cpu's next request goes to the kernel whatever it is (JP_REQUEST_UNSENT) */
static void forget_request(s32 cpu)
{
	struct joule_stats *s = cpu_stats(cpu);

	if (s)
		s->perf_request = JP_REQUEST_UNSENT;
}

/*
 * Give up frequency requests: every possible CPU's (ops.init: the kernel set
 * them all to the maximum as the scheduler attached), or only those of idle
 * CPUs that still hold one (the idle sweep). Not a number in a hole of the
 * possible mask (nr_cpu_ids is one past the last possible CPU): the kfunc
 * takes such a CPU for an error and the kernel ends the scheduler.
 */
__attribute__((noinline)) int joule_release_perf(u32 idle_only)
{
	u32 cpu, nr = scx_bpf_nr_cpu_ids();
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();
	const struct cpumask *possible = scx_bpf_get_possible_cpumask();
	struct joule_stats *s;

	JP_FOR(cpu, 0, JP_MAX_CPUS)
	{
		if (cpu >= nr)
			break;
		if (!bpf_cpumask_test_cpu(cpu, possible))
			continue;
		s = cpu_stats(cpu);
		if (idle_only && (!s || !s->perf_request || !cpu_idle_online(cpu, idle)))
			continue;
		if (s) {
			s->perf_target = 0;
			s->perf_request = 0;
		}
		scx_bpf_cpuperf_set(cpu, 0);
		/*
		 * The CPU may have started running since its idle test, and its
		 * request may have reached the kernel before this 0 did: its next
		 * request is sent whatever it is. Always, not only when its run
		 * count moved (as joule_release_kept does): nothing orders the
		 * idle mask's bit against that count, so on arm64 the count read
		 * before the test could already hold the run the stale bit hides.
		 * When the CPU's own request took its run queue lock before the
		 * kfunc did (the order that loses it), that request's store is
		 * ordered before this one.
		 */
		if (idle_only)
			forget_request(cpu);
	}
	scx_bpf_put_cpumask(possible);
	scx_bpf_put_idle_cpumask(idle);
	return 0;
}

/* set once a callback finds its running task with migration enabled */
static __u8 trampoline_adds_none;

/*
 * Tasks the kernel queues on their CPU without asking ops.enqueue even when
 * the scheduler is live: exiting and migration-disabled ones (without
 * SCX_OPS_ENQ_EXITING / SCX_OPS_ENQ_MIGRATION_DISABLED).
 */
static bool kernel_queues_itself(struct task_struct *p)
{
	/*
	 * The trampoline's own disable, taken for a real one, kept the tick and
	 * dispatch from moving their own misfit task up: two hogs on the board
	 * ran 76-97% on big CPUs instead of 99-100% (jp_migration_disabled).
	 */
	bool disabled = jp_migration_disabled(
		p->migration_disabled, p == bpf_get_current_task_btf(), &trampoline_adds_none);

	return (p->flags & PF_EXITING) || disabled;
}

/* Is an allowed CPU bigger than cpu idle right now? */
static bool bigger_cpu_idle(struct task_struct *p, s32 cpu)
{
	const struct jp_cpumask *bigger = &bigger_than[cpu & (JP_MAX_CPUS - 1)];
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();
	u64 found = 0;

	for (u32 i = 0, words = mask_words(); i < JP_MASK_WORDS && i < words; i++)
		found |= bigger->bits[i] & online.bits[i] & idle->bits[i] & p->cpus_ptr->bits[i];
	scx_bpf_put_idle_cpumask(idle);
	return found;
}

/* Is p, on cpu, a misfit to place again (jp_misfit_move_due)? */
static bool misfit_move_due(struct task_struct *p, struct task_ctx *tctx, s32 cpu, u64 now)
{
	bool frame, always;

	if (!tctx || cpu < 0 || cpu >= JP_MAX_CPUS)
		return false;
	frame = jp_frame_task(tctx->wake_period, p->flags & PF_KTHREAD);
	always = jp_misfit_always_due(cur_profile(), frame);
	return jp_misfit_move_due(&tctx->jt, tables.cpu[cpu].capacity, always, now);
}

/* What another CPU's enqueue needs to work out the vtime of p, running on cpu since since */
static void note_running_vtime(s32 cpu, struct task_struct *p, u64 since)
{
	if (cpu < 0 || cpu >= JP_MAX_CPUS)
		return;
	cpu_local[cpu].running_vtime = p->scx.dsq_vtime;
	cpu_local[cpu].running_weight = p->scx.weight;
	cpu_local[cpu].running_since = since;
}

/*
 * Is p's vtime, placed on cpu's domain clock as it would start there
 * (jp_vtime_place), before that of the task running on cpu, its run since
 * the last charge counted? With none of ours running there, it is.
 */
static bool behind_running(struct task_struct *p, struct task_ctx *tctx, s32 cpu, u64 now)
{
	u64 since, curr;

	if (cpu < 0 || cpu >= JP_MAX_CPUS || !tctx)
		return false;
	since = cpu_local[cpu].running_since;
	if (!since)
		return true;
	curr = vtime_after_run(cpu_local[cpu].running_vtime, now > since ? now - since : 0,
			       cpu_local[cpu].running_weight);
	return vtime_before(vtime_placed(p, tctx, cpu_pd(cpu)), curr);
}

/* cpu as jp_enqueue_plan sees it; none if cpu is not a CPU of the tables */
static void enq_cpu(struct jp_enq_cpu *c, s32 cpu)
{
	c->cpu = JP_NO_CPU;
	if (cpu < 0 || cpu >= JP_MAX_CPUS)
		return;
	c->cpu = cpu;
	c->capacity = tables.cpu[cpu].capacity;
	c->online = jp_mask_test(&online, (u32)cpu);
	/*
	 * Not a CPU a realtime task holds: the kernel only preempts a
	 * sched_ext task for a local insert, so the wakeup would wait there
	 * behind it, seen by no other CPU.
	 */
	c->may_preempt =
		c->online && !cpu_local[cpu].running_preempter && !cpu_local[cpu].rt_running;
}

/*
 * Into the local queue of the CPU p is enqueued on. A task enqueued as the
 * CPU's last (SCX_ENQ_LAST) is put back while the CPU is already switching
 * to idle, and nothing would look at that queue again until some interrupt
 * came: the kernel leaves it to the scheduler to kick the CPU, which here
 * only takes effect once it is idle. dispatch keeps most such tasks running
 * without coming here.
 */
static void insert_local(struct task_struct *p, struct task_ctx *tctx, u64 enq_flags)
{
	if (tctx)
		count_pending(tctx, scx_bpf_task_cpu(p));
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, task_slice(tctx), enq_flags);
	if (enq_flags & SCX_ENQ_LAST)
		kick_idle_cpu(scx_bpf_task_cpu(p));
}

/*
 * The idle, online CPUs, of in (NULL: every CPU) that a task with mask
 * allowed may run on (NULL: any), in cand: word operations, so that the
 * usual case on a busy machine, no idle CPU anywhere, costs no walk over
 * the CPUs. Returns whether any.
 */
static bool idle_cpus(const struct jp_cpumask *in, const struct cpumask *allowed,
		      struct jp_cpumask *cand)
{
	const struct cpumask *idle = scx_bpf_get_idle_cpumask();
	u64 any = 0;

	/* every word written (see mask_from_cpumask) */
	for (u32 i = 0, words = mask_words(); i < JP_MASK_WORDS; i++) {
		u64 word = 0;

		if (i < words) {
			word = online.bits[i] & idle->bits[i];
			if (in)
				word &= in->bits[i];
			if (allowed)
				word &= allowed->bits[i];
		}
		cand->bits[i] = word;
		any |= word;
	}
	scx_bpf_put_idle_cpumask(idle);
	return any;
}

/*
 * The idle online CPUs p may run on, into cand; false if none. One read of
 * the kernel's idle mask for every domain wake_idle_cpu_for tries: a read
 * per domain made a task confined to one domain pay for all of them at each
 * enqueue that found its own domain busy.
 */
static bool task_idle_cpus(struct task_struct *p, struct jp_cpumask *cand)
{
	return idle_cpus(NULL, p->cpus_ptr, cand);
}

/*
 * Has cand a CPU of domain pd? O(mask words): the domain's CPUs are walked
 * only when it has one.
 */
static bool cand_in_pd(const struct jp_cpumask *cand, u32 pd)
{
	const struct jp_cpumask *in_pd = &pd_cpus[pd & (JP_MAX_PDS - 1)];
	u64 any = 0;

	for (u32 w = 0, words = mask_words(); w < JP_MASK_WORDS && w < words; w++)
		any |= cand->bits[w] & in_pd->bits[w];
	return any;
}

/* Claims one of cand's CPUs in domain pd, in the domain's order, or -1. */
static s32 claim_idle_cpu_in(const struct jp_cpumask *cand, u32 pd)
{
	const struct jp_pd *d = &tables.pd[pd & (JP_MAX_PDS - 1)];
	u32 i, c;

	if (!cand_in_pd(cand, pd))
		return -1;
	JP_FOR(i, 0, JP_MAX_PD_CPUS)
	{
		if (i >= d->nr_cpus)
			break;
		c = d->cpus[i];
		if (jp_mask_test(cand, c) && scx_bpf_test_and_clear_cpu_idle(c))
			return c;
	}
	return -1;
}

/*
 * Claims an idle CPU p may run on, of domain own first, then of the others
 * in order; -1 if none. Not inlined: its mask on joule_enqueue's own stack
 * took the deepest call chain past the verifier's 512 bytes.
 */
static __attribute__((noinline)) s32 claim_idle_cpu_for(struct task_struct *p, u32 own)
{
	struct jp_cpumask cand;
	s32 idle;
	u32 pd;

	if (!task_idle_cpus(p, &cand))
		return -1;
	idle = claim_idle_cpu_in(&cand, own);
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (idle >= 0 || pd >= tables.nr_pds)
			break;
		if (pd != own)
			idle = claim_idle_cpu_in(&cand, pd);
	}
	return idle;
}

/*
 * p waits in the queue of cpu's domain: never leave an allowed CPU idle
 * meanwhile (idle CPUs do not look at queues until kicked). cpu itself if
 * it is idle, else another idle CPU of its domain, else any idle CPU p may
 * run on: one of another domain may take from this queue, since it has no
 * idle CPU (jp_pd_may_pull). Claiming the CPU's idle bit keeps the next wakeup
 * from counting on it too. Never a preempting kick: the wakeups that may
 * preempt went to their CPU's local queue, and kicking for every latency-
 * critical enqueue would make two such tasks preempt each other endlessly.
 */
static void wake_idle_cpu_for(struct task_struct *p, s32 cpu)
{
	s32 idle;

	if (cpu < 0 || cpu >= JP_MAX_CPUS)
		return;
	/* between the caller's count_pending and the idle bits: see recheck_queues */
	__sync_lock_test_and_set(&cpu_local[bpf_get_smp_processor_id() & (JP_MAX_CPUS - 1)].fence,
				 1);
	if (cpu_is_idle((u32)cpu)) {
		kick_idle_cpu(cpu);
		return;
	}
	/*
	 * Going idle without the kernel's bit: before 6.16 it is set after
	 * update_idle, or someone claimed it. Kicked, and another idle CPU is
	 * still claimed: the claimer's task may be the one cpu runs.
	 */
	if (cpu_local[cpu].going_idle)
		kick_idle_cpu(cpu);
	idle = claim_idle_cpu_for(p, cpu_pd(cpu));
	if (idle >= 0)
		kick_idle_cpu(idle);
}

/*
 * Where p moves as it is enqueued, or JP_NO_CPU: placement's pick for a
 * misfit due to be placed again (jp_misfit_move_due) on a CPU with a bigger
 * idle one, or for a task whose CPU has left
 * the online mask (jp_enqueue_plan takes it only if online). Apart from
 * joule_plan_enqueue, so that the placement's calls do not stack on that
 * function's frame (the verifier's 512 bytes).
 */
__attribute__((noinline)) s32 joule_move_target(struct task_struct *p __arg_trusted, u64 enq_flags)
{
	enum joule_stat reason = JOULE_STAT_PLACE_MISFIT;
	struct task_ctx *tctx = task_ctx(p);
	s32 cpu = scx_bpf_task_cpu(p), target;
	u64 now;

	/*
	 * Not a migration-disabled task either: on 6.14 (no
	 * SCX_OPS_ENQ_MIGRATION_DISABLED) enqueue sees those too, and in
	 * another CPU's queue only its own CPU could take it.
	 */
	if (p->nr_cpus_allowed == 1 || !tctx || cpu < 0 || cpu >= JP_MAX_CPUS ||
	    kernel_queues_itself(p))
		return JP_NO_CPU;
	if (!jp_mask_test(&online, (u32)cpu))
		return joule_choose_cpu(p, cpu, &reason);
	/*
	 * On an online CPU, only a misfit due to be placed again
	 * (jp_misfit_move_due), with a bigger CPU idle, moves; not at a
	 * wakeup select_cpu has just placed (as one it put straight on an
	 * idle CPU, which never comes here).
	 */
	if (tctx->woke_in_select && (enq_flags & SCX_ENQ_WAKEUP))
		return JP_NO_CPU;
	now = scx_bpf_now();
	if (!misfit_move_due(p, tctx, cpu, now) || !bigger_cpu_idle(p, cpu))
		return JP_NO_CPU;
	target = joule_choose_cpu(p, cpu, &reason);
	if (target >= 0 && target < JP_MAX_CPUS)
		jp_misfit_answered(&tctx->jt, tables.cpu[cpu].capacity, tables.cpu[target].capacity,
				   now);
	return target;
}

/* tctx's task goes into domain pd's queue: counted there if it may run on any CPU. */
static void count_free_queued(struct task_ctx *tctx, u32 pd)
{
	if (!tctx || !tctx->unconfined)
		return;
	pd &= JP_MAX_PDS - 1;
	tctx->free_pd = pd + 1;
	__sync_fetch_and_add(&pd_local[pd].nr_free_queued, 1);
}

/*
 * What joule_enqueue does with p: jp_enqueue_plan's inputs gathered, and
 * its answer; move: joule_move_target's. Here too p leaves the free count of
 * the queue it was in and joins that of the queue it goes to: in
 * joule_enqueue, two more live values took its deepest call chain past the
 * verifier's 512 bytes of stack. A global function, verified once on its
 * own: inlined, each combination of inputs multiplied the paths the verifier
 * walked through the rest of joule_enqueue (2.3x the instructions, a start
 * 3 s longer in the test VM).
 */
__attribute__((noinline)) int joule_note_cpus(struct task_struct *p __arg_trusted);

__attribute__((noinline)) int joule_plan_enqueue(struct task_struct *p __arg_trusted, u64 enq_flags,
						 s32 move, struct jp_enqueue_plan *out)
{
	struct task_ctx *tctx = task_ctx(p);
	struct jp_enqueue_in in = {.move.cpu = JP_NO_CPU}; /* no CPU unless it moves */

	if (!out)
		return -1;
	in.pinned = p->nr_cpus_allowed == 1;
	in.kthread = !!(p->flags & PF_KTHREAD);
	in.wakeup = !!(enq_flags & SCX_ENQ_WAKEUP);
	in.last = !!(enq_flags & SCX_ENQ_LAST);
	in.lat_preempts = tctx && lat_preempts(tctx) && profile == JOULE_PROFILE_GAMING;
	in.short_runs =
		tctx && jp_short_runs(tctx->run_avg, tctx->wake_period, tctx->requeues, slice_ns);
	/* not a requeue: handed back by a realtime task's takeover (joule_rt_takeover) */
	if (tctx && !in.wakeup && !(enq_flags & SCX_ENQ_REENQ))
		tctx->requeues++;
	enq_cpu(&in.here, scx_bpf_task_cpu(p));
	if (move != JP_NO_CPU)
		enq_cpu(&in.move, move);
	if (in.lat_preempts && in.wakeup) {
		u64 now = scx_bpf_now();

		in.here.behind_running = behind_running(p, tctx, in.here.cpu, now);
		in.move.behind_running = behind_running(p, tctx, in.move.cpu, now);
	}
	jp_enqueue_plan(&in, out);
	drop_free_queued(tctx);
	/* CPUs came or went since unconfined was worked out: again, before it counts */
	if (tctx && tctx->cpus_gen != online_gen)
		joule_note_cpus(p);
	if (out->where == JP_ENQ_QUEUE)
		count_free_queued(tctx, cpu_pd(out->cpu));
	return 0;
}

/*
 * The vtime at the head of domain pd's queue for a task placed at vtime
 * (jp_queue_head_vtime), given the queue's first task or NULL.
 */
static u64 head_vtime_behind(struct task_struct *first, u64 vtime)
{
	struct task_ctx *fctx;

	if (!first)
		return jp_queue_head_vtime(vtime, false, 0, false);
	fctx = bpf_task_storage_get(&task_ctxs, first, 0, 0);
	return jp_queue_head_vtime(vtime, true, first->scx.dsq_vtime, fctx && fctx->queued_at_head);
}

/*
 * The same, the first task peeked at without the queue's lock where the
 * kernel can (scx_bpf_dsq_peek, 6.19), else read with the DSQ iterator. A
 * global function, verified once on its own.
 */
__attribute__((noinline)) u64 joule_head_vtime(u32 pd, u64 vtime)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *first = NULL;
	u64 head;

	bpf_rcu_read_lock();
	if (has_kfunc_6_19(scx_bpf_dsq_peek)) {
		head = head_vtime_behind(scx_bpf_dsq_peek(pd), vtime);
	} else {
		if (!bpf_iter_scx_dsq_new(&it, pd, 0))
			first = bpf_iter_scx_dsq_next(&it);
		head = head_vtime_behind(first, vtime);
		bpf_iter_scx_dsq_destroy(&it);
	}
	bpf_rcu_read_unlock();
	return head;
}

/*
 * Into the vtime queue of cpu's domain (cpu: the CPU the task is on, or
 * the one joule_move_target found), at its head if head, with an idle CPU
 * woken for it. A subprogram of its own: inlined, joule_enqueue's frame
 * grew with the queued_at stamp and its deepest chain of calls passed the
 * verifier's 512 bytes (528).
 */
static void start_queue_watch(void);

static __noinline void enqueue_in_pd(struct task_struct *p, struct task_ctx *tctx, s32 cpu,
				     u64 enq_flags, bool head)
{
	u64 vtime = vtime_in_pd(p, tctx, cpu_pd(cpu));

	if (head)
		vtime = joule_head_vtime(cpu_pd(cpu), vtime);
	if (tctx) {
		tctx->queued_at_head = head;
		count_pending(tctx, cpu);
		/*
		 * From its first enqueue since it last ran: a change of nice,
		 * affinity or cgroup takes a queued task out and puts it back,
		 * and stamped again each time, a task changed more often than
		 * STARVED_NS would never count as starved.
		 */
		if (!tctx->queued_at)
			tctx->queued_at = scx_bpf_now();
	}
	scx_bpf_dsq_insert_vtime(p, cpu_pd(cpu), task_slice(tctx), vtime, enq_flags);
	wake_idle_cpu_for(p, cpu);
	start_queue_watch();
}

void BPF_STRUCT_OPS(joule_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = task_ctx(p);
	struct jp_enqueue_plan plan = {};

	note_live();
	if (tctx)
		tctx->queued_by_us = 1;
	/*
	 * The kernel calls select_cpu only for tasks that may run on more than
	 * one CPU: a pinned task's wakeups are noted here, or its utilization
	 * would keep the value it started with.
	 */
	if (tctx && (enq_flags & SCX_ENQ_WAKEUP) && !tctx->woke_in_select)
		note_wakeup(p, tctx, scx_bpf_now(), 0);
	/* placed afresh below: its own count must not weigh on the choice */
	if (tctx)
		drop_pending(tctx);
	/*
	 * Woken by a CPU going down, which may neither kick a CPU nor start the
	 * timer (irq_work_runs_here): into the local queue of the CPU the
	 * kernel enqueues on, which the kernel wakes itself if it is idle.
	 */
	if (!irq_work_runs_here()) {
		insert_local(p, tctx, enq_flags);
		return;
	}

	if (joule_plan_enqueue(p, enq_flags, joule_move_target(p, enq_flags), &plan))
		plan.where = JP_ENQ_LOCAL; /* cannot happen: plan is on the stack */

	if (plan.moved_up) {
		/* a wakeup select_cpu placed is counted there, by its reason */
		if (!(tctx && tctx->woke_in_select && (enq_flags & SCX_ENQ_WAKEUP)))
			stat_add(JOULE_STAT_PLACE_MISFIT, 1);
		kick_idle_cpu(plan.cpu);
	}
	if (p->nr_cpus_allowed == 1 && (enq_flags & SCX_ENQ_WAKEUP))
		stat_add(JOULE_STAT_PLACE_AFFINITY, 1);
	switch (plan.where) {
	case JP_ENQ_LOCAL: insert_local(p, tctx, enq_flags); break;
	case JP_ENQ_PREEMPT:
		stat_add(JOULE_STAT_LAT_PREEMPT, 1);
		if (tctx)
			count_pending(tctx, plan.cpu);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | (u32)plan.cpu, task_slice(tctx),
				   enq_flags | SCX_ENQ_PREEMPT);
		break;
	default: enqueue_in_pd(p, tctx, plan.cpu, enq_flags, plan.head); break;
	}
}

/* The first CPU of cand in domain pd's order, or -1. */
static s32 first_cpu_in(const struct jp_cpumask *cand, u32 pd)
{
	/* masked, not only checked: the verifier must see the bound on every path */
	const struct jp_pd *d = &tables.pd[pd & (JP_MAX_PDS - 1)];
	u32 i;

	if (!cand_in_pd(cand, pd))
		return -1;
	JP_FOR(i, 0, JP_MAX_PD_CPUS)
	{
		if (i >= d->nr_cpus)
			break;
		if (jp_mask_test(cand, d->cpus[i]))
			return d->cpus[i];
	}
	return -1;
}

/*
 * Tasks wait in domain pd's queue: wake an idle CPU that may take them, of
 * pd or of another domain allowed to pull from it (jp_pd_may_pull: with
 * none of pd's CPUs idle, any domain that may pull at all). An idle CPU
 * looks at the queues only when kicked, and one that went idle just after
 * the last enqueue was not: under 8 hogs on the 6 CPUs of the board, a
 * little CPU sat idle 14% of the time while hogs waited in the big queue.
 * One read of the kernel's idle mask for every domain tried, as in
 * claim_idle_cpu_for: it was read twice for each.
 */
static void wake_idle_cpu_for_queue(u32 pd)
{
	struct jp_cpumask cand;
	s32 cpu;
	u32 q;

	if (pd >= JP_MAX_PDS || !idle_cpus(NULL, NULL, &cand))
		return;
	cpu = first_cpu_in(&cand, pd);
	JP_FOR(q, 0, JP_MAX_PDS)
	{
		if (cpu >= 0 || q >= tables.nr_pds)
			break;
		if (q != pd && jp_pd_may_pull(&tables, q, pd, 0))
			cpu = first_cpu_in(&cand, q);
	}
	if (cpu >= 0)
		kick_idle_cpu(cpu);
}

static bool pull_from(u32 pd)
{
	if (!scx_bpf_dsq_move_to_local(pd))
		return false;
	stat_add(JOULE_STAT_PLACE_BALANCE, 1);
	stat_add(JOULE_STAT_DISPATCH, 1);
	return true;
}

/* Each domain's online capacity (jp_pd_online_capacity), kept with the online mask. */
u32 pd_online_cap[JP_MAX_PDS];

/*
 * What the first step of a dispatch reads of the domains' loads: the domain
 * jp_overloaded_pd names for a CPU of each domain (one whose CPUs are all
 * busy with tasks waiting), and the domains with an idle CPU. Worked out
 * into the buffer readers are not on, then published
 * (dispatch_loads_ready), so that a dispatch reads it in O(1). Gathering
 * the loads is a queue count and mask words per domain: at 64 vCPUs in 8
 * domains it cost 17.8 us a dispatch, against 5.2 at 4 vCPUs in 2
 * (docs/performance.md). So the CPUs about to go idle, which gather the
 * loads anyway, refresh the copy at most once per OVERUTIL_PERIOD_NS
 * machine-wide, and a busy CPU only once it is DISPATCH_LOADS_MAX_AGE_NS
 * old (no CPU has gone idle since). A domain overloaded a few ms ago is
 * still worth a look: the pull finds its queue empty or takes a task it
 * had waiting.
 */
#define DISPATCH_LOADS_MAX_AGE_NS (4 * OVERUTIL_PERIOD_NS)

struct dispatch_loads {
	s32 overloaded[JP_MAX_PDS]; /* jp_overloaded_pd for a CPU of each domain */
	u32 idle_pds;
	u32 pad;
};
static struct dispatch_loads dispatch_loads[2];
static u32 dispatch_loads_ready;
static u64 dispatch_loads_at;

/*
 * Each domain's load now (jp_pd_loads, and the tasks queued in it) into
 * loads; returns the domains with an idle online CPU.
 */
static u32 gather_pd_loads(struct jp_pd_load *loads)
{
	const struct cpumask *idle;
	struct jp_cpumask idle_now;
	u32 pd, idle_pds;

	idle = scx_bpf_get_idle_cpumask();
	mask_from_cpumask(&idle_now, idle);
	scx_bpf_put_idle_cpumask(idle);
	idle_pds = jp_pd_loads(&tables, pd_cpus, &online, &idle_now, pd_online_cap, mask_words(),
			       loads);
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= tables.nr_pds)
			break;
		loads[pd].queued = (u32)scx_bpf_dsq_nr_queued(pd);
	}
	return idle_pds;
}

/* Publish loads as the machine's, if this CPU won the refresh (claim_dispatch_loads). */
static void publish_pd_loads(const struct jp_pd_load *loads, u32 idle_pds)
{
	u32 buf = (dispatch_loads_ready + 1) & 1, self;

	/* what a dispatch reads, worked out here once for CPUs of every domain */
	JP_FOR(self, 0, JP_MAX_PDS)
	{
		if (self >= tables.nr_pds)
			break;
		dispatch_loads[buf].overloaded[self] = jp_overloaded_pd(
			&tables, cur_profile(), loads, self, jp_pull_skip(&tables, self, idle_pds));
	}
	dispatch_loads[buf].idle_pds = idle_pds;
	/* a full barrier: the loads are written before a reader can pick them */
	__sync_lock_test_and_set(&dispatch_loads_ready, buf);
}

/* Is the machine's copy of the loads min_age old, and did this CPU win the refresh? */
static bool claim_dispatch_loads(u64 now, u64 min_age)
{
	u64 at = dispatch_loads_at;

	if (newer_than(now, at, min_age))
		return false;
	return __sync_val_compare_and_swap(&dispatch_loads_at, at, now) == at;
}

/*
 * What jp_dispatch_plan needs to know about the domains, for a CPU of
 * domain in->self: which have an idle online CPU, how many tasks wait in
 * each, and where jp_overloaded_pd would take from. Fresh (fresh non-zero,
 * or when this CPU refreshes the machine's copy), or else from
 * dispatch_loads with only the own queue counted now and the others' counts
 * left at 0: a busy CPU takes from its own queue or keeps its task, and one
 * about to go idle asks again afresh (joule_dispatch). A global function,
 * so that the verifier checks it once, on its own.
 */
__attribute__((noinline)) int joule_dispatch_domains(struct jp_dispatch_in *in, int fresh, u64 now)
{
	struct jp_pd_load loads[JP_MAX_PDS] = {};
	const struct dispatch_loads *dl;
	u32 pd, self;
	bool claimed;

	if (!in)
		return -1;
	self = in->self;
	in->idle_pds = 0;
	in->overloaded = JP_NO_PD;
	if (self >= JP_MAX_PDS)
		return -1;
	claimed = claim_dispatch_loads(now, fresh ? OVERUTIL_PERIOD_NS : DISPATCH_LOADS_MAX_AGE_NS);
	if (fresh || claimed) {
		in->idle_pds = gather_pd_loads(loads);
		JP_FOR(pd, 0, JP_MAX_PDS)
		in->queued[pd] = loads[pd].queued;
		if (claimed)
			publish_pd_loads(loads, in->idle_pds);
		in->overloaded = jp_overloaded_pd(&tables, cur_profile(), loads, self,
						  jp_pull_skip(&tables, self, in->idle_pds));
		return 0;
	}
	dl = &dispatch_loads[dispatch_loads_ready & 1];
	in->idle_pds = dl->idle_pds;
	in->queued[self] = (u32)scx_bpf_dsq_nr_queued(self);
	in->overloaded = dl->overloaded[self];
	return 0;
}

/*
 * The task whose slice ended may go on (jp_dispatch_plan decides whether):
 * is it still runnable, and did it outgrow this CPU with a bigger one idle?
 * Then it goes through enqueue (SCX_ENQ_LAST), which moves it up; not a
 * task the kernel queues itself, which never reaches enqueue (see the tick).
 */
/* how many of a queue's first tasks prev_first looks at for one this CPU may run */
#define HEAD_PEEK_MAX 4

/*
 * Is prev, whose slice ended, before the first task of domain pd's queue
 * that cpu may run, in vtime? Its run since the last charge (a tick's, or
 * running) counts, as stopping will charge it. Past the queue's first
 * HEAD_PEEK_MAX tasks, the last of them stands for the rest (see below). A
 * global function, verified once.
 */
__attribute__((noinline)) int joule_prev_first(struct task_struct *prev __arg_trusted, s32 cpu,
					       u32 pd, u64 now)
{
	struct task_ctx *tctx = task_ctx(prev);
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;
	u64 vtime = prev->scx.dsq_vtime;
	int n = 0, first = 0;

	if (tctx && tctx->started && now > tctx->started)
		vtime = vtime_after_run(vtime, now - tctx->started, prev->scx.weight);
	if (bpf_iter_scx_dsq_new(&it, pd, 0))
		goto out;
	/*
	 * The queue is in vtime order: a task this CPU may run past the ones
	 * looked at is no earlier than the last of them, and with none at all
	 * the queue has nothing for it.
	 */
	first = 1;
	while ((p = bpf_iter_scx_dsq_next(&it))) {
		if (bpf_cpumask_test_cpu(cpu, p->cpus_ptr) || ++n >= HEAD_PEEK_MAX) {
			first = vtime_before(vtime, p->scx.dsq_vtime);
			break;
		}
	}
out:
	bpf_iter_scx_dsq_destroy(&it);
	return first;
}

static void note_prev(struct jp_dispatch_in *in, struct task_struct *prev, s32 cpu, u64 now)
{
	struct task_ctx *tctx;

	if (!prev || !(prev->scx.flags & SCX_TASK_QUEUED))
		return;
	in->prev_runnable = 1;
	tctx = task_ctx(prev);
	in->prev_misfit_up = misfit_move_due(prev, tctx, cpu, now) && prev->nr_cpus_allowed > 1 &&
			     !kernel_queues_itself(prev) && bigger_cpu_idle(prev, cpu);
	if (!in->prev_misfit_up && in->self < JP_MAX_PDS)
		in->prev_first = joule_prev_first(prev, cpu, in->self, now);
}

/* What a plan's step gave the CPU */
enum dispatch_got {
	DISPATCH_NOTHING,
	DISPATCH_TASK, /* a task moved to its local queue */
	DISPATCH_KEEP, /* the task whose slice ended goes on: the caller renews its slice */
};

/* Carries out one step of the plan; keeping prev is left to the caller, which has it. */
static enum dispatch_got dispatch_step(const struct jp_dispatch_step *st, u32 self, u64 now)
{
	switch (st->kind) {
	case JP_DISPATCH_PULL: return pull_from(st->pd) ? DISPATCH_TASK : DISPATCH_NOTHING;
	case JP_DISPATCH_OWN:
		if (!scx_bpf_dsq_move_to_local(self))
			return DISPATCH_NOTHING;
		if (self < JP_MAX_PDS)
			pd_local[self].own_served_at = now;
		stat_add(JOULE_STAT_DISPATCH, 1);
		return DISPATCH_TASK;
	case JP_DISPATCH_KEEP: return DISPATCH_KEEP;
	}
	return DISPATCH_NOTHING;
}

/*
 * jp_dispatch_plan as a global function, verified once on its own: inlined
 * or as a static subprogram, the verifier followed every plan it can make
 * through the loop that carries the plan out.
 */
__attribute__((noinline)) int joule_dispatch_plan(const struct jp_dispatch_in *in,
						  struct jp_dispatch_plan *plan)
{
	if (!in || !plan)
		return -1;
	jp_dispatch_plan(&tables, in, plan);
	return 0;
}

/* Domain pd's utilization and capacity (jp_pd_utils_add) into *u; as joule_pd_load_add. */
__attribute__((noinline)) int joule_pd_utils_add(u32 pd, u64 now, struct jp_pd_utils *u)
{
	if (u)
		jp_pd_utils_add(u, pd, pd_view(pd), now);
	return 0;
}

/*
 * jp_balance_domains' src_pd, at most OVERUTIL_PERIOD_NS old (balance_src).
 * Not inlined: its result on the stack only on the refreshing path, dispatch
 * would be verified twice over (15,138 instructions instead of 8,902 on 7.2).
 */
static __noinline s32 balance_src_now(u64 now)
{
	struct jp_pd_utils u = {};
	struct jp_balance b;
	u32 pd;

	if (newer_than(now, balance_at, OVERUTIL_PERIOD_NS))
		return balance_src;
	balance_at = now;
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= tables.nr_pds)
			break;
		joule_pd_utils_add(pd, now, &u);
	}
	balance_src = jp_balance_from(&tables, cur_profile(), &u, &b) ? b.src_pd : JP_NO_PD;
	return balance_src;
}

/*
 * One pass of a dispatch: gathers the domains into in
 * (joule_dispatch_domains(in, fresh, now); the caller has noted prev), plans,
 * and tries the plan's sources in order. The own queue counts as served
 * while it is empty, so that own_due means tasks waited there longer than
 * OWN_QUEUE_MAX_WAIT_NS. A global function, verified once: as a static
 * one called twice, dispatch took 45,710 verified instructions, not 8,583.
 */
__attribute__((noinline)) int joule_dispatch_pass(struct jp_dispatch_in *in, int fresh, u64 now)
{
	struct jp_dispatch_plan plan = {};
	enum dispatch_got got;
	u32 i, self;

	if (!in)
		return DISPATCH_NOTHING;
	self = in->self;
	joule_dispatch_domains(in, fresh, now);
	if (self < JP_MAX_PDS) {
		if (!in->queued[self])
			pd_local[self].own_served_at = now;
		in->own_due =
			!newer_than(now, pd_local[self].own_served_at, OWN_QUEUE_MAX_WAIT_NS + 1);
	}
	in->balance_src = jp_dispatch_wants_balance(in) ? balance_src_now(now) : JP_NO_PD;
	if (joule_dispatch_plan(in, &plan))
		return DISPATCH_NOTHING;
	JP_FOR(i, 0, JP_DISPATCH_MAX_STEPS)
	{
		if (i >= plan.nr)
			break;
		got = dispatch_step(&plan.step[i], self, now);
		if (got != DISPATCH_NOTHING)
			return got;
	}
	return DISPATCH_NOTHING;
}

/*
 * A backstop under the vtime order: a task that has waited STARVED_NS in its
 * domain's queue runs next on a CPU of the domain that may run it. Vtime
 * alone does not bound a wait. A task that ran ahead of the clock (by up to
 * JP_VTIME_MAX_LEAD_SLICES) waits while every task behind it catches up, and
 * sleepers keep rejoining a slice behind the clock: under hybrid-stress a
 * stress-ng task waited 6.3 s with one big CPU offline, and the kernel's
 * watchdog (timeout_ms) stopped the scheduler. Each domain's queue is
 * scanned at most once per STARVED_SCAN_NS, by whichever of its CPUs
 * dispatches first, oldest found or not: the scan walks the whole queue.
 */
#define STARVED_NS	(500ULL * 1000 * 1000)
#define STARVED_SCAN_NS (10ULL * 1000 * 1000)

/*
 * Where a starved p runs next: cpu if it may; a task pinned to one CPU goes
 * to that CPU's local queue instead, since whichever CPU of the domain
 * claimed the scan is rarely its own. -1: left for another scan.
 */
static s32 starved_task_cpu(struct task_struct *p, s32 cpu)
{
	s32 own;

	if (bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
		return cpu;
	own = scx_bpf_task_cpu(p);
	if (p->nr_cpus_allowed != 1 || own < 0 || own >= JP_MAX_CPUS ||
	    !bpf_cpumask_test_cpu(own, p->cpus_ptr) || !jp_mask_test(&online, (u32)own))
		return -1;
	return own;
}

__attribute__((noinline)) int joule_rescue_starved(s32 cpu, u64 now)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;
	u32 pd = cpu_pd(cpu);
	u64 at;
	int moved = 0;

	if (pd >= JP_MAX_PDS || cpu < 0)
		return 0;
	at = pd_local[pd].starved_scan_at;
	if (newer_than(now, at, STARVED_SCAN_NS) ||
	    __sync_val_compare_and_swap(&pd_local[pd].starved_scan_at, at, now) != at)
		return 0;
	if (bpf_iter_scx_dsq_new(&it, pd, 0))
		goto out;
	while ((p = bpf_iter_scx_dsq_next(&it))) {
		struct task_ctx *tctx = task_ctx(p);
		s32 to;

		if (!tctx || newer_than(now, tctx->queued_at, STARVED_NS))
			continue;
		to = starved_task_cpu(p, cpu);
		if (to < 0)
			continue;
		if (scx_bpf_dsq_move(&it, p, to == cpu ? SCX_DSQ_LOCAL : SCX_DSQ_LOCAL_ON | (u32)to,
				     0)) {
			stat_add(JOULE_STAT_STARVED, 1);
			if (to != cpu)
				kick_idle_cpu(to);
			moved = to == cpu;
			break;
		}
	}
out:
	bpf_iter_scx_dsq_destroy(&it);
	return moved;
}

/* The task's slice on cpu with queued tasks in its domain's queue (jp_queue_slice). */
static u64 queue_slice(struct task_ctx *tctx, s32 cpu, s32 queued)
{
	u32 pd = cpu_pd(cpu);

	if (queued <= 0)
		return task_slice(tctx);
	return jp_queue_slice(task_slice(tctx), (u32)queued, pd_online_cap[pd & (JP_MAX_PDS - 1)],
			      tables.cpu[cpu & (JP_MAX_CPUS - 1)].capacity);
}

/*
 * Plans on the domains' published loads first, which cost a busy CPU O(1)
 * kfunc calls; a CPU that found no work there and would go idle (or leave
 * a misfit task waiting) plans again on loads counted now, so that no task
 * is left waiting on a count a ms old.
 */
void BPF_STRUCT_OPS(joule_dispatch, s32 cpu, struct task_struct *prev)
{
	struct jp_dispatch_in in = {};
	u64 now = scx_bpf_now();
	int got;

	note_live();
	if (joule_rescue_starved(cpu, now))
		return;
	in.self = cpu_pd(cpu);
	note_prev(&in, prev, cpu, now);
	got = joule_dispatch_pass(&in, 0, now);
	if (got == DISPATCH_NOTHING && jp_dispatch_wants_balance(&in))
		got = joule_dispatch_pass(&in, 1, now);
	/*
	 * the plan keeps prev only if it has one; the verifier wants to see it.
	 * Its new slice is as running would give it (the simulator's pd_keep).
	 */
	if (got == DISPATCH_KEEP && prev)
		set_slice(prev, queue_slice(task_ctx(prev), cpu & (JP_MAX_CPUS - 1),
					    in.self < JP_MAX_PDS ? (s32)in.queued[in.self] : 0));
}

/*
 * Capacity a CPU delivers now: at the speed it actually runs (the kernel's
 * frequency-invariance scale, 1024 where it has none, as in a VM), not at
 * the speed requested, which a driver in active mode ignores.
 */
static __u32 cpu_cap_now(s32 cpu)
{
	return jp_cap_now(tables.cpu[cpu & (JP_MAX_CPUS - 1)].capacity, scx_bpf_cpuperf_cur(cpu));
}

/*
 * Ask for perf target (0..1024 of cpu's own top speed), skipping changes too
 * small to matter (jp_perf_request_due). For the CPU whose run queue the
 * caller holds, or any CPU where the caller holds no run queue's lock (ops.init,
 * the release timer's joule_release_kept), as the kfunc requires.
 * Scaled by the kernel's capacity of cpu (scx_bpf_cpuperf_cap), the one
 * schedutil divides by, not the model's: they differ where the loader
 * ranks CPUs the kernel reports as equal (an x86 hybrid whose cpu_capacity
 * is 1024 everywhere, CPPC's highest_perf telling its cores apart), and
 * there the model's would run an E-core at 0.6 of every target.
 */
static void request_perf(s32 cpu, __u32 target, bool resend)
{
	struct joule_stats *s = cpu_stats(cpu);
	__u32 req;

	if (!s || cpu < 0 || cpu >= JP_MAX_CPUS)
		return;
	req = jp_perf_request(target, scx_bpf_cpuperf_cap(cpu));
	s->perf_target = target;
	if (!jp_perf_request_due(s->perf_request, req) && !resend)
		return;
	s->perf_request = req;
	scx_bpf_cpuperf_set(cpu, req);
}

/* jp_perf_resend_due, with this CPU's last resend */
static bool perf_resend_due(s32 cpu, __u32 target, u64 now)
{
	u32 c = (u32)cpu & (JP_MAX_CPUS - 1);

	if (!jp_perf_resend_due(target, scx_bpf_cpuperf_cur(cpu), now, cpu_local[c].perf_resent_at))
		return false;
	cpu_local[c].perf_resent_at = now;
	return true;
}

/*
 * One timer gives up the frequency requests nothing else would, and
 * disarms itself when it has nothing left to do:
 * - While the kernel bypasses the scheduler (through the attach, around
 *   suspend and resume), it does not call ops.update_idle, but still calls
 *   ops.running: a CPU that ran a task then and went idle keeps that task's
 *   request for as long as it sleeps (seen in CI: one little CPU at its top
 *   speed, idle, 100 ms after the attach). Where the bypass flag lives
 *   differs between kernels, so it is inferred: a task that starts running
 *   without having passed through select_cpu or enqueue was queued by the
 *   kernel. That starts sweeps every IDLE_SWEEP_NS, which release the
 *   requests of idle CPUs, until the scheduler has been seen live
 *   (note_live: enqueue, dispatch and tick are not called in bypass) in two
 *   sweeps in a row, so that the bypass flag, cleared one CPU at a time, is
 *   down everywhere by the last.
 * - Requests idle CPUs kept after a frame thread (jp_idle_keeps_request):
 *   kept_since is when the CPU went idle keeping it (bpf_ktime_get_ns, 0: it
 *   keeps none), and each is given up once it is JP_KEPT_REQUEST_NS old, by
 *   the timer set for when the first of them is due. Without that a game
 *   that stopped left its big domain at frame speed for as long as the CPUs
 *   slept, and any task then running in that domain ran at that speed too.
 */
#define IDLE_SWEEP_NS	      (10ULL * 1000 * 1000)
#define WAKE_FOR_GLOBAL_NS    (1000ULL * 1000)
#define QUEUE_WATCH_NS	      (250ULL * 1000 * 1000)
#define RELEASE_TIMER_LATE_NS (1000ULL * 1000)
#define IDLE_SWEEPS_LIVE      2

struct release_timer {
	struct bpf_timer timer;
	__u32 sweeping; /* sweep idle CPUs: the kernel bypassed the scheduler */
	__u32 live_sweeps;
	__u32 wake_for_global; /* tasks were moved to the global queue as CPUs went offline */
	__u64 watched_at;      /* the queue watch's last look (below) */
	__u64 due_at;	       /* when it fires next (CLOCK_MONOTONIC), 0: no start pending */
	__u32 empty_looks;     /* the queue watch's looks in a row that found every queue empty */
	__u32 hotplug_look;    /* a CPU may be going down: look (joule_look_at_hotplug) */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct release_timer);
} release_timer SEC(".maps");

static struct release_timer *release_timer_state(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&release_timer, &zero);
}

volatile __u32 queue_watch_on; /* the queue watch, below */

/*
 * Start the timer for due, which this CPU has just put in due_at. A start
 * that failed, or that a CPU going down must not make (irq_work_runs_here),
 * leaves nothing pending: the next arm tries again, and the
 * queue watch's next enqueue starts it again. Another CPU may have lowered
 * due_at after this one did and started before it: its start stands again.
 */
static void start_release_timer(struct release_timer *rt, u64 due)
{
	u64 now = bpf_ktime_get_ns(), sooner;
	u32 i;

	if (!irq_work_runs_here() || bpf_timer_start(&rt->timer, due > now ? due - now : 0, 0)) {
		__sync_val_compare_and_swap(&rt->due_at, due, 0);
		__sync_lock_test_and_set(&queue_watch_on, 0);
		return;
	}
	/* again while another CPU lowered it meanwhile (it may have started before this) */
	JP_FOR(i, 0, 4)
	{
		sooner = __sync_fetch_and_add(&rt->due_at, 0);
		if (!sooner || sooner >= due)
			break;
		due = sooner;
		bpf_timer_start(&rt->timer, due > now ? due - now : 0, 0);
	}
}

/*
 * The tick's check that the timer still fires when due_at says: a start
 * made after a sooner one replaces it (some kernels carry a start made with
 * interrupts off out later), and arms meanwhile find the sooner due_at and
 * start nothing. One tick and a ms past due_at, it is started again at once.
 */
static void check_release_timer(void)
{
	struct release_timer *rt = release_timer_state();
	u64 due;

	if (!rt)
		return;
	due = rt->due_at;
	if (due && bpf_ktime_get_ns() > due + RELEASE_TIMER_LATE_NS && irq_work_runs_here())
		bpf_timer_start(&rt->timer, 0, 0);
}

/*
 * Brings the timer forward to delay_ns from now, never later: the callback
 * works every delay out again, and the queue watch's 250 ms must not hold
 * back a 1 ms kick for the global queue or a request's release. due_at only
 * ever falls while a start is pending (compare-and-swap), and the callback
 * zeroes it as it begins, before it looks at anything: an arm that finds a
 * start as soon pending, or the callback about to begin, leaves its work to
 * that callback, and one that finds none starts the timer, also while the
 * callback runs. The first read is a full barrier: the caller's work (a
 * flag, a kept request) is in place before due_at is read.
 */
static void arm_release_timer(struct release_timer *rt, u64 delay_ns)
{
	u64 due = bpf_ktime_get_ns() + delay_ns, cur, seen;
	u32 i;

	cur = __sync_fetch_and_add(&rt->due_at, 0);
	JP_FOR(i, 0, 8)
	{
		if (cur && cur <= due)
			return;
		seen = __sync_val_compare_and_swap(&rt->due_at, cur, due);
		if (seen == cur)
			break;
		cur = seen;
	}
	/* 8 lost races in a row: start anyway (the re-check keeps a sooner one) */
	start_release_timer(rt, due);
}

/* the scheduler is (or is about to be) bypassed: sweep until it is live */
static void arm_idle_sweep(void)
{
	struct release_timer *rt = release_timer_state();

	if (!rt)
		return;
	sched_live = 0;
	/* racy, and harmless: a sweep that sees sched_live clear resets it too */
	rt->live_sweeps = 0;
	/* an exchange, so ordered after sched_live: see idle_sweep */
	__sync_lock_test_and_set(&rt->sweeping, 1);
	arm_release_timer(rt, IDLE_SWEEP_NS);
}

/* a CPU kept its request just now: it expires JP_KEPT_REQUEST_NS from now */
static void arm_kept_release(void)
{
	struct release_timer *rt = release_timer_state();

	if (rt)
		arm_release_timer(rt, JP_KEPT_REQUEST_NS);
}

/*
 * Gives up the kept requests whose time is up. Returns in how many us the
 * next of those still kept expires, 0 if none is kept. A
 * CPU that ran a task since it kept its request holds none (running cleared
 * kept_since); not the idle mask: a CPU whose idle bit a wakeup claimed may
 * still be idle, with its request. The exchange keeps a CPU that starts
 * running now from losing the request running sets, bar a moment's race
 * (below) that its next request repairs.
 */
__attribute__((noinline)) int joule_release_kept(u64 now)
{
	u32 cpu, runs, nr = scx_bpf_nr_cpu_ids();
	u64 since, next_ns = 0, left_ns;

	JP_FOR(cpu, 0, JP_MAX_CPUS)
	{
		if (cpu >= nr)
			break;
		since = cpu_local[cpu].kept_since;
		if (!since)
			continue;
		if (!jp_kept_request_expired(since, now)) {
			left_ns = since + JP_KEPT_REQUEST_NS - now;
			if (!next_ns || left_ns < next_ns)
				next_ns = left_ns;
			continue;
		}
		runs = cpu_local[cpu].runs;
		if (__sync_val_compare_and_swap(&cpu_local[cpu].kept_since, since, 0) != since)
			continue;
		request_perf(cpu, 0, false);
		/*
		 * If cpu started running after the exchange, its own request may
		 * have reached the kernel before this 0 did (the kfunc waits for
		 * its run queue's lock): which one the kernel holds is unknown,
		 * so its next request is sent whatever it is.
		 */
		if (cpu_local[cpu].runs != runs)
			forget_request(cpu);
	}
	return next_ns ? (int)(next_ns / 1000 + 1) : 0;
}

/* One sweep of idle CPUs' requests; whether sweeps must go on. */
static bool idle_sweep(struct release_timer *rt)
{
	bool live = sched_live;

	joule_release_perf(1);
	rt->live_sweeps = live ? rt->live_sweeps + 1 : 0;
	if (rt->live_sweeps < IDLE_SWEEPS_LIVE)
		return true;
	/*
	 * Stop (an exchange: a full barrier), then look again: an
	 * arm_idle_sweep that cleared sched_live after this sweep read it
	 * set sweeping after that, or is seen here.
	 */
	__sync_lock_test_and_set(&rt->sweeping, 0);
	if (sched_live)
		return false;
	__sync_lock_test_and_set(&rt->sweeping, 1);
	rt->live_sweeps = 0;
	return true;
}

/*
 * Every online idle CPU looks at the queues again, the global one first:
 * tasks a CPU going offline moved there wait for a CPU to balance, and an
 * idle one may sleep on (hybrid-hotplug-domain saw every CPU idle, twelve
 * tasks in the global queue and the watchdog stop the scheduler 5 s on).
 * From the timer, since a kick queued by the CPU going down is irq_work
 * the kernel's disable path may wait for.
 */
static void kick_idle_online(void)
{
	u32 cpu, nr = tables.nr_cpus;

	if (!irq_work_runs_here())
		return;
	JP_FOR(cpu, 0, JP_MAX_CPUS)
	{
		if (cpu >= nr)
			break;
		if (jp_mask_test(&online, cpu))
			scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
	}
}

/* Can p run on an online CPU of domain pd? O(mask words), as bigger_cpu_idle reads its mask. */
static bool task_may_run_in_pd(struct task_struct *p, u32 pd)
{
	const struct jp_cpumask *in_pd = &pd_cpus[pd & (JP_MAX_PDS - 1)];
	u64 any = 0;

	for (u32 i = 0, words = mask_words(); i < JP_MASK_WORDS && i < words; i++)
		any |= p->cpus_ptr->bits[i] & online.bits[i] & in_pd->bits[i];
	return any;
}

/*
 * Does p leave domain pd's queue for the global one? Two rules:
 * - dying < 0, the queue watch: p waited over STARVED_NS by now;
 * - dying >= 0, CPU dying went offline (joule_cpu_offline): no online CPU of
 *   pd may run p, or p is still on dying's run queue.
 */
static bool leaves_for_global(struct task_struct *p, u32 pd, u64 now, s32 dying)
{
	struct task_ctx *tctx;

	if (dying >= 0)
		return !task_may_run_in_pd(p, pd) || scx_bpf_task_cpu(p) == dying;
	tctx = task_ctx(p);
	return tctx && !newer_than(now, tctx->queued_at, STARVED_NS);
}

/*
 * Moves the tasks of domain pd's queue that leaves_for_global picks to the
 * global queue: how many moved, or -1 if the queue is empty. The walk holds
 * RCU: the watch runs from a timer, which is no scheduler callback. A
 * global function, verified once.
 */
__attribute__((noinline)) int joule_queue_to_global(u32 pd, u64 now, s32 dying)
{
	struct bpf_iter_scx_dsq it;
	struct task_struct *p;
	int moved = 0;

	pd &= JP_MAX_PDS - 1;
	if (pd >= tables.nr_pds || scx_bpf_dsq_nr_queued(pd) <= 0)
		return -1;
	bpf_rcu_read_lock();
	if (bpf_iter_scx_dsq_new(&it, pd, 0))
		goto out;
	while ((p = bpf_iter_scx_dsq_next(&it))) {
		if (leaves_for_global(p, pd, now, dying) &&
		    scx_bpf_dsq_move(&it, p, SCX_DSQ_GLOBAL, 0))
			moved++;
	}
out:
	bpf_iter_scx_dsq_destroy(&it);
	bpf_rcu_read_unlock();
	return moved;
}

/*
 * The queue watch: a backstop for the backstop. rescue_starved runs only on
 * a CPU of the starved task's domain as it asks for work, and a domain's
 * idle CPU keeps the others from pulling from it (jp_pd_may_pull). Taking
 * CPU 5 offline under twelve hogs (VM, 7.2 and 7.3, about once in 60
 * offlines), the kernel marked it inactive, then waited for an RCU grace
 * period before ops.cpu_offline; meanwhile CPU 5 still counted as the big
 * domain's idle CPU, misfit hogs and rcu_preempt were queued for it, and it
 * took none of them: idle CPUs 1-3 were not allowed to, the grace period
 * waited on rcu_preempt, and the kernel's watchdog disabled the scheduler
 * 5-7 s on. So while any domain's queue holds tasks, the release timer looks
 * every QUEUE_WATCH_NS, moves those waiting over STARVED_NS to the global
 * queue, which every CPU takes from before its own, and kicks the idle CPUs.
 * It stops after two looks in a row find every queue empty: an enqueue's
 * task lands in its queue only after ops.enqueue returns, so one empty look
 * may have missed a task whose enqueue saw the watch still on. A tick that
 * finds its domain's queue holding tasks with the watch off starts it too.
 */
/* Looks at every queue; false once all are empty. */
static bool watch_queues(u64 now)
{
	int moved = 0, got;
	bool queued = false;
	u32 pd;

	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= tables.nr_pds)
			break;
		got = joule_queue_to_global(pd, now, -1);
		if (got >= 0)
			queued = true;
		if (got > 0)
			moved += got;
	}
	if (moved) {
		stat_add(JOULE_STAT_STARVED, moved);
		kick_idle_online();
	}
	return queued;
}

/* A task went into a domain's queue: the watch is on until every queue is empty. */
static void start_queue_watch(void)
{
	struct release_timer *rt;

	if (queue_watch_on || __sync_lock_test_and_set(&queue_watch_on, 1))
		return;
	rt = release_timer_state();
	if (!rt)
		return;
	rt->watched_at = scx_bpf_now();
	rt->empty_looks = 0;
	arm_release_timer(rt, QUEUE_WATCH_NS);
}

/* The watch's next look in ns from now, 0 if it is off. */
static u64 queue_watch_due(struct release_timer *rt)
{
	u64 now = scx_bpf_now(), since;

	if (!queue_watch_on)
		return 0;
	/* signed: another CPU's clock may read a little behind the last look's */
	since = (s64)(now - rt->watched_at) > 0 ? now - rt->watched_at : 0;
	if (since < QUEUE_WATCH_NS)
		return QUEUE_WATCH_NS - since;
	rt->watched_at = now;
	/* a queue that does not drain may be waiting for a CPU going down */
	__sync_lock_test_and_set(&rt->hotplug_look, 1);
	if (watch_queues(now)) {
		rt->empty_looks = 0;
		return QUEUE_WATCH_NS;
	}
	if (++rt->empty_looks < 2)
		return QUEUE_WATCH_NS;
	rt->empty_looks = 0;
	/* off (a full barrier), then look again: a task may have come meanwhile */
	__sync_lock_test_and_set(&queue_watch_on, 0);
	if (!watch_queues(now) || __sync_lock_test_and_set(&queue_watch_on, 1))
		return 0;
	return QUEUE_WATCH_NS;
}

/*
 * CPUs on their way down. To take a CPU offline, the kernel marks it
 * inactive, waits for an RCU grace period, and only then calls
 * ops.cpu_offline. An inactive CPU runs its local queue, and from the
 * global queue only tasks already on its run queue: the kernel calls
 * ops.dispatch only where scx_rq_online(), which tests cpu_active()
 * (kernel/sched/ext.c), and refuses to move a task onto it.
 * Yet for the scheduler it stayed online and idle, so wakeups were queued
 * for it and kicked it in vain, and its domain's idle CPU kept the others
 * from pulling (jp_pd_may_pull): under twelve hogs in the VM, tasks waited
 * until the queue watch moved them, 0.5-1.6 s, and before the watch, 5-8 s
 * (rcu_preempt among them, so the grace period and the hotplug waited too).
 * The kernel's per-CPU hotplug state says a CPU is going down from the
 * start (its target below its state), before it goes inactive; such a
 * CPU leaves the online mask at once (leave_early), as ops.cpu_offline
 * would take it out. Looked at by the release timer: soon after a wakeup
 * that the kernel moved off the CPU select_cpu had claimed
 * (give_back_claimed_cpu), at each look of the queue watch, and while a CPU
 * is leaving. A going down that is called off before ops.cpu_offline (a
 * hotplug callback that fails) puts the CPU back once its state is at rest
 * again at CPUHP_AP_ACTIVE or above (at rest lower down, as at
 * CPUHP_TEARDOWN_CPU on the way down, it is not active); one called off
 * after ops.cpu_offline ends in ops.cpu_online. A CPU at rest that the
 * kernel has offline is no longer leaving: a look that raced with
 * ops.cpu_offline may have marked it after that cleared it.
 */
extern const struct cpuhp_cpu_state cpuhp_state __ksym __weak;

#define HOTPLUG_HINT_NS (1000ULL * 1000)
#define LEAVING_LOOK_NS (20ULL * 1000 * 1000)

__attribute__((noinline)) int joule_count_online_capacity(void);

/* The kernel's hotplug state of cpu; NULL if its BTF has none. */
static const struct cpuhp_cpu_state *cpu_hotplug_state(u32 cpu)
{
	if (!bpf_ksym_exists(&cpuhp_state))
		return NULL;
	return bpf_per_cpu_ptr(&cpuhp_state, cpu);
}

static bool cpu_going_down(u32 cpu)
{
	const struct cpuhp_cpu_state *st = cpu_hotplug_state(cpu);

	return st && st->target < st->state;
}

/* The online mask changed: what follows it. */
static void online_changed(void)
{
	__sync_fetch_and_add(&online_gen, 1);
	joule_count_online_capacity();
	joule_build_all_views();
}

/*
 * joule_queue_to_global with the rule for a dying CPU, over every domain;
 * how many moved (counted as OFFLINE_RESCUED).
 */
static int queue_dying_to_global(s32 cpu)
{
	int moved = 0, got;
	u32 pd;

	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= tables.nr_pds)
			break;
		got = joule_queue_to_global(pd, 0, cpu);
		if (got > 0)
			moved += got;
	}
	if (moved)
		stat_add(JOULE_STAT_OFFLINE_RESCUED, moved);
	return moved;
}

/* cpu is going down: out of the online mask now, its queued tasks moved on. */
static void leave_early(u32 cpu)
{
	cpu &= JP_MAX_CPUS - 1;
	__sync_fetch_and_or(&leaving.bits[cpu / 64], 1ULL << (cpu % 64));
	__sync_fetch_and_and(&online.bits[cpu / 64], ~(1ULL << (cpu % 64)));
	online_changed();
	if (queue_dying_to_global((s32)cpu))
		kick_idle_online();
	/* its own pinned tasks, now in the global queue: only it takes them */
	kick_idle_cpu((s32)cpu);
	stat_add(JOULE_STAT_CPU_LEAVING, 1);
}

/* cpu no longer leaving: online again (its going down was called off), or gone. */
static void leave_ended(u32 cpu, bool back)
{
	cpu &= JP_MAX_CPUS - 1;
	__sync_fetch_and_and(&leaving.bits[cpu / 64], ~(1ULL << (cpu % 64)));
	if (!back)
		return;
	__sync_fetch_and_or(&online.bits[cpu / 64], 1ULL << (cpu % 64));
	online_changed();
}

/*
 * Every CPU's hotplug state against the online mask: leave_early for
 * those going down; leave_ended for leaving ones at rest, back if online
 * and active. Returns whether a CPU is still leaving. A global function,
 * verified once.
 */
__attribute__((noinline)) int joule_look_at_hotplug(void)
{
	const struct cpumask *kernel_online;
	const struct cpuhp_cpu_state *st;
	int still = 0;
	u32 cpu;

	if (!bpf_ksym_exists(&cpuhp_state))
		return 0;
	kernel_online = scx_bpf_get_online_cpumask();
	JP_FOR(cpu, 0, JP_MAX_CPUS)
	{
		if (cpu >= tables.nr_cpus)
			break;
		if (jp_mask_test(&online, cpu)) {
			if (cpu_going_down(cpu))
				leave_early(cpu);
			continue;
		}
		if (!jp_mask_test(&leaving, cpu))
			continue;
		st = cpu_hotplug_state(cpu);
		if (!st || st->target != st->state)
			still = 1;
		else if (!bpf_cpumask_test_cpu(cpu, kernel_online))
			leave_ended(cpu, false);
		else if ((u64)st->state >= bpf_core_enum_value(enum cpuhp_state, CPUHP_AP_ACTIVE))
			leave_ended(cpu, true);
		else
			still = 1;
	}
	scx_bpf_put_cpumask(kernel_online);
	return still;
}

/*
 * A wakeup left claimed, which may be going down: the timer looks soon. A
 * global function: inlined into ops.running, its registers pushed a CPU
 * number there onto the stack, and the verifier lost its bound.
 */
__attribute__((noinline)) int joule_hotplug_hint(s32 claimed)
{
	struct release_timer *rt;

	if (claimed < 0 || claimed >= JP_MAX_CPUS || !cpu_going_down((u32)claimed))
		return 0;
	rt = release_timer_state();
	if (!rt)
		return 0;
	__sync_lock_test_and_set(&rt->hotplug_look, 1);
	arm_release_timer(rt, HOTPLUG_HINT_NS);
	return 1;
}

/* The hotplug look's next in ns from now, 0 if none is due. */
static u64 hotplug_due(struct release_timer *rt)
{
	bool asked = __sync_lock_test_and_set(&rt->hotplug_look, 0);
	u64 any = 0;

	for (u32 i = 0; i < JP_MASK_WORDS; i++)
		any |= leaving.bits[i];
	if (!asked && !any)
		return 0;
	return joule_look_at_hotplug() ? LEAVING_LOOK_NS : 0;
}

/* Runs again after the next sweep, kept request's expiry or queue watch. */
static int release_timer_fn(void *map, int *key, struct release_timer *rt)
{
	u64 delay_ns = 0, watch_ns;
	int kept_us;

	/* nothing pending from here on: an arm from now starts the timer itself */
	__sync_lock_test_and_set(&rt->due_at, 0);
	if (__sync_lock_test_and_set(&rt->wake_for_global, 0))
		kick_idle_online();

	if (rt->sweeping && idle_sweep(rt))
		delay_ns = IDLE_SWEEP_NS;
	kept_us = joule_release_kept(bpf_ktime_get_ns());
	if (kept_us > 0 && (!delay_ns || kept_us * 1000ULL < delay_ns))
		delay_ns = kept_us * 1000ULL;
	watch_ns = queue_watch_due(rt);
	if (watch_ns && (!delay_ns || watch_ns < delay_ns))
		delay_ns = watch_ns;
	watch_ns = hotplug_due(rt);
	if (watch_ns && (!delay_ns || watch_ns < delay_ns))
		delay_ns = watch_ns;
	if (delay_ns)
		arm_release_timer(rt, delay_ns);
	return 0;
}

static s32 init_release_timer(void)
{
	struct release_timer *rt = release_timer_state();
	s32 err;

	if (!rt)
		return -ENOENT;
	err = bpf_timer_init(&rt->timer, &release_timer, CLOCK_MONOTONIC);
	if (!err)
		err = bpf_timer_set_callback(&rt->timer, release_timer_fn);
	if (err)
		return err;
	arm_idle_sweep();
	return 0;
}

/* A long queue in the task's domain: a shorter slice. */
static void shorten_slice_for_queue(struct task_struct *p, struct task_ctx *tctx, s32 cpu)
{
	u64 slice = queue_slice(tctx, cpu, scx_bpf_dsq_nr_queued(cpu_pd(cpu)));

	if (slice < p->scx.slice)
		set_slice(p, slice);
}

/*
 * select_cpu took an idle CPU's bit for the task it woke, but the task runs
 * elsewhere: the kernel refused that CPU (one going offline is inactive
 * before ops.cpu_offline, and a wakeup may not land there; the kernel
 * counted 729 such fallbacks in a VM run of 60 offlines under load), or the
 * task's CPUs changed meanwhile. That CPU then sleeps without its bit, and
 * no enqueue kicks it or claims it until something else wakes it. A kick
 * makes it look at its queue and go idle again, which gives the bit back.
 */
static void give_back_claimed_cpu(struct task_ctx *tctx, s32 cpu)
{
	u32 claimed = tctx->claimed_cpu;

	if (!claimed)
		return;
	tctx->claimed_cpu = 0;
	if ((s32)(claimed - 1) != cpu) {
		kick_idle_cpu((s32)(claimed - 1));
		/* the kernel refuses an inactive CPU: the wakeup fell back elsewhere */
		joule_hotplug_hint((s32)(claimed - 1));
	}
}

void BPF_STRUCT_OPS(joule_running, struct task_struct *p)
{
	struct task_ctx *tctx = task_ctx(p);
	s32 cpu = scx_bpf_task_cpu(p);

	if (cpu >= 0 && cpu < JP_MAX_CPUS) {
		/* also where no update_idle said so (bypass) */
		if (cpu_local[cpu].going_idle)
			cpu_local[cpu].going_idle = 0;
		/*
		 * One of ours runs here, so no realtime task holds the CPU: also
		 * after one was made normal while it ran, which no switch told
		 * note_rt.
		 */
		if (cpu_local[cpu].rt_running)
			cpu_local[cpu].rt_running = 0;
	}
	if (!tctx)
		return;
	/*
	 * Onto this domain's clock, whatever way the task came: from another
	 * domain's queue, or straight to a local queue (an idle CPU's wakeup,
	 * a preemption, a per-CPU kthread), which enqueue's placement never
	 * saw. With the vtime it last ran at, such a task started up to
	 * seconds behind the clock (traced: a task woken by a timer onto an
	 * idle CPU 4-10 s behind, per-CPU kthreads 0.3-3 s), and at its
	 * slice's end dispatch would keep it first (prev_first), ahead of
	 * every queued task, until it caught up. The simulator places every
	 * task it starts.
	 */
	if (cpu >= 0)
		set_vtime(p, vtime_in_pd(p, tctx, cpu_pd(cpu)));
	advance_pd_clock(p, tctx, slice_ns);
	give_back_claimed_cpu(tctx, cpu);
	tctx->started = scx_bpf_now();
	tctx->started_cap = 0;
	tctx->woke_in_select = 0;
	tctx->queued_at = 0;
	drop_pending(tctx);
	drop_free_queued(tctx);
	/* its utilization moves with it, before the request below counts the CPU's */
	if (tctx->last_cpu >= 0 && tctx->last_cpu != cpu) {
		u32 from = (u32)tctx->last_cpu;

		stat_add(JOULE_STAT_MIGRATIONS, 1);
		/*
		 * Masked, not compared: both are CPU numbers, and clang folds two
		 * range checks into one test of (from | cpu), which the
		 * verifier cannot split into a bound for each.
		 */
		if (cpu >= 0)
			jp_cpu_migrate(&cpu_state[from & (JP_MAX_CPUS - 1)],
				       &cpu_state[(u32)cpu & (JP_MAX_CPUS - 1)], tctx->jt.util_avg);
	}
	if (cpu >= 0 && cpu < JP_MAX_CPUS) {
		tctx->started_cap = cpu_cap_now(cpu);
		cpu_state[cpu].util_runnable = jp_task_util(&tctx->jt);
		cpu_state[cpu].frame = jp_frame_task(tctx->wake_period, p->flags & PF_KTHREAD);
		cpu_state[cpu].frame_speed =
			cpu_state[cpu].frame
				? jp_frame_speed_running(cur_profile(), &tctx->jt, tctx->started)
				: 0;
		cpu_local[cpu].running_preempter = lat_preempts(tctx);
		note_running_vtime(cpu, p, tctx->started);
		/*
		 * An exchange, a full barrier: joule_release_kept must not see
		 * runs move on while kept_since still reads as kept (arm64
		 * may make plain stores visible out of order).
		 */
		if (cpu_local[cpu].kept_since)
			__sync_lock_test_and_set(&cpu_local[cpu].kept_since, 0);
		cpu_local[cpu].runs++;
		shorten_slice_for_queue(p, tctx, cpu);
		request_perf(cpu, jp_cpu_perf_target(&tables, cpu_state, cur_profile(), cpu),
			     false);
	}
	tctx->last_cpu = cpu;
	if (!tctx->queued_by_us && !kernel_queues_itself(p))
		arm_idle_sweep();
	tctx->queued_by_us = 0;
}

void BPF_STRUCT_OPS(joule_stopping, struct task_struct *p, bool runnable)
{
	struct task_ctx *tctx = task_ctx(p);
	s32 cpu = scx_bpf_task_cpu(p);
	u64 now = scx_bpf_now(), run;
	__u32 cap;

	if (!tctx || !tctx->started || cpu < 0 || cpu >= JP_MAX_CPUS)
		return;
	run = now > tctx->started ? now - tctx->started : 0;
	tctx->started = 0;
	charge_vtime(p, run);
	cap = jp_cap_of_run(tctx->started_cap, cpu_cap_now(cpu));
	jp_task_stopping(&tctx->jt, now, run, cap);
	/*
	 * The misfit verdict again, as at a tick (with the frame speed of the
	 * last tick or start, not refreshed here): a task whose runs fall between
	 * ticks (1 ms every 20 ms, in step with a 4 ms tick) kept the verdict of
	 * its first, long run for good, and every wakeup counted as a misfit's
	 * (the demo's light phase: 50 a second) and could move it up.
	 */
	jp_task_misfit(&tables, cur_profile(), &tctx->jt, (u32)cpu, cpu_state[cpu].frame_speed);
	jp_cpu_account(&cpu_state[cpu], now, run, cap);
	cpu_state[cpu].util_runnable = 0;
	cpu_local[cpu].running_preempter = 0;
	cpu_local[cpu].running_since = 0;
	stat_busy(cpu, run);
	tctx->run_this += run;
	drop_lat_crit_if_long(tctx);
	/*
	 * Preempted with slice left: the kernel puts it back at the head of
	 * the local queue. Not runnable: asleep, or taken off for a change of
	 * affinity, nice or cgroup, after which the kernel puts it straight
	 * back and calls running again, which must not take that return for
	 * the scheduler being bypassed. quiescent, which comes next, tells a
	 * sleep from the rest.
	 */
	if (!runnable || p->scx.slice)
		tctx->queued_by_us = 1;
}

/*
 * p is off its run queue. Only a sleep (SCX_DEQ_SLEEP) ends the run of a
 * wakeup: a change of affinity, nice or cgroup takes a task off and puts it
 * back (folded into run_avg, its run so far would count as a wakeup's
 * whole run). Not p->__state: a task sets it before it calls schedule(), so
 * a task changed in between would look asleep.
 */
void BPF_STRUCT_OPS(joule_quiescent, struct task_struct *p, u64 deq_flags)
{
	struct task_ctx *tctx;

	if (!(deq_flags & SCX_DEQ_SLEEP))
		return;
	tctx = task_ctx(p);
	if (!tctx)
		return;
	tctx->queued_by_us = 0;
	tctx->run_avg = jp_avg_sample(tctx->run_avg, tctx->run_this);
	tctx->run_this = 0;
	tctx->requeues = 0;
}

/*
 * sched_yield(): the task gives its CPU up and is charged the rest of its
 * slice, as if it had used it, so that it goes behind the tasks queued now.
 * The kernel's default (no yield callback) only ends the slice: charged its
 * few us of run, a task yielding in a loop kept the head of its domain's
 * queue and ran again at once, and every task behind it waited for the
 * clock that its tiny runs hardly moved (docs/design.md, "Tasks that
 * yield"). The run since the last tick or start is left out: stopping
 * charges it. With its domain's queue empty there is no one to go behind:
 * dispatch keeps the task, and a charge would only carry the domain's clock
 * (which a kept task's tick moves) a slice on with every yield. yield_to()
 * (to set) is declined, as it is without the callback.
 */
bool BPF_STRUCT_OPS(joule_yield, struct task_struct *from, struct task_struct *to)
{
	struct task_ctx *tctx = task_ctx(from);
	u64 left = from->scx.slice, ran;

	if (to)
		return false;
	set_slice(from, 0);
	if (!tctx || scx_bpf_dsq_nr_queued(cpu_pd(scx_bpf_task_cpu(from))) <= 0)
		return false;
	ran = tctx->started ? scx_bpf_now() - tctx->started : 0;
	if (left > ran)
		charge_vtime(from, left - ran);
	return false;
}

/*
 * The tick of p's CPU, whose run queue is locked: not always this CPU's. A
 * nohz_full CPU's tick can be run by a housekeeping CPU (sched_tick_remote),
 * and scx_bpf_cpuperf_set() on any CPU but the locked one is an error that
 * ends the scheduler.
 */
void BPF_STRUCT_OPS(joule_tick, struct task_struct *p)
{
	const struct jp_profile *pr = cur_profile();
	struct task_ctx *tctx = task_ctx(p);
	s32 cpu = scx_bpf_task_cpu(p);
	struct joule_stats *s = cpu_stats(cpu);
	u64 now = scx_bpf_now();
	struct jp_tick_in in = {};
	struct jp_tick_plan plan;
	__u32 target;
	s32 queued;

	note_live();
	check_release_timer();
	if (!queue_watch_on && scx_bpf_dsq_nr_queued(cpu_pd(cpu)) > 0)
		start_queue_watch();
	if (cpu < 0 || cpu >= JP_MAX_CPUS || !s)
		return;
	/* fold the run in progress in, or a CPU with one hog would look idle */
	if (tctx && tctx->started && now > tctx->started) {
		__u32 cap_now = cpu_cap_now(cpu);
		__u32 cap = jp_cap_of_run(tctx->started_cap, cap_now);

		jp_task_stopping(&tctx->jt, now, now - tctx->started, cap);
		jp_cpu_account(&cpu_state[cpu], now, now - tctx->started, cap);
		charge_vtime(p, now - tctx->started);
		/*
		 * A task that keeps its CPU (dispatch renews its slice, which it
		 * does only while the domain's queue is empty) never passes
		 * through running: without this its domain's clock would stand
		 * still while it ran. Only then: with tasks queued, the clock
		 * must stay at the vtime they start at (running), the head of
		 * the queue. Moved on with every running task's charge, it ran
		 * a run ahead of the queue, and a sleeper credited a slice below
		 * it still waited behind every queued task (hybrid-fairness).
		 */
		if (scx_bpf_dsq_nr_queued(cpu_pd(cpu)) <= 0)
			advance_pd_clock(p, tctx, ~0ull >> 1);
		tctx->run_this += now - tctx->started;
		drop_lat_crit_if_long(tctx);
		/* a hog that lost its mark no longer shields its CPU from preemption */
		cpu_local[cpu].running_preempter = lat_preempts(tctx);
		stat_busy(cpu, now - tctx->started);
		tctx->started = now;
		tctx->started_cap = cap_now;
		note_running_vtime(cpu, p, now);
		cpu_state[cpu].util_runnable = jp_task_util(&tctx->jt);
		if (cpu_state[cpu].frame)
			cpu_state[cpu].frame_speed = jp_frame_speed_running(pr, &tctx->jt, now);
	}
	s->util = jp_cpu_util(&cpu_state[cpu]);

	refresh_own_pd_view((u32)cpu, false);
	refresh_overutilized(now, true);

	target = jp_cpu_perf_target(&tables, cpu_state, pr, cpu);
	request_perf(cpu, target, perf_resend_due(cpu, target, now));

	queued = scx_bpf_dsq_nr_queued(cpu_pd(cpu)); /* < 0: no such queue */
	/* the count may lag a task the kernel took from the queue itself (bypass) */
	in.queued_free = queued > 0 ? pd_local[cpu_pd(cpu) & (JP_MAX_PDS - 1)].nr_free_queued : 0;
	in.pinned = p->nr_cpus_allowed == 1;
	if (tctx)
		jp_task_misfit(&tables, pr, &tctx->jt, cpu, cpu_state[cpu].frame_speed);
	in.misfit = misfit_move_due(p, tctx, cpu, now);
	/*
	 * The idle mask is read only when it can matter. A task the kernel
	 * queues itself (kernel_queues_itself) is not moved up: enqueue would
	 * never see it, and with its slice ended and nothing else to run, the
	 * kernel put it back in this CPU's local queue as the CPU went idle,
	 * with nothing to kick the CPU (an exiting hog on a little CPU sat
	 * there until some other wakeup came).
	 */
	in.bigger_idle =
		!in.pinned && in.misfit && !kernel_queues_itself(p) && bigger_cpu_idle(p, cpu);
	jp_tick_plan(&in, &plan);
	if (plan.wake_for_queue)
		wake_idle_cpu_for_queue(cpu_pd(cpu));
	if (plan.end_slice)
		set_slice(p, 0);
}

s32 BPF_STRUCT_OPS(joule_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	struct task_ctx *tctx;

	tctx = bpf_task_storage_get(&task_ctxs, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!tctx)
		return -ENOMEM;
	tctx->last_cpu = -1;
	jp_task_init(&tctx->jt, scx_bpf_now(), cur_profile()->init_util);
	return 0;
}

/*
 * The idle side of wake_idle_cpu_for. A CPU looks at the queues in dispatch
 * and sets its idle bit only afterwards, on its way into the idle task; a
 * task enqueued in between found no idle CPU to kick. So a CPU kicks itself
 * back into dispatch here when a task was placed on it and has not started
 * (nr_pending), or its domain's queue holds tasks. enqueue counts the task
 * as pending before it reads the idle bits and going_idle, with a full
 * barrier between (wake_idle_cpu_for), and this has one between going_idle
 * and the count: either the enqueue saw the CPU going idle, or this sees
 * the count. going_idle, not only the kernel's bit: since 6.16 the kernel
 * sets the bit before it calls ops.update_idle, but 6.14 and 6.15 set it
 * after (ext_idle.c), too late for the enqueue to see it. The kick
 * (SCX_KICK_IDLE) waits for this CPU's run-queue lock, held here, and so
 * finds the CPU in its idle task. The queue alone would not do: the insert
 * of a task that enqueue queued lands after enqueue returns, and where the
 * task's domain is this CPU alone, a CPU of another domain kicked instead
 * does not take from a domain with an idle CPU (jp_pd_may_pull): the task
 * waited until something else woke this one. Not the other domains' queues:
 * with them, two hogs on the big CPUs spent more of their time on little
 * ones, most likely taken from the big queue in the instant they waited
 * there behind a short task (docs/design.md, "Work conservation"); a task
 * placed on another CPU has that CPU, busy, to come back to it, or to kick
 * an idle one at its tick (wake_for_queue). A kicked CPU that finds nothing
 * goes back to idle without coming here again (an idle-to-idle switch calls
 * no ops.update_idle), so this cannot bounce it. The exchanges are the full
 * barriers (arm64 sets bits with relaxed ordering, and a BPF add without
 * fetch orders nothing).
 */
static void recheck_queues(s32 cpu)
{
	if (cpu < 0 || cpu >= JP_MAX_CPUS || !jp_mask_test(&online, (u32)cpu))
		return;
	cpu_local[cpu].going_idle = 1;
	__sync_lock_test_and_set(&cpu_local[cpu].fence, 1); /* BPF_XCHG: fully ordered */
	if (!cpu_local[cpu].nr_pending && scx_bpf_dsq_nr_queued(cpu_pd(cpu)) <= 0)
		return;
	stat_add(JOULE_STAT_IDLE_RECHECK, 1);
	kick_idle_cpu(cpu);
}

/*
 * A CPU going idle gives up its frequency request: it stops ticking, and
 * schedutil would otherwise keep its last busy request (or the maximum
 * every CPU gets when a scheduler attaches) for as long as it sleeps, and
 * run its whole cluster at that speed. Except after a frame thread in
 * gaming (jp_idle_keeps_request): its frame's next stage needs that speed.
 * The domain's view is gathered whole if the domain has just fallen asleep
 * (refresh_own_pd_view).
 */
void BPF_STRUCT_OPS(joule_update_idle, s32 cpu, bool idle)
{
	/*
	 * cpu is this CPU; indexed by the argument, map accesses failed the
	 * 7.2 verifier ("unbounded min value") whatever the range checks.
	 */
	u32 self = bpf_get_smp_processor_id() & (JP_MAX_CPUS - 1);

	if (cpu < 0 || cpu >= JP_MAX_CPUS)
		return;
	if (!idle) {
		cpu_local[self].going_idle = 0;
		/*
		 * The idle time goes into the CPU's average before anything it
		 * runs, as readers have aged it meanwhile (jp_cpu_util_avg_at).
		 */
		jp_cpu_account(&cpu_state[self], scx_bpf_now(), 0, 0);
		return;
	}
	recheck_queues(self);
	if (!jp_idle_keeps_request(cur_profile(), &cpu_state[self])) {
		request_perf(self, 0, false);
	} else {
		cpu_local[self].kept_since = bpf_ktime_get_ns() ?: 1;
		arm_kept_release();
	}
	refresh_own_pd_view(self, true);
}

/*
 * What p's CPUs tell its context: the domains none of them is in
 * (other_pds), and whether they take in every online CPU (unconfined). A
 * global function: verified once, not in each op that calls it.
 */
__attribute__((noinline)) int joule_note_cpus(struct task_struct *p __arg_trusted)
{
	struct task_ctx *tctx;
	struct jp_wake w;
	u64 missing = 0;

	if (!p)
		return 0;
	tctx = task_ctx(p);
	if (!tctx)
		return 0;
	/* read first: CPUs that come or go after it make the next enqueue do this again */
	tctx->cpus_gen = online_gen;
	/* only the mask is read; the domains' CPU lists, not their views (two buffers each) */
	mask_from_cpumask(&w.allowed, p->cpus_ptr);
	tctx->other_pds = jp_other_pds(&tables, NULL, &w);
	for (u32 i = 0, words = mask_words(); i < JP_MASK_WORDS && i < words; i++)
		missing |= online.bits[i] & ~w.allowed.bits[i];
	tctx->unconfined = !missing;
	return 0;
}

/*
 * p comes into sched_ext: new, or back from another class. A new task starts
 * at its domain's clock. One coming back gets the vtime it left with
 * (disable), placed on the domain's clock as at a wakeup: the kernel zeroes
 * p->scx.dsq_vtime while a task is in another class (seen on 7.3), and a
 * lock holder that priority inheritance made realtime for a moment would
 * lose what it owes at each return. One that comes back while it runs
 * (deboosted on its CPU) was picked by no one: it is preempted if tasks
 * wait in its domain's queue, and goes back through enqueue. Started at the
 * clock, a nice-19 task among four nice-0 hogs, made SCHED_FIFO and normal
 * again every 20 ms, ran about as much as a hog (the nice-weights scenario).
 */
void BPF_STRUCT_OPS(joule_enable, struct task_struct *p)
{
	struct task_ctx *tctx = task_ctx(p);
	u32 pd = cpu_pd(scx_bpf_task_cpu(p));

	joule_note_cpus(p);
	if (tctx && tctx->enabled_before) {
		set_vtime(p, vtime_placed_from(p, tctx, pd, tctx->vtime_away));
		tctx->vtime_pd = pd;
		if (scx_bpf_task_running(p) && scx_bpf_dsq_nr_queued(pd) > 0 &&
		    irq_work_runs_here())
			scx_bpf_kick_cpu(scx_bpf_task_cpu(p), SCX_KICK_PREEMPT);
		return;
	}
	if (tctx) {
		tctx->vtime_pd = pd;
		tctx->enabled_before = 1;
	}
	set_vtime(p, *pd_clock(pd));
}

/*
 * p's CPUs changed (sched_setaffinity, a cpuset): the domains it may use
 * are worked out here, once, not at each wakeup.
 */
void BPF_STRUCT_OPS(joule_set_cpumask, struct task_struct *p, const struct cpumask *cpumask)
{
	joule_note_cpus(p);
}

/*
 * p leaves sched_ext (another class, or it exits): not waiting here any
 * more. An idle CPU select_cpu claimed for it is given back (kicked), or
 * it would stay out of the idle pickers' sight until it ran something. A
 * task that leaves while it runs is made realtime or deadline in place
 * (sched_setscheduler on itself, a priority boost of a lock holder; every
 * other class is ours, as no SCX_OPS_SWITCH_PARTIAL is set) and keeps its
 * CPU with no switch for note_rt to see: the CPU is marked held here, so
 * that no latency-critical wakeup is put in its local queue to preempt it
 * (enq_cpu). Not by p->prio: since 6.19 the kernel calls disable before it
 * sets the new priority. On unload the mark goes with the scheduler.
 */
void BPF_STRUCT_OPS(joule_disable, struct task_struct *p)
{
	struct task_ctx *tctx = task_ctx(p);
	s32 cpu;

	if (tctx) {
		tctx->vtime_away = p->scx.dsq_vtime;
		drop_pending(tctx);
		drop_free_queued(tctx);
		give_back_claimed_cpu(tctx, -1);
		tctx->woke_in_select = 0;
		tctx->queued_at = 0;
	}
	if (!scx_bpf_task_running(p))
		return;
	cpu = scx_bpf_task_cpu(p);
	if (cpu >= 0 && cpu < JP_MAX_CPUS)
		cpu_local[cpu].rt_running = 1;
}

/* task_struct.prio below this: a realtime or deadline task */
#define MAX_RT_PRIO 100

/*
 * Whether a realtime or deadline task now holds this CPU: gaming's
 * latency-critical wakeups do not preempt it (enq_cpu).
 */
static bool note_rt(struct task_struct *next)
{
	struct cpu_local *self = &cpu_local[bpf_get_smp_processor_id() & (JP_MAX_CPUS - 1)];
	bool rt = next->prio < MAX_RT_PRIO;

	if (self->rt_running != rt)
		self->rt_running = rt;
	return rt;
}

/*
 * A realtime or deadline task takes a CPU: the tasks in that CPU's local
 * queue, the one it preempted first of all, would wait there until it let
 * go (on 7.x only the kernel's deadline server for sched_ext lets them run,
 * about 5% of the time). They go back through enqueue, into their domain's
 * queue, where another CPU takes them. The loader attaches this where the
 * kernel can re-enqueue from any context (6.19+), and ops.cpu_release
 * instead on older kernels, where 7.x deprecates cpu_release.
 */
/*
 * The kernel's name is scx_bpf_reenqueue_local___v2; libbpf drops the last
 * ___suffix of an extern's name when it looks it up, hence one more here.
 */
extern void scx_bpf_reenqueue_local___v2___joule(void) __ksym __weak;

SEC("tp_btf/sched_switch")
int BPF_PROG(joule_rt_takeover, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (!note_rt(next) || !bpf_ksym_exists(scx_bpf_reenqueue_local___v2___joule))
		return 0;
	if (scx_bpf_dsq_nr_queued(SCX_DSQ_LOCAL) > 0)
		scx_bpf_reenqueue_local___v2___joule();
	return 0;
}

/*
 * Before 6.19, beside ops.cpu_release: which CPUs realtime tasks hold.
 * cpu_release is called only when one preempts a sched_ext task, not
 * when one wakes on an idle CPU.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(joule_rt_note, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	note_rt(next);
	return 0;
}

void BPF_STRUCT_OPS(joule_cpu_release, s32 cpu, struct scx_cpu_release_args *args)
{
	if (bpf_ksym_exists(scx_bpf_reenqueue_local))
		scx_bpf_reenqueue_local();
}

/*
 * Each domain's online capacity, after the online mask changed: from a
 * hotplug callback (one at a time) or the release timer (leave_early,
 * leave_ended), which may overlap. Then the one that read the older mask
 * may write last, until the next change: it takes two changes of the mask
 * within the microseconds of a count. A dispatch reading the array while
 * it changes sees each domain's old or new sum (jp_pd_online_capacity).
 */
__attribute__((noinline)) int joule_count_online_capacity(void)
{
	jp_pd_online_capacity(&tables, &online, pd_online_cap);
	return 0;
}

void BPF_STRUCT_OPS(joule_cpu_online, s32 cpu)
{
	/* only with --model: the loader's own model has every possible CPU */
	if (cpu >= (s32)tables.nr_cpus) {
		scx_bpf_error("CPU %d came online; the model describes CPUs 0-%u", cpu,
			      tables.nr_cpus - 1);
		return;
	}
	if (cpu >= 0 && cpu < JP_MAX_CPUS) {
		__sync_fetch_and_or(&online.bits[(u32)cpu / 64], 1ULL << ((u32)cpu % 64));
		__sync_fetch_and_and(&leaving.bits[(u32)cpu / 64], ~(1ULL << ((u32)cpu % 64)));
	}
	/* scheduled on a neighbour's entry, a big CPU could run as a little one for good */
	if (cpu >= 0 && cpu < JP_MAX_CPUS && (tables.cpu[cpu].flags & JP_CPU_GUESSED)) {
		scx_bpf_exit(JOULE_ECODE_ACT_RESTART | JOULE_ECODE_RSN_HOTPLUG,
			     "CPU %d came online; the model only guessed it: reading it again",
			     cpu);
		return;
	}
	online_changed();
	stat_add(JOULE_STAT_CPU_ONLINE, 1);
}

/*
 * After CPU cpu went offline, two kinds of task leave domain pd's queue for
 * the global one:
 * - a task no online CPU of pd may run: every task of a domain left with no
 *   CPU online (a busy machine pulls from no domain of capacity 0,
 *   jp_overloaded_pd), and a task whose CPUs of pd all went. The CPUs it may
 *   still use elsewhere may be kept from pulling (jp_pd_may_pull) or never
 *   woken for it;
 * - a task still on the run queue of the CPU going offline (its last CPU),
 *   whatever its domain. The hotplug waits until that run queue is empty,
 *   and only the dying CPU itself ends the wait, when it next schedules
 *   with nothing left: a task another CPU pulls from a domain's queue
 *   leaves quietly, and an idle dying CPU may not schedule again for
 *   seconds. From the global queue the dying CPU takes its own tasks (and
 *   only those: the kernel moves no task to an offline run queue) before
 *   it asks for work, and the kernel pushes each to an active CPU.
 * Left queued, a task of the first kind would never run, and one of either
 * kind keeps the hotplug waiting; 5 s on, the kernel's watchdog disables
 * the scheduler. No kick is sent from here: a kick queued from this CPU as
 * it goes down is irq_work the kernel's disable path may wait for
 * (design.md, "Known gaps"); the release timer wakes idle CPUs for the rest.
 * The walk is joule_queue_to_global's, with the rule for a dying CPU.
 */
static void rescue_offline(s32 cpu)
{
	struct release_timer *rt;

	if (!queue_dying_to_global(cpu))
		return;
	rt = release_timer_state();
	if (rt) {
		__sync_lock_test_and_set(&rt->wake_for_global, 1);
		arm_release_timer(rt, WAKE_FOR_GLOBAL_NS);
	}
}

void BPF_STRUCT_OPS(joule_cpu_offline, s32 cpu)
{
	if (cpu >= 0 && cpu < JP_MAX_CPUS) {
		__sync_fetch_and_and(&online.bits[(u32)cpu / 64], ~(1ULL << ((u32)cpu % 64)));
		__sync_fetch_and_and(&leaving.bits[(u32)cpu / 64], ~(1ULL << ((u32)cpu % 64)));
	}
	online_changed();
	rescue_offline(cpu);
	stat_add(JOULE_STAT_CPU_OFFLINE, 1);
}

/*
 * The online mask starts from the kernel's, not the loader's earlier look
 * at sysfs: the kernel keeps CPUs from coming or going between ops.init and
 * the end of the attach, so from here ops.cpu_online/offline keep it exact.
 */
static void read_online_mask(void)
{
	const struct cpumask *kernel_online = scx_bpf_get_online_cpumask();

	__builtin_memset(&online, 0, sizeof(online));
	mask_from_cpumask(&online, kernel_online);
	scx_bpf_put_cpumask(kernel_online);
}

__attribute__((noinline)) int joule_find_bigger_cpus(void)
{
	u32 c, b;

	JP_FOR(c, 0, JP_MAX_CPUS)
	{
		if (c >= tables.nr_cpus)
			break;
		JP_FOR(b, 0, JP_MAX_CPUS)
		{
			if (b >= tables.nr_cpus)
				break;
			if (tables.cpu[b].capacity > tables.cpu[c].capacity)
				jp_mask_set(&bigger_than[c], b);
		}
		jp_mask_set(&pd_cpus[tables.cpu[c].pd & (JP_MAX_PDS - 1)], c);
	}
	return 0;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(joule_init)
{
	s32 err;

	for (u32 i = 0; i < JOULE_NR_PROFILES; i++)
		jp_profile_init(&profiles[i], i);
	if (!tables.nr_pds || tables.nr_pds > JP_MAX_PDS) {
		scx_bpf_error("the loader gave %u performance domains", tables.nr_pds);
		return -EINVAL;
	}
	for (u32 pdi = 0; pdi < JP_MAX_PDS; pdi++) {
		if (pdi >= tables.nr_pds)
			break;
		err = scx_bpf_create_dsq(pdi, -1);
		if (err)
			return err;
	}
	tables.costs_rise = jp_costs_rise(&tables);
	tables.pds_rank_alike = jp_pds_rank_alike(&tables);
	read_online_mask();
	joule_count_online_capacity();
	joule_find_bigger_cpus();
	joule_build_all_views();
	joule_keep_all_pd_loads();
	/* no domain is overloaded until a dispatch has counted their loads */
	for (u32 b = 0; b < 2; b++)
		for (u32 pdi = 0; pdi < JP_MAX_PDS; pdi++)
			dispatch_loads[b].overloaded[pdi] = JP_NO_PD;
	/*
	 * The kernel set every request to the maximum as the scheduler attached,
	 * and an idle CPU would keep it: all start at the lowest, and a CPU that
	 * runs something asks again at once.
	 */
	joule_release_perf(0);
	err = init_release_timer();
	if (err)
		scx_bpf_error("the idle-CPU frequency timer failed: %d", err);
	return err;
}

void BPF_STRUCT_OPS(joule_exit, struct scx_exit_info *ei)
{
	bpf_probe_read_kernel_str(exit_info.reason, sizeof(exit_info.reason), ei->reason);
	bpf_probe_read_kernel_str(exit_info.msg, sizeof(exit_info.msg), ei->msg);
	exit_info.exit_code = ei->exit_code;
	/* the kernel wrote it for error exits only; NULL if it could not allocate it */
	if (ei->dump)
		bpf_probe_read_kernel_str(exit_dump, sizeof(exit_dump), ei->dump);
	/* kind last: the loader treats a non-zero kind as "record complete" */
	asm volatile("" ::: "memory");
	exit_info.kind = ei->kind;
}

/*
 * The scheduler's own view in the kernel's debug dump (a stall, an error,
 * sysrq-D): what each domain's queue holds and the capacity it has online,
 * and for each CPU, idle or not, the model's domain and whether it counts
 * as online. A task left waiting is in a queue the dump names by its domain
 * number; this says whether any CPU of that domain was online to take it.
 */
void BPF_STRUCT_OPS(joule_dump, struct scx_dump_ctx *dctx)
{
	u32 pd, w;

	scx_bpf_dump("joule: generation %u, overutilized %u, queue watch %u\n", online_gen,
		     overutilized, queue_watch_on);
	JP_FOR(w, 0, JP_MASK_WORDS)
	{
		if (w >= mask_words())
			break;
		scx_bpf_dump("joule: online CPUs %u-%u: %llx, leaving %llx\n", w * 64, w * 64 + 63,
			     online.bits[w], leaving.bits[w]);
	}
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= tables.nr_pds)
			break;
		scx_bpf_dump("joule: domain %u: %d queued, online capacity %u, clock %llu\n", pd,
			     scx_bpf_dsq_nr_queued(pd), pd_online_cap[pd], pd_local[pd].vtime_now);
	}
}

void BPF_STRUCT_OPS(joule_dump_cpu, struct scx_dump_ctx *dctx, s32 cpu, bool idle)
{
	u32 c = (u32)cpu & (JP_MAX_CPUS - 1);
	struct joule_stats *s;

	/* every CPU, idle ones too: a stall's dump is about the CPUs that took nothing */
	if (cpu < 0 || cpu >= JP_MAX_CPUS)
		return;
	s = cpu_stats(cpu);
	scx_bpf_dump("joule: domain %u, online %d, pending %u, request %u\n", cpu_pd(cpu),
		     jp_mask_test(&online, c), cpu_local[c].nr_pending, s ? s->perf_request : 0);
}

SEC(".struct_ops.link")
struct sched_ext_ops joule_ops = {
	.select_cpu = (void *)joule_select_cpu,
	.enqueue = (void *)joule_enqueue,
	.dispatch = (void *)joule_dispatch,
	.running = (void *)joule_running,
	.stopping = (void *)joule_stopping,
	.quiescent = (void *)joule_quiescent,
	.tick = (void *)joule_tick,
	.yield = (void *)joule_yield,
	.init_task = (void *)joule_init_task,
	.enable = (void *)joule_enable,
	.set_cpumask = (void *)joule_set_cpumask,
	.disable = (void *)joule_disable,
	.update_idle = (void *)joule_update_idle,
	.cpu_release = (void *)joule_cpu_release,
	.cpu_online = (void *)joule_cpu_online,
	.cpu_offline = (void *)joule_cpu_offline,
	.init = (void *)joule_init,
	.exit = (void *)joule_exit,
	.dump = (void *)joule_dump,
	.dump_cpu = (void *)joule_dump_cpu,
	/* update_idle is only for frequency: keep the kernel's idle tracking */
	.flags = SCX_OPS_ENQ_LAST | SCX_OPS_KEEP_BUILTIN_IDLE,
	.timeout_ms = 5000,
	.exit_dump_len = JOULE_EXIT_DUMP_LEN,
	.name = "scx_joule",
};
