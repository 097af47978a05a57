/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule's scheduling policy as pure functions over plain structs.
 *
 * This one file is compiled twice: into the BPF scheduler (bpf/scx_joule.bpf.c,
 * after vmlinux.h) and into userspace (the simulator sim/, its tests). Nothing
 * here calls a kfunc, a helper or libc, so the simulator measures exactly the
 * decisions the kernel-side scheduler makes. BPF verifier rules kept here:
 * integer math only (u64 where products can overflow u32), unsigned division,
 * every loop bounded by a compile-time JP_MAX_* constant, every array index
 * checked against its JP_MAX_* before use, no large stack objects, no function
 * pointers, no recursion, at most 5 arguments per function.
 *
 * Units. Capacity and utilization are on the kernel's scale: 1024 is the
 * biggest CPU of the machine at its highest operating point (OPP). A CPU's
 * capacity "now" is capacity * perf / 1024, perf being its current
 * performance level 0..1024 (SCX_CPUPERF_ONE = 1024). Times are ns.
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
 *
 * Fit: util fits capacity cap when util * fit_margin <= cap * 1024
 * (fit_margin 1280 = 25% spare, the kernel's fits_capacity() margin).
 *
 * Energy (EAS model, Documentation/scheduler/sched-energy.rst): a performance
 * domain (PD) runs at the lowest OPP whose capacity covers its most utilized
 * CPU times the frequency headroom: opp.cap >= max_util * headroom / 1024.
 * Each OPP has cost = power * pd_max_capacity / opp.capacity, so that
 *   energy(PD) = opp.cost * sum_util / pd_max_capacity
 * is the PD's power times the busy fraction (per unit time). Placement picks
 * the CPU minimising energy(with task) - energy(without) summed over the PDs
 * the move touches: per PD the candidate is the idle CPU with the most spare
 * capacity (else the CPU with the most spare capacity), plus the previous
 * CPU; only CPUs where cpu_util + task_util fits count; ties go to prev.
 *
 * Overutilization (when energy placement is abandoned for jp_select_cpu_perf).
 * The kernel gives up EAS when any CPU is over capacity; here a little CPU over
 * its capacity is left to misfit migration, and the energy path is abandoned
 * only when a CPU of the biggest class is over, or the whole system is:
 *   sum(cpu_util) * fit_margin > sum(capacity) * 1024.
 *
 * Misfit, with hysteresis: a task on a CPU smaller than the biggest becomes
 * misfit when util * 1024 > cap * misfit_up, and stops being misfit only when
 * util * 1024 < cap * misfit_down (misfit_down < misfit_up).
 *
 * Frequency: perf target = min(1024, util * headroom / capacity) on the CPU's
 * own scale (util 256 on a CPU of capacity 512 with headroom 1.25 -> 640),
 * floored at the profile's min_perf. A PD runs at the max of its CPUs'
 * targets (the caller / cpufreq does that). The kernel takes the request
 * (scx_bpf_cpuperf_set) on the system-wide scale instead, and schedutil
 * adds its own 1.25 (map_util_perf) before it picks max_freq * req * 1.25 /
 * capacity: so the request is target * capacity / 1280 (jp_perf_request),
 * which makes schedutil pick exactly the target, the profile's headroom
 * counted once. An idle CPU requests 0.
 *
 * Load balance between domains: PD p's fair share of the total utilization U
 * is U * cap(p) / sum(cap). The most over-loaded PD with
 *   util(p) * 1024 > share(p) * (1024 + imbalance)
 * gives work to the most under-loaded PD (largest share - util).
 *
 * With every CPU busy, each PD's utilization equals its capacity however many
 * tasks wait, so the balance above sees nothing. Then tasks are counted:
 *   load(p) = (busy CPUs(p) + queued(p)) * 2^20 / online capacity(p)
 * and a CPU of PD s first takes a queued task from the PD, every CPU of it
 * busy, with the highest load(p) > load(s) * (1024 + imbalance) / 1024. The hogs then settle where
 * moving one more would not lower the larger of the two loads.
 *
 * Limits (static arrays sized by these; raise them with the BPF program's
 * instruction budget in mind):
 *   JP_MAX_CPUS    256  CPUs (per-CPU arrays, 4 x u64 masks)
 *   JP_MAX_PDS      16  performance domains (frequency domains)
 *   JP_MAX_OPPS     16  operating points per PD (userspace thins longer tables)
 *   JP_MAX_PD_CPUS  64  CPUs per PD
 */
#ifndef JOULE_POLICY_H
#define JOULE_POLICY_H

/* enum joule_profile, the profiles jp_profile_init() knows, is the loader's */
#include "joule.h"

#ifndef __bpf__
#include <linux/types.h>
#include <stdbool.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
#endif

/* bpf_helpers.h defines it in BPF programs; userspace and bare BPF need it. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define JP_MAX_CPUS    256
#define JP_MAX_PDS     16
#define JP_MAX_OPPS    16
#define JP_MAX_PD_CPUS 64
#define JP_MASK_WORDS  (JP_MAX_CPUS / 64)

#define JP_SCALE      1024u /* capacity, utilization and perf scale */
#define JP_NO_CPU     (-1)
#define JP_NO_PD      (-1)
#define JP_NO_SIBLING 0xffffu

#define JP_UTIL_HALF_LIFE_NS 32000000ull
#define JP_EST_MIN_WINDOW_NS 8000000ull
#define JP_EST_MAX_WINDOW_NS 32000000ull
/* Averages update over windows of at least this; shorter runs accumulate. */
#define JP_UTIL_MIN_WINDOW_NS 1000000ull
/* jp_lat_crit: woken at least 20 times a second, under 2 ms per wakeup */
#define JP_LAT_WAKE_PERIOD_NS 50000000ull
#define JP_LAT_RUN_NS	      2000000ull

/*
 * JP_FOR(i, start, end): a loop the BPF verifier checks once instead of
 * unrolling (an open-coded bpf_iter_num iterator, kernel >= 6.4); nested
 * unrolled loops over CPUs and domains exceed its jump-history limit. The
 * bounds test on i also tells the verifier the range of i. Userspace gets a
 * plain for loop.
 */
#ifdef __bpf__
#define JP_FOR(i, start, end)                                                                      \
	for (struct bpf_iter_num ___it __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))), \
	     *___p                                                                                 \
	     __attribute__((unused)) = (bpf_iter_num_new(&___it, (start), (end)), (void *)0);      \
	     ({                                                                                    \
		     int *___t = bpf_iter_num_next(&___it);                                        \
		     (___t && ((i) = *___t, (i) >= (start) && (i) < (end)));                       \
	     });)
