// SPDX-License-Identifier: GPL-2.0-only
/*
 * joule-bench: measured energy and performance of EEVDF and each scx_joule
 * profile on this machine, and calibration of the energy model from those
 * measurements. docs/energy-measurement.md is the user's guide.
 *
 * Runs alternate between schedulers, with a cooldown between runs, and each
 * run is checked against the machine state of the first (AC, throttling,
 * turbo). Outputs go to --out: runs.csv, residency.csv (calibration input),
 * report.md and the plots.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arms.h"
#include "jfit.h"
#include "jmeter.h"
#include "bench_config.h"
#include "joule_config.h"
#include "jpower.h"
#include "jtopo.h"
#include "machine_state.h"
#include "residency.h"
#include "summary.h"
#include "workloads.h"

#define MAX_ARMS      8
#define MAX_WORKLOADS 8
#define MAX_RUNS      4096
#define SAMPLE_S      0.2
#define EXIT_BAD      2 /* bad input or a measurement that cannot be trusted */
#define EXIT_STATE    3 /* the machine changed state: runs not comparable */

static struct options {
	const char *out_dir, *sysfs_root, *scx_path, *turbostat, *plot_script;
	const char *fit_path, *em_out_path, *em_path;
	char workloads[256], profiles[256];
	enum jmeter_kind meter;
	double duration, cooldown, turbostat_interval, build_job_ms;
	int repeats, build_jobs;
	bool baseline_only, allow_state_change, no_plots, calibrate;
	unsigned long long seed;
} opts = {
	.out_dir = "joule-bench-out",
	.workloads = "idle,video,web,build,game",
	.profiles = "powersave,balanced,performance,gaming",
	.duration = 10,
	.cooldown = 5,
	.turbostat_interval = 1,
	.build_job_ms = 250,
	.repeats = 5,
	.seed = 1,
};

const char *argp_program_version = "joule-bench " JOULE_VERSION;
const char *argp_program_bug_address = "the scx_joule issue tracker";
static const char doc[] =
	"joule-bench: measure energy and performance of EEVDF and scx_joule's profiles on this "
	"machine, and calibrate the energy model from the measurements.\n"
	"\n"
	"Energy comes from RAPL (powercap), the perf power PMU, turbostat or a discharging "
	"battery, the first that works. Needs root to attach scx_joule and, on most kernels, to "
	"read RAPL. Exit status: 0, 2 for bad input or an unusable measurement, 3 when the "
	"machine changed state between runs.";

enum {
	OPT_OUT = 'o',
	OPT_REPEATS = 'n',
	OPT_DURATION = 'd',
	OPT_WORKLOADS = 'w',
	OPT_PROFILES = 'p',
	OPT_COOLDOWN = 0x100,
	OPT_SYSFS_ROOT,
	OPT_METER,
	OPT_TURBOSTAT,
	OPT_TURBOSTAT_INTERVAL,
	OPT_SCX,
	OPT_BASELINE_ONLY,
	OPT_ALLOW_STATE,
	OPT_BUILD_JOBS,
	OPT_BUILD_JOB_MS,
	OPT_NO_PLOTS,
	OPT_PLOT_SCRIPT,
	OPT_FIT,
	OPT_WRITE_EM,
	OPT_ENERGY_MODEL,
	OPT_SEED,
	OPT_CALIBRATE,
};

