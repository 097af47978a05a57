/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per run, the CPU-seconds each performance domain was busy at each of its
 * operating points: busy time per CPU from /proc/stat, split over
 * frequencies by cpufreq's stats/time_in_state where the driver keeps it,
 * else by scaling_cur_freq sampled during the run (intel_pstate and
 * amd-pstate keep no time_in_state). What calibration fits against.
 */
#ifndef BENCH_RESIDENCY_H
#define BENCH_RESIDENCY_H

#include <stdio.h>

#include "jfit.h"
#include "jpower.h"

/* the model's ceiling: a CPU beyond it is in no domain */
#define RES_MAX_CPUS JTOPO_MAX_CPUS

struct residency {
	const struct jpower_model *em;
	const char *root; /* sysfs root of the cpufreq files; NULL: this machine */
	unsigned long long busy0[RES_MAX_CPUS];
	double tis0[JPOWER_MAX_PDS][JPOWER_MAX_OPPS]; /* time_in_state at the start, s */
	double tis1[JPOWER_MAX_PDS][JPOWER_MAX_OPPS];
	double samples[JPOWER_MAX_PDS][JPOWER_MAX_OPPS];
	const char *how[JPOWER_MAX_PDS];
};

void residency_start(struct residency *r, const struct jpower_model *em, const char *root);
/* A sample of the current frequencies (used where there is no time_in_state). */
void residency_sample(struct residency *r);
/* The run's busy CPU-seconds per domain and OPP into o->busy_s. */
void residency_finish(struct residency *r, struct jfit_obs *o);

/* Rows "run,seconds,energy_j,domain,khz,busy_s" of one run. */
void residency_csv(FILE *f, int run, const struct jpower_model *em, const struct jfit_obs *o);
/*
 * Runs from such a file, matched to em's domains and OPPs (nearest
 * frequency). Errors name the file and line.
 */
int residency_csv_read(const char *path, const struct jpower_model *em, struct jfit_obs **obs,
		       int *n, char *err, size_t errlen);

#endif
