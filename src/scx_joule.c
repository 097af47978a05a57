// SPDX-License-Identifier: GPL-2.0-only
/*
 * scx_joule: loader of the energy-aware sched_ext scheduler.
 *
 * Opens the BPF skeleton, attaches the scheduler through a struct_ops link
 * (so the kernel detaches it if this process dies), prints live stats if
 * asked to, and on the way out reports why the scheduler stopped.
 */
#include <argp.h>
#include <dirent.h>
#include <poll.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sys/utsname.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "exit_info.h"
#include "joule.h"
#include "joule_config.h"
#include "kfuncs.h"
#include "jepp.h"
#include "jpower.h"
#include "jtopo.h"
#include "jtopo_fs.h"
#include "desktop.h"
#include "machine.h"
#include "policy.h"
#include "profile.h"
#include "sched_ext_sysfs.h"
#include "show_model.h"
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
	const char *power_root;	 /* sysfs root for power_supply/platform_profile */
	const char *model_path;	 /* simulator machine file (.soc) */
	const char *xml_path;	 /* hwloc XML topology */
	const char *sysfs_root;	 /* recorded machine: sys/, proc/ below it */
	const char *em_path;	 /* energy model file */
	const char *em_out_path; /* write the energy model here and exit */
	bool show_topology, json;
	bool log; /* one line per state change, no stats (under systemd) */
	bool explain_profile, follow;
	bool no_gamemode;
	const char *bus_address;  /* one D-Bus for everything (tests) */
	bool no_power_settings;	  /* leave EPP, turbo and platform_profile alone */
	bool power_settings_only; /* hidden: the power settings without the scheduler */
	bool older_kernel_paths;  /* hidden: 6.14-6.18's paths on a newer kernel */
};

static struct options opts = {
	.slice_us = 5000,
	.auto_profile = true,
	.profile = JOULE_PROFILE_BALANCED,
};

static volatile sig_atomic_t exiting;

const char *argp_program_version = "scx_joule " JOULE_VERSION;
const char *argp_program_bug_address = "the scx_joule issue tracker";
static const char doc[] =
	"scx_joule: an energy-aware sched_ext scheduler for hybrid CPUs.\n"
	"\n"
	"Runs until SIGINT, SIGTERM, SIGHUP, SIGQUIT or SIGPIPE, then detaches; the kernel also "
	"detaches it if the program dies. Needs root and Linux >= " JOULE_MIN_KERNEL " with "
	"CONFIG_SCHED_CLASS_EXT.";

enum {
	OPT_STATS = 's',
	OPT_SLICE = 'S',
	OPT_VERBOSE = 'v',
	OPT_PROFILE = 'p',
	OPT_STATS_JSON = 0x100,
	OPT_POWER_ROOT,
	OPT_MODEL,
	OPT_TOPOLOGY,
	OPT_SYSFS_ROOT,
	OPT_ENERGY_MODEL,
	OPT_SHOW_TOPOLOGY,
	OPT_JSON,
	OPT_WRITE_EM,
	OPT_LOG,
	OPT_EXPLAIN_PROFILE,
	OPT_FOLLOW,
	OPT_NO_GAMEMODE,
	OPT_BUS_ADDRESS,
	OPT_NO_POWER_SETTINGS,
	OPT_POWER_SETTINGS_ONLY,
	OPT_OLDER_KERNEL_PATHS,
};

static const struct argp_option argp_options[] = {
	{NULL, 0, NULL, 0, "Profiles and stats:", 1},
	{"profile", OPT_PROFILE, "NAME", 0,
	 "powersave, balanced, performance, gaming, or auto (default): follow GameMode, "
	 "power-profiles-daemon, the firmware's platform_profile and AC/battery, switching live",
	 1},
	{"explain-profile", OPT_EXPLAIN_PROFILE, NULL, 0,
	 "Print the profile --profile would run now and which source chose it, and exit "
	 "without touching the scheduler",
	 1},
	{"follow", OPT_FOLLOW, NULL, 0,
	 "With --explain-profile: keep running and print every change until interrupted", 1},
	{"no-gamemode", OPT_NO_GAMEMODE, NULL, 0,
	 "Do not switch to gaming while GameMode has clients", 1},
	{"bus-address", OPT_BUS_ADDRESS, "ADDRESS", 0,
	 "Watch this D-Bus (e.g. unix:path=/run/x) instead of the system and session buses", 1},
	{"stats", OPT_STATS, "SECONDS", 0, "Print scheduler stats every SECONDS (e.g. 1)", 1},
	{"stats-json", OPT_STATS_JSON, NULL, 0, "Print the stats as one JSON object per line", 1},
	{"slice-us", OPT_SLICE, "US", 0, "Time slice in microseconds (default 5000)", 1},
	{NULL, 0, NULL, 0, "The machine model (print it, or read another machine's):", 2},
	{"show-topology", OPT_SHOW_TOPOLOGY, NULL, 0,
	 "Print the machine model (CPU kinds, capacities, domains, operating points, power) and "
	 "exit without touching the scheduler",
	 2},
	{"json", OPT_JSON, NULL, 0, "With --show-topology: print it as JSON", 2},
	{"topology", OPT_TOPOLOGY, "FILE.xml", 0,
	 "Read the topology from an hwloc XML export instead of this machine", 2},
	{"sysfs-root", OPT_SYSFS_ROOT, "DIR", 0,
	 "Read topology, capacity, cpufreq and the kernel energy model from DIR/sys (a "
	 "recorded machine) instead of /sys",
	 2},
	{"energy-model", OPT_ENERGY_MODEL, "FILE", 0,
	 "Energy model file (as --write-energy-model writes it), used instead of the kernel's or "
	 "the derived one; a bad file is an error (exit status 2)",
	 2},
	{"write-energy-model", OPT_WRITE_EM, "FILE", 0,
	 "Write the energy model, in --energy-model's format, to FILE (- for stdout) and exit", 2},
	{"model", OPT_MODEL, "FILE", 0,
	 "Simulator machine file (.soc; installed ones in " JOULE_SOCDIR ") laid over CPUs "
	 "0..N-1, instead of the topology and energy model",
	 2},
	{NULL, 0, NULL, 0, "Power settings and logging:", 3},
	{"power-sysfs", OPT_POWER_ROOT, "DIR", 0,
	 "Use DIR instead of /sys for power_supply, platform_profile and the EPP, turbo and "
	 "uncore files set per profile (for tests)",
	 3},
	{"no-power-settings", OPT_NO_POWER_SETTINGS, NULL, 0,
	 "Leave EPP, turbo/boost, the uncore limit and platform_profile as they are (by default "
	 "they follow the profile and are restored on exit)",
	 3},
	/* tests: apply and restore the power settings as a run would, without sched_ext */
	{"power-settings-only", OPT_POWER_SETTINGS_ONLY, NULL, OPTION_HIDDEN, NULL, 3},
	/*
	 * tests: run what a 6.14-6.18 kernel would, where the pinned kernels
	 * (all newer) would otherwise take their own kfuncs' paths
	 */
	{"older-kernel-paths", OPT_OLDER_KERNEL_PATHS, NULL, OPTION_HIDDEN, NULL, 3},
	{"log", OPT_LOG, NULL, 0,
	 "Log one line per state change (attach, profile switch, exit) and no stats; the "
	 "default under systemd",
	 3},
	{"verbose", OPT_VERBOSE, NULL, 0,
	 "Print libbpf debug output and the verifier's work per program", 0},
	{0},
};