static const struct argp_option argp_options[] = {
	{"out", OPT_OUT, "DIR", 0, "Write runs.csv, residency.csv, report.md, plots here", 0},
	{"workloads", OPT_WORKLOADS, "LIST", 0, "Of idle,video,web,build,game (default: all)", 0},
	{"profiles", OPT_PROFILES, "LIST", 0,
	 "scx_joule profiles to compare with EEVDF (default powersave,balanced,performance,"
	 "gaming)",
	 0},
	{"repeats", OPT_REPEATS, "N", 0, "Runs per workload and scheduler (default 5)", 0},
	{"duration", OPT_DURATION, "SECONDS", 0, "Length of the timed workloads (default 10)", 0},
	{"cooldown", OPT_COOLDOWN, "SECONDS", 0, "Pause before each run (default 5)", 0},
	{"build-jobs", OPT_BUILD_JOBS, "N", 0, "Jobs of the parallel build (default 8 per CPU)", 0},
	{"build-job-ms", OPT_BUILD_JOB_MS, "MS", 0,
	 "CPU time of one build job, as calibrated (default 250)", 0},
	{"baseline-only", OPT_BASELINE_ONLY, NULL, 0, "Measure EEVDF only", 0},
	{"allow-state-change", OPT_ALLOW_STATE, NULL, 0,
	 "Compare runs even if AC power, throttling or turbo changed between them", 0},
	{"scx-joule", OPT_SCX, "PATH", 0,
	 "The scx_joule to run (default: next to joule-bench, or "
	 "in PATH)",
	 1},
	{"meter", OPT_METER, "SOURCE", 0,
	 "rapl, perf, turbostat or battery (default: the first "
	 "that works, in that order)",
	 1},
	{"turbostat", OPT_TURBOSTAT, "CMD", 0, "turbostat command (default: turbostat in PATH)", 1},
	{"turbostat-interval", OPT_TURBOSTAT_INTERVAL, "SECONDS", 0, "Its --interval (default 1)",
	 1},
	{"sysfs-root", OPT_SYSFS_ROOT, "DIR", 0,
	 "Read energy meters, power supply, throttling, turbo (and cpufreq, if recorded) under "
	 "DIR/sys instead of /sys",
	 1},
	{"no-plots", OPT_NO_PLOTS, NULL, 0, "Do not draw the PNG plots", 1},
	{"plot-script", OPT_PLOT_SCRIPT, "FILE", 0, "joule-bench-plot.py to draw them with", 1},
	{"seed", OPT_SEED, "N", 0, "Seed of the web workload's arrivals (default 1)", 1},
	{"fit", OPT_FIT, "RESIDENCY.csv", 0,
	 "Calibrate: fit the energy model to the runs in this file (from an earlier run's "
	 "--out) instead of measuring",
	 2},
	{"calibrate", OPT_CALIBRATE, NULL, 0,
	 "Run the calibration schedule under EEVDF (each round: idle, then each performance "
	 "domain's CPUs at 25, 50 and 100% duty) and fit the model to it",
	 2},
	{"write-energy-model", OPT_WRITE_EM, "FILE", 0,
	 "With --fit or --calibrate: write the calibrated model here, for scx_joule "
	 "--energy-model",
	 2},
	{"energy-model", OPT_ENERGY_MODEL, "FILE", 0,
	 "With --fit or --calibrate: the model to compare with (default: the one scx_joule "
	 "would use)",
	 2},
	{0},
};

static double parse_number(struct argp_state *state, const char *name, const char *arg, double lo,
			   double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || *end || end == arg || v < lo || v > hi)
		argp_error(state, "%s takes a number from %g to %g, not '%s'", name, lo, hi, arg);
	return v;
}

