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
#include "file_util.h"
#include "joule.h"
#include "joule_config.h"
#include "machine.h"
#include "policy.h"
#include "profile.h"
#include "sched_ext_sysfs.h"
#include "soc.h"
#include "stats.h"
#include "scx_joule.skel.h"

struct options {
	unsigned long slice_us;
	double stats_interval;
	bool stats_json;
	bool verbose;
	bool auto_profile;
	enum joule_profile profile;
	const char *power_root; /* sysfs root for power_supply/platform_profile */
	const char *model_path; /* machine model file (.soc) */
};

static struct options opts = {
	.slice_us = 5000,
	.auto_profile = true,
	.profile = JOULE_PROFILE_BALANCED,
};

static volatile sig_atomic_t exiting;

const char *argp_program_version = "scx_joule " JOULE_VERSION;
const char *argp_program_bug_address = "the scx_joule issue tracker";
static const char doc[] = "scx_joule: an energy-aware sched_ext scheduler for hybrid CPUs.\n"
			  "\n"
			  "Runs until interrupted (SIGINT/SIGTERM), then detaches; the kernel also "
			  "detaches it if the program dies. Needs root and a kernel with "
			  "CONFIG_SCHED_CLASS_EXT.";

enum {
	OPT_STATS = 's',
	OPT_SLICE = 'S',
	OPT_VERBOSE = 'v',
	OPT_PROFILE = 'p',
	OPT_STATS_JSON = 0x100,
	OPT_POWER_ROOT,
	OPT_MODEL,
};

