// SPDX-License-Identifier: GPL-2.0-only
/*
 * Energy meters on recorded trees (tests/fixtures/meters, see its README):
 * RAPL zones and their wraparound, a counter that goes backwards, the perf
 * PMU's event files, batteries, turbostat's text and a turbostat child.
 * Each test copies its tree to a temporary directory and rewrites counters
 * between reads, as the hardware would.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "jmeter.h"

#define RANGE_INTEL 262143328850ULL
#define PCAP	    "/sys/class/powercap/"
#define SUPPLY	    "/sys/class/power_supply/"

static char tmp[256], err[1024];

/*
 * strdup, failing on demand (the test is linked with --wrap=strdup): the
 * PATH lookup must not depend on a copy.
 */
char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);
static bool strdup_fails;

char *__wrap_strdup(const char *s)
{
	if (strdup_fails) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

/* A private copy of a recorded tree. */
static const char *tree(const char *name)
{
	char cmd[1024];

	snprintf(tmp, sizeof(tmp), "/tmp/test_jmeter.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "cp -r '%s/%s/.' '%s'", METERS_DIR, name, tmp);
	assert_int_equal(system(cmd), 0);
	return tmp;
}

static void drop_tree(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

static void set_value(const char *rel, unsigned long long v)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%llu\n", v);
	assert_int_equal(fclose(f), 0);
}

static void put_status(const char *battery, const char *status)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s" SUPPLY "%s/status", tmp, battery);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", status);
	assert_int_equal(fclose(f), 0);
}

static struct jmeter *open_tree(const char *root, enum jmeter_kind only)
{
	struct jmeter_opts o = {.root = root, .only = only};
	struct jmeter *m = NULL;
	int ret = jmeter_open(&m, &o, err, sizeof(err));

	if (ret)
		fail_msg("jmeter_open: %s", err);
	return m;
}

static int channel(const struct jmeter *m, const char *name)
{
	for (int i = 0; i < jmeter_nr_channels(m); i++)
		if (!strcmp(jmeter_channel_name(m, i), name))
			return i;
	fail_msg("no channel %s", name);
	return -1;
}

static void test_counter_delta(void **state)
{
	uint64_t d;

	(void)state;
	assert_int_equal(jmeter_counter_delta(100, 250, 1000, &d), 0);
	assert_int_equal(d, 150);
	assert_int_equal(jmeter_counter_delta(900, 100, 1000, &d), 0);
	assert_int_equal(d, 200); /* 100 to the wrap, 100 after it */
	assert_int_equal(jmeter_counter_delta(600, 500, 1000, &d), -ERANGE);
	/* the counter's all-ones value is max_energy_range_uj itself */
	assert_int_equal(jmeter_counter_delta(990, 1000, 1000, &d), 0);
	assert_int_equal(d, 10);
	assert_int_equal(jmeter_counter_delta(1000, 40, 1000, &d), 0);
	assert_int_equal(d, 40);
	assert_int_equal(jmeter_counter_delta(1001, 40, 1000, &d), -ERANGE);
	assert_int_equal(jmeter_counter_delta(10, 5, 0, &d), -ERANGE); /* no range known */
}

