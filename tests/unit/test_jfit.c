// SPDX-License-Identifier: GPL-2.0-only
/*
 * The least-squares solvers and the energy-model calibration. The
 * calibration tests make runs from a known model (seeded PRNG, noise on the
 * measured energy), fit 60 of them and check the recovered coefficients and
 * the prediction error on 30 held out.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jfit.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: a fixed sequence, the same on every machine */
static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}

static double gaussian(void)
{
	double u = uniform(), v = uniform();

	return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

static void test_lstsq_exact(void **state)
{
	/* b = A (2, -1, 0.5) exactly, overdetermined */
	const double a[] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 2, -1, 3};
	double b[5], x[3];

	(void)state;
	for (int i = 0; i < 5; i++)
		b[i] = 2 * a[i * 3] - a[i * 3 + 1] + 0.5 * a[i * 3 + 2];
	assert_int_equal(jfit_lstsq(a, b, 5, 3, x), 0);
	assert_true(fabs(x[0] - 2) < 1e-12 && fabs(x[1] + 1) < 1e-12 && fabs(x[2] - 0.5) < 1e-12);
}

static void test_lstsq_rank_deficient(void **state)
{
	const double a[] = {1, 2, 2, 4, 3, 6}; /* second column = 2 x first */
	const double b[] = {1, 2, 3};
	double x[2];

	(void)state;
	assert_int_equal(jfit_lstsq(a, b, 3, 2, x), -EDOM);
}

static void test_nnls_clamps(void **state)
{
	/*
	 * Unconstrained, b = A (1, -1): NNLS must set x1 = 0 and give the best
	 * x0 >= 0 alone, sum(a0 b) / sum(a0^2), with a non-positive gradient on x1.
	 */
	const double a[] = {1, 1, 2, 1, 3, 2, 4, 3};
	double b[4], x[2], x_ls[2], num = 0, den = 0, grad1 = 0;

	(void)state;
	for (int i = 0; i < 4; i++)
		b[i] = a[i * 2] - a[i * 2 + 1];
	assert_int_equal(jfit_lstsq(a, b, 4, 2, x_ls), 0);
	assert_true(x_ls[1] < 0);
	assert_int_equal(jfit_nnls(a, b, 4, 2, x), 0);
	assert_true(x[1] == 0);
	for (int i = 0; i < 4; i++) {
		num += a[i * 2] * b[i];
		den += a[i * 2] * a[i * 2];
	}
	assert_true(fabs(x[0] - num / den) < 1e-12);
	for (int i = 0; i < 4; i++)
		grad1 += a[i * 2 + 1] * (b[i] - a[i * 2] * x[0]);
	assert_true(grad1 <= 1e-12);
}

static void test_nnls_interior(void **state)
{
	/* a positive solution is the least-squares one */
	const double a[] = {1, 0, 0, 1, 1, 1, 1, 2};
	double b[4], x[2];

	(void)state;
	for (int i = 0; i < 4; i++)
		b[i] = 3 * a[i * 2] + 0.25 * a[i * 2 + 1];
	assert_int_equal(jfit_nnls(a, b, 4, 2, x), 0);
	assert_true(fabs(x[0] - 3) < 1e-12 && fabs(x[1] - 0.25) < 1e-12);
}

/* 4 little CPUs with 4 OPPs, 2 big ones with 5 */
static void shape(struct jpower_model *m)
{
	memset(m, 0, sizeof(*m));
	m->nr_pds = 2;
	snprintf(m->pd[0].name, sizeof(m->pd[0].name), "little");
	snprintf(m->pd[1].name, sizeof(m->pd[1].name), "big");
	for (int c = 0; c < 6; c++)
		jtopo_cpuset_set(&m->pd[c >= 4].cpus, c);
	m->pd[0].nr_opps = 4;
	for (int i = 0; i < 4; i++)
		m->pd[0].opp[i].khz = 800000 + 400000 * i;
	m->pd[1].nr_opps = 5;
	for (int i = 0; i < 5; i++)
		m->pd[1].opp[i].khz = 1000000 + 500000 * i;
}

static const struct jfit_result truth = {
	.nr_pds = 2,
	.base_w = 2.0,
	.k = {0.35, 1.6},
	.active_w = {0.05, 0.30},
};

/*
 * A run as a calibration schedule makes them: one domain loaded (its CPUs at
 * a random utilization, at its lowest or highest OPP), the others idle; every
 * third run idle. The measured energy gets relative noise of the given size.
 * Runs that spread load over all OPPs of every domain look alike and cannot
 * tell dynamic from static power (an earlier version of this test did that
 * and missed the big domain's static power by 58%).
 */
