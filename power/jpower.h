/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Frequency domains (cpufreq) and the energy model of a machine.
 *
 * cpufreq: per policy, the CPUs it covers, hardware min/max, the available
 * frequencies, driver and governor. This machine is read through
 * libcpupower; a recorded root directory through the same sysfs files
 * (libcpupower has its paths built in, so jpower_cpufreq_read() is the thin
 * adapter that picks one or the other).
 *
 * Performance domains (PDs) are the cpufreq policies. Drivers with one
 * policy per CPU (intel_pstate, amd-pstate) get one PD per CPU kind instead,
 * as the kernel's intel_pstate energy model does; without cpufreq, one PD
 * per kind with no operating points.
 *
 * Energy model: per PD, operating points (OPPs) ascending by frequency with
 * the capacity at that frequency, power and the kernel's cost
 *     cost = power * f_max / f
 * (energy per unit of work, scaled to the top OPP), plus per-CPU idle power.
 * An OPP is inefficient, as the kernel marks it, when a higher-frequency OPP
 * of its PD costs no more per unit of work. Sources, in order: a
 * model file the user gave (--energy-model, format in docs/energy-model.md),
 * the kernel's energy model in debugfs, or a model derived from frequencies
 * and capacities (formula in docs/energy-model.md).
 */
#ifndef JPOWER_H
#define JPOWER_H

#include <stdbool.h>
#include <stdio.h>

#include "jtopo.h"

#define JPOWER_MAX_POLICIES JTOPO_MAX_CPUS
#define JPOWER_MAX_FREQS    64
/* Any source may list a domain per CPU (intel_pstate's energy model does). */
#define JPOWER_MAX_PDS JTOPO_MAX_CPUS
/* What the scheduler's tables hold (bpf/policy.h JP_MAX_PDS, JP_MAX_PD_CPUS). */
#define JPOWER_MAX_SCHED_PDS	 16
#define JPOWER_MAX_SCHED_PD_CPUS JTOPO_MAX_CPUS
#define JPOWER_MAX_OPPS		 64
#define JPOWER_NAME_LEN		 32

struct jpower_policy {
	struct jtopo_cpuset cpus;  /* related_cpus: all CPUs the policy covers */
	unsigned min_khz, max_khz; /* cpuinfo_{min,max}_freq */
	int nr_freqs;
	unsigned freq_khz[JPOWER_MAX_FREQS]; /* available, ascending; 0 if not listed */
	char driver[JPOWER_NAME_LEN];
	char governor[JPOWER_NAME_LEN];
};

struct jpower_cpufreq {
	int nr_policies;
	struct jpower_policy policy[JPOWER_MAX_POLICIES];
	bool via_libcpupower;
};

/*
 * cpufreq of root (NULL or "/": this machine, through libcpupower). No
 * cpufreq at all is not an error: nr_policies is 0. Errors name the file;
 * -ENODATA when some online CPUs have cpufreq and others none (a cluster
 * whose driver failed to probe, or has not probed yet).
 */
int jpower_cpufreq_read(struct jpower_cpufreq *cf, const struct jtopo *t, const char *root,
			char *err, size_t errlen);

/*
 * Does cpufreq ignore the scheduler's frequency requests? Only schedutil
 * reads them: with intel_pstate or amd-pstate in active (EPP) mode, or any
 * other governor, the frequency is chosen elsewhere. Returns false when
 * every policy runs schedutil (or there is no cpufreq); else true, with one
 * line in why saying which driver and governor, and how to hand frequency
 * to the scheduler.
 */
bool jpower_requests_ignored(const struct jpower_cpufreq *cf, char *why, size_t len);

struct jpower_opp {
	unsigned khz;
	unsigned capacity; /* of one CPU of the PD at this frequency, 0..1024 */
	double power_mw;   /* of one busy CPU */
	double cost;	   /* power * f_max / f, in mW */
	bool inefficient;
};

enum jpower_em_source {
	JPOWER_EM_NONE,
	JPOWER_EM_DEBUGFS,
	JPOWER_EM_FILE,
	JPOWER_EM_DERIVED,
};