/*
 * The last option given that only changes a run, and the last that goes
 * with a run or --explain-profile: the modes that print and exit refuse
 * them by name rather than drop them unseen.
 */
static const char *run_only_opt, *not_model_opt;

static bool is_directory(const char *path)
{
	struct stat st;

	errno = 0;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* A file or directory option's value: an empty one would be reported as ": No such file" */
static char *path_arg(struct argp_state *state, const char *opt, char *arg)
{
	if (!arg[0])
		argp_error(state, "%s takes a path, not an empty value", opt);
	return arg;
}

/*
 * A D-Bus address begins with its transport ("unix:path=...", "tcp:host=...").
 * sd-bus skips an entry it cannot parse and reports the bus as refusing
 * connections, which would read as a bus that is down and be retried forever.
 */
static bool is_bus_address(const char *a)
{
	size_t n = strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n > 0 && a[n] == ':';
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case OPT_STATS:
		errno = 0;
		opts.stats_interval = strtod(arg, &end);
		/* plain decimal: strtod also takes hex, exponents, signs and blanks */
		if (errno || *end || arg[strspn(arg, "0123456789.")] ||
		    !(opts.stats_interval >= 0.1 && opts.stats_interval <= 3600))
			argp_error(state, "--stats takes seconds between 0.1 and 3600, not '%s'",
				   arg);
		break;
	case OPT_SLICE:
		errno = 0;
		opts.slice_us = strtoul(arg, &end, 10);
		/* digits only: strtoul takes a sign ("-18446744073709546616" wraps to 5000) */
		if (errno || *end || arg[strspn(arg, "0123456789")] || opts.slice_us < 100 ||
		    opts.slice_us > 1000000)
			argp_error(state, "--slice-us takes 100..1000000, not '%s'", arg);
		run_only_opt = "--slice-us";
		break;
	case OPT_VERBOSE:
		opts.verbose = true;
		run_only_opt = "--verbose";
		break;
	case OPT_PROFILE:
		if (joule_profile_parse(arg, &opts.profile, &opts.auto_profile))
			argp_error(state,
				   "unknown profile '%s' (powersave, balanced, performance, "
				   "gaming, auto)",
				   arg);
		not_model_opt = "--profile";
		break;
	case OPT_STATS_JSON:
		opts.stats_json = true;
		if (opts.stats_interval == 0)
			opts.stats_interval = 1;
		break;
	case OPT_POWER_ROOT:
		opts.power_root = path_arg(state, "--power-sysfs", arg);
		not_model_opt = "--power-sysfs";
		break;
	case OPT_MODEL: opts.model_path = path_arg(state, "--model", arg); break;
	case OPT_TOPOLOGY: opts.xml_path = path_arg(state, "--topology", arg); break;
	case OPT_SYSFS_ROOT: opts.sysfs_root = path_arg(state, "--sysfs-root", arg); break;
	case OPT_ENERGY_MODEL: opts.em_path = path_arg(state, "--energy-model", arg); break;
	case OPT_SHOW_TOPOLOGY: opts.show_topology = true; break;
	case OPT_JSON: opts.json = true; break;
	case OPT_WRITE_EM: opts.em_out_path = path_arg(state, "--write-energy-model", arg); break;
	case OPT_LOG:
		opts.log = true;
		not_model_opt = "--log";
		break;
	case OPT_EXPLAIN_PROFILE: opts.explain_profile = true; break;
	case OPT_FOLLOW: opts.follow = true; break;
	case OPT_NO_GAMEMODE:
		opts.no_gamemode = true;
		not_model_opt = "--no-gamemode";
		break;
	case OPT_BUS_ADDRESS:
		if (!is_bus_address(arg))
			argp_error(state,
				   "--bus-address takes a D-Bus address, TRANSPORT:KEY=VALUE "
				   "(e.g. unix:path=/run/dbus/system_bus_socket), not '%s'",
				   arg);
		opts.bus_address = arg;
		not_model_opt = "--bus-address";
		break;
	case OPT_NO_POWER_SETTINGS:
		opts.no_power_settings = true;
		run_only_opt = "--no-power-settings";
		break;
	case OPT_POWER_SETTINGS_ONLY: opts.power_settings_only = true; break;
	case OPT_OLDER_KERNEL_PATHS:
		opts.older_kernel_paths = true;
		run_only_opt = "--older-kernel-paths";
		break;
	case ARGP_KEY_END:
		if (opts.model_path && (opts.xml_path || opts.sysfs_root || opts.em_path))
			argp_error(state, "--model replaces --topology, --sysfs-root and "
					  "--energy-model; give one or the other");
		if (opts.json && !opts.show_topology)
			argp_error(state, "--json goes with --show-topology (use --stats-json "
					  "for stats)");
		if (opts.follow && !opts.explain_profile)
			argp_error(state, "--follow goes with --explain-profile");
		/* a missing one read as a desktop without power supplies */
		if (opts.power_root && !is_directory(opts.power_root))
			argp_error(state, "--power-sysfs %s: %s", opts.power_root,
				   strerror(errno ? errno : ENOTDIR));
		if (opts.follow && !opts.auto_profile)
			argp_error(state, "--follow follows --profile auto; a fixed profile never "
					  "changes");
		/* it only says which profile: these were silently ignored */
		if (opts.explain_profile &&
		    (opts.show_topology || opts.em_out_path || opts.model_path || opts.xml_path ||
		     opts.sysfs_root || opts.em_path || opts.stats_interval > 0 || opts.stats_json))
			argp_error(state, "--explain-profile only says which profile would be "
					  "chosen; it takes no model or stats options");
		/* each prints and exits: the second was silently dropped */
		if (opts.show_topology && opts.em_out_path)
			argp_error(state, "--show-topology and --write-energy-model each print "
					  "the model and exit; give one of them");
		/* they print the model and exit: nothing runs that stats could count */
		if ((opts.show_topology || opts.em_out_path) &&
		    (opts.stats_interval > 0 || opts.stats_json))
			argp_error(state, "--show-topology and --write-energy-model print the "
					  "model and exit; --stats and --stats-json need a run");
		if (opts.model_path && (opts.show_topology || opts.em_out_path))
			argp_error(state, "--show-topology and --write-energy-model show the "
					  "hwloc/cpufreq model, not a --model file");
		if (run_only_opt &&
		    (opts.explain_profile || opts.show_topology || opts.em_out_path))
			argp_error(state, "%s changes a run; %s prints and exits without one",
				   run_only_opt,
				   opts.explain_profile ? "--explain-profile"
				   : opts.show_topology ? "--show-topology"
							: "--write-energy-model");
		if (not_model_opt && (opts.show_topology || opts.em_out_path))
			argp_error(state,
				   "%s goes with a run or --explain-profile; %s prints the "
				   "machine model, the same in every profile, and exits",
				   not_model_opt,
				   opts.show_topology ? "--show-topology" : "--write-energy-model");
		break;
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

/*
 * After a stop signal, an output whose reader stopped reading (a paused
 * pager, a terminal stopped with Ctrl-S) must not keep the loader from
 * detaching: a write blocked on it, restarted after the signal, would never
 * return. So a stop signal arms a once-a-second check (SIGALRM): an output
 * found unable to take a byte at two checks in a row goes to /dev/null, and
 * the blocked write, restarted, completes there (the exit and the power
 * settings' notes are lost with it). One look would not do: a slow reader
 * (a serial console) can be full for a moment and still be read.
 */
#define STUCK_CHECKS 2

static volatile sig_atomic_t stuck_seen[3];

static void give_up_if_stuck(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int null;

	if (poll(&pfd, 1, 0) != 0) { /* writable, or broken: a write returns at once */
		stuck_seen[fd] = 0;
		return;
	}
	if (++stuck_seen[fd] < STUCK_CHECKS)
		return;
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0)
		return;
	dup2(null, fd);
	close(null);
}

static void on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	give_up_if_stuck(STDOUT_FILENO);
	give_up_if_stuck(STDERR_FILENO);
	alarm(1);
	errno = saved;
}

