/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: where a waking task goes (least energy, or most speed).
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
 * A PD where even a CPU of util 0 would add more than the best CPU found
 * so far is passed over (jp_pd_floor, jp_pd_beaten): the choice is the
 * same, and on a machine of many like PDs few are priced in full.
 * Where that pays (domains of 8 CPUs or more: jp_views_pay), the sums and
 * the candidates come from a view of each PD (jp_pd_view) that the PD's
 * own CPUs rebuild now and then, so that a wakeup costs per PD, not per
 * CPU; the chosen CPU's own state is read fresh. The views also carry what
 * overutilization (capacity.h's rule, jp_overutilized) and the domain
 * balance need, so neither scans the CPUs either.
 */
#ifndef JOULE_POLICY_PLACEMENT_H
#define JOULE_POLICY_PLACEMENT_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

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

/* EAS energy of a PD at OPP idx whose CPUs' utilization sums to sum_util. */
static __always_inline u64 jp_pd_energy_at(const struct jp_pd *pd, u32 idx, u64 sum_util)
{
	if (idx >= JP_MAX_OPPS || !pd->max_capacity)
		return 0;
	return (pd->opps[idx].cost * sum_util) / pd->max_capacity;
}

/* EAS energy of a PD whose most utilized CPU has max_util, all sum_util. */
static __always_inline u64 jp_pd_energy(const struct jp_pd *pd, u32 max_util, u64 sum_util,
					u32 headroom)
{
	return jp_pd_energy_at(pd, jp_pd_opp_for(pd, max_util, headroom), sum_util);
}

/*
 * Does no OPP cost less than a slower one of its PD? Then the energy a PD
 * adds for a task is at least what a CPU of util 0 there would add
 * (jp_pd_floor), and energy placement may pass over a PD whose floor cannot
 * beat the best CPU found so far. Tables thinned of inefficient OPPs (the
 * model library's rule: an OPP that a faster one matches in cost goes)
 * always qualify; for any other, placement prices every PD.
 */
JP_FUNC bool jp_costs_rise(const struct jp_tables *t)
{
	u32 pd, i;

	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= t->nr_pds)
			break;
		JP_FOR(i, 1, JP_MAX_OPPS)
		{
			if (i >= t->pd[pd].nr_opps)
				break;
			if (t->pd[pd].opps[i].cost < t->pd[pd].opps[i - 1].cost)
				return false;
		}
	}
	return true;
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
	avg = jp_cpu_util_avg_at(&cs[cpu], w->now, jp_mask_test(&w->idle, cpu));
	if ((s32)cpu == w->prev_cpu)
		avg = avg > w->task_util ? avg - w->task_util : 0;
	return (u32)jp_min64(jp_max64(avg, (u64)cs[cpu].util_runnable + cs[cpu].util_pending),
			     t->cpu[cpu].capacity);
}

/*
 * Does the waking task fit a CPU at util of capacity cap? The profile's fit
 * margin on the sum; a frame thread (w->frame) in a profile with frame
 * headroom also needs a CPU at least as fast as its frame speed.
 */
static __always_inline bool jp_wake_fits(const struct jp_profile *p, const struct jp_wake *w,
					 u32 util, u32 cap)
{
	if (w->frame && p->frame_headroom && cap < w->frame_speed)
		return false;
	return jp_fits(util + w->task_util, cap, p->fit_margin);
}

/*
 * Is cpu idle, and its SMT sibling too if it has one? JP_NO_SIBLING is past
 * every CPU and counts as idle, without a branch: each branch in the loops
 * that call this doubles the states the verifier walks.
 */
static __always_inline u32 jp_whole_core_idle(const struct jp_tables *t, const struct jp_wake *w,
					      u32 cpu)
{
	u32 sib, sib_idle;

	if (cpu >= JP_MAX_CPUS)
		return 0;
	sib = t->cpu[cpu].sibling;
	sib_idle = sib >= JP_MAX_CPUS ||
		   ((w->idle.bits[(sib / 64) % JP_MASK_WORDS] >> (sib % 64)) & 1);
	return jp_mask_test(&w->idle, cpu) & sib_idle;
}

/*
 * May energy placement put the waking task on cpu, as far as frames go? A
 * frame thread in a profile with frame headroom only on a whole idle core:
 * its speed (policy/frame.h) is what its frame needs, so waiting behind
 * another task, or sharing a core with a busy SMT sibling (60% speed in the
 * simulator's models), misses the frame. In the simulator's game on the
 * SMT-paired Zen 4c model, allowing a busy sibling left 34 frames a minute
 * missed, an idle sibling alone 3. When no such core is allowed,
 * placement falls back to latency-first.
 */
