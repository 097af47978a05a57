// SPDX-License-Identifier: GPL-2.0-only
/*
 * The frame chain's energy bounds (sim/chain_bound.c) against answers worked
 * out by hand on a two-OPP hull, and the chain found in a workload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "chain_bound.h"

/*
 * Two OPPs at the scale of the real models (ns and mJ per ns of work): a
 * fast one, 0.5 ns per unit at 2e-9 mJ, and a slow one, 1 ns at 1e-9.
 * Moving a unit from slow to fast saves 0.5 ns for 1e-9 mJ times the
 * chance the frame does that unit, so the best plan runs the least likely
 * units fast, as many as the budget needs.
 */
static const struct sim_oracle_pt hull[] = {{0.5, 2e-9}, {1.0, 1e-9}};

static void assert_close(double got, double want, double rel)
{
	if (got < want * (1 - rel) || got > want * (1 + rel))
		fail_msg("got %.9g, want %.9g (within %g)", got, want, rel);
}

/*
 * Main 4e6 ns, then render 3.5e6, each +- its jitter, within a budget; the
 * answers worked out by hand, each within a relative tolerance.
 */
struct chain_case {
	const char *what;
	double main_jitter, render_jitter, budget_ns;
	double clairvoyant_mj, clairvoyant_tol, online_mj, online_tol;
};

static const struct chain_case cases[] = {
	/*
	 * Known work: both bounds are the clairvoyant plan. W = 7.5e6 ns in
	 * a budget of 7.2e6: 2 * (W - B) = 0.6e6 units fast, energy
	 * (W + 0.6e6) * 1e-9.
	 */
	{"known work", 0, 0, 7.2e6, 8.1e-3, 1e-9, 8.1e-3, 1e-4},
	/*
	 * The render stage uniform in 3.5e6 +-25% ([2.625e6, 4.375e6]), budget
	 * 7.8e6. Online: the chain must fit at its largest, 8.375e6, so
	 * x = 2 * (8.375e6 - 7.8e6) = 1.15e6 units run fast, the last ones,
	 * which a frame reaches with a chance falling linearly to 0: energy
	 * 1e-9 * (7.5e6 + x^2 / (2 * 1.75e6)) = 7.877857e-3. Clairvoyant: each
	 * frame's own W, slow if W <= B, else 3W - 2B; over the uniform render
	 * work that averages 7.688929e-3 (the midpoint rule over 20 values of
	 * it comes within 0.1%).
	 */
	{"unknown render work", 0, 0.25, 7.8e6, 7.688929e-3, 1e-3, 7.877857e-3, 2e-3},
	/* Time to spare: everything at the slow OPP, known or not. */
	{"time to spare", 0.25, 0.25, 16e6, 7.5e-3, 1e-9, 7.5e-3, 2e-3},
};

static void test_bounds_match_hand_worked(void **state)
{
	uint32_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct chain_case *k = &cases[i];
		struct sim_chain c = {.first_ns = 4e6,
				      .first_jitter = k->main_jitter,
				      .next_ns = 3.5e6,
				      .next_jitter = k->render_jitter,
				      .budget_ns = k->budget_ns,
				      .period_ns = 16.667e6};
		struct sim_chain_bound b;

		sim_chain_bound(hull, 2, &c, 20, &b);
		print_message("%s: clairvoyant %.9g, online %.9g\n", k->what, b.clairvoyant_mj,
			      b.online_mj);
		assert_close(b.clairvoyant_mj, k->clairvoyant_mj, k->clairvoyant_tol);
		assert_close(b.online_mj, k->online_mj, k->online_tol);
		/* not knowing the work never costs less than knowing it */
		assert_true(b.online_mj >= b.clairvoyant_mj * (1 - 1e-4));
	}
}

static void test_chain_of_workload(void **state)
{
	static const char text[] =
		"workload g duration=2s\n"
		"task noise bursty work=1ms gap=30ms\n"
		"task main periodic period=16.667ms work=4ms deadline=16.667ms "
		"jitter=25% wakes=render\n"
		"task render triggered work=3.5ms deadline=16.667ms jitter=10%\n";
	static const char plain[] = "workload p duration=1s\n"
				    "task a periodic period=10ms work=1ms deadline=10ms\n";
	struct sim_chain c;
	struct wl wl;
	char err[256];
	FILE *f;

	(void)state;
	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_non_null(f);
	assert_int_equal(wl_parse(f, "g.wl", &wl, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(sim_chain_of(&wl, &c), 0);
	assert_close(c.first_ns, 4e6, 1e-12);
	assert_close(c.first_jitter, 0.25, 1e-12);
	assert_close(c.next_ns, 3.5e6, 1e-12);
	assert_close(c.next_jitter, 0.10, 1e-12);
	assert_close(c.budget_ns, 16.667e6, 1e-12);

	f = fmemopen((void *)plain, sizeof(plain) - 1, "r");
	assert_non_null(f);
	assert_int_equal(wl_parse(f, "p.wl", &wl, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(sim_chain_of(&wl, &c), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds_match_hand_worked),
		cmocka_unit_test(test_chain_of_workload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
