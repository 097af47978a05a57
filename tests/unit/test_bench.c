// SPDX-License-Identifier: GPL-2.0-only
/*
 * joule-bench's pieces: percentiles, the median's order-statistic interval
 * (checked against binomial tables), and the machine-state checks on
 * recorded trees (tests/fixtures/meters/state-*) changed between reads.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "machine_state.h"
#include "summary.h"
#include "workloads.h"

static char tmp[256];

static const char *tree(const char *name)
{
	char cmd[1024];

	snprintf(tmp, sizeof(tmp), "/tmp/test_bench.XXXXXX");
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

static void set_value(const char *rel, int v)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", v);
	assert_int_equal(fclose(f), 0);
}

static void test_percentile(void **state)
{
	double v[] = {5, 1, 4, 2, 3};

	(void)state;
	assert_true(wl_percentile(v, 5, 50) == 3);
	assert_true(wl_percentile(v, 5, 0) == 1 && wl_percentile(v, 5, 100) == 5);
	assert_true(fabs(wl_percentile(v, 5, 90) - 4.6) < 1e-12);
	assert_true(isnan(wl_percentile(v, 0, 50)));
}

/*
 * Ranks of the 95% interval for the median (k-th smallest to k-th largest)
 * from binomial(n, 1/2) tables: n=6 k=1 (96.9%), n=10 k=2 (97.9%), n=20 k=6
 * (95.9%); n=5 reaches only 93.8% with min to max.
 */
static void test_median_ci(void **state)
{
	static const struct {
		int n, k;
		double coverage;
	} table[] = {{5, 1, 0.9375}, {6, 1, 0.96875}, {10, 2, 0.978516}, {20, 6, 0.958611}};
	struct median_ci c;
	double v[32];

	(void)state;
	for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
		int n = table[t].n;

		for (int i = 0; i < n; i++)
			v[i] = n - i; /* descending: median_ci sorts */
		median_ci(v, n, 0.95, &c);
		assert_true(c.median == (n + 1) / 2.0);
		assert_true(c.lo == table[t].k);
		assert_true(c.hi == n + 1 - table[t].k);
		assert_true(fabs(c.coverage - table[t].coverage) < 1e-5);
	}
	median_ci(v, 1, 0.95, &c);
	assert_true(c.lo == c.hi && c.coverage == 0);
}

static void test_state_unchanged(void **state)
{
	struct machine_state a, b;
	char why[256], desc[256];

	(void)state;
	machine_state_read(tree("state-laptop"), &a);
	assert_int_equal(a.ac_online, 1);
	assert_int_equal(a.throttle_events, 8);
	assert_int_equal(a.no_turbo, 0);
	assert_int_equal(a.boost, -1);
	machine_state_read(tmp, &b);
	assert_int_equal(machine_state_diff(&a, &b, why, sizeof(why)), 0);
	machine_state_describe(&a, desc, sizeof(desc));
	assert_string_equal(desc, "AC online, turbo on, thermal throttle count 8");
	drop_tree();
}

static void test_state_changes(void **state)
{
	struct machine_state a, b;
	char why[256];

	(void)state;
	machine_state_read(tree("state-laptop"), &a);
	set_value("/sys/class/power_supply/AC/online", 0);
	set_value("/sys/devices/system/cpu/cpu1/thermal_throttle/package_throttle_count", 4);
	set_value("/sys/devices/system/cpu/intel_pstate/no_turbo", 1);
	machine_state_read(tmp, &b);
	assert_int_equal(machine_state_diff(&a, &b, why, sizeof(why)), 1);
	assert_string_equal(why, "AC power online 1 -> 0; thermal throttling: throttle counts 8 -> "
				 "11; intel_pstate/no_turbo 0 -> 1");
	drop_tree();

	machine_state_read(tree("state-amd"), &a);
	assert_int_equal(a.ac_online, -1);
	assert_int_equal(a.throttle_events, -1);
	set_value("/sys/devices/system/cpu/cpufreq/boost", 0);
	machine_state_read(tmp, &b);
	assert_int_equal(machine_state_diff(&a, &b, why, sizeof(why)), 1);
	assert_string_equal(why, "cpufreq/boost 1 -> 0");
	drop_tree();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_median_ci),
		cmocka_unit_test(test_state_unchanged),
		cmocka_unit_test(test_state_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