static __always_inline bool jp_frame_cpu_ok(const struct jp_tables *t, const struct jp_profile *p,
					    const struct jp_wake *w, u32 cpu)
{
	if (!w->frame || !p->frame_headroom)
		return true;
	return jp_whole_core_idle(t, w, cpu);
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

/* A scan with the given sums and no candidate yet. */
static __always_inline void jp_pd_scan_start(struct jp_pd_scan *s, u64 sum_util, u32 max_util)
{
	s->sum_util = sum_util;
	s->max_util = max_util;
	s->best_cpu = JP_NO_CPU;
	s->best_util = 0;
	s->best_idle = 0;
	s->best_spare = 0;
}

/* The i-th CPU of PD d, JP_NO_CPU past its last. */
static __always_inline s32 jp_pd_cpu(const struct jp_pd *d, u32 i)
{
	if (i >= d->nr_cpus || i >= JP_MAX_PD_CPUS || d->cpus[i] >= JP_MAX_CPUS)
		return JP_NO_CPU;
	return d->cpus[i];
}

_Static_assert(JP_MAX_PDS <= 32, "jp_wake.other_pds has a bit per PD");

/* Does the hint say the task may use no CPU of PD pd? */
static __always_inline bool jp_pd_other(const struct jp_wake *w, u32 pd)
{
	return pd < 32 && ((w->other_pds >> pd) & 1);
}

/*
 * The PDs between the first and the last the hint leaves the task, as
 * [*lo, *hi) (empty if none): the loops over PDs walk those alone, so that
 * a task confined to one cluster pays no loop step for the others (in BPF
 * each is an iterator call).
 */
static __always_inline void jp_pd_reach(const struct jp_tables *t, const struct jp_wake *w, u32 *lo,
					u32 *hi)
{
	u32 n = t->nr_pds < JP_MAX_PDS ? t->nr_pds : JP_MAX_PDS;
	u64 mine = ~(u64)w->other_pds & ((1ull << n) - 1);

	*lo = 0;
	*hi = n;
	/* most tasks may run anywhere */
	if (!w->other_pds)
		return;
	*hi = 0;
	if (!mine)
		return;
	*lo = jp_lowest_bit(mine);
	*hi = 64 - (u32)__builtin_clzll(mine);
}

/*
 * Offer cpu, at util, as the PD's candidate: if the task may use it, it is
 * not prev (evaluated on its own) and the task fits; the first of equals
 * stays.
 */
static __always_inline void jp_pd_scan_consider(const struct jp_tables *t,
						const struct jp_profile *p, const struct jp_wake *w,
						struct jp_pd_scan *s, u32 cpu, u32 util)
{
	u32 cap, spare, idle;

	if (cpu >= JP_MAX_CPUS || !jp_mask_test(&w->allowed, cpu) || (s32)cpu == w->prev_cpu)
		return;
	cap = t->cpu[cpu].capacity;
	if (!jp_wake_fits(p, w, util, cap))
		return;
	spare = cap - util;
	idle = jp_mask_test(&w->idle, cpu);
	if (!jp_frame_cpu_ok(t, p, w, cpu))
		return;
	if (s->best_cpu != JP_NO_CPU &&
	    !(idle > s->best_idle || (idle == s->best_idle && spare > s->best_spare)))
		return;
	s->best_cpu = (s32)cpu;
	s->best_util = util;
	s->best_idle = idle;
	s->best_spare = spare;
}

static __always_inline void jp_pd_scan(const struct jp_tables *t, const struct jp_cpu_state *cs,
				       const struct jp_profile *p, const struct jp_wake *w, u32 pd,
				       struct jp_pd_scan *s)
{
	const struct jp_pd *d;
	u32 i;

	jp_pd_scan_start(s, 0, 0);
	if (pd >= JP_MAX_PDS)
		return;
	d = &t->pd[pd];
	JP_FOR(i, 0, JP_MAX_PD_CPUS)
	{
		s32 at = jp_pd_cpu(d, i);
		u32 cpu, util;

		if (at == JP_NO_CPU)
			break;
		cpu = (u32)at;
		util = jp_cpu_util_wake(t, cs, w, cpu);
		s->sum_util += util;
		if (util > s->max_util)
			s->max_util = util;
		jp_pd_scan_consider(t, p, w, s, cpu, util);
	}
}

/*
 * A PD as energy placement needs it, gathered over its CPUs now and then
 * (jp_pd_view_build) rather than at every wakeup: that scan made each
 * wakeup O(CPUs). The candidates are the PD's best JP_VIEW_CANDS CPUs in
 * jp_pd_scan's order (idle first, then most spare, then lowest index). A
 * wakeup takes the best of those it may use, judged on their state now, and
 * scans the PD only if none will do; from the state the view was built on,
 * the answer is jp_pd_scan's (tests/sim/test_policy_view.c checks that).
 *
 * A view built while every online CPU of its PD was idle (all_idle) stays
 * true as it ages: nothing runs there, so every CPU's average decays at the
 * same rate, and a reader scales the view's utilizations by that decay
 * since built_at (jp_view_decay). So a PD that sleeps needs no rebuilding.
 */
#define JP_VIEW_CANDS 4
_Static_assert(JP_VIEW_CANDS == 4, "jp_view_offer compares the first three keys");

struct jp_pd_view {
	u64 built_at;
	u32 all_idle; /* every online CPU of the PD was idle at built_at */
	/* over the online CPUs: what jp_overutilized and jp_balance_domains read */
	u32 online_util;
	u32 online_cap;
	u32 big_max_util; /* the most utilized online CPU of the biggest class (0: none) */
	/*
	 * Counted in the view, not in locals: a count the verifier sees
	 * compared after the loop is tracked exactly, and no two rounds of the
	 * loop looked the same to it (select_cpu went past its jump limit).
	 */
	u32 nr_online;
	u32 nr_online_idle;
	u64 sum_util;
	u32 max_util;
	u32 max_cpu;   /* the first CPU at max_util */
	u32 max2_util; /* the highest util of the other CPUs */
	u32 min_util;  /* the least: no CPU has more spare */
	u32 max_cap;
	u32 nr_cands;
	u16 cands[JP_VIEW_CANDS];
	u64 keys[JP_VIEW_CANDS]; /* their jp_cand_key() */
	struct jp_cpumask cpus;	 /* the PD's CPUs */
};

/* A candidate's rank in jp_pd_scan's order: idle first, then most spare. */
static __always_inline u64 jp_cand_key(u32 idle, u32 spare)
{
	return ((u64) !!idle << 32) | spare;
}

/*
 * Insert cpu among the candidates by rank, after its equals; drop the last.
 * The keys are in falling order, so its place is past those that rank at
 * least as high: at most three compares, as a key that gets this far ranks
 * above the fourth. (A loop cost an iterator's three kfunc calls in BPF for
 * every CPU offered.)
 */
static __always_inline void jp_view_offer(struct jp_pd_view *v, u32 cpu, u64 key)
{
	u32 j, n = v->nr_cands, at;

	/* most CPUs rank below all the candidates */
	if (n >= JP_VIEW_CANDS && key <= v->keys[JP_VIEW_CANDS - 1])
		return;
	at = 0;
	if (n > 0 && v->keys[0] >= key) {
		at = 1;
		if (n > 1 && v->keys[1] >= key) {
			at = 2;
			if (n > 2 && v->keys[2] >= key)
				at = 3;
		}
	}
	if (n < JP_VIEW_CANDS)
		v->nr_cands = n + 1;
	for (j = JP_VIEW_CANDS - 1; j > at; j--) {
		v->cands[j] = v->cands[j - 1];
		v->keys[j] = v->keys[j - 1];
	}
	v->cands[at] = (u16)cpu;
	v->keys[at] = key;
}

/* What a view is built from: the machine's state at now. */
struct jp_view_src {
	const struct jp_cpumask *idle;	 /* the CPUs idle now */
	const struct jp_cpumask *online; /* the CPUs online now */
	u64 now;
};

/* Start view v, of the state at now, with none of its PD's CPUs gathered yet. */
static __always_inline void jp_pd_view_begin(struct jp_pd_view *v, u64 now)
{
	__builtin_memset(v, 0, sizeof(*v));
	v->min_util = ~0u;
	v->built_at = now;
}

/*
 * Gather the CPUs at places [from, to) of PD pd's list into view v, from
 * their state at src->now. Returns the place after the last one gathered:
 * the PD's CPU count once its list is done (or ends early, at an entry
 * that is not a CPU). Gathered a few CPUs at a time, in any steps, a view
 * comes out as gathered in one go (the BPF scheduler's ticks gather a big
 * PD's view in steps: test_view_gathered_in_steps).
 * Inlined: a BPF call takes at most 5 arguments.
 */
static __always_inline u32 jp_pd_view_gather(const struct jp_tables *t,
					     const struct jp_cpu_state *cs,
					     const struct jp_view_src *src, u32 pd, u32 from,
					     u32 to, struct jp_pd_view *v)
{
	const struct jp_pd *d;
	u32 i;

	if (pd >= JP_MAX_PDS)
		return 0;
	d = &t->pd[pd];
	if (to > d->nr_cpus)
		to = d->nr_cpus;
	if (to > JP_MAX_PD_CPUS)
		to = JP_MAX_PD_CPUS;
	JP_FOR(i, from, to)
	{
		s32 at = jp_pd_cpu(d, i);
		u32 cpu, util, raw, cap, idle;

		if (at == JP_NO_CPU)
			return d->nr_cpus;
		cpu = (u32)at;
		idle = jp_mask_test(src->idle, cpu);
		raw = jp_cpu_util_raw_at(cs, cpu, src->now, idle);
		cap = t->cpu[cpu].capacity;
		util = raw < cap ? raw : cap;
		if (jp_mask_test(src->online, cpu)) {
			v->nr_online++;
			v->nr_online_idle += idle;
			v->online_util += raw;
			v->online_cap += cap;
			if (cap >= t->max_capacity && raw > v->big_max_util)
				v->big_max_util = raw;
			/*
			 * Only online CPUs are candidates: an offline one keeps its
			 * idle bit and its util decays to nothing, so it would rank
			 * first in a place no wakeup can use (their masks hold
			 * online CPUs only).
			 */
			jp_view_offer(v, cpu, jp_cand_key(idle, cap - util));
		}
		v->sum_util += util;
		if (i == 0 || util > v->max_util) {
			v->max2_util = v->max_util;
			v->max_util = util;
			v->max_cpu = cpu;
		} else if (util > v->max2_util) {
			v->max2_util = util;
		}
		if (util < v->min_util)
			v->min_util = util;
		if (cap > v->max_cap)
			v->max_cap = cap;
		jp_mask_set(&v->cpus, cpu);
	}
	/* a list past JP_MAX_PD_CPUS (no loader makes one) ends there */
	return to >= JP_MAX_PD_CPUS ? d->nr_cpus : from > to ? from : to;
}

/* Close view v, every CPU of its PD gathered. */
static __always_inline void jp_pd_view_end(struct jp_pd_view *v)
{
	v->all_idle = v->nr_online == v->nr_online_idle;
}

/* Gather PD pd's view from the CPUs' state at src->now, in one go. */
JP_FUNC void jp_pd_view_build(const struct jp_tables *t, const struct jp_cpu_state *cs,
			      const struct jp_view_src *src, u32 pd, struct jp_pd_view *v)
{
	jp_pd_view_begin(v, src->now);
	if (pd >= JP_MAX_PDS)
		return;
	jp_pd_view_gather(t, cs, src, pd, 0, JP_MAX_PD_CPUS, v);
	jp_pd_view_end(v);
}

/* Every PD's view, into views[0 .. t->nr_pds). */
static __always_inline void jp_pd_views_build(const struct jp_tables *t,
					      const struct jp_cpu_state *cs,
					      const struct jp_view_src *src,
					      struct jp_pd_view *views)
{
	u32 pd;

	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= t->nr_pds)
			break;
		jp_pd_view_build(t, cs, src, pd, &views[pd]);
	}
}