static void test_rapl_intel(void **state)
{
	const char *pkg = PCAP "intel-rapl:0/energy_uj", *core = PCAP "intel-rapl:0:0/energy_uj";
	unsigned long long p0 = 81234567890ULL, c0 = 30123456789ULL;
	struct jmeter *m;
	double j;

	(void)state;
	m = open_tree(tree("rapl-intel"), JMETER_AUTO);
	assert_int_equal(jmeter_kind(m), JMETER_RAPL);
	assert_int_equal(jmeter_nr_channels(m), 4);
	channel(m, "package-0/uncore");
	channel(m, "psys");

	set_value(pkg, p0 + 5000000); /* 5 J */
	set_value(core, c0 + 2000000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_true(fabs(j - 5.0) < 1e-9); /* core is inside the package: not added */
	assert_true(fabs(jmeter_channel_joules(m, channel(m, "package-0/core")) - 2.0) < 1e-9);

	/* wraps between two reads: 1 J before max_energy_range_uj, 3 J after */
	set_value(pkg, RANGE_INTEL - 1000000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	double before = j;
	set_value(pkg, 3000000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_true(fabs(j - before - 4.0) < 1e-6);

	/* a read at max_energy_range_uj itself, then the wrap from there */
	set_value(pkg, RANGE_INTEL);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	before = j;
	set_value(pkg, 3000000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_true(fabs(j - before - 3.0) < 1e-6);

	/* a drop that no wrap explains */
	set_value(pkg, 2000000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "intel-rapl:0/energy_uj: energy counter went backwards "
				    "(3000000 -> 2000000 uJ"));
	jmeter_close(m);
	drop_tree();
}

static void test_rapl_amd(void **state)
{
	struct jmeter *m;
	double j;

	(void)state;
	m = open_tree(tree("rapl-amd"), JMETER_AUTO);
	assert_int_equal(jmeter_kind(m), JMETER_RAPL);
	assert_string_equal(jmeter_channel_name(m, 0), "package-0");
	set_value(PCAP "intel-rapl:0/energy_uj", 5123456789ULL + 250000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_true(fabs(j - 0.25) < 1e-9);
	jmeter_close(m);
	drop_tree();

	/* opened while the counter reads max_energy_range_uj; one above it is wrong */
	tree("rapl-amd");
	set_value(PCAP "intel-rapl:0/energy_uj", 65712999613ULL);
	m = open_tree(tmp, JMETER_AUTO);
	jmeter_close(m);
	set_value(PCAP "intel-rapl:0/energy_uj", 65712999614ULL);
	struct jmeter_opts o = {.root = tmp, .only = JMETER_RAPL};
	assert_int_equal(jmeter_open(&m, &o, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "energy_uj: above max_energy_range_uj"));
	drop_tree();
}

static void test_no_source(void **state)
{
	struct jmeter_opts o = {.root = NULL};
	struct jmeter *m = NULL;

	(void)state;
	o.root = tree("rapl-no-package");
	assert_int_equal(jmeter_open(&m, &o, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no energy source: "));
	assert_non_null(strstr(err, "no package-* zone"));
	assert_non_null(strstr(err, "no battery in "));
	drop_tree();

	o.root = tree("none");
	assert_int_equal(jmeter_open(&m, &o, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "intel-rapl:*"));
	assert_non_null(strstr(err, "turbostat: not run for a recorded tree"));
	drop_tree();
}

static void test_perf_event(void **state)
{
	struct jmeter_perf_event ev;
	struct jmeter_opts o = {.only = JMETER_PERF};
	struct jmeter *m = NULL;

	(void)state;
	o.root = tree("perf-only");
	assert_int_equal(jmeter_perf_event_read(o.root, "energy-pkg", &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.type, 4095);
	assert_int_equal(ev.config, 2);
	assert_true(fabs(ev.scale - 2.3283064365386962890625e-10) < 1e-24);
	assert_string_equal(ev.cpumask, "0");
	assert_int_equal(jmeter_perf_event_read(o.root, "energy-gpu", &ev, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "events/energy-gpu: No such file"));
	/* a recorded PMU type does not exist in this kernel: opening fails, and says so */
	assert_int_not_equal(jmeter_open(&m, &o, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "perf_event_open(power/energy-pkg, CPU 0)"));

	set_value("/sys/bus/event_source/devices/power/events/energy-pkg.scale", 0);
	assert_int_equal(jmeter_perf_event_read(o.root, "energy-pkg", &ev, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "is not a scale"));
	drop_tree();
}

static void test_battery_energy(void **state)
{
	const char *now = SUPPLY "BAT0/energy_now";
	struct jmeter *m;
	double j;

	(void)state;
	m = open_tree(tree("battery-energy"), JMETER_AUTO);
	assert_int_equal(jmeter_kind(m), JMETER_BATTERY);
	assert_non_null(strstr(jmeter_describe(m), "BAT0 (energy_now)"));
	set_value(now, 41234000 - 1000); /* 1000 uWh = 3.6 J */
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_true(fabs(j - 3.6) < 1e-9);
	set_value(now, 41234000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "stored energy rose while discharging"));
	jmeter_close(m);
	drop_tree();
}

/* A battery's driver picks its name: the type is what counts */
static void test_battery_names(void **state)
{
	char from[512], to[512];
	struct jmeter *m;
	double j;

	(void)state;
	tree("battery-energy");
	snprintf(from, sizeof(from), "%s" SUPPLY "BAT0", tmp);
	snprintf(to, sizeof(to), "%s" SUPPLY "qcom-battmgr-bat", tmp);
	assert_int_equal(rename(from, to), 0);
	m = open_tree(tmp, JMETER_AUTO);
	assert_int_equal(jmeter_kind(m), JMETER_BATTERY);
	assert_non_null(strstr(jmeter_describe(m), "qcom-battmgr-bat (energy_now)"));
	set_value(SUPPLY "qcom-battmgr-bat/energy_now", 41234000 - 1000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_true(fabs(j - 3.6) < 1e-9);
	jmeter_close(m);

	/* a mouse's battery (scope Device) is not the machine's */
	snprintf(from, sizeof(from), "%s" SUPPLY "qcom-battmgr-bat/scope", tmp);
	FILE *f = fopen(from, "w");
	assert_non_null(f);
	fputs("Device\n", f);
	assert_int_equal(fclose(f), 0);
	struct jmeter_opts o = {.root = tmp, .only = JMETER_BATTERY};
	assert_int_equal(jmeter_open(&m, &o, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no battery in "));
	drop_tree();
}

static void test_battery_charge(void **state)
{
	struct jmeter *m;
	double j;

	(void)state;
	m = open_tree(tree("battery-charge"), JMETER_BATTERY);
	assert_non_null(strstr(jmeter_describe(m), "BAT1 (charge_now x voltage_now)"));
	set_value(SUPPLY "BAT1/charge_now", 3512000 - 100);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	/* 100 uAh at 7.65 V: the counter's value falls by 100 x 7650000 x 3.6e-9 J */
	assert_true(fabs(j - 100 * 7650000 * 3.6e-9) < 1e-9);
	jmeter_close(m);
	drop_tree();
}

/*
 * Charge that leaves at the mean voltage: the voltage sags under load and
 * recovers after, which is not energy used or given back.
 */
static void test_battery_charge_voltage_sag(void **state)
{
	struct jmeter *m;
	double j;

	(void)state;
	m = open_tree(tree("battery-charge"), JMETER_BATTERY);
	set_value(SUPPLY "BAT1/charge_now", 3512000 - 100);
	set_value(SUPPLY "BAT1/voltage_now", 7550000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	/* 100 uAh = 0.36 C at the mean of 7.65 and 7.55 V */
	assert_true(fabs(j - 0.36 * 7.6) < 1e-9);
	set_value(SUPPLY "BAT1/voltage_now", 7650000); /* load gone: it recovers */
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_true(fabs(j - 0.36 * 7.6) < 1e-9);
	set_value(SUPPLY "BAT1/charge_now", 3512000);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "stored charge rose while discharging"));
	jmeter_close(m);
	drop_tree();
}

/*
 * Two batteries, one drained after the other: both are counted, whichever
 * is Discharging, and neither may be Charging.
 */
static void test_two_batteries(void **state)
{
	struct jmeter *m;
	double j;

	(void)state;
	m = open_tree(tree("battery-two"), JMETER_AUTO);
	assert_int_equal(jmeter_kind(m), JMETER_BATTERY);
	assert_string_equal(jmeter_describe(m),
			    "batteries BAT0 (energy_now), BAT1 (charge_now x voltage_now)");
	assert_int_equal(jmeter_nr_channels(m), 2);
	set_value(SUPPLY "BAT1/charge_now", 2000000 - 1000); /* 3.6 C at 11.4 V */
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_true(fabs(j - 3.6 * 11.4) < 1e-9);
	/* the firmware switches to BAT0 */
	set_value(SUPPLY "BAT0/energy_now", 30000000 - 1000); /* 1000 uWh = 3.6 J */
	put_status("BAT0", "Discharging");
	put_status("BAT1", "Not charging");
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_true(fabs(j - 3.6 * 11.4 - 3.6) < 1e-9);
	assert_true(fabs(jmeter_channel_joules(m, channel(m, "BAT0")) - 3.6) < 1e-9);
	put_status("BAT1", "Charging");
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), -EAGAIN);
	assert_non_null(strstr(err, "BAT1/status: Charging (the battery measures"));
	/* reads in the handover, neither Discharging yet, AC offline: still on battery */
	put_status("BAT1", "Not charging");
	put_status("BAT0", "Unknown");
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	/* but not for good: a machine whose AC supply shows nowhere */
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), -EAGAIN);
	assert_non_null(strstr(err, "BAT0/status: Unknown (the battery measures"));
	put_status("BAT0", "Discharging");
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	put_status("BAT0", "Unknown");
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), 0);
	/* AC plugged in, a battery full or held below its charge threshold: not */
	set_value(SUPPLY "AC/online", 1);
	put_status("BAT1", "Full");
	put_status("BAT0", "Not charging");
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), -EAGAIN);
	assert_non_null(strstr(err, "BAT0/status: Not charging (the battery measures"));
	jmeter_close(m);
	drop_tree();
}

