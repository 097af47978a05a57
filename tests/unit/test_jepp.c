// SPDX-License-Identifier: GPL-2.0-only
/*
 * EPP, turbo, platform_profile and uncore limits per level (power/jepp.h),
 * on copies of the recorded machines' sys/ trees: intel_pstate (EPP,
 * no_turbo, platform_profile), amd-pstate-epp (EPP, boost), cpufreq-dt (none
 * of them), and intel_uncore_frequency in both layouts: package_NN_die_NN
 * on the laptop, uncoreNN (TPMI) beside package_NN_die_NN on the server.
 * Every value is read back from the files.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "jepp.h"

static char tmp[64];
static char sys_root[128], state[128];
static struct jepp ctx; /* large: not on the stack */

static int copy_machine(const char *name)
{
	char cmd[1024];

	strcpy(tmp, "/tmp/joule-jepp-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	/*
	 * only what jepp reads: the whole tree makes the test slow on a busy
	 * machine. A loop's status is its last pass's: any failed copy exits.
	 */
	snprintf(
		cmd, sizeof(cmd),
		"cd '%s/%s' && for d in sys/devices/system/cpu/cpufreq "
		"sys/devices/system/cpu/intel_pstate sys/devices/system/cpu/intel_uncore_frequency "
		"sys/firmware; do [ ! -e $d ] || { mkdir -p '%s'/${d%%/*} && cp -a $d '%s'/$d; } "
		"|| exit 1; done",
		FIXTURES_DIR, name, tmp, tmp);
	snprintf(sys_root, sizeof(sys_root), "%s/sys", tmp);
	/* a directory that does not exist yet, as /run/scx_joule at first */
	snprintf(state, sizeof(state), "%s/run/power-saved", tmp);
	return system(cmd) ? -1 : 0;
}

static int intel(void **s)
{
	(void)s;
	return copy_machine("intel-adl-laptop");
}

static int amd(void **s)
{
	(void)s;
	return copy_machine("amd-phoenix2");
}

static int arm(void **s)
{
	(void)s;
	return copy_machine("arm-board-rk3399");
}

static int intel_uncore(void **s)
{
	(void)s;
	return copy_machine("intel-adl-laptop-uncore");
}

static int tpmi(void **s)
{
	(void)s;
	return copy_machine("xeon-tpmi-uncore");
}

static int remove_tmp(void **s)
{
	char cmd[128];

	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd);
}

static const char *value(const char *rel)
{
	static char buf[128];
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sys_root, rel);
	f = fopen(path, "r");
	if (!f)
		return "(missing)";
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void put(const char *rel, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sys_root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static const char *epp(int policy)
{
	char rel[128];

	snprintf(rel, sizeof(rel),
		 "devices/system/cpu/cpufreq/policy%d/energy_performance_preference", policy);
	return value(rel);
}

#define NO_TURBO	 "devices/system/cpu/intel_pstate/no_turbo"
#define BOOST		 "devices/system/cpu/cpufreq/boost"
#define PLATFORM_PROFILE "firmware/acpi/platform_profile"

static void assert_intel_originals(void)
{
	for (int p = 0; p < 20; p++)
		assert_string_equal(epp(p), "balance_performance");
	assert_string_equal(value(NO_TURBO), "0");
	assert_string_equal(value(PLATFORM_PROFILE), "balanced");
}

/*
 * The next start after a run left a state file: a fresh context writes nr
 * originals back and deletes the file.
 */
static void next_start_recovers(int nr_want)
{
	char err[256];
	int nr = -1;

	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, nr_want);
	assert_int_equal(access(state, F_OK), -1);
}

static void intel_levels_and_restore(void **s)
{
	static const struct {
		enum jepp_level level;
		const char *epp, *no_turbo, *pp;
	} want[] = {
		{JEPP_POWERSAVE, "balance_power", "1", "low-power"},
		{JEPP_PERFORMANCE, "performance", "0", "performance"},
		{JEPP_BALANCED, "balance_performance", "0", "balanced"},
	};
	struct jepp_summary sum;
	char err[256];

	(void)s;
	jepp_init(&ctx, sys_root, state);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(jepp_apply(&ctx, want[i].level, 0, &sum, err, sizeof(err)), 0);
		for (int p = 0; p < 20; p++)
			assert_string_equal(epp(p), want[i].epp);
		assert_string_equal(value(NO_TURBO), want[i].no_turbo);
		assert_string_equal(value(PLATFORM_PROFILE), want[i].pp);
		assert_int_equal(sum.nr_epp, 20);
		assert_string_equal(sum.epp, want[i].epp);
		assert_int_equal(sum.turbo, want[i].no_turbo[0] == '0');
		assert_string_equal(sum.platform_profile, want[i].pp);
		assert_int_equal(sum.nr_failed, 0);
	}
	/* balanced after performance: only EPP and platform_profile change */
	assert_int_equal(sum.nr_written, 21);
	assert_int_equal(access(state, F_OK), 0);

	/* powersave again, then restore: the originals, and no state file */
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_written, 22);
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_written, 22);
	assert_intel_originals();
	assert_int_equal(access(state, F_OK), -1);
	/* nothing left to restore */
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_written, 0);
}

