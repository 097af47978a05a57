// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpower.h"
#include "jtopo.h"
#include "machine.h"
#include "soc.h"
#include "tables.h"

_Static_assert(JTOPO_MASK_WORDS == JP_MASK_WORDS, "CPU masks of the model and the tables differ");
_Static_assert(JPOWER_MAX_OPPS <= MODEL_MAX_OPPS, "the OPP rule must see every OPP of a domain");
_Static_assert(JPOWER_MAX_SCHED_PDS == JP_MAX_PDS && JPOWER_MAX_SCHED_PD_CPUS == JP_MAX_PD_CPUS,
	       "jpower_em_fit must fit the model to the tables' sizes");

/* This machine's possible CPUs fit the tables (the build's max_cpus). */
static int check_nr_cpus(int nr_cpus, char *err, size_t errlen)
{
	if (nr_cpus <= 0) {
		snprintf(err, errlen, "%d possible CPUs", nr_cpus);
		return -EINVAL;
	}
	if (nr_cpus > JP_MAX_CPUS) {
		jtopo_too_many_cpus(err, errlen, "this machine", nr_cpus);
		return -E2BIG;
	}
	return 0;
}

static void finish_view(struct joule_machine *m, int nr_kinds)
{
	m->view.nr_cpus = (int)m->tables.nr_cpus;
	m->view.nr_kinds = nr_kinds;
	for (int k = 0; k < nr_kinds && k < JOULE_STATS_MAX_KINDS; k++)
		m->view.kind_name[k] = m->kind_name[k];
	m->view.cpu_kind = m->cpu_kind;
	m->view.power = m->has_energy_model ? m->power : NULL;
}

int joule_machine_homogeneous(struct joule_machine *m, int nr_cpus, char *err, size_t errlen)
{
	struct jp_pd *pd;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = check_nr_cpus(nr_cpus, err, errlen);
	if (ret)
		return ret;

	m->tables.nr_cpus = (__u32)nr_cpus;
	/* one domain: it may hold every CPU (JP_MAX_PD_CPUS is JP_MAX_CPUS) */
	m->tables.nr_pds = 1;
	m->tables.max_capacity = JP_SCALE;
	pd = &m->tables.pd[0];
	pd->nr_opps = 1;
	pd->max_capacity = JP_SCALE;
	pd->opps[0].capacity = JP_SCALE;
	pd->opps[0].cost = 1;
	for (int c = 0; c < nr_cpus; c++) {
		pd->cpus[pd->nr_cpus++] = (__u16)c;
		m->tables.cpu[c].capacity = JP_SCALE;
		m->tables.cpu[c].kind = JP_KIND_BIG;
		m->tables.cpu[c].pd = 0;
		m->tables.cpu[c].sibling = JP_NO_SIBLING;
	}
	m->kind_name[0] = "cpu";
	snprintf(m->source, sizeof(m->source), "homogeneous: %d CPUs of capacity 1024", nr_cpus);
	finish_view(m, 1);
	return 0;
}

/*
 * The stats' power table of each CPU: the OPPs the policy tables keep
 * (model_soc_pd_opps, the top one always among them), as for a model read
 * from sysfs. The first JOULE_STATS_MAX_OPPS in order left the top OPP out
 * of a domain with more, so time at top speed was priced below it.
 */
static void soc_power(struct joule_machine *m, const struct sim_soc *soc)
{
	for (__u32 p = 0; p < soc->nr_pds; p++) {
		const struct sim_pd *pd = &soc->pd[p];
		__u32 top = pd->opps[pd->nr_opps - 1].capacity, idx[JP_MAX_OPPS];
		__u32 n = model_soc_pd_opps(pd, idx);
		for (__u32 k = 0; k < pd->nr_cpus; k++) {
			__u32 c = pd->cpus[k];
			struct joule_cpu_power *pw;

			if (c >= soc->nr_cpus || c >= JP_MAX_CPUS)
				continue;
			pw = &m->power[c];
			pw->idle_mw = pd->wfi_mw;
			pw->nr_opps = (int)(n < JOULE_STATS_MAX_OPPS ? n : JOULE_STATS_MAX_OPPS);
			for (int j = 0; j < pw->nr_opps; j++) {
				const struct sim_opp *o = &pd->opps[idx[j]];

				/* perf is relative to this CPU's own top OPP, as cpuperf is */
				pw->perf[j] = top ? o->capacity * JP_SCALE / top : JP_SCALE;
				pw->busy_mw[j] = o->mw;
			}
		}
	}
}

