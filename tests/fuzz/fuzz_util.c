// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <hwloc.h>
#include <signal.h>
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

/* In the child: what jtopo_load asks of hwloc, with crashes left to kill it. */
static void hwloc_load_only(const char *xml, const char *root)
{
	hwloc_topology_t topo;

	/* a real signal, not the sanitizer's report, tells a crash apart */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGABRT, SIG_DFL);
	/* hwloc's assertion messages would only clutter the fuzzer's log */
	if (!freopen("/dev/null", "w", stderr))
		_exit(0);
	if (root) {
		setenv("HWLOC_FSROOT", root, 1);
		setenv("HWLOC_THISSYSTEM", "0", 1);
		setenv("HWLOC_COMPONENTS", "linux,stop", 1);
	}
	if (hwloc_topology_init(&topo))
		_exit(0);
	if (!xml || !hwloc_topology_set_xml(topo, xml))
		hwloc_topology_load(topo);
	hwloc_topology_destroy(topo);
	_exit(0);
}

bool fuzz_hwloc_survives(const char *xml, const char *root)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		fuzz_fail("fork: %s", strerror(errno));
	if (pid == 0)
		hwloc_load_only(xml, root);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fuzz_fail("waitpid: %s", strerror(errno));
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