/* A value already in place is not written, nor saved. */
static void intel_unchanged_not_written(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_BALANCED, 0, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_written, 0);
	assert_int_equal(ctx.nr_saved, 0);
	assert_int_equal(access(state, F_OK), -1);
}

static void intel_powersave_without_balance_power(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	put("devices/system/cpu/cpufreq/policy0/energy_performance_available_preferences",
	    "default performance balance_performance power\n");
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(epp(0), "power");
	assert_string_equal(epp(1), "balance_power");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_intel_originals();
}

/* A policy that does not offer the level's preference is left alone. */
static void intel_unlisted_preference_skipped(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	put("devices/system/cpu/cpufreq/policy5/energy_performance_available_preferences",
	    "default performance\n");
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_epp, 19);
	assert_string_equal(epp(5), "balance_performance");
	assert_string_equal(epp(6), "balance_power");
	assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_epp, 20);
	assert_string_equal(epp(5), "performance");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_intel_originals();
}

/*
 * Files that refuse (here: cannot be read, a directory in their place) are
 * not named in the summary, which the "power settings:" line prints.
 */
static void summary_names_only_what_was_set(void **s)
{
	struct jepp_summary sum;
	char err[256], path[256];

	(void)s;
	for (int p = 0; p < 20; p++) {
		snprintf(path, sizeof(path),
			 "%s/devices/system/cpu/cpufreq/policy%d/energy_performance_preference",
			 sys_root, p);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	snprintf(path, sizeof(path), "%s/%s", sys_root, PLATFORM_PROFILE);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), -EISDIR);
	assert_int_equal(sum.nr_failed, 21);
	assert_int_equal(sum.nr_epp, 0);
	assert_string_equal(sum.platform_profile, "");
	assert_int_equal(sum.turbo, 0); /* no_turbo took its value */
	assert_string_equal(value(NO_TURBO), "1");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_string_equal(value(NO_TURBO), "0");
}

/* power-profiles-daemon or tuned owns EPP and platform_profile: only turbo. */
static void intel_flags_leave_epp_and_platform_profile(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, JEPP_NO_EPP | JEPP_NO_PLATFORM_PROFILE,
				    &sum, err, sizeof(err)),
			 0);
	assert_int_equal(sum.nr_written, 1);
	assert_int_equal(sum.nr_epp, 0);
	assert_string_equal(value(NO_TURBO), "1");
	assert_string_equal(epp(0), "balance_performance");
	assert_string_equal(value(PLATFORM_PROFILE), "balanced");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_intel_originals();
}

/* A file that refuses (EPP under the performance governor): the rest is set. */
static void intel_refused_write_is_reported(void **s)
{
	char path[256];
	struct jepp_summary sum;
	char err[256];

	(void)s;
	snprintf(path, sizeof(path),
		 "%s/devices/system/cpu/cpufreq/policy3/energy_performance_preference", sys_root);
	assert_int_equal(unlink(path), 0);
	/* reads "Linux"; opening it for writing fails with EACCES, even as root */
	assert_int_equal(symlink("/proc/sys/kernel/ostype", path), 0);
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "policy3/energy_performance_preference"));
	assert_int_equal(sum.nr_failed, 1);
	assert_string_equal(epp(2), "performance");
	assert_string_equal(epp(4), "performance");
	assert_string_equal(value(PLATFORM_PROFILE), "performance");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_string_equal(epp(2), "balance_performance");
	assert_string_equal(value(PLATFORM_PROFILE), "balanced");
}

/*
 * A run killed after applying: the state file holds the originals, and the
 * next start (a fresh context) puts them back and deletes it.
 */
static void intel_crashed_run_recovered(void **s)
{
	struct jepp_summary sum;
	char err[256], line[512], prev[512] = "";
	int nr = -1, lines = 0;
	bool saw_policy0 = false;
	FILE *f;

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), 0); /* no state file yet */
	assert_int_equal(nr, 0);
	assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(epp(7), "performance");

	f = fopen(state, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		lines++;
		/* what the run wrote, on a line older versions skip, then the original */
		if (strstr(line, "/policy0/energy_performance_preference\tbalance_performance\n") &&
		    strstr(prev, "wrote:") == prev &&
		    strstr(prev, "/policy0/energy_performance_preference\tperformance\n"))
			saw_policy0 = true;
		snprintf(prev, sizeof(prev), "%s", line);
	}
	fclose(f);
	assert_int_equal(lines, 1 + 2 * (20 + 1)); /* header, 20 EPP, platform_profile */
	assert_true(saw_policy0);

	memset(&ctx, 0xa5, sizeof(ctx)); /* nothing of the crashed run survives */
	next_start_recovers(21);
	assert_intel_originals();
}

/*
 * A crashed run's files that someone changed before the next start (a
 * user's EPP, their platform_profile hotkey) are theirs: recovery leaves
 * them and restores the rest, including a file holding a value the run
 * wrote earlier than its last.
 */
