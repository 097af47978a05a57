/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A simulated machine: CPUs, their performance domains (PDs), operating
 * points with per-CPU power, idle states, DVFS delay and SMT behaviour.
 * Loaded from the .soc files in sim/socs/ (format: sim/model/soc.c).
 */
#ifndef SIM_SOC_H
#define SIM_SOC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_MAX_CPUS JOULE_MAX_CPUS /* the scheduler's ceiling (bpf/policy/base.h) */
#define SIM_MAX_PDS  8
#define SIM_MAX_OPPS 32 /* at most MODEL_MAX_OPPS */
#define SIM_NAME_LEN 48

enum sim_kind { SIM_KIND_LITTLE, SIM_KIND_MEDIUM, SIM_KIND_BIG };

struct sim_opp {
	uint32_t mhz;
	uint32_t capacity; /* 0..1024, 1024 = biggest CPU at its top OPP */
	double mw;	   /* active power of one CPU (core) at this OPP */
};

struct sim_pd {
	char name[SIM_NAME_LEN];
	enum sim_kind kind;
	uint32_t ipc; /* relative work per MHz (capacity-dmips-mhz) */
	uint32_t dpc; /* dynamic-power-coefficient, for opp mv= */
	uint32_t llc, cluster, smt;
	uint32_t nr_cpus;
	uint32_t cpus[SIM_MAX_CPUS];
	uint32_t nr_opps;
	struct sim_opp opps[SIM_MAX_OPPS]; /* ascending frequency */
	uint32_t dvfs_us;		   /* OPP change takes effect after this */
	double wfi_mw, sleep_mw;	   /* per-CPU idle power: shallow, deep */
	uint32_t wfi_exit_us, sleep_exit_us, sleep_min_us;
};

struct sim_cpu {
	uint32_t pd;
	int32_t sibling; /* SMT sibling, -1 if none */
	uint32_t capacity;
};

struct sim_soc {
	char name[SIM_NAME_LEN];
	uint32_t nr_cpus, nr_pds;
	uint32_t smt_speed_pct; /* per-thread speed while the sibling runs */
	uint32_t smt_power_pct; /* per-thread share of core power then */
	/*
	 * cpufreq skips the energy model's inefficient OPPs (schedutil resolves
	 * with CPUFREQ_RELATION_E once an energy model marked them): an Arm
	 * SoC whose OPP table registers one.
	 */
	bool efficient_opps;
	struct sim_cpu cpu[SIM_MAX_CPUS];
	struct sim_pd pd[SIM_MAX_PDS];
};

/*
 * Parse a .soc file. On error returns -1 and writes "file:line: what" into
 * err (never prints).
 */
int sim_soc_load(const char *path, struct sim_soc *soc, char *err, size_t errlen);
int sim_soc_parse(FILE *f, const char *name, struct sim_soc *soc, char *err, size_t errlen);

#endif /* SIM_SOC_H */
