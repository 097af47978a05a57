// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the model library: which OPPs the policy tables keep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tables.h"

/* More efficient OPPs than the tables hold: 16 spread ones, both ends kept. */
static void test_keep_spreads_and_keeps_top(void **state)
{
	bool inefficient[20] = {false};
	uint32_t idx[JP_MAX_OPPS], n, i;

	(void)state;
	n = model_keep_opps(inefficient, 20, idx);
	assert_int_equal(n, JP_MAX_OPPS);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[n - 1], 19);
	for (i = 1; i < n; i++)
		assert_true(idx[i] > idx[i - 1]);
}

/* Inefficient OPPs are never kept; few enough efficient ones are all kept. */
static void test_keep_skips_inefficient(void **state)
{
	bool inefficient[5] = {true, true, false, false, false};
	uint32_t idx[JP_MAX_OPPS];

	(void)state;
	assert_int_equal(model_keep_opps(inefficient, 5, idx), 3);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 3);
	assert_int_equal(idx[2], 4);
}

/* The kernel's rule: an OPP costing as much per unit of work as a faster one. */
static void test_mark_inefficient(void **state)
{
	/* the first two cost the same per capacity (same voltage), the rest more */
	const double mw[4] = {40, 60, 100, 200};
	const uint32_t mhz[4] = {200, 300, 400, 500};
	bool inefficient[4];

	(void)state;
	model_mark_inefficient(mw, mhz, 4, inefficient);
	assert_true(inefficient[0]);
	assert_false(inefficient[1]);
	assert_false(inefficient[2]);
	assert_false(inefficient[3]);
}

/* The .soc path uses the same rule: RK3399's 408 MHz (at 600 MHz's 800 mV) goes. */
static void test_soc_tables_use_the_rule(void **state)
{
	static const char soc_text[] =
		"soc t\n"
		"pd little kind=little cpus=0 ipc=485 dpc=100 dvfs=1ms wfi_mw=5 wfi_exit=1us "
		"sleep_mw=1 sleep_exit=1us sleep_min=1ms\n"
		"opp little mhz=408 mv=800\n"
		"opp little mhz=600 mv=800\n"
		"opp little mhz=816 mv=850\n";
	static struct sim_soc soc;
	struct jp_tables t;
	char err[256];
	FILE *f = fmemopen((void *)soc_text, strlen(soc_text), "r");

	(void)state;
	assert_int_equal(sim_soc_parse(f, "t.soc", &soc, err, sizeof(err)), 0);
	fclose(f);
	sim_soc_to_tables(&soc, &t);
	assert_int_equal(t.pd[0].nr_opps, 2);
	assert_int_equal(t.pd[0].opps[0].capacity, soc.pd[0].opps[1].capacity);
	assert_int_equal(t.pd[0].opps[1].capacity, 1024);
	/* what the rule keeps costs more as it runs faster: placement may pass over PDs */
	assert_true(t.costs_rise);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_spreads_and_keeps_top),
		cmocka_unit_test(test_keep_skips_inefficient),
		cmocka_unit_test(test_mark_inefficient),
		cmocka_unit_test(test_soc_tables_use_the_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
