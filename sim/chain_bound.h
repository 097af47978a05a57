/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lower bounds on the energy of a frame chain: a first stage (a game's main
 * thread) that wakes a second (its render thread), both due within one
 * budget. Two bounds, each over the oracle's hull of the SoC's OPPs (no
 * shared clocks, no idle, wakeup or frequency-change costs, free migration):
 *
 * - clairvoyant: both stages' work known in advance, as the simulator's
 *   oracle bound knows every job's (engine.c);
 * - online: the first stage's work known (more than a scheduler knows, so
 *   the bound only gets lower), the second's only by its distribution,
 *   uniform within +-jitter as the simulator draws it. No frame may be
 *   missed, so the chain must fit the budget at the second stage's largest
 *   work; but work past its smallest is done only in the frames that reach
 *   it, and costs in proportion. The bound is the Lagrangian dual of that
 *   problem, so no plan does better, including one that speeds up as the
 *   work goes on.
 *
 * Their difference is what not knowing the work must cost any scheduler
 * (docs/design.md, "Frame threads in gaming").
 */
#ifndef SIM_CHAIN_BOUND_H
#define SIM_CHAIN_BOUND_H

#include "engine.h"

struct sim_chain {
	double first_ns, first_jitter; /* mean work (ns at capacity 1024), +- fraction */
	double next_ns, next_jitter;   /* the stage the first one wakes */
	double budget_ns;	       /* both stages within it */
	double period_ns;	       /* how often a frame starts */
};

struct sim_chain_bound {
	double clairvoyant_mj; /* per frame, averaged over the work's distribution */
	double online_mj;
};

/*
 * The workload's chain: its first spec that wakes another when both have
 * deadlines (budget: the first one's). Returns 0, or -1 if there is none.
 */
int sim_chain_of(const struct wl *wl, struct sim_chain *c);

/*
 * Both bounds for chain c on the hull h of n points (sim_oracle_hull),
 * averaged over steps evenly spaced values of each stage's work.
 */
void sim_chain_bound(const struct sim_oracle_pt *h, uint32_t n, const struct sim_chain *c,
		     uint32_t steps, struct sim_chain_bound *out);

#endif /* SIM_CHAIN_BOUND_H */
