/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * scx_joule policy: what a CPU runs next (ops.dispatch).
 *
 * Tasks wait in one queue per performance domain. A CPU asking for work gets
 * a plan, the sources to try in order; the caller takes the first that
 * yields a task (a queue found empty, a race, passes to the next):
 *   1. the domain jp_overloaded_pd names (every CPU busy, more tasks per
 *      unit of capacity than here), unless the own queue waited too long:
 *      its tasks would wait for as long as another domain stayed busier;
 *   2. the own domain's queue, unless the task whose slice ended is still
 *      runnable, need not move up to an idle bigger CPU, and comes before
 *      the queue's head in vtime: the kernel asks for work before it puts
 *      that task back, so taken from the queue it would wait for another
 *      CPU's slice to end however far behind it was (a nice -20 task among
 *      nice-0 hogs got 65% of a CPU, where EEVDF gives it the whole);
 *   3. the task whose slice ended, if it is still runnable and need not move
 *      up to an idle bigger CPU: a busy CPU stops here, since pulling at
 *      every slice end would drain a bigger domain's queue into a smaller
 *      one (taking from elsewhere was step 1's call);
 *   4. going idle: the domain jp_balance_domains finds over its share,
 *   5. then any other domain with queued tasks: an idle CPU never leaves a
 *      task waiting.
 * Steps 4 and 5 respect jp_pd_may_pull.
 */
#ifndef JOULE_POLICY_DISPATCH_H
#define JOULE_POLICY_DISPATCH_H

#ifndef JOULE_POLICY_H
#error "include policy.h: it includes the policy headers in dependency order"
#endif

enum jp_dispatch_kind {
	JP_DISPATCH_PULL = 1, /* move a task from domain pd's queue */
	JP_DISPATCH_OWN,      /* move a task from the own domain's queue */
	JP_DISPATCH_KEEP,     /* give the previous task a new slice */
};

/* What dispatch knows when it decides; the caller gathers it. */
struct jp_dispatch_in {
	u32 self;		/* the asking CPU's domain */
	u32 idle_pds;		/* bit p: domain p has an idle online CPU */
	u32 queued[JP_MAX_PDS]; /* tasks waiting per domain */
	s32 overloaded;		/* jp_overloaded_pd(), JP_NO_PD if none */
	s32 balance_src;	/* jp_balance_domains() src_pd, JP_NO_PD if none */
	u8 own_due;		/* the own queue waited too long to be passed over */
	u8 prev_runnable;	/* the task whose slice ended wants to run on */
	u8 prev_misfit_up;	/* ... but is a misfit due to be placed (jp_misfit_move_due)
				   and a bigger CPU is idle */
	u8 prev_first;		/* ... and its vtime is before that of the own queue's head */
};

struct jp_dispatch_step {
	u8 kind; /* enum jp_dispatch_kind */
	u8 pd;	 /* JP_DISPATCH_PULL: the domain */
};

/* overloaded, own, keep, then every other domain at most once */
#define JP_DISPATCH_MAX_STEPS (JP_MAX_PDS + 2)

struct jp_dispatch_plan {
	u32 nr;
	struct jp_dispatch_step step[JP_DISPATCH_MAX_STEPS];
};

/*
 * May a CPU of domain self take work queued on domain pd? Not from a bigger
 * domain that has an idle CPU of its own: that is where a misfit task was
 * just sent, and the little CPU it left, idle at once, would pull it back.
 */
static __always_inline bool jp_pd_may_pull(const struct jp_tables *t, u32 self, u32 pd,
					   u32 idle_pds)
{
	if (pd >= JP_MAX_PDS || self >= JP_MAX_PDS)
		return false;
	if (t->pd[pd].max_capacity <= t->pd[self].max_capacity)
		return true;
	return !((idle_pds >> pd) & 1);
}

/* The domains jp_overloaded_pd must pass over for a CPU of domain self. */
static __always_inline u32 jp_pull_skip(const struct jp_tables *t, u32 self, u32 idle_pds)
{
	u32 pd;

	return JP_PDS_WHERE(t, pd, !jp_pd_may_pull(t, self, pd, idle_pds));
}

static __always_inline void jp_plan_add(struct jp_dispatch_plan *plan, u8 kind, u32 pd)
{
	u32 n = plan->nr;

	if (n >= JP_DISPATCH_MAX_STEPS)
		return;
	plan->step[n].kind = kind;
	plan->step[n].pd = (u8)pd;
	plan->nr = n + 1;
}

/*
 * Can jp_balance_domains' answer change the plan? Not for a CPU that keeps
 * its task: the caller skips that walk over every CPU on the hot path of a
 * slice end, and passes JP_NO_PD.
 */
static __always_inline bool jp_dispatch_wants_balance(const struct jp_dispatch_in *in)
{
	return !in->prev_runnable || in->prev_misfit_up;
}

/* The sources a CPU of domain in->self tries, in order (see the top). */
JP_FUNC void jp_dispatch_plan(const struct jp_tables *t, const struct jp_dispatch_in *in,
			      struct jp_dispatch_plan *plan)
{
	u32 self = in->self, src = (u32)in->balance_src, pd;

	plan->nr = 0;
	if (self >= JP_MAX_PDS)
		return;
	if (!in->own_due && in->overloaded >= 0 && in->overloaded < JP_MAX_PDS)
		jp_plan_add(plan, JP_DISPATCH_PULL, (u32)in->overloaded);
	if (in->prev_runnable && !in->prev_misfit_up && in->prev_first) {
		jp_plan_add(plan, JP_DISPATCH_KEEP, self);
		return;
	}
	jp_plan_add(plan, JP_DISPATCH_OWN, self);
	if (in->prev_runnable && !in->prev_misfit_up) {
		jp_plan_add(plan, JP_DISPATCH_KEEP, self);
		return;
	}
	/* tried even if the snapshot saw its queue empty: a task may have come since */
	if (in->balance_src >= 0 && src < JP_MAX_PDS && jp_pd_may_pull(t, self, src, in->idle_pds))
		jp_plan_add(plan, JP_DISPATCH_PULL, src);
	else
		src = JP_MAX_PDS;
	JP_FOR(pd, 0, JP_MAX_PDS)
	{
		if (pd >= t->nr_pds)
			break;
		if (pd != self && pd != src && in->queued[pd] &&
		    jp_pd_may_pull(t, self, pd, in->idle_pds))
			jp_plan_add(plan, JP_DISPATCH_PULL, pd);
	}
}

#endif /* JOULE_POLICY_DISPATCH_H */