static void intel_recover_leaves_values_changed_since(void **s)
{
	struct jepp_summary sum;
	char err[256];
	int nr = -1;

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), 0);
	put(PLATFORM_PROFILE, "low-power\n"); /* written by this run before: still its own */
	put("devices/system/cpu/cpufreq/policy3/energy_performance_preference", "power\n");
	put(NO_TURBO, "1\n");		 /* written by the run (powersave): its own */
	memset(&ctx, 0xa5, sizeof(ctx)); /* the crash */
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), 0);
	assert_int_equal(ctx.nr_recover_kept, 1);
	assert_int_equal(nr, 21); /* 19 EPP files, no_turbo, platform_profile */
	assert_string_equal(epp(3), "power");
	assert_string_equal(epp(4), "balance_performance");
	assert_string_equal(value(NO_TURBO), "0");
	assert_string_equal(value(PLATFORM_PROFILE), "balanced");
	assert_int_equal(access(state, F_OK), -1);
}

/*
 * --explain-profile beside the running service: the service's state file,
 * read without taking it over, says which platform_profile is its own.
 */
static void intel_peek_at_another_run(void **s)
{
	struct jepp_summary sum;
	static struct jepp other;
	char err[256], path[256];

	(void)s;
	snprintf(path, sizeof(path), "%s/%s", sys_root, PLATFORM_PROFILE);
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	jepp_init(&other, sys_root, state);
	assert_int_equal(jepp_peek(&other), 0);
	assert_string_equal(jepp_original_under_own(&other, path), "balanced");
	put(PLATFORM_PROFILE, "performance\n"); /* the user's, not the service's */
	jepp_init(&other, sys_root, state);
	assert_int_equal(jepp_peek(&other), 0);
	assert_null(jepp_original_under_own(&other, path));
	assert_false(other.owns_state);
	assert_int_equal(access(state, F_OK), 0); /* peeking changes nothing */
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_int_equal(access(state, F_OK), -1);
}

/*
 * The original behind scx_joule's own platform_profile, for the profile
 * choice: only while the file holds what jepp wrote.
 */
static void intel_original_under_own_value(void **s)
{
	struct jepp_summary sum;
	char err[256], path[256];

	(void)s;
	snprintf(path, sizeof(path), "%s/%s", sys_root, PLATFORM_PROFILE);
	jepp_init(&ctx, sys_root, state);
	assert_null(jepp_original_under_own(&ctx, path)); /* never changed */
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(value(PLATFORM_PROFILE), "low-power");
	assert_string_equal(jepp_original_under_own(&ctx, path), "balanced");
	assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(jepp_original_under_own(&ctx, path), "balanced");
	put(PLATFORM_PROFILE, "low-power\n"); /* the user's hotkey: theirs now */
	assert_null(jepp_original_under_own(&ctx, path));
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_null(jepp_original_under_own(&ctx, path));
	/* and the restore left it: the EPP files and turbo are back, it is not */
	assert_string_equal(value(PLATFORM_PROFILE), "low-power");
	assert_int_equal(sum.nr_kept, 1);
	assert_int_equal(sum.nr_written, 20);
	for (int p = 0; p < 20; p++)
		assert_string_equal(epp(p), "balance_performance");
	assert_string_equal(value(NO_TURBO), "0");
}

/*
 * The user picks the value jepp_apply() then wants too (nothing written):
 * theirs from then on, even when they go back to the value jepp_apply()
 * wrote before: neither the restore nor the next start after a crash puts
 * the original over it, and a peek (--explain-profile) does not take it for
 * the service's own.
 */
static void user_value_that_matches_stays_theirs(void **s)
{
	struct jepp_summary sum;
	struct jepp other;
	char err[256], path[256];
	int nr = -1;

	(void)s;
	snprintf(path, sizeof(path), "%s/%s", sys_root, PLATFORM_PROFILE);
	for (int crash = 0; crash < 2; crash++) {
		put(PLATFORM_PROFILE, "balanced\n");
		jepp_init(&ctx, sys_root, state);
		assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
		assert_string_equal(value(PLATFORM_PROFILE), "low-power");
		put(PLATFORM_PROFILE, "performance\n"); /* the user's hotkey */
		assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), 0);
		assert_string_equal(value(PLATFORM_PROFILE), "performance");
		assert_null(jepp_original_under_own(&ctx, path));
		put(PLATFORM_PROFILE, "low-power\n"); /* the user again: what jepp wrote first */
		assert_null(jepp_original_under_own(&ctx, path));
		jepp_init(&other, sys_root, state);
		assert_int_equal(jepp_peek(&other), 0);
		assert_null(jepp_original_under_own(&other, path));
		if (crash) {
			memset(&ctx, 0xa5, sizeof(ctx));
			jepp_init(&ctx, sys_root, state);
			assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), 0);
			assert_int_equal(nr,
					 20); /* the EPP files (no_turbo is back at 0 already) */
		} else {
			assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
			assert_int_equal(sum.nr_written, 20);
		}
		assert_string_equal(value(PLATFORM_PROFILE), "low-power");
		/* the files jepp_apply() did write are back */
		assert_string_equal(value(NO_TURBO), "0");
		for (int p = 0; p < 20; p++)
			assert_string_equal(epp(p), "balance_performance");
		assert_int_equal(access(state, F_OK), -1);
	}
}

