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

#define JOULE_EXIT_REASON_LEN 128
#define JOULE_EXIT_MSG_LEN    1024
/*
 * The kernel's debug dump of an error exit (each CPU's queues and the
 * tasks on them), as the kernel's default exit_dump_len sizes it.
 */
#define JOULE_EXIT_DUMP_LEN 32768

/*
 * Scheduling profiles; userspace may switch them while the scheduler runs.
 * The one list: policy.h's jp_profile_init() gives each its parameters.
 */
enum joule_profile {
	JOULE_PROFILE_POWERSAVE,
	JOULE_PROFILE_BALANCED,
	JOULE_PROFILE_PERFORMANCE,
	JOULE_PROFILE_GAMING,
	JOULE_NR_PROFILES,
};

/*
 * Per-CPU counters, each CPU writing its own slot; the loader sums or reads
 * them per CPU. Placement reasons count wakeup/enqueue decisions.
 */
enum joule_stat {
	JOULE_STAT_PLACE_ENERGY,   /* least added energy (not overutilized) */
	JOULE_STAT_PLACE_PERF,	   /* for performance: overutilized or the profile says so */
	JOULE_STAT_PLACE_MISFIT,   /* moved up: it outgrew its CPU */
	JOULE_STAT_PLACE_BALANCE,  /* pulled by an idle CPU from a busier domain */
	JOULE_STAT_PLACE_AFFINITY, /* the task may run on one CPU only */
	JOULE_STAT_DIRECT_IDLE,	   /* sent straight to an idle CPU's local queue */
	JOULE_STAT_DISPATCH,	   /* a CPU took a task from a domain queue */
	JOULE_STAT_MIGRATIONS,	   /* a task started on another CPU than last time */
	JOULE_STAT_OVERUTIL_NS,	   /* time the system was overutilized, machine-wide */
	JOULE_STAT_BUSY_NS,	   /* time this CPU ran tasks */
	JOULE_STAT_CPU_ONLINE,	   /* hotplug events (handled without a restart) */
	JOULE_STAT_CPU_OFFLINE,
	JOULE_STAT_LAT_PREEMPT,	    /* gaming: a latency-critical wakeup preempted its CPU */
	JOULE_STAT_ON_VIEWS,	    /* wakeups placed on the domains' views (energy, misfit) */
	JOULE_STAT_IDLE_RECHECK,    /* a CPU going idle kicked itself back (recheck_queues) */
	JOULE_STAT_STARVED,	    /* a task that waited too long in a queue run next */
	JOULE_STAT_OFFLINE_RESCUED, /* queued tasks moved on as their CPUs went offline */
	JOULE_STAT_BUSY_PERF,	    /* BUSY_NS, each ns weighted by the speed asked (of 1024) */
	JOULE_STAT_CPU_LEAVING,	    /* a CPU going down left the online mask before CPU_OFFLINE */
	JOULE_NR_STATS,
};

struct joule_stats {
	__u64 count[JOULE_NR_STATS];
	__u32 perf_target;  /* the speed asked for, 0..1024 of this CPU's top */
	__u32 util;	    /* the CPU's utilization at its last update */
	__u32 perf_request; /* last scx_bpf_cpuperf_set() value (system-wide scale) */
	__u32 pad;
};

/*
 * Exit codes of a scheduler that stops on purpose (the kernel's enum
 * scx_exit_code): the loader attaches again when the action bit asks.
 */
#define JOULE_ECODE_RSN_HOTPLUG (1ULL << 32)
#define JOULE_ECODE_ACT_RESTART (1ULL << 48)

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
