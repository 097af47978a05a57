// SPDX-License-Identifier: GPL-2.0-only
#include "jtopo_fs.h"
#include "sched_ext_sysfs.h"

int scx_sysfs_state(char *buf, size_t len)
{
	return jtopo_fs_line(NULL, SCX_SYSFS_STATE, buf, len);
}

int scx_sysfs_ops(char *buf, size_t len)
{
	return jtopo_fs_line(NULL, SCX_SYSFS_OPS, buf, len);
}

unsigned long long scx_sysfs_hotplug_seq(void)
{
	uint64_t seq;

	return jtopo_fs_u64(NULL, SCX_SYSFS_HOTPLUG_SEQ, &seq) ? 0 : seq;
}
