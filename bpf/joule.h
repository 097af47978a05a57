/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interface between scx_joule's BPF scheduler and its userspace loader:
 * constants, the layout of the stats map, and the exit record. Both sides
 * include this file, so a change here changes both at once.
 */
#ifndef JOULE_H
#define JOULE_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* User DSQ ids must not carry SCX_DSQ_FLAG_BUILTIN (bit 63). */
#define JOULE_SHARED_DSQ 0ULL

#define JOULE_EXIT_REASON_LEN 128
#define JOULE_EXIT_MSG_LEN    1024

/* Scheduling profiles; userspace may switch them while the scheduler runs. */
enum joule_profile {
	JOULE_PROFILE_POWERSAVE,
	JOULE_PROFILE_BALANCED,
	JOULE_PROFILE_PERFORMANCE,
	JOULE_PROFILE_GAMING,
	JOULE_NR_PROFILES,
};

/* Per-CPU event counters, summed over CPUs by the loader. */
enum joule_stat {
	JOULE_STAT_DIRECT_IDLE, /* woken task sent straight to an idle CPU */
	JOULE_STAT_SHARED,	/* task queued on the shared vtime queue */
	JOULE_STAT_PINNED,	/* single-CPU task sent to its own CPU */
	JOULE_STAT_DISPATCH,	/* a CPU pulled a task from the shared queue */
	JOULE_STAT_CPU_ONLINE,	/* hotplug events seen (no restart needed) */
	JOULE_STAT_CPU_OFFLINE,
	JOULE_NR_STATS,
};

struct joule_stats {
	__u64 count[JOULE_NR_STATS];
};

/*
 * Copied from the kernel's scx_exit_info when the scheduler is disabled, for
 * whatever reason: the loader prints it so users see why scx_joule stopped.
 */
struct joule_exit_info {
	__s32 kind; /* enum scx_exit_kind; 0 while the scheduler runs */
	__s32 pad;
	__s64 exit_code;
	char reason[JOULE_EXIT_REASON_LEN];
	char msg[JOULE_EXIT_MSG_LEN];
};

#endif /* JOULE_H */
