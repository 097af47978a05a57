// SPDX-License-Identifier: GPL-2.0-only
/*
 * scx_joule: loader of the energy-aware sched_ext scheduler.
 *
 * Opens the BPF skeleton, attaches the scheduler through a struct_ops link
 * (so the kernel detaches it if this process dies), prints live stats if
 * asked to, and on the way out reports why the scheduler stopped.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "exit_info.h"
#include "joule.h"
#include "joule_config.h"
#include "sched_ext_sysfs.h"
#include "scx_joule.skel.h"

struct options {
	unsigned long slice_us;
	double stats_interval;
	bool verbose;
};

static struct options opts = {
	.slice_us = 5000,
};

static volatile sig_atomic_t exiting;

const char *argp_program_version = "scx_joule " JOULE_VERSION;
const char *argp_program_bug_address = "the scx_joule issue tracker";
static const char doc[] = "scx_joule: an energy-aware sched_ext scheduler for hybrid CPUs.\n"
			  "\n"
			  "Runs until interrupted (SIGINT/SIGTERM), then detaches; the kernel also "
			  "detaches it if the program dies. Needs root and a kernel with "
			  "CONFIG_SCHED_CLASS_EXT.";

enum { OPT_STATS = 's', OPT_SLICE = 'S', OPT_VERBOSE = 'v' };

static const struct argp_option argp_options[] = {
	{"stats", OPT_STATS, "SECONDS", 0, "Print scheduler stats every SECONDS (e.g. 1)", 0},
	{"slice-us", OPT_SLICE, "US", 0, "Time slice in microseconds (default 5000)", 0},
	{"verbose", OPT_VERBOSE, NULL, 0, "Print libbpf debug output", 0},
	{0},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case OPT_STATS:
		errno = 0;
		opts.stats_interval = strtod(arg, &end);
		if (errno || *end || opts.stats_interval < 0.1 || opts.stats_interval > 3600)
			argp_error(state, "--stats takes seconds between 0.1 and 3600, not '%s'",
				   arg);
		break;
	case OPT_SLICE:
		errno = 0;
		opts.slice_us = strtoul(arg, &end, 10);
		if (errno || *end || opts.slice_us < 100 || opts.slice_us > 1000000)
			argp_error(state, "--slice-us takes 100..1000000, not '%s'", arg);
		break;
	case OPT_VERBOSE: opts.verbose = true; break;
	case ARGP_KEY_ARG: argp_error(state, "unexpected argument '%s'", arg); break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = argp_options,
	.parser = parse_opt,
	.doc = doc,
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !opts.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("scx_joule: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void check_can_attach(void)
{
	char state[32], ops[64];

	if (geteuid() != 0)
		die("must be run as root (attaching a sched_ext scheduler needs CAP_SYS_ADMIN)");
	if (scx_sysfs_state(state, sizeof(state)) < 0)
		die("this kernel has no sched_ext support (%s missing; needs "
		    "CONFIG_SCHED_CLASS_EXT=y, Linux >= 6.12)",
		    SCX_SYSFS_STATE);
	if (strcmp(state, "disabled") != 0) {
		if (scx_sysfs_ops(ops, sizeof(ops)) < 0)
			snprintf(ops, sizeof(ops), "unknown");
		die("another sched_ext scheduler is %s (%s); stop it first", state, ops);
	}
}

static void sum_stats(struct scx_joule *skel, __u64 out[JOULE_NR_STATS])
{
	int nr_cpus = libbpf_num_possible_cpus();
	struct joule_stats percpu[nr_cpus > 0 ? nr_cpus : 1];
	__u32 zero = 0;

	memset(out, 0, sizeof(__u64) * JOULE_NR_STATS);
	if (nr_cpus <= 0 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &zero, percpu))
		return;
	for (int cpu = 0; cpu < nr_cpus; cpu++)
		for (int i = 0; i < JOULE_NR_STATS; i++)
			out[i] += percpu[cpu].count[i];
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_stats(struct scx_joule *skel, __u64 last[JOULE_NR_STATS], double secs)
{
	__u64 cur[JOULE_NR_STATS];

#define RATE(id) ((double)(cur[id] - last[id]) / secs)
	sum_stats(skel, cur);
	printf("scx_joule: stats %.1fs: direct_idle/s=%.0f shared/s=%.0f pinned/s=%.0f "
	       "dispatch/s=%.0f hotplug=%llu\n",
	       secs, RATE(JOULE_STAT_DIRECT_IDLE), RATE(JOULE_STAT_SHARED), RATE(JOULE_STAT_PINNED),
	       RATE(JOULE_STAT_DISPATCH),
	       (unsigned long long)(cur[JOULE_STAT_CPU_ONLINE] + cur[JOULE_STAT_CPU_OFFLINE]));
#undef RATE
	fflush(stdout);
	memcpy(last, cur, sizeof(cur));
}

/* Returns the process exit status the scheduler's exit deserves. */
static int report_exit(const struct joule_exit_info *ei)
{
	char line[JOULE_EXIT_REASON_LEN + JOULE_EXIT_MSG_LEN + 128];
	bool error = joule_exit_is_error(ei);

	joule_exit_describe(ei, line, sizeof(line));
	fprintf(error ? stderr : stdout, "scx_joule: %s\n", line);
	return error ? 1 : 0;
}

/* Open, load and attach once; returns 0, 1 on failure, or -EAGAIN to restart. */
static int run_scheduler(void)
{
	struct scx_joule *skel;
	struct bpf_link *link = NULL;
	__u64 last[JOULE_NR_STATS] = {0};
	double last_t;
	int err, status;

	skel = scx_joule__open();
	if (!skel) {
		fprintf(stderr, "scx_joule: opening BPF object failed: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->slice_ns = opts.slice_us * 1000ULL;

	err = scx_joule__load(skel);
	if (err) {
		fprintf(stderr,
			"scx_joule: loading BPF programs failed: %s (run with -v for "
			"the verifier log)\n",
			strerror(-err));
		status = 1;
		goto out;
	}
	link = bpf_map__attach_struct_ops(skel->maps.joule_ops);
	if (!link) {
		fprintf(stderr, "scx_joule: attaching the scheduler failed: %s\n", strerror(errno));
		status = 1;
		goto out;
	}
	printf("scx_joule: attached (slice %lu us)\n", opts.slice_us);
	fflush(stdout);

	last_t = now_seconds();
	while (!exiting && !skel->bss->exit_info.kind) {
		double t;

		usleep(opts.stats_interval > 0 && opts.stats_interval < 0.1 ? 10000 : 100000);
		t = now_seconds();
		if (opts.stats_interval > 0 && t - last_t >= opts.stats_interval) {
			print_stats(skel, last, t - last_t);
			last_t = t;
		}
	}

	bpf_link__destroy(link);
	link = NULL;
	status = report_exit(&skel->bss->exit_info);
	if (!exiting && joule_exit_wants_restart(&skel->bss->exit_info))
		status = -EAGAIN;
out:
	bpf_link__destroy(link);
	scx_joule__destroy(skel);
	return status;
}

int main(int argc, char **argv)
{
	int status;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	check_can_attach();

	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	while ((status = run_scheduler()) == -EAGAIN)
		printf("scx_joule: the kernel asked for a restart; reattaching\n");
	return status;
}
