// SPDX-License-Identifier: GPL-2.0-only
/*
 * irq-watch: report a CPU that stops taking interrupts while it is busy.
 *
 * usage: irq-watch [--ms MS] [--digest FILE] CPU...
 *
 * One SCHED_FIFO thread pinned to each CPU given samples, every 100 ms, each
 * online CPU's interrupt count (the sum of its column in /proc/interrupts)
 * and idle time (/proc/stat). A busy CPU takes at least its timer
 * interrupt HZ times a second; one whose idle time and interrupt count both
 * stand still for MS ms (default 700) has had interrupts off all that time,
 * which no kernel path should do. The first thread to see it prints
 * "irq-watch: CPU N busy without an interrupt for T ms", asks the kernel for
 * a backtrace of every CPU (sysrq l, by NMI, which reaches a CPU with
 * interrupts off) three times 300 ms apart, after the first of them every
 * CPU's queued hrtimers (/proc/timer_list), prints the kernel log written
 * since and a digest of the backtraces (also written to FILE), and exits 1;
 * the watch reports once. Without a report it runs until killed.
 *
 * The same threads watch jiffies against the clock: jiffies that stand still
 * for MS ms are reported (the tick state from /proc/timer_list), and then
 * how far they jumped when they moved again. That report does not end the
 * watch: it is evidence, not a verdict.
 *
 * Why two or more watching CPUs: a watcher sleeps on a timer of its own
 * CPU, so a stuck CPU cannot also stop the watch. Under sched_ext the
 * watchers are realtime tasks, which the BPF scheduler does not place.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUS     64
#define MAX_WATCHERS 8
#define SAMPLE_MS    100

struct cpu_sample {
	unsigned long long irqs, idle;
	long long still_since; /* ms: when irqs and idle last moved */
	int seen;
};

struct watcher {
	pthread_t thread;
	int cpu;
	struct cpu_sample cpus[MAX_CPUS];
};

static long stuck_ms = 700;
static atomic_int reported;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Each online CPU's interrupt count; a bit per CPU found. */
static unsigned long long read_irqs(unsigned long long *irqs)
{
	int ids[MAX_CPUS], nr_ids = 0;
	unsigned long long found = 0;
	char line[8192], *p, *end;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f))
		for (p = line; (p = strstr(p, "CPU")) && nr_ids < MAX_CPUS; p += 3)
			ids[nr_ids++] = atoi(p + 3);
	for (int i = 0; i < nr_ids; i++)
		if (ids[i] >= 0 && ids[i] < MAX_CPUS)
			irqs[ids[i]] = 0;
	while (fgets(line, sizeof(line), f)) {
		p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		for (int i = 0; i < nr_ids; i++) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break; /* a line with fewer columns (ERR, MIS) */
			p = end;
			if (ids[i] >= 0 && ids[i] < MAX_CPUS) {
				irqs[ids[i]] += v;
				found |= 1ULL << ids[i];
			}
		}
	}
	fclose(f);
	return found;
}

/* Each CPU's idle and iowait time (USER_HZ); a bit per CPU found. */
static unsigned long long read_idle(unsigned long long *idle)
{
	unsigned long long found = 0, user, nice, sys, idl, iowait;
	char line[512];
	FILE *f = fopen("/proc/stat", "r");
	int cpu;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu", &cpu, &user, &nice, &sys, &idl,
			   &iowait) == 6 &&
		    cpu >= 0 && cpu < MAX_CPUS) {
			idle[cpu] = idl + iowait;
			found |= 1ULL << cpu;
		}
	fclose(f);
	return found;
}

static void sysrq(char c)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, &c, 1) != 1)
		perror("irq-watch: /proc/sysrq-trigger");
	close(fd);
}

/*
 * The digest: one line per CPU from its first NMI backtrace, the task and
 * the innermost frames ("cpu 1 (sh): native_queued_spin_lock_slowpath <
 * _raw_spin_lock_irqsave < hrtimer_start_range_ns ..."). A CI log may keep
 * only the end of a failed test's output, and the whole report scrolls out
 * of it; the digest is short enough to be printed again at the end.
 */
#define DIGEST_FRAMES 6
#define DIGEST_LEN    320

static char digest[MAX_CPUS][DIGEST_LEN];
static int digest_cpu = -1, digest_frames, digest_rip;
static const char *digest_path;
static char digest_head[128]; /* the report's first line */

static void digest_append(const char *fmt, const char *word, int len)
{
	size_t used = strlen(digest[digest_cpu]);

	snprintf(digest[digest_cpu] + used, DIGEST_LEN - used, fmt, len, word);
}

