/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading one-line files such as those in sysfs. */
#ifndef FILE_UTIL_H
#define FILE_UTIL_H

#include <stddef.h>

/* The first line of path without its newline; -errno, or -EIO if empty. */
int joule_read_line(const char *path, char *buf, size_t len);

#endif
