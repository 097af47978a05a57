// SPDX-License-Identifier: GPL-2.0-only
/*
 * periodic-load: light periodic tasks, like a UI or audio thread.
 *
 * usage: periodic-load TASKS RUN_US PERIOD_US SECONDS [BUSY_FILE]
 *
 * Forks TASKS processes; each busy-loops for RUN_US of its own CPU time
 * (CLOCK_THREAD_CPUTIME_ID, so time it spends preempted does not count as
 * work done) and then sleeps until its next period starts. stress-ng's
 * --cpu-load does the same by wall-clock time with bogo operations that, in
 * an emulated guest, can each take longer than the whole period: its "5%"
 * workers ran 100 ms bursts there.
 *
 * At the end each task prints how long it waited to run, per run, by the
 * kernel's accounting (/proc/self/schedstat: run_delay / timeslices):
 * "periodic-load: wait_us_per_run W runs N missed M", M being the periods
 * it skipped because the previous run ended after they had begun.
 *
 * With BUSY_FILE, a task whose light phase is over turns into a CPU hog
 * until it is killed, and first writes "PID CPU" to BUSY_FILE, CPU being
 * where it ran its last light period: the misfit scenario's task that
 * outgrows the little CPU it was placed on.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* run_delay (ns) and timeslices from /proc/self/schedstat */
static void schedstat(unsigned long long *delay, unsigned long long *slices)
{
	unsigned long long run = 0;
	FILE *f = fopen("/proc/self/schedstat", "r");

	*delay = *slices = 0;
	if (f) {
		if (fscanf(f, "%llu %llu %llu", &run, delay, slices) != 3)
			*delay = *slices = 0;
		fclose(f);
	}
}

/* Writes "PID CPU" to path, whole or not at all (rename), then spins. */
static void turn_busy(const char *path, int cpu)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d %d\n", (int)getpid(), cpu) < 0 || fclose(f) || rename(tmp, path)) {
		perror(path);
		_exit(1);
	}
	for (;;)
		;
}

static void task(long long run_ns, long long period_ns, long long end_ns, const char *busy_file)
{
	long long next = ns(CLOCK_MONOTONIC), now, late;
	unsigned long long d0, s0, d1, s1, missed = 0;
	int cpu = -1;

	schedstat(&d0, &s0);
	while (next < end_ns) {
		long long start = ns(CLOCK_THREAD_CPUTIME_ID);
		struct timespec ts;

		while (ns(CLOCK_THREAD_CPUTIME_ID) - start < run_ns)
			;
		cpu = sched_getcpu();
		next += period_ns;
		now = ns(CLOCK_MONOTONIC);
		if (next <= now) {
			/*
			 * Overran: drop the periods already gone, as a game drops a
			 * frame. Catching up instead would run them back to back,
			 * a CPU hog that never sleeps until it is on time again.
			 */
			late = (now - next) / period_ns + 1;
			missed += late;
			next += late * period_ns;
		}
		ts.tv_sec = next / 1000000000LL;
		ts.tv_nsec = next % 1000000000LL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	if (busy_file)
		turn_busy(busy_file, cpu);
	schedstat(&d1, &s1);
	printf("periodic-load: wait_us_per_run %.0f runs %llu missed %llu\n",
	       s1 > s0 ? (double)(d1 - d0) / (double)(s1 - s0) / 1000.0 : 0.0, s1 - s0, missed);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long long end;
	pid_t parent;
	int n;

	if (argc != 5 && argc != 6) {
		fprintf(stderr,
			"usage: periodic-load TASKS RUN_US PERIOD_US SECONDS [BUSY_FILE]\n");
		return 2;
	}
	n = atoi(argv[1]);
	end = ns(CLOCK_MONOTONIC) + atoll(argv[4]) * 1000000000LL;
	parent = getpid();
	for (int i = 0; i < n; i++) {
		if (fork() == 0) {
			/*
			 * Killing this process (kill $!) ends its tasks too:
			 * left running, each scheduler measured after the
			 * first shared the machine with the earlier ones' tasks.
			 */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL)) {
				perror("periodic-load: prctl(PR_SET_PDEATHSIG)");
				_exit(1);
			}
			if (getppid() != parent)
				_exit(0);
			task(atoll(argv[2]) * 1000, atoll(argv[3]) * 1000, end,
			     argc == 6 ? argv[5] : NULL);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
