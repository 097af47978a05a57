// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "jtopo.h"

static char tmpdir[64];

static void remove_tmpdir(void)
{
	char cmd[128];

	/* scratch trees of other fuzz targets live here too: remove them all */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "fuzz: cannot remove %s\n", tmpdir);
}

const char *fuzz_tmpdir(void)
{
	if (tmpdir[0])
		return tmpdir;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/joule-fuzz.XXXXXX");
	if (!mkdtemp(tmpdir))
		fuzz_fail("mkdtemp: %s", strerror(errno));
	atexit(remove_tmpdir);
	return tmpdir;
}

int fuzz_write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	const char *p = data;
	int ret = 0;

	if (fd < 0)
		return -errno;
	while (size) {
		ssize_t n = write(fd, p, size);

		if (n < 0) {
			ret = -errno;
			break;
		}
		p += n;
		size -= (size_t)n;
	}
	close(fd);
	return ret;
}

FILE *fuzz_stream(const uint8_t *data, size_t size)
{
	/* fmemopen refuses a zero-length buffer */
	static const char empty[1];
	FILE *f = size ? fmemopen((void *)data, size, "r") : fmemopen((void *)empty, 1, "r");

	if (!f)
		fuzz_fail("fmemopen: %s", strerror(errno));
	if (!size)
		fgetc(f); /* at the end: an empty stream */
	return f;
}

bool fuzz_hwloc_survives(const char *xml, const char *root)
{
	char *argv[] = {HWLOC_PROBE, (char *)(xml ? xml : "-r"), (char *)root, NULL};
	posix_spawn_file_actions_t quiet;
	int status, err;
	pid_t pid;

	/* hwloc's assertion messages would only clutter the fuzzer's log */
	if (posix_spawn_file_actions_init(&quiet) ||
	    posix_spawn_file_actions_addopen(&quiet, STDERR_FILENO, "/dev/null", O_WRONLY, 0))
		fuzz_fail("posix_spawn_file_actions");
	err = posix_spawn(&pid, HWLOC_PROBE, &quiet, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&quiet);
	if (err)
		fuzz_fail("%s: %s", HWLOC_PROBE, strerror(err));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fuzz_fail("waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status))
		fuzz_fail("%s exited with %d", HWLOC_PROBE, WEXITSTATUS(status));
	return !WIFSIGNALED(status);
}

void fuzz_expect_jtopo_refuses(const char *xml, const char *root)
{
	static struct jtopo t;
	struct jtopo_input in = {.xml = xml, .root = root};
	char err[512];
	int ret = jtopo_load(&t, &in, err, sizeof(err));

	if (ret != -EFAULT)
		fuzz_fail("hwloc dies on %s but jtopo_load returned %d (%s)", xml ? xml : root, ret,
			  ret ? err : "no error");
}

bool fuzz_refused(int ret, const char *err, const char *what)
{
	if (ret && !err[0])
		fuzz_fail("%s refused its input (%d) without a message", what, ret);
	return ret != 0;
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