static enum jmeter_kind parse_meter(struct argp_state *state, const char *arg)
{
	for (int k = JMETER_RAPL; k <= JMETER_BATTERY; k++)
		if (!strcmp(arg, jmeter_kind_name(k)))
			return k;
	argp_error(state, "unknown energy source '%s' (rapl, perf, turbostat, battery)", arg);
	return JMETER_AUTO;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_OUT: opts.out_dir = arg; break;
	case OPT_WORKLOADS: snprintf(opts.workloads, sizeof(opts.workloads), "%s", arg); break;
	case OPT_PROFILES: snprintf(opts.profiles, sizeof(opts.profiles), "%s", arg); break;
	case OPT_REPEATS: opts.repeats = (int)parse_number(state, "--repeats", arg, 1, 1000); break;
	case OPT_DURATION: opts.duration = parse_number(state, "--duration", arg, 0.5, 3600); break;
	case OPT_COOLDOWN: opts.cooldown = parse_number(state, "--cooldown", arg, 0, 3600); break;
	case OPT_BUILD_JOBS:
		opts.build_jobs = (int)parse_number(state, "--build-jobs", arg, 1, 100000);
		break;
	case OPT_BUILD_JOB_MS:
		opts.build_job_ms = parse_number(state, "--build-job-ms", arg, 1, 60000);
		break;
	case OPT_BASELINE_ONLY: opts.baseline_only = true; break;
	case OPT_ALLOW_STATE: opts.allow_state_change = true; break;
	case OPT_SCX: opts.scx_path = arg; break;
	case OPT_METER: opts.meter = parse_meter(state, arg); break;
	case OPT_TURBOSTAT: opts.turbostat = arg; break;
	case OPT_TURBOSTAT_INTERVAL:
		opts.turbostat_interval =
			parse_number(state, "--turbostat-interval", arg, 0.01, 60);
		break;
	case OPT_SYSFS_ROOT: opts.sysfs_root = arg; break;
	case OPT_NO_PLOTS: opts.no_plots = true; break;
	case OPT_PLOT_SCRIPT: opts.plot_script = arg; break;
	case OPT_SEED:
		opts.seed = (unsigned long long)parse_number(state, "--seed", arg, 0, 1e15);
		break;
	case OPT_FIT: opts.fit_path = arg; break;
	case OPT_CALIBRATE: opts.calibrate = true; break;
	case OPT_WRITE_EM: opts.em_out_path = arg; break;
	case OPT_ENERGY_MODEL: opts.em_path = arg; break;
	case ARGP_KEY_ARG: argp_error(state, "unexpected argument '%s'", arg); break;
	case ARGP_KEY_END:
		if ((opts.em_out_path || opts.em_path) && !opts.fit_path && !opts.calibrate)
			argp_error(state,
				   "--write-energy-model and --energy-model go with --fit or "
				   "--calibrate");
		if (opts.fit_path && opts.calibrate)
			argp_error(state, "--fit fits earlier runs, --calibrate makes new ones: "
					  "give one");
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {.options = argp_options, .parser = parse_opt, .doc = doc};

static void fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("joule-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("joule-bench: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the machine model (domains and OPPs, for residency and calibration) -- */

/* A recorded tree holds cpufreq only if it has a cpu directory. */
static const char *model_root(void)
{
	char path[PATH_MAX];

	if (!opts.sysfs_root)
		return NULL;
	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu", opts.sysfs_root);
	return access(path, F_OK) ? NULL : opts.sysfs_root;
}

static int build_model(struct jpower_model *em, const char *em_file, char *err, size_t len)
{
	static struct jtopo topo;
	static struct jpower_cpufreq cf;
	struct jtopo_input in = {.root = model_root()};

	if (jtopo_load(&topo, &in, err, len))
		return -EINVAL;
	return jpower_model_build(em, &cf, &topo, in.root, em_file, err, len);
}

/* ---- calibration (--fit) ------------------------------------------------- */

static double rms_error(const struct jpower_model *em, const struct jfit_result *r,
			const struct jfit_obs *obs, int n, bool held_out)
{
	double sq = 0;
	int m = 0;

	for (int i = 0; i < n; i++) {
		double e;

		if ((i % 4 == 3) != held_out)
			continue;
		e = r ? jfit_predict(em, r, &obs[i]) : jfit_model_energy(em, &obs[i]);
		sq += pow((e - obs[i].energy_j) / obs[i].energy_j, 2);
		m++;
	}
	return m ? sqrt(sq / m) : NAN;
}

/* Every fourth run is held out to check the fit on runs it has not seen. */
static int split_runs(const struct jfit_obs *obs, int n, struct jfit_obs *train)
{
	int m = 0;

	for (int i = 0; i < n; i++)
		if (i % 4 != 3)
			train[m++] = obs[i];
	return m;
}

static void print_fit(const struct jpower_model *em, const struct jfit_result *r,
		      const struct jfit_obs *obs, int n, double before)
{
	say("calibration from %d runs (%d fitted, %d held out)", n, n - n / 4, n / 4);
	printf("  base power (idle CPUs, uncore): %.3f W\n", r->base_w);
	for (int d = 0; d < em->nr_pds; d++)
		printf("  domain %-12s dynamic %.4f W/(GHz V^2) per busy CPU, static %.4f W per "
		       "busy "
		       "CPU\n",
		       em->pd[d].name, r->k[d], r->active_w[d]);
	printf("  fit rms error %.2f%%, separation of the runs %.3g\n", 100 * r->rms_rel_err,
	       r->separation);
	if (!(r->separation >= JFIT_MIN_SEPARATION))
		printf("  warning: the runs hardly tell the coefficients apart (separation below "
		       "%g): the values above may be far off even though the error is small; "
		       "calibrate on a quiet machine (docs/energy-measurement.md)\n",
		       JFIT_MIN_SEPARATION);
	printf("  held-out rms error: %.2f%% before (%s model), %.2f%% after\n", 100 * before,
	       jpower_em_source_name(em->source), 100 * rms_error(em, r, obs, n, true));
}

static int run_fit(void)
{
	static struct jpower_model em;
	struct jfit_obs *obs, *train;
	struct jfit_result r;
	char err[1024];
	double before;
	int n, m;
	FILE *f;

	if (build_model(&em, opts.em_path, err, sizeof(err)))
		fail(EXIT_BAD, "%s", err);
	if (residency_csv_read(opts.fit_path, &em, &obs, &n, err, sizeof(err)))
		fail(EXIT_BAD, "%s", err);
	before = em.source == JPOWER_EM_NONE ? NAN : rms_error(&em, NULL, obs, n, true);
	train = calloc((size_t)n, sizeof(*train));
	if (!train)
		fail(1, "out of memory");
	m = split_runs(obs, n, train);
	if (jfit_calibrate(&em, train, m, &r, err, sizeof(err)))
		fail(EXIT_BAD, "%s: %s", opts.fit_path, err);
	print_fit(&em, &r, obs, n, before);
	if (opts.em_out_path && !(r.separation >= JFIT_MIN_SEPARATION))
		fail(EXIT_BAD,
		     "not writing %s: the runs do not separate the coefficients "
		     "(separation %.3g, below %g)",
		     opts.em_out_path, r.separation, JFIT_MIN_SEPARATION);
	if (opts.em_out_path) {
		jfit_apply(&em, &r);
		f = strcmp(opts.em_out_path, "-") ? fopen(opts.em_out_path, "w") : stdout;
		if (!f || jpower_em_write(&em, NULL, f) || (f != stdout && fclose(f)))
			fail(1, "cannot write %s: %s", opts.em_out_path, strerror(errno));
		say("wrote %s (scx_joule --energy-model %s)", opts.em_out_path, opts.em_out_path);
	}
	free(train);
	free(obs);
	return 0;
}

/* ---- one run --------------------------------------------------------------- */

struct bench {
	struct jmeter *meter;
	struct jpower_model em;
	struct wl_params params;
	struct machine_state first;
	bool have_first;
	struct run_rec runs[MAX_RUNS];
	struct jfit_obs obs;
	int nr_runs;
	FILE *csv, *res_csv;
	char state_note[400];
};

struct child_msg {
	int status;
	struct wl_result res;
	char err[200];
};

/* The workload in a child process, so its threads and forks end with it. */
static pid_t start_workload(const struct wl_desc *wl, const struct wl_params *p, int *fd)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct child_msg msg = {0};

		close(fds[0]);
		msg.status = wl->run(p, &msg.res, msg.err, sizeof(msg.err));
		if (write(fds[1], &msg, sizeof(msg)) != sizeof(msg))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	*fd = fds[0];
	return pid;
}

static void read_meter(struct bench *b, double *j)
{
	char err[1024];

	if (jmeter_read(b->meter, j, err, sizeof(err)))
		fail(EXIT_BAD, "%s", err);
}

/*
 * The cooldown, reading the meter as during a run: a counter left unread
 * long enough to move past half its range reads as gone backwards (AMD's
 * 65 kJ RAPL range at 100 W: a cooldown of 330 s).
 */
static void cool_down(struct bench *b)
{
	double j, end = now_s() + opts.cooldown;

	for (;;) {
		double left = end - now_s();

		/* read once: a negative left cast to useconds_t slept 71 minutes */
		if (left <= 0)
			break;
		usleep((useconds_t)((left < SAMPLE_S ? left : SAMPLE_S) * 1e6));
		read_meter(b, &j);
	}
}

/* Wait for the workload, reading the meter (wraps, turbostat's pipe) and frequencies. */
static void wait_workload(struct bench *b, pid_t pid, struct residency *res)
{
	double j, next = now_s() + SAMPLE_S;
	int status;

	/* short sleeps: the run's energy should end when the workload does */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		usleep(5000);
		if (now_s() < next)
			continue;
		next += SAMPLE_S;
		read_meter(b, &j);
		residency_sample(res);
	}
}