static void on_signal(int sig)
{
	(void)sig;
	if (!exiting)
		alarm(1);
	exiting = 1;
}

/*
 * Every signal that would end the program ends the run instead, so that the
 * scheduler detaches and the power settings are put back: Ctrl-C, a stop
 * from systemd, a closed terminal (SIGHUP), and stats printed into a pipe
 * whose reader has gone (SIGPIPE, as in "scx_joule --stats 1 | head").
 * SIGHUP and SIGPIPE stay ignored where they were ignored at start: nohup
 * means "outlive the terminal", and systemd ignores SIGPIPE so that a
 * journal stream that breaks does not stop a service. SIGINT and SIGQUIT
 * are caught even then (a script's background job starts with them
 * ignored, and "kill -INT" is how scripts stop it). A system call they
 * interrupt is restarted (SA_RESTART): a sysfs write of the power settings
 * must not fail with EINTR; a write that cannot finish is on_alarm's.
 */
static const struct {
	int sig;
	bool keep_ignored;
} stop_signals[] = {
	{SIGINT, false}, {SIGTERM, false}, {SIGQUIT, false}, {SIGHUP, true}, {SIGPIPE, true},
};

static void catch_exit_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	struct sigaction alrm = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};

	sigemptyset(&sa.sa_mask);
	sigemptyset(&alrm.sa_mask);
	sigaction(SIGALRM, &alrm, NULL);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		struct sigaction old;
		int sig = stop_signals[i].sig;

		if (stop_signals[i].keep_ignored && !sigaction(sig, NULL, &old) &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sig, &sa, NULL);
	}
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

/*
 * Exit status when another sched_ext scheduler holds the kernel: the unit's
 * RestartPreventExitStatus= so that systemd does not retry against it.
 */
#define EXIT_OTHER_SCHEDULER 3
/*
 * Exit status when this kernel cannot run this build (a kfunc missing, the
 * verifier refusing a program): no retry will change that either.
 */
#define EXIT_KERNEL_CANNOT 4

/*
 * The BPF code calls kfuncs newer than sched_ext itself: say which are
 * missing before the verifier rejects the program with a less clear log.
 */
static void check_kfuncs(void)
{
	struct utsname u = {0};
	char msg[1280];
	struct btf *btf = btf__load_vmlinux_btf();
	int n;

	if (!btf) {
		fprintf(stderr,
			"scx_joule: warning: cannot read this kernel's BTF (%s); not checking "
			"kfuncs\n",
			strerror(errno));
		return;
	}
	uname(&u);
	n = joule_kfuncs_message(btf, u.release, msg, sizeof(msg));
	btf__free(btf);
	if (!n)
		return;
	fprintf(stderr, "%s\n", msg);
	exit(EXIT_KERNEL_CANNOT);
}

/*
 * Has all that was printed reached stdout? The first failure's errno is
 * kept: by exit, errno is whatever came after (EINTR from a poll).
 */
static bool flush_output(void)
{
	static int first_errno;

	/* flushed every time: a disk that was full may take the next lines */
	errno = 0;
	if ((fflush(stdout) || ferror(stdout)) && !first_errno)
		first_errno = errno ?: EIO;
	errno = first_errno;
	return !first_errno;
}

/*
 * A state change (attach, profile switch, exit): one line on stdout. In log
 * mode the journal already names the program, so the prefix is left out.
 */
static void note(FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (!opts.log)
		fputs("scx_joule: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	if (f == stdout)
		flush_output();
	else
		fflush(f);
}

/*
 * A scheduler still detaching (state "disabling") is most likely our own
 * previous run, which systemd restarts right after it died: wait for it.
 */
static void wait_until_disabled(char *state, size_t len)
{
	for (int i = 0; i < 50 && !strcmp(state, "disabling"); i++) {
		usleep(100000);
		if (scx_sysfs_state(state, len) < 0)
			break;
	}
}

/*
 * -v: what the kernel's verifier did, per program: the instructions it
 * walked decide how long a load takes (most of the time from start to
 * attached on a slow machine or an emulated guest).
 */
static void print_verifier_work(struct scx_joule *skel, double load_s)
{
	struct bpf_program *prog;
	unsigned long long total = 0;

	bpf_object__for_each_program(prog, skel->obj)
	{
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_prog_get_info_by_fd(fd, &info, &len))
			continue;
		total += info.verified_insns;
		fprintf(stderr, "scx_joule: verifier: %-24s %8u insns\n", bpf_program__name(prog),
			info.verified_insns);
	}
	fprintf(stderr, "scx_joule: verifier: %llu insns in all; loading took %.0f ms\n", total,
		load_s * 1000);
}

/*
 * Is another scheduler attached (the kernel's state, state bytes, is not
 * "disabled")? Then say so, naming it.
 */
static bool another_scheduler(const char *state)
{
	char ops[160]; /* the kernel's ops name is up to 127 bytes */

	if (!strcmp(state, "disabled"))
		return false;
	if (scx_sysfs_ops(ops, sizeof(ops)) < 0)
		snprintf(ops, sizeof(ops), "unknown");
	fprintf(stderr,
		"scx_joule: not starting: another sched_ext scheduler is %s (%s); stop "
		"it first (e.g. systemctl stop scx.service)\n",
		state, ops);
	return true;
}