/* A fresh context, and text at its state path (as a crashed run would leave it). */
static void init_with_state_file(const char *fmt, ...)
{
	char dir[256];
	va_list ap;
	FILE *f;

	jepp_init(&ctx, sys_root, state);
	mkdir(strcat(strcpy(dir, tmp), "/run"), 0755);
	f = fopen(state, "w");
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void bad_state_file_lines_are_skipped(void **s)
{
	int nr;
	char err[256];

	(void)s;
	/* only the first line is this root's and a file jepp_apply() writes */
	init_with_state_file("scx_joule-power-saved 1\n%s/%s\tperformance\n/etc/passwd\tx\n"
			     "%s/%s/../../boost\t0\n",
			     sys_root, PLATFORM_PROFILE, sys_root, PLATFORM_PROFILE);
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad line"));
	assert_non_null(strstr(err, "(and 1 more)"));
	assert_int_equal(nr, 1);
	assert_string_equal(value(PLATFORM_PROFILE), "performance");
	assert_int_equal(access(state, F_OK), -1);
}

/*
 * Whatever is at the state path is not this run's to restore (why: what
 * jepp_recover says of it): kept as it is, and no setting changed this run.
 */
static void assert_left_alone_as(const char *why)
{
	struct jepp_summary sum;
	char err[256];
	int nr;

	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, why));
	assert_int_equal(nr, 0);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "left alone"));
	assert_string_equal(epp(0), "balance_performance");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
}

static void assert_left_alone(void)
{
	assert_left_alone_as("not a state file");
}

/* Line n (from 1) of the file at the state path. */
static const char *state_line(int n)
{
	static char text[256];
	FILE *f = fopen(state, "r");

	assert_non_null(f);
	for (int i = 0; i < n; i++)
		assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	return text;
}

/*
 * A file at the state path that is not a state file (someone else's, or a
 * later version's): neither deleted nor written over, and no setting is
 * changed, since this run could not record the originals.
 */
static void foreign_state_file_left_alone(void **s)
{
	(void)s;
	/* a later version's: its header only begins as ours does */
	init_with_state_file("scx_joule-power-saved 10\nsomething\n");
	assert_left_alone();
	assert_string_equal(state_line(1), "scx_joule-power-saved 10\n");
	unlink(state);
}

/*
 * The originals a killed run on the machine's /sys left, read by a run on a
 * test's tree with the same state path: neither restored into the tree nor
 * deleted (they were lost, taken for bad lines), and no setting changed.
 */
static void other_roots_state_file_left_alone(void **s)
{
	(void)s;
	init_with_state_file("scx_joule-power-saved 1\n"
			     "/sys/devices/system/cpu/intel_pstate/no_turbo\t0\n");
	assert_left_alone_as("the originals of a run on another sysfs root in");
	assert_string_equal(state_line(2), "/sys/devices/system/cpu/intel_pstate/no_turbo\t0\n");
	unlink(state);
}

/*
 * A FIFO where the state file goes (the open of one no one writes never came
 * back): left alone as someone else's, and no setting changed, at once.
 */