/* A symbol's name without "+0x..": "hrtimer_start_range_ns+0x38/0xf0". */
static int symbol_len(const char *sym)
{
	const char *plus = strstr(sym, "+0x");

	return plus ? (int)(plus - sym) : (int)strcspn(sym, " \n");
}

static void digest_line(const char *text)
{
	const char *p;

	if ((p = strstr(text, "NMI backtrace for cpu "))) {
		int cpu = atoi(p + strlen("NMI backtrace for cpu "));

		digest_cpu = cpu >= 0 && cpu < MAX_CPUS && !digest[cpu][0] ? cpu : -1;
		digest_frames = digest_rip = 0;
		if (digest_cpu >= 0)
			snprintf(digest[cpu], DIGEST_LEN, "cpu %d", cpu);
		return;
	}
	if (digest_cpu < 0)
		return;
	if ((p = strstr(text, " Comm: ")))
		digest_append(" (%.*s):", p + 7, (int)strcspn(p + 7, " \n"));
	else if ((p = strstr(text, "RIP: 00")) && !digest_rip++ && !digest_frames) {
		/* the interrupted place: 0010 is the kernel's code segment, 0033 user space's */
		if (strncmp(p + 5, "0010:", 5))
			digest_append(" %.*s", "(user)", 6);
		else
			digest_append(" %.*s", p + 10, symbol_len(p + 10));
	} else if (!strncmp(text, " <IRQ>", 6) && digest_frames < DIGEST_FRAMES)
		digest_append(" < %.*s", "<IRQ>", 5);
	else if (text[0] == ' ' && text[1] != '?' && strstr(text, "+0x") &&
		 digest_frames < DIGEST_FRAMES && !strstr(text, "dump_stack") &&
		 !strstr(text, "nmi_cpu_backtrace")) {
		digest_append(digest_rip || digest_frames ? " < %.*s" : " %.*s", text + 1,
			      symbol_len(text + 1));
		digest_frames++;
	}
}

static void write_digest(FILE *out)
{
	for (int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (digest[cpu][0])
			fprintf(out, "irq-watch:   %s\n", digest[cpu]);
}

/* To stdout, and with the report's first line to the --digest file. */
static void print_digest(void)
{
	FILE *f = digest_path ? fopen(digest_path, "w") : NULL;

	printf("irq-watch: digest, the first backtrace of each CPU:\n");
	write_digest(stdout);
	if (f) {
		fputs(digest_head, f);
		write_digest(f);
		fclose(f);
	}
}

/*
 * Copies the kernel log records after kmsg's position to stdout, and the
 * backtraces among them to the digest.
 */
static void print_kmsg(int kmsg)
{
	char rec[8192];
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *text;

		if (n < 0)
			continue; /* records overwritten before we read them */
		rec[n] = '\0';
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		fputs(text, stdout);
		digest_line(text);
	}
}

/* Prints the lines of PATH that contain one of WORDS (NULL-terminated). */
static void print_matching(const char *path, const char *const *words)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (const char *const *w = words; *w; w++)
			if (strstr(line, *w)) {
				fputs(line, stdout);
				break;
			}
	fclose(f);
}

/*
 * Each CPU's queued hrtimers and when they expire: a tick overdue by the
 * time the CPU went without interrupts says it had them off; a tick not
 * queued at all would say no one armed it.
 */
static const char *const timer_words[] = {"now at", "cpu:", " #", "expires_next", NULL};

static void report(int cpu, long long ms, int watcher_cpu)
{
	int kmsg;

	if (atomic_exchange(&reported, 1))
		return;
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	snprintf(digest_head, sizeof(digest_head),
		 "irq-watch: CPU %d busy without an interrupt for %lld ms (seen from CPU %d)\n",
		 cpu, ms, watcher_cpu);
	fputs(digest_head, stdout);
	fflush(stdout);
	sysrq('l'); /* the backtraces first: they matter most while it lasts */
	printf("irq-watch: every CPU's timers, from /proc/timer_list:\n");
	print_matching("/proc/timer_list", timer_words);
	fflush(stdout);
	for (int i = 0; i < 2; i++) {
		usleep(300 * 1000);
		sysrq('l');
	}
	usleep(300 * 1000);
	if (kmsg >= 0) {
		printf("irq-watch: the kernel's log since:\n");
		print_kmsg(kmsg);
		close(kmsg);
		print_digest();
	}
	printf("irq-watch: end of report\n");
	fflush(stdout);
	exit(1);
}

