// SPDX-License-Identifier: GPL-2.0-only
/*
 * Energy bounds for a frame chain (chain_bound.h).
 */
#include "chain_bound.h"

#include <math.h>

/* slices of a frame's largest work that the online bound weighs one by one */
#define CHAIN_UNITS 400
/*
 * The multiplier is what a ns of the budget is worth, in mJ: about 1e-9 for
 * the models here. The scan covers 10^(LAM_FIRST / LAM_PER_DECADE) up to 1.
 */
#define LAM_PER_DECADE 20
#define LAM_FIRST      (-20 * LAM_PER_DECADE)

int sim_chain_of(const struct wl *wl, struct sim_chain *c)
{
	uint32_t i;

	for (i = 0; i < wl->nr_specs; i++) {
		const struct wl_spec *first = &wl->spec[i], *next;

		if (!first->deadline_ns || !wl_spec_wakes_deadline_stage(wl, first))
			continue;
		next = &wl->spec[first->wakes];
		c->first_ns = (double)first->work_ns;
		c->first_jitter = first->jitter_pct / 100.0;
		c->next_ns = (double)next->work_ns;
		c->next_jitter = next->jitter_pct / 100.0;
		c->budget_ns = (double)first->deadline_ns;
		c->period_ns = (double)(first->period_ns ? first->period_ns : first->deadline_ns);
		return 0;
	}
	return -1;
}

/*
 * The Lagrangian dual at multiplier lam: each unit of work takes the OPP
 * point minimizing its weighted energy plus lam times its time, less lam
 * times the budget. weight[i] is the chance that a frame does unit i.
 */
static double chain_dual(const struct sim_oracle_pt *h, uint32_t n, const double *weight,
			 double unit_ns, double budget_ns, double lam)
{
	double sum = 0;
	uint32_t i, k;

	for (i = 0; i < CHAIN_UNITS; i++) {
		double best = INFINITY;

		for (k = 0; k < n; k++) {
			double v = weight[i] * h[k].e + lam * h[k].t;

			if (v < best)
				best = v;
		}
		sum += best;
	}
	return sum * unit_ns - lam * budget_ns;
}

/*
 * The online bound for one value of the first stage's work: the dual's
 * maximum over lam > 0. It is concave in lam: a scan in steps of a
 * LAM_PER_DECADE-th of a decade, then a golden-section search between the
 * best point's neighbours, in log(lam).
 */
static double chain_online_mj(const struct sim_oracle_pt *h, uint32_t n, double first, double lo,
			      double hi, double budget_ns)
{
	const double golden = (sqrt(5.0) - 1) / 2;
	double weight[CHAIN_UNITS], unit_ns = (first + hi) / CHAIN_UNITS;
	double best = -INFINITY, a, b, mid;
	int k, best_k = LAM_FIRST, iter;

	for (k = 0; k < CHAIN_UNITS; k++) {
		double r = (k + 0.5) * unit_ns - first; /* the second stage's work so far */

		if (r <= lo)
			weight[k] = 1;
		else if (hi > lo)
			weight[k] = fmax(0.0, 1.0 - (r - lo) / (hi - lo));
		else
			weight[k] = 0;
	}
	for (k = LAM_FIRST; k < 0; k++) {
		double lam = pow(10.0, (double)k / LAM_PER_DECADE);
		double v = chain_dual(h, n, weight, unit_ns, budget_ns, lam);

		if (v > best) {
			best = v;
			best_k = k;
		}
	}
	a = (best_k > LAM_FIRST ? best_k - 1 : best_k) * log(10.0) / LAM_PER_DECADE;
	b = (best_k < -1 ? best_k + 1 : best_k) * log(10.0) / LAM_PER_DECADE;
	for (iter = 0; iter < 60; iter++) {
		double c = b - golden * (b - a), d = a + golden * (b - a);

		if (chain_dual(h, n, weight, unit_ns, budget_ns, exp(c)) >
		    chain_dual(h, n, weight, unit_ns, budget_ns, exp(d)))
			b = d;
		else
			a = c;
	}
	mid = chain_dual(h, n, weight, unit_ns, budget_ns, exp((a + b) / 2));
	return fmax(best, mid);
}

void sim_chain_bound(const struct sim_oracle_pt *h, uint32_t n, const struct sim_chain *c,
		     uint32_t steps, struct sim_chain_bound *out)
{
	double f_lo = c->first_ns * (1 - c->first_jitter),
	       f_hi = c->first_ns * (1 + c->first_jitter);
	double n_lo = c->next_ns * (1 - c->next_jitter), n_hi = c->next_ns * (1 + c->next_jitter);
	uint32_t i, j;

	out->clairvoyant_mj = 0;
	out->online_mj = 0;
	if (!steps)
		return;
	for (i = 0; i < steps; i++) {
		double first = f_lo + (i + 0.5) / steps * (f_hi - f_lo);

		out->online_mj += chain_online_mj(h, n, first, n_lo, n_hi, c->budget_ns) / steps;
		for (j = 0; j < steps; j++) {
			double next = n_lo + (j + 0.5) / steps * (n_hi - n_lo);

			out->clairvoyant_mj +=
				sim_oracle_mj(h, n, first + next, c->budget_ns) / steps / steps;
		}
	}
}