static void state_path_fifo_left_alone(void **s)
{
	char dir[256];
	struct stat st;

	(void)s;
	jepp_init(&ctx, sys_root, state);
	mkdir(strcat(strcpy(dir, tmp), "/run"), 0755);
	assert_int_equal(mkfifo(state, 0600), 0);
	assert_left_alone();
	assert_int_equal(stat(state, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	unlink(state);
}

/* Entries of directory dir, but . and .. */
static int nr_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/*
 * A FIFO left where the state file was written first (its open for writing
 * waited for a reader): never opened now, the settings applied and the
 * originals saved.
 */
static void state_tmp_fifo_not_used(void **s)
{
	struct jepp_summary sum;
	char dir[256], err[256], fifo[300];
	struct stat st;
	int nr;

	(void)s;
	jepp_init(&ctx, sys_root, state);
	mkdir(strcat(strcpy(dir, tmp), "/run"), 0755);
	snprintf(fifo, sizeof(fifo), "%s.tmp", state);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), 0);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(epp(0), "balance_power");
	assert_int_equal(stat(state, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(nr_entries(dir), 2); /* the FIFO and the state file: no temporary left */
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_string_equal(epp(0), "balance_performance");
	assert_int_equal(access(state, F_OK), -1);
	assert_int_equal(nr_entries(dir), 1);
	unlink(fifo);
}

/* A state file with its header and nothing saved is ours: deleted, settings applied. */
static void header_only_state_file_is_ours(void **s)
{
	struct jepp_summary sum;
	char err[256];
	int nr;

	(void)s;
	init_with_state_file("scx_joule-power-saved 1\n");
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 0);
	assert_int_equal(access(state, F_OK), -1);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(epp(0), "balance_power");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_string_equal(epp(0), "balance_performance");
}

/* A socket where the state file goes is someone else's too. */
static void state_path_socket_left_alone(void **s)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char dir[256];
	int fd;

	(void)s;
	jepp_init(&ctx, sys_root, state);
	mkdir(strcat(strcpy(dir, tmp), "/run"), 0755);
	assert_true(strlen(state) < sizeof(addr.sun_path));
	memcpy(addr.sun_path, state, strlen(state) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_left_alone();
	close(fd);
	unlink(state);
}

/* An empty file (a touch) has no header: someone else's, not deleted as ours was. */
static void empty_state_file_left_alone(void **s)
{
	struct stat st;

	(void)s;
	init_with_state_file("");
	assert_left_alone();
	assert_int_equal(stat(state, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(state);
}

static void amd_levels_and_restore(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	for (int p = 0; p < 12; p++)
		assert_string_equal(epp(p), "balance_power");
	assert_string_equal(value(BOOST), "0");
	assert_int_equal(sum.turbo, 0);
	assert_string_equal(sum.platform_profile, "");
	assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(epp(11), "performance");
	assert_string_equal(value(BOOST), "1");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	for (int p = 0; p < 12; p++)
		assert_string_equal(epp(p), "balance_performance");
	assert_string_equal(value(BOOST), "1");
	assert_int_equal(access(state, F_OK), -1);
}

static void amd_crashed_run_recovered(void **s)
{
	struct jepp_summary sum;
	char err[256];
	int nr;

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(value(BOOST), "0");
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 13);
	assert_string_equal(epp(5), "balance_performance");
	assert_string_equal(value(BOOST), "1");
}

/* cpufreq-dt has no EPP, turbo or platform_profile: nothing to do, no error. */
static void arm_nothing_written(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	/* the board was copied: on an empty tree "nothing written" would pass too */
	assert_string_equal(value("devices/system/cpu/cpufreq/policy0/scaling_driver"),
			    "cpufreq-dt");
	assert_string_equal(value("devices/system/cpu/cpufreq/policy4/scaling_driver"),
			    "cpufreq-dt");
	jepp_init(&ctx, sys_root, state);
	for (int l = JEPP_POWERSAVE; l <= JEPP_PERFORMANCE; l++) {
		assert_int_equal(jepp_apply(&ctx, l, 0, &sum, err, sizeof(err)), 0);
		assert_int_equal(sum.nr_written, 0);
		assert_int_equal(sum.nr_epp, 0);
		assert_int_equal(sum.turbo, -1);
	}
	assert_int_equal(access(state, F_OK), -1);
	assert_string_equal(epp(0), "(missing)");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
}

#define UNCORE "devices/system/cpu/intel_uncore_frequency/"
#define PKG0   UNCORE "package_00_die_00/"

static const char *uncore_max(const char *dir)
{
	char rel[128];

	snprintf(rel, sizeof(rel), UNCORE "%s/max_freq_khz", dir);
	return value(rel);
}

/* package_00_die_00: powersave half-way, the others the initial maximum. */
static void uncore_package_levels_and_restore(void **s)
{
	static const struct {
		enum jepp_level level;
		const char *max;
	} want[] = {
		{JEPP_POWERSAVE, "2100000"},
		{JEPP_PERFORMANCE, "3800000"},
		{JEPP_POWERSAVE, "2100000"},
		{JEPP_BALANCED, "3800000"},
	};
	struct jepp_summary sum;
	char err[256];

	(void)s;
	jepp_init(&ctx, sys_root, state);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(jepp_apply(&ctx, want[i].level, 0, &sum, err, sizeof(err)), 0);
		assert_string_equal(uncore_max("package_00_die_00"), want[i].max);
		assert_int_equal(sum.nr_uncore, 1);
		assert_int_equal(sum.uncore_max_khz, atol(want[i].max));
		assert_int_equal(sum.nr_failed, 0);
	}
	assert_string_equal(value(PKG0 "initial_max_freq_khz"), "3800000");
	assert_string_equal(value(PKG0 "min_freq_khz"), "400000");
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_string_equal(uncore_max("package_00_die_00"), "3800000");
	assert_intel_originals();
	assert_int_equal(access(state, F_OK), -1);
}

/*
 * Never above initial_max_freq_khz, never below min_freq_khz: a maximum the
 * user lowered goes back up to the initial one only for balanced and
 * performance, and a raised minimum bounds powersave.
 */
static void uncore_bounds(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	put(PKG0 "max_freq_khz", "3000000\n");
	put(PKG0 "min_freq_khz", "2500000\n");
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(uncore_max("package_00_die_00"), "2500000");
	assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(uncore_max("package_00_die_00"), "3800000");
	put(PKG0 "initial_max_freq_khz", "2000000\n"); /* under the current max: lowered */
	put(PKG0 "min_freq_khz", "400000\n");
	assert_int_equal(jepp_apply(&ctx, JEPP_BALANCED, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(uncore_max("package_00_die_00"), "2000000");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_string_equal(uncore_max("package_00_die_00"), "3000000");
}

/* An unreadable limit: that domain is reported and left alone, the rest set. */
static void uncore_unreadable_limit(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	put(PKG0 "initial_min_freq_khz", "garbage\n");
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "package_00_die_00/initial_min_freq_khz"));
	assert_int_equal(sum.nr_uncore, 0);
	assert_string_equal(uncore_max("package_00_die_00"), "3800000");
	assert_string_equal(epp(0), "balance_power");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
}

/* JEPP_NO_UNCORE (a daemon owns it): the limits are not touched. */
static void uncore_flag_leaves_it(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, JEPP_NO_UNCORE, &sum, err, sizeof(err)),
			 0);
	assert_int_equal(sum.nr_uncore, 0);
	assert_string_equal(uncore_max("package_00_die_00"), "3800000");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
}

