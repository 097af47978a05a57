// SPDX-License-Identifier: GPL-2.0-only
/*
 * .soc reader. Lines:
 *   soc NAME [smt_speed=PCT%] [smt_power=PCT%]
 *   pd NAME kind=little|medium|big cpus=LIST ipc=N [dpc=N] [llc=N] [cluster=N]
 *      [smt=0|1] dvfs=TIME wfi_mw=X wfi_exit=TIME sleep_mw=X sleep_exit=TIME
 *      sleep_min=TIME
 *   opp PDNAME mhz=N (mw=X | mv=N)     mv= uses the PD's dpc: the kernel's
 *      EM formula  P[mW] = dpc * mV^2 * MHz / 10^9
 * Capacity of an OPP = ipc * mhz, scaled so the biggest is 1024.
 */
#include "soc.h"
#include "parse.h"

#include <string.h>

static struct sim_pd *soc_find_pd(struct sim_soc *soc, const char *name)
{
	uint32_t i;

	for (i = 0; i < soc->nr_pds; i++)
		if (!strcmp(soc->pd[i].name, name))
			return &soc->pd[i];
	return NULL;
}

static int soc_kind(const char *s, enum sim_kind *k)
{
	if (!s)
		return -1;
	if (!strcmp(s, "little"))
		*k = SIM_KIND_LITTLE;
	else if (!strcmp(s, "medium"))
		*k = SIM_KIND_MEDIUM;
	else if (!strcmp(s, "big"))
		*k = SIM_KIND_BIG;
	else
		return -1;
	return 0;
}

static int soc_us(struct sim_reader *r, const struct sim_line *l, const char *key, uint32_t *out)
{
	uint64_t ns;

	if (!sim_parse_time_ns(sim_kv(l, 2, key), &ns) || ns / 1000 > UINT32_MAX)
		return sim_fail(r, "%s= needs a time such as 250us", key);
	*out = (uint32_t)(ns / 1000);
	return 0;
}

/* One CPU drawing 100 W or more is a typo, and would overflow the policy's costs. */
#define SOC_MAX_MW 100000.0

static int soc_mw(struct sim_reader *r, const struct sim_line *l, const char *key, double *out)
{
	if (!sim_parse_double(sim_kv(l, 2, key), out) || *out >= SOC_MAX_MW)
		return sim_fail(r, "%s= needs a power in mW below %.0f", key, SOC_MAX_MW);
	return 0;
}

static int soc_pd_line(struct sim_reader *r, struct sim_soc *soc, const struct sim_line *l)
{
	static const char *const keys[] = {
		"kind", "cpus",	  "ipc",      "dpc",	  "llc",	"cluster",   "smt",
		"dvfs", "wfi_mw", "wfi_exit", "sleep_mw", "sleep_exit", "sleep_min", NULL};
	struct sim_pd *pd;
	const char *bad;
	int n;

	if (l->nr_words < 2)
		return sim_fail(r, "pd needs a name");
	if (soc->nr_pds >= SIM_MAX_PDS)
		return sim_fail(r, "more than %d performance domains", SIM_MAX_PDS);
	if (soc_find_pd(soc, l->words[1]))
		return sim_fail(r, "pd '%s' defined twice", l->words[1]);
	bad = sim_unknown_key(l, 2, keys);
	if (bad)
		return sim_fail(r, "unknown pd attribute '%s'", bad);
	bad = sim_repeated_key(l, 2);
	if (bad)
		return sim_fail(r, "'%s': given twice", bad);
	pd = &soc->pd[soc->nr_pds];
	memset(pd, 0, sizeof(*pd));
	snprintf(pd->name, sizeof(pd->name), "%s", l->words[1]);
	if (soc_kind(sim_kv(l, 2, "kind"), &pd->kind))
		return sim_fail(r, "kind= must be little, medium or big");
	n = sim_parse_cpu_list(sim_kv(l, 2, "cpus"), pd->cpus, SIM_MAX_CPUS);
	if (n <= 0)
		return sim_fail(r, "cpus= needs a CPU list such as 0-3");
	pd->nr_cpus = (uint32_t)n;
	if (!sim_parse_u32(sim_kv(l, 2, "ipc"), &pd->ipc) || !pd->ipc)
		return sim_fail(r, "ipc= needs a positive integer");
	if (sim_kv(l, 2, "dpc") && !sim_parse_u32(sim_kv(l, 2, "dpc"), &pd->dpc))
		return sim_fail(r, "dpc= needs an integer");
	if (sim_kv(l, 2, "llc") && !sim_parse_u32(sim_kv(l, 2, "llc"), &pd->llc))
		return sim_fail(r, "llc= needs an integer");
	pd->cluster = soc->nr_pds;
	if (sim_kv(l, 2, "cluster") && !sim_parse_u32(sim_kv(l, 2, "cluster"), &pd->cluster))
		return sim_fail(r, "cluster= needs an integer");
	if (sim_kv(l, 2, "smt") &&
	    (!sim_parse_u32(sim_kv(l, 2, "smt"), &pd->smt) || pd->smt > 1 || (pd->smt && n % 2)))
		return sim_fail(r, "smt= must be 0 or 1 (1 needs an even CPU count)");
	if (soc_us(r, l, "dvfs", &pd->dvfs_us) || soc_mw(r, l, "wfi_mw", &pd->wfi_mw) ||
	    soc_us(r, l, "wfi_exit", &pd->wfi_exit_us) || soc_mw(r, l, "sleep_mw", &pd->sleep_mw) ||
	    soc_us(r, l, "sleep_exit", &pd->sleep_exit_us) ||
	    soc_us(r, l, "sleep_min", &pd->sleep_min_us))
		return -1;
	soc->nr_pds++;
	return 0;
}

