// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "machine.h"
#include "soc.h"

int joule_parse_cpulist(const char *list, __u64 *mask, int max_cpus)
{
	const char *p = list;

	while (*p && *p != '\n') {
		char *end;
		long lo, hi;

		lo = strtol(p, &end, 10);
		if (end == p || lo < 0)
			return -EINVAL;
		hi = lo;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				return -EINVAL;
			p = end;
		}
		if (hi >= max_cpus)
			return -EINVAL;
		for (long c = lo; c <= hi; c++)
			mask[c / 64] |= 1ULL << (c % 64);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
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

int joule_machine_homogeneous(struct joule_machine *m, int nr_cpus, const char *online_list,
			      char *err, size_t errlen)
{
	struct jp_pd *pd;

	memset(m, 0, sizeof(*m));
	if (nr_cpus <= 0 || nr_cpus > JP_MAX_CPUS) {
		snprintf(err, errlen, "%d CPUs: scx_joule supports 1 to %d", nr_cpus, JP_MAX_CPUS);
		return -EINVAL;
	}
	if (online_list && joule_parse_cpulist(online_list, m->online, nr_cpus)) {
		snprintf(err, errlen, "cannot parse the online CPU list '%s'", online_list);
		return -EINVAL;
	}
	if (!online_list)
		for (int c = 0; c < nr_cpus; c++)
			m->online[c / 64] |= 1ULL << (c % 64);

	m->tables.nr_cpus = (__u32)nr_cpus;
	/* a domain holds at most JP_MAX_PD_CPUS CPUs: split big machines */
	m->tables.nr_pds = (__u32)((nr_cpus + JP_MAX_PD_CPUS - 1) / JP_MAX_PD_CPUS);
	m->tables.max_capacity = JP_SCALE;
	for (int c = 0; c < nr_cpus; c++) {
		pd = &m->tables.pd[c / JP_MAX_PD_CPUS];
		pd->nr_opps = 1;
		pd->max_capacity = JP_SCALE;
		pd->opps[0].capacity = JP_SCALE;
		pd->opps[0].cost = 1;
		pd->cpus[pd->nr_cpus++] = (__u16)c;
		m->tables.cpu[c].capacity = JP_SCALE;
		m->tables.cpu[c].kind = JP_KIND_BIG;
		m->tables.cpu[c].pd = (__u8)(c / JP_MAX_PD_CPUS);
		m->tables.cpu[c].sibling = JP_NO_SIBLING;
	}
	m->kind_name[0] = "cpu";
	snprintf(m->source, sizeof(m->source), "homogeneous: %d CPUs of capacity 1024", nr_cpus);
	finish_view(m, 1);
	return 0;
}

static const char *const kind_names[] = {"little", "medium", "big"};

static void soc_power(struct joule_machine *m, const struct sim_soc *soc)
{
	for (__u32 c = 0; c < soc->nr_cpus && c < JP_MAX_CPUS; c++) {
		const struct sim_pd *pd = &soc->pd[soc->cpu[c].pd];
		struct joule_cpu_power *pw = &m->power[c];
		__u32 top = pd->opps[pd->nr_opps - 1].capacity;

		pw->idle_mw = pd->wfi_mw;
		for (__u32 i = 0; i < pd->nr_opps && i < JOULE_STATS_MAX_OPPS; i++) {
			/* perf is relative to this CPU's own top OPP, as cpuperf is */
			pw->perf[i] = top ? pd->opps[i].capacity * JP_SCALE / top : JP_SCALE;
			pw->busy_mw[i] = pd->opps[i].mw;
			pw->nr_opps = (int)i + 1;
		}
	}
}

int joule_machine_from_soc(struct joule_machine *m, const struct sim_soc *soc, int nr_cpus,
			   const char *online_list, char *err, size_t errlen)
{
	__u64 online[JP_MASK_WORDS] = {0};
	int nr_kinds = 0;

	memset(m, 0, sizeof(*m));
	if ((int)soc->nr_cpus > nr_cpus) {
		snprintf(err, errlen, "model '%s' describes %u CPUs; this machine has %d",
			 soc->name, soc->nr_cpus, nr_cpus);
		return -EINVAL;
	}
	if (online_list && joule_parse_cpulist(online_list, online, nr_cpus)) {
		snprintf(err, errlen, "cannot parse the online CPU list '%s'", online_list);
		return -EINVAL;
	}
	for (__u32 c = 0; c < soc->nr_cpus; c++) {
		if (online_list && !(online[c / 64] & (1ULL << (c % 64)))) {
			snprintf(err, errlen, "model '%s' places CPU %u, which is offline here",
				 soc->name, c);
			return -EINVAL;
		}
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
		if (present)
			m->kind_name[nr_kinds++] = kind_names[kind];
	}
	for (__u32 c = 0; c < soc->nr_cpus; c++)
		m->online[c / 64] |= 1ULL << (c % 64);
	soc_power(m, soc);
	m->has_energy_model = true;
	snprintf(m->source, sizeof(m->source), "model %s: %u CPUs in %u domains", soc->name,
		 soc->nr_cpus, soc->nr_pds);
	finish_view(m, nr_kinds);
	return 0;
}