/* A fresh context that applied powersave: the uncore maximum half-way. */
static void uncore_powersave(void)
{
	struct jepp_summary sum;
	char err[256];

	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(uncore_max("package_00_die_00"), "2100000");
}

/*
 * power-profiles-daemon comes while powersave is applied: EPP, platform_profile
 * and the uncore limit are handed over (the originals back, except a file
 * the daemon already wrote), turbo stays, and so does its line in the
 * state file, which a crash then still restores.
 */
static void release_hands_over_all_but_turbo(void **s)
{
	const unsigned daemons = JEPP_NO_EPP | JEPP_NO_PLATFORM_PROFILE | JEPP_NO_UNCORE;
	struct jepp_summary sum;
	char err[256];

	(void)s;
	uncore_powersave();
	/* the daemon's own EPP on policy 3, written before scx_joule saw it */
	put("devices/system/cpu/cpufreq/policy3/energy_performance_preference", "power\n");
	assert_int_equal(jepp_release(&ctx, daemons, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_written,
			 19 + 1 + 1); /* EPP but policy 3, platform_profile, uncore */
	assert_int_equal(sum.nr_kept, 1);
	assert_string_equal(uncore_max("package_00_die_00"), "3800000");
	assert_string_equal(value(PLATFORM_PROFILE), "balanced");
	assert_string_equal(epp(0), "balance_performance");
	assert_string_equal(epp(3), "power");
	assert_string_equal(value(NO_TURBO), "1");
	/* nothing left to hand over: nothing written */
	assert_int_equal(jepp_release(&ctx, daemons, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_written + sum.nr_kept, 0);
	/* applied again with the flags, only turbo; killed then, only turbo comes back */
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, daemons, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_epp + sum.nr_uncore, 0);
	{
		char text[4096];
		FILE *f = fopen(state, "r");
		size_t n;

		assert_non_null(f);
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		assert_non_null(strstr(text, NO_TURBO));
		assert_null(strstr(text, "energy_performance_preference"));
		assert_null(strstr(text, "platform_profile"));
		assert_null(strstr(text, "intel_uncore_frequency"));
	}
	memset(&ctx, 0xa5, sizeof(ctx));
	next_start_recovers(1);
	assert_string_equal(value(NO_TURBO), "0");
	assert_string_equal(epp(3), "power");
}

/* Killed in powersave: the next start puts the uncore maximum back too. */
static void uncore_crashed_run_recovered(void **s)
{
	(void)s;
	uncore_powersave();
	memset(&ctx, 0xa5, sizeof(ctx));
	next_start_recovers(20 + 1 + 1 + 1); /* EPP, no_turbo, platform_profile, uncore */
	assert_string_equal(uncore_max("package_00_die_00"), "3800000");
	assert_intel_originals();
}

/* TPMI: the uncoreNN directories only, each within its own range. */
static void uncore_tpmi_levels_and_restore(void **s)
{
	static const char *const dirs[] = {"uncore00", "uncore01", "uncore02", "uncore03"};
	static const char *const powersave[] = {"1500000", "1600000", "1500000", "1600000"};
	static const char *const initial[] = {"2200000", "2500000", "2200000", "2500000"};
	struct jepp_summary sum;
	char err[256];
	int nr;

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_uncore, 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(uncore_max(dirs[i]), powersave[i]);
	assert_string_equal(uncore_max("package_00_die_00"), "2500000");
	assert_string_equal(uncore_max("package_01_die_00"), "2500000");
	assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), 0);
	for (int i = 0; i < 4; i++)
		assert_string_equal(uncore_max(dirs[i]), initial[i]);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	for (int i = 0; i < 4; i++)
		assert_string_equal(uncore_max(dirs[i]), initial[i]);
	/* and after a crash */
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), 0);
	assert_true(nr >= 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(uncore_max(dirs[i]), initial[i]);
	assert_int_equal(access(state, F_OK), -1);
}

/* A max_freq_khz outside intel_uncore_frequency/ is not restored. */
static void uncore_state_line_elsewhere_skipped(void **s)
{
	int nr;
	char err[256];

	(void)s;
	put("devices/system/cpu/cpufreq/max_freq_khz", "1\n");
	init_with_state_file("scx_joule-power-saved 1\n%s/%smax_freq_khz\t1000000\n%s/%s\t2\n",
			     sys_root, PKG0, sys_root, "devices/system/cpu/cpufreq/max_freq_khz");
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), -EINVAL);
	assert_int_equal(nr, 1);
	assert_string_equal(uncore_max("package_00_die_00"), "1000000");
	assert_string_equal(value("devices/system/cpu/cpufreq/max_freq_khz"), "1");
}

