// SPDX-License-Identifier: GPL-2.0-only
/*
 * frame-chain: a game's frame loop, two threads of one process.
 *
 * usage: frame-chain PERIOD_US MAIN_US RENDER_US SECONDS [MAIN_CPU RENDER_CPU]
 *
 * Every period the main thread busy-loops MAIN_US of its own CPU time, then
 * wakes the render thread through a pipe (writing the frame's end), which
 * busy-loops RENDER_US and waits for the next frame. A frame is missed when
 * the render thread finishes it after its end. With the CPUs, each thread
 * is pinned to its own.
 *
 * Prints "frame-chain: main TID render TID" once both threads run (so that
 * a probe can watch them), and at the end "frame-chain: frames N missed M".
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct chain {
	long long period_ns, main_ns, render_ns, end_ns;
	int main_cpu, render_cpu;
	int pipe_fd[2];
	pid_t render_tid;
	unsigned long frames, missed;
};

static long long ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void busy(long long cpu_ns)
{
	long long start = ns(CLOCK_THREAD_CPUTIME_ID);

	while (ns(CLOCK_THREAD_CPUTIME_ID) - start < cpu_ns)
		;
}

static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void *render(void *arg)
{
	struct chain *c = arg;
	long long frame_end;

	if (pin(c->render_cpu)) {
		perror("frame-chain: render CPU");
		exit(1);
	}
	__atomic_store_n(&c->render_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (read(c->pipe_fd[0], &frame_end, sizeof(frame_end)) == sizeof(frame_end)) {
		busy(c->render_ns);
		c->frames++;
		if (ns(CLOCK_MONOTONIC) > frame_end)
			c->missed++;
	}
	return NULL;
}

/* Drops the periods already over, as a game drops a frame. */
static long long next_frame(const struct chain *c, long long start)
{
	long long next = start + c->period_ns, now = ns(CLOCK_MONOTONIC);

	if (next <= now)
		next += ((now - next) / c->period_ns + 1) * c->period_ns;
	return next;
}

static void main_loop(struct chain *c)
{
	long long start = ns(CLOCK_MONOTONIC);
	struct timespec ts;

	while (start < c->end_ns) {
		long long frame_end = start + c->period_ns;

		busy(c->main_ns);
		if (write(c->pipe_fd[1], &frame_end, sizeof(frame_end)) != sizeof(frame_end)) {
			perror("frame-chain: pipe");
			exit(1);
		}
		start = next_frame(c, start);
		ts.tv_sec = start / 1000000000LL;
		ts.tv_nsec = start % 1000000000LL;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

int main(int argc, char **argv)
{
	struct chain c = {.main_cpu = -1, .render_cpu = -1};
	pthread_t th;

	if (argc != 5 && argc != 7) {
		fprintf(stderr, "usage: frame-chain PERIOD_US MAIN_US RENDER_US SECONDS "
				"[MAIN_CPU RENDER_CPU]\n");
		return 2;
	}
	c.period_ns = atoll(argv[1]) * 1000;
	c.main_ns = atoll(argv[2]) * 1000;
	c.render_ns = atoll(argv[3]) * 1000;
	if (c.period_ns <= 0 || c.main_ns <= 0 || c.render_ns <= 0 || atoll(argv[4]) <= 0) {
		fprintf(stderr, "frame-chain: times must be positive\n");
		return 2;
	}
	if (argc == 7) {
		c.main_cpu = atoi(argv[5]);
		c.render_cpu = atoi(argv[6]);
	}
	if (pipe(c.pipe_fd) || pin(c.main_cpu)) {
		perror("frame-chain");
		return 1;
	}
	if (pthread_create(&th, NULL, render, &c)) {
		fprintf(stderr, "frame-chain: cannot start the render thread\n");
		return 1;
	}
	while (!__atomic_load_n(&c.render_tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	printf("frame-chain: main %ld render %d\n", (long)syscall(SYS_gettid), (int)c.render_tid);
	fflush(stdout);
	c.end_ns = ns(CLOCK_MONOTONIC) + atoll(argv[4]) * 1000000000LL;
	main_loop(&c);
	close(c.pipe_fd[1]);
	pthread_join(th, NULL);
	printf("frame-chain: frames %lu missed %lu\n", c.frames, c.missed);
	return 0;
}
