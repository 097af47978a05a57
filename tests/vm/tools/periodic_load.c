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
 *
 * usage: periodic-load -p TASKS RUN_US PERIOD_US SECONDS
 *
 * The tasks sleep in read() on a pipe instead of on a timer; the parent
 * never sleeps (a CPU hog itself) and writes each task a byte when its
 * period starts. In the QEMU TCG guests with every vCPU busy, a task that
 * arms a timer to sleep is charged 10-20 ms of CPU inside clock_nanosleep
 * per sleep (docs/testing.md, "Timer sleeps in a busy guest"): the timer
 * mode's 300 us tasks are then not light at all, under any scheduler.
 *
 * Each task's line ends with "cpu_us_per_run C": its CPU time over its
 * runs, which shows whether the tasks were as light as asked.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <string.h>
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

static void busy_for(long long run_ns)
{
	long long start = ns(CLOCK_THREAD_CPUTIME_ID);

	while (ns(CLOCK_THREAD_CPUTIME_ID) - start < run_ns)
		;
}

/* the line every task prints at its end (d0, s0: its schedstat at the start) */
static void report(unsigned long long d0, unsigned long long s0, unsigned long long runs,
		   unsigned long long missed)
{
	unsigned long long d1, s1;

	schedstat(&d1, &s1);
	printf("periodic-load: wait_us_per_run %.0f runs %llu missed %llu cpu_us_per_run %.0f\n",
	       s1 > s0 ? (double)(d1 - d0) / (double)(s1 - s0) / 1000.0 : 0.0, s1 - s0, missed,
	       runs ? (double)ns(CLOCK_THREAD_CPUTIME_ID) / (double)runs / 1000.0 : 0.0);
	fflush(stdout);
}

static void task(long long run_ns, long long period_ns, long long end_ns, const char *busy_file)
{
	long long next = ns(CLOCK_MONOTONIC), now, late;
	unsigned long long d0, s0, missed = 0, runs = 0;
	int cpu = -1;

	schedstat(&d0, &s0);
	while (next < end_ns) {
		struct timespec ts;

		busy_for(run_ns);
		runs++;
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
	report(d0, s0, runs, missed);
}

/*
 * A task of -p: a run for every byte read, until the writer closes. Bytes
 * that piled up while it waited are periods it missed, dropped as above.
 */
static void piped_task(int fd, long long run_ns)
{
	unsigned long long d0, s0, missed = 0, runs = 0;
	char buf[64];
	ssize_t got;

	schedstat(&d0, &s0);
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		missed += (unsigned long long)got - 1;
		busy_for(run_ns);
		runs++;
	}
	report(d0, s0, runs, missed);
}

/* -p's parent: a byte to every task at each period's start, spinning between */
static int tick_tasks(const int *fds, int n, long long period_ns, long long end_ns)
{
	long long next = ns(CLOCK_MONOTONIC);

	while (next < end_ns) {
		while (ns(CLOCK_MONOTONIC) < next)
			;
		for (int i = 0; i < n; i++) {
			if (write(fds[i], "t", 1) != 1) {
				perror("periodic-load: write");
				return 1;
			}
		}
		next += period_ns;
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: periodic-load TASKS RUN_US PERIOD_US SECONDS [BUSY_FILE]\n"
			"       periodic-load -p TASKS RUN_US PERIOD_US SECONDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	int fds[64], piped = argc > 1 && !strcmp(argv[1], "-p"), n, status = 0;
	long long end;
	pid_t parent;

	argv += piped;
	argc -= piped;
	if (argc != 5 && (argc != 6 || piped))
		return usage();
	n = atoi(argv[1]);
	if (piped && (n < 1 || n > (int)(sizeof(fds) / sizeof(fds[0]))))
		return usage();
	end = ns(CLOCK_MONOTONIC) + atoll(argv[4]) * 1000000000LL;
	parent = getpid();
	for (int i = 0; i < n; i++) {
		int pipefd[2] = {-1, -1};

		if (piped && pipe(pipefd)) {
			perror("periodic-load: pipe");
			return 1;
		}
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
			if (piped) {
				/* the other tasks' write ends stay open in the parent only */
				for (int j = 0; j < i; j++)
					close(fds[j]);
				close(pipefd[1]);
				piped_task(pipefd[0], atoll(argv[2]) * 1000);
			} else {
				task(atoll(argv[2]) * 1000, atoll(argv[3]) * 1000, end,
				     argc == 6 ? argv[5] : NULL);
			}
			_exit(0);
		}
		if (piped) {
			close(pipefd[0]);
			fds[i] = pipefd[1];
		}
	}
	if (piped)
		status = tick_tasks(fds, n, atoll(argv[3]) * 1000, end);
	while (wait(NULL) > 0)
		;
	return status;
}
