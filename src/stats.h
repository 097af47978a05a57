/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The stats the loader prints: per-CPU counters from the BPF side, turned
 * into one line (or one JSON object) per interval, by CPU kind.
 */
#ifndef STATS_H
#define STATS_H

#include <stdbool.h>
#include <stdio.h>

#include "joule.h"

#define JOULE_STATS_MAX_KINDS 8
#define JOULE_STATS_MAX_OPPS  16

/* Power of one CPU at each performance level, for the energy estimate. */
struct joule_cpu_power {
	int nr_opps;
	unsigned int perf[JOULE_STATS_MAX_OPPS]; /* 0..1024, ascending */
	double busy_mw[JOULE_STATS_MAX_OPPS];	 /* power of one busy CPU there */
	double idle_mw;
};

/* What the loader knows about the CPUs, from the machine model. */
struct joule_stats_view {
	int nr_cpus;
	int nr_kinds;
	const char *kind_name[JOULE_STATS_MAX_KINDS];
	const int *cpu_kind;		     /* nr_cpus entries */
	const struct joule_cpu_power *power; /* nr_cpus entries, or NULL: no estimate */
};

struct joule_stats_snapshot {
	int nr_cpus;
	double time_s;
	struct joule_stats *cpu; /* nr_cpus entries */
	bool *online;		 /* nr_cpus entries: online when read (all, until told) */
};

struct joule_interval {
	double seconds;
	double busy_share[JOULE_STATS_MAX_KINDS];  /* % of all busy time, per kind */
	double busy_util[JOULE_STATS_MAX_KINDS];   /* % of the kind's online CPU time busy */
	double perf_target[JOULE_STATS_MAX_KINDS]; /* mean speed asked while busy, 0..1024 */
	unsigned long long count[JOULE_NR_STATS];  /* events in the interval */
	double overutil_pct;
	/*
	 * Model estimate: each CPU's busy time at the power of the mean speed
	 * it asked for while busy, its idle time while online at idle power.
	 * Negative when there is no model.
	 */
	double energy_j;
};

int joule_stats_snapshot_alloc(struct joule_stats_snapshot *s, int nr_cpus);
void joule_stats_snapshot_free(struct joule_stats_snapshot *s);
/* Read the per-CPU stats map; time_s is the caller's clock. */
int joule_stats_read(int map_fd, struct joule_stats_snapshot *s, double time_s);
/* Which CPUs are online: bit c of words[c / 64] (the scheduler's own mask). */
void joule_stats_set_online(struct joule_stats_snapshot *s, const __u64 *words, int nr_words);
/*
 * cur becomes the start of the next interval: its counts, its time and
 * which CPUs were online (a CPU offline at both ends of an interval that
 * ran nothing is no capacity of its kind).
 */
void joule_stats_advance(struct joule_stats_snapshot *prev, const struct joule_stats_snapshot *cur);

void joule_stats_interval(const struct joule_stats_view *v, const struct joule_stats_snapshot *a,
			  const struct joule_stats_snapshot *b, struct joule_interval *out);
/*
 * One stats line on f: 0, or -errno (-EIO if none) if it did not all get written. source:
 * who chose the profile (joule_profile_source_name()).
 */
int joule_stats_print(FILE *f, const struct joule_stats_view *v, const struct joule_interval *iv,
		      const char *profile, const char *source, bool json);

/* Power of a CPU busy at perf: the lowest operating point that reaches perf. */
double joule_cpu_busy_mw(const struct joule_cpu_power *p, unsigned int perf);

#endif
