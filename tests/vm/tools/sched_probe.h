/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the test-only kernel probe (sched_probe.bpf.c) shares with its
 * loader (sched_probe.c): the size of its per-CPU tables, the record of a
 * task's waits and of the requests it started to run with.
 */
#ifndef SCHED_PROBE_H
#define SCHED_PROBE_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define PROBE_MAX_CPUS	 64
#define PROBE_MAX_STARTS 512 /* requests kept per watched thread (mode starts) */

struct wait_stat {
	__u64 since; /* when it last became runnable; 0 while it runs or sleeps */
	__u64 count;
	__u64 total_ns;
	__u64 max_ns;
};

/*
 * Mode longest: the longest wait to run that one CPU saw (the task switched
 * in after it), and how many waits it saw over 100 ms and over 1 s.
 */
struct longest_wait {
	__u64 wait_ns;
	__u64 at_ns; /* CLOCK_MONOTONIC when the wait ended */
	__u32 pid;
	char comm[16];
	__u32 pad;
	__u64 waits;
	__u64 over_100ms;
	__u64 over_1s;
};

/* Mode longest: every task of one name's waits to run (by comm). */
#define PROBE_MAX_COMMS 512

struct comm_key {
	char comm[16];
};

struct comm_waits {
	__u64 waits;
	__u64 total_ns;
	__u64 max_ns;
	__u64 over_100ms;
	/* of those, the waits that began with the task switched out still runnable */
	__u64 max_requeued_ns;
	__u64 over_100ms_requeued;
};

/* A watched thread's CPU's frequency request each time it started to run. */
struct start_stat {
	__u32 count;
	__u32 request[PROBE_MAX_STARTS];
};

#endif /* SCHED_PROBE_H */