#define MAX_CHANNELS 16

static void channels_now(const struct jmeter *m, double *j)
{
	for (int i = 0; i < jmeter_nr_channels(m) && i < MAX_CHANNELS; i++)
		j[i] = jmeter_channel_joules(m, i);
}

/* Each channel's energy in the run, "name=J;...", for runs.csv. */
static void channels_used(const struct jmeter *m, const double *before, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < jmeter_nr_channels(m) && i < MAX_CHANNELS && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s=%.4f", i ? ";" : "",
				 jmeter_channel_name(m, i),
				 jmeter_channel_joules(m, i) - before[i]);

		used += n > 0 ? (size_t)n : 0;
	}
}

static void check_state(struct bench *b, struct run_rec *r, const struct machine_state *s)
{
	char why[160];

	if (!b->have_first) {
		b->first = *s;
		b->have_first = true;
		return;
	}
	if (!machine_state_diff(&b->first, s, why, sizeof(why)))
		return;
	snprintf(r->state_change, sizeof(r->state_change), "%s", why);
	if (!opts.allow_state_change)
		fail(EXIT_STATE,
		     "the machine changed state by run %d (%s, %s, repeat %d): %s; runs before and "
		     "after are not comparable (--allow-state-change to compare them anyway)",
		     b->nr_runs + 1, r->wl->name, r->arm, r->repeat + 1, why);
}

