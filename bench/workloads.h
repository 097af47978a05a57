/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * joule-bench's workloads. Each does fixed work units (a loop calibrated
 * once per joule-bench run, before any scheduler is compared), so the work
 * is the same under every scheduler and only time and energy differ.
 */
#ifndef BENCH_WORKLOADS_H
#define BENCH_WORKLOADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jtopo_fs.h"

#define WL_MAX_PERF 2

struct wl_params {
	double duration_s;   /* time-based workloads */
	double units_per_us; /* spin loop iterations per microsecond of CPU time */
	int nr_cpus;	     /* online CPUs */
	int build_jobs;	     /* parallel build: jobs of build_job_ms each */
	double build_job_ms;
	uint64_t seed;
	/* calib: load these CPUs (all if empty) at this share of each 10 ms period */
	struct jtopo_cpuset calib_cpus;
	double calib_util;
};

struct wl_result {
	double units; /* work done, in the workload's unit */
	double perf[WL_MAX_PERF];
};

struct wl_desc {
	const char *name;
	const char *unit; /* what one unit of work is */
	int nr_perf;
	const char *perf_name[WL_MAX_PERF];
	const char *perf_unit[WL_MAX_PERF];
	/* 0 on success, or -errno with a one-line reason in err */
	int (*run)(const struct wl_params *p, struct wl_result *r, char *err, size_t errlen);
};

extern const struct wl_desc wl_table[];
extern const int wl_count;

/* The workload called name, or NULL. */
const struct wl_desc *wl_find(const char *name);

/* Loop iterations per microsecond of this thread's CPU time. */
double wl_calibrate_units(void);

/* Spin for n units (the work unit of every workload). */
void wl_spin(uint64_t n);

/* Percentile q (0..100) of n values, by linear interpolation; sorts v. */
double wl_percentile(double *v, int n, double q);

#endif
