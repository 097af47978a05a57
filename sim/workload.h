/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace-like workload descriptions (the .wl files in sim/workloads/). Work is given as
 * run time at capacity 1024 (the biggest CPU at its top OPP): a task with
 * work=4ms needs 8 ms on a CPU running at capacity 512.
 */
#ifndef SIM_WORKLOAD_H
#define SIM_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define WL_MAX_SPECS   32
#define WL_MAX_THREADS 256
#define WL_NAME_LEN    48

enum wl_kind {
	WL_PERIODIC,  /* released every period, work per release */
	WL_TRIGGERED, /* released when another task finishes a job (wakes=) */
	WL_BURSTY,    /* exponential bursts of work separated by exponential gaps */
	WL_BATCH,     /* workers draining a pool of CPU-bound jobs */
	WL_HOG,	      /* never sleeps: one endless job from phase= on */
};

struct wl_spec {
	char name[WL_NAME_LEN];
	enum wl_kind kind;
	uint64_t period_ns, work_ns, deadline_ns, phase_ns, gap_ns, think_ns;
	uint64_t busy_after_ns; /* periodic: a hog from its first release at or after this */
	uint32_t jitter_pct;	/* work varies uniformly by +-jitter */
	uint32_t count;		/* threads running this spec */
	uint32_t jobs;		/* batch: jobs in the pool */
	int32_t wakes;		/* spec woken when a job completes, -1 none */
	char wakes_name[WL_NAME_LEN];
};

struct wl {
	char name[WL_NAME_LEN];
	uint64_t duration_ns;
	uint32_t nr_specs;
	uint32_t nr_threads;
	struct wl_spec spec[WL_MAX_SPECS];
};

/*
 * Does spec sp wake a stage that has a deadline, so that with its own
 * deadline both make one chain due together (main, then the render thread)?
 * The simulator's oracle and its chain bound (chain_bound.h) both ask.
 */
static inline bool wl_spec_wakes_deadline_stage(const struct wl *w, const struct wl_spec *sp)
{
	return sp->wakes >= 0 && (uint32_t)sp->wakes < w->nr_specs &&
	       w->spec[sp->wakes].deadline_ns;
}

/* On error returns -1 with "file:line: what" in err (never prints). */
int wl_load(const char *path, struct wl *w, char *err, size_t errlen);
int wl_parse(FILE *f, const char *name, struct wl *w, char *err, size_t errlen);

#endif /* SIM_WORKLOAD_H */
