// SPDX-License-Identifier: GPL-2.0-only
/*
 * sched-probe: reads the kernel's scheduler state from inside the test VM
 * through a BPF probe of its own (sched_probe.bpf.c), not through scx_joule.
 *
 * usage: sched-probe perf INTERVAL_MS COUNT [PID...]
 *          COUNT samples, INTERVAL_MS apart, of every CPU's frequency request
 *          (rq->scx.cpuperf_target) and run queue length (rq->nr_running):
 *          "perf T_MS CPU REQUEST NR_RUNNING" per CPU per sample, T_MS from
 *          the first sample. The probe's own CPU runs at least the probe.
 *          With PIDs, they are sent SIGKILL once the probe is attached and
 *          the first sample is taken just after: T_MS is the time since a
 *          load stopped, not since the probe began loading (its verifier
 *          work takes longer than the windows scenarios judge).
 *        sched-probe irq-work INTERVAL_MS COUNT
 *          as perf, each CPU's list of raised irq_work: "irq-work T_MS CPU
 *          FIRST" per CPU per sample, FIRST its first entry in hex, 0 if
 *          empty. Exit status 1 if the kernel's BTF has no raised_list.
 *        sched-probe runtime [--after SKIP] SECONDS PID...
 *          the run time, per CPU, of the PIDs' threads and of the processes
 *          they forked, charged at every context switch for SECONDS:
 *          "CPU NANOSECONDS" per CPU that ran them, a run going on at
 *          either end of the window counted up to that end. With --after,
 *          the probe is loaded and attached first and counts from SKIP
 *          seconds later:
 *          loading it is a burst of work (the verifier), which a scenario
 *          can keep out of the scheduling it measures by starting the
 *          probe before its workload.
 *        sched-probe waits SECONDS PID...
 *          for the same tasks, each wait to run (from a wakeup, or from
 *          being preempted while runnable, to running) over SECONDS:
 *          "TID WAITS TOTAL_NS MAX_NS" per task that waited.
 *        sched-probe starts SECONDS TID...
 *          the frequency request of the CPU each of the threads TID (not
 *          their processes) starts to run on, at every start over SECONDS:
 *          "TID STARTS MEDIAN MIN MAX" per thread that started (of its
 *          first PROBE_MAX_STARTS starts).
 *        sched-probe longest SECONDS [NAME...]
 *          every task's waits to run over SECONDS (as waits, for every
 *          task on the machine): "longest WAIT_NS PID COMM AT_S" for the
 *          longest (AT_S: CLOCK_MONOTONIC seconds when it ended, or when
 *          the probe stopped for one still going), then
 *          "waits N over_100ms N over_1s N" for all of them, then
 *          "still_waiting N longest WAIT_NS" for those still going at the
 *          end (counted up to then, in the lines before too), then up to
 *          PRINT_COMMS "comm WAITS TOTAL_NS MAX_NS OVER_100MS
 *          REQUEUED_MAX_NS REQUEUED_OVER_100MS NAME" lines, the names that
 *          waited longest in all first (REQUEUED_: of the waits that began
 *          with the task switched out still runnable, not with a wakeup),
 *          and then the lines of the NAMEs (task names) not among them.
 *        sched-probe ticks SECONDS
 *          sched_ext's task ticks over SECONDS, and how many of them ran on
 *          another CPU than the task's (a nohz_full CPU's tick, run by a
 *          housekeeping CPU): "ticks N remote N".
 * The watching modes print "sched-probe: attached" to stderr once the
 * probe is attached: what happens before it is not seen; and "sched-probe:
 * done" once they have printed (or failed to), before they detach, which
 * can take long while a CPU they watched is starved.
 * Exit status 2 on bad arguments, 1 if the probe cannot be loaded or
 * attached, (in mode runtime) an edge of the window was not seen, or (in
 * mode longest) the CPUs, the waits or the waits still going cannot be read.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sched_probe.h"
#include "sched_probe.skel.h"

static int usage(void)
{
	fprintf(stderr, "usage: sched-probe perf INTERVAL_MS COUNT [PID...]\n"
			"       sched-probe irq-work INTERVAL_MS COUNT\n"
			"       sched-probe runtime [--after SKIP] SECONDS PID...\n"
			"       sched-probe waits SECONDS PID...\n"
			"       sched-probe starts SECONDS TID...\n"
			"       sched-probe longest SECONDS [NAME...]\n"
			"       sched-probe ticks SECONDS\n");
	return 2;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int parse_count(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *end || end == s || *out < 0 ? -EINVAL : 0;
}

/* Opens and loads the probe with only the programs of one mode (name prefix). */
static struct sched_probe *open_probe(const char *mode)
{
	struct sched_probe *skel = sched_probe__open();
	struct bpf_program *prog;