#define POLICY3_EPP "devices/system/cpu/cpufreq/policy3/energy_performance_preference"

/* The file refuses for now, as an offline CPU's policy does (EBUSY): a directory. */
static void refuse(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", sys_root, rel);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* ... and takes writes again, holding what the driver kept (scx_joule's value). */
static void accept_again(const char *rel, const char *content)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", sys_root, rel);
	assert_int_equal(rmdir(path), 0);
	put(rel, content);
}

/* How many originals the state file holds (lines after its header), -1 if none. */
static int state_entries(void)
{
	char line[1024];
	int n = -1;
	FILE *f = fopen(state, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strncmp(line, "wrote:", 6) != 0; /* an entry's values written: not one */
	fclose(f);
	return n;
}

/*
 * A file that refuses its original on exit keeps it in the state file, and
 * the next start puts it back. Deleted with the rest, the original was lost:
 * the CPU's driver gave back scx_joule's value when it came online again.
 */
static void intel_restore_refused_kept_for_next_run(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	refuse(POLICY3_EPP);
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "policy3/energy_performance_preference"));
	assert_string_equal(epp(2), "balance_performance");
	assert_string_equal(value(PLATFORM_PROFILE), "balanced");
	assert_int_equal(state_entries(), 1);

	accept_again(POLICY3_EPP, "balance_power");
	next_start_recovers(1);
	assert_intel_originals();
}

/*
 * The same at the start after a crash: the original stays this run's, so
 * that the value left behind is not taken for it.
 */
static void intel_recover_refused_keeps_original(void **s)
{
	struct jepp_summary sum;
	char err[256];
	int nr = -1;

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	memset(&ctx, 0xa5, sizeof(ctx)); /* killed */
	refuse(POLICY3_EPP);
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), -EISDIR);
	assert_int_equal(nr, 21);
	assert_int_equal(state_entries(), 1);

	accept_again(POLICY3_EPP, "balance_power");
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_intel_originals();
	assert_int_equal(access(state, F_OK), -1);
}

/* platform_profile "custom" (handlers disagree) cannot be written back: left alone. */
static void intel_custom_platform_profile_left(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	put(PLATFORM_PROFILE, "custom\n");
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(value(PLATFORM_PROFILE), "custom");
	assert_string_equal(sum.platform_profile, "");
	assert_string_equal(epp(0), "balance_power");
	assert_int_equal(state_entries(), 21); /* 20 EPP, no_turbo */
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_string_equal(value(PLATFORM_PROFILE), "custom");
}

/*
 * "max-power" (Linux 6.14) already is performance: performance leaves it,
 * powersave writes low-power over it, and the restore puts it back.
 */
static void intel_max_power_kept_for_performance(void **s)
{
	struct jepp_summary sum;
	char err[256];

	(void)s;
	put("firmware/acpi/platform_profile_choices", "low-power balanced performance max-power\n");
	put(PLATFORM_PROFILE, "max-power\n");
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_PERFORMANCE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(value(PLATFORM_PROFILE), "max-power");
	assert_string_equal(sum.platform_profile, "");
	assert_string_equal(epp(0), "performance");
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	assert_string_equal(value(PLATFORM_PROFILE), "low-power");
	assert_string_equal(sum.platform_profile, "low-power");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_string_equal(value(PLATFORM_PROFILE), "max-power");
	assert_int_equal(access(state, F_OK), -1);
}

/* A second instance that wrote nothing (it could not attach) leaves the first's state file. */
static void second_instance_leaves_state_file(void **s)
{
	static struct jepp other;
	struct jepp_summary sum;
	char err[256];

	(void)s;
	jepp_init(&ctx, sys_root, state);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)), 0);
	jepp_init(&other, sys_root, state);
	assert_int_equal(jepp_restore(&other, &sum, err, sizeof(err)), 0);
	assert_int_equal(state_entries(), 22); /* 20 EPP, no_turbo, platform_profile */
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_int_equal(access(state, F_OK), -1);
	assert_intel_originals();
}

/*
 * A root that fits, below which the EPP files' paths do not: their
 * originals, saved under cut paths, could never be written back, so they
 * are left alone and named; boost, whose path fits, is still set.
 */
static void long_root_files_left_alone(void **s)
{
	char root[600], dir[600], err[1024], want[700];
	struct jepp_summary sum;
	size_t n;

	(void)s;
	/* two directories of names below NAME_MAX, then a link to the tree */
	snprintf(dir, sizeof(dir), "%s/%0200d", tmp, 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	n = strlen(dir);
	/* root + "/devices/system/cpu/cpufreq/boost" is 511 bytes: just fits */
	snprintf(dir + n, sizeof(dir) - n, "/%0*d", (int)(JEPP_PATH_LEN - 1 - 33 - 4 - n - 1), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(root, sizeof(root), "%s/sys", dir);
	assert_int_equal(symlink(sys_root, root), 0);
	assert_int_equal(strlen(root) + strlen("/" BOOST), JEPP_PATH_LEN - 1);

	assert_int_equal(jepp_init(&ctx, root, state), 0);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)),
			 -ENAMETOOLONG);
	snprintf(want, sizeof(want),
		 "cannot save the original of %s/devices/system/cpu/cpufreq/policy", root);
	if (!strstr(err, want) || !strstr(err, "File name too long (and 11 more)"))
		fail_msg("'%s'", err);
	for (int p = 0; p < 12; p++)
		assert_string_equal(epp(p), "balance_performance");
	assert_string_equal(value(BOOST), "0");
	assert_int_equal(jepp_restore(&ctx, &sum, err, sizeof(err)), 0);
	assert_string_equal(value(BOOST), "1");
	assert_int_equal(access(state, F_OK), -1);
}

