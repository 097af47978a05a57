// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "jtopo_fs.h"

int jtopo_fs_path(char *out, size_t len, const char *root, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(out, len, "%s", root && strcmp(root, "/") ? root : "");
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(out + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= len)
		return -ENAMETOOLONG;
	return 0;
}

FILE *jtopo_fs_open_regular(const char *path)
{
	struct stat st;
	FILE *f = NULL;
	int fd, err;

	/* not even opened: the open of a device can act (a watchdog's arms it) */
	if (stat(path, &st))
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/*
	 * What was opened may have replaced what was checked (the state file
	 * and a RAPL fake's counters are, by rename): a regular file too is fine.
	 */
	if (fstat(fd, &st))
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	else if (!(f = fdopen(fd, "r")))
		err = errno;
	else
		return f;
	close(fd);
	errno = err;
	return NULL;
}

/*
 * Up to len - 1 bytes of root/rel into buf, NUL-terminated; *more (if
 * asked) says whether the first line went on past them.
 */
static int read_start(const char *root, const char *rel, char *buf, size_t len, bool *more)
{
	char path[4096];
	size_t got;
	FILE *f;
	int err;

	err = jtopo_fs_path(path, sizeof(path), root, "%s", rel);
	if (err)
		return err;
	f = jtopo_fs_open_regular(path);
	if (!f)
		return -errno;
	got = fread(buf, 1, len - 1, f);
	buf[got] = '\0';
	if (more) {
		int next = got == len - 1 ? fgetc(f) : EOF;

		*more = next != EOF && next != '\n';
	}
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	return err;
}

int jtopo_fs_text(const char *root, const char *rel, char *buf, size_t len)
{
	return read_start(root, rel, buf, len, NULL);
}

int jtopo_fs_line(const char *root, const char *rel, char *buf, size_t len)
{
	size_t end;
	bool more;
	int err = read_start(root, rel, buf, len, &more);

	if (err)
		return err;
	end = strcspn(buf, "\n");
	/* a cut line would read as a shorter list or number, not as an error */
	if (!buf[end] && more)
		return -EOVERFLOW;
	buf[end] = '\0';
	return buf[0] ? 0 : -ENODATA;
}

int jtopo_fs_word(const char *root, const char *rel, char *buf, size_t len)
{
	int err = jtopo_fs_line(root, rel, buf, len);

	if (!err)
		buf[strcspn(buf, " \t")] = '\0';
	return err;
}

int jtopo_fs_u64(const char *root, const char *rel, uint64_t *val)
{
	char buf[64], *end;
	unsigned long long v;
	int err = jtopo_fs_line(root, rel, buf, sizeof(buf));

	if (err)
		return err;
	/* strtoull takes " -1" as 2^64 - 1 and "+5" as 5: a digit first, then */
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 10);
	/* "5 junk" is no number either; a trailing blank (a CR) is */
	end += strspn(end, " \t\r");
	if (errno || *end)
		return -EINVAL;
	*val = v; /* untouched on an error: "512x" is not 512 */
	return 0;
}

bool jtopo_fs_exists(const char *root, const char *rel)
{
	char path[4096];

	return !jtopo_fs_path(path, sizeof(path), root, "%s", rel) && access(path, F_OK) == 0;
}

/*
 * Recorded machines have a few thousand entries (36,000 with 512 CPUs); far
 * more is no recording.
 */
#define TREE_CHECK_MAX_ENTRIES 1000000

static bool kernel_tree(const char *path)
{
	struct statfs s;

	if (statfs(path, &s))
		return false;
	return s.f_type == SYSFS_MAGIC || s.f_type == PROC_SUPER_MAGIC ||
	       s.f_type == DEBUGFS_MAGIC || s.f_type == TRACEFS_MAGIC;
}

static bool below(const char *path, const char *top)
{
	size_t n = strlen(top);

	return !strncmp(path, top, n) && (path[n] == '/' || !path[n]);
}

/*
 * One entry of the tree whose real path is top: 0, or -EINVAL for what is
 * neither a file nor a directory, -EXDEV for a link out of the tree or into
 * the kernel's files (to /proc/kmsg, say, whose read waits; a recording's
 * links stay inside it), -errno if its target cannot be resolved.
 * A link that leads nowhere is fine: its reader gets ENOENT. So is what
 * this user cannot look at (a debugfs only root reads is a warning later);
 * as root, the service, there is no such entry.
 */
static int check_entry(const char *top, const FTSENT *e)
{
	char real[PATH_MAX];
	struct stat st;

	switch (e->fts_info) {
	case FTS_DEFAULT: return -EINVAL;
	case FTS_SL:
		if (stat(e->fts_accpath, &st))
			return 0;
		if (!realpath(e->fts_accpath, real))
			return -errno;
		/* into the kernel's files through a mount in the tree is out, too */
		if (!below(real, top) || kernel_tree(real))
			return -EXDEV;
		return S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ? 0 : -EINVAL;
	default: return 0;
	}
}

