// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

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
