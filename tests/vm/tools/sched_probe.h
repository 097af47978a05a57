/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the test-only kernel probe (sched_probe.bpf.c) shares with its
 * loader (sched_probe.c): the size of its per-CPU tables.
 */
#ifndef SCHED_PROBE_H
#define SCHED_PROBE_H

#define PROBE_MAX_CPUS 64

#endif /* SCHED_PROBE_H */