int joule_machine_from_soc(struct joule_machine *m, const struct sim_soc *soc, int nr_cpus,
			   char *err, size_t errlen)
{
	int nr_kinds = 0, ret;

	memset(m, 0, sizeof(*m));
	ret = check_nr_cpus(nr_cpus, err, errlen);
	if (ret)
		return ret;
	if ((int)soc->nr_cpus > nr_cpus) {
		snprintf(err, errlen, "model '%s' describes %u CPUs; this machine has %d",
			 soc->name, soc->nr_cpus, nr_cpus);
		return -EINVAL;
	}
	sim_soc_to_tables(soc, &m->tables);
	/* number the kinds present, least capable first, for the stats */
	for (int kind = 0; kind < 3; kind++) {
		bool present = false;

		for (__u32 c = 0; c < soc->nr_cpus; c++) {
			if (m->tables.cpu[c].kind == kind) {
				m->cpu_kind[c] = nr_kinds;
				present = true;
			}
		}
		nr_kinds += present;
	}
	/* named as a model read from sysfs names them (mid, not medium), for the stats' keys */
	for (int k = 0; k < nr_kinds; k++) {
		jtopo_kind_name(k, nr_kinds, m->kind_label[k], sizeof(m->kind_label[k]));
		m->kind_name[k] = m->kind_label[k];
	}
	soc_power(m, soc);
	m->has_energy_model = true;
	snprintf(m->source, sizeof(m->source), "model %s: %u CPUs in %u domains", soc->name,
		 soc->nr_cpus, soc->nr_pds);
	finish_view(m, nr_kinds);
	return 0;
}

/* ---- from the topology/power model ----------------------------------- */

static __u8 jp_kind_of(int kind, int nr_kinds)
{
	if (nr_kinds <= 1 || kind == nr_kinds - 1)
		return JP_KIND_BIG;
	return kind == 0 ? JP_KIND_LITTLE : JP_KIND_MEDIUM;
}

/* Does the model describe this CPU, online or not? */
static bool model_has_cpu(const struct jtopo *t, int c)
{
	return c < t->nr_cpus && (t->cpu[c].online || t->cpu[c].like_source != JTOPO_LIKE_NONE);
}

/*
 * Every possible CPU here needs an entry, whether it is online now or not:
 * the kernel says which are online when the scheduler starts, and any CPU
 * may come or go later.
 */
static int model_covers_machine(const struct jtopo *t, int nr_cpus, char *err, size_t errlen)
{
	if (t->nr_cpus > nr_cpus) {
		snprintf(err, errlen, "the model (%s) has %d CPUs; this machine has %d", t->origin,
			 t->nr_cpus, nr_cpus);
		return -EINVAL;
	}
	for (int c = 0; c < nr_cpus; c++) {
		if (!model_has_cpu(t, c)) {
			snprintf(err, errlen,
				 "CPU %d exists here but the model (%s) describes CPUs 0-%d", c,
				 t->origin, t->nr_cpus - 1);
			return -EINVAL;
		}
	}
	return 0;
}

/* The OPPs the policy's table keeps: the model library's rule, as for --model. */
static int efficient_opps(const struct jpower_pd *pd, uint32_t *idx)
{
	bool inefficient[JPOWER_MAX_OPPS];

	for (int i = 0; i < pd->nr_opps; i++)
		inefficient[i] = pd->opp[i].inefficient;
	return (int)model_keep_opps(inefficient, (uint32_t)pd->nr_opps, idx);
}

/* A model domain's CPUs: its online ones and the offline CPUs that are like one of them. */
static struct jtopo_cpuset domain_cpus(const struct jtopo *t, const struct jpower_pd *pd)
{
	struct jtopo_cpuset cpus = pd->cpus;

