/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading sysfs-style files below a file-system root, so the same code reads
 * this machine (root "/" or NULL) and recorded machines (a directory laid out
 * like /: sys/..., proc/...). Errors are returned as -errno, never printed;
 * a FIFO, socket or device where a file should be is -EINVAL, never a wait.
 */
#ifndef JTOPO_FS_H
#define JTOPO_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef JOULE_MAX_CPUS
#error "JOULE_MAX_CPUS comes from the build (meson option max_cpus)"
#endif
/* CPUs 0..JOULE_MAX_CPUS-1: the scheduler's ceiling (bpf/policy/base.h) */
#define JTOPO_MASK_WORDS (JOULE_MAX_CPUS / 64)

/* Bitmask of CPUs, word w bit b = CPU 64*w + b. */
struct jtopo_cpuset {
	uint64_t bits[JTOPO_MASK_WORDS];
};

/* root + path built from fmt; "" if root is NULL. */
int jtopo_fs_path(char *out, size_t len, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * First line of root/path, without its newline: 0, -errno, -ENODATA if
 * empty, or -EOVERFLOW if the line does not fit in len - 1 bytes.
 */
int jtopo_fs_line(const char *root, const char *rel, char *buf, size_t len);

/* The first word of that line (up to a space or tab): as jtopo_fs_line. */
int jtopo_fs_word(const char *root, const char *rel, char *buf, size_t len);

/* The start of a file (up to len - 1 bytes, the rest unread), NUL-terminated. */
int jtopo_fs_text(const char *root, const char *rel, char *buf, size_t len);

/*
 * An unsigned decimal file: 0, -errno, or -EINVAL unless its line is
 * digits, then blanks at most (val is then left as it was).
 */
int jtopo_fs_u64(const char *root, const char *rel, uint64_t *val);

bool jtopo_fs_exists(const char *root, const char *rel);

/*
 * path for reading, if it is a regular file: the open of a FIFO no one
 * writes, or the read of a terminal, would not come back, and a device's
 * open may act. NULL with errno set otherwise: EISDIR for a directory,
 * EINVAL for any other kind.
 */
FILE *jtopo_fs_open_regular(const char *path);

/*
 * A recorded machine is the user's input: a FIFO, socket or device in its
 * sys/ or proc/ (or a link to one, or to a file elsewhere such as
 * /proc/kmsg) would block the reads of it, ours and hwloc's, for good.
 * 0, or with bad naming the entry: -EINVAL for what is neither a file nor
 * a directory, -EXDEV for a link out of root, -E2BIG for a tree too big to
 * be a recording, -errno if the walk failed. A directory this user cannot
 * list is passed over. sys/ and proc/ may be (links to) the kernel's own
 * file systems, which are not walked.
 */
int jtopo_fs_tree_check(const char *root, char *bad, size_t badlen);

/*
 * A CPU list as the kernel prints it: "0-3,6" (cpulist) or "0 1 2"
 * (cpufreq's affected_cpus). -EINVAL on bad syntax or a CPU beyond max.
 */
int jtopo_parse_cpulist(const char *list, struct jtopo_cpuset *set, int max_cpus);

/*
 * Room for any set's list: at most one entry per CPU, each at most 4
 * characters ("511,") below 1000 CPUs, plus the NUL. The kernel's lists
 * fit too, cpufreq's related_cpus of every CPU ("0 1 ... 511\n") included.
 */
#define JTOPO_CPULIST_LEN (64 * JTOPO_MASK_WORDS * 4 + 1)

/*
 * "0-3,6": the inverse, for messages, JSON and model files. A list longer
 * than len (only with a buffer under JTOPO_CPULIST_LEN) ends after its last
 * whole entry, never in the middle of a CPU number.
 */
void jtopo_format_cpulist(const struct jtopo_cpuset *set, char *buf, size_t len);

static inline void jtopo_cpuset_set(struct jtopo_cpuset *s, int cpu)
{
	s->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

static inline bool jtopo_cpuset_isset(const struct jtopo_cpuset *s, int cpu)
{
	return cpu >= 0 && cpu < 64 * JTOPO_MASK_WORDS && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

int jtopo_cpuset_weight(const struct jtopo_cpuset *s);
int jtopo_cpuset_first(const struct jtopo_cpuset *s);	       /* -1 if empty */
int jtopo_cpuset_next(const struct jtopo_cpuset *s, int from); /* first CPU >= from, or -1 */

#endif
