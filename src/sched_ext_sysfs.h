/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading the kernel's sched_ext state from /sys/kernel/sched_ext. */
#ifndef SCHED_EXT_SYSFS_H
#define SCHED_EXT_SYSFS_H

#include <stddef.h>

#define SCX_SYSFS_STATE	      "/sys/kernel/sched_ext/state"
#define SCX_SYSFS_OPS	      "/sys/kernel/sched_ext/root/ops"
#define SCX_SYSFS_HOTPLUG_SEQ "/sys/kernel/sched_ext/hotplug_seq"

/* "enabled", "disabled", "enabling", ...; -errno if sched_ext is absent. */
int scx_sysfs_state(char *buf, size_t len);
/* Name of the attached scheduler; -errno if none is attached. */
int scx_sysfs_ops(char *buf, size_t len);
/* The kernel's count of CPU hotplug events; 0 if it cannot be read. */
unsigned long long scx_sysfs_hotplug_seq(void);

#endif