	for (int c = 0; c < t->nr_cpus; c++) {
		const struct jtopo_cpu *tc = &t->cpu[c];

		if (!tc->online && tc->like_source != JTOPO_LIKE_NONE &&
		    jtopo_cpuset_isset(&pd->cpus, tc->like))
			jtopo_cpuset_set(&cpus, c);
	}
	return cpus;
}

/* One policy domain from CPUs [first, ...) of cpus: at most JP_MAX_PD_CPUS of them. */
static int model_pd(struct joule_machine *m, const struct jpower_pd *pd,
		    const struct jtopo_cpuset *cpus, int first, int p, bool has_em)
{
	struct jp_pd *d = &m->tables.pd[p];
	uint32_t idx[JP_MAX_OPPS];
	int n, c;

	for (c = first; c < JTOPO_MAX_CPUS && d->nr_cpus < JP_MAX_PD_CPUS; c++) {
		if (!jtopo_cpuset_isset(cpus, c))
			continue;
		d->cpus[d->nr_cpus++] = (__u16)c;
		m->tables.cpu[c].pd = (__u8)p;
	}
	if (!has_em) {
		d->nr_opps = 1;
		d->max_capacity = pd->capacity;
		d->opps[0].capacity = pd->capacity;
		d->opps[0].cost = 1;
		return c;
	}
	n = efficient_opps(pd, idx);
	d->nr_opps = (__u32)n;
	d->max_capacity = pd->opp[pd->nr_opps - 1].capacity;
	for (int i = 0; i < n; i++) {
		const struct jpower_opp *o = &pd->opp[idx[i]];

		d->opps[i].capacity = o->capacity;
		/* policy.h's cost: power (uW) * max capacity / capacity */
		d->opps[i].cost = model_cost_u32(o->power_mw * 1000.0 * d->max_capacity /
						 (o->capacity ? o->capacity : 1));
	}
	for (int i = 0; i < (int)d->nr_cpus; i++) {
		struct joule_cpu_power *pw = &m->power[d->cpus[i]];

		pw->idle_mw = pd->idle_mw;
		pw->nr_opps = n < JOULE_STATS_MAX_OPPS ? n : JOULE_STATS_MAX_OPPS;
		for (int j = 0; j < pw->nr_opps; j++) {
			pw->perf[j] = d->opps[j].capacity * JP_SCALE / d->max_capacity;
			pw->busy_mw[j] = pd->opp[idx[j]].power_mw;
		}
	}
	return c;
}

/* The model's domains, split where one has more CPUs than a policy domain holds. */
static int model_pds(struct joule_machine *m, const struct jtopo *t, const struct jpower_model *em,
		     char *err, size_t errlen)
{
	int p = 0;

	for (int i = 0; i < em->nr_pds; i++) {
		struct jtopo_cpuset cpus = domain_cpus(t, &em->pd[i]);

		for (int c = jtopo_cpuset_next(&cpus, 0); c >= 0; c = jtopo_cpuset_next(&cpus, c)) {
			if (p == JP_MAX_PDS) {
				snprintf(err, errlen,
					 "more than %d performance domains of up to %d CPUs",
					 JP_MAX_PDS, JP_MAX_PD_CPUS);
				return -E2BIG;
			}
			/* returns the CPU after the last one it took */
			c = model_pd(m, &em->pd[i], &cpus, c, p++, em->source != JPOWER_EM_NONE);
		}
	}
	m->tables.nr_pds = (__u32)p;
	return 0;
}

/* CPU c's table entry; an offline CPU's comes from the CPU it is like (jtopo). */
static void model_cpu(struct joule_machine *m, const struct jtopo *t, int c)
{
	const struct jtopo_cpu *tc = &t->cpu[c];
	struct jp_cpu_info *ci = &m->tables.cpu[c];

	ci->sibling = JP_NO_SIBLING;
	ci->capacity = (__u16)tc->capacity;
	ci->kind = jp_kind_of(tc->kind, t->nr_kinds);
	ci->llc = (__u16)tc->llc;
	ci->cluster = (__u16)tc->cluster;
	if (tc->online && tc->sibling >= 0 && t->cpu[tc->sibling].online)
		ci->sibling = (__u16)tc->sibling;
	if (!tc->online && jtopo_like_is_guess(tc->like_source))
		ci->flags |= JP_CPU_GUESSED;
	if (tc->capacity > m->tables.max_capacity)
		m->tables.max_capacity = tc->capacity;
	m->cpu_kind[c] = tc->kind;
}