static void run_one(struct bench *b, const struct wl_desc *wl, const char *arm, int repeat)
{
	struct run_rec *r = &b->runs[b->nr_runs];
	struct machine_state s;
	struct residency res;
	struct child_msg msg = {0};
	double e0, e1, t0, ch0[MAX_CHANNELS];
	pid_t pid;
	int fd;

	if (b->nr_runs == MAX_RUNS)
		fail(EXIT_BAD, "more than %d runs", MAX_RUNS);
	memset(r, 0, sizeof(*r));
	r->wl = wl;
	r->repeat = repeat;
	snprintf(r->arm, sizeof(r->arm), "%s", arm);
	cool_down(b);
	machine_state_read(opts.sysfs_root, &s);
	check_state(b, r, &s);
	residency_start(&res, &b->em, model_root());
	read_meter(b, &e0);
	channels_now(b->meter, ch0);
	t0 = now_s();
	pid = start_workload(wl, &b->params, &fd);
	if (pid < 0)
		fail(EXIT_BAD, "workload %s: cannot start: %s", wl->name, strerror(errno));
	wait_workload(b, pid, &res);
	r->seconds = now_s() - t0;
	if (jmeter_kind(b->meter) == JMETER_TURBOSTAT)
		usleep((useconds_t)(opts.turbostat_interval * 1e6)); /* its last interval */
	read_meter(b, &e1);
	channels_used(b->meter, ch0, r->channels, sizeof(r->channels));
	if (read(fd, &msg, sizeof(msg)) != sizeof(msg) || msg.status)
		fail(EXIT_BAD, "workload %s failed (%s): %s", wl->name, arm,
		     msg.err[0] ? msg.err : "it died without a result");
	close(fd);
	r->res = msg.res;
	r->energy_j = e1 - e0;
	if (r->energy_j <= 0)
		fail(EXIT_BAD,
		     "the energy counter (%s) did not advance during %.1f s of %s (%s): not a "
		     "working meter%s",
		     jmeter_describe(b->meter), r->seconds, wl->name, arm,
		     jmeter_kind(b->meter) == JMETER_BATTERY
			     ? " (batteries update every few seconds to a minute: try --duration "
			       "60)"
			     : "");
	machine_state_read(opts.sysfs_root, &s);
	check_state(b, r, &s);
	b->obs.seconds = r->seconds;
	b->obs.energy_j = r->energy_j;
	residency_finish(&res, &b->obs);
	summary_csv_row(b->csv, r);
	if (r->energy_j > 0)
		residency_csv(b->res_csv, b->nr_runs, &b->em, &b->obs);
	fflush(b->csv);
	fflush(b->res_csv);
	say("%-5s %-16s #%d: %.2f J in %.1f s, %.1f %ss", wl->name, arm, repeat + 1, r->energy_j,
	    r->seconds, r->res.units, wl->unit);
	b->nr_runs++;
}

/* ---- arms and the whole comparison ---------------------------------------------- */

static int split_list(char *list, char out[][32], int max)
{
	int n = 0;
	char *save;

	for (char *t = strtok_r(list, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save))
		snprintf(out[n++], 32, "%s", t);
	return n;
}

/* "scx_joule:balanced" -> "balanced"; NULL for EEVDF */
static const char *arm_profile(const char *arm)
{
	return strncmp(arm, "scx_joule:", 10) ? NULL : arm + 10;
}