static int soc_opp_line(struct sim_reader *r, struct sim_soc *soc, const struct sim_line *l)
{
	static const char *const keys[] = {"mhz", "mw", "mv", NULL};
	struct sim_pd *pd = l->nr_words >= 2 ? soc_find_pd(soc, l->words[1]) : NULL;
	struct sim_opp *o;
	const char *bad;
	uint32_t mv;

	if (!pd)
		return sim_fail(r, "opp needs the name of a pd defined above");
	bad = sim_unknown_key(l, 2, keys);
	if (bad)
		return sim_fail(r, "unknown opp attribute '%s'", bad);
	bad = sim_repeated_key(l, 2);
	if (bad)
		return sim_fail(r, "'%s': given twice", bad);
	if (pd->nr_opps >= SIM_MAX_OPPS)
		return sim_fail(r, "more than %d OPPs in pd %s", SIM_MAX_OPPS, pd->name);
	o = &pd->opps[pd->nr_opps];
	if (!sim_parse_u32(sim_kv(l, 2, "mhz"), &o->mhz) || !o->mhz)
		return sim_fail(r, "mhz= needs a positive integer");
	if (pd->nr_opps && o->mhz <= pd->opps[pd->nr_opps - 1].mhz)
		return sim_fail(r, "OPPs of pd %s must ascend in frequency", pd->name);
	if (sim_kv(l, 2, "mw")) {
		if (soc_mw(r, l, "mw", &o->mw))
			return -1;
	} else if (sim_parse_u32(sim_kv(l, 2, "mv"), &mv) && pd->dpc) {
		o->mw = (double)pd->dpc * mv * mv * o->mhz / 1e9;
		if (o->mw >= SOC_MAX_MW)
			return sim_fail(r, "mv= gives %.0f mW, not below %.0f", o->mw, SOC_MAX_MW);
	} else {
		return sim_fail(r, "opp needs mw=, or mv= with dpc= on its pd");
	}
	pd->nr_opps++;
	return 0;
}

