// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sched_ext_sysfs.h"

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return err;
}

int scx_sysfs_state(char *buf, size_t len)
{
	return read_line(SCX_SYSFS_STATE, buf, len);
}

int scx_sysfs_ops(char *buf, size_t len)
{
	return read_line(SCX_SYSFS_OPS, buf, len);
}