/*
 * How much of a view's utilization is left at now, in 1/65536: all of it,
 * unless the view was built with its whole PD idle (all_idle), whose CPUs'
 * averages have decayed since as jp_cpu_util_avg_at ages them.
 */
static __always_inline u64 jp_view_decay(const struct jp_pd_view *v, u64 now)
{
	if (!v->all_idle || now < v->built_at + JP_UTIL_MIN_WINDOW_NS)
		return 65536;
	return jp_decay(65536, now - v->built_at, JP_UTIL_HALF_LIFE_NS);
}

static __always_inline u32 jp_view_scale(u64 util, u64 decay)
{
	return (u32)((util * decay) >> 16);
}

/* The PD's view's share of the system's load (jp_overutilized), at now. */
static __always_inline void jp_sys_load_add(const struct jp_pd_view *v, u64 now,
					    struct jp_sys_load *l)
{
	u64 decay = jp_view_decay(v, now);
	u32 big = jp_view_scale(v->big_max_util, decay);

	l->util += jp_view_scale(v->online_util, decay);
	l->cap += v->online_cap;
	if (big > l->big_max_util)
		l->big_max_util = big;
}

/* jp_overutilized over the PDs' views (views[0 .. t->nr_pds)) at now. */
JP_FUNC bool jp_overutilized_views(const struct jp_tables *t, const struct jp_pd_view *views,
				   const struct jp_profile *p, u64 now)
{
	struct jp_sys_load l = {};
	u32 pd;

	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= t->nr_pds)
			break;
		jp_sys_load_add(&views[pd], now, &l);
	}
	return jp_overutilized(t, p, &l);
}

/*
 * The system's load kept per PD, so that overutilization can be refreshed a
 * few PDs at a time (jp_sys_load_keep_pd) and read in O(1)
 * (jp_sys_load_kept_over) however many PDs there are: the BPF scheduler
 * keeps two PDs a refresh, once per ms. The big CPUs' half of the rule is
 * a max over PDs; kept as the number of PDs whose busiest big CPU does not
 * fit, it is updated by one PD's change alone. Once every PD has been kept
 * at now, the answer is jp_overutilized_views's at now
 * (tests/sim/test_policy_view.c).
 */
struct jp_sys_load_kept {
	struct jp_sys_load pd[JP_MAX_PDS]; /* each PD's share when it was last kept */
	u64 util;			   /* the sums of pd[].util ... */
	u64 cap;			   /* ... and pd[].cap */
	u32 nr_unfit;			   /* PDs whose big_max_util is jp_big_unfit ... */
	u32 fit_margin;			   /* ... at this margin (the profile's can change) */
	u32 next;			   /* the PD to keep next (jp_next_pd) */
	u32 pad;
};

/* The PD at *cursor, and the cursor moved on: the PDs in turn, round and round. */
static __always_inline u32 jp_next_pd(const struct jp_tables *t, u32 *cursor)
{
	u32 pd = *cursor < t->nr_pds ? *cursor : 0;

	*cursor = pd + 1 < t->nr_pds ? pd + 1 : 0;
	return pd & (JP_MAX_PDS - 1);
}

/* nr_unfit counted again, at p's margin: when the profile has changed. */
static __always_inline void jp_sys_load_recount(const struct jp_tables *t,
						const struct jp_profile *p,
						struct jp_sys_load_kept *k)
{
	u32 pd;

	k->nr_unfit = 0;
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= t->nr_pds)
			break;
		k->nr_unfit += jp_big_unfit(t, p, k->pd[pd].big_max_util);
	}
	k->fit_margin = p->fit_margin;
}

/*
 * PD pd's share from its view v at now, in place of the one kept before.
 * Inlined: six arguments are one more than a BPF call takes.
 */
static __always_inline void jp_sys_load_keep_pd(const struct jp_tables *t,
						const struct jp_profile *p,
						struct jp_sys_load_kept *k, u32 pd,
						const struct jp_pd_view *v, u64 now)
{
	struct jp_sys_load s = {};
	struct jp_sys_load *old;

	if (k->fit_margin != p->fit_margin)
		jp_sys_load_recount(t, p, k);
	old = &k->pd[pd & (JP_MAX_PDS - 1)];
	jp_sys_load_add(v, now, &s);
	/* unsigned: a difference may wrap, the sums (never below 0) come out right */
	k->util += s.util - old->util;
	k->cap += s.cap - old->cap;
	k->nr_unfit += jp_big_unfit(t, p, s.big_max_util);
	k->nr_unfit -= jp_big_unfit(t, p, old->big_max_util);
	*old = s;
}

