/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: balancing work between performance domains.
 *
 * Load balance between domains: PD p's fair share of the total utilization U
 * is U * cap(p) / sum(cap), over online CPUs only. The most over-loaded PD with
 *   util(p) * 1024 > share(p) * (1024 + imbalance)
 * gives work to the most under-loaded PD (largest share - util).
 *
 * With every CPU busy, each PD's utilization equals its capacity however many
 * tasks wait, so the balance above sees nothing. Then tasks are counted:
 *   load(p) = (busy CPUs(p) + queued(p)) * 2^20 / online capacity(p)
 * and a CPU of PD s first takes a queued task from the PD, every CPU of it
 * busy, with the highest load(p) > load(s) * (1024 + imbalance) / 1024. The hogs then settle where
 * moving one more would not lower the larger of the two loads.
 */
#ifndef JOULE_POLICY_BALANCE_H
#define JOULE_POLICY_BALANCE_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

struct jp_balance {
	s32 src_pd; /* over its share, JP_NO_PD if none */
	s32 dst_pd; /* under its share, JP_NO_PD if none */
	u32 excess; /* util src_pd carries above its share */
	u32 pad;
};

/*
 * Each PD's utilization and capacity over its online CPUs, as a balance
 * reads them: from the PDs' views (jp_pd_utils_add), never CPU by CPU.
 */
struct jp_pd_utils {
	u64 util[JP_MAX_PDS];
	u64 cap[JP_MAX_PDS];
	u64 total_util;
	u64 total_cap;
};

static __always_inline void jp_pd_utils_add(struct jp_pd_utils *u, u32 pd,
					    const struct jp_pd_view *v, u64 now)
{
	u64 util = jp_view_scale(v->online_util, jp_view_decay(v, now));

	if (pd >= JP_MAX_PDS)
		return;
	u->util[pd] = util;
	u->cap[pd] = v->online_cap;
	u->total_util += util;
	u->total_cap += v->online_cap;
}

/*
 * Which PD is over its capacity-proportional share of the total util and
 * which is under, counting the online CPUs alone: an offline CPU's capacity
 * in its PD's share made a PD with CPUs offline look under-loaded, and the
 * others over theirs, so idle CPUs pulled work the wrong way. Returns true
 * when src and dst both exist.
 */
JP_FUNC bool jp_balance_from(const struct jp_tables *t, const struct jp_profile *p,
			     const struct jp_pd_utils *u, struct jp_balance *b)
{
	u64 worst_over = 0, worst_under = 0;
	u32 pd;

	b->src_pd = JP_NO_PD;
	b->dst_pd = JP_NO_PD;
	b->excess = 0;
	b->pad = 0;
	if (!u->total_cap)
		return false;
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		u64 share, util;

		if (pd >= t->nr_pds)
			break;
		util = u->util[pd];
		share = (u->total_util * u->cap[pd]) / u->total_cap;
		if (util * JP_SCALE > share * (JP_SCALE + p->imbalance) &&
		    util - share > worst_over) {
			worst_over = util - share;
			b->src_pd = (s32)pd;
		}
		if (share > util && share - util > worst_under) {
			worst_under = share - util;
			b->dst_pd = (s32)pd;
		}
	}
	b->excess = (u32)jp_min64(worst_over, ~0u);
	return b->src_pd != JP_NO_PD && b->dst_pd != JP_NO_PD;
}

/* jp_balance_from over the PDs' views (views[0 .. t->nr_pds)) at now. */
JP_FUNC bool jp_balance_domains(const struct jp_tables *t, const struct jp_pd_view *views,
				const struct jp_profile *p, u64 now, struct jp_balance *b)
{
	struct jp_pd_utils u = {};
	u32 pd;

	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= t->nr_pds)
			break;
		jp_pd_utils_add(&u, pd, &views[pd], now);
	}
	return jp_balance_from(t, p, &u, b);
}

struct jp_pd_load {
	u32 busy;     /* online CPUs of the PD running something */
	u32 queued;   /* tasks waiting in the PD's queue */
	u32 capacity; /* sum of the PD's online CPUs' capacities */
	u32 online;   /* the PD's online CPUs */
};

/*
 * Each PD's online capacity, into cap[pd]: what jp_pd_loads needs and cannot
 * read from masks. O(CPUs), so callers do it when the online mask changes.
 * Summed apart and stored once per PD: a dispatch reading cap meanwhile
 * sees a PD's old or new sum, never a 0 or a partial one (a 0 for its own
 * PD would let it pull from any busy PD).
 */
JP_FUNC void jp_pd_online_capacity(const struct jp_tables *t, const struct jp_cpumask *online,
				   u32 *cap)
{
	u32 sum[JP_MAX_PDS] = {0};
	u32 c, pd;

	JP_FOR(c, 0, JP_MAX_CPUS)
	{
		if (c >= t->nr_cpus)
			break;
		if (jp_mask_test(online, c))
			sum[t->cpu[c].pd & (JP_MAX_PDS - 1)] += t->cpu[c].capacity;
	}
	JP_FOR(pd, 0, JP_MAX_PDS)
	cap[pd] = sum[pd];
}

/*
 * Each PD's busy and online CPUs and capacity (queued is the caller's), and
 * as the result the PDs with an idle online CPU. A dispatch does this, so
 * it counts whole mask words, PD by PD (pd_cpus[pd]: the PD's CPUs), in
 * O(PDs x words) rather than a look at every CPU; cap is
 * jp_pd_online_capacity's. words: the mask words holding the machine's CPUs.
 * Inlined: a BPF function takes at most 5 arguments (the scheduler calls it
 * from a global function of its own, verified once).
 */
static __always_inline u32 jp_pd_loads(const struct jp_tables *t, const struct jp_cpumask *pd_cpus,
				       const struct jp_cpumask *online,
				       const struct jp_cpumask *idle, const u32 *cap, u32 words,
				       struct jp_pd_load *loads)
{
	u32 pd, i, idle_pds = 0;

	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		u32 on = 0, busy = 0;

		if (pd >= t->nr_pds)
			break;
		JP_FOR(i, 0, JP_MASK_WORDS)
		{
			u64 word;

			if (i >= words)
				break;
			word = pd_cpus[pd].bits[i] & online->bits[i];
			on += jp_popcount(word);
			busy += jp_popcount(word & ~idle->bits[i]);
		}
		loads[pd].online = on;
		loads[pd].busy = busy;
		loads[pd].capacity = cap[pd];
		if (busy < on)
			idle_pds |= 1u << pd;
	}
	return idle_pds;
}

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

#endif /* JOULE_POLICY_BALANCE_H */