/*
 * A sysfs root or state file path too long to keep: nothing is read or
 * written under its cut start (another directory), and the message names it.
 */
static void too_long_root_or_state_refused(void **s)
{
	char path[700], err[1024];
	struct jepp_summary sum;
	int nr = -1;

	(void)s;
	snprintf(path, sizeof(path), "%s/%0600d", tmp, 0);
	assert_int_equal(jepp_init(&ctx, path, state), -ENAMETOOLONG);
	assert_int_equal(jepp_recover(&ctx, &nr, err, sizeof(err)), -ENAMETOOLONG);
	assert_int_equal(nr, 0);
	assert_non_null(strstr(err, "power settings left alone: sysfs root /tmp/joule-jepp-"));
	assert_non_null(strstr(err, "...: File name too long (at most 511 bytes)"));
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)),
			 -ENAMETOOLONG);
	assert_int_equal(jepp_peek(&ctx), -ENAMETOOLONG);

	assert_int_equal(jepp_init(&ctx, sys_root, path), -ENAMETOOLONG);
	assert_int_equal(jepp_apply(&ctx, JEPP_POWERSAVE, 0, &sum, err, sizeof(err)),
			 -ENAMETOOLONG);
	assert_non_null(
		strstr(err, "power settings left alone: power state file /tmp/joule-jepp-"));
	for (int p = 0; p < 12; p++)
		assert_string_equal(epp(p), "balance_performance");
	assert_string_equal(value(BOOST), "1");
	/* no state file under the cut path (tmp/000...0, 511 bytes) either */
	path[JEPP_PATH_LEN - 1] = '\0';
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(intel_levels_and_restore, intel, remove_tmp),
		cmocka_unit_test_setup_teardown(intel_unchanged_not_written, intel, remove_tmp),
		cmocka_unit_test_setup_teardown(intel_powersave_without_balance_power, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(summary_names_only_what_was_set, intel, remove_tmp),
		cmocka_unit_test_setup_teardown(intel_unlisted_preference_skipped, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(intel_flags_leave_epp_and_platform_profile, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(intel_refused_write_is_reported, intel, remove_tmp),
		cmocka_unit_test_setup_teardown(intel_crashed_run_recovered, intel, remove_tmp),
		cmocka_unit_test_setup_teardown(intel_restore_refused_kept_for_next_run, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(intel_recover_refused_keeps_original, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(intel_custom_platform_profile_left, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(intel_max_power_kept_for_performance, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(second_instance_leaves_state_file, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(user_value_that_matches_stays_theirs, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(intel_original_under_own_value, intel, remove_tmp),
		cmocka_unit_test_setup_teardown(intel_recover_leaves_values_changed_since, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(intel_peek_at_another_run, intel, remove_tmp),
		cmocka_unit_test_setup_teardown(bad_state_file_lines_are_skipped, intel,
						remove_tmp),
		cmocka_unit_test_setup_teardown(amd_levels_and_restore, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(foreign_state_file_left_alone, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(other_roots_state_file_left_alone, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(amd_crashed_run_recovered, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(state_path_fifo_left_alone, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(state_tmp_fifo_not_used, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(header_only_state_file_is_ours, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(state_path_socket_left_alone, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(empty_state_file_left_alone, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(arm_nothing_written, arm, remove_tmp),
		cmocka_unit_test_setup_teardown(uncore_package_levels_and_restore, intel_uncore,
						remove_tmp),
		cmocka_unit_test_setup_teardown(uncore_bounds, intel_uncore, remove_tmp),
		cmocka_unit_test_setup_teardown(uncore_unreadable_limit, intel_uncore, remove_tmp),
		cmocka_unit_test_setup_teardown(uncore_flag_leaves_it, intel_uncore, remove_tmp),
		cmocka_unit_test_setup_teardown(release_hands_over_all_but_turbo, intel_uncore,
						remove_tmp),
		cmocka_unit_test_setup_teardown(uncore_crashed_run_recovered, intel_uncore,
						remove_tmp),
		cmocka_unit_test_setup_teardown(uncore_tpmi_levels_and_restore, tpmi, remove_tmp),
		cmocka_unit_test_setup_teardown(uncore_state_line_elsewhere_skipped, intel_uncore,
						remove_tmp),
		cmocka_unit_test_setup_teardown(long_root_files_left_alone, amd, remove_tmp),
		cmocka_unit_test_setup_teardown(too_long_root_or_state_refused, amd, remove_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