static void test_battery_charging(void **state)
{
	struct jmeter_opts o = {.only = JMETER_BATTERY};
	struct jmeter *m = NULL;

	(void)state;
	o.root = tree("battery-charging");
	assert_int_equal(jmeter_open(&m, &o, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "BAT0/status: Charging (the battery measures"));
	drop_tree();
}

static void feed(struct jmeter_tstat *t, const char *file, int *bad)
{
	char path[512], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", METERS_DIR, file);
	f = fopen(path, "r");
	assert_non_null(f);
	memset(t, 0, sizeof(*t));
	*bad = 0;
	while (fgets(line, sizeof(line), f))
		if (jmeter_tstat_line(t, line) < 0)
			(*bad)++;
	fclose(f);
}

static void test_turbostat_text(void **state)
{
	struct jmeter_tstat t;
	int bad;

	(void)state;
	feed(&t, "turbostat-summary.txt", &bad);
	assert_int_equal(bad, 0);
	assert_int_equal(t.rows, 4);
	assert_int_equal(t.nr_cols, 8);
	assert_true(fabs(jmeter_tstat_get(&t, "PkgWatt") - 2.91) < 1e-9);
	assert_true(fabs(jmeter_tstat_get(&t, "CPU%c6") - 85.11) < 1e-9);
	assert_true(fabs(jmeter_tstat_get(&t, "Bzy_MHz") - 1402) < 1e-9);
	assert_true(isnan(jmeter_tstat_get(&t, "GFXWatt")));

	feed(&t, "turbostat-amd-headers.txt", &bad);
	assert_int_equal(bad, 0);
	assert_int_equal(t.rows, 3);
	assert_true(fabs(jmeter_tstat_get(&t, "PkgWatt") - 18.40) < 1e-9);
	assert_true(isnan(jmeter_tstat_get(&t, "CorWatt")));

	feed(&t, "turbostat-bad-width.txt", &bad);
	assert_int_equal(bad, 1);
	memset(&t, 0, sizeof(t));
	assert_int_equal(jmeter_tstat_line(&t, "1.0\t2.0\n"), -EINVAL); /* no header yet */
}