static int pick_workloads(const struct wl_desc **wls)
{
	char names[MAX_WORKLOADS][32];
	int n = split_list(opts.workloads, names, MAX_WORKLOADS);

	for (int i = 0; i < n; i++) {
		wls[i] = wl_find(names[i]);
		if (!wls[i])
			fail(EXIT_BAD, "unknown workload '%s' (idle, video, web, build, game)",
			     names[i]);
	}
	return n;
}

static const char *const known_profiles[] = {"powersave", "balanced", "performance", "gaming",
					     "auto"};

/* eevdf, then scx_joule:PROFILE for each profile unless they cannot run. */
static int pick_arms(char arms[][32], const char *bin, char *skipped, size_t len)
{
	char profiles[MAX_ARMS][32], ops[160];
	int n = 1, np = split_list(opts.profiles, profiles, MAX_ARMS - 1);

	if (scx_attached(ops, sizeof(ops)))
		fail(EXIT_BAD,
		     "a sched_ext scheduler (%s) is attached: stop it, EEVDF runs need "
		     "none",
		     ops);
	snprintf(arms[0], 32, "eevdf");
	for (int i = 0; i < np; i++) {
		bool known = false;

		for (size_t k = 0; k < sizeof(known_profiles) / sizeof(known_profiles[0]); k++)
			known |= !strcmp(profiles[i], known_profiles[k]);
		if (!known)
			fail(EXIT_BAD,
			     "unknown profile '%s' (powersave, balanced, performance, "
			     "gaming, auto)",
			     profiles[i]);
	}
	if (opts.baseline_only)
		return 1;
	if (scx_unavailable(bin[0] ? bin : NULL, skipped, len)) {
		say("scx_joule could not be attached: %s; skipping the scx_joule arms, measuring "
		    "EEVDF only",
		    skipped);
		return 1;
	}
	skipped[0] = '\0';
	for (int i = 0; i < np; i++)
		snprintf(arms[n++], 32, "scx_joule:%.20s", profiles[i]);
	return n;
}

/* An arm that cannot attach is dropped from the remaining rounds, and said so. */
static bool arm_begin(const char *arm, const char *bin, struct scx_proc *p, char *skipped,
		      size_t len)
{
	char why[512];

	if (!arm_profile(arm))
		return true;
	if (!scx_start(bin, arm_profile(arm), p, why, sizeof(why))) {
		char ops[160];

		/* what the kernel runs, not what the loader said */
		if (scx_attached(ops, sizeof(ops)) && strstr(ops, "joule"))
			return true;
		snprintf(why, sizeof(why), "it said it attached, but sched_ext runs '%s'",
			 ops[0] ? ops : "nothing");
		scx_stop(p);
	}
	say("scx_joule could not be attached with profile %s: %s; skipping that arm",
	    arm_profile(arm), why);
	snprintf(skipped + strlen(skipped), len - strlen(skipped), "%s%s: %s",
		 skipped[0] ? "; " : "", arm, why);
	return false;
}

static void arm_end(const char *arm, struct scx_proc *p)
{
	char ops[160];
	int status;

	if (!arm_profile(arm))
		return;
	status = scx_stop(p);
	if (status)
		fail(EXIT_BAD,
		     "scx_joule (%s) exited with status %d during the runs: the kernel "
		     "may have stopped it; runs not comparable",
		     arm, status);
	/* the next arm may be EEVDF: the detach must be complete */
	for (int i = 0; i < 100 && scx_attached(ops, sizeof(ops)); i++)
		usleep(100000);
	if (scx_attached(ops, sizeof(ops)))
		fail(EXIT_BAD,
		     "a sched_ext scheduler (%s) is still attached 10 s after scx_joule "
		     "exited",
		     ops);
}

static void compare(struct bench *b, const struct wl_desc **wls, int nw, char arms[][32], int na,
		    const char *bin, char *skipped, size_t len)
{
	bool dropped[MAX_ARMS] = {false};

	for (int rep = 0; rep < opts.repeats; rep++) {
		/* rotate the order so no arm always runs first after a cooldown */
		for (int j = 0; j < na; j++) {
			int a = (j + rep) % na;
			struct scx_proc p = {0};

			if (dropped[a])
				continue;
			if (!arm_begin(arms[a], bin, &p, skipped, len)) {
				dropped[a] = true;
				continue;
			}
			for (int w = 0; w < nw; w++)
				run_one(b, wls[w], arms[a], rep);
			arm_end(arms[a], &p);
		}
	}
}

/* ---- the calibration schedule ------------------------------------------------------ */

