/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule's placement policy, as pure functions over plain structs.
 *
 * The BPF scheduler and the userspace tests and simulator compile this same
 * file, so the decisions exist once. Nothing here calls a kfunc or libc; all
 * loops are bounded by compile-time limits so the BPF verifier accepts them.
 *
 * Units. Capacity and utilization use the kernel's scale: 1024 is the work
 * rate of the biggest CPU at its highest frequency. A task's utilization is
 * a decayed average of its running time, scaled by the capacity it ran at:
 *
 *   util' = util * d(elapsed) + S * (1 - d(run)),   d(t) = 2^(-t / H)
 *
 * with S the capacity of the CPU (times its performance level when the
 * machine has frequency control), t in ns and H = 2^25 ns (33.6 ms, close to
 * the kernel's PELT half-life). A periodic task running r of every p ns on a
 * CPU of capacity S settles near S * r / p. util_est keeps the utilization a
 * task had when it last went to sleep (rising at once, falling by 1/4 per
 * sleep), so a task that wakes up busy is placed for what it needs, not for
 * what its sleep decayed it to.
 *
 * Fit. A task fits a CPU when util * margin <= capacity (margin 1.25 by
 * default, i.e. 80% of the CPU). It is "misfit" when it runs on a CPU it no
 * longer fits and a bigger CPU exists. Coming back down uses a stricter
 * margin (down_margin) so a task near the boundary does not bounce.
 *
 * Energy (the kernel's EAS model). Each performance domain (PD: CPUs sharing
 * a clock) has operating points (OPPs) with a capacity and a cost,
 * cost = power * f_max / f. The PD runs at the lowest OPP whose capacity
 * covers its busiest CPU's utilization times the frequency headroom, and
 * spends energy = cost * sum_util / max_capacity per unit time. Placing a
 * task costs the difference in PD energy with and without it; the CPU with
 * the smallest difference wins, among CPUs it fits. Idle CPUs that would
 * have to wake add their PD's idle cost, which is what makes packing pay.
 * The previous CPU is kept unless another saves more than 1/16 of its cost.
 *
 * Overutilization. When any CPU's utilization exceeds its capacity / margin,
 * energy estimates are meaningless (nothing is left to save), so placement
 * switches to performance: an idle full core, then an idle SMT sibling,
 * bigger CPUs first, cache-near (same LLC as the previous CPU) first.
 *
 * Frequency. A CPU's performance target is util * headroom / capacity, on
 * the 0..1024 scale of scx_bpf_cpuperf_set().
 */
#ifndef JOULE_POLICY_H
#define JOULE_POLICY_H

#ifndef __bpf__
#include <linux/types.h>
#include <stdbool.h>
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define JP_MAX_CPUS	   256 /* CPUs described to the policy */
#define JP_MAX_PDS	   16  /* performance domains */
#define JP_MAX_OPPS	   16  /* operating points per domain */
#define JP_MASK_WORDS	   (JP_MAX_CPUS / 64)
#define JP_CAP_SCALE	   1024 /* SCHED_CAPACITY_SCALE; also SCX_CPUPERF_ONE */
#define JP_PCT_SCALE	   1024 /* margins are ratios times 1024 */
#define JP_HALF_LIFE_SHIFT 25	/* 2^25 ns = 33.6 ms */

struct jp_opp {
	__u32 capacity;	   /* work rate at this OPP, 0..1024 */
	__u32 inefficient; /* a faster OPP costs less per unit of work */
	__u64 cost;	   /* power * f_max / f, in the model's power unit */
};

struct jp_pd {
	__u32 nr_opps;
	__u32 max_capacity; /* capacity of its CPUs at the top OPP */
	__u64 idle_cost;    /* cost of one CPU of this PD sitting idle (awake) */
	__u64 cpus[JP_MASK_WORDS];
	struct jp_opp opps[JP_MAX_OPPS];
};

struct jp_cpu {
	__u32 capacity; /* 0..1024 */
	__u32 pd;
	__s32 smt_sibling; /* -1 when none */
	__u32 llc;
	__u32 kind; /* 0 = most efficient */
	__u32 pad;
};

/* What userspace tells the policy about the machine; constant while attached. */
struct jp_tables {
	__u32 nr_cpus;
	__u32 nr_pds;
	__u32 max_capacity;   /* of the biggest CPU */
	__u32 freq_invariant; /* the machine has frequency control */
	struct jp_cpu cpu[JP_MAX_CPUS];
	struct jp_pd pd[JP_MAX_PDS];
};

/* Per-profile tuning; ratios are times 1024. */
struct jp_profile {
	__u32 fit_margin;      /* task fits when util * margin <= capacity */
	__u32 down_margin;     /* stricter margin to move back to a smaller CPU */
	__u32 freq_headroom;   /* performance target = util * headroom */
	__u32 overutil_margin; /* CPU overutilized when util * margin > capacity */
	__u32 pack;	       /* prefer the busiest CPU that fits (keep others idle) */
	__u32 perf_only;       /* always place for performance */
	__u32 latency_boost;   /* latency-critical tasks go to the biggest idle CPU */
	__u32 slice_ns_lat;    /* slice for latency-critical tasks */
};

/* Policy state of one task (lives in BPF task storage). */
struct jp_task {
	__u64 util;	/* decayed, capacity-scaled utilization (0..1024) */
	__u64 util_est; /* utilization when it last went to sleep */
	__u64 last_update;
	__u32 misfit; /* on a CPU it does not fit, bigger ones exist */
	__u32 pad;
};

/* Policy state of one CPU. */
struct jp_cpu_state {
	__u64 util;
	__u64 last_update;
};

/* 2^(-elapsed/H) * val: whole half-lives by shifting, the rest linearly. */
static __always_inline __u64 jp_decay(__u64 val, __u64 elapsed_ns)
{
	__u64 halves = elapsed_ns >> JP_HALF_LIFE_SHIFT;
	__u64 rest = elapsed_ns & ((1ULL << JP_HALF_LIFE_SHIFT) - 1);

	if (halves >= 32)
		return 0;
	val >>= halves;
	/* 2^-x ~= 1 - x/2 on [0, 1): within 6%, and never above the exact value */
	return val - ((val * rest) >> (JP_HALF_LIFE_SHIFT + 1));
}

/* Account a run of run_ns that ended at now on a CPU running at capacity cap. */
static __always_inline __u64 jp_util_after_run(__u64 util, __u64 last, __u64 now, __u64 run_ns,
					       __u32 cap)
{
	__u64 elapsed = now > last ? now - last : 0;

	if (run_ns > elapsed)
		run_ns = elapsed;
	util = jp_decay(util, elapsed) + cap - jp_decay(cap, run_ns);
	return util > JP_CAP_SCALE ? JP_CAP_SCALE : util;
}

static __always_inline __u64 jp_util_now(__u64 util, __u64 last, __u64 now)
{
	return jp_decay(util, now > last ? now - last : 0);
}

/* The capacity a run was done at: the CPU's, scaled by its performance level. */
static __always_inline __u32 jp_run_capacity(const struct jp_tables *t, __u32 cpu, __u32 perf)
{
	__u32 cap;

	if (cpu >= JP_MAX_CPUS)
		return JP_CAP_SCALE;
	cap = t->cpu[cpu].capacity;
	if (t->freq_invariant && perf && perf < JP_CAP_SCALE)
		cap = cap * perf / JP_CAP_SCALE;
	return cap ? cap : 1;
}

static __always_inline void jp_task_ran(struct jp_task *tk, const struct jp_tables *t, __u32 cpu,
					__u32 perf, __u64 run_ns, __u64 now, bool sleeping)
{
	tk->util = jp_util_after_run(tk->util, tk->last_update, now, run_ns,
				     jp_run_capacity(t, cpu, perf));
	tk->last_update = now;
	if (!sleeping)
		return;
	/* remember what the task needed: rise at once, fall slowly */
	if (tk->util >= tk->util_est)
		tk->util_est = tk->util;
	else
		tk->util_est = (tk->util_est * 3 + tk->util) / 4;
}

static __always_inline void jp_cpu_ran(struct jp_cpu_state *cs, const struct jp_tables *t,
				       __u32 cpu, __u32 perf, __u64 run_ns, __u64 now)
{
	cs->util = jp_util_after_run(cs->util, cs->last_update, now, run_ns,
				     jp_run_capacity(t, cpu, perf));
	cs->last_update = now;
}

/* What the task needs now: its average, or more if it woke up busy. */
static __always_inline __u64 jp_task_demand(const struct jp_task *tk, __u64 now)
{
	__u64 util = jp_util_now(tk->util, tk->last_update, now);

	return util > tk->util_est ? util : tk->util_est;
}

static __always_inline bool jp_fits(__u64 util, __u32 capacity, __u32 margin)
{
	return util * margin <= (__u64)capacity * JP_PCT_SCALE;
}

static __always_inline bool jp_cpu_overutilized(__u64 cpu_util, __u32 capacity, __u32 margin)
{
	return cpu_util * margin > (__u64)capacity * JP_PCT_SCALE;
}

static __always_inline bool jp_mask_test(const __u64 *mask, __u32 cpu)
{
	if (cpu >= JP_MAX_CPUS)
		return false;
	return mask[cpu / 64] & (1ULL << (cpu % 64));
}

static __always_inline void jp_mask_set(__u64 *mask, __u32 cpu)
{
	if (cpu < JP_MAX_CPUS)
		mask[cpu / 64] |= 1ULL << (cpu % 64);
}

/*
 * A misfit task runs on a CPU it no longer fits while a bigger CPU exists.
 * Once misfit, it stays so until it fits with the stricter down_margin.
 */
static __always_inline bool jp_task_misfit(const struct jp_tables *t, const struct jp_profile *pr,
					   __u32 cpu, __u64 demand, bool was_misfit)
{
	__u32 cap, margin;

	if (cpu >= JP_MAX_CPUS)
		return false;
	cap = t->cpu[cpu].capacity;
	if (cap >= t->max_capacity)
		return false;
	margin = was_misfit ? pr->down_margin : pr->fit_margin;
	return !jp_fits(demand, cap, margin);
}

/* Frequency request for a CPU: util with headroom, relative to the CPU's capacity. */
static __always_inline __u32 jp_perf_target(__u64 util, __u32 capacity, __u32 headroom)
{
	__u64 perf;

	if (!capacity)
		return JP_CAP_SCALE;
	perf = util * headroom / capacity;
	return perf > JP_CAP_SCALE ? JP_CAP_SCALE : (__u32)perf;
}

/* Index of the OPP a PD runs at when its busiest CPU has max_util. */
static __always_inline __u32 jp_pd_opp(const struct jp_pd *pd, __u64 max_util, __u32 headroom)
{
	__u64 need = max_util * headroom / JP_PCT_SCALE;
	__u32 i, last = 0;

	for (i = 0; i < JP_MAX_OPPS; i++) {
		if (i >= pd->nr_opps)
			break;
		last = i;
		/* skip OPPs a faster one beats on energy, as the kernel does */
		if (pd->opps[i].inefficient)
			continue;
		if (pd->opps[i].capacity >= need)
			return i;
	}
	return last;
}

/* Energy rate of a PD (model units) for its utilization sum and maximum. */
static __always_inline __u64 jp_pd_energy(const struct jp_pd *pd, __u64 sum_util, __u64 max_util,
					  __u32 nr_idle_awake, __u32 headroom)
{
	__u32 opp = jp_pd_opp(pd, max_util, headroom);

	if (opp >= JP_MAX_OPPS || !pd->max_capacity)
		return 0;
	return pd->opps[opp].cost * sum_util / pd->max_capacity + pd->idle_cost * nr_idle_awake;
}

/* The inputs of one placement decision; the caller fills it. */
struct jp_placement {
	__u64 allowed[JP_MASK_WORDS];	/* the task's cpumask */
	__u64 idle[JP_MASK_WORDS];	/* CPUs idle now */
	__u64 idle_core[JP_MASK_WORDS]; /* CPUs whose whole core is idle */
	__s32 prev_cpu;
	__u32 pad;
	__u64 demand; /* jp_task_demand() of the task */
};

/* Utilization of a CPU as if the task (of util task_util, last on prev) moved away. */
static __always_inline __u64 jp_util_without(__u64 util, __u32 cpu, const struct jp_placement *pl)
{
	if ((__s32)cpu != pl->prev_cpu)
		return util;
	return util > pl->demand ? util - pl->demand : 0;
}

/*
 * Candidate of one PD: among allowed CPUs where the task fits, the one with
 * the most spare capacity, or with pack set the least (that still fits).
 * Returns -1 when the task fits nowhere in the PD.
 */
static __always_inline int jp_pd_candidate(const struct jp_tables *t, const struct jp_cpu_state *cs,
					   const struct jp_profile *pr,
					   const struct jp_placement *pl, __u32 pdi, __u64 now,
					   __u64 *sum_util, __u64 *max_util, __u32 *nr_idle)
{
	const struct jp_pd *pd = &t->pd[pdi & (JP_MAX_PDS - 1)];
	__s64 best_spare = -1;
	int best = -1;
	__u32 cpu;

	*sum_util = 0;
	*max_util = 0;
	*nr_idle = 0;
	for (cpu = 0; cpu < JP_MAX_CPUS; cpu++) {
		__u64 util, after;
		__s64 spare;
		__u32 cap;

		if (cpu >= t->nr_cpus)
			break;
		if (!jp_mask_test(pd->cpus, cpu))
			continue;
		util = jp_util_without(jp_util_now(cs[cpu].util, cs[cpu].last_update, now), cpu,
				       pl);
		*sum_util += util;
		if (util > *max_util)
			*max_util = util;
		if (jp_mask_test(pl->idle, cpu))
			(*nr_idle)++;
		if (!jp_mask_test(pl->allowed, cpu))
			continue;
		cap = t->cpu[cpu].capacity;
		after = util + pl->demand;
		if (!jp_fits(after, cap, pr->fit_margin))
			continue;
		spare = (__s64)cap - (__s64)after;
		if (pr->pack)
			spare = JP_CAP_SCALE - spare; /* busiest that fits wins */
		if ((__s32)cpu == pl->prev_cpu)
			spare += 1; /* ties go to the warm cache */
		if (spare > best_spare) {
			best_spare = spare;
			best = (int)cpu;
		}
	}
	return best;
}

/*
 * Energy-aware placement: the allowed CPU whose PD's energy grows least when
 * the task runs there. Returns -1 when the task fits no allowed CPU (the
 * caller then places for performance).
 */
static __always_inline int jp_select_cpu_energy(const struct jp_tables *t,
						const struct jp_cpu_state *cs,
						const struct jp_profile *pr,
						const struct jp_placement *pl, __u64 now)
{
	__u64 best_delta = ~0ULL, prev_delta = ~0ULL;
	int best = -1;
	__u32 pdi;

	for (pdi = 0; pdi < JP_MAX_PDS; pdi++) {
		const struct jp_pd *pd = &t->pd[pdi];
		__u64 sum, max, base, with, cand_util, delta;
		__u32 nr_idle, wakes;
		int cand;

		if (pdi >= t->nr_pds)
			break;
		cand = jp_pd_candidate(t, cs, pr, pl, pdi, now, &sum, &max, &nr_idle);
		if (cand < 0 || cand >= JP_MAX_CPUS)
			continue;
		cand_util = jp_util_without(jp_util_now(cs[cand].util, cs[cand].last_update, now),
					    cand, pl);
		base = jp_pd_energy(pd, sum, max, 0, pr->freq_headroom);
		if (cand_util + pl->demand > max)
			max = cand_util + pl->demand;
		/* waking an idle CPU keeps it out of deep idle: charge that */
		wakes = jp_mask_test(pl->idle, cand) ? 1 : 0;
		with = jp_pd_energy(pd, sum + pl->demand, max, wakes, pr->freq_headroom);
		delta = with > base ? with - base : 0;
		if (cand == pl->prev_cpu)
			prev_delta = delta;
		if (delta < best_delta) {
			best_delta = delta;
			best = cand;
		}
	}
	/* stay on the previous CPU unless moving saves more than 1/16 of its cost */
	if (prev_delta != ~0ULL && best != pl->prev_cpu &&
	    prev_delta - best_delta <= prev_delta / 16)
		return pl->prev_cpu;
	return best;
}

/*
 * Performance placement: score = idle full core > idle CPU > busy, then
 * capacity, then cache nearness to the previous CPU, then the previous CPU
 * itself. Returns -1 when no CPU is allowed.
 */
static __always_inline int jp_select_cpu_perf(const struct jp_tables *t,
					      const struct jp_cpu_state *cs,
					      const struct jp_placement *pl, __u64 now)
{
	__u32 prev_llc = ~0U, cpu;
	__u64 best_score = 0;
	int best = -1;

	if (pl->prev_cpu >= 0 && pl->prev_cpu < JP_MAX_CPUS)
		prev_llc = t->cpu[pl->prev_cpu].llc;
	for (cpu = 0; cpu < JP_MAX_CPUS; cpu++) {
		__u64 score, util;

		if (cpu >= t->nr_cpus)
			break;
		if (!jp_mask_test(pl->allowed, cpu))
			continue;
		score = 1;
		if (jp_mask_test(pl->idle_core, cpu))
			score += 4ULL << 40;
		else if (jp_mask_test(pl->idle, cpu))
			score += 2ULL << 40;
		score += (__u64)t->cpu[cpu].capacity << 24;
		if (t->cpu[cpu].llc == prev_llc)
			score += 1ULL << 22;
		if ((__s32)cpu == pl->prev_cpu)
			score += 1ULL << 21;
		/* among equals, the least loaded */
		util = jp_util_now(cs[cpu].util, cs[cpu].last_update, now);
		score += JP_CAP_SCALE - (util > JP_CAP_SCALE ? JP_CAP_SCALE : util);
		if (score > best_score) {
			best_score = score;
			best = (int)cpu;
		}
	}
	return best;
}

/*
 * Balancing: which PD an idle CPU of PD self should pull from. A PD's load is
 * its queued plus running tasks per unit of capacity; pull from the most
 * loaded PD if it is more loaded than self. Returns -1 for none.
 */
static __always_inline int jp_pull_pd(const struct jp_tables *t, const __u32 *nr_tasks,
				      const __u32 *pd_capacity, __u32 self)
{
	__u64 self_load, best_load = 0;
	int best = -1;
	__u32 pdi;

	if (self >= JP_MAX_PDS || !pd_capacity[self])
		return -1;
	self_load = (__u64)nr_tasks[self] * JP_CAP_SCALE * 1024 / pd_capacity[self];
	for (pdi = 0; pdi < JP_MAX_PDS; pdi++) {
		__u64 load;

		if (pdi >= t->nr_pds)
			break;
		if (pdi == self || !nr_tasks[pdi] || !pd_capacity[pdi])
			continue;
		load = (__u64)nr_tasks[pdi] * JP_CAP_SCALE * 1024 / pd_capacity[pdi];
		if (load > self_load && load > best_load) {
			best_load = load;
			best = (int)pdi;
		}
	}
	return best;
}

/* Ratios are written times 1024 (1126 = 1.1, 1280 = 1.25): integers only, for BPF. */

/* The profiles' tuning, indexed by enum joule_profile. */
#define JP_PROFILES_INIT                                                                           \
	{                                                                                          \
		/* powersave: pack, generous margins, little frequency headroom */                 \
		{1126, 1536, 1075, 1126, 1, 0, 0,                                                  \
		 0}, /* balanced: the kernel's EAS defaults (80% fit, 1.25 headroom) */            \
		{1280, 1638, 1280, 1280, 0, 0, 0,                                                  \
		 0}, /* performance: place for speed, high frequencies */                          \
		{1280, 1638, 2048, 1280, 0, 1, 0,                                                  \
		 0}, /* gaming: balanced, plus latency-critical tasks on big CPUs, short slices */ \
		{1280, 1638, 1536, 1280, 0, 0, 1, 1000000},                                        \
	}

#endif /* JOULE_POLICY_H */
