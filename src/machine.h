/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the loader hands the BPF scheduler and the stats printer about this
 * machine: the policy tables (capacities, performance domains, operating
 * points) and, per CPU, its kind and power for the energy estimate.
 */
#ifndef MACHINE_H
#define MACHINE_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "stats.h"

struct joule_machine {
	struct jp_tables tables;
	__u64 online[JP_MASK_WORDS];
	int cpu_kind[JP_MAX_CPUS];
	const char *kind_name[JOULE_STATS_MAX_KINDS];
	struct joule_cpu_power power[JP_MAX_CPUS];
	bool has_energy_model;
	char kind_label[JOULE_STATS_MAX_KINDS][16];
	struct joule_stats_view view;
	char source[384]; /* where the description came from, for the log */
};

/*
 * Every possible CPU as one domain of equal CPUs at capacity 1024, with no
 * energy model: what a machine without heterogeneity information gets.
 * online_list is a sysfs CPU list ("0-3,5"); NULL means all nr_cpus.
 */
int joule_machine_homogeneous(struct joule_machine *m, int nr_cpus, const char *online_list,
			      char *err, size_t errlen);

struct sim_soc;
/*
 * A machine described by a model file (sim/socs/ format: domains, CPUs, OPPs
 * with power): what the simulator runs on, mapped onto this machine's CPUs
 * 0..N-1. The CPUs it names must be online here (online_list).
 */
int joule_machine_from_soc(struct joule_machine *m, const struct sim_soc *soc, int nr_cpus,
			   const char *online_list, char *err, size_t errlen);

struct jtopo;
struct jpower_model;
/*
 * The machine model built by topology/ and power/ (this machine, a recorded
 * root or an hwloc XML): its online CPUs must be exactly this machine's
 * online CPUs (online_list), so a recorded hybrid machine can be laid over
 * a VM's CPUs. Without operating points (no cpufreq) every domain gets one
 * OPP and there is no energy estimate.
 */
int joule_machine_from_model(struct joule_machine *m, const struct jtopo *t,
			     const struct jpower_model *em, int nr_cpus, const char *online_list,
			     char *err, size_t errlen);

/* A sysfs CPU list ORed into mask (jtopo_parse_cpulist); -EINVAL on syntax errors or CPUs >= max.
 */
int joule_parse_cpulist(const char *list, __u64 *mask, int max_cpus);

#endif
