/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: limits, units, the plain structs, and the small helpers
 * the other policy headers use.
 *
 * Units. Capacity and utilization are on the kernel's scale: 1024 is the
 * biggest CPU of the machine at its highest operating point (OPP). A CPU's
 * capacity "now" is capacity * perf / 1024, perf being its current
 * performance level 0..1024 (SCX_CPUPERF_ONE = 1024). Times are ns.
 *
 * Limits (static arrays sized by these):
 *   JP_MAX_CPUS    the build's max_cpus (meson option, default and at most
 *                  512): possible CPUs, numbered 0..N-1. It sizes
 *                  struct jp_cpumask, which the BPF program keeps on its
 *                  512-byte stack (struct jp_wake holds two), so it is a
 *                  compile-time ceiling; loops stop at the machine's own
 *                  CPU count (jp_tables.nr_cpus), so a small machine does
 *                  not pay for it. docs/design.md, Limits.
 *   JP_MAX_PDS      16  performance domains (frequency domains)
 *   JP_MAX_OPPS     16  operating points per PD (userspace thins longer tables)
 *   JP_MAX_PD_CPUS  JP_MAX_CPUS: a domain may hold every CPU
 */
#ifndef JOULE_POLICY_BASE_H
#define JOULE_POLICY_BASE_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

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
typedef __s64 s64;
#endif

/* bpf_helpers.h defines it in BPF programs; userspace and bare BPF need it. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#ifndef JOULE_MAX_CPUS
#error "JOULE_MAX_CPUS comes from the build (meson option max_cpus)"
#endif
#define JP_MAX_CPUS    JOULE_MAX_CPUS
#define JP_MAX_PDS     16
#define JP_MAX_OPPS    16
#define JP_MAX_PD_CPUS JP_MAX_CPUS
#define JP_MASK_WORDS  (JP_MAX_CPUS / 64)
#if JP_MAX_CPUS < 64 || JP_MAX_CPUS > 512 || (JP_MAX_CPUS & (JP_MAX_CPUS - 1))
#error "JOULE_MAX_CPUS must be a power of two from 64 to 512"
#endif

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

/*
 * The PDs of tables t for which cond holds, a bit each; pd, the caller's
 * variable, runs over them in cond.
 */
#define JP_PDS_WHERE(t, pd, cond)                                                                  \
	({                                                                                         \
		u32 ___pds = 0;                                                                    \
		JP_FOR(pd, 0, JP_MAX_PDS)                                                          \
		{                                                                                  \
			if ((pd) >= (t)->nr_pds)                                                   \
				break;                                                             \
			if (cond)                                                                  \
				___pds |= 1u << (pd);                                              \
		}                                                                                  \
		___pds;                                                                            \
	})

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
	u16 flags;    /* JP_CPU_* */
};

/*
 * The CPU was offline when the model was read, and nothing the kernel shows
 * of an offline CPU said what it is: it borrowed a neighbour's entry. When
 * it comes online, the scheduler asks the loader to read the model again.
 */
#define JP_CPU_GUESSED 1u

struct jp_pd {
	u32 nr_cpus;
	u32 nr_opps;
	u32 max_capacity; /* capacity of the PD's CPUs at the top OPP */
	u32 pad;
	u16 cpus[JP_MAX_PD_CPUS];	 /* ascending */
	struct jp_opp opps[JP_MAX_OPPS]; /* ascending capacity */
};

/* Static machine description; filled by userspace (src/machine.c). */
struct jp_tables {
	u32 nr_cpus;
	u32 nr_pds;
	u32 max_capacity;   /* of the biggest CPU, normally 1024 */
	u32 costs_rise;	    /* jp_costs_rise(), worked out by BPF init and sim_soc_to_tables */
	u32 pds_rank_alike; /* jp_pds_rank_alike(), worked out with costs_rise */
	struct jp_cpu_info cpu[JP_MAX_CPUS];
	struct jp_pd pd[JP_MAX_PDS];
};