/* Capacities, CPU table and SMT siblings once every line is read. */
static int soc_finish(struct sim_reader *r, struct sim_soc *soc)
{
	uint64_t best = 0;
	uint32_t p, i, seen[SIM_MAX_CPUS] = {0};

	if (!soc->nr_pds)
		return sim_fail(r, "no pd lines");
	for (p = 0; p < soc->nr_pds; p++) {
		struct sim_pd *pd = &soc->pd[p];

		if (!pd->nr_opps)
			return sim_fail(r, "pd %s has no opp lines", pd->name);
		if ((uint64_t)pd->ipc * pd->opps[pd->nr_opps - 1].mhz > best)
			best = (uint64_t)pd->ipc * pd->opps[pd->nr_opps - 1].mhz;
	}
	for (p = 0; p < soc->nr_pds; p++) {
		struct sim_pd *pd = &soc->pd[p];

		for (i = 0; i < pd->nr_opps; i++)
			pd->opps[i].capacity =
				(uint32_t)((uint64_t)pd->ipc * pd->opps[i].mhz * 1024 / best);
		/* a CPU of capacity 0 would take no task, and its domain's energy no sense */
		if (!pd->opps[pd->nr_opps - 1].capacity)
			return sim_fail(r,
					"pd %s: its top opp's ipc x mhz is under 1/1024 of the "
					"fastest pd's: capacity 0",
					pd->name);
		for (i = 0; i < pd->nr_cpus; i++) {
			uint32_t c = pd->cpus[i];

			if (c >= SIM_MAX_CPUS || seen[c])
				return sim_fail(r, "cpu %u is in two pds or out of range", c);
			seen[c] = 1;
			soc->cpu[c].pd = p;
			soc->cpu[c].capacity = pd->opps[pd->nr_opps - 1].capacity;
			soc->cpu[c].sibling = pd->smt ? (int32_t)pd->cpus[i ^ 1] : -1;
			if (c + 1 > soc->nr_cpus)
				soc->nr_cpus = c + 1;
		}
	}
	for (i = 0; i < soc->nr_cpus; i++)
		if (!seen[i])
			return sim_fail(r, "cpu %u belongs to no pd (CPUs must be numbered 0..N-1)",
					i);
	return 0;
}

int sim_soc_parse(FILE *f, const char *name, struct sim_soc *soc, char *err, size_t errlen)
{
	struct sim_reader r = {.file = name, .line = 0, .err = err, .errlen = errlen};
	char buf[1024];
	struct sim_line l;
	uint32_t pct;

	memset(soc, 0, sizeof(*soc));
	soc->smt_speed_pct = 60;
	soc->smt_power_pct = 60;
	while (fgets(buf, sizeof(buf), f)) {
		r.line++;
		if (!strchr(buf, '\n') && !feof(f))
			return sim_fail(&r, "line longer than %zu characters", sizeof(buf) - 2);
		if (sim_split(buf, &l))
			return sim_fail(&r, "too many words");
		if (!l.nr_words)
			continue;
		if (!strcmp(l.words[0], "soc")) {
			static const char *const keys[] = {"smt_speed", "smt_power",
							   "efficient_opps", NULL};
			const char *eff;

			if (l.nr_words < 2 || sim_unknown_key(&l, 2, keys))
				return sim_fail(
					&r, "usage: soc NAME [smt_speed=PCT%%] [smt_power=PCT%%] "
					    "[efficient_opps=yes|no]");
			eff = sim_kv(&l, 2, "efficient_opps");
			if (eff && strcmp(eff, "yes") && strcmp(eff, "no"))
				return sim_fail(&r, "efficient_opps= takes yes or no");
			soc->efficient_opps = eff && !strcmp(eff, "yes");
			snprintf(soc->name, sizeof(soc->name), "%s", l.words[1]);
			if (sim_kv(&l, 2, "smt_speed") &&
			    (!sim_parse_pct(sim_kv(&l, 2, "smt_speed"), &pct) || !pct || pct > 100))
				return sim_fail(&r, "smt_speed= needs a percentage 1..100%%");
			if (sim_kv(&l, 2, "smt_speed"))
				soc->smt_speed_pct = pct;
			if (sim_kv(&l, 2, "smt_power") &&
			    (!sim_parse_pct(sim_kv(&l, 2, "smt_power"), &pct) || pct > 100))
				return sim_fail(&r, "smt_power= needs a percentage 0..100%%");
			if (sim_kv(&l, 2, "smt_power"))
				soc->smt_power_pct = pct;
		} else if (!strcmp(l.words[0], "pd")) {
			if (soc_pd_line(&r, soc, &l))
				return -1;
		} else if (!strcmp(l.words[0], "opp")) {
			if (soc_opp_line(&r, soc, &l))
				return -1;
		} else {
			return sim_fail(&r, "unknown line '%s' (expected soc, pd or opp)",
					l.words[0]);
		}
	}
	if (!soc->name[0])
		return sim_fail(&r, "no 'soc NAME' line");
	return soc_finish(&r, soc);
}

int sim_soc_load(const char *path, struct sim_soc *soc, char *err, size_t errlen)
{
	FILE *f = sim_open(path, err, errlen);
	int ret;

	if (!f)
		return -1;
	ret = sim_soc_parse(f, path, soc, err, errlen);
	fclose(f);
	return ret;
}
