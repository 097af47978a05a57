// SPDX-License-Identifier: GPL-2.0-only
/*
 * runtime-by-cpu: where did some tasks run, by the kernel's own accounting?
 *
 * usage: runtime-by-cpu SECONDS PID...
 *
 * Every 5 ms, for every thread of the given processes (and of their child
 * processes, so "stress-ng" covers its workers; the list of processes is
 * refreshed every 100 ms), reads the thread's run time
 * (/proc/PID/task/TID/schedstat, ns) and the CPU it last ran on (stat field
 * 39), and charges the run time added since the previous sample to that CPU.
 * Prints "CPU NS RUNNABLE" lines: RUNNABLE counts the samples that found a
 * thread runnable (running or queued, state R) with that CPU as its CPU, so
 * RUNNABLE / samples is the CPU's mean number of these tasks. One process without forks, so
 * measuring does not disturb what it measures as a shell loop forking sed
 * and cut every 50 ms did (those forks are new tasks the scheduler must
 * place, hundreds a second).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUS    256
#define MAX_THREADS 4096

struct thread {
	int tid;
	unsigned long long runtime;
};

static struct thread threads[MAX_THREADS];
static int nr_threads;
static unsigned long long per_cpu[MAX_CPUS], runnable[MAX_CPUS];

static struct thread *thread_of(int tid)
{
	for (int i = 0; i < nr_threads; i++)
		if (threads[i].tid == tid)
			return &threads[i];
	if (nr_threads == MAX_THREADS)
		return NULL;
	threads[nr_threads] = (struct thread){.tid = tid, .runtime = ~0ull};
	return &threads[nr_threads++];
}

/* Run time, last CPU and state of a thread; 0 on success. */
static int read_thread(int pid, int tid, unsigned long long *rt, int *cpu, char *state)
{
	char path[96], buf[1024], *p;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	field = fscanf(f, "%llu", rt);
	fclose(f);
	if (field != 1)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL; /* comm may hold spaces */
	if (!p || !p[1] || !p[2])
		return -1;
	*state = p[2];
	/* after ") " comes field 3; the processor is field 39 */
	for (field = 2; field < 39 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	*cpu = atoi(p + 1);
	return 0;
}

static void sample_process(int pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		unsigned long long rt;
		struct thread *t;
		int tid = atoi(de->d_name), cpu;
		char state;

		if (tid <= 0 || read_thread(pid, tid, &rt, &cpu, &state) || cpu < 0 ||
		    cpu >= MAX_CPUS)
			continue;
		if (state == 'R')
			runnable[cpu]++;
		t = thread_of(tid);
		if (!t)
			continue;
		if (t->runtime != ~0ull && rt > t->runtime)
			per_cpu[cpu] += rt - t->runtime;
		t->runtime = rt;
	}
	closedir(d);
}

/* Is pid one of the roots or a child of one? */
static int watched(int pid, int *roots, int nr_roots)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;

	for (int i = 0; i < nr_roots; i++)
		if (roots[i] == pid)
			return 1;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1)
		return 0;
	for (int i = 0; i < nr_roots; i++)
		if (roots[i] == ppid)
			return 1;
	return 0;
}

/* The watched processes: the roots and their children, found every 100 ms. */
static int procs[256], nr_procs;

static void find_processes(int *roots, int nr_roots)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	nr_procs = 0;
	while ((de = readdir(d)) && nr_procs < 256) {
		int pid = atoi(de->d_name);

		if (pid > 0 && watched(pid, roots, nr_roots))
			procs[nr_procs++] = pid;
	}
	closedir(d);
}

static void sample(void)
{
	for (int i = 0; i < nr_procs; i++)
		sample_process(procs[i]);
}

int main(int argc, char **argv)
{
	struct timespec step = {.tv_nsec = 5 * 1000 * 1000}, now, end;
	int roots[64], nr_roots = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: runtime-by-cpu SECONDS PID...\n");
		return 2;
	}
	for (int i = 2; i < argc && nr_roots < 64; i++)
		roots[nr_roots++] = atoi(argv[i]);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += atoi(argv[1]);
	for (int n = 0;; n++) {
		if (n % 20 == 0)
			find_processes(roots, nr_roots);
		sample();
		nanosleep(&step, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
	}
	sample();
	for (int c = 0; c < MAX_CPUS; c++)
		if (per_cpu[c] || runnable[c])
			printf("%d %llu %llu\n", c, per_cpu[c], runnable[c]);
	return 0;
}
