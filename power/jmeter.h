/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Energy meters: how much energy the machine used between two reads.
 *
 * Sources, tried in this order unless one is asked for:
 *  1. RAPL through powercap: sys/class/powercap/intel-rapl:N (package-N, psys)
 *     and its subzones intel-rapl:N:M (core, uncore, dram). Counters wrap at
 *     max_energy_range_uj. AMD Zen exposes the same tree.
 *  2. The perf "power" PMU: events/energy-pkg with .scale (J per count),
 *     read with perf_event_open on the CPUs in its cpumask.
 *  3. turbostat, run as a child; its PkgWatt column times its interval.
 *  4. The batteries (every BAT*, none Charging, one Discharging): the fall
 *     in energy_now (uWh), else the charge that left (charge_now, uAh)
 *     times the mean voltage_now (uV), else power_now (uW) integrated
 *     between reads.
 *
 * The total is the sum of the package channels (RAPL, perf), PkgWatt
 * (turbostat) or the batteries; other channels (core, dram, psys, CorWatt)
 * are reported beside it. Errors are returned with a one-line message in
 * err, never printed.
 */
#ifndef JMETER_H
#define JMETER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jmeter_kind {
	JMETER_AUTO,
	JMETER_RAPL,
	JMETER_PERF,
	JMETER_TURBOSTAT,
	JMETER_BATTERY,
};

struct jmeter_opts {
	const char *root;      /* NULL: this machine; else a directory holding sys/ */
	enum jmeter_kind only; /* JMETER_AUTO: the first source that works */
	const char
		*turbostat; /* command; NULL: "turbostat" from PATH, and only when root is NULL */
	double turbostat_interval; /* seconds; 0 means 1 */
};

struct jmeter;

/*
 * The first source that works. -ENOENT when there is none: err then lists why
 * each was passed over.
 */
int jmeter_open(struct jmeter **out, const struct jmeter_opts *o, char *err, size_t errlen);
/* Energy used since jmeter_open(), in joules. -ERANGE if a counter went backwards. */
int jmeter_read(struct jmeter *m, double *joules, char *err, size_t errlen);
void jmeter_close(struct jmeter *m);

enum jmeter_kind jmeter_kind(const struct jmeter *m);
const char *jmeter_kind_name(enum jmeter_kind k);
/* What is measured, e.g. "RAPL (powercap): package-0 [intel-rapl:0]". */
const char *jmeter_describe(const struct jmeter *m);
/* Energy per channel since open, as of the last jmeter_read(). */
int jmeter_nr_channels(const struct jmeter *m);
const char *jmeter_channel_name(const struct jmeter *m, int i);
double jmeter_channel_joules(const struct jmeter *m, int i);
/* turbostat's last summary row: a column's value, NAN if absent */
double jmeter_turbostat_last(const struct jmeter *m, const char *column);
/* turbostat rows read so far, the one dropped at the start included */
int jmeter_turbostat_rows(const struct jmeter *m);

/*
 * A wrapping counter's advance from prev to cur, both at most range: RAPL's
 * max_energy_range_uj is the counter's all-ones value in the same units, so
 * the counter reaches it. A wrap that would mean more than half the range
 * was used is taken as the counter going backwards: -ERANGE.
 */
int jmeter_counter_delta(uint64_t prev, uint64_t cur, uint64_t range, uint64_t *delta);

/* ---- turbostat text (man turbostat: tab-separated columns, a header row) ---- */

#define JMETER_TSTAT_COLS 48

struct jmeter_tstat {
	int nr_cols;
	char col[JMETER_TSTAT_COLS][24];
	double val[JMETER_TSTAT_COLS];
	int rows; /* data rows parsed */
};

/*
 * One line of output: a header (column names) or a row of numbers under the
 * last header. Returns 1 for a row, 0 for a header or blank line, -EINVAL
 * for a row before any header or whose width does not match it.
 */
int jmeter_tstat_line(struct jmeter_tstat *t, const char *line);
double jmeter_tstat_get(const struct jmeter_tstat *t, const char *column);

/* ---- perf power PMU event description ---- */

struct jmeter_perf_event {
	uint32_t type;
	uint64_t config;
	double scale; /* joules per count */
	char cpumask[64];
};

/* sys/bus/event_source/devices/power under root, event NAME ("energy-pkg"). */
int jmeter_perf_event_read(const char *root, const char *name, struct jmeter_perf_event *ev,
			   char *err, size_t errlen);

#endif