static const struct argp_option argp_options[] = {
	{"profile", OPT_PROFILE, "NAME", 0,
	 "powersave, balanced, performance, gaming, or auto (default): follow AC/battery and "
	 "the firmware's platform_profile, switching live",
	 0},
	{"stats", OPT_STATS, "SECONDS", 0, "Print scheduler stats every SECONDS (e.g. 1)", 0},
	{"stats-json", OPT_STATS_JSON, NULL, 0, "Print the stats as one JSON object per line", 0},
	{"slice-us", OPT_SLICE, "US", 0, "Time slice in microseconds (default 5000)", 0},
	{"model", OPT_MODEL, "FILE", 0,
	 "Machine model (domains, CPUs, operating points, power; the format of sim/socs/*.soc) "
	 "for CPUs 0..N-1, instead of treating all CPUs as equal",
	 0},
	{"power-sysfs", OPT_POWER_ROOT, "DIR", 0,
	 "Read power_supply and platform_profile under DIR instead of /sys (for tests)", 0},
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
	case OPT_PROFILE:
		if (joule_profile_parse(arg, &opts.profile, &opts.auto_profile))
			argp_error(state,
				   "unknown profile '%s' (powersave, balanced, performance, "
				   "gaming, auto)",
				   arg);
		break;
	case OPT_STATS_JSON:
		opts.stats_json = true;
		if (opts.stats_interval == 0)
			opts.stats_interval = 1;
		break;
	case OPT_POWER_ROOT: opts.power_root = arg; break;
	case OPT_MODEL: opts.model_path = arg; break;
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

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Bad model input is the user's to fix: exit status 2, like a usage error. */
static void load_machine(struct joule_machine *m)
{
	static struct sim_soc soc;
	char online[1024], err[512];
	int nr_cpus = libbpf_num_possible_cpus();

	if (joule_read_line("/sys/devices/system/cpu/online", online, sizeof(online)))
		die("cannot read /sys/devices/system/cpu/online: %s", strerror(errno));
	if (!opts.model_path) {
		if (joule_machine_homogeneous(m, nr_cpus, online, err, sizeof(err)))
			die("%s", err);
		return;
	}
	if (sim_soc_load(opts.model_path, &soc, err, sizeof(err)) ||
	    joule_machine_from_soc(m, &soc, nr_cpus, online, err, sizeof(err))) {
		fprintf(stderr, "scx_joule: %s\n", err);
		exit(2);
	}
	m->freq_control = access("/sys/devices/system/cpu/cpufreq", F_OK) == 0;
}

/* The profile to run now, and whether it changed (logging why). */
static bool pick_profile(enum joule_profile *cur, bool first)
{
	struct joule_power_state ps;
	enum joule_profile want = opts.profile;
	char why[96] = "chosen with --profile";
	int err;

	if (opts.auto_profile) {
		err = joule_power_state_read(opts.power_root, &ps);
		if (err) {
			if (first)
				fprintf(stderr,
					"scx_joule: warning: cannot read the power state (%s); "
					"using balanced\n",
					strerror(-err));
			want = JOULE_PROFILE_BALANCED;
			snprintf(why, sizeof(why), "power state unreadable");
		} else {
			want = joule_profile_auto(&ps, why, sizeof(why));
		}
	}
	if (!first && want == *cur)
		return false;
	printf("scx_joule: profile %s (%s%s)\n", joule_profile_name(want),
	       opts.auto_profile ? "auto: " : "", why);
	fflush(stdout);
	*cur = want;
	return true;
}

static void fill_bpf_tables(struct scx_joule *skel, const struct joule_machine *m)
{
	skel->bss->tables = m->tables;
	memcpy(skel->bss->online.bits, m->online, sizeof(skel->bss->online.bits));
	skel->rodata->freq_invariant = m->freq_control;
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
static int run_scheduler(const struct joule_machine *m)
{
	struct joule_stats_snapshot prev = {0}, cur = {0};
	int nr_possible = libbpf_num_possible_cpus();
	struct bpf_link *link = NULL;
	struct joule_interval iv;
	enum joule_profile profile = JOULE_PROFILE_BALANCED;
	struct scx_joule *skel;
	double last_t, last_power_check;
	int err, status;

	skel = scx_joule__open();
	if (!skel) {
		fprintf(stderr, "scx_joule: opening BPF object failed: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->slice_ns = opts.slice_us * 1000ULL;
	fill_bpf_tables(skel, m);
	pick_profile(&profile, true);
	skel->data->profile = profile;

	if (joule_stats_snapshot_alloc(&prev, nr_possible) ||
	    joule_stats_snapshot_alloc(&cur, nr_possible)) {
		fprintf(stderr, "scx_joule: out of memory\n");
		status = 1;
		goto out;
	}
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
	printf("scx_joule: attached (slice %lu us; %s)\n", opts.slice_us, m->source);
	fflush(stdout);

	last_t = last_power_check = now_seconds();
	joule_stats_read(bpf_map__fd(skel->maps.stats), &prev, last_t);
	while (!exiting && !skel->bss->exit_info.kind) {
		double t;

		usleep(100000);
		t = now_seconds();
		if (opts.auto_profile && t - last_power_check >= 1.0) {
			last_power_check = t;
			if (pick_profile(&profile, false))
				skel->data->profile = profile;
		}
		if (opts.stats_interval > 0 && t - last_t >= opts.stats_interval) {
			if (!joule_stats_read(bpf_map__fd(skel->maps.stats), &cur, t)) {
				joule_stats_interval(&m->view, &prev, &cur, &iv);
				joule_stats_print(stdout, &m->view, &iv,
						  joule_profile_name(profile), opts.stats_json);
				memcpy(prev.cpu, cur.cpu, sizeof(*cur.cpu) * (size_t)nr_possible);
				prev.time_s = t;
			}
			last_t = t;
		}
	}

	bpf_link__destroy(link);
	link = NULL;
	status = report_exit(&skel->bss->exit_info);
	if (!exiting && joule_exit_wants_restart(&skel->bss->exit_info))
		status = -EAGAIN;
out:
	joule_stats_snapshot_free(&prev);
	joule_stats_snapshot_free(&cur);
	bpf_link__destroy(link);
	scx_joule__destroy(skel);
	return status;
}

int main(int argc, char **argv)
{
	static struct joule_machine machine;
	int status;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	/* the model first: bad input is reported even where nothing can attach */
	load_machine(&machine);
	check_can_attach();

	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	while ((status = run_scheduler(&machine)) == -EAGAIN)
		printf("scx_joule: the kernel asked for a restart; reattaching\n");
	return status;
}