static const double calib_levels[] = {0.25, 0.5, 1.0};
#define NR_CALIB_LEVELS (int)(sizeof(calib_levels) / sizeof(calib_levels[0]))

/* Report labels: eevdf (the idle runs), then DOMAIN@DUTY for each load. */
static int calib_arms(const struct jpower_model *em, char arms[][32], int max)
{
	int n = 1;

	snprintf(arms[0], 32, "eevdf");
	for (int d = 0; d < em->nr_pds; d++)
		for (int l = 0; l < NR_CALIB_LEVELS && n < max; l++)
			snprintf(arms[n++], 32, "%.20s@%.0f%%", em->pd[d].name,
				 100 * calib_levels[l]);
	return n;
}

static void calibrate(struct bench *b, char arms[][32])
{
	const struct wl_desc *idle = wl_find("idle"), *calib = wl_find("calib");
	bool have_opps = false;

	for (int d = 0; d < b->em.nr_pds; d++)
		have_opps |= b->em.pd[d].nr_opps > 0;
	if (!have_opps)
		fail(EXIT_BAD, "no cpufreq operating points here (%s): nothing to calibrate",
		     b->em.nr_pds ? b->em.origin : "no machine model");
	for (int rep = 0; rep < opts.repeats; rep++) {
		int a = 1;

		run_one(b, idle, "eevdf", rep);
		for (int d = 0; d < b->em.nr_pds; d++)
			for (int l = 0; l < NR_CALIB_LEVELS; l++, a++) {
				b->params.calib_cpus = b->em.pd[d].cpus;
				b->params.calib_util = calib_levels[l];
				run_one(b, calib, arms[a], rep);
			}
	}
}

/* ---- outputs ------------------------------------------------------------------ */

static FILE *out_file(const char *name, const char *mode)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", opts.out_dir, name);
	f = fopen(path, mode);
	if (!f)
		fail(1, "cannot write %s: %s", path, strerror(errno));
	return f;
}

static void host_name(char *buf, size_t len)
{
	char line[256], host[64] = "?";
	FILE *f = fopen("/proc/cpuinfo", "r");

	gethostname(host, sizeof(host) - 1);
	snprintf(buf, len, "%s", host);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%.63s, %.120s, %ld CPUs", host, strchr(line, ':') + 2,
				 sysconf(_SC_NPROCESSORS_ONLN));
			break;
		}
	if (f)
		fclose(f);
}

static const char *find_plot_script(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n;

	if (opts.plot_script)
		return opts.plot_script;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf(buf, len, "%s/joule-bench-plot.py", dirname(self));
		if (!access(buf, R_OK))
			return buf;
	}
	snprintf(buf, len, "%s/joule-bench-plot.py", JOULE_DATADIR);
	return access(buf, R_OK) ? NULL : buf;
}

/*
 * Runs argv (from PATH) with its output to /dev/null if quiet; its wait
 * status, or -1. No shell: --out and --plot-script are passed as they are,
 * whatever quote or $( ) their names hold (joule-bench runs as root).
 */
static int run_argv(char *const argv[], bool quiet)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0) {
				dup2(fd, STDOUT_FILENO);
				dup2(fd, STDERR_FILENO);
			}
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* A python3 with matplotlib: the first in PATH may be a virtualenv's without it. */
static const char *plot_python(void)
{
	static const char *const candidates[] = {"python3", "/usr/bin/python3"};

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		char *argv[] = {(char *)candidates[i], "-c", "import matplotlib", NULL};

		if (run_argv(argv, true) == 0)
			return candidates[i];
	}
	return NULL;
}