/*
 * The last word before the tables go to BPF: every CPU in exactly one
 * table domain, the one its entry names, with a capacity. The model's
 * checks should make this hold; a CPU in no domain or two, or of capacity
 * 0, would be misplaced for the whole run, so it is an error, not a fixup.
 */
static int check_tables(const struct joule_machine *m, char *err, size_t errlen)
{
	int in_pd[JP_MAX_CPUS];

	for (__u32 c = 0; c < m->tables.nr_cpus; c++)
		in_pd[c] = -1;
	for (__u32 p = 0; p < m->tables.nr_pds; p++) {
		const struct jp_pd *d = &m->tables.pd[p];

		for (__u32 i = 0; i < d->nr_cpus; i++) {
			__u32 c = d->cpus[i];

			if (c >= m->tables.nr_cpus) {
				snprintf(err, errlen, "scheduler domain #%u holds CPU %u of %u", p,
					 c, m->tables.nr_cpus);
				return -EINVAL;
			}
			if (in_pd[c] >= 0) {
				snprintf(err, errlen,
					 "CPU %u is in two scheduler domains, #%d and #%u", c,
					 in_pd[c], p);
				return -EINVAL;
			}
			in_pd[c] = (int)p;
		}
	}
	for (__u32 c = 0; c < m->tables.nr_cpus; c++) {
		const struct jp_cpu_info *ci = &m->tables.cpu[c];

		if (in_pd[c] < 0) {
			snprintf(err, errlen, "CPU %u is in no scheduler domain", c);
			return -EINVAL;
		}
		if (ci->pd != in_pd[c]) {
			snprintf(err, errlen,
				 "CPU %u is in scheduler domain #%d, its entry says #%u", c,
				 in_pd[c], ci->pd);
			return -EINVAL;
		}
		if (!ci->capacity) {
			snprintf(err, errlen, "CPU %u has capacity 0", c);
			return -EINVAL;
		}
	}
	return 0;
}

int joule_machine_from_model(struct joule_machine *m, const struct jtopo *t,
			     const struct jpower_model *em, int nr_cpus, char *err, size_t errlen)
{
	bool has_em = em->source != JPOWER_EM_NONE;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = check_nr_cpus(nr_cpus, err, errlen);
	if (ret)
		return ret;
	ret = model_covers_machine(t, nr_cpus, err, errlen);
	if (ret)
		return ret;
	m->tables.nr_cpus = (__u32)nr_cpus;
	for (int c = 0; c < nr_cpus; c++)
		model_cpu(m, t, c);
	ret = model_pds(m, t, em, err, errlen);
	if (!ret)
		ret = check_tables(m, err, errlen);
	if (ret)
		return ret;
	for (int k = 0; k < t->nr_kinds && k < JOULE_STATS_MAX_KINDS; k++) {
		snprintf(m->kind_label[k], sizeof(m->kind_label[k]), "%s", t->kind[k].name);
		m->kind_name[k] = m->kind_label[k];
	}
	m->has_energy_model = has_em;
	snprintf(m->source, sizeof(m->source),
		 "%s: %d CPUs%s, %d kind%s, %d domain%s, energy model %s", t->origin, t->nr_cpus,
		 t->nr_online < t->nr_cpus ? " (some offline at start)" : "", t->nr_kinds,
		 t->nr_kinds == 1 ? "" : "s", em->nr_pds, em->nr_pds == 1 ? "" : "s",
		 jpower_em_source_name(em->source));
	finish_view(m, t->nr_kinds < JOULE_STATS_MAX_KINDS ? t->nr_kinds : JOULE_STATS_MAX_KINDS);
	/* an artificial or abstract model's power is in no unit: place by it, estimate no energy */
	if (em->artificial || em->abstract_scale)
		m->view.power = NULL;
	return 0;
}