/* The kernel's jiffies: /proc/schedstat's timestamp line; 0 if unreadable. */
static unsigned long long read_jiffies(void)
{
	unsigned long long jiffies = 0;
	char line[256];
	FILE *f = fopen("/proc/schedstat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "timestamp %llu", &jiffies) == 1)
			break;
	fclose(f);
	return jiffies;
}

/*
 * jiffies that stand still while the clock runs: the timer wheel (delayed
 * work, timeouts) stops, and when jiffies catch up at once, every timeout
 * measured in them fires together (RCU's stall warning, sched_ext's
 * watchdog). Reported once, with the kernel's tick state, then how far
 * jiffies jumped; it does not end the watch (and asks for no backtrace,
 * which would fail a scenario's check of the kernel log).
 */
static void watch_jiffies(long long t)
{
	static atomic_int claimed;
	static unsigned long long last;
	static long long still_since;
	static int state; /* 0 watching, 1 reported, 2 done */
	static const char *const tick_words[] = {"now at",	 "cpu:",     "jiffies",
						 "tick_stopped", "do_timer", NULL};
	unsigned long long jiffies;

	if (atomic_exchange(&claimed, 1))
		return; /* another watcher is looking */
	jiffies = read_jiffies();
	if (!jiffies || state == 2)
		goto out;
	if (jiffies != last) {
		if (state == 1) {
			printf("irq-watch: jiffies moved again after %lld ms, by %llu\n",
			       t - still_since, jiffies - last);
			fflush(stdout);
			state = 2;
		}
		last = jiffies;
		still_since = t;
		goto out;
	}
	if (state == 0 && t - still_since >= stuck_ms) {
		printf("irq-watch: jiffies stood still at %llu for %lld ms; the kernel's ticks:\n",
		       jiffies, t - still_since);
		print_matching("/proc/timer_list", tick_words);
		fflush(stdout);
		state = 1;
	}
out:
	atomic_store(&claimed, 0);
}

static void look(struct watcher *w, unsigned long long irq_seen, const unsigned long long *irqs,
		 unsigned long long idle_seen, const unsigned long long *idle, long long t)
{
	for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct cpu_sample *s = &w->cpus[cpu];
		int present = (irq_seen & idle_seen) >> cpu & 1;

		if (!present || !s->seen || irqs[cpu] != s->irqs || idle[cpu] != s->idle) {
			s->irqs = irqs[cpu];
			s->idle = idle[cpu];
			s->still_since = t;
			s->seen = present;
			continue;
		}
		if (t - s->still_since >= stuck_ms)
			report(cpu, t - s->still_since, w->cpu);
	}
}

static void *watch(void *arg)
{
	struct watcher *w = arg;
	unsigned long long irqs[MAX_CPUS], idle[MAX_CPUS];

	for (;;) {
		unsigned long long irq_seen = read_irqs(irqs), idle_seen = read_idle(idle);
		long long t = now_ms();

		look(w, irq_seen, irqs, idle_seen, idle, t);
		watch_jiffies(t);
		usleep(SAMPLE_MS * 1000);
	}
	return NULL;
}

static int start_watcher(struct watcher *w)
{
	struct sched_param param = {.sched_priority = 90};
	pthread_attr_t attr;
	cpu_set_t cpus;
	int err;

	CPU_ZERO(&cpus);
	CPU_SET(w->cpu, &cpus);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &param);
	err = pthread_create(&w->thread, &attr, watch, w);
	pthread_attr_destroy(&attr);
	return err;
}

static int usage(void)
{
	fprintf(stderr, "usage: irq-watch [--ms MS] [--digest FILE] CPU...\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct watcher watchers[MAX_WATCHERS];
	int nr = 0, arg = 1, err;

	for (; arg + 1 < argc && !strncmp(argv[arg], "--", 2); arg += 2)
		if (!strcmp(argv[arg], "--ms"))
			stuck_ms = atol(argv[arg + 1]);
		else if (!strcmp(argv[arg], "--digest"))
			digest_path = argv[arg + 1];
		else
			return usage();
	for (; arg < argc && nr < MAX_WATCHERS; arg++) {
		char *end;
		long cpu = strtol(argv[arg], &end, 10);

		if (*end || cpu < 0 || cpu >= MAX_CPUS || stuck_ms <= 0)
			return usage();
		watchers[nr++].cpu = (int)cpu;
	}
	if (!nr)
		return usage();
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		perror("irq-watch: mlockall");
	for (int i = 0; i < nr; i++) {
		err = start_watcher(&watchers[i]);
		if (err) {
			fprintf(stderr, "irq-watch: cannot start the watcher on CPU %d: %s\n",
				watchers[i].cpu, strerror(err));
			return 1;
		}
	}
	pthread_join(watchers[0].thread, NULL);
	return 0;
}