/* The plots, by the python script; what happened, for the report. */
static void draw_plots(char *note, size_t len)
{
	char script[PATH_MAX];
	const char *path = find_plot_script(script, sizeof(script)), *python;
	int status;

	if (opts.no_plots) {
		snprintf(note, len, "not drawn (--no-plots)");
		return;
	}
	if (!path) {
		snprintf(note, len, "not drawn: joule-bench-plot.py not found (--plot-script)");
		return;
	}
	python = plot_python();
	if (!python) {
		snprintf(note, len, "not drawn: no python3 with matplotlib (python3-matplotlib)");
		return;
	}
	status = run_argv((char *[]){(char *)python, (char *)path, (char *)opts.out_dir, NULL},
			  false);
	if (status == 0)
		snprintf(note, len, "energy-vs-WORKLOAD.png, drawn by %s", path);
	else
		snprintf(note, len, "not drawn: %s failed (status %d)", path,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void write_report(struct bench *b, char arms[][32], int na, const char *skipped)
{
	struct report_info info = {
		.meter = jmeter_describe(b->meter),
		.units_per_us = b->params.units_per_us,
		.repeats = opts.repeats,
		.duration_s = opts.duration,
		.cooldown_s = opts.cooldown,
		.arms_skipped = skipped[0] ? skipped : NULL,
	};
	char host[256], plots[PATH_MAX + 128], state[200];
	FILE *f;

	host_name(host, sizeof(host));
	info.host = host;
	machine_state_describe(&b->first, state, sizeof(state));
	snprintf(b->state_note, sizeof(b->state_note), "%s; %s", state,
		 opts.allow_state_change ? "changes allowed (--allow-state-change)"
					 : "unchanged through every run");
	info.state_note = b->state_note;
	draw_plots(plots, sizeof(plots));
	info.plots = plots;
	f = out_file("report.md", "w");
	summary_markdown(f, &info, b->runs, b->nr_runs, arms, na);
	fclose(f);
	say("wrote %s/report.md, runs.csv, residency.csv; plots: %s", opts.out_dir, plots);
}

static void open_meter(struct bench *b)
{
	struct jmeter_opts mo = {
		.root = opts.sysfs_root,
		.only = opts.meter,
		.turbostat = opts.turbostat,
		.turbostat_interval = opts.turbostat_interval,
	};
	char err[2048];

	if (jmeter_open(&b->meter, &mo, err, sizeof(err)))
		fail(EXIT_BAD, "%s", err);
	say("energy source: %s", jmeter_describe(b->meter));
}

static void setup(struct bench *b)
{
	char err[1024];

	if (mkdir(opts.out_dir, 0755) && errno != EEXIST)
		fail(1, "cannot create %s: %s", opts.out_dir, strerror(errno));
	open_meter(b);
	if (build_model(&b->em, NULL, err, sizeof(err))) {
		say("warning: no machine model (%s): residency.csv gets no rows", err);
		b->em.nr_pds = 0;
	}
	b->params = (struct wl_params){
		.duration_s = opts.duration,
		.units_per_us = wl_calibrate_units(),
		.nr_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN),
		.build_job_ms = opts.build_job_ms,
		.seed = opts.seed,
	};
	b->params.build_jobs = opts.build_jobs ? opts.build_jobs : 8 * b->params.nr_cpus;
	say("work unit: %.1f loop iterations per microsecond", b->params.units_per_us);
	b->csv = out_file("runs.csv", "w");
	summary_csv_header(b->csv);
	b->res_csv = out_file("residency.csv", "w");
	fprintf(b->res_csv, "run,seconds,energy_j,domain,khz,busy_s\n");
}

static int run_calibration(struct bench *b)
{
	static char arms[MAX_ARMS * 8][32], path[PATH_MAX];
	int na;

	say("calibration: under EEVDF, as it measures the hardware, not a scheduler");
	setup(b);
	na = calib_arms(&b->em, arms, MAX_ARMS * 8);
	calibrate(b, arms);
	fclose(b->csv);
	fclose(b->res_csv);
	write_report(b, arms, na, "");
	jmeter_close(b->meter);
	snprintf(path, sizeof(path), "%s/residency.csv", opts.out_dir);
	opts.fit_path = path;
	return run_fit();
}

int main(int argc, char **argv)
{
	static struct bench b;
	const struct wl_desc *wls[MAX_WORKLOADS];
	char arms[MAX_ARMS][32], bin[PATH_MAX] = "", skipped[1024] = "";
	int nw, na;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return EXIT_BAD;
	if (opts.fit_path)
		return run_fit();
	if (opts.calibrate)
		return run_calibration(&b);
	nw = pick_workloads(wls);
	if (!opts.baseline_only && scx_find(opts.scx_path, bin, sizeof(bin)))
		bin[0] = '\0'; /* pick_arms() says why the scx_joule arms are skipped */
	na = pick_arms(arms, bin, skipped, sizeof(skipped));
	setup(&b);
	compare(&b, wls, nw, arms, na, bin, skipped, sizeof(skipped));
	fclose(b.csv);
	fclose(b.res_csv);
	write_report(&b, arms, na, skipped);
	jmeter_close(b.meter);
	return 0;
}