/*
 * The energy the truth's machine uses in run o, worked out here and not by
 * jfit_predict(): data made with the fit's own regressors would fit them
 * whatever they are (dropping V^2 from jfit_g passed). A busy CPU draws
 * k * f (GHz) * V^2 + active_w, V rising linearly from 0.70 V at the
 * machine's lowest frequency to 1.20 V at its highest (energy-model.md).
 */
static double truth_energy(const struct jpower_model *m, const struct jfit_obs *o)
{
	double lo = 1e12, hi = 0, e = truth.base_w * o->seconds;

	for (int d = 0; d < m->nr_pds; d++)
		for (int i = 0; i < m->pd[d].nr_opps; i++) {
			lo = fmin(lo, m->pd[d].opp[i].khz);
			hi = fmax(hi, m->pd[d].opp[i].khz);
		}
	for (int d = 0; d < m->nr_pds; d++)
		for (int i = 0; i < m->pd[d].nr_opps; i++) {
			double khz = m->pd[d].opp[i].khz;
			double v = 0.70 + 0.50 * (khz - lo) / (hi - lo);

			e += o->busy_s[d][i] * (truth.k[d] * khz / 1e6 * v * v + truth.active_w[d]);
		}
	return e;
}

static void synthetic_run(const struct jpower_model *m, struct jfit_obs *o, int i, double noise)
{
	int d = i % (m->nr_pds + 1), n, opp;

	memset(o, 0, sizeof(*o));
	o->seconds = 5 + 25 * uniform();
	if (d < m->nr_pds) {
		n = m->pd[d].nr_opps;
		opp = uniform() < 0.5 ? 0 : n - 1;
		o->busy_s[d][opp] =
			jtopo_cpuset_weight(&m->pd[d].cpus) * o->seconds * (0.1 + 0.9 * uniform());
	}
	o->energy_j = truth_energy(m, o) * (1 + noise * gaussian());
}

static double rel(double got, double want)
{
	return fabs(got - want) / want;
}

static double held_out_error(const struct jpower_model *m, const struct jfit_result *r,
			     const struct jpower_model *file, const struct jfit_obs *obs, int from,
			     int to)
{
	double sq = 0;

	for (int i = from; i < to; i++) {
		double e = r ? jfit_predict(m, r, &obs[i]) : jfit_model_energy(file, &obs[i]);

		sq += pow((e - obs[i].energy_j) / obs[i].energy_j, 2);
	}
	return sqrt(sq / (to - from));
}

struct recovery {
	double base, k[2], active[2]; /* relative errors */
	double fit_rms, held_out_rms, separation;
};

/* Fit n_train runs, hold out n_held, print recovered against true. */
static void recover(struct jpower_model *m, double noise, int n_train, int n_held,
		    struct recovery *out)
{
	static struct jfit_obs obs[1000];
	struct jfit_result r;
	char err[256];

	rng = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < n_train + n_held; i++)
		synthetic_run(m, &obs[i], i, noise);
	if (jfit_calibrate(m, obs, n_train, &r, err, sizeof(err)))
		fail_msg("jfit_calibrate: %s", err);
	out->base = rel(r.base_w, truth.base_w);
	printf("calibration: %.1f%% noise, %d runs fitted, %d held out\n", 100 * noise, n_train,
	       n_held);
	printf("calibration:   coefficient      true     recovered  error\n");
	printf("calibration:   base_w           %-8.4f %-10.4f %.2f%%\n", truth.base_w, r.base_w,
	       100 * out->base);
	for (int d = 0; d < 2; d++) {
		out->k[d] = rel(r.k[d], truth.k[d]);
		out->active[d] = rel(r.active_w[d], truth.active_w[d]);
		printf("calibration:   k[%s]%*s %-8.4f %-10.4f %.2f%%\n", m->pd[d].name,
		       (int)(12 - strlen(m->pd[d].name)), "", truth.k[d], r.k[d], 100 * out->k[d]);
		printf("calibration:   active_w[%s]%*s %-8.4f %-10.4f %.2f%%\n", m->pd[d].name,
		       (int)(6 - strlen(m->pd[d].name)), "", truth.active_w[d], r.active_w[d],
		       100 * out->active[d]);
	}
	out->fit_rms = r.rms_rel_err;
	out->held_out_rms = held_out_error(m, &r, NULL, obs, n_train, n_train + n_held);
	printf("calibration:   rms error %.2f%% fitted, %.2f%% held out; separation %.4f\n",
	       100 * out->fit_rms, 100 * out->held_out_rms, r.separation);
	out->separation = r.separation;
}

/*
 * 0.2% noise: the repeatability of a package energy counter over 5-30 s on
 * a quiet machine. Every coefficient within 5%.
 */