/*
 * The fake turbostat exits after its last row only once this file exists:
 * jmeter_open() reads at once, and on a loaded host it could otherwise find
 * the fake gone and fail ("turbostat ended"). Tests that want it to end
 * create the file.
 */
static char go_ahead[64];

/* The go-ahead file's path, this process's own (two builds may test at once). */
static const char *turbostat_go_ahead(void)
{
	if (!go_ahead[0])
		snprintf(go_ahead, sizeof(go_ahead), "/tmp/test_jmeter-%d-may-end", (int)getpid());
	return go_ahead;
}

/* The next fake turbostat waits at its end until the go-ahead file exists. */
static void hold_turbostat_end(void)
{
	unlink(turbostat_go_ahead());
	setenv("TURBOSTAT_END_AFTER", turbostat_go_ahead(), 1);
}

static struct jmeter *fake_turbostat(const char *fixture, int *ret)
{
	char script[512], data[512];
	struct jmeter_opts o = {.only = JMETER_TURBOSTAT, .turbostat_interval = 0.05};
	struct jmeter *m = NULL;

	snprintf(script, sizeof(script), "%s/fake-turbostat.sh", METERS_DIR);
	snprintf(data, sizeof(data), "%s/%s", METERS_DIR, fixture);
	setenv("TURBOSTAT_FIXTURE", data, 1);
	hold_turbostat_end();
	o.turbostat = script;
	*ret = jmeter_open(&m, &o, err, sizeof(err));
	return m;
}

