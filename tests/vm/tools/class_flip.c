// SPDX-License-Identifier: GPL-2.0-only
/*
 * class-flip: moves a task out of the normal class and back, again and
 * again, the way a priority-inheritance boost does to a lock holder.
 *
 * usage: class-flip PID PERIOD_US SECONDS
 *
 * Every PERIOD_US for SECONDS, PID is made SCHED_FIFO 1 and at once
 * SCHED_OTHER again (which keeps its nice value). Each switch takes the
 * task out of sched_ext (ops.disable) and back in (ops.enable), so a
 * scheduler that forgets what a task owes when it comes back shows here.
 * Run it on a CPU other than the task's. It makes itself SCHED_FIFO 2
 * first, so that the scheduler under test cannot delay the flips.
 *
 * The task's run time (/proc/PID/schedstat) is read between the two
 * switches and after them, so that what it ran as a realtime task, which
 * no sched_ext scheduler decides, is told apart from the rest: in a TCG
 * guest a moment can last milliseconds. Not before the first switch: the
 * file's figure for a running task lags until a tick or a switch, and the
 * lag would be counted as realtime. At the end it prints
 * "class-flip: N flips; ran R us realtime, O us otherwise", and exits 1
 * when a switch or a read fails, naming it.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int set_policy(pid_t pid, int policy, int prio)
{
	struct sched_param sp = {.sched_priority = prio};

	if (sched_setscheduler(pid, policy, &sp) == 0)
		return 0;
	fprintf(stderr, "class-flip: sched_setscheduler(%d, %s): %s\n", (int)pid,
		policy == SCHED_FIFO ? "SCHED_FIFO" : "SCHED_OTHER", strerror(errno));
	return -1;
}

/* the task's run time so far (ns), or -1 */
static long long run_ns(const char *path)
{
	unsigned long long ns;
	FILE *f = fopen(path, "r");
	int n;

	if (!f) {
		fprintf(stderr, "class-flip: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fscanf(f, "%llu", &ns);
	fclose(f);
	if (n != 1) {
		fprintf(stderr, "class-flip: %s: no run time\n", path);
		return -1;
	}
	return (long long)ns;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long period_ns, end, start, before, after, rt_ns = 0;
	unsigned long flips = 0;
	struct timespec next;
	char path[64];
	pid_t pid;

	if (argc != 4 || atoi(argv[1]) <= 0 || atol(argv[2]) <= 0 || atol(argv[3]) <= 0) {
		fprintf(stderr, "usage: class-flip PID PERIOD_US SECONDS\n");
		return 2;
	}
	pid = atoi(argv[1]);
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	period_ns = atol(argv[2]) * 1000LL;
	end = now_ns() + atol(argv[3]) * 1000000000LL;
	start = run_ns(path);
	if (start < 0)
		return 1;
	if (set_policy(0, SCHED_FIFO, 2))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (now_ns() < end) {
		if (set_policy(pid, SCHED_FIFO, 1))
			return 1;
		before = run_ns(path);
		if (before < 0 || set_policy(pid, SCHED_OTHER, 0))
			return 1;
		after = run_ns(path);
		if (after < 0)
			return 1;
		rt_ns += after - before;
		flips++;
		next.tv_nsec += period_ns % 1000000000LL;
		next.tv_sec += period_ns / 1000000000LL + next.tv_nsec / 1000000000LL;
		next.tv_nsec %= 1000000000LL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	after = run_ns(path);
	if (after < 0)
		return 1;
	printf("class-flip: %lu flips; ran %lld us realtime, %lld us otherwise\n", flips,
	       rt_ns / 1000, (after - start - rt_ns) / 1000);
	return 0;
}