/* jp_overutilized on what k has kept (after jp_sys_load_keep_pd with p). */
static __always_inline bool jp_sys_load_kept_over(const struct jp_profile *p,
						  const struct jp_sys_load_kept *k)
{
	return k->nr_unfit || jp_load_over(p, k->util, k->cap);
}

/*
 * Do views pay? Per wakeup, views cost about 550 instructions a PD and a
 * scan about 70 a CPU plus 250 a PD (scripts/bench-policy-cost.sh), so with
 * PDs of 8 CPUs or more on average. Gathering them costs nothing at a
 * wakeup: each PD's own CPUs gather its view.
 */
#define JP_VIEW_MIN_PD_CPUS 8

static __always_inline bool jp_views_pay(const struct jp_tables *t)
{
	return t->nr_cpus >= JP_VIEW_MIN_PD_CPUS * t->nr_pds;
}

/* What a view can tell a wakeup about its PD's candidate. */
enum jp_view_answer {
	JP_VIEW_FOUND,	 /* s is filled, as jp_pd_scan would */
	JP_VIEW_NONE,	 /* no CPU of the PD may take the task: s has sums, no candidate */
	JP_VIEW_UNKNOWN, /* scan the PD */
};

/*
 * The view's sums as the waking task sees them: its util comes off its
 * previous CPU, as in jp_cpu_util_wake.
 */
static __always_inline void jp_view_without_task(const struct jp_tables *t,
						 const struct jp_cpu_state *cs,
						 const struct jp_pd_view *v, u64 decay,
						 const struct jp_wake *w, struct jp_pd_scan *s)
{
	u32 prev, raw, wake;

	if (w->prev_cpu < 0 || !jp_mask_test(&v->cpus, (u32)w->prev_cpu))
		return;
	prev = (u32)w->prev_cpu;
	raw = jp_cpu_util_at(t, cs, prev, jp_mask_test(&w->idle, prev), w->now);
	wake = jp_cpu_util_wake(t, cs, w, prev);
	s->sum_util = s->sum_util - jp_min64(raw, s->sum_util) + wake;
	if (prev == v->max_cpu)
		s->max_util = jp_view_scale(v->max2_util, decay);
	if (wake > s->max_util)
		s->max_util = wake;
}

/* May the task use a CPU of view v's PD? A word of its mask at a time. */
static __always_inline bool jp_view_allowed(const struct jp_tables *t, const struct jp_pd_view *v,
					    const struct jp_wake *w)
{
	u64 allowed = 0;
	u32 j;

	JP_FOR(j, 0, JP_MASK_WORDS)
	{
		if (j * 64 >= t->nr_cpus)
			break;
		allowed |= v->cpus.bits[j] & w->allowed.bits[j];
	}
	return allowed != 0;
}

/*
 * May the task use a CPU of PD pd? A PD it may not use has neither a
 * candidate nor prev: nothing to price. From the view's CPU mask, a word at
 * a time; without views, over the PD's CPU list.
 */
static __always_inline bool jp_pd_allowed(const struct jp_tables *t, const struct jp_pd_view *views,
					  const struct jp_wake *w, u32 pd)
{
	u32 j;

	if (pd >= JP_MAX_PDS)
		return false;
	if (!views) {
		JP_FOR(j, 0, JP_MAX_PD_CPUS)
		{
			s32 at = jp_pd_cpu(&t->pd[pd], j);

			if (at == JP_NO_CPU)
				break;
			if (jp_mask_test(&w->allowed, (u32)at))
				return true;
		}
		return false;
	}
	return jp_view_allowed(t, &views[pd], w);
}

/*
 * The PDs with none of the CPUs w->allowed has, a bit each: the hint
 * jp_wake.other_pds, which placement passes over without a look at their
 * views or CPUs. The BPF scheduler keeps it per task, worked out again
 * only when the task's CPUs change (ops.set_cpumask): a wakeup confined to
 * one PD of many tested each PD's mask, in BPF a call each.
 */
static __always_inline u32 jp_other_pds(const struct jp_tables *t, const struct jp_pd_view *views,
					const struct jp_wake *w)
{
	u32 pd;

	return JP_PDS_WHERE(t, pd, !jp_pd_allowed(t, views, w, pd));
}

/* jp_pd_scan's sums from a view: its own, aged by decay, the task's util off prev. */
static __always_inline void jp_pd_view_sums(const struct jp_tables *t,
					    const struct jp_cpu_state *cs,
					    const struct jp_pd_view *v, u64 decay,
					    const struct jp_wake *w, struct jp_pd_scan *s)
{
	jp_pd_scan_start(s, jp_view_scale(v->sum_util, decay), jp_view_scale(v->max_util, decay));
	jp_view_without_task(t, cs, v, decay, w, s);
}

/*
 * body for each CPU of the set whose mask word ___j is word_of (an
 * expression of ___j), lowest first, as cpu (the caller's u32): a word at a
 * time, so that CPUs outside the set cost nothing. body may return from
 * the function, but must not break out (it would leave only the inner loop).
 */
#define JP_FOR_SET_CPUS(t, word_of, cpu, body)                                                     \
	do {                                                                                       \
		u32 ___j, ___k;                                                                    \
                                                                                                   \
		JP_FOR(___j, 0, JP_MASK_WORDS)                                                     \
		{                                                                                  \
			u64 ___word;                                                               \
                                                                                                   \
			if (___j * 64 >= (t)->nr_cpus)                                             \
				break;                                                             \
			___word = (word_of);                                                       \
			if (!___word)                                                              \
				continue;                                                          \
			JP_FOR(___k, 0, 64)                                                        \
			{                                                                          \
				if (!___word)                                                      \
					break;                                                     \
				(cpu) = ___j * 64 + jp_lowest_bit(___word);                        \
				___word &= ___word - 1;                                            \
				body;                                                              \
			}                                                                          \
		}                                                                                  \
	} while (0)

/* body for each CPU of view v's PD that w's task may use (JP_FOR_SET_CPUS). */
#define JP_FOR_VIEW_ALLOWED(t, v, w, cpu, body)                                                    \
	JP_FOR_SET_CPUS(t, (v)->cpus.bits[___j] & (w)->allowed.bits[___j], cpu, body)

/*
 * jp_pd_scan's candidate alone, s's sums kept (a view's): over the CPUs of
 * view v's PD that the task may use, taken from the two masks a word at a
 * time, so that a task confined to part of a big PD does not pay for the
 * rest of it. After a view whose candidates would not do. The order is the
 * PD's list's: tables list a PD's CPUs in ascending order.
 */
static __always_inline void jp_pd_scan_cands(const struct jp_tables *t,
					     const struct jp_cpu_state *cs,
					     const struct jp_profile *p, const struct jp_wake *w,
					     const struct jp_pd_view *v, struct jp_pd_scan *s)
{
	u32 cpu;

	jp_pd_scan_start(s, s->sum_util, s->max_util);
	JP_FOR_VIEW_ALLOWED(t, v, w, cpu,
			    jp_pd_scan_consider(t, p, w, s, cpu, jp_cpu_util_wake(t, cs, w, cpu)));
}

/*
 * jp_pd_scan's candidate from a view, into s holding its sums
 * (jp_pd_view_sums): the best of the view's candidates the task may use and
 * fits, on their utilization and idle state now; the scan is left to do
 * when idle CPUs beyond the candidates could be better.
 */