static void test_turbostat_child(void **state)
{
	struct jmeter *m;
	double j = 0;
	int ret;

	(void)state;
	m = fake_turbostat("turbostat-summary.txt", &ret);
	if (ret)
		fail_msg("jmeter_open: %s", err);
	/* a guard against a hang, not a time limit on the result: rows are counted */
	for (int i = 0; i < 600 && jmeter_turbostat_rows(m) < 4; i++) {
		if (jmeter_read(m, &j, err, sizeof(err)))
			fail_msg("jmeter_read: %s", err);
		usleep(10000);
	}
	assert_int_equal(jmeter_turbostat_rows(m), 4);
	/* the first row is from before the start; the others are 0.05 s each */
	assert_true(fabs(jmeter_channel_joules(m, 0) - (14.27 + 14.05 + 2.91) * 0.05) < 1e-9);
	assert_true(fabs(jmeter_channel_joules(m, 1) - (9.86 + 9.63 + 0.88) * 0.05) < 1e-9);
	assert_true(fabs(jmeter_turbostat_last(m, "Busy%") - 4.15) < 1e-9);
	jmeter_close(m);

	m = fake_turbostat("turbostat-no-pkgwatt.txt", &ret);
	assert_int_not_equal(ret, 0);
	assert_null(m);
	assert_non_null(strstr(err, "turbostat: no PkgWatt column"));
}

/*
 * turbostat gone (its output closed, exit status 0): the energy since is
 * measured by nothing, so this read and every later one fail, where they
 * gave the total as it was when it stopped.
 */
static void test_turbostat_end_is_an_error(void **state)
{
	struct jmeter *m;
	double j = 0;
	int ret = 0;

	(void)state;
	m = fake_turbostat("turbostat-summary.txt", &ret);
	if (ret)
		fail_msg("jmeter_open: %s", err);
	close(open(turbostat_go_ahead(), O_CREAT | O_WRONLY, 0644));
	for (int i = 0; i < 600 && !ret; i++) {
		usleep(10000);
		ret = jmeter_read(m, &j, err, sizeof(err));
	}
	assert_int_equal(ret, -EIO);
	assert_string_equal(err, "turbostat ended after 4 rows");
	err[0] = '\0';
	assert_int_equal(jmeter_read(m, &j, err, sizeof(err)), -EIO);
	assert_string_equal(err, "turbostat ended after 4 rows");
	/* what it measured is still there */
	assert_true(fabs(jmeter_channel_joules(m, 0) - (14.27 + 14.05 + 2.91) * 0.05) < 1e-9);
	jmeter_close(m);
	unlink(turbostat_go_ahead());
}