#else
#define JP_FOR(i, start, end) for ((i) = (start); (i) < (end); (i)++)
#endif

/* Larger functions: a real BPF subprogram (keeps the program small). */
#ifdef __bpf__
#define JP_FUNC static __attribute__((noinline, unused))
#else
#define JP_FUNC static inline
#endif

enum jp_cpu_kind {
	JP_KIND_LITTLE, /* Arm LITTLE, Intel E-core, AMD compact core */
	JP_KIND_MEDIUM, /* middle cluster of tri-cluster SoCs */
	JP_KIND_BIG,	/* Arm big/prime, Intel P-core, AMD full core */
};

struct jp_cpumask {
	u64 bits[JP_MASK_WORDS];
};

struct jp_opp {
	u32 capacity; /* capacity at this OPP, 0..1024 */
	u32 cost;     /* power * pd max capacity / capacity; any power unit */
};

struct jp_cpu_info {
	u16 capacity; /* at the highest OPP, 0..1024 */
	u8 kind;      /* enum jp_cpu_kind */
	u8 pd;	      /* performance domain index */
	u16 llc;      /* last-level cache id */
	u16 cluster;  /* cluster / module id (shared L2 on E-core modules) */
	u16 sibling;  /* SMT sibling CPU, JP_NO_SIBLING if none */
	u16 pad;
};

struct jp_pd {
	u32 nr_cpus;
	u32 nr_opps;
	u32 max_capacity; /* capacity of the PD's CPUs at the top OPP */
	u32 pad;
	u16 cpus[JP_MAX_PD_CPUS];
	struct jp_opp opps[JP_MAX_OPPS]; /* ascending capacity */
};

/* Static machine description; filled by userspace (src/machine.c). */
struct jp_tables {
	u32 nr_cpus;
	u32 nr_pds;
	u32 max_capacity; /* of the biggest CPU, normally 1024 */
	u32 pad;
	struct jp_cpu_info cpu[JP_MAX_CPUS];
	struct jp_pd pd[JP_MAX_PDS];
};

/*
 * Dynamic per-CPU state; the caller keeps one per CPU. util_runnable is
 * written only by the CPU itself; util_pending by whichever CPU places a
 * task here, so only through jp_cpu_pending_add/sub (atomic).
 */
struct jp_cpu_state {
	u32 util_avg;	   /* decayed invariant busy fraction, 0..1024 */
	u32 util_runnable; /* util of the task running here */
	u32 util_pending;  /* sum of utils of tasks placed here, not running yet */
	u32 pad;
	u64 last_update_ns;
	u64 busy_work; /* invariant busy ns since last_update_ns */
	u64 util_fp;   /* util_avg << 16, the precise value */
};

struct jp_task {
	u32 util_avg;
	u32 util_est;
	u32 misfit; /* hysteresis state for jp_task_misfit() */
	u32 pad;
	u64 last_update_ns; /* util_avg window start */
	u64 window_work;    /* invariant run ns since last_update_ns */
	u64 wake_ns;	    /* start of the current activation period */
	u64 period_work;    /* invariant run ns since wake_ns */
	u64 util_fp;	    /* util_avg << 16, the precise value */
	u64 period_avg;	    /* moving average of the time between wakeups */
};

