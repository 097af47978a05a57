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
	/* every possible CPU has an entry: which are online, the BPF side asks the kernel */
	struct jp_tables tables;
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
 */
int joule_machine_homogeneous(struct joule_machine *m, int nr_cpus, char *err, size_t errlen);

struct sim_soc;
/*
 * A machine described by a model file (sim/socs/ format: domains, CPUs, OPPs
 * with power): what the simulator runs on, mapped onto this machine's CPUs
 * 0..N-1, online or not.
 */
int joule_machine_from_soc(struct joule_machine *m, const struct sim_soc *soc, int nr_cpus,
			   char *err, size_t errlen);

struct jtopo;
struct jpower_model;
/*
 * The machine model built by topology/ and power/ (this machine, a recorded
 * root or an hwloc XML): it must describe every one of this machine's
 * nr_cpus possible CPUs, online in it or not (an offline CPU's entry is that
 * of the online CPU it is like: jtopo_cpu.like), so a recorded hybrid
 * machine can be laid over a VM's CPUs. Without operating points (no
 * cpufreq) every domain gets one OPP and there is no energy estimate.
 */
int joule_machine_from_model(struct joule_machine *m, const struct jtopo *t,
			     const struct jpower_model *em, int nr_cpus, char *err, size_t errlen);

#endif