/*
 * Dynamic per-CPU state; the caller keeps one per CPU, a cache line each
 * (every switch and tick writes it: packed, neighbours' writes would take
 * the line from each other). util_runnable is written only by the CPU
 * itself; util_pending by whichever CPU places a task here, so only through
 * jp_cpu_pending_add/sub (atomic).
 */
struct jp_cpu_state {
	u32 util_avg;	   /* decayed invariant busy fraction, 0..1024 */
	u32 util_runnable; /* util of the task running here */
	u32 util_pending;  /* sum of utils of tasks placed here, not running yet */
	u32 frame;	   /* the last task to run here wakes periodically (jp_frame_task) */
	u32 frame_speed;   /* that task's jp_frame_speed, 0 if none */
	u32 util_removed;  /* utils of tasks that moved away, not yet taken off (atomic) */
	u64 last_update_ns;
	u64 busy_work; /* invariant busy ns since last_update_ns */
	u64 util_fp;   /* util_avg << 16, the precise value */
} __attribute__((aligned(64)));

/* why a task is misfit (jp_task_misfit); any bit set means it is */
#define JP_MISFIT_UTIL	1u /* its util outgrew the CPU (with hysteresis) */
#define JP_MISFIT_FRAME 2u /* its frame needs more speed than the CPU has */

struct jp_task {
	u32 util_avg;
	u32 util_est;
	u32 misfit;	   /* jp_task_misfit()'s answer: JP_MISFIT_* bits, 0 if none */
	u32 work_avg;	   /* invariant ns run per activation (wakeup to wakeup), average */
	u32 work_dev;	   /* its mean deviation */
	u32 next_work;	   /* frame threads: the next stage's average work (jp_frame_wakeup) */
	u32 next_work_now; /* the same, gathered over this activation */
	u32 speed_peak;	   /* the highest frame speed of this activation (jp_frame_speed_running) */
	u32 kept_util;	   /* util + 1 when placement last kept it, a misfit, on its CPU; 0: not */
	u32 kept_cap;	   /* ... that CPU's capacity */
	u64 kept_ns;	   /* ... and when (jp_misfit_kept, jp_misfit_move_due) */
	u64 frame_start;   /* frame threads: when this activation's frame began */
	u64 last_update_ns; /* util_avg window start */
	u64 window_work;    /* invariant run ns since last_update_ns */
	u64 wake_ns;	    /* start of the current activation period */
	u64 period_work;    /* invariant run ns since wake_ns */
	u64 util_fp;	    /* util_avg << 16, the precise value */
	u64 period_avg;	    /* moving average of the time between wakeups */
};

struct jp_profile {
	u32 fit_margin;	      /* fits when util * fit_margin <= cap * 1024 */
	u32 headroom;	      /* frequency headroom, 1024 = none */
	u32 misfit_up;	      /* misfit when util*1024 > cap*misfit_up */
	u32 misfit_down;      /* no longer misfit when util*1024 < cap*misfit_down */
	u32 imbalance;	      /* PD load balance tolerance, 1024 = 100% */
	u32 energy_aware;     /* use jp_select_cpu_energy unless overutilized */
	u32 min_perf;	      /* floor for jp_cpu_perf_target, 0..1024 */
	u32 init_util;	      /* util a new task starts with (jp_task_init) */
	u32 frame_headroom;   /* headroom on a frame stage's own work (policy/frame.h), 0 = none */
	u32 frame_next_share; /* share of the next stage's average work a stage plans for */
	u32 lat_crit_perf;    /* place latency-critical tasks (jp_lat_crit) latency-first */
};

/*
 * A wakeup to place: the caller fills this (40 + JP_MAX_CPUS / 4 bytes: the
 * BPF caller keeps it in a per-CPU map, off the verifier's 512-byte stack).
 * The masks stay last: the BPF caller zeroes only what comes before.
 */
