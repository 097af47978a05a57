/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Medians with distribution-free confidence intervals, and the run records
 * joule-bench writes (CSV, markdown).
 */
#ifndef BENCH_SUMMARY_H
#define BENCH_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "workloads.h"

struct median_ci {
	double median, lo, hi;
	double coverage; /* of [lo, hi] for the true median, 0..1 */
	int n;
};

/*
 * The median of n values and an interval from order statistics: the k-th
 * smallest and k-th largest, k the largest rank for which the interval
 * covers the median with probability >= level (the binomial(n, 1/2) tails).
 * With too few runs for that level (n < 6 for 95%), the widest interval,
 * min to max, and its smaller coverage. Sorts v.
 */
void median_ci(double *v, int n, double level, struct median_ci *out);

struct run_rec {
	const struct wl_desc *wl;
	char arm[32];
	int repeat;
	double seconds, energy_j;
	struct wl_result res;
	char state_change[160]; /* empty if the machine stayed as it was */
	char channels[256];	/* the meter's other channels: "package-0/core=1.234;..." */
};

void summary_csv_header(FILE *f);
void summary_csv_row(FILE *f, const struct run_rec *r);

struct report_info {
	const char *meter;
	const char *host;
	double units_per_us;
	int repeats;
	double duration_s, cooldown_s;
	const char *arms_skipped; /* why scx_joule arms were skipped, or NULL */
	const char *state_note;	  /* machine-state check summary */
	const char *plots;	  /* what happened to the plots */
};

/* The markdown report: one table per workload, arms in the order given. */
void summary_markdown(FILE *f, const struct report_info *info, const struct run_rec *runs, int n,
		      char arms[][32], int nr_arms);

#endif
