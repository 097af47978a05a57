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
 * The task's CPU time (its CPU-time clock, which counts a run in progress)
 * and its starts (/proc/PID/schedstat) are read just before the first
 * switch and just after the second, so that what it did as a realtime
 * task, which no sched_ext scheduler decides, is told apart from the rest:
 * in a TCG guest a moment can last milliseconds, and on KVM almost every
 * moment would start the task. At the end it prints
 * "class-flip: N flips; ran R us realtime, O us otherwise; S starts otherwise",
 * and exits 1 when a switch or a read fails, naming it. A period missed
 * (one slow round) is skipped, not made up with flips back to back.
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

/* the task's CPU time so far (ns) and how often it was started; -1: failed */
static int task_usage(clockid_t clock, const char *schedstat, long long *ns, long long *starts)
{
	unsigned long long run, wait, count;
	struct timespec ts;
	FILE *f;
	int n;

	if (clock_gettime(clock, &ts)) {
		fprintf(stderr, "class-flip: the task's CPU-time clock: %s\n", strerror(errno));
		return -1;
	}
	*ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	f = fopen(schedstat, "r");
	if (!f) {
		fprintf(stderr, "class-flip: %s: %s\n", schedstat, strerror(errno));
		return -1;
	}
	n = fscanf(f, "%llu %llu %llu", &run, &wait, &count);
	fclose(f);
	if (n != 3) {
		fprintf(stderr, "class-flip: %s: not three numbers\n", schedstat);
		return -1;
	}
	*starts = (long long)count;
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long period_ns, end, t0, n0, t1, n1, t, n, rt_ns = 0, rt_starts = 0;
	unsigned long flips = 0;
	struct timespec next, now;
	char path[64];
	clockid_t clock;
	pid_t pid;
	int err;

	if (argc != 4 || atoi(argv[1]) <= 0 || atol(argv[2]) <= 0 || atol(argv[3]) <= 0) {
		fprintf(stderr, "usage: class-flip PID PERIOD_US SECONDS\n");
		return 2;
	}
	pid = atoi(argv[1]);
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	err = clock_getcpuclockid(pid, &clock);
	if (err) {
		fprintf(stderr, "class-flip: the CPU-time clock of %d: %s\n", (int)pid,
			strerror(err));
		return 1;
	}
	period_ns = atol(argv[2]) * 1000LL;
	end = now_ns() + atol(argv[3]) * 1000000000LL;
	if (task_usage(clock, path, &t0, &n0) || set_policy(0, SCHED_FIFO, 2))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (now_ns() < end) {
		if (task_usage(clock, path, &t, &n) || set_policy(pid, SCHED_FIFO, 1) ||
		    set_policy(pid, SCHED_OTHER, 0) || task_usage(clock, path, &t1, &n1))
			return 1;
		rt_ns += t1 - t;
		rt_starts += n1 - n;
		flips++;
		next.tv_nsec += period_ns % 1000000000LL;
		next.tv_sec += period_ns / 1000000000LL + next.tv_nsec / 1000000000LL;
		next.tv_nsec %= 1000000000LL;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec))
			next = now;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	if (task_usage(clock, path, &t1, &n1))
		return 1;
	printf("class-flip: %lu flips; ran %lld us realtime, %lld us otherwise; %lld starts "
	       "otherwise\n",
	       flips, rt_ns / 1000, (t1 - t0 - rt_ns) / 1000, n1 - n0 - rt_starts);
	return 0;
}
