// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workloads: idle, video-like frames, web-like request bursts, a
 * parallel build and a game-like frame loop among background load. Each runs
 * in the process joule-bench forks for it, with threads.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workloads.h"

#define NSEC		 1000000000LL
#define FRAME_NS	 16666667LL /* 60 Hz */
#define VIDEO_DUTY	 0.15	    /* decode work per frame, of the frame period */
#define GAME_DUTY	 0.40
#define WEB_WORKERS	 4
#define WEB_MEAN_GAP_US	 10000.0 /* mean time between requests (Poisson) */
#define WEB_WORK_US	 1000.0	 /* work per request */
#define WEB_MAX_REQUESTS 100000
#define MAX_FRAMES	 100000

static volatile uint64_t spin_sink;

void wl_spin(uint64_t n)
{
	uint64_t x = spin_sink | 1;

	/* xorshift: no memory traffic, the same instructions on every CPU kind */
	for (uint64_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	spin_sink = x;
}

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

double wl_calibrate_units(void)
{
	const uint64_t n = 2000000;
	double best = 0;

	/* best of five: the run least disturbed by others */
	for (int i = 0; i < 5; i++) {
		long long t0 = now_ns(CLOCK_THREAD_CPUTIME_ID), t1;

		wl_spin(n);
		t1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		if (t1 > t0 && n / ((t1 - t0) / 1000.0) > best)
			best = n / ((t1 - t0) / 1000.0);
	}
	return best;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double wl_percentile(double *v, int n, double q)
{
	double pos;
	int i;

	if (n <= 0)
		return NAN;
	qsort(v, (size_t)n, sizeof(*v), dbl_cmp);
	pos = q / 100.0 * (n - 1);
	i = (int)pos;
	return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[n - 1];
}

static void sleep_until(long long t)
{
	struct timespec ts = {.tv_sec = t / NSEC, .tv_nsec = t % NSEC};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* ---- idle ------------------------------------------------------------------ */

static int run_idle(const struct wl_params *p, struct wl_result *r, char *err, size_t errlen)
{
	sleep_until(now_ns(CLOCK_MONOTONIC) + (long long)(p->duration_s * NSEC));
	r->units = p->duration_s;
	(void)err;
	(void)errlen;
	return 0;
}

/* ---- frame loops (video, game) -------------------------------------------- */

struct frames {
	long long frames, missed;
	double *frame_ms; /* start of period to end of work */
};

/*
 * One frame of work each period; a frame whose work ends after its period
 * is missed, and the periods it overran are skipped, as a player drops them.
 */
static int frame_loop(const struct wl_params *p, double duty, struct frames *f)
{
	uint64_t work = (uint64_t)(duty * FRAME_NS / 1000.0 * p->units_per_us);
	long long start = now_ns(CLOCK_MONOTONIC), end = start + (long long)(p->duration_s * NSEC);
	long long next = start;

	f->frame_ms = calloc(MAX_FRAMES, sizeof(double));
	if (!f->frame_ms)
		return -ENOMEM;
	while (next + FRAME_NS <= end && f->frames < MAX_FRAMES) {
		long long done;

		wl_spin(work);
		done = now_ns(CLOCK_MONOTONIC);
		f->frame_ms[f->frames++] = (done - next) / 1e6;
		next += FRAME_NS;
		if (done > next) {
			long long late = (done - next) / FRAME_NS + 1;

			f->missed++;
			next += late * FRAME_NS;
		}
		sleep_until(next);
	}
	return 0;
}

static int run_video(const struct wl_params *p, struct wl_result *r, char *err, size_t errlen)
{
	struct frames f = {0};
	int ret = frame_loop(p, VIDEO_DUTY, &f);

	if (ret) {
		snprintf(err, errlen, "video: %s", strerror(-ret));
		return ret;
	}
	r->units = (double)f.frames;
	r->perf[0] = (double)f.missed;
	r->perf[1] = wl_percentile(f.frame_ms, (int)f.frames, 99);
	free(f.frame_ms);
	return 0;
}

static atomic_bool hogs_stop;

static void *hog(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&hogs_stop, memory_order_relaxed))
		wl_spin(10000);
	return NULL;
}

/* The game's frame loop among half as many CPU hogs as CPUs (at least one). */
static int run_game(const struct wl_params *p, struct wl_result *r, char *err, size_t errlen)
{
	int nr_hogs = p->nr_cpus / 2 > 0 ? p->nr_cpus / 2 : 1, started = 0, ret;
	pthread_t *tid = calloc((size_t)nr_hogs, sizeof(*tid));
	struct frames f = {0};

	if (!tid) {
		snprintf(err, errlen, "game: no memory for %d hog threads", nr_hogs);
		return -ENOMEM;
	}
	atomic_store(&hogs_stop, false);
	for (; started < nr_hogs; started++)
		if (pthread_create(&tid[started], NULL, hog, NULL))
			break;
	ret = started == nr_hogs ? frame_loop(p, GAME_DUTY, &f) : -EAGAIN;
	atomic_store(&hogs_stop, true);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	if (ret) {
		snprintf(err, errlen, "game: %s", strerror(-ret));
		return ret;
	}
	r->units = (double)f.frames;
	r->perf[0] = (double)f.missed;
	r->perf[1] = wl_percentile(f.frame_ms, (int)f.frames, 99);
	free(f.frame_ms);
	return 0;
}

/* ---- web-like bursts -------------------------------------------------------- */

struct web {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	long long posted[WEB_MAX_REQUESTS];
	double latency_us[WEB_MAX_REQUESTS];
	int head, tail; /* requests posted, requests taken */
	bool stop;
	uint64_t work;
};

static void *web_worker(void *arg)
{
	struct web *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		int i;

		while (w->tail == w->head && !w->stop)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->tail == w->head)
			break;
		i = w->tail++;
		w->latency_us[i] = (now_ns(CLOCK_MONOTONIC) - w->posted[i]) / 1000.0;
		pthread_mutex_unlock(&w->lock);
		wl_spin(w->work);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Exponential gaps from a seeded xorshift: the same arrivals every run. */
static double next_gap_us(uint64_t *s)
{
	double u;

	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	u = ((*s >> 11) + 1) / 9007199254740993.0;
	return -WEB_MEAN_GAP_US * log(u);
}

static void web_post(struct web *w, long long when)
{
	pthread_mutex_lock(&w->lock);
	w->posted[w->head++] = when;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

static int run_web(const struct wl_params *p, struct wl_result *r, char *err, size_t errlen)
{
	struct web *w = calloc(1, sizeof(*w));
	pthread_t tid[WEB_WORKERS];
	uint64_t s = p->seed | 1;
	long long t, end;
	int started = 0;

	if (!w) {
		snprintf(err, errlen, "web: out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	w->work = (uint64_t)(WEB_WORK_US * p->units_per_us);
	for (; started < WEB_WORKERS; started++)
		if (pthread_create(&tid[started], NULL, web_worker, w))
			break;
	t = now_ns(CLOCK_MONOTONIC);
	end = t + (long long)(p->duration_s * NSEC);
	while (started == WEB_WORKERS && w->head < WEB_MAX_REQUESTS) {
		t += (long long)(next_gap_us(&s) * 1000);
		if (t >= end)
			break;
		sleep_until(t);
		web_post(w, now_ns(CLOCK_MONOTONIC));
	}
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (started != WEB_WORKERS) {
		snprintf(err, errlen, "web: cannot start worker threads");
		free(w);
		return -EAGAIN;
	}
	r->units = w->head;
	r->perf[0] = wl_percentile(w->latency_us, w->head, 50);
	r->perf[1] = wl_percentile(w->latency_us, w->head, 99);
	free(w);
	return 0;
}

/* ---- parallel build ----------------------------------------------------------- */

/*
 * As many worker processes as CPUs take jobs from a pipe of tokens, like
 * make -j: each job is a fixed amount of work. The figure is the time to
 * finish them all.
 */
static int run_build(const struct wl_params *p, struct wl_result *r, char *err, size_t errlen)
{
	uint64_t work = (uint64_t)(p->build_job_ms * 1000 * p->units_per_us);
	long long t0 = now_ns(CLOCK_MONOTONIC);
	int fds[2], status, failed = 0;

	if (pipe(fds)) {
		snprintf(err, errlen, "build: pipe: %s", strerror(errno));
		return -errno;
	}
	for (int j = 0; j < p->build_jobs; j++)
		if (write(fds[1], "j", 1) != 1)
			failed = 1;
	close(fds[1]);
	for (int i = 0; i < p->nr_cpus && !failed; i++) {
		pid_t pid = fork();
		char token;

		if (pid < 0)
			failed = 1;
		if (pid)
			continue;
		while (read(fds[0], &token, 1) == 1)
			wl_spin(work);
		_exit(0);
	}
	close(fds[0]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	if (failed) {
		snprintf(err, errlen, "build: a worker could not run");
		return -EIO;
	}
	r->units = p->build_jobs;
	r->perf[0] = (now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	return 0;
}

/* ---- calibration load --------------------------------------------------------- */

#define CALIB_PERIOD_NS 10000000LL

struct calib_thread {
	pthread_t tid;
	int cpu;
	uint64_t work; /* units per period */
	long long end_ns;
	long long periods;
};

/* A duty cycle pinned to one CPU: the governor picks a frequency for that load. */
static void *calib_thread(void *arg)
{
	struct calib_thread *c = arg;
	long long next = now_ns(CLOCK_MONOTONIC);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		return (void *)1;
	while (next + CALIB_PERIOD_NS <= c->end_ns) {
		long long now;

		wl_spin(c->work);
		c->periods++;
		next += CALIB_PERIOD_NS;
		now = now_ns(CLOCK_MONOTONIC);
		if (now > next) /* behind (a busy CPU): skip periods, keep to the duration */
			next += (now - next) / CALIB_PERIOD_NS * CALIB_PERIOD_NS;
		sleep_until(next);
	}
	return NULL;
}

/* The CPUs to load: the asked-for ones this process may run on. */
static int calib_cpus(const struct wl_params *p, int *cpus, int max)
{
	cpu_set_t allowed;
	int n = 0;
	bool any = jtopo_cpuset_first(&p->calib_cpus) >= 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &allowed) && (!any || jtopo_cpuset_isset(&p->calib_cpus, c)))
			cpus[n++] = c;
	return n;
}

static int run_calib(const struct wl_params *p, struct wl_result *r, char *err, size_t errlen)
{
	static struct calib_thread th[CPU_SETSIZE];
	int cpus[CPU_SETSIZE], n = calib_cpus(p, cpus, CPU_SETSIZE), started = 0, failed = 0;
	double util = p->calib_util > 0 ? p->calib_util : 1.0;
	long long end = now_ns(CLOCK_MONOTONIC) + (long long)(p->duration_s * NSEC);

	if (!n) {
		snprintf(err, errlen, "calib: none of the domain's CPUs is online here");
		return -ENODEV;
	}
	for (; started < n; started++) {
		th[started] = (struct calib_thread){
			.cpu = cpus[started],
			.work = (uint64_t)(util * CALIB_PERIOD_NS / 1000.0 * p->units_per_us),
			.end_ns = end,
		};
		if (pthread_create(&th[started].tid, NULL, calib_thread, &th[started]))
			break;
	}
	r->units = 0;
	for (int i = 0; i < started; i++) {
		void *ret;

		pthread_join(th[i].tid, &ret);
		failed |= ret != NULL;
		r->units += th[i].periods * util * CALIB_PERIOD_NS / 1e9;
	}
	if (started != n || failed) {
		snprintf(err, errlen, "calib: cannot start or pin a thread on each CPU");
		return -EAGAIN;
	}
	r->perf[0] = n;
	r->perf[1] = 100 * util;
	return 0;
}

const struct wl_desc wl_table[] = {
	{"idle", "second", 0, {NULL}, {NULL}, run_idle},
	{"video", "frame", 2, {"deadline_misses", "frame_p99"}, {"frames", "ms"}, run_video},
	{"web", "request", 2, {"wakeup_p50", "wakeup_p99"}, {"us", "us"}, run_web},
	{"build", "job", 1, {"completion"}, {"s"}, run_build},
	{"game", "frame", 2, {"frames_missed", "frame_p99"}, {"frames", "ms"}, run_game},
	{"calib", "cpu_second", 2, {"cpus", "duty"}, {"cpus", "%"}, run_calib},
};
const int wl_count = sizeof(wl_table) / sizeof(wl_table[0]);

const struct wl_desc *wl_find(const char *name)
{
	for (int i = 0; i < wl_count; i++)
		if (!strcmp(wl_table[i].name, name))
			return &wl_table[i];
	return NULL;
}