	if (!skel)
		return NULL;
	skel->rodata->loader_tgid = (__u32)getpid();
	bpf_object__for_each_program(prog, skel->obj) bpf_program__set_autoload(
		prog, !strncmp(bpf_program__name(prog), mode, strlen(mode)));
	if (sched_probe__load(skel)) {
		sched_probe__destroy(skel);
		return NULL;
	}
	return skel;
}

static void print_sample(struct sched_probe *skel, bool irq_work, long long t)
{
	for (int cpu = 0; cpu < PROBE_MAX_CPUS && cpu < libbpf_num_possible_cpus(); cpu++) {
		if (irq_work)
			printf("irq-work %lld %d %llx\n", t, cpu,
			       (unsigned long long)skel->bss->irq_work_first[cpu]);
		else
			printf("perf %lld %d %u %u\n", t, cpu, skel->bss->cpuperf_target[cpu],
			       skel->bss->nr_running[cpu]);
	}
	fflush(stdout);
}

/* Sends the load's processes SIGKILL: all of them, or an error. */
static int kill_load(char **pids, int nr_pids)
{
	long pid;

	for (int i = 0; i < nr_pids; i++) {
		/* never 0 or -1 (every process): pid_t is an int */
		if (parse_count(pids[i], &pid) || pid == 0 || pid > INT_MAX ||
		    kill((pid_t)pid, SIGKILL)) {
			fprintf(stderr, "sched-probe: cannot kill %s: %s\n", pids[i],
				errno ? strerror(errno) : "not a PID");
			return -1;
		}
	}
	return 0;
}

/*
 * Modes perf and irq-work: COUNT samples INTERVAL_MS apart, from the load
 * PIDs' end if any are given.
 */
static int probe_sample(bool irq_work, long interval_ms, long count, char **pids, int nr_pids)
{
	struct sched_probe *skel = open_probe(irq_work ? "irqwork_" : "perf_");
	struct bpf_link *link = NULL;
	long long t0 = mono_ms();
	int err = 1;

	if (!skel)
		goto out;
	link = bpf_program__attach(irq_work ? skel->progs.irqwork_sample : skel->progs.perf_sample);
	if (!link)
		goto out;
	if (nr_pids) {
		if (kill_load(pids, nr_pids))
			goto out;
		t0 = mono_ms();
	}
	for (long i = 0; i < count; i++) {
		__u64 before = skel->bss->samples;
		long long t = mono_ms() - t0;

		syscall(SYS_getppid);
		if (skel->bss->samples == before) {
			fprintf(stderr, "sched-probe: the getppid tracepoint did not fire\n");
			goto out;
		}
		if (skel->bss->no_raised_list) {
			fprintf(stderr, "sched-probe: the kernel's BTF has no raised_list\n");
			goto out;
		}
		print_sample(skel, irq_work, t);
		if (i + 1 < count)
			usleep(interval_ms * 1000);
	}
	err = 0;
out:
	if (err && !skel)
		fprintf(stderr, "sched-probe: cannot load the probe: %s\n", strerror(errno));
	bpf_link__destroy(link);
	sched_probe__destroy(skel);
	return err;
}