/* With stdin closed, the pipe's read end is fd 0: closed with the meter too. */
static void test_turbostat_pipe_on_fd_0(void **state)
{
	int saved = dup(STDIN_FILENO), ret;
	struct jmeter *m;

	(void)state;
	assert_true(saved > STDIN_FILENO);
	assert_int_equal(close(STDIN_FILENO), 0);
	m = fake_turbostat("turbostat-summary.txt", &ret);
	if (ret)
		fail_msg("jmeter_open: %s", err);
	assert_int_not_equal(fcntl(STDIN_FILENO, F_GETFD), -1); /* the pipe */
	jmeter_close(m);
	errno = 0;
	ret = fcntl(STDIN_FILENO, F_GETFD);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	assert_int_equal(ret, -1);
	assert_int_equal(errno, EBADF);
}

/* turbostat found in PATH, even when no copy of PATH can be made. */
static void test_turbostat_in_path(void **state)
{
	char dir[] = "/tmp/test_jmeter-path.XXXXXX", link[512], path[1024], data[512];
	struct jmeter_opts o = {.only = JMETER_TURBOSTAT, .turbostat_interval = 0.05};
	const char *old = getenv("PATH");
	char *saved = old ? __real_strdup(old) : NULL;
	struct jmeter *m = NULL;
	int ret;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/turbostat", dir);
	snprintf(path, sizeof(path), "%s/fake-turbostat.sh", METERS_DIR);
	assert_int_equal(symlink(path, link), 0);
	snprintf(data, sizeof(data), "%s/turbostat-summary.txt", METERS_DIR);
	setenv("TURBOSTAT_FIXTURE", data, 1);
	hold_turbostat_end();
	/* an empty entry, then the fake; the shell's sleep from the rest */
	snprintf(path, sizeof(path), "::%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);
	strdup_fails = true;
	ret = jmeter_open(&m, &o, err, sizeof(err));
	strdup_fails = false;
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	unlink(link);
	rmdir(dir);
	if (ret)
		fail_msg("jmeter_open: %s", err);
	assert_non_null(strstr(jmeter_describe(m), "turbostat (turbostat, PkgWatt"));
	jmeter_close(m);
}

/* A pipe that cannot be made says so, where err was left empty. */
static void test_turbostat_no_pipe(void **state)
{
	struct jmeter_opts o = {.only = JMETER_TURBOSTAT, .turbostat = "/bin/true"};
	struct rlimit old, low;
	struct jmeter *m = NULL;
	int fds[64], n = 0, ret;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (n < 64 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	err[0] = '\0';
	ret = jmeter_open(&m, &o, err, sizeof(err));
	while (n)
		close(fds[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_not_equal(ret, 0);
	assert_null(m);
	assert_string_equal(err, "turbostat: pipe: Too many open files");
}

/* A RAPL zone under tmp: its name, range and counter. */
static void rapl_zone(const char *zone, const char *name, unsigned long long uj)
{
	char path[512], rel[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s" PCAP "%s", tmp, zone);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s" PCAP "%s/name", tmp, zone);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", name);
	assert_int_equal(fclose(f), 0);
	snprintf(rel, sizeof(rel), PCAP "%s/max_energy_range_uj", zone);
	set_value(rel, RANGE_INTEL);
	snprintf(rel, sizeof(rel), PCAP "%s/energy_uj", zone);
	set_value(rel, uj);
}

/* Top-level zone intel-rapl:N, named package-N, as a machine's Nth package has. */
static void rapl_package(int n)
{
	char zone[32], name[32];

	snprintf(zone, sizeof(zone), "intel-rapl:%d", n);
	snprintf(name, sizeof(name), "package-%d", n);
	rapl_zone(zone, name, 1000);
}

/* An empty sys/class/powercap under a new tmp. */
static void powercap_tree(void)
{
	char cmd[512];

	snprintf(tmp, sizeof(tmp), "/tmp/test_jmeter.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s" PCAP "'", tmp);
	assert_int_equal(system(cmd), 0);
}

/*
 * Zones in number order: by text, intel-rapl:10 came between intel-rapl:1
 * and intel-rapl:1:0, which was then named package-10/core.
 */
static void test_rapl_zones_by_number(void **state)
{
	struct jmeter *m;

	(void)state;
	powercap_tree();
	for (int i = 0; i <= 10; i++)
		rapl_package(i);
	rapl_zone("intel-rapl:1:0", "core", 1000);
	rapl_zone("intel-rapl:10:0", "core", 1000);
	m = open_tree(tmp, JMETER_RAPL);
	assert_int_equal(jmeter_nr_channels(m), 13);
	assert_string_equal(jmeter_channel_name(m, 2), "package-1/core");
	assert_string_equal(jmeter_channel_name(m, 12), "package-10/core");
	assert_string_equal(jmeter_channel_name(m, 11), "package-10");
	jmeter_close(m);
	drop_tree();
}

/*
 * 8 packages with two subzones each, 24 zones for 16 channels: every
 * package is read (the total is theirs), the subzones that do not fit are
 * left out and the description says so.
 */
static void test_rapl_subzones_left_out(void **state)
{
	char zone[32], name[32];
	struct jmeter *m;

	(void)state;
	powercap_tree();
	for (int i = 0; i < 8; i++) {
		rapl_package(i);
		snprintf(zone, sizeof(zone), "intel-rapl:%d:0", i);
		rapl_zone(zone, "core", 1000);
		snprintf(zone, sizeof(zone), "intel-rapl:%d:1", i);
		rapl_zone(zone, "dram", 1000);
	}
	m = open_tree(tmp, JMETER_RAPL);
	assert_int_equal(jmeter_nr_channels(m), 16);
	/* packages 0-3 with their subzones (12), then 4-7 alone */
	assert_string_equal(jmeter_channel_name(m, 11), "package-3/dram");
	for (int i = 12; i < 16; i++) {
		snprintf(name, sizeof(name), "package-%d", i - 8);
		assert_string_equal(jmeter_channel_name(m, i), name);
	}
	assert_non_null(strstr(jmeter_describe(m), "; 8 subzones not read)"));
	jmeter_close(m);
	drop_tree();
}

/* More packages than channels: refused, not a total without the last packages. */
static void test_rapl_too_many_zones(void **state)
{
	struct jmeter_opts o = {.only = JMETER_RAPL};
	struct jmeter *m = NULL;

	(void)state;
	powercap_tree();
	for (int i = 0; i < 17; i++)
		rapl_package(i);
	o.root = tmp;
	assert_int_not_equal(jmeter_open(&m, &o, err, sizeof(err)), 0);
	assert_null(m);
	assert_non_null(strstr(err, "/sys/class/powercap: more than 16 top-level RAPL zones"));
	drop_tree();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_delta),
		cmocka_unit_test(test_rapl_intel),
		cmocka_unit_test(test_rapl_amd),
		cmocka_unit_test(test_no_source),
		cmocka_unit_test(test_perf_event),
		cmocka_unit_test(test_battery_energy),
		cmocka_unit_test(test_battery_names),
		cmocka_unit_test(test_battery_charge),
		cmocka_unit_test(test_battery_charging),
		cmocka_unit_test(test_battery_charge_voltage_sag),
		cmocka_unit_test(test_two_batteries),
		cmocka_unit_test(test_turbostat_text),
		cmocka_unit_test(test_turbostat_child),
		cmocka_unit_test(test_turbostat_end_is_an_error),
		cmocka_unit_test(test_turbostat_pipe_on_fd_0),
		cmocka_unit_test(test_turbostat_in_path),
		cmocka_unit_test(test_turbostat_no_pipe),
		cmocka_unit_test(test_rapl_zones_by_number),
		cmocka_unit_test(test_rapl_subzones_left_out),
		cmocka_unit_test(test_rapl_too_many_zones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