struct jp_wake {
	u32 task_util;
	s32 prev_cpu;	  /* JP_NO_CPU if unknown */
	u32 overutilized; /* the caller's jp_overutilized_views(), which may be a little old */
	u32 frame;	  /* the task is a frame thread (jp_frame_task) */
	u32 frame_speed;  /* its jp_frame_speed if so */
	u32 lat_crit;	  /* the task is latency-critical (jp_lat_crit) */
	u32 other_pds;	  /* a hint: PDs with none of the task's CPUs, a bit each (jp_other_pds) */
	u64 now; /* when it wakes: idle CPUs' averages are aged to it (jp_cpu_util_avg_at) */
	struct jp_cpumask allowed;
	struct jp_cpumask idle;
};

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

/* Set bits of a mask word (BPF has no instruction for it; clang expands it). */
static __always_inline u32 jp_popcount(u64 word)
{
	return (u32)__builtin_popcountll(word);
}

/*
 * The index of the lowest set bit of a word that has one. (BPF has no
 * instruction for it either: clang multiplies and looks the answer up in a
 * 64-byte table.)
 */
static __always_inline u32 jp_lowest_bit(u64 word)
{
	return (u32)__builtin_ctzll(word);
}

/* Capacity a CPU delivers now: capacity at max OPP scaled by its perf level. */
static __always_inline u32 jp_cap_now(u32 capacity, u32 perf)
{
	if (perf > JP_SCALE)
		perf = JP_SCALE;
	return (u32)(((u64)capacity * perf) / JP_SCALE);
}

/*
 * Capacity a run delivered, from the CPU's capacity-now (jp_cap_now) when
 * it started and when it ended: their mean. The kernel's invariance scale
 * (scx_bpf_cpuperf_cur) tells the speed now, or over the last tick, not over
 * the run. Counted at the end speed alone, a run that started at a low OPP
 * and ended at a higher one counted as if it had run fast throughout: a
 * domain whose CPUs all slept between the runs of 1 ms-periodic tasks fell
 * to its lowest OPP in each gap, their util read 14% high (176 for 154)
 * and lifted the little domain an OPP, and energy placement moved them to
 * big CPUs and back (joule-sim, six 150 us tasks on the 16-CPU cost model:
 * 3,244 migrations in 10 s, 3.15 J, against 22 and 2.66 J with the mean).
 */
static __always_inline u32 jp_cap_of_run(u32 cap_start, u32 cap_end)
{
	return (u32)(((u64)cap_start + cap_end + 1) / 2);
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

/* The util a 16-bit fixed-point average stands for, rounded. */
static __always_inline u32 jp_util_of_fp(u64 fp)
{
	return (u32)((fp + 32768) >> 16);
}

/*
 * Exponential moving average of utilization over a window of window_ns
 * during which work ns of invariant work were done. The average is kept in
 * 16-bit fixed point (fp = util << 16): with whole numbers a 1 ms step
 * (2% weight) would round every change away. Returns the new fp; window_ns
 * must not be 0.
 */
static __always_inline u64 jp_ema_fp(u64 fp, u64 window_ns, u64 work)
{
	u64 sample, d;

	sample = jp_min64((work * JP_SCALE) / window_ns, JP_SCALE);
	/* d = weight of the old average in 1/65536; the sample gets the rest. */
	d = jp_decay(65536, window_ns, JP_UTIL_HALF_LIFE_NS);
	fp = ((fp * d) >> 16) + sample * (65536 - d);
	return jp_min64(fp, (u64)JP_SCALE << 16);
}

/* jp_ema_fp on *fp, in place (a 0 window changes nothing); returns the rounded util. */
static __always_inline u32 jp_ema_util(u64 *fp, u64 window_ns, u64 work)
{
	if (window_ns)
		*fp = jp_ema_fp(*fp, window_ns, work);
	return jp_util_of_fp(*fp);
}

#endif /* JOULE_POLICY_BASE_H */
