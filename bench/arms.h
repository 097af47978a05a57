/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The schedulers compared: EEVDF (no sched_ext scheduler attached) and
 * scx_joule with one profile, which joule-bench starts and stops itself.
 */
#ifndef BENCH_ARMS_H
#define BENCH_ARMS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct scx_proc {
	pid_t pid;
	int out_fd; /* its stdout and stderr */
};

/*
 * Why scx_joule cannot be attached here at all (no sched_ext in this
 * kernel, not root, no binary), or NULL if it may be. bin is the path found.
 */
const char *scx_unavailable(const char *bin, char *why, size_t len);

/* An executable scx_joule: the given path, next to this program, or in PATH. */
int scx_find(const char *given, char *bin, size_t len);

/* Is a sched_ext scheduler attached now? Its ops name in ops if so. */
bool scx_attached(char *ops, size_t len);

/*
 * Run bin --profile profile and wait until it says it attached. On failure,
 * the last line it printed (its own reason) in why.
 */
int scx_start(const char *bin, const char *profile, struct scx_proc *p, char *why, size_t len);
/* SIGINT, then wait (SIGKILL after 10 s). Its exit status. */
int scx_stop(struct scx_proc *p);

#endif
