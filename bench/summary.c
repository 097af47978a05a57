// SPDX-License-Identifier: GPL-2.0-only
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

#define MAX_RUNS_PER_CELL 1024

/* P(X <= k) for X ~ binomial(n, 1/2) */
static double binom_half_cdf(int k, int n)
{
	double term = pow(0.5, n), sum = 0;

	for (int i = 0; i <= k; i++) {
		sum += term;
		term = term * (n - i) / (i + 1);
	}
	return sum;
}

void median_ci(double *v, int n, double level, struct median_ci *out)
{
	int k = 1;

	memset(out, 0, sizeof(*out));
	out->n = n;
	if (n <= 0) {
		out->median = out->lo = out->hi = NAN;
		return;
	}
	out->median = wl_percentile(v, n, 50); /* sorts v */
	/*
	 * [v_k, v_{n+1-k}] misses the median when fewer than k values lie below
	 * it or fewer than k above: probability 2 P(X <= k-1).
	 */
	while (k + 1 <= (n + 1) / 2 && 1 - 2 * binom_half_cdf(k, n) >= level)
		k++;
	out->lo = v[k - 1];
	out->hi = v[n - k];
	out->coverage = 1 - 2 * binom_half_cdf(k - 1, n);
}

void summary_csv_header(FILE *f)
{
	fprintf(f, "workload,arm,repeat,seconds,energy_j,units,unit,j_per_unit,perf1_name,perf1,"
		   "perf1_unit,perf2_name,perf2,perf2_unit,state_change,channels_j\n");
}

void summary_csv_row(FILE *f, const struct run_rec *r)
{
	/* repeat from 1, as the console's "#1" and the state-change error count */
	fprintf(f, "%s,%s,%d,%.3f,%.4f,%.3f,%s,%.6f", r->wl->name, r->arm, r->repeat + 1,
		r->seconds, r->energy_j, r->res.units, r->wl->unit,
		r->res.units > 0 ? r->energy_j / r->res.units : NAN);
	for (int i = 0; i < WL_MAX_PERF; i++) {
		if (i < r->wl->nr_perf)
			fprintf(f, ",%s,%.3f,%s", r->wl->perf_name[i], r->res.perf[i],
				r->wl->perf_unit[i]);
		else
			fprintf(f, ",,,");
	}
	fprintf(f, ",\"%s\",\"%s\"\n", r->state_change, r->channels);
}

enum { COL_ENERGY = -2, COL_PER_UNIT = -1 };

/* Values of one column for one workload and arm. */
static int collect(const struct run_rec *runs, int n, const struct wl_desc *wl, const char *arm,
		   int col, double *out)
{
	int m = 0;

	for (int i = 0; i < n && m < MAX_RUNS_PER_CELL; i++) {
		const struct run_rec *r = &runs[i];

		if (r->wl != wl || strcmp(r->arm, arm))
			continue;
		if (col == COL_ENERGY)
			out[m++] = r->energy_j;
		else if (col == COL_PER_UNIT)
			out[m++] = r->res.units > 0 ? r->energy_j / r->res.units : NAN;
		else
			out[m++] = r->res.perf[col];
	}
	return m;
}

static void cell(FILE *f, const struct median_ci *c, const char *fmt)
{
	char buf[64];

	fputs(" | ", f);
	snprintf(buf, sizeof(buf), fmt, c->median);
	fputs(buf, f);
	fputs(" [", f);
	snprintf(buf, sizeof(buf), fmt, c->lo);
	fputs(buf, f);
	fputs(", ", f);
	snprintf(buf, sizeof(buf), fmt, c->hi);
	fputs(buf, f);
	fputs("]", f);
}

static void workload_table(FILE *f, const struct wl_desc *wl, const struct run_rec *runs, int n,
			   char arms[][32], int nr_arms)
{
	static double v[MAX_RUNS_PER_CELL];
	double base_energy = NAN;
	struct median_ci c;

	fprintf(f, "\n### %s\n\n| arm | runs | energy J | J per %s | vs EEVDF", wl->name, wl->unit);
	for (int p = 0; p < wl->nr_perf; p++)
		fprintf(f, " | %s (%s)", wl->perf_name[p], wl->perf_unit[p]);
	fprintf(f, " | CI coverage |\n|---|---|---|---|---");
	for (int p = 0; p < wl->nr_perf; p++)
		fprintf(f, "|---");
	fprintf(f, "|---|\n");
	for (int a = 0; a < nr_arms; a++) {
		int m = collect(runs, n, wl, arms[a], COL_ENERGY, v);

		if (!m)
			continue;
		median_ci(v, m, 0.95, &c);
		if (a == 0 && !strcmp(arms[a], "eevdf"))
			base_energy = c.median;
		fprintf(f, "| %s | %d", arms[a], m);
		cell(f, &c, "%.2f");
		collect(runs, n, wl, arms[a], COL_PER_UNIT, v);
		median_ci(v, m, 0.95, &c);
		cell(f, &c, "%.4f");
		collect(runs, n, wl, arms[a], COL_ENERGY, v);
		median_ci(v, m, 0.95, &c);
		if (isnan(base_energy) || a == 0)
			fprintf(f, " | -");
		else
			fprintf(f, " | %+.1f%%", 100.0 * (c.median - base_energy) / base_energy);
		for (int p = 0; p < wl->nr_perf; p++) {
			collect(runs, n, wl, arms[a], p, v);
			median_ci(v, m, 0.95, &c);
			cell(f, &c, "%.2f");
		}
		fprintf(f, " | %.0f%% |\n", 100 * c.coverage);
	}
}

void summary_markdown(FILE *f, const struct report_info *info, const struct run_rec *runs, int n,
		      char arms[][32], int nr_arms)
{
	fprintf(f, "# joule-bench report\n\n");
	fprintf(f, "- machine: %s\n- energy source: %s\n", info->host, info->meter);
	fprintf(f,
		"- work unit: %.1f spin iterations per microsecond (calibrated before the runs)\n",
		info->units_per_us);
	fprintf(f, "- %d repeats per arm, alternated; %.0f s per timed workload; %.0f s cooldown\n",
		info->repeats, info->duration_s, info->cooldown_s);
	fprintf(f, "- arms:");
	for (int a = 0; a < nr_arms; a++)
		fprintf(f, " %s", arms[a]);
	fprintf(f, "\n");
	if (info->arms_skipped)
		fprintf(f, "- scx_joule arms skipped: %s\n", info->arms_skipped);
	fprintf(f, "- machine state: %s\n", info->state_note);
	fprintf(f, "- plots: %s\n", info->plots);
	fprintf(f, "\nEach cell: median [95%% interval for the median, from order statistics]. "
		   "\"CI coverage\" is the interval's exact coverage; below 95%% there are too few "
		   "runs and the interval is min to max. \"vs EEVDF\" compares median energy.\n");
	for (int w = 0; w < wl_count; w++) {
		bool any = false;

		for (int i = 0; i < n && !any; i++)
			any = runs[i].wl == &wl_table[w];
		if (any)
			workload_table(f, &wl_table[w], runs, n, arms, nr_arms);
	}
}