/* Watches the PIDs, or in mode starts the thread ids, in their map. */
static int watch_pids(struct sched_probe *skel, const char *mode, char **pids, int nr_pids)
{
	bool threads = !strcmp(mode, "starts_");
	struct bpf_map *map = threads ? skel->maps.starts : skel->maps.watched;
	struct start_stat fresh = {};
	__u8 one = 1;

	for (int i = 0; i < nr_pids; i++) {
		long pid;
		__u32 key;

		if (parse_count(pids[i], &pid) || !pid) {
			fprintf(stderr, "sched-probe: '%s' is not a %s\n", pids[i],
				threads ? "thread id" : "PID");
			return 2;
		}
		key = (__u32)pid;
		if (bpf_map__update_elem(map, &key, sizeof(key), threads ? (void *)&fresh : &one,
					 threads ? sizeof(fresh) : sizeof(one), BPF_ANY))
			return 1;
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static void print_starts(struct sched_probe *skel)
{
	__u32 key, next, *prev = NULL, n;
	static struct start_stat st;

	while (!bpf_map__get_next_key(skel->maps.starts, prev, &next, sizeof(next))) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(skel->maps.starts, &key, sizeof(key), &st, sizeof(st), 0))
			continue;
		n = st.count < PROBE_MAX_STARTS ? st.count : PROBE_MAX_STARTS;
		if (!n)
			continue;
		qsort(st.request, n, sizeof(st.request[0]), cmp_u32);
		printf("%u %u %u %u %u\n", key, st.count, st.request[n / 2], st.request[0],
		       st.request[n - 1]);
	}
}

/*
 * An edge of the runtime window: every CPU's run so far charged, into
 * at (NULL: nothing kept). 0, or -1 if the probe did not see it.
 */
static int runtime_edge(struct sched_probe *skel, __u64 *at)
{
	__u64 before = __atomic_load_n(&skel->bss->runtime_edges, __ATOMIC_SEQ_CST);

	syscall(SYS_getppid);
	if (__atomic_load_n(&skel->bss->runtime_edges, __ATOMIC_SEQ_CST) == before) {
		fprintf(stderr, "sched-probe: the getppid tracepoint did not fire\n");
		return -1;
	}
	for (int cpu = 0; at && cpu < PROBE_MAX_CPUS; cpu++)
		at[cpu] = __atomic_load_n(&skel->bss->runtime_ns[cpu], __ATOMIC_SEQ_CST);
	return 0;
}

/* The run time per CPU from the window's start (start) to now. */
static int print_runtime(struct sched_probe *skel, const __u64 *start)
{
	__u64 end[PROBE_MAX_CPUS];

	if (runtime_edge(skel, end))
		return 1;
	for (int cpu = 0; cpu < PROBE_MAX_CPUS; cpu++)
		if (end[cpu] > start[cpu])
			printf("%d %llu\n", cpu, (unsigned long long)(end[cpu] - start[cpu]));
	return 0;
}

/*
 * A wait still going when the probe stops counts up to now (bpf_ktime_get_ns
 * is CLOCK_MONOTONIC): a task kept waiting to the end is the one that
 * matters most, and would otherwise not count at all.
 */
static void print_waits(struct sched_probe *skel)
{
	__u32 key, next, *prev = NULL;
	struct wait_stat st;
	struct timespec ts;
	__u64 now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;

	while (!bpf_map__get_next_key(skel->maps.waits, prev, &next, sizeof(next))) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(skel->maps.waits, &key, sizeof(key), &st, sizeof(st), 0))
			continue;
		if (st.since && now > st.since) {
			st.count++;
			st.total_ns += now - st.since;
			if (now - st.since > st.max_ns)
				st.max_ns = now - st.since;
		}
		if (st.count)
			printf("%u %llu %llu %llu\n", key, (unsigned long long)st.count,
			       (unsigned long long)st.total_ns, (unsigned long long)st.max_ns);
	}
}

#define PRINT_COMMS 12

struct comm_entry {
	struct comm_key key;
	struct comm_waits cw;
};

static int by_total_wait(const void *a, const void *b)
{
	const struct comm_entry *x = a, *y = b;

	return (x->cw.total_ns < y->cw.total_ns) - (x->cw.total_ns > y->cw.total_ns);
}

static void print_comm(const struct comm_entry *e)
{
	printf("comm %llu %llu %llu %llu %llu %llu %.16s\n", (unsigned long long)e->cw.waits,
	       (unsigned long long)e->cw.total_ns, (unsigned long long)e->cw.max_ns,
	       (unsigned long long)e->cw.over_100ms, (unsigned long long)e->cw.max_requeued_ns,
	       (unsigned long long)e->cw.over_100ms_requeued, e->key.comm);
}

