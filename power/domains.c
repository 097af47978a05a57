// SPDX-License-Identifier: GPL-2.0-only
/*
 * Performance domains from cpufreq policies (see jpower.h), and the
 * finishing pass every energy-model source goes through.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jpower.h"

/* A ladder for drivers that list no frequencies: 100 MHz steps, min..max. */
#define LADDER_STEP_KHZ 100000u

/* Without cpufreq (docs/energy-model.md): OPPs at 20, 40, ... 100% of a top frequency. */
#define ESTIMATE_NR_OPPS     5
#define ESTIMATE_NOMINAL_MHZ 2000u /* the top frequency of every kind when hwloc knows none */

static int pd_kind(const struct jtopo *t, const struct jtopo_cpuset *cpus, unsigned *capacity)
{
	int kind = 0;

	*capacity = 0;
	for (int c = 0; c < t->nr_cpus; c++) {
		if (!jtopo_cpuset_isset(cpus, c) || !t->cpu[c].online)
			continue;
		if (t->cpu[c].kind > kind)
			kind = t->cpu[c].kind;
		if (t->cpu[c].capacity > *capacity)
			*capacity = t->cpu[c].capacity;
	}
	return kind;
}

static void pd_opps_from_policy(struct jpower_pd *pd, unsigned min_khz, unsigned max_khz,
				const struct jpower_policy *p)
{
	pd->nr_opps = 0;
	if (p && p->nr_freqs) {
		for (int i = 0; i < p->nr_freqs && i < JPOWER_MAX_OPPS; i++)
			pd->opp[pd->nr_opps++].khz = p->freq_khz[i];
		return;
	}
	for (unsigned f = min_khz; f < max_khz && pd->nr_opps < JPOWER_MAX_OPPS - 1;
	     f += LADDER_STEP_KHZ)
		pd->opp[pd->nr_opps++].khz = f;
	pd->opp[pd->nr_opps++].khz = max_khz;
}

static bool per_cpu_policies(const struct jpower_cpufreq *cf)
{
	if (cf->nr_policies < 2)
		return false;
	for (int i = 0; i < cf->nr_policies; i++)
		if (jtopo_cpuset_weight(&cf->policy[i].cpus) != 1)
			return false;
	return true;
}

static struct jpower_pd *new_pd(struct jpower_model *em, char *err, size_t errlen)
{
	struct jpower_pd *pd;

	if (em->nr_pds == JPOWER_MAX_PDS) {
		snprintf(err, errlen, "more than %d performance domains", JPOWER_MAX_PDS);
		return NULL;
	}
	pd = &em->pd[em->nr_pds++];
	memset(pd, 0, sizeof(*pd));
	return pd;
}

/* One PD per kind: per-CPU policies, or no cpufreq (then no OPPs). */
static int domains_by_kind(struct jpower_model *em, const struct jtopo *t,
			   const struct jpower_cpufreq *cf, char *err, size_t errlen)
{
	for (int k = 0; k < t->nr_kinds; k++) {
		struct jpower_pd *pd = new_pd(em, err, errlen);
		const struct jpower_policy *widest = NULL;
		unsigned lo = ~0u, hi = 0;

		if (!pd)
			return -E2BIG;
		snprintf(pd->name, sizeof(pd->name), "%s", t->kind[k].name);
		pd->cpus = t->kind[k].cpus;
		pd->kind = pd_kind(t, &pd->cpus, &pd->capacity);
		for (int i = 0; i < cf->nr_policies; i++) {
			const struct jpower_policy *p = &cf->policy[i];

			if (!jtopo_cpuset_isset(&pd->cpus, jtopo_cpuset_first(&p->cpus)))
				continue;
			if (p->min_khz < lo)
				lo = p->min_khz;
			if (p->max_khz > hi) {
				hi = p->max_khz;
				widest = p;
			}
		}
		if (widest)
			pd_opps_from_policy(pd, lo, hi, widest);
	}
	return 0;
}