struct jp_profile {
	u32 fit_margin;	  /* fits when util * fit_margin <= cap * 1024 */
	u32 headroom;	  /* frequency headroom, 1024 = none */
	u32 misfit_up;	  /* misfit when util*1024 > cap*misfit_up */
	u32 misfit_down;  /* no longer misfit when util*1024 < cap*misfit_down */
	u32 imbalance;	  /* PD load balance tolerance, 1024 = 100% */
	u32 energy_aware; /* use jp_select_cpu_energy unless overutilized */
	u32 min_perf;	  /* floor for jp_cpu_perf_target, 0..1024 */
	u32 init_util;	  /* util a new task starts with (jp_task_init) */
};

/* A wakeup to place: the caller fills this (on the stack, 72 bytes). */
struct jp_wake {
	u32 task_util;
	s32 prev_cpu; /* JP_NO_CPU if unknown */
	struct jp_cpumask allowed;
	struct jp_cpumask idle;
};

/* ---- small helpers ---------------------------------------------------- */

static __always_inline u64 jp_min64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static __always_inline u64 jp_max64(u64 a, u64 b)
{
	return a > b ? a : b;
}

static __always_inline bool jp_mask_test(const struct jp_cpumask *m, u32 cpu)
{
	if (cpu >= JP_MAX_CPUS)
		return false;
	return (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

static __always_inline void jp_mask_set(struct jp_cpumask *m, u32 cpu)
{
	if (cpu < JP_MAX_CPUS)
		m->bits[cpu / 64] |= 1ull << (cpu % 64);
}

static __always_inline void jp_mask_clear(struct jp_cpumask *m, u32 cpu)
{
	if (cpu < JP_MAX_CPUS)
		m->bits[cpu / 64] &= ~(1ull << (cpu % 64));
}

/* Capacity a CPU delivers now: capacity at max OPP scaled by its perf level. */
static __always_inline u32 jp_cap_now(u32 capacity, u32 perf)
{
	if (perf > JP_SCALE)
		perf = JP_SCALE;
	return (u32)(((u64)capacity * perf) / JP_SCALE);
}

/* Invariant work of a run: ns at full capacity (capacity 1024, perf 1024). */
static __always_inline u64 jp_work_of_run(u64 ran_ns, u32 cap_now)
{
	return (ran_ns * cap_now) / JP_SCALE;
}

/*
 * val * 2^(-dt/half_life) in integer math: whole half-lives are shifts, the
 * remainder interpolates linearly in a 33-entry table of 2^(-i/32) (16-bit
 * fixed point), within 0.01% of the exact value, so that even 1 ms windows
 * (a 2% step at a 32 ms half-life) move the average.
 */
static __always_inline u64 jp_decay(u64 val, u64 dt, u64 half_life)
{
	static const u32 frac[33] = {65536, 64132, 62757, 61413, 60097, 58809, 57549, 56316, 55109,
				     53928, 52773, 51642, 50535, 49452, 48393, 47356, 46341, 45348,
				     44376, 43425, 42495, 41584, 40693, 39821, 38968, 38133, 37316,
				     36516, 35734, 34968, 34219, 33486, 32768};
	u64 halves, pos, idx, rem, f;

	if (!half_life)
		return 0;
	halves = dt / half_life;
	if (halves >= 32)
		return 0;
	pos = ((dt % half_life) << 21) / half_life; /* 0 .. 32 << 16 */
	idx = pos >> 16;
	rem = pos & 0xffff;
	if (idx >= 32)
		return 0;
	f = frac[idx] - (((u64)(frac[idx] - frac[idx + 1]) * rem) >> 16);
	return ((val >> halves) * f) >> 16;
}

/*
 * Exponential moving average of utilization over a window of window_ns
 * during which work ns of invariant work were done. The average is kept in
 * 16-bit fixed point (*fp = util << 16): with whole numbers a 1 ms step
 * (2% weight) would round every change away. Returns the rounded util.
 */
static __always_inline u32 jp_ema_util(u64 *fp, u64 window_ns, u64 work)
{
	u64 sample, d;

	if (window_ns) {
		sample = jp_min64((work * JP_SCALE) / window_ns, JP_SCALE);
		/* d = weight of the old average in 1/65536; the sample gets the rest. */
		d = jp_decay(65536, window_ns, JP_UTIL_HALF_LIFE_NS);
		*fp = ((*fp * d) >> 16) + sample * (65536 - d);
		if (*fp > ((u64)JP_SCALE << 16))
			*fp = (u64)JP_SCALE << 16;
	}
	return (u32)((*fp + 32768) >> 16);
}

/* ---- profiles --------------------------------------------------------- */

/*
 * Why these numbers (tuned in the simulator, docs/evaluation.md):
 * powersave runs OPPs with 1.2x headroom instead of the kernel's 1.25x and
 * keeps tasks on little CPUs until 90% of their capacity: most of its saving
 * over EAS; lower headroom (1.1x) saved more but missed video deadlines.
 * balanced uses the kernel's 1.25 margins. performance and gaming skip energy
 * placement and run at 2x headroom (top OPP from half load); gaming also
 * floors the OPP at 30% so a frame thread never starts at the lowest, and
 * starts new tasks at full util so a game's threads begin on big CPUs (the
 * kernel starts them at half the spare capacity: 512 on an idle CPU).
 */
static __always_inline void jp_profile_init(struct jp_profile *p, u32 id)
{
	p->fit_margin = 1280;
	p->headroom = 1280;
	p->misfit_up = 819;   /* 80% */
	p->misfit_down = 614; /* 60% */
	p->imbalance = 256;
	p->energy_aware = 1;
	p->min_perf = 0;
	p->init_util = 512;
	switch (id) {
	case JOULE_PROFILE_POWERSAVE:
		p->fit_margin = 1126;
		p->headroom = 1229;
		p->misfit_up = 922;
		p->misfit_down = 717;
		p->imbalance = 410;
		p->init_util = 256;
		break;
	case JOULE_PROFILE_PERFORMANCE:
		p->energy_aware = 0;
		p->headroom = 2048;
		p->misfit_up = 717;
		p->misfit_down = 512;
		p->imbalance = 128;
		break;
	case JOULE_PROFILE_GAMING:
		p->energy_aware = 0;
		p->headroom = 2048;
		p->misfit_up = 614;
		p->misfit_down = 410;
		p->imbalance = 128;
		p->min_perf = 307;
		p->init_util = 1024;
		break;
	default: /* JOULE_PROFILE_BALANCED */ break;
	}
}

/* ---- task and CPU utilization ----------------------------------------- */

static __always_inline void jp_task_init(struct jp_task *t, u64 now, u32 initial_util)
{
	t->util_avg = initial_util;
	t->util_fp = (u64)initial_util << 16;
	t->util_est = initial_util;
	t->misfit = 0;
	t->pad = 0;
	t->last_update_ns = now;
	t->window_work = 0;
	t->wake_ns = now;
	t->period_work = 0;
	t->period_avg = 0;
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
	t->wake_ns = now;
	t->period_work = 0;
}

/* The CPU ran tasks for ran_ns at cap_now since its last update. */
static __always_inline void jp_cpu_account(struct jp_cpu_state *c, u64 now, u64 ran_ns, u32 cap_now)
{
	c->busy_work += jp_work_of_run(ran_ns, cap_now);
	if (now >= c->last_update_ns + JP_UTIL_MIN_WINDOW_NS) {
		c->util_avg = jp_ema_util(&c->util_fp, now - c->last_update_ns, c->busy_work);
		c->last_update_ns = now;
		c->busy_work = 0;
	}
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

/* The running task plus those waiting for the CPU, or its busy average. */
static __always_inline u32 jp_cpu_util(const struct jp_cpu_state *c)
{
	return (u32)jp_max64(c->util_avg, (u64)c->util_runnable + c->util_pending);
}

/* Utilization as EAS uses it: never above what the CPU can deliver. */
static __always_inline u32 jp_cpu_util_capped(const struct jp_tables *t,
					      const struct jp_cpu_state *cs, u32 cpu)
{
	if (cpu >= JP_MAX_CPUS)
		return 0;
	return (u32)jp_min64(jp_cpu_util(&cs[cpu]), t->cpu[cpu].capacity);
}

/* ---- fit, overutilization, misfit, frequency -------------------------- */

static __always_inline bool jp_fits(u32 util, u32 capacity, u32 fit_margin)
{
	return (u64)util * fit_margin <= (u64)capacity * JP_SCALE;
}

JP_FUNC bool jp_overutilized(const struct jp_tables *t, const struct jp_cpu_state *cs,
			     const struct jp_profile *p)
{
	u64 sum_util = 0, sum_cap = 0;
	u32 i;

	JP_FOR(i, 0, JP_MAX_CPUS)
	{
		u32 util, cap;

		if (i >= t->nr_cpus)
			break;
		util = jp_cpu_util(&cs[i]);
		cap = t->cpu[i].capacity;
		sum_util += util;
		sum_cap += cap;
		if (cap >= t->max_capacity && !jp_fits(util, cap, p->fit_margin))
			return true;
	}
	return sum_util * p->fit_margin > sum_cap * JP_SCALE;
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
static __always_inline bool jp_lat_crit(u64 wake_period, u64 run_avg, bool was_lat_crit)
{
	u64 limit = was_lat_crit ? 2 * JP_LAT_WAKE_PERIOD_NS : JP_LAT_WAKE_PERIOD_NS;

	return wake_period && wake_period < limit && run_avg < JP_LAT_RUN_NS;
}

/* Updates t->misfit for the CPU the task runs on and returns it. */
static __always_inline bool jp_task_misfit(const struct jp_tables *tb, const struct jp_profile *p,
					   struct jp_task *t, u32 cpu)
{
	bool m;

	if (cpu >= JP_MAX_CPUS)
		return false;
	m = jp_misfit(p, jp_task_util(t), tb->cpu[cpu].capacity, tb->max_capacity, t->misfit);
	t->misfit = m;
	return m;
}

/* Performance level 0..1024 for a CPU of capacity carrying util. */
static __always_inline u32 jp_perf_target(u32 util, u32 capacity, u32 headroom)
{
	u64 perf;

	if (!capacity)
		return JP_SCALE;
	perf = ((u64)util * headroom) / capacity;
	return (u32)jp_min64(perf, JP_SCALE);
}

/* jp_perf_target with the profile's headroom and floor. */
static __always_inline u32 jp_cpu_perf_target(const struct jp_tables *t,
					      const struct jp_cpu_state *cs,
					      const struct jp_profile *p, u32 cpu)
{
	u32 perf;

	if (cpu >= JP_MAX_CPUS)
		return JP_SCALE;
	perf = jp_perf_target(jp_cpu_util(&cs[cpu]), t->cpu[cpu].capacity, p->headroom);
	return perf > p->min_perf ? perf : p->min_perf;
}

/* schedutil's own margin (map_util_perf: util + util / 4), in 1/1024 */
#define JP_SCHEDUTIL_MARGIN 1280u

/*
 * The request for scx_bpf_cpuperf_set() that makes schedutil run a CPU of
 * capacity cap at perf target (0..1024 of its own top speed): the kernel
 * reads the request as utilization on the system-wide scale and adds 25%.
 * Rounded up, so that the OPP schedutil picks is never below the target.
 */
static __always_inline u32 jp_perf_request(u32 target, u32 capacity)
{
	u64 req = ((u64)target * capacity + JP_SCHEDUTIL_MARGIN - 1) / JP_SCHEDUTIL_MARGIN;

	return (u32)jp_min64(req, JP_SCALE);
}

/*
 * Is a new request worth sending? Every call makes schedutil re-evaluate
 * (and may wake its kthread), so a change smaller than 1/16 of the old
 * value, or 16 units, is dropped; a drop to 0 (the CPU went idle) never is.
 */
static __always_inline bool jp_perf_request_due(u32 old, u32 req)
{
	u32 diff = old > req ? old - req : req - old;
	u32 step = old / 16 > 16 ? old / 16 : 16;

	return diff && (diff >= step || !req);
}

/*
 * Should a busy CPU's tick send its request again although it has not
 * changed? schedutil drops an update that comes within its rate limit of
 * its last frequency change (sugov_should_update_freq), and an unchanged
 * request is never sent again (jp_perf_request_due), so a CPU that gets
 * busy just after its domain slowed down can run below its target until
 * the request changes. cur_perf is the speed it runs at (0..1024 of its
 * own top, scx_bpf_cpuperf_cur), target what the request asks for.
 */
static __always_inline bool jp_perf_request_lagging(u32 target, u32 cur_perf)
{
	return cur_perf + 16 < target;
}

/* ---- energy ----------------------------------------------------------- */

/* Index of the lowest OPP of pd covering util with headroom (top if none). */
static __always_inline u32 jp_pd_opp_for(const struct jp_pd *pd, u32 max_util, u32 headroom)
{
	u64 need = ((u64)max_util * headroom) / JP_SCALE;
	u32 i, last = 0;

	JP_FOR(i, 0, JP_MAX_OPPS)
	{
		if (i >= pd->nr_opps)
			break;
		last = i;
		if (pd->opps[i].capacity >= need)
			return i;
	}
	return last;
}

/* EAS energy of a PD whose most utilized CPU has max_util, all sum_util. */
static __always_inline u64 jp_pd_energy(const struct jp_pd *pd, u32 max_util, u64 sum_util,
					u32 headroom)
{
	u32 idx = jp_pd_opp_for(pd, max_util, headroom);

	if (idx >= JP_MAX_OPPS || !pd->max_capacity)
		return 0;
	return (pd->opps[idx].cost * sum_util) / pd->max_capacity;
}

/*
 * Utilization of cpu as a wakeup sees it: on the task's previous CPU its own
 * blocked contribution to util_avg leaves with it (the kernel's
 * cpu_util_without()), else the previous CPU looks busier than it is and
 * tasks bounce between equal CPUs. Capped at the CPU's capacity.
 */
static __always_inline u32 jp_cpu_util_wake(const struct jp_tables *t,
					    const struct jp_cpu_state *cs, const struct jp_wake *w,
					    u32 cpu)
{
	u32 avg;

	if (cpu >= JP_MAX_CPUS)
		return 0;
	avg = cs[cpu].util_avg;
	if ((s32)cpu == w->prev_cpu)
		avg = avg > w->task_util ? avg - w->task_util : 0;
	return (u32)jp_min64(jp_max64(avg, (u64)cs[cpu].util_runnable + cs[cpu].util_pending),
			     t->cpu[cpu].capacity);
}

/* Per-PD numbers jp_select_cpu_energy needs, gathered in one pass. */
struct jp_pd_scan {
	u64 sum_util;
	u32 max_util;
	s32 best_cpu; /* candidate: idle with most spare, else most spare */
	u32 best_util;
	u32 best_idle;
	u32 best_spare;
	u32 pad;
};

static __always_inline void jp_pd_scan(const struct jp_tables *t, const struct jp_cpu_state *cs,
				       const struct jp_profile *p, const struct jp_wake *w, u32 pd,
				       struct jp_pd_scan *s)
{
	const struct jp_pd *d;
	u32 i;

	s->sum_util = 0;
	s->max_util = 0;
	s->best_cpu = JP_NO_CPU;
	s->best_util = 0;
	s->best_idle = 0;
	s->best_spare = 0;
	if (pd >= JP_MAX_PDS)
		return;
	d = &t->pd[pd];
	JP_FOR(i, 0, JP_MAX_PD_CPUS)
	{
		u32 cpu, util, cap, spare, idle;

		if (i >= d->nr_cpus)
			break;
		cpu = d->cpus[i];
		if (cpu >= JP_MAX_CPUS)
			break;
		util = jp_cpu_util_wake(t, cs, w, cpu);
		cap = t->cpu[cpu].capacity;
		s->sum_util += util;
		if (util > s->max_util)
			s->max_util = util;
		if (!jp_mask_test(&w->allowed, cpu) || (s32)cpu == w->prev_cpu)
			continue;
		if (!jp_fits(util + w->task_util, cap, p->fit_margin))
			continue;
		spare = cap - util;
		idle = jp_mask_test(&w->idle, cpu);
		if (s->best_cpu == JP_NO_CPU || idle > s->best_idle ||
		    (idle == s->best_idle && spare > s->best_spare)) {
			s->best_cpu = cpu;
			s->best_util = util;
			s->best_idle = idle;
			s->best_spare = spare;
		}
	}
}

/* Energy the PD would add if a CPU at cpu_util took task_util. */
static __always_inline u64 jp_pd_delta(const struct jp_pd *d, const struct jp_pd_scan *s,
				       u32 cpu_util, u32 task_util, u32 cap, u32 headroom)
{
	u32 new_util = (u32)jp_min64(cpu_util + task_util, cap);
	u32 new_max = new_util > s->max_util ? new_util : s->max_util;
	u64 new_sum = s->sum_util + (new_util - cpu_util);
	u64 before = jp_pd_energy(d, s->max_util, s->sum_util, headroom);
	u64 after = jp_pd_energy(d, new_max, new_sum, headroom);

	return after > before ? after - before : 0;
}

/* What placing the task in one PD would cost: its best CPU and the deltas. */
struct jp_pd_eval {
	s32 cand_cpu;	/* best CPU of the PD other than prev, JP_NO_CPU if none */
	s32 prev_cpu;	/* prev_cpu if it is in this PD and the task fits it, else JP_NO_CPU */
	u64 cand_delta; /* energy added on cand_cpu */
	u64 prev_delta; /* energy added on prev_cpu */
};

/* Evaluate one PD for jp_select_cpu_energy. */
static __always_inline void jp_pd_evaluate(const struct jp_tables *t, const struct jp_cpu_state *cs,
					   const struct jp_profile *p, const struct jp_wake *w,
					   u32 pd, struct jp_pd_eval *e)
{
	struct jp_pd_scan s;
	const struct jp_pd *d;

	e->cand_cpu = JP_NO_CPU;
	e->prev_cpu = JP_NO_CPU;
	e->cand_delta = ~0ull;
	e->prev_delta = ~0ull;
	if (pd >= JP_MAX_PDS)
		return;
	d = &t->pd[pd];
	jp_pd_scan(t, cs, p, w, pd, &s);
	if (w->prev_cpu >= 0 && w->prev_cpu < JP_MAX_CPUS && (u32)w->prev_cpu < t->nr_cpus &&
	    jp_mask_test(&w->allowed, w->prev_cpu) && t->cpu[w->prev_cpu].pd == pd) {
		u32 prev = (u32)w->prev_cpu & (JP_MAX_CPUS - 1);
		u32 util = jp_cpu_util_wake(t, cs, w, prev);
		u32 cap = t->cpu[prev].capacity;

		if (jp_fits(util + w->task_util, cap, p->fit_margin)) {
			e->prev_cpu = (s32)prev;
			e->prev_delta = jp_pd_delta(d, &s, util, w->task_util, cap, p->headroom);
		}
	}
	if (s.best_cpu == JP_NO_CPU || (u32)s.best_cpu >= JP_MAX_CPUS)
		return;
	e->cand_cpu = s.best_cpu;
	e->cand_delta = jp_pd_delta(d, &s, s.best_util, w->task_util, t->cpu[s.best_cpu].capacity,
				    p->headroom);
}

/*
 * JP_PD_EVALUATE is how jp_select_cpu_energy evaluates a PD. The BPF
 * scheduler points it at a global (separately verified) function that calls
 * jp_pd_evaluate, so the verifier checks the per-PD work once instead of once
 * per PD of the loop; elsewhere it is jp_pd_evaluate itself.
 */
#ifndef JP_PD_EVALUATE
#define JP_PD_EVALUATE(t, cs, p, w, pd, e) jp_pd_evaluate(t, cs, p, w, pd, e)
#endif

/*
 * Energy-aware placement. Returns the CPU adding the least energy among the
 * allowed CPUs where the task fits, preferring prev_cpu on a tie, or
 * JP_NO_CPU when it fits nowhere (the caller then uses jp_select_cpu_perf).
 */
JP_FUNC s32 jp_select_cpu_energy(const struct jp_tables *t, const struct jp_cpu_state *cs,
				 const struct jp_profile *p, const struct jp_wake *w)
{
	struct jp_pd_eval e;
	u64 best_delta = ~0ull;
	s32 best = JP_NO_CPU;
	u32 pd;

	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= t->nr_pds)
			break;
		JP_PD_EVALUATE(t, cs, p, w, pd, &e);
		/* prev first, so that it wins ties */
		if (e.prev_cpu != JP_NO_CPU && e.prev_delta <= best_delta) {
			best_delta = e.prev_delta;
			best = e.prev_cpu;
		}
		if (e.cand_cpu != JP_NO_CPU && e.cand_delta < best_delta) {
			best_delta = e.cand_delta;
			best = e.cand_cpu;
		}
	}
	return best;
}

/*
 * Closeness of cpu to prev in the cache hierarchy: 3 same CPU, 2 same LLC,
 * 1 same cluster, 0 far.
 */
static __always_inline u32 jp_cache_near(const struct jp_tables *t, u32 cpu, s32 prev)
{
	if (prev < 0 || prev >= JP_MAX_CPUS || cpu >= JP_MAX_CPUS)
		return 0;
	if ((s32)cpu == prev)
		return 3;
	if (t->cpu[cpu].llc == t->cpu[prev].llc)
		return 2;
	if (t->cpu[cpu].cluster == t->cpu[prev].cluster)
		return 1;
	return 0;
}

/*
 * Rank of cpu for a latency-first placement, higher is better. In order of
 * importance: idle whole core (sibling idle too) > idle SMT thread > busy;
 * capacity (busy CPUs: spare capacity); cache nearness to prev.
 */
static __always_inline u64 jp_perf_rank(const struct jp_tables *t, const struct jp_cpu_state *cs,
					const struct jp_wake *w, u32 cpu)
{
	u64 idle_class = 0, cap;
	u32 sib;

	if (cpu >= JP_MAX_CPUS)
		return 0;
	cap = t->cpu[cpu].capacity;
	if (jp_mask_test(&w->idle, cpu)) {
		sib = t->cpu[cpu].sibling;
		idle_class = (sib == JP_NO_SIBLING || jp_mask_test(&w->idle, sib)) ? 2 : 1;
	} else {
		u32 util = jp_cpu_util(&cs[cpu]);

		cap = util < cap ? cap - util : 0;
	}
	return (idle_class << 40) | (cap << 8) | jp_cache_near(t, cpu, w->prev_cpu);
}

/* Latency-first placement; JP_NO_CPU only if no CPU is allowed. */
JP_FUNC s32 jp_select_cpu_perf(const struct jp_tables *t, const struct jp_cpu_state *cs,
			       const struct jp_wake *w)
{
	u64 best_rank = 0;
	s32 best = JP_NO_CPU;
	u32 cpu;

	JP_FOR(cpu, 0, JP_MAX_CPUS)
	{
		u64 rank;

		if (cpu >= t->nr_cpus)
			break;
		if (!jp_mask_test(&w->allowed, cpu))
			continue;
		rank = jp_perf_rank(t, cs, w, cpu) + 1;
		if (rank > best_rank) {
			best_rank = rank;
			best = (s32)cpu;
		}
	}
	return best;
}

/*
 * Full wakeup decision for a profile: energy placement when the profile is
 * energy-aware and the system is not overutilized, else latency-first.
 */
JP_FUNC s32 jp_select_cpu(const struct jp_tables *t, const struct jp_cpu_state *cs,
			  const struct jp_profile *p, const struct jp_wake *w)
{
	s32 cpu = JP_NO_CPU;

	if (p->energy_aware && !jp_overutilized(t, cs, p))
		cpu = jp_select_cpu_energy(t, cs, p, w);
	if (cpu == JP_NO_CPU)
		cpu = jp_select_cpu_perf(t, cs, w);
	return cpu;
}

/* ---- load balance between performance domains ------------------------- */

struct jp_balance {
	s32 src_pd; /* over its share, JP_NO_PD if none */
	s32 dst_pd; /* under its share, JP_NO_PD if none */
	u32 excess; /* util src_pd carries above its share */
	u32 pad;
};

/*
 * Which PD is over its capacity-proportional share of the total util and
 * which is under. Returns true when src and dst both exist.
 */
JP_FUNC bool jp_balance_domains(const struct jp_tables *t, const struct jp_cpu_state *cs,
				const struct jp_profile *p, struct jp_balance *b)
{
	u64 pd_util[JP_MAX_PDS] = {}; /* 128 bytes of stack */
	u64 total_util = 0, total_cap = 0, worst_over = 0, worst_under = 0;
	u32 i, pd;

	b->src_pd = JP_NO_PD;
	b->dst_pd = JP_NO_PD;
	b->excess = 0;
	b->pad = 0;
	JP_FOR(i, 0, JP_MAX_CPUS)
	{
		if (i >= t->nr_cpus)
			break;
		pd = t->cpu[i].pd;
		if (pd >= JP_MAX_PDS)
			continue;
		pd_util[pd] += jp_cpu_util(&cs[i]);
		total_util += jp_cpu_util(&cs[i]);
		total_cap += t->cpu[i].capacity;
	}
	if (!total_cap)
		return false;
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		u64 cap, share;

		if (pd >= t->nr_pds)
			break;
		cap = (u64)t->pd[pd].max_capacity * t->pd[pd].nr_cpus;
		share = (total_util * cap) / total_cap;
		if (pd_util[pd] * JP_SCALE > share * (JP_SCALE + p->imbalance) &&
		    pd_util[pd] - share > worst_over) {
			worst_over = pd_util[pd] - share;
			b->src_pd = (s32)pd;
		}
		if (share > pd_util[pd] && share - pd_util[pd] > worst_under) {
			worst_under = share - pd_util[pd];
			b->dst_pd = (s32)pd;
		}
	}
	b->excess = (u32)jp_min64(worst_over, ~0u);
	return b->src_pd != JP_NO_PD && b->dst_pd != JP_NO_PD;
}

/* ---- balancing tasks when every CPU is busy ------------------------------ */

struct jp_pd_load {
	u32 busy;     /* online CPUs of the PD running something */
	u32 queued;   /* tasks waiting in the PD's queue */
	u32 capacity; /* sum of the PD's online CPUs' capacities */
	u32 online;   /* the PD's online CPUs */
};

/* Runnable tasks per unit of capacity, scaled by 2^20 (0 for no capacity). */
static __always_inline u64 jp_pd_task_load(const struct jp_pd_load *l)
{
	if (!l->capacity)
		return 0;
	return (((u64)l->busy + l->queued) << 20) / l->capacity;
}

/*
 * The PD a CPU of PD self should take a queued task from before its own
 * queue, or JP_NO_PD: the most loaded PD with queued tasks and every online
 * CPU busy whose load exceeds self's by more than the profile's imbalance.
 * A PD with an idle CPU runs its own queue's work there (pulling it to a
 * bigger CPU would only cost energy). PDs whose bit is set in skip
 * are passed over (the caller's reasons, such as a bigger PD with an idle
 * CPU about to take its own queue's work).
 */
JP_FUNC s32 jp_overloaded_pd(const struct jp_tables *t, const struct jp_profile *p,
			     const struct jp_pd_load *loads, u32 self, u32 skip)
{
	u64 limit, load, best = 0;
	s32 found = JP_NO_PD;
	u32 pd;

	if (self >= JP_MAX_PDS)
		return JP_NO_PD;
	limit = jp_pd_task_load(&loads[self]) * (JP_SCALE + p->imbalance) / JP_SCALE;
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= t->nr_pds)
			break;
		if (pd == self || ((skip >> pd) & 1) || !loads[pd].queued ||
		    loads[pd].busy < loads[pd].online)
			continue;
		load = jp_pd_task_load(&loads[pd]);
		if (load > limit && load > best) {
			best = load;
			found = (s32)pd;
		}
	}
	return found;
}

#endif /* JOULE_POLICY_H */