static void test_calibration_recovers_model(void **state)
{
	static struct jpower_model m;
	struct recovery e;

	(void)state;
	shape(&m);
	recover(&m, 0.002, 60, 30, &e);
	assert_true(e.base < 0.05);
	for (int d = 0; d < 2; d++) {
		assert_true(e.k[d] < 0.05);
		assert_true(e.active[d] < 0.05);
	}
	assert_true(e.fit_rms < 0.004 && e.held_out_rms < 0.004);
	assert_true(e.separation >= JFIT_MIN_SEPARATION);
}

/*
 * 1% noise (a machine with background activity): the package's base power
 * and the dynamic coefficients within 5%, predictions within the noise. The
 * static powers are printed, not asserted: with this sequence the big
 * domain's is 4.3% off, close to the bound, and with runs spread over all
 * OPPs it was far off (see synthetic_run()).
 */
static void test_calibration_noisy(void **state)
{
	static struct jpower_model m;
	struct recovery e;

	(void)state;
	shape(&m);
	recover(&m, 0.01, 60, 30, &e);
	assert_true(e.base < 0.05);
	for (int d = 0; d < 2; d++)
		assert_true(e.k[d] < 0.05);
	assert_true(e.fit_rms < 0.02 && e.held_out_rms < 0.02);
}

/*
 * Runs that all look alike (every CPU busy all the time at its top OPP, as on
 * a machine saturated by other work): the error is small, yet the runs cannot
 * separate the coefficients, and the separation says so.
 */
static void test_calibration_degenerate(void **state)
{
	static struct jpower_model m;
	static struct jfit_obs obs[40];
	struct jfit_result r;
	char err[256];

	(void)state;
	shape(&m);
	rng = 7;
	for (int i = 0; i < 40; i++) {
		memset(&obs[i], 0, sizeof(obs[i]));
		obs[i].seconds = 2 + uniform();
		for (int d = 0; d < 2; d++)
			obs[i].busy_s[d][m.pd[d].nr_opps - 1] =
				jtopo_cpuset_weight(&m.pd[d].cpus) * obs[i].seconds;
		obs[i].energy_j = truth_energy(&m, &obs[i]) * (1 + 0.002 * gaussian());
	}
	assert_int_equal(jfit_calibrate(&m, obs, 40, &r, err, sizeof(err)), 0);
	printf("calibration: saturated runs: rms error %.2f%%, separation %.2g\n",
	       100 * r.rms_rel_err, r.separation);
	assert_true(r.rms_rel_err < 0.004);
	assert_true(r.separation < JFIT_MIN_SEPARATION);
}

/* The model file made from a fit predicts what the coefficients predict. */
static void test_model_file_matches_fit(void **state)
{
	static struct jpower_model m, fitted;
	static struct jfit_obs obs[40];
	struct jfit_result r;
	char err[256];

	(void)state;
	shape(&m);
	rng = 42;
	for (int i = 0; i < 40; i++)
		synthetic_run(&m, &obs[i], i, 0.002);
	assert_int_equal(jfit_calibrate(&m, obs, 30, &r, err, sizeof(err)), 0);
	fitted = m;
	jfit_apply(&fitted, &r);
	assert_true(fabs(held_out_error(&m, NULL, &fitted, obs, 30, 40) -
			 held_out_error(&m, &r, NULL, obs, 30, 40)) < 1e-9);
	/*
	 * top OPP of big, 3.0 GHz at the machine's top 1.20 V (truth_energy()):
	 * k f V^2 + active + an even share of the base power over the 6 CPUs,
	 * worked out here and not with jfit_g(), the function under test. Runs
	 * at that OPP pin it down (0.02% off with 0.2% noise): within 1%, a
	 * file missing the active power (4%) or the base share (4.4%) fails.
	 */
	assert_int_equal(m.pd[1].opp[4].khz, 3000000); /* shape()'s, the machine's highest */
	assert_true(rel(fitted.pd[1].opp[4].power_mw,
			1000 * (truth.k[1] * 3.0 * 1.20 * 1.20 + truth.active_w[1] +
				truth.base_w / 6)) < 0.01);
	assert_true(rel(fitted.pd[0].idle_mw, 1000 * truth.base_w / 6) < 0.01);
}

static void test_calibration_needs_runs(void **state)
{
	static struct jpower_model m;
	static struct jfit_obs obs[3];
	struct jfit_result r;
	char err[256];

	(void)state;
	shape(&m);
	assert_int_equal(jfit_calibrate(&m, obs, 3, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "3 runs for 5 coefficients: need at least as many runs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lstsq_exact),
		cmocka_unit_test(test_lstsq_rank_deficient),
		cmocka_unit_test(test_nnls_clamps),
		cmocka_unit_test(test_nnls_interior),
		cmocka_unit_test(test_calibration_recovers_model),
		cmocka_unit_test(test_calibration_noisy),
		cmocka_unit_test(test_model_file_matches_fit),
		cmocka_unit_test(test_calibration_degenerate),
		cmocka_unit_test(test_calibration_needs_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