int jpower_domains(struct jpower_model *em, const struct jtopo *t, const struct jpower_cpufreq *cf,
		   char *err, size_t errlen)
{
	memset(em, 0, sizeof(*em));
	em->source = JPOWER_EM_NONE;
	if (!cf->nr_policies || per_cpu_policies(cf))
		return domains_by_kind(em, t, cf, err, errlen);
	for (int i = 0; i < cf->nr_policies; i++) {
		const struct jpower_policy *p = &cf->policy[i];
		struct jpower_pd *pd = new_pd(em, err, errlen);

		if (!pd)
			return -E2BIG;
		snprintf(pd->name, sizeof(pd->name), "cpu%d", jtopo_cpuset_first(&p->cpus));
		for (int w = 0; w < JTOPO_MASK_WORDS; w++)
			pd->cpus.bits[w] = p->cpus.bits[w] & t->online.bits[w];
		pd->kind = pd_kind(t, &pd->cpus, &pd->capacity);
		pd_opps_from_policy(pd, p->min_khz, p->max_khz, p);
	}
	return 0;
}

int jpower_domains_estimate(struct jpower_model *em, const struct jtopo *t, char *how, size_t len)
{
	bool all_mhz = true;

	if (t->nr_kinds < 2 || em->nr_pds < 2)
		return -ENOENT; /* one kind: nothing for a model to choose between */
	for (int k = 0; k < t->nr_kinds; k++)
		all_mhz &= t->kind[k].max_mhz > 0;
	for (int p = 0; p < em->nr_pds; p++) {
		struct jpower_pd *pd = &em->pd[p];
		unsigned top = all_mhz ? t->kind[pd->kind].max_mhz : ESTIMATE_NOMINAL_MHZ;

		pd->nr_opps = ESTIMATE_NR_OPPS;
		for (int i = 0; i < ESTIMATE_NR_OPPS; i++)
			pd->opp[i] = (struct jpower_opp){
				.khz = (unsigned)((unsigned long long)top * 1000u /
						  ESTIMATE_NR_OPPS * (unsigned)(i + 1))};
	}
	if (all_mhz)
		snprintf(how, len, "%d OPPs at 20..100%% of each kind's FrequencyMaxMHz (hwloc)",
			 ESTIMATE_NR_OPPS);
	else
		snprintf(how, len,
			 "%d OPPs at 20..100%% of an assumed %u MHz for every kind (no frequency "
			 "known: capacity differences taken as work per clock)",
			 ESTIMATE_NR_OPPS, ESTIMATE_NOMINAL_MHZ);
	return 0;
}

/*
 * The kernel's cost and inefficiency (em_compute_costs): walking down from
 * the top OPP, one that costs at least as much per unit of work as a
 * faster one is inefficient.
 */
void jpower_em_finish(struct jpower_model *em, const struct jtopo *t)
{
	for (int p = 0; p < em->nr_pds; p++) {
		struct jpower_pd *pd = &em->pd[p];
		double best = 0;
		unsigned top;

		pd->kind = pd_kind(t, &pd->cpus, &pd->capacity);
		if (!pd->nr_opps)
			continue;
		top = pd->opp[pd->nr_opps - 1].khz;
		for (int i = pd->nr_opps - 1; i >= 0; i--) {
			struct jpower_opp *o = &pd->opp[i];

			if (!o->capacity)
				o->capacity =
					(unsigned)((unsigned long)pd->capacity * o->khz / top);
			if (!o->capacity)
				o->capacity = 1;
			o->cost = o->power_mw * top / o->khz;
			o->inefficient = i < pd->nr_opps - 1 && o->cost >= best;
			if (!o->inefficient)
				best = o->cost;
		}
	}
}

const char *jpower_em_source_name(enum jpower_em_source s)
{
	switch (s) {
	case JPOWER_EM_NONE: return "none";
	case JPOWER_EM_DEBUGFS: return "kernel (debugfs)";
	case JPOWER_EM_FILE: return "file";
	case JPOWER_EM_DERIVED: return "derived";
	}
	return "?";
}
