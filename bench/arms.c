// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arms.h"
#include "jtopo_fs.h"
#include "src/kfuncs.h" /* JOULE_MIN_KERNEL: the kernel scx_joule needs */

#define SCX_STATE "/sys/kernel/sched_ext/state"
#define SCX_OPS	  "/sys/kernel/sched_ext/root/ops"
/* ms: loading the BPF program takes 18-21 s in the single-threaded TCG test guests */
#define ATTACH_TIMEOUT 60000

static bool executable(const char *path)
{
	return access(path, X_OK) == 0;
}

int scx_find(const char *given, char *bin, size_t len)
{
	char self[PATH_MAX], *path, *dir, *save;
	ssize_t n;

	if (given) {
		snprintf(bin, len, "%s", given);
		return executable(bin) ? 0 : -ENOENT;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		dir = dirname(self);
		/* installed side by side, or joule-bench's build directory beside src/ */
		snprintf(bin, len, "%s/scx_joule", dir);
		if (executable(bin))
			return 0;
		snprintf(bin, len, "%s/../src/scx_joule", dir);
		if (executable(bin))
			return 0;
	}
	path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	for (dir = path ? strtok_r(path, ":", &save) : NULL; dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(bin, len, "%s/scx_joule", dir);
		if (executable(bin)) {
			free(path);
			return 0;
		}
	}
	free(path);
	return -ENOENT;
}

const char *scx_unavailable(const char *bin, char *why, size_t len)
{
	if (!bin)
		snprintf(why, len,
			 "no scx_joule found (next to joule-bench or in PATH; give "
			 "--scx-joule PATH)");
	else if (access(SCX_STATE, F_OK))
		snprintf(why, len,
			 "this kernel has no sched_ext (%s missing; needs "
			 "CONFIG_SCHED_CLASS_EXT, Linux >= " JOULE_MIN_KERNEL ")",
			 SCX_STATE);
	else if (geteuid())
		snprintf(why, len, "not root (attaching a scheduler needs CAP_SYS_ADMIN)");
	else
		return NULL;
	return why;
}

bool scx_attached(char *ops, size_t len)
{
	char state[32];

	ops[0] = '\0';
	if (jtopo_fs_line(NULL, SCX_STATE, state, sizeof(state)) || !strcmp(state, "disabled"))
		return false;
	if (jtopo_fs_line(NULL, SCX_OPS, ops, len))
		snprintf(ops, len, "unknown");
	return true;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Lines from fd until one says "attached", EOF, or the timeout. */
static int wait_attached(int fd, char *last, size_t len)
{
	char buf[4096];
	size_t used = 0;
	long long deadline = ms_now() + ATTACH_TIMEOUT;

	last[0] = '\0';
	while (ms_now() < deadline) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		char *nl;
		ssize_t got;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		got = read(fd, buf + used, sizeof(buf) - 1 - used);
		if (got <= 0)
			return -EPIPE;
		used += (size_t)got;
		buf[used] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			snprintf(last, len, "%.400s", buf);
			if (strstr(buf, ": attached"))
				return 0;
			used -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, used + 1);
		}
		if (used == sizeof(buf) - 1)
			used = 0;
	}
	return -ETIMEDOUT;
}

int scx_start(const char *bin, const char *profile, struct scx_proc *p, char *why, size_t len)
{
	char last[512];
	int fds[2], ret;

	if (pipe(fds))
		return -errno;
	p->pid = fork();
	if (p->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (!p->pid) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		/*
		 * The arms compare placement: EPP and turbo stay as the machine
		 * has them (a profile's turbo off would stop the comparison).
		 */
		execl(bin, bin, "--profile", profile, "--no-power-settings", (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	p->out_fd = fds[0];
	ret = wait_attached(p->out_fd, last, sizeof(last));
	if (ret) {
		snprintf(why, len, "%s",
			 last[0]	     ? last
			 : ret == -ETIMEDOUT ? "no 'attached' in 20 s"
					     : "it exited silently");
		scx_stop(p);
		return ret;
	}
	/* it prints little once attached; never let a full pipe block it */
	fcntl(p->out_fd, F_SETFL, fcntl(p->out_fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

int scx_stop(struct scx_proc *p)
{
	int status = 0;

	if (p->pid <= 0)
		return 0;
	kill(p->pid, SIGINT);
	for (int i = 0; i < 100; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			goto out;
		usleep(100000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &status, 0);
out:
	p->pid = 0;
	close(p->out_fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