/* names[i] is one of the nr_names asked for */
static bool name_asked(const char *comm, char **names, int nr_names)
{
	for (int i = 0; i < nr_names; i++)
		if (!strncmp(comm, names[i], sizeof(((struct comm_key *)0)->comm)))
			return true;
	return false;
}

/*
 * Which names the waits belong to: the PRINT_COMMS of most waiting in all,
 * then those of names that waited (a name with no wait gets no line).
 */
static void print_comm_waits(struct sched_probe *skel, char **names, int nr_names)
{
	struct comm_entry *e = calloc(PROBE_MAX_COMMS, sizeof(*e));
	struct comm_key key, next;
	void *prev = NULL;
	size_t n = 0;

	if (!e)
		return;
	while (n < PROBE_MAX_COMMS &&
	       !bpf_map__get_next_key(skel->maps.comm_waits, prev, &next, sizeof(next))) {
		key = next;
		prev = &key;
		if (!bpf_map__lookup_elem(skel->maps.comm_waits, &key, sizeof(key), &e[n].cw,
					  sizeof(e[n].cw), 0))
			e[n++].key = key;
	}
	qsort(e, n, sizeof(*e), by_total_wait);
	for (size_t i = 0; i < n; i++)
		if (i < PRINT_COMMS || name_asked(e[i].key.comm, names, nr_names))
			print_comm(&e[i]);
	free(e);
}

/* Runs the longest_still iterator once over every task: 0, or -errno. */
static int count_still_waiting(struct sched_probe *skel)
{
	char buf[64];
	ssize_t got;
	int fd;

	if (!skel->links.longest_still)
		return -ENOENT;
	fd = bpf_iter_create(bpf_link__fd(skel->links.longest_still));
	if (fd < 0)
		return -errno;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return got < 0 ? -errno : 0;
}

/*
 * "longest WAIT_NS PID COMM AT_S", "waits N over_100ms N over_1s N", the
 * comm lines; waits still going at the end counted in all of them, and
 * on their own in "still_waiting N longest WAIT_NS". Returns 1, with nothing
 * printed to stdout, if any wait cannot be read: no verdict on half the waits.
 */
static int print_longest(struct sched_probe *skel, char **names, int nr_names)
{
	int nr_cpus = libbpf_num_possible_cpus(), err;
	struct longest_wait *lw, top = {}, sum = {}, *still = &skel->bss->still_waiting;
	__u32 zero = 0;

	if (nr_cpus <= 0) {
		fprintf(stderr, "sched-probe: cannot count the possible CPUs: %s\n",
			strerror(-nr_cpus));
		return 1;
	}
	/* the waits stop here (the programs stay attached: see stopped) */
	__atomic_store_n(&skel->bss->stopped, true, __ATOMIC_SEQ_CST);
	err = count_still_waiting(skel);
	if (err) {
		fprintf(stderr, "sched-probe: cannot count the waits still going: %s\n",
			strerror(-err));
		return 1;
	}
	lw = calloc((size_t)nr_cpus, sizeof(*lw));
	if (!lw || bpf_map__lookup_elem(skel->maps.longest, &zero, sizeof(zero), lw,
					sizeof(*lw) * (size_t)nr_cpus, 0)) {
		fprintf(stderr, "sched-probe: cannot read the longest waits\n");
		free(lw);
		return 1;
	}
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		if (lw[cpu].wait_ns > top.wait_ns)
			top = lw[cpu];
		sum.waits += lw[cpu].waits;
		sum.over_100ms += lw[cpu].over_100ms;
		sum.over_1s += lw[cpu].over_1s;
	}
	if (still->wait_ns > top.wait_ns)
		top = *still;
	sum.waits += still->waits;
	sum.over_100ms += still->over_100ms;
	sum.over_1s += still->over_1s;
	printf("longest %llu %u %.16s %.3f\n", (unsigned long long)top.wait_ns, top.pid,
	       top.comm[0] ? top.comm : "-", top.at_ns / 1e9);
	printf("waits %llu over_100ms %llu over_1s %llu\n", (unsigned long long)sum.waits,
	       (unsigned long long)sum.over_100ms, (unsigned long long)sum.over_1s);
	printf("still_waiting %llu longest %llu\n", (unsigned long long)still->waits,
	       (unsigned long long)still->wait_ns);
	free(lw);
	print_comm_waits(skel, names, nr_names);
	return 0;
}

