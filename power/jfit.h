/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Calibrating the energy model from measured energy.
 *
 * Each run gives the energy a meter measured, its wall time and, per
 * performance domain and operating point, the CPU-seconds its CPUs were busy
 * there. The fit is
 *
 *     E = base_w * T + sum over domains d of
 *             k[d] * sum over OPPs f of busy(d, f) * g(f)  +  active_w[d] * busy(d)
 *     g(f) = f[GHz] * V(f)^2
 *
 * with V(f) the voltage line of the derived model (docs/energy-model.md):
 * k[d] is the domain's dynamic coefficient (W per GHz V^2 of one busy CPU),
 * active_w[d] the extra static power of one busy CPU over an idle one, and
 * base_w everything else the package draws whatever runs (idle CPUs,
 * uncore). Power cannot be negative, so the fit is non-negative least
 * squares. A package meter sees the idle CPUs of all domains only as a sum,
 * so idle power is one base_w, split evenly over the CPUs in the model file.
 */
#ifndef JFIT_H
#define JFIT_H

#include "jpower.h"

/*
 * Least squares for A x = b, A rows x cols, row-major, rows >= cols.
 * jfit_lstsq: Householder QR, -EDOM if A is rank deficient.
 * jfit_nnls: the same with x >= 0 (Lawson and Hanson's active-set method).
 */
int jfit_lstsq(const double *a, const double *b, int rows, int cols, double *x);
int jfit_nnls(const double *a, const double *b, int rows, int cols, double *x);

struct jfit_obs {
	double seconds;
	double energy_j;
	double busy_s[JPOWER_MAX_PDS][JPOWER_MAX_OPPS]; /* CPU-seconds, by OPP index */
};

struct jfit_result {
	int nr_pds;
	double base_w;
	double k[JPOWER_MAX_PDS];
	double active_w[JPOWER_MAX_PDS];
	double rms_rel_err; /* over the runs fitted, |E_fit - E| / E */
	/*
	 * min / max of |R_kk| in the QR of the scaled runs: how distinct the runs
	 * are. Below JFIT_MIN_SEPARATION some coefficient is nearly a combination
	 * of others and its value means little, however small the error.
	 */
	double separation;
};

#define JFIT_MIN_SEPARATION 0.01

/* g(f) of OPP i of domain d of shape (only frequencies are used). */
double jfit_g(const struct jpower_model *shape, int d, int i);

/* Fit the coefficients for shape's domains and OPPs from n runs (n >= parameters). */
int jfit_calibrate(const struct jpower_model *shape, const struct jfit_obs *obs, int n,
		   struct jfit_result *r, char *err, size_t errlen);
/* Energy the fitted coefficients predict for one run. */
double jfit_predict(const struct jpower_model *shape, const struct jfit_result *r,
		    const struct jfit_obs *o);
/*
 * The energy a model file's figures predict for one run, as scx_joule's stats
 * estimate it: busy CPU-seconds at each OPP's power, the rest at idle power.
 */
double jfit_model_energy(const struct jpower_model *em, const struct jfit_obs *o);
/* Put the fitted coefficients into em's OPP powers and idle powers. */
void jfit_apply(struct jpower_model *em, const struct jfit_result *r);

#endif