/*
 * Walks path (below the tree whose real path is top), unless it is the
 * kernel's own file system. Directories on another file system are walked
 * too, unless they are the kernel's.
 */
static int walk(const char *top, char *path, long *entries, char *bad, size_t badlen)
{
	char *const paths[] = {path, NULL};
	dev_t dev = 0;
	FTSENT *e;
	int ret = 0;
	FTS *fts;

	if (kernel_tree(path))
		return 0;
	fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!fts) {
		snprintf(bad, badlen, "%s", path);
		return -errno;
	}
	errno = 0;
	while (!ret && (e = fts_read(fts))) {
		if (e->fts_info == FTS_DP)
			continue;
		if (e->fts_level == 0)
			dev = e->fts_statp->st_dev;
		else if (e->fts_info == FTS_D && e->fts_statp->st_dev != dev &&
			 kernel_tree(e->fts_accpath))
			fts_set(fts, e, FTS_SKIP);
		if (++*entries > TREE_CHECK_MAX_ENTRIES)
			ret = -E2BIG;
		else
			ret = check_entry(top, e);
		if (ret)
			snprintf(bad, badlen, "%s", e->fts_path);
		errno = 0;
	}
	if (!ret && errno) {
		ret = -errno;
		snprintf(bad, badlen, "%s", path);
	}
	fts_close(fts);
	return ret;
}

int jtopo_fs_tree_check(const char *root, char *bad, size_t badlen)
{
	static const char *const starts[] = {"/sys", "/proc"};
	char top[PATH_MAX], path[PATH_MAX];
	long entries = 0;
	int ret = 0;

	if (!realpath(root, top)) {
		snprintf(bad, badlen, "%s", root);
		return -errno;
	}
	/* a top-level sys/ or proc/ may be a link, to the kernel's own (a host's /sys) */
	for (size_t i = 0; !ret && i < sizeof(starts) / sizeof(starts[0]); i++) {
		char real[PATH_MAX];

		if (jtopo_fs_path(path, sizeof(path), top, "%s", starts[i])) {
			snprintf(bad, badlen, "%s", root);
			return -ENAMETOOLONG;
		}
		if (!realpath(path, real))
			continue;
		if (!below(real, top) && !kernel_tree(real)) {
			snprintf(bad, badlen, "%s", path);
			return -EXDEV;
		}
		ret = walk(top, real, &entries, bad, badlen);
	}
	return ret;
}

int jtopo_parse_cpulist(const char *list, struct jtopo_cpuset *set, int max_cpus)
{
	const char *p = list;

	memset(set, 0, sizeof(*set));
	if (max_cpus > 64 * JTOPO_MASK_WORDS)
		max_cpus = 64 * JTOPO_MASK_WORDS;
	while (*p == ' ')
		p++;
	while (*p && *p != '\n') {
		char *end;
		long lo, hi;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		lo = strtol(p, &end, 10);
		hi = lo;
		p = end;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				return -EINVAL;
			hi = strtol(p + 1, &end, 10);
			if (hi < lo)
				return -EINVAL;
			p = end;
		}
		if (hi >= max_cpus)
			return -EINVAL;
		for (long c = lo; c <= hi; c++)
			jtopo_cpuset_set(set, (int)c);
		if (*p == ',' || *p == ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return 0;
}

void jtopo_format_cpulist(const struct jtopo_cpuset *set, char *buf, size_t len)
{
	size_t n = 0;
	int c = 0, max = 64 * JTOPO_MASK_WORDS;

	buf[0] = '\0';
	while (c < max) {
		int lo, hi, w;

		if (!jtopo_cpuset_isset(set, c)) {
			c++;
			continue;
		}
		lo = hi = c;
		while (hi + 1 < max && jtopo_cpuset_isset(set, hi + 1))
			hi++;
		if (lo == hi)
			w = snprintf(buf + n, len - n, "%s%d", n ? "," : "", lo);
		else
			w = snprintf(buf + n, len - n, "%s%d-%d", n ? "," : "", lo, hi);
		if (w < 0 || (size_t)w >= len - n) {
			buf[n] = '\0'; /* not the part of the entry snprintf got in */
			return;
		}
		n += (size_t)w;
		c = hi + 1;
	}
}

int jtopo_cpuset_weight(const struct jtopo_cpuset *s)
{
	int n = 0;

	for (int w = 0; w < JTOPO_MASK_WORDS; w++)
		n += __builtin_popcountll(s->bits[w]);
	return n;
}

int jtopo_cpuset_first(const struct jtopo_cpuset *s)
{
	return jtopo_cpuset_next(s, 0);
}

int jtopo_cpuset_next(const struct jtopo_cpuset *s, int from)
{
	for (int c = from < 0 ? 0 : from; c < 64 * JTOPO_MASK_WORDS; c++) {
		uint64_t rest = s->bits[c / 64] >> (c % 64);

		if (rest)
			return c + __builtin_ctzll(rest);
		c |= 63; /* nothing more in this word */
	}
	return -1;
}