static __always_inline enum jp_view_answer
jp_pd_scan_view(const struct jp_tables *t, const struct jp_cpu_state *cs,
		const struct jp_pd_view *v, u64 decay, const struct jp_profile *p,
		const struct jp_wake *w, struct jp_pd_scan *s)
{
	u32 j, idle_cands = 0;

	/* (the caller has checked that the task may use a CPU of the PD: jp_pd_allowed) */
	if (!v->nr_cands || !jp_wake_fits(p, w, jp_view_scale(v->min_util, decay), v->max_cap))
		return JP_VIEW_NONE;
	JP_FOR(j, 0, JP_VIEW_CANDS)
	{
		u32 cpu;

		if (j >= v->nr_cands)
			break;
		cpu = v->cands[j];
		idle_cands += v->keys[j] >> 32;
		/* consider would turn it down too, after its util was worked out */
		if (jp_mask_test(&w->allowed, cpu))
			jp_pd_scan_consider(t, p, w, s, cpu, jp_cpu_util_wake(t, cs, w, cpu));
	}
	/*
	 * No idle candidate will do, but idle CPUs beyond the candidates were
	 * seen: the scan finds them. Without this, a burst of wakeups within
	 * one period would pile onto the candidates it has made busy.
	 */
	if (!s->best_idle && v->nr_online_idle > idle_cands)
		return JP_VIEW_UNKNOWN;
	return s->best_cpu == JP_NO_CPU ? JP_VIEW_UNKNOWN : JP_VIEW_FOUND;
}

/*
 * The util at whose OPP an idle SMT sibling's kept request holds cpu's core
 * (0 if none): after a frame stage a CPU keeps its request when it goes
 * idle (jp_idle_keeps_request), so a task put on its sibling runs at least
 * at that stage's speed. Priced at its own util instead, a whole idle core
 * whose thread had just run a game's main or render stage looked as cheap
 * as any, and a worker put on its other thread ran at that stage's speed
 * (on the Phoenix 2 model this pricing took the game from 1.238x EAS's
 * energy to 1.226x, with the floor at 30%). The CPU
 * that keeps the request is no such cost: the task's own request replaces
 * it. (A request kept past JP_KEPT_REQUEST_NS has been given up, which the
 * CPU's state does not tell: such a sibling is priced too high.)
 */
static __always_inline u32 jp_sibling_kept_util(const struct jp_tables *t,
						const struct jp_cpu_state *cs,
						const struct jp_profile *p, const struct jp_wake *w,
						u32 cpu)
{
	u32 sib, s, keeps;

	if (cpu >= JP_MAX_CPUS)
		return 0;
	/*
	 * Without branches (JP_NO_SIBLING: none): each doubled the verifier's
	 * paths. The last two terms are jp_idle_keeps_request, written out:
	 * called, even in a branch-free form, it cost 8,000 more verified
	 * instructions (select_cpu and enqueue, 7.2).
	 */
	sib = t->cpu[cpu].sibling;
	s = sib % JP_MAX_CPUS;
	keeps = (sib < JP_MAX_CPUS) & (u32)((w->idle.bits[s / 64] >> (s % 64)) & 1) &
		(p->frame_headroom != 0) & (cs[s].frame != 0);
	return keeps * jp_frame_util(cs[s].frame_speed, p->headroom);
}

/*
 * Energy the PD would add if a CPU at cpu_util took the waking task; before
 * is jp_pd_energy() of the PD as it is, the same for each of its CPUs. A
 * frame thread's PD runs at least at the OPP of its frame speed, and any
 * task's at least at kept_util's, that of the request its idle SMT sibling
 * keeps (jp_sibling_kept_util; 0 for none).
 */
static __always_inline u64 jp_pd_delta(const struct jp_pd *d, const struct jp_pd_scan *s,
				       u64 before, u32 cpu_util, u32 cap,
				       const struct jp_profile *p, const struct jp_wake *w,
				       u32 kept_util)
{
	u32 new_util = (u32)jp_min64(cpu_util + w->task_util, cap);
	u32 new_max = new_util > s->max_util ? new_util : s->max_util;
	u64 new_sum = s->sum_util + (new_util - cpu_util);
	u64 after;

	if (w->frame && p->frame_headroom)
		new_max = (u32)jp_max64(new_max, jp_frame_util(w->frame_speed, p->headroom));
	new_max = new_max > kept_util ? new_max : kept_util;
	after = jp_pd_energy(d, new_max, new_sum, p->headroom);

	return after > before ? after - before : 0;
}

/* What placing the task in one PD would cost: its best CPU and the deltas. */
struct jp_pd_eval {
	s32 cand_cpu; /* best CPU of the PD other than prev, JP_NO_CPU if none */
	s32 prev_cpu; /* prev_cpu if it is in this PD and the task fits it, else JP_NO_CPU */
	/*
	 * Energy added on cand_cpu. On the way in, the least added by any CPU
	 * of the PDs priced so far (~0: none): a PD that cannot beat it
	 * (jp_pd_beaten) is not priced, and has neither CPU.
	 */
	u64 cand_delta;
	u64 prev_delta; /* energy added on prev_cpu */
};

/*
 * The least energy PD d can add for the task, its CPUs' utilization at
 * max_util and sum_util now, at OPP idx (energy before): what a CPU of
 * util 0 would add. Any CPU of d puts d's most utilized CPU at max_util or
 * the task's util or more, so d at that OPP or faster, and with costs that
 * rise with the OPP (t->costs_rise) each unit of d's utilization costs at
 * least as much; a CPU the task fits takes all of its util when the fit
 * margin is at least 1, as in every profile (jp_pd_beaten checks both).
 */
static __always_inline u64 jp_pd_floor(const struct jp_pd *d, const struct jp_profile *p,
				       const struct jp_wake *w, u32 idx, u32 max_util, u64 sum_util,
				       u64 before)
{
	u64 after;

	if (w->task_util > max_util)
		idx = jp_pd_opp_for(d, w->task_util, p->headroom);
	after = jp_pd_energy_at(d, idx, sum_util + w->task_util);
	return after > before ? after - before : 0;
}

/*
 * A floor below jp_pd_floor's, before d's state is read: the task's util at
 * d's lowest OPP.
 */
static __always_inline u64 jp_pd_floor_lowest(const struct jp_pd *d, const struct jp_wake *w)
{
	return jp_pd_energy_at(d, 0, w->task_util);
}

/*
 * Can no CPU of a PD whose floor (jp_pd_floor) is floor beat bound, the
 * least energy added so far? PDs are priced in order, so on a tie prev,
 * which wins ties, may still beat bound (prev_here: prev is in the PD),
 * and the PD's other CPUs may not. On a machine of many like PDs most are
 * passed over: like PDs at the same OPP tie.
 */
static __always_inline bool jp_pd_beaten(const struct jp_tables *t, const struct jp_profile *p,
					 u64 floor, u64 bound, bool prev_here)
{
	if (!t->costs_rise || p->fit_margin < JP_SCALE)
		return false;
	return floor > bound || (floor == bound && !prev_here);
}

