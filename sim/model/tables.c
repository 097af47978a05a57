// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated SoC as the policy sees it (struct jp_tables), built the way
 * the loader builds it from the machine model: capacity per CPU, per PD the
 * CPU list and the OPP table with the kernel's EM cost
 * cost = power * max_capacity / opp_capacity (power in uW).
 */
#include "tables.h"

#include <string.h>

uint32_t model_keep_opps(const bool *inefficient, uint32_t nr_opps, uint32_t *idx)
{
	uint32_t eff[MODEL_MAX_OPPS], n = 0, kept, i;

	for (i = 0; i < nr_opps && n < MODEL_MAX_OPPS; i++)
		/* the top OPP is never inefficient: nothing is faster */
		if (!inefficient[i] || i + 1 == nr_opps)
			eff[n++] = i;
	kept = n < JP_MAX_OPPS ? n : JP_MAX_OPPS;
	for (i = 0; i < kept; i++)
		idx[i] = eff[kept > 1 ? (uint64_t)i * (n - 1) / (kept - 1) : n - 1];
	return kept;
}

void model_mark_inefficient(const double *power, const uint32_t *freq, uint32_t nr_opps,
			    bool *inefficient)
{
	double best = 0;
	uint32_t i;

	/*
	 * Walking down from the top, as em_compute_costs() does. Equal costs
	 * (two OPPs at one voltage) must compare equal despite rounding.
	 */
	for (i = nr_opps; i-- > 0;) {
		double cost = power[i] / (freq[i] ? freq[i] : 1);

		inefficient[i] = i + 1 < nr_opps && cost >= best * (1.0 - 1e-9);
		if (!inefficient[i])
			best = cost;
	}
}

static void soc_cpus_to_tables(const struct sim_soc *soc, struct jp_tables *t)
{
	uint32_t c, max_cap = 0;

	t->nr_cpus = soc->nr_cpus < JP_MAX_CPUS ? soc->nr_cpus : JP_MAX_CPUS;
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
}

uint32_t model_cost_u32(double cost)
{
	return cost < (double)UINT32_MAX ? (uint32_t)cost : UINT32_MAX;
}

uint32_t model_soc_pd_opps(const struct sim_pd *pd, uint32_t *idx)
{
	double power[SIM_MAX_OPPS];
	uint32_t mhz[SIM_MAX_OPPS], i;
	bool inefficient[SIM_MAX_OPPS];

	for (i = 0; i < pd->nr_opps; i++) {
		power[i] = pd->opps[i].mw;
		mhz[i] = pd->opps[i].mhz;
	}
	model_mark_inefficient(power, mhz, pd->nr_opps, inefficient);
	return model_keep_opps(inefficient, pd->nr_opps, idx);
}

/*
 * A .soc may list a domain's CPUs in any order ("cpus=4,0-3"); the tables
 * keep them ascending, as the policy's scans and mask walks visit them.
 */
static void sort_cpus(uint16_t *cpus, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		uint16_t c = cpus[i];
		uint32_t j = i;

		for (; j > 0 && cpus[j - 1] > c; j--)
			cpus[j] = cpus[j - 1];
		cpus[j] = c;
	}
}

static void soc_pd_to_table(const struct sim_pd *pd, struct jp_pd *d)
{
	uint32_t idx[JP_MAX_OPPS], i;
	uint32_t top = pd->opps[pd->nr_opps - 1].capacity;

	d->nr_cpus = pd->nr_cpus < JP_MAX_PD_CPUS ? pd->nr_cpus : JP_MAX_PD_CPUS;
	for (i = 0; i < d->nr_cpus; i++)
		d->cpus[i] = (uint16_t)pd->cpus[i];
	sort_cpus(d->cpus, d->nr_cpus);
	d->max_capacity = top;
	d->nr_opps = model_soc_pd_opps(pd, idx);
	for (i = 0; i < d->nr_opps; i++) {
		const struct sim_opp *o = &pd->opps[idx[i]];
		uint32_t c = o->capacity ? o->capacity : 1;

		d->opps[i].capacity = o->capacity;
		d->opps[i].cost = model_cost_u32(o->mw * 1000.0 * top / c);
	}
}

void sim_soc_to_tables(const struct sim_soc *soc, struct jp_tables *t)
{
	uint32_t p;

	memset(t, 0, sizeof(*t));
	soc_cpus_to_tables(soc, t);
	t->nr_pds = soc->nr_pds < JP_MAX_PDS ? soc->nr_pds : JP_MAX_PDS;
	for (p = 0; p < t->nr_pds; p++)
		soc_pd_to_table(&soc->pd[p], &t->pd[p]);
	t->costs_rise = jp_costs_rise(t);
	t->pds_rank_alike = jp_pds_rank_alike(t);
}