struct jpower_pd {
	char name[JPOWER_NAME_LEN];
	struct jtopo_cpuset cpus;
	int kind;	   /* jtopo kind of its CPUs (the biggest if mixed) */
	unsigned capacity; /* of its biggest CPU at the top OPP */
	double idle_mw;	   /* one idle CPU (shallow idle) */
	int nr_grouped;	   /* source domains with this same table (jpower_em_fit) */
	int nr_merged;	   /* other distinct tables folded in to fit the scheduler */
	int nr_opps;
	struct jpower_opp opp[JPOWER_MAX_OPPS];
};

struct jpower_model {
	enum jpower_em_source source;
	char origin[256];
	char why[192];	     /* why this source (jpower_model_build), for --show-topology */
	char warning[256];   /* the kernel's model refused and why ("" if not), for the caller */
	bool artificial;     /* the kernel's model gave costs, not power: power is cost-derived */
	bool abstract_scale; /* the kernel's model in a unit of its driver's, not microwatts */
	int nr_distinct;     /* distinct domains before jpower_em_fit merged any */
	int nr_pds;
	struct jpower_pd pd[JPOWER_MAX_PDS];
};

/*
 * The performance domains with their frequencies and no power yet (source
 * NONE): from the cpufreq policies as described above.
 */
int jpower_domains(struct jpower_model *em, const struct jtopo *t, const struct jpower_cpufreq *cf,
		   char *err, size_t errlen);

/*
 * No cpufreq on a machine with several kinds (VMs, boards without a cpufreq
 * driver, intel_pstate=disable): give the per-kind domains of
 * jpower_domains() a few OPPs at fractions of each kind's top frequency
 * (hwloc's FrequencyMaxMHz, else one nominal frequency for all), for
 * jpower_em_derive(). how says which; -ENOENT with a single kind.
 */
int jpower_domains_estimate(struct jpower_model *em, const struct jtopo *t, char *how, size_t len);

/* The kernel's energy model under root/sys/kernel/debug/energy_model; -ENOENT if absent. */
int jpower_em_debugfs(struct jpower_model *em, const struct jtopo *t, const char *root, char *err,
		      size_t errlen);

/* A model file (docs/energy-model.md); errors name the file and line. */
int jpower_em_load(struct jpower_model *em, const struct jtopo *t, const char *path, char *err,
		   size_t errlen);
int jpower_em_parse(struct jpower_model *em, const struct jtopo *t, FILE *f, const char *name,
		    char *err, size_t errlen);

/* Power for the OPPs of domains from jpower_domains(), by the documented formula. */
int jpower_em_derive(struct jpower_model *em, const struct jtopo *t, char *err, size_t errlen);

/* Costs and inefficient flags from power; capacities from the CPUs' and f/f_max. */
void jpower_em_finish(struct jpower_model *em, const struct jtopo *t);

/*
 * One scheduling domain per distinct table: domains of the same kind,
 * capacity, idle power and OPP table are grouped (per-CPU models of Intel
 * hybrids); if the scheduler's tables still cannot hold them, the closest
 * (same kind first, then nearest capacity) are merged, keeping the bigger
 * one's table. Never fails.
 */
void jpower_em_fit(struct jpower_model *em, const struct jtopo *t);

/*
 * Write em in the model-file format; jpower_em_load() reads it back. With
 * t, each domain also lists t's offline CPUs whose cpufreq policy or
 * cluster shows they share it, so that a file written with CPUs offline
 * (nosmt, one CPU switched off) still loads once they are online; NULL: the
 * domains' online CPUs only.
 */
int jpower_em_write(const struct jpower_model *em, const struct jtopo *t, FILE *f);

const char *jpower_em_source_name(enum jpower_em_source s);

/*
 * The whole model as scx_joule builds it: cpufreq, domains, then the energy
 * model: em_file when given (it must parse; the kernel's is then ignored),
 * else the first source present (debugfs under root, derived). em->why says
 * which and why.
 */
int jpower_model_build(struct jpower_model *em, struct jpower_cpufreq *cf, const struct jtopo *t,
		       const char *root, const char *em_file, char *err, size_t errlen);

/*
 * The same for a topology read from an hwloc XML alone: no cpufreq and no
 * kernel model, since this machine's need not be the XML's (em_file, or a
 * model derived from the XML's kinds).
 */
int jpower_model_build_alone(struct jpower_model *em, struct jpower_cpufreq *cf,
			     const struct jtopo *t, const char *em_file, char *err, size_t errlen);

#endif