/* Might prev, in PD pd, win a tie there (jp_pd_beaten)? */
static __always_inline bool jp_prev_in_pd(const struct jp_tables *t, const struct jp_wake *w,
					  u32 pd)
{
	return w->prev_cpu >= 0 && w->prev_cpu < JP_MAX_CPUS && (u32)w->prev_cpu < t->nr_cpus &&
	       t->cpu[w->prev_cpu].pd == pd;
}

/*
 * Is PD pd worth pricing for the waking task: may it use a CPU there
 * (jp_pd_allowed), and could one beat bound, the least energy added so
 * far? Even at its lowest OPP a PD adds the task's util priced there, so a
 * PD whose lowest OPP already loses is passed over before its view or its
 * CPUs are read: on a mostly idle machine of like PDs, most of them.
 */
static __always_inline bool jp_pd_worth_pricing(const struct jp_tables *t,
						const struct jp_pd_view *views,
						const struct jp_profile *p, const struct jp_wake *w,
						u32 pd, u64 bound)
{
	if (pd >= JP_MAX_PDS || !jp_pd_allowed(t, views, w, pd))
		return false;
	return !jp_pd_beaten(t, p, jp_pd_floor_lowest(&t->pd[pd], w), bound,
			     jp_prev_in_pd(t, w, pd));
}

/* As JP_PD_EVALUATE: in BPF, one global function on the PDs' views. */
#ifndef JP_PD_WORTH_PRICING
#define JP_PD_WORTH_PRICING(t, views, p, w, pd, bound)                                             \
	jp_pd_worth_pricing(t, views, p, w, pd, bound)
#endif

/* Evaluate one PD for jp_select_cpu_energy, from views[pd] if views. */
static __always_inline void jp_pd_evaluate(const struct jp_tables *t, const struct jp_cpu_state *cs,
					   const struct jp_pd_view *views,
					   const struct jp_profile *p, const struct jp_wake *w,
					   u32 pd, struct jp_pd_eval *e)
{
	u64 bound = e->cand_delta, before, decay = 0;
	struct jp_pd_scan s;
	const struct jp_pd *d;
	bool prev_here;
	u32 idx;

	e->cand_cpu = JP_NO_CPU;
	e->prev_cpu = JP_NO_CPU;
	e->cand_delta = ~0ull;
	e->prev_delta = ~0ull;
	if (pd >= JP_MAX_PDS)
		return;
	d = &t->pd[pd];
	if (views) {
		decay = jp_view_decay(&views[pd], w->now);
		jp_pd_view_sums(t, cs, &views[pd], decay, w, &s);
	} else {
		jp_pd_scan(t, cs, p, w, pd, &s);
	}
	idx = jp_pd_opp_for(d, s.max_util, p->headroom);
	before = jp_pd_energy_at(d, idx, s.sum_util);
	prev_here = jp_prev_in_pd(t, w, pd) && jp_mask_test(&w->allowed, w->prev_cpu);
	if (jp_pd_beaten(t, p, jp_pd_floor(d, p, w, idx, s.max_util, s.sum_util, before), bound,
			 prev_here))
		return;
	if (views && jp_pd_scan_view(t, cs, &views[pd], decay, p, w, &s) == JP_VIEW_UNKNOWN)
		jp_pd_scan_cands(t, cs, p, w, &views[pd], &s);
	if (prev_here) {
		u32 prev = (u32)w->prev_cpu & (JP_MAX_CPUS - 1);
		u32 util = jp_cpu_util_wake(t, cs, w, prev);
		u32 cap = t->cpu[prev].capacity;

		if (jp_wake_fits(p, w, util, cap) && jp_frame_cpu_ok(t, p, w, prev)) {
			e->prev_cpu = (s32)prev;
			e->prev_delta = jp_pd_delta(d, &s, before, util, cap, p, w,
						    jp_sibling_kept_util(t, cs, p, w, prev));
		}
	}
	if (s.best_cpu == JP_NO_CPU || (u32)s.best_cpu >= JP_MAX_CPUS)
		return;
	e->cand_cpu = s.best_cpu;
	e->cand_delta = jp_pd_delta(d, &s, before, s.best_util, t->cpu[s.best_cpu].capacity, p, w,
				    jp_sibling_kept_util(t, cs, p, w, (u32)s.best_cpu));
}

/*
 * JP_PD_EVALUATE is how jp_select_cpu_energy evaluates a PD. The BPF
 * scheduler points it at a global (separately verified) function that calls
 * jp_pd_evaluate, so the verifier checks the per-PD work once instead of once
 * per PD of the loop; elsewhere it is jp_pd_evaluate itself.
 */
#ifndef JP_PD_EVALUATE
#define JP_PD_EVALUATE(t, cs, views, p, w, pd, e) jp_pd_evaluate(t, cs, views, p, w, pd, e)
#endif

/*
 * Energy-aware placement. Returns the CPU adding the least energy among the
 * allowed CPUs where the task fits, preferring prev_cpu on a tie, or
 * JP_NO_CPU when it fits nowhere (the caller then uses jp_select_cpu_perf).
 * views: every PD's jp_pd_view, or NULL to scan every PD's CPUs.
 */