static void check_can_attach(void)
{
	char state[32];

	if (geteuid() != 0)
		die("must be run as root (attaching a sched_ext scheduler needs CAP_SYS_ADMIN)");
	if (scx_sysfs_state(state, sizeof(state)) < 0) {
		/* not die(): no retry gives this kernel sched_ext */
		fprintf(stderr,
			"scx_joule: this kernel has no sched_ext support (%s missing; needs "
			"CONFIG_SCHED_CLASS_EXT=y, Linux >= %s)\n",
			SCX_SYSFS_STATE, JOULE_MIN_KERNEL);
		exit(EXIT_KERNEL_CANNOT);
	}
	wait_until_disabled(state, sizeof(state));
	/* its own exit status keeps systemd from retrying */
	if (another_scheduler(state))
		exit(EXIT_OTHER_SCHEDULER);
	check_kfuncs();
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void model_error(const char *err)
{
	/* never a bare "scx_joule:": a library path that forgot its message still says something */
	fprintf(stderr, "scx_joule: %s\n", err[0] ? err : "cannot build the machine model");
	exit(2);
}

/* Exit 0 after a report, or 1 if it did not all reach stdout (a full disk, a closed pipe). */
static void exit_printed(void)
{
	if (!flush_output()) {
		fprintf(stderr, "scx_joule: cannot write the output: %s\n", strerror(errno));
		exit(1);
	}
	exit(0);
}

/*
 * A model must describe every online CPU: the tables would give one beyond
 * it capacity 0 and domain 0, so that nothing chose it and what ran there
 * anyway was misfit at once. Possible CPUs beyond it may stay offline.
 */
static void check_soc_covers_online(const struct sim_soc *soc)
{
	char beyond_list[JTOPO_CPULIST_LEN], err[JTOPO_CPULIST_LEN + 256];
	struct jtopo_cpuset online, beyond = {0};

	if (jtopo_read_online(NULL, &online, err, sizeof(err)))
		die("%s", err);
	for (int c = jtopo_cpuset_next(&online, (int)soc->nr_cpus); c >= 0;
	     c = jtopo_cpuset_next(&online, c + 1))
		jtopo_cpuset_set(&beyond, c);
	if (jtopo_cpuset_first(&beyond) < 0)
		return;
	jtopo_format_cpulist(&beyond, beyond_list, sizeof(beyond_list));
	snprintf(err, sizeof(err), "model '%s' has no entry for online CPU%s %s (it describes %u)",
		 soc->name, jtopo_cpuset_weight(&beyond) > 1 ? "s" : "", beyond_list, soc->nr_cpus);
	model_error(err);
}

static void load_soc(struct joule_machine *m, int nr_cpus)
{
	static struct sim_soc soc;
	char err[512] = "";

	if (sim_soc_load(opts.model_path, &soc, err, sizeof(err)) ||
	    joule_machine_from_soc(m, &soc, nr_cpus, err, sizeof(err)))
		model_error(err);
	check_soc_covers_online(&soc);
}

/*
 * Opened without blocking, so a FIFO no one reads is an error (ENXIO, as is
 * a socket) and not a wait; then blocking again, so a pipe that is read takes every line.
 */
static FILE *open_output(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0644);
	int fl = fd < 0 ? -1 : fcntl(fd, F_GETFL);
	FILE *f = NULL;

	if (fl >= 0 && !fcntl(fd, F_SETFL, fl & ~O_NONBLOCK))
		f = fdopen(fd, "w");
	if (!f && fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

/* Write the energy model (--write-energy-model) and exit. */
static void write_energy_model(const struct jpower_model *em, const struct jtopo *t)
{
	bool out = !strcmp(opts.em_out_path, "-");
	FILE *f;

	if (em->source == JPOWER_EM_NONE) {
		fprintf(stderr, "scx_joule: no energy model to write: %s\n", em->origin);
		exit(1);
	}
	f = out ? stdout : open_output(opts.em_out_path);

	if (!f || jpower_em_write(em, t, f) || (!out && fclose(f))) {
		fprintf(stderr, "scx_joule: cannot write %s: %s\n", opts.em_out_path,
			errno == ENXIO ? "a FIFO or socket that no one reads" : strerror(errno));
		exit(1);
	}
	exit_printed();
}

/*
 * The topology/cpufreq/energy model; --show-topology and --write-energy-model
 * end here. A model the user pointed at must load (exit 2 otherwise); if this
 * machine's own topology cannot be read, all CPUs are treated as equal.
 */
static struct jtopo topo;
static struct jpower_cpufreq cf;
static struct jpower_model em;
/* where the machine in use came from, which decides whether it is read again */
static enum {
	MODEL_OTHER,	 /* --model: another machine's, never read again */
	MODEL_READ,	 /* topo and em: this machine's, or the files given */
	MODEL_FELL_BACK, /* this machine's did not read: all CPUs equal */
} model_from;
/*
 * The kernel's hotplug count when the model was read: given to the kernel
 * (ops.hotplug_seq), it refuses the attach with a restart if a CPU came or
 * went since, which no ops.cpu_online would tell (a guessed CPU coming
 * online while the programs load). 0 where it cannot be read: no check.
 */
static unsigned long long model_hotplug_seq;

/*
 * cpufreq policies of this machine, counted as its model is read (-1: a
 * model of given files, --topology or --sysfs-root, not watched). A driver
 * that probes after the service started (a module udev loads late, a
 * cluster's driver retried) adds policies: the run ends and the model is
 * read again with them (cpufreq_policies_changed), instead of running the
 * rest of the uptime on a model without their operating points.
 */
static int model_policies = -1;

#define CPUFREQ_CHECK_S 3.0

static int count_cpufreq_policies(void)
{
	DIR *d = opendir("/sys/devices/system/cpu/cpufreq");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "policy", 6);
	closedir(d);
	return n;
}

/*
 * Checked every CPUFREQ_CHECK_S while the scheduler runs. A new count must
 * hold for two checks in a row: switching intel_pstate or amd-pstate between
 * modes (TLP does it at each plug and unplug) unregisters the driver and
 * registers it again, and a check in between would see none, or some.
 */
static bool cpufreq_policies_changed(void)
{
	static int seen = -1;
	int now;

	if (model_policies < 0)
		return false;
	now = count_cpufreq_policies();
	if (now == model_policies || now != seen) {
		seen = now == model_policies ? -1 : now;
		return false;
	}
	seen = -1;
	note(stdout, "cpufreq policies %d -> %d: reading the model again", model_policies, now);
	return true;
}

static int read_model(char *err, size_t errlen)
{
	struct jtopo_input in = {.xml = opts.xml_path, .root = opts.sysfs_root};
	int ret;

	/* before the model, so that a driver probing meanwhile is seen by the next check */
	model_policies = opts.xml_path || opts.sysfs_root ? -1 : count_cpufreq_policies();
	ret = jtopo_load(&topo, &in, err, errlen);

	if (ret)
		return ret;
	/* an XML alone describes another machine, or this one without its cpufreq */
	if (opts.xml_path && !opts.sysfs_root)
		return jpower_model_build_alone(&em, &cf, &topo, opts.em_path, err, errlen);
	return jpower_model_build(&em, &cf, &topo, opts.sysfs_root, opts.em_path, err, errlen);
}

static void print_model_warnings(void)
{
	for (int i = 0; i < topo.nr_warnings; i++)
		fprintf(stderr, "scx_joule: warning: %s\n", topo.warning[i]);
	if (em.warning[0])
		fprintf(stderr, "scx_joule: warning: %s\n", em.warning);
}

static void load_model(struct joule_machine *m, int nr_cpus)
{
	bool given = opts.xml_path || opts.sysfs_root || opts.em_path;
	char err[512] = "";
	int ret = read_model(err, sizeof(err));

	if (ret) {
		if (given || opts.show_topology || opts.em_out_path)
			model_error(err);
		fprintf(stderr, "scx_joule: warning: %s; treating all CPUs as equal\n", err);
		if (joule_machine_homogeneous(m, nr_cpus, err, sizeof(err)))
			die("%s", err);
		model_from = MODEL_FELL_BACK;
		return;
	}
	if (opts.show_topology) {
		if (opts.json)
			joule_show_model_json(stdout, &topo, &cf, &em);
		else
			joule_show_model(stdout, &topo, &cf, &em);
		exit_printed();
	}
	print_model_warnings();
	if (opts.em_out_path)
		write_energy_model(&em, &topo);
	if (!given && jpower_requests_ignored(&cf, err, sizeof(err)))
		fprintf(stderr, "scx_joule: note: %s\n", err);
	if (joule_machine_from_model(m, &topo, &em, nr_cpus, err, sizeof(err)))
		model_error(err);
	model_from = MODEL_READ;
}

/*
 * The model once more: after the scheduler asked to restart, as it does
 * when a CPU comes online with a guessed entry (JP_CPU_GUESSED), now that
 * the kernel shows that CPU; after a crashed run's power settings were put
 * back (turbo off lowers cpuinfo_max_freq); and when cpufreq policies came
 * or went (cpufreq_policies_changed). If it no longer reads, the one in use
 * stays; a machine that fell back to all CPUs equal gets its model once it
 * reads (a cpufreq driver half-way through probing at the start).
 */
static void read_model_again(struct joule_machine *m)
{
	static struct joule_machine in_use;
	char err[512] = "";

	/* before the model: a CPU that comes or goes while it is read must fail the attach */
	model_hotplug_seq = scx_sysfs_hotplug_seq();
	if (model_from == MODEL_OTHER)
		return;
	in_use = *m; /* its pointers point into itself: valid again once copied back */
	if (read_model(err, sizeof(err)) ||
	    joule_machine_from_model(m, &topo, &em, libbpf_num_possible_cpus(), err, sizeof(err))) {
		*m = in_use;
		note(stderr, "warning: reading the model again failed: %s; keeping the one in use",
		     err);
		return;
	}
	model_from = MODEL_READ;
	print_model_warnings();
	note(stdout, "model read again: %s", m->source);
}

/*
 * Bad model input is the user's to fix: exit status 2, like a usage error.
 * Every possible CPU gets an entry; which are online, the BPF side asks the
 * kernel when it starts.
 */
static void load_machine(struct joule_machine *m)
{
	int nr_cpus = libbpf_num_possible_cpus();

	if (nr_cpus < 0)
		die("cannot read the possible CPUs: %s", strerror(-nr_cpus));
	/* beyond the build's max_cpus: one line, before any model (--show-topology may go on) */
	if (nr_cpus > JP_MAX_CPUS && !opts.show_topology && !opts.em_out_path) {
		char err[256];

		jtopo_too_many_cpus(err, sizeof(err), "this machine", nr_cpus);
		model_error(err);
	}
	model_hotplug_seq = scx_sysfs_hotplug_seq();
	if (opts.model_path)
		load_soc(m, nr_cpus);
	else
		load_model(m, nr_cpus);
}

static struct joule_desktop *desktop; /* NULL: no D-Bus to follow */
static struct jepp power_ctl;	      /* the power settings (below) */
static bool power_ctl_on;
static const char *power_owner_seen; /* the daemon owning EPP & co. at the last apply */
static bool power_owner_changed(void);

/*
 * platform_profile as the firmware or the user set it: while it holds what
 * the power settings wrote for the profile (low-power for powersave), that
 * value says only what scx_joule chose, and reading it back would keep
 * powersave after AC returns.
 */
static void own_platform_profile_undone(struct joule_power_state *ps)
{
	char path[JEPP_PATH_LEN + 64];
	const char *orig;

	snprintf(path, sizeof(path), "%s/firmware/acpi/platform_profile", power_ctl.root);
	orig = jepp_original_under_own(&power_ctl, path);
	if (orig)
		snprintf(ps->platform_profile, sizeof(ps->platform_profile), "%s", orig);
}

/* What --profile asks for now. */
static void choose_profile(struct joule_profile_choice *c)
{
	static bool warned;
	struct joule_desktop_state ds;
	struct joule_power_state ps;
	int err;

	if (!opts.auto_profile) {
		c->profile = opts.profile;
		c->source = JOULE_SOURCE_OPTION;
		snprintf(c->why, sizeof(c->why), "chosen with --profile");
		return;
	}
	err = joule_power_state_read(opts.power_root, &ps);
	if (err && !warned) {
		fprintf(stderr,
			"scx_joule: warning: cannot read the power state (%s/class/power_supply: "
			"%s)\n",
			opts.power_root ? opts.power_root : "/sys", strerror(-err));
		warned = true;
	}
	/* --explain-profile: the running service's own writes, as they are now */
	if (opts.explain_profile) {
		/* a path too long: no state file is read, and the user is told why */
		if (jepp_init(&power_ctl, opts.power_root, getenv("SCX_JOULE_POWER_STATE")))
			fprintf(stderr,
				"scx_joule: warning: the %s path is too long (at most %d bytes): "
				"the running service's power settings are not shown\n",
				power_ctl.too_long, JEPP_PATH_LEN - 1);
		jepp_peek(&power_ctl);
	}
	if (!err)
		own_platform_profile_undone(&ps);
	joule_desktop_state(desktop, &ds);
	joule_profile_choose(err ? NULL : &ps, &ds, c);
}

static void print_choice(const struct joule_profile_choice *c)
{
	if (opts.explain_profile) {
		printf("%s: %s\n", joule_profile_name(c->profile), c->why);
		flush_output();
		return;
	}
	note(stdout, "profile %s (%s%s)", joule_profile_name(c->profile),
	     opts.auto_profile ? "auto: " : "", c->why);
}

/* The profile to run now, and whether it or its source changed (printing why). */
static bool pick_profile(struct joule_profile_choice *cur, bool first)
{
	struct joule_profile_choice want;

	choose_profile(&want);
	if (!first && want.profile == cur->profile && want.source == cur->source)
		return false;
	print_choice(&want);
	*cur = want;
	return true;
}

/*
 * One turn of the main loop: sleep 100 ms, or less when a desktop bus has
 * something to say. The power state in sysfs has no event to wait for and is
 * read once a second; a desktop change is acted on at once.
 */
static bool follow_profile(struct joule_profile_choice *cur, double *last_check)
{
	struct pollfd fds[JOULE_DESKTOP_MAX_FDS];
	int timeout_ms = 100;
	int n = joule_desktop_pollfds(desktop, fds, JOULE_DESKTOP_MAX_FDS, &timeout_ms);
	bool desktop_changed;
	double t;

	poll(fds, n, timeout_ms); /* a timeout or EINTR is a turn like any other */
	desktop_changed = joule_desktop_process(desktop);
	t = now_seconds();
	if (!desktop_changed && t - *last_check < 1.0)
		return false;
	*last_check = t;
	/* a fixed profile too: a power daemon may come or go */
	if (!opts.auto_profile)
		return power_owner_changed();
	return pick_profile(cur, false) || power_owner_changed();
}

/* Under `auto`, what the desktop says over D-Bus, where there is one. */
static void open_desktop(void)
{
	struct joule_desktop_opts o = {
		.bus_address = opts.bus_address,
		.gamemode = !opts.no_gamemode,
		/* tests put users' buses elsewhere than /run/user */
		.user_bus_dir = getenv("SCX_JOULE_USER_BUS_DIR"),
	};
	int err;

	/* with a fixed profile, only to see whether power-profiles-daemon is there */
	if (!opts.auto_profile && (opts.no_power_settings || opts.explain_profile))
		return;
	o.gamemode = o.gamemode && opts.auto_profile;
	err = joule_desktop_open(&desktop, &o);
	/* a bus that is not there yet is tried again (as at boot, before D-Bus) */
	if (err && err != -EOPNOTSUPP && desktop)
		fprintf(stderr, "scx_joule: warning: D-Bus %s: %s; trying again every 2 s\n",
			opts.bus_address ? opts.bus_address : "(the system bus)", strerror(-err));
	else if (err && err != -EOPNOTSUPP)
		fprintf(stderr, "scx_joule: warning: not following D-Bus: %s\n", strerror(-err));
	/*
	 * Then power-profiles-daemon, which sets EPP and platform_profile
	 * itself, cannot be seen: both would write them.
	 */
	if (err == -EOPNOTSUPP && (opts.explain_profile || !opts.no_power_settings))
		fprintf(stderr, "scx_joule: built without sd-bus: not following D-Bus%s\n",
			opts.no_power_settings || opts.explain_profile
				? ""
				: "; with power-profiles-daemon running, use --no-power-settings");
}

/* --explain-profile [--follow]: the choice, without the scheduler. */
static void explain_profile(void)
{
	struct joule_profile_choice cur;
	double last_check;

	catch_exit_signals();
	open_desktop();
	last_check = now_seconds();
	pick_profile(&cur, true);
	/* output that no longer goes anywhere ends the watch */
	while (opts.follow && !exiting && flush_output())
		follow_profile(&cur, &last_check);
	joule_desktop_close(desktop);
	exit_printed();
}

/*
 * EPP, turbo/boost, platform_profile and the uncore frequency limit follow
 * the profile while the scheduler runs (power/jepp.h); the originals are
 * kept in a state file (SCX_JOULE_POWER_STATE, default
 * /run/scx_joule/power-saved) until they are written back on exit, or at the
 * next start after a crash.
 */
static void power_warning(const char *what, const char *err)
{
	fprintf(stderr, "scx_joule: warning: %s: %s\n", what, err);
}

/*
 * A stats interval that failed: said once a run for each kind of failure
 * (*said), not at every interval.
 */
static void stats_warning(bool *said, const char *what, int err)
{
	if (*said)
		return;
	*said = true;
	fprintf(stderr, "scx_joule: warning: %s: %s (said once; the run goes on)\n", what,
		strerror(-err));
}

/* At start: put back what a killed run left, then take over if wanted; how many were put back. */
static int start_power_settings(void)
{
	char err[JEPP_PATH_LEN + 128];
	/* a path too long for jepp: jepp_recover() says which, and nothing is changed */
	int too_long = jepp_init(&power_ctl, opts.power_root, getenv("SCX_JOULE_POWER_STATE"));
	int nr;

	if (jepp_recover(&power_ctl, &nr, err, sizeof(err)))
		power_warning(too_long ? "power settings"
				       : "restoring a previous run's power settings",
			      err);
	if (nr)
		note(stdout, "restored %d power setting%s left by a previous run", nr,
		     nr == 1 ? "" : "s");
	if (power_ctl.nr_recover_kept)
		note(stdout,
		     "left %d power setting%s someone else changed after a previous run ended",
		     power_ctl.nr_recover_kept, power_ctl.nr_recover_kept == 1 ? "" : "s");
	/* a file not ours at the state path: warned above, and no setting is changed */
	power_ctl_on = !too_long && !opts.no_power_settings && !power_ctl.foreign_state;
	return nr;
}

/*
 * Is tuned running? Its pid file names a live process. Not /run/tuned alone:
 * tuned's tmpfiles.d makes that directory at every boot where it is
 * installed, running or not.
 */
static bool tuned_running(void)
{
	FILE *f = jtopo_fs_open_regular("/run/tuned/tuned.pid");
	long pid = 0;
	bool alive;

	if (!f)
		return false;
	alive = fscanf(f, "%ld", &pid) == 1 && pid > 0 && (!kill((pid_t)pid, 0) || errno == EPERM);
	fclose(f);
	return alive;
}

/*
 * power-profiles-daemon or tuned(-ppd) sets EPP and platform_profile itself,
 * and tuned has an uncore plugin (tuned-ppd answers on the daemon's bus name,
 * so the two cannot be told apart there).
 */
static const char *power_owner(void)
{
	struct joule_desktop_state ds;

	joule_desktop_state(desktop, &ds);
	if (ds.power_profile[0])
		return "power-profiles-daemon";
	if (!opts.power_root && tuned_running())
		return "tuned";
	return NULL;
}

static enum jepp_level power_level(enum joule_profile p)
{
	if (p == JOULE_PROFILE_POWERSAVE)
		return JEPP_POWERSAVE;
	return p == JOULE_PROFILE_BALANCED ? JEPP_BALANCED : JEPP_PERFORMANCE;
}

/* Has a power daemon come or gone since the settings were last applied? */
static bool power_owner_changed(void)
{
	return power_ctl_on && power_owner() != power_owner_seen;
}

/*
 * A daemon that came after scx_joule wrote its settings owns them now: the
 * originals go back, and the daemon sets its own (power-profiles-daemon
 * never writes the uncore limit, which would stay lowered otherwise).
 */
static void hand_over_power_settings(const char *owner, unsigned flags)
{
	char err[JEPP_PATH_LEN + 128];
	struct jepp_summary s;

	if (jepp_release(&power_ctl, flags, &s, err, sizeof(err)))
		power_warning("handing the power settings over", err);
	if (s.nr_written || s.nr_kept)
		note(stdout,
		     "%s is running: restored %d original power setting%s, left %d it changed",
		     owner, s.nr_written, s.nr_written == 1 ? "" : "s", s.nr_kept);
}

static void apply_power_settings(enum joule_profile profile)
{
	char err[JEPP_PATH_LEN + 128], turbo[16] = "", pp[JEPP_VALUE_LEN + 20] = "", unc[48] = "";
	const char *owner;
	struct jepp_summary s;
	unsigned flags = 0;

	if (!power_ctl_on)
		return;
	owner = power_owner();
	if (owner) {
		flags = JEPP_NO_EPP | JEPP_NO_PLATFORM_PROFILE | JEPP_NO_UNCORE;
		if (owner != power_owner_seen)
			note(stdout,
			     "%s is running: leaving EPP, platform_profile and uncore limits to it",
			     owner);
		hand_over_power_settings(owner, flags);
	}
	power_owner_seen = owner;
	if (jepp_apply(&power_ctl, power_level(profile), flags, &s, err, sizeof(err)))
		power_warning("power settings", err);
	if (!s.nr_written)
		return;
	if (s.turbo >= 0)
		snprintf(turbo, sizeof(turbo), ", turbo %s", s.turbo ? "on" : "off");
	if (s.platform_profile[0])
		snprintf(pp, sizeof(pp), ", platform_profile %s", s.platform_profile);
	if (s.nr_uncore)
		snprintf(unc, sizeof(unc), ", uncore max %ld MHz", s.uncore_max_khz / 1000);
	note(stdout, "power settings: EPP %s%s%s%s", s.nr_epp ? s.epp : "untouched", turbo, pp,
	     unc);
}

/* On every way out after the power settings were taken over. */
static void restore_power_settings(void)
{
	char err[JEPP_PATH_LEN + 128];
	struct jepp_summary s;

	if (!power_ctl_on)
		return;
	if (jepp_restore(&power_ctl, &s, err, sizeof(err)))
		power_warning("restoring the power settings", err);
	if (s.nr_written)
		note(stdout, "restored the original power settings (%d file%s)", s.nr_written,
		     s.nr_written == 1 ? "" : "s");
	if (s.nr_kept)
		note(stdout, "left %d power setting%s someone else changed while scx_joule ran",
		     s.nr_kept, s.nr_kept == 1 ? "" : "s");
}

/* --power-settings-only: what a run does to them, for tests without sched_ext. */
static int power_settings_only(void)
{
	struct joule_profile_choice cur;
	double last_check;

	catch_exit_signals();
	open_desktop();
	start_power_settings();
	last_check = now_seconds();
	pick_profile(&cur, true);
	apply_power_settings(cur.profile);
	while (!exiting)
		if (follow_profile(&cur, &last_check))
			apply_power_settings(cur.profile);
	restore_power_settings();
	joule_desktop_close(desktop);
	return 0;
}

static void fill_bpf_tables(struct scx_joule *skel, const struct joule_machine *m)
{
	skel->bss->tables = m->tables;
}

/*
 * Returns the process exit status the scheduler's exit deserves. An error
 * exit comes with the kernel's dump of its queues (which task waited where),
 * the one record of the state that made it fail.
 */
static int report_exit(const struct joule_exit_info *ei, const char *dump, size_t dump_len)
{
	char line[JOULE_EXIT_REASON_LEN + JOULE_EXIT_MSG_LEN + 128];
	bool error = joule_exit_is_error(ei);

	joule_exit_describe(ei, line, sizeof(line));
	note(error ? stderr : stdout, "%s", line);
	if (error && dump[0])
		fprintf(stderr, "scx_joule: the kernel's debug dump:\n%.*s\n", (int)dump_len, dump);
	return error ? 1 : 0;
}

/*
 * Tasks queued on a CPU that a realtime task takes must go elsewhere: from
 * a sched_switch hook where the kernel can re-enqueue from any context
 * (6.19+: cpu_release is deprecated there), else from ops.cpu_release,
 * with a sched_switch hook that only notes which CPUs realtime tasks hold
 * (ops.cpu_release is not called when one takes an idle CPU). Returns
 * whether the re-enqueuing hook is used.
 */
static bool choose_rt_takeover(struct scx_joule *skel)
{
	bool hook =
		!opts.older_kernel_paths && joule_kernel_has_kfunc("scx_bpf_reenqueue_local___v2");

	if (hook) {
		skel->struct_ops.joule_ops->cpu_release = NULL;
		bpf_program__set_autoload(skel->progs.joule_cpu_release, false);
		bpf_program__set_autoload(skel->progs.joule_rt_note, false);
	} else {
		bpf_program__set_autoload(skel->progs.joule_rt_takeover, false);
	}
	return hook;
}

/*
 * Loads the programs with the stop signals held back: the verifier gives
 * up on a pending signal with EAGAIN, and libbpf then verifies the program
 * again from the start (up to five times, then fails), so a Ctrl-C would
 * lengthen the load it means to cut short. Held, the signal is taken once
 * the load is done, and the caller's check of `exiting` stops before attach.
 * A stop that came before the signals were held sets *stopped and loads
 * nothing: checked only before holding them, one landing in between would
 * arm on_signal's SIGALRM, which the verifier would take every second.
 */
static int load_unstopped(struct scx_joule *skel, bool *stopped)
{
	sigset_t held, old;
	int err = 0;

	sigemptyset(&held);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(&held, stop_signals[i].sig);
	sigprocmask(SIG_BLOCK, &held, &old);
	*stopped = exiting;
	if (!*stopped)
		err = scx_joule__load(skel);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}

/* Open, load and attach once; returns 0, 1 on failure, or -EAGAIN to restart. */
static int run_scheduler(const struct joule_machine *m)
{
	struct joule_stats_snapshot prev = {0}, cur = {0};
	int nr_possible = libbpf_num_possible_cpus();
	struct bpf_link *link = NULL, *rt_link = NULL;
	bool use_rt_takeover;
	struct joule_interval iv;
	struct joule_profile_choice profile;
	struct scx_joule *skel;
	double last_t, last_power_check, last_policy_check, load_t;
	bool model_stale = false, read_failed = false, write_failed = false, stopped;
	int err, status;

	skel = scx_joule__open();
	if (!skel) {
		fprintf(stderr, "scx_joule: opening BPF object failed: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->slice_ns = opts.slice_us * 1000ULL;
	skel->rodata->older_kernel_paths = opts.older_kernel_paths;
	if (opts.older_kernel_paths)
		note(stdout, "taking the paths of kernels before 6.19 "
			     "(--older-kernel-paths)");
	skel->struct_ops.joule_ops->hotplug_seq = model_hotplug_seq;
	fill_bpf_tables(skel, m);
	pick_profile(&profile, true);
	skel->data->profile = profile.profile;

	if (joule_stats_snapshot_alloc(&prev, nr_possible) ||
	    joule_stats_snapshot_alloc(&cur, nr_possible)) {
		fprintf(stderr, "scx_joule: out of memory\n");
		status = 1;
		goto out;
	}
	use_rt_takeover = choose_rt_takeover(skel);
	if (opts.verbose) {
		struct bpf_program *prog;

		/* BPF_LOG_STATS: the verifier's time and state counts, in libbpf's debug output */
		bpf_object__for_each_program(prog, skel->obj) bpf_program__set_log_level(prog, 4);
	}
	load_t = now_seconds();
	err = load_unstopped(skel, &stopped);
	/* stopped before the verifier's seconds: nothing loaded */
	if (stopped) {
		status = 0;
		goto out;
	}
	if (err) {
		fprintf(stderr,
			"scx_joule: loading BPF programs failed: %s (run with -v for "
			"the verifier log)\n",
			strerror(-err));
		/* short of memory may pass; a program this kernel refuses will not */
		status = err == -ENOMEM ? 1 : EXIT_KERNEL_CANNOT;
		goto out;
	}
	if (opts.verbose)
		print_verifier_work(skel, now_seconds() - load_t);
	/* interrupted while the verifier worked (seconds on a slow machine): never attach */
	if (exiting) {
		status = 0;
		goto out;
	}
	link = bpf_map__attach_struct_ops(skel->maps.joule_ops);
	if (!link) {
		char state[32];
		int err = errno;

		/* another scheduler came while the programs loaded, or during a restart */
		if (err == EBUSY && scx_sysfs_state(state, sizeof(state)) >= 0 &&
		    another_scheduler(state)) {
			status = EXIT_OTHER_SCHEDULER;
			goto out;
		}
		fprintf(stderr, "scx_joule: attaching the scheduler failed: %s\n", strerror(err));
		status = 1;
		goto out;
	}
	rt_link = bpf_program__attach(use_rt_takeover ? skel->progs.joule_rt_takeover
						      : skel->progs.joule_rt_note);
	if (!rt_link) {
		fprintf(stderr, "scx_joule: attaching the sched_switch hook failed: %s\n",
			strerror(errno));
		status = 1;
		goto out;
	}
	/*
	 * The kernel returns from the attach even when enabling failed after
	 * that (ops.init, a task's init_task): it has ejected the scheduler by
	 * now and says why in exit_info. Then it never ran: no "attached", and
	 * no power settings to write and put back. Nor when told to stop while
	 * the attach enabled every task (a while on a busy machine): a
	 * platform_profile written and put back at once can still move fans.
	 */
	if (!skel->bss->exit_info.kind && !exiting) {
		note(stdout, "attached (slice %lu us; %s)", opts.slice_us, m->source);
		/*
		 * What the desktop's buses said while the programs loaded
		 * (seconds): at boot power-profiles-daemon may have taken its
		 * name since, and its settings are not ours to overwrite.
		 */
		if (joule_desktop_process(desktop) && opts.auto_profile &&
		    pick_profile(&profile, false))
			skel->data->profile = profile.profile;
		apply_power_settings(profile.profile);
	}

	last_t = last_power_check = last_policy_check = now_seconds();
	joule_stats_read(bpf_map__fd(skel->maps.stats), &prev, last_t);
	joule_stats_set_online(&prev, skel->bss->online.bits, JP_MASK_WORDS);
	while (!exiting && !skel->bss->exit_info.kind) {
		double t;

		if (follow_profile(&profile, &last_power_check)) {
			skel->data->profile = profile.profile;
			apply_power_settings(profile.profile);
		}
		t = now_seconds();
		if (t - last_policy_check >= CPUFREQ_CHECK_S) {
			last_policy_check = t;
			model_stale = cpufreq_policies_changed();
			if (model_stale)
				break;
		}
		if (opts.stats_interval > 0 && t - last_t >= opts.stats_interval) {
			int sr = joule_stats_read(bpf_map__fd(skel->maps.stats), &cur, t);

			if (sr)
				stats_warning(&read_failed, "cannot read the scheduler's stats",
					      sr);
			if (!sr) {
				joule_stats_set_online(&cur, skel->bss->online.bits, JP_MASK_WORDS);
				joule_stats_interval(&m->view, &prev, &cur, &iv);
				sr = joule_stats_print(
					stdout, &m->view, &iv, joule_profile_name(profile.profile),
					joule_profile_source_name(profile.source), opts.stats_json);
				if (sr && !exiting)
					stats_warning(&write_failed,
						      "cannot write the stats to stdout", sr);
				joule_stats_advance(&prev, &cur);
			}
			last_t = t;
		}
	}

	bpf_link__destroy(rt_link);
	rt_link = NULL;
	bpf_link__destroy(link);
	link = NULL;
	status = report_exit(&skel->bss->exit_info, skel->bss->exit_dump,
			     sizeof(skel->bss->exit_dump));
	if (!exiting && (model_stale || joule_exit_wants_restart(&skel->bss->exit_info)))
		status = -EAGAIN;
out:
	joule_stats_snapshot_free(&prev);
	joule_stats_snapshot_free(&cur);
	bpf_link__destroy(rt_link);
	bpf_link__destroy(link);
	scx_joule__destroy(skel);
	return status;
}

/*
 * systemd names the journal stream it connected as JOURNAL_STREAM=DEV:INODE.
 * Children inherit the variable, so it counts only if stdout is that stream.
 */
static bool stdout_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDOUT_FILENO, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

static void setup_log_mode(void)
{
	if (stdout_is_journal())
		opts.log = true;
	if (opts.log && opts.stats_interval > 0) {
		note(stderr, "--stats and --stats-json are off in log mode (the journal gets state "
			     "changes only)");
		opts.stats_interval = 0;
	}
}

/*
 * Started with a standard descriptor closed (scx_joule >&-), the next file
 * opened would take its number and receive the notes and stats: the
 * desktop's D-Bus socket, a BPF object. /dev/null, opened read-only, holds
 * the place; a write there still fails (EBADF), as to a closed descriptor,
 * so output that cannot go anywhere is still reported, not lost in silence.
 */
static void hold_closed_stdio(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		null = open("/dev/null", O_RDONLY);
		if (null >= 0 && null != fd) {
			dup2(null, fd);
			close(null);
		}
	}
}

int main(int argc, char **argv)
{
	static struct joule_machine machine;
	int status;

	hold_closed_stdio();
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	setup_log_mode();
	if (opts.explain_profile)
		explain_profile();
	if (opts.power_settings_only)
		return power_settings_only();
	/* the model first: bad input is reported even where nothing can attach */
	load_machine(&machine);
	check_can_attach();

	libbpf_set_print(libbpf_print);
	catch_exit_signals();
	open_desktop();
	/* read with a crashed run's turbo still off, the model had its lower top speeds */
	if (start_power_settings() > 0)
		read_model_again(&machine);

	while ((status = run_scheduler(&machine)) == -EAGAIN) {
		/* this run's turbo setting would hide top speeds from the model; set again at
		 * attach */
		restore_power_settings();
		read_model_again(&machine);
		note(stdout, "attaching again");
	}
	restore_power_settings();
	joule_desktop_close(desktop);
	return status;
}
