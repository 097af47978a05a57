/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What must not change between runs that are compared: AC or battery,
 * thermal throttling, turbo. Read from sysfs under a root (a recorded tree in
 * tests); a figure the machine does not expose is -1 and never "changes".
 */
#ifndef BENCH_MACHINE_STATE_H
#define BENCH_MACHINE_STATE_H

#include <stddef.h>

struct machine_state {
	int ac_online;		   /* a Mains/USB supply online: 1, 0, or -1 with none */
	long long throttle_events; /* sum of the CPUs' core and package throttle counts */
	int no_turbo;		   /* intel_pstate/no_turbo */
	int boost;		   /* cpufreq/boost (acpi-cpufreq, amd-pstate) */
};

void machine_state_read(const char *root, struct machine_state *s);

/*
 * What changed from a to b, as one line ("AC power: online -> offline;
 * ..."); 0 if nothing did, 1 otherwise.
 */
int machine_state_diff(const struct machine_state *a, const struct machine_state *b, char *why,
		       size_t len);

/* "AC online, turbo on, no throttling so far" */
void machine_state_describe(const struct machine_state *s, char *buf, size_t len);

#endif