JP_FUNC s32 jp_select_cpu_energy(const struct jp_tables *t, const struct jp_cpu_state *cs,
				 const struct jp_pd_view *views, const struct jp_profile *p,
				 const struct jp_wake *w)
{
	struct jp_pd_eval e;
	u64 best_delta = ~0ull;
	s32 best = JP_NO_CPU;
	u32 pd, lo, hi;

	jp_pd_reach(t, w, &lo, &hi);
	JP_FOR(pd, lo, hi)
	{
		if (pd >= JP_MAX_PDS)
			break;
		/* not inside the evaluation: in BPF, a call per PD (a task confined to one paid for
		 * all) */
		if (jp_pd_other(w, pd) || !JP_PD_WORTH_PRICING(t, views, p, w, pd, best_delta))
			continue;
		e.cand_delta = best_delta;
		JP_PD_EVALUATE(t, cs, views, p, w, pd, &e);
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
 * importance: idle > busy; as fast as a frame thread's speed (w->frame_speed,
 * 0 for other tasks: every CPU is) > slower; whole core (sibling idle too) >
 * SMT thread; capacity (busy CPUs: spare capacity); cache nearness to prev.
 */
static __always_inline u64 jp_perf_rank(const struct jp_tables *t, const struct jp_cpu_state *cs,
					const struct jp_wake *w, u32 cpu)
{
	u64 idle, whole, fast, cap;

	if (cpu >= JP_MAX_CPUS)
		return 0;
	cap = t->cpu[cpu].capacity;
	/* cap >= frame_speed, without a branch: one would double the verifier's paths */
	fast = ((u64)w->frame_speed - cap - 1) >> 63;
	idle = jp_mask_test(&w->idle, cpu);
	whole = jp_whole_core_idle(t, w, cpu);
	if (!idle) {
		u32 util = jp_cpu_util(&cs[cpu]);

		cap = util < cap ? cap - util : 0;
	}
	return (idle << 42) | (fast << 41) | (whole << 40) | (cap << 8) |
	       jp_cache_near(t, cpu, w->prev_cpu);
}

/*
 * Make cpu the best so far if it ranks above *best_rank (jp_perf_rank + 1,
 * so that 0 is "none yet"): a first of equals stays.
 */
static __always_inline void jp_rank_keep(const struct jp_tables *t, const struct jp_cpu_state *cs,
					 const struct jp_wake *w, u32 cpu, s32 *best,
					 u64 *best_rank)
{
	u64 rank = jp_perf_rank(t, cs, w, cpu) + 1;

	if (rank > *best_rank) {
		*best_rank = rank;
		*best = (s32)cpu;
	}
}

/*
 * The best-ranked (jp_perf_rank) allowed CPU, among the idle ones alone if
 * idle_only, JP_NO_CPU if none; CPUs are visited in order, so the first of
 * equals stays. Only the CPUs asked about are ranked: a word with none is
 * passed over whole, and the others are tested a bit at a time (the
 * verifier would not follow a loop that clears bits), so a task confined
 * to a few CPUs of many does not pay for the others.
 */
static __always_inline s32 jp_select_cpu_perf_in(const struct jp_tables *t,
						 const struct jp_cpu_state *cs,
						 const struct jp_wake *w, bool idle_only)
{
	u64 best_rank = 0, only = idle_only ? 0 : ~0ull;
	s32 best = JP_NO_CPU;
	u32 i, k;

	JP_FOR(i, 0, JP_MASK_WORDS)
	{
		u64 word = (w->idle.bits[i] | only) & w->allowed.bits[i];

		if (i * 64 >= t->nr_cpus)
			break;
		if (!word)
			continue;
		JP_FOR(k, 0, 64)
		{
			u32 cpu = i * 64 + k;

			if (!(word >> k) || cpu >= t->nr_cpus)
				break;
			if ((word >> k) & 1)
				jp_rank_keep(t, cs, w, cpu, &best, &best_rank);
		}
	}
	return best;
}

/* As JP_PD_EVALUATE: the BPF scheduler verifies this part on its own. */
#ifndef JP_SELECT_CPU_PERF_IN
#define JP_SELECT_CPU_PERF_IN(t, cs, w, idle_only) jp_select_cpu_perf_in(t, cs, w, idle_only)
#endif

/*
 * Latency-first placement; JP_NO_CPU only if no CPU is allowed. An idle CPU
 * outranks every busy one, so when one is allowed the answer is among them.
 */
JP_FUNC s32 jp_select_cpu_perf(const struct jp_tables *t, const struct jp_cpu_state *cs,
			       const struct jp_wake *w)
{
	s32 best = JP_SELECT_CPU_PERF_IN(t, cs, w, true);

	if (best != JP_NO_CPU)
		return best;
	return JP_SELECT_CPU_PERF_IN(t, cs, w, false);
}

/*
 * PD pd's best-ranked CPU the task may use when none it may use is idle,
 * from the PD's view v, JP_NO_CPU if none (the mask tells first): its
 * first candidate the task may use, else its allowed CPUs ranked
 * (JP_FOR_VIEW_ALLOWED: the PD's CPUs the task may not use cost nothing). The
 * candidates are the PD's CPUs of most spare capacity, best first, and a
 * busy CPU's rank is its spare capacity (then the frame speed it meets and
 * its nearness to prev), so from a view of the state now the first allowed
 * candidate has the PD's best spare capacity among the allowed CPUs.
 */
static __always_inline s32 jp_perf_pd_best(const struct jp_tables *t, const struct jp_cpu_state *cs,
					   const struct jp_pd_view *v, const struct jp_wake *w,
					   u32 pd)
{
	u64 best_rank = 0;
	s32 best = JP_NO_CPU;
	u32 j, cpu;

	if (pd >= JP_MAX_PDS || !jp_view_allowed(t, v, w))
		return JP_NO_CPU;
	JP_FOR(j, 0, JP_VIEW_CANDS)
	{
		if (j >= v->nr_cands)
			break;
		if (jp_mask_test(&w->allowed, v->cands[j]))
			return v->cands[j];
	}
	JP_FOR_VIEW_ALLOWED(t, v, w, cpu, jp_rank_keep(t, cs, w, cpu, &best, &best_rank));
	return best;
}

/* As JP_PD_EVALUATE: the BPF scheduler reads the PD's own view. */
#ifndef JP_PERF_PD_BEST
#define JP_PERF_PD_BEST(t, cs, views, w, pd) jp_perf_pd_best(t, cs, &(views)[pd], w, pd)
#endif

/*
 * Does every cluster lie within one LLC? Then a CPU shares a cluster with
 * prev only if it shares prev's LLC too, and jp_cache_near never tells
 * apart two CPUs of one LLC by their clusters. (The topology reader makes
 * a cluster of each L2: per core on most machines.) O(CPUs^2), at init.
 */
JP_FUNC bool jp_clusters_nest(const struct jp_tables *t)
{
	u32 a, b;

	JP_FOR(a, 0, JP_MAX_CPUS)
	{
		if (a >= t->nr_cpus)
			break;
		JP_FOR(b, a + 1, JP_MAX_CPUS)
		{
			if (b >= t->nr_cpus)
				break;
			if (t->cpu[a].cluster == t->cpu[b].cluster &&
			    t->cpu[a].llc != t->cpu[b].llc)
				return false;
		}
	}
	return true;
}

/*
 * The PDs whose CPUs rank alike for latency-first placement (jp_perf_rank)
 * but for their idle state, their core's and being prev: one capacity and
 * one LLC, and one cluster unless clusters nest in LLCs (jp_clusters_nest).
 * A bit each; worked out with costs_rise, by BPF init and sim_soc_to_tables.
 */
JP_FUNC u32 jp_pds_rank_alike(const struct jp_tables *t)
{
	u32 alike = (1u << JP_MAX_PDS) - 1, cpu;
	bool nest = jp_clusters_nest(t);

	JP_FOR(cpu, 0, JP_MAX_CPUS)
	{
		const struct jp_cpu_info *c, *first;
		u32 pd, at;

		if (cpu >= t->nr_cpus)
			break;
		c = &t->cpu[cpu];
		pd = c->pd;
		if (pd >= JP_MAX_PDS)
			continue;
		at = t->pd[pd].cpus[0];
		if (!t->pd[pd].nr_cpus || at >= JP_MAX_CPUS) {
			alike &= ~(1u << pd);
			continue;
		}
		first = &t->cpu[at];
		if (c->capacity != first->capacity || c->llc != first->llc ||
		    (!nest && c->cluster != first->cluster))
			alike &= ~(1u << pd);
	}
	return alike;
}

/* The best CPU so far of a latency-first placement, and its rank + 1 (0: none yet). */
struct jp_perf_pick {
	s64 cpu;
	u64 rank;
};

/*
 * Keep cpu in pick if it ranks above the CPU there, or alike with a lower
 * number: of equals the lowest stays, whatever order they come in, as in
 * a walk over every CPU in turn (jp_rank_keep).
 */
static __always_inline void jp_pick_lowest(const struct jp_tables *t, const struct jp_cpu_state *cs,
					   const struct jp_wake *w, u32 cpu,
					   struct jp_perf_pick *pick)
{
	u64 rank = jp_perf_rank(t, cs, w, cpu) + 1;

	if (rank > pick->rank || (rank == pick->rank && (s64)cpu < pick->cpu)) {
		pick->rank = rank;
		pick->cpu = cpu;
	}
}

/*
 * Offer PD pd's idle CPUs that the task may use to pick, from its CPU mask
 * cpus (a view's, or the PD's own) and the idle mask now, lowest first. In a PD whose CPUs rank
 * alike (jp_pds_rank_alike) no CPU after the first whole idle core ranks
 * higher, unless it is prev: the walk stops there, and prev is offered on
 * its own. On a mostly idle machine that is the PD's first idle CPU;
 * ranking every idle CPU made latency-first placement O(CPUs).
 */
static __always_inline void jp_perf_pd_idle(const struct jp_tables *t,
					    const struct jp_cpu_state *cs,
					    const struct jp_cpumask *cpus, const struct jp_wake *w,
					    u32 pd, struct jp_perf_pick *pick)
{
	bool alike = pd < JP_MAX_PDS && ((t->pds_rank_alike >> pd) & 1);
	u32 cpu, prev = (u32)w->prev_cpu;

	if (w->prev_cpu >= 0 && prev < JP_MAX_CPUS && jp_mask_test(cpus, prev) &&
	    jp_mask_test(&w->allowed, prev) && jp_mask_test(&w->idle, prev))
		jp_pick_lowest(t, cs, w, prev, pick);
	JP_FOR_SET_CPUS(t, cpus->bits[___j] & w->allowed.bits[___j] & w->idle.bits[___j], cpu, {
		jp_pick_lowest(t, cs, w, cpu, pick);
		if (alike && jp_whole_core_idle(t, w, cpu))
			return;
	});
}

/* As JP_PERF_PD_BEST. */
#ifndef JP_PERF_PD_IDLE
#define JP_PERF_PD_IDLE(t, cs, views, w, pd, pick)                                                 \
	jp_perf_pd_idle(t, cs, &(views)[pd].cpus, w, pd, pick)
#endif

/*
 * Latency-first placement among the idle CPUs the task may use, on the
 * PDs' views: each PD's best (jp_perf_pd_idle), which is what ranking
 * every idle allowed CPU chooses. JP_NO_CPU if none is idle.
 */
static __always_inline s32 jp_select_cpu_perf_idle_on(const struct jp_tables *t,
						      const struct jp_cpu_state *cs,
						      const struct jp_pd_view *views,
						      const struct jp_wake *w)
{
	struct jp_perf_pick pick = {.cpu = JP_NO_CPU};
	u32 pd, lo, hi, j;
	u64 idle = 0;

	/* with none idle (a busy machine), a word of each mask is all it costs */
	JP_FOR(j, 0, JP_MASK_WORDS)
	{
		if (j * 64 >= t->nr_cpus)
			break;
		idle |= w->idle.bits[j] & w->allowed.bits[j];
	}
	if (!idle)
		return JP_NO_CPU;
	jp_pd_reach(t, w, &lo, &hi);
	JP_FOR(pd, lo, hi)
	{
		if (pd >= JP_MAX_PDS)
			break;
		if (!jp_pd_other(w, pd))
			JP_PERF_PD_IDLE(t, cs, views, w, pd, &pick);
	}
	return (s32)pick.cpu;
}

/* May the task use more than n CPUs (of a machine of nr_cpus)? */
static __always_inline bool jp_allowed_more_than(const struct jp_wake *w, u32 nr_cpus, u32 n)
{
	u32 j, seen = 0;

	JP_FOR(j, 0, JP_MASK_WORDS)
	{
		if (j * 64 >= nr_cpus || seen > n)
			break;
		seen += jp_popcount(w->allowed.bits[j]);
	}
	return seen > n;
}

/*
 * Latency-first placement on the PDs' views (views non-NULL): with no
 * allowed CPU idle, prev and each PD's best CPU (jp_perf_pd_best) ranked,
 * O(PDs), not every allowed CPU. On a busy machine each wakeup ranked all
 * of them: with 64 vCPUs busy, select_cpu cost 6.6x what prev alone did
 * (docs/performance.md, "Latency-first placement on a busy machine"). A
 * task that may use no more CPUs than there are PDs has them ranked.
 */
JP_FUNC s32 jp_select_cpu_perf_on(const struct jp_tables *t, const struct jp_cpu_state *cs,
				  const struct jp_pd_view *views, const struct jp_wake *w)
{
	bool many = views && jp_allowed_more_than(w, t->nr_cpus, t->nr_pds);
	u64 best_rank = 0;
	u32 pd, lo, hi;
	s32 best, cpu;

	best = many ? jp_select_cpu_perf_idle_on(t, cs, views, w)
		    : JP_SELECT_CPU_PERF_IN(t, cs, w, true);
	if (best != JP_NO_CPU)
		return best;
	if (!many)
		return JP_SELECT_CPU_PERF_IN(t, cs, w, false);
	if (w->prev_cpu >= 0 && w->prev_cpu < JP_MAX_CPUS && (u32)w->prev_cpu < t->nr_cpus &&
	    jp_mask_test(&w->allowed, (u32)w->prev_cpu))
		jp_rank_keep(t, cs, w, (u32)w->prev_cpu, &best, &best_rank);
	jp_pd_reach(t, w, &lo, &hi);
	JP_FOR(pd, lo, hi)
	{
		if (pd >= JP_MAX_PDS)
			break;
		if (jp_pd_other(w, pd))
			continue;
		cpu = JP_PERF_PD_BEST(t, cs, views, w, pd);
		if (cpu >= 0 && cpu < JP_MAX_CPUS)
			jp_rank_keep(t, cs, w, (u32)cpu, &best, &best_rank);
	}
	return best;
}

/*
 * Energy placement for this wakeup? When the profile is energy-aware and the
 * system is not overutilized, except for a latency-critical task in a
 * profile that places those latency-first (gaming: issue 4 gives them big
 * cores). In the simulator's game that costs 0-3% of the energy: they are
 * short, and the big CPUs they wake on are otherwise at low OPPs.
 */
static __always_inline bool jp_wake_energy_aware(const struct jp_profile *p,
						 const struct jp_wake *w)
{
	if (!p->energy_aware || w->overutilized)
		return false;
	return !(w->lat_crit && p->lat_crit_perf);
}

/*
 * Full wakeup decision for a profile: energy placement where
 * jp_wake_energy_aware says so, else (or if the task fits nowhere) latency-first.
 */
JP_FUNC s32 jp_select_cpu(const struct jp_tables *t, const struct jp_cpu_state *cs,
			  const struct jp_pd_view *views, const struct jp_profile *p,
			  const struct jp_wake *w)
{
	s32 cpu = JP_NO_CPU;

	if (jp_wake_energy_aware(p, w))
		cpu = jp_select_cpu_energy(t, cs, views, p, w);
	if (cpu == JP_NO_CPU)
		cpu = jp_select_cpu_perf_on(t, cs, views, w);
	return cpu;
}

#endif /* JOULE_POLICY_PLACEMENT_H */