static void print_ticks(struct sched_probe *skel)
{
	printf("ticks %llu remote %llu\n", (unsigned long long)skel->bss->ext_ticks,
	       (unsigned long long)skel->bss->ext_remote_ticks);
}

/*
 * Watches PIDs for SECONDS with the programs of mode, then prints; with
 * skip, counts only from skip seconds after attaching (runtime mode).
 */
static int probe_watch(const char *mode, long skip, long seconds, char **pids, int nr_pids)
{
	struct sched_probe *skel = open_probe(mode);
	bool runtime = !strcmp(mode, "runtime_");
	__u64 start[PROBE_MAX_CPUS] = {0};
	int err;

	if (!skel) {
		fprintf(stderr, "sched-probe: cannot load the probe: %s\n", strerror(errno));
		return 1;
	}
	/* longest watches every task (its arguments are names), ticks every tick */
	err = strcmp(mode, "longest_") && strcmp(mode, "ticks_")
		      ? watch_pids(skel, mode, pids, nr_pids)
		      : 0;
	if (!err && sched_probe__attach(skel))
		err = 1;
	if (!err) /* for a scenario that must start its work after this */
		fprintf(stderr, "sched-probe: attached\n");
	/* every CPU's run starts at the first edge; the window at the second */
	if (!err && runtime && runtime_edge(skel, start))
		err = 1;
	if (!err && runtime && skip) {
		sleep((unsigned int)skip);
		if (runtime_edge(skel, start))
			err = 1;
	}
	if (!err) {
		sleep((unsigned int)seconds);
		if (runtime)
			err = print_runtime(skel, start);
		else if (!strcmp(mode, "starts_"))
			print_starts(skel);
		else if (!strcmp(mode, "longest_"))
			err = print_longest(skel, pids, nr_pids);
		else if (!strcmp(mode, "ticks_"))
			print_ticks(skel);
		else
			print_waits(skel);
		/* out before the programs are detached, which can wait long (see stopped) */
		fflush(stdout);
		fprintf(stderr, "sched-probe: done\n");
	}
	sched_probe__destroy(skel);
	return err;
}

int main(int argc, char **argv)
{
	long a, b;

	if (argc >= 4 && !strcmp(argv[1], "perf") && !parse_count(argv[2], &a) &&
	    !parse_count(argv[3], &b))
		return probe_sample(false, a, b, argv + 4, argc - 4);
	if (argc == 4 && !strcmp(argv[1], "irq-work") && !parse_count(argv[2], &a) &&
	    !parse_count(argv[3], &b))
		return probe_sample(true, a, b, NULL, 0);
	if (argc >= 6 && !strcmp(argv[1], "runtime") && !strcmp(argv[2], "--after") &&
	    !parse_count(argv[3], &b) && !parse_count(argv[4], &a))
		return probe_watch("runtime_", b, a, argv + 5, argc - 5);
	if (argc >= 4 && !strcmp(argv[1], "runtime") && !parse_count(argv[2], &a))
		return probe_watch("runtime_", 0, a, argv + 3, argc - 3);
	if (argc >= 4 && !strcmp(argv[1], "waits") && !parse_count(argv[2], &a))
		return probe_watch("waits_", 0, a, argv + 3, argc - 3);
	if (argc >= 3 && !strcmp(argv[1], "longest") && !parse_count(argv[2], &a))
		return probe_watch("longest_", 0, a, argv + 3, argc - 3);
	if (argc >= 4 && !strcmp(argv[1], "starts") && !parse_count(argv[2], &a))
		return probe_watch("starts_", 0, a, argv + 3, argc - 3);
	if (argc == 3 && !strcmp(argv[1], "ticks") && !parse_count(argv[2], &a))
		return probe_watch("ticks_", 0, a, NULL, 0);
	return usage();
}
