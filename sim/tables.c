// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated SoC as the policy sees it (struct jp_tables), built the way
 * the loader builds it from the machine model: capacity per CPU, per PD the
 * CPU list and the OPP table with the kernel's EM cost
 * cost = power * max_capacity / opp_capacity (power in uW).
 */
#include "engine.h"

#include <string.h>

/* Which of n OPPs to keep when the policy table holds fewer: spread, keep top. */
static uint32_t opp_pick(uint32_t i, uint32_t kept, uint32_t n)
{
	if (n <= kept)
		return i;
	return (uint32_t)((uint64_t)i * (n - 1) / (kept - 1));
}

/* A huge power at a tiny capacity exceeds 32 bits; converting that is undefined, so saturate. */
static uint32_t cost_u32(double cost)
{
	return cost < (double)UINT32_MAX ? (uint32_t)cost : UINT32_MAX;
}

void sim_soc_to_tables(const struct sim_soc *soc, struct jp_tables *t)
{
	uint32_t c, p, i, max_cap = 0;

	memset(t, 0, sizeof(*t));
	t->nr_cpus = soc->nr_cpus < JP_MAX_CPUS ? soc->nr_cpus : JP_MAX_CPUS;
	t->nr_pds = soc->nr_pds < JP_MAX_PDS ? soc->nr_pds : JP_MAX_PDS;
	for (c = 0; c < t->nr_cpus; c++) {
		const struct sim_pd *pd = &soc->pd[soc->cpu[c].pd];

		t->cpu[c].capacity = (uint16_t)soc->cpu[c].capacity;
		t->cpu[c].kind = (uint8_t)pd->kind;
		t->cpu[c].pd = (uint8_t)soc->cpu[c].pd;
		t->cpu[c].llc = (uint16_t)pd->llc;
		t->cpu[c].cluster = (uint16_t)pd->cluster;
		t->cpu[c].sibling =
			soc->cpu[c].sibling >= 0 ? (uint16_t)soc->cpu[c].sibling : JP_NO_SIBLING;
		if (soc->cpu[c].capacity > max_cap)
			max_cap = soc->cpu[c].capacity;
	}
	t->max_capacity = max_cap;
	for (p = 0; p < t->nr_pds; p++) {
		const struct sim_pd *pd = &soc->pd[p];
		struct jp_pd *d = &t->pd[p];
		uint32_t top = pd->opps[pd->nr_opps - 1].capacity;

		d->nr_cpus = pd->nr_cpus < JP_MAX_PD_CPUS ? pd->nr_cpus : JP_MAX_PD_CPUS;
		for (i = 0; i < d->nr_cpus; i++)
			d->cpus[i] = (uint16_t)pd->cpus[i];
		d->max_capacity = top;
		d->nr_opps = pd->nr_opps < JP_MAX_OPPS ? pd->nr_opps : JP_MAX_OPPS;
		for (i = 0; i < d->nr_opps; i++) {
			const struct sim_opp *o = &pd->opps[opp_pick(i, d->nr_opps, pd->nr_opps)];
			uint32_t cap = o->capacity ? o->capacity : 1;

			d->opps[i].capacity = o->capacity;
			d->opps[i].cost = cost_u32(o->mw * 1000.0 * top / cap);
		}
	}
}
