// SPDX-License-Identifier: GPL-2.0-only
/*
 * Least squares (Householder QR), non-negative least squares (Lawson and
 * Hanson, "Solving Least Squares Problems", 1974, ch. 23) and the energy
 * model calibration of jfit.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfit.h"

/* The derived model's voltage line (docs/energy-model.md), reused here. */
#define V_LOW	       0.70
#define V_HIGH	       1.20
#define NNLS_MAX_ITERS 500
#define MAX_PARAMS     (1 + 2 * JPOWER_MAX_PDS)
#define RANK_TOLERANCE 1e-10

/*
 * Householder QR of a, applied to b, then back substitution. *ratio (if
 * given) gets min |R_kk| / max |R_kk|: near 0, some column is nearly a
 * combination of the others.
 */
static int qr_solve(const double *a, const double *b, int rows, int cols, double *x, double *ratio)
{
	double *q = malloc(sizeof(double) * (size_t)rows * (size_t)cols);
	double *y = malloc(sizeof(double) * (size_t)rows);
	double scale = 0;
	int ret = 0;

	if (!q || !y || rows < cols || cols < 1) {
		ret = q && y ? -EINVAL : -ENOMEM;
		goto out;
	}
	memcpy(q, a, sizeof(double) * (size_t)rows * (size_t)cols);
	memcpy(y, b, sizeof(double) * (size_t)rows);
	for (int i = 0; i < rows * cols; i++)
		scale = fmax(scale, fabs(q[i]));
	/* Householder reflections make q upper triangular; y follows along */
	for (int k = 0; k < cols && !ret; k++) {
		double norm = 0, vk, dot;

		for (int i = k; i < rows; i++)
			norm += q[i * cols + k] * q[i * cols + k];
		norm = sqrt(norm);
		if (norm <= RANK_TOLERANCE * scale) {
			ret = -EDOM;
			break;
		}
		if (q[k * cols + k] > 0)
			norm = -norm;
		/* v = column k below the diagonal, minus norm at the top */
		vk = q[k * cols + k] - norm;
		q[k * cols + k] = vk;
		for (int j = k + 1; j < cols; j++) {
			dot = 0;
			for (int i = k; i < rows; i++)
				dot += q[i * cols + k] * q[i * cols + j];
			dot /= -norm * vk; /* v.v / 2 = -norm * v_k */
			for (int i = k; i < rows; i++)
				q[i * cols + j] -= dot * q[i * cols + k];
		}
		dot = 0;
		for (int i = k; i < rows; i++)
			dot += q[i * cols + k] * y[i];
		dot /= -norm * vk;
		for (int i = k; i < rows; i++)
			y[i] -= dot * q[i * cols + k];
		q[k * cols + k] = norm; /* R's diagonal */
	}
	if (ratio && !ret) {
		double lo = INFINITY, hi = 0;

		for (int k = 0; k < cols; k++) {
			lo = fmin(lo, fabs(q[k * cols + k]));
			hi = fmax(hi, fabs(q[k * cols + k]));
		}
		*ratio = hi > 0 ? lo / hi : 0;
	}
	for (int k = cols - 1; k >= 0 && !ret; k--) {
		double s = y[k];

		for (int j = k + 1; j < cols; j++)
			s -= q[k * cols + j] * x[j];
		x[k] = s / q[k * cols + k];
	}
out:
	free(q);
	free(y);
	return ret;
}

int jfit_lstsq(const double *a, const double *b, int rows, int cols, double *x)
{
	return qr_solve(a, b, rows, cols, x, NULL);
}

/* Least squares on the columns in passive[] only; the others of z are 0. */
static int solve_passive(const double *a, const double *b, int rows, int cols, const bool *passive,
			 double *z)
{
	double *sub = malloc(sizeof(double) * (size_t)rows * (size_t)cols), zs[MAX_PARAMS];
	int idx[MAX_PARAMS], n = 0, ret;

	if (!sub)
		return -ENOMEM;
	for (int j = 0; j < cols; j++)
		if (passive[j])
			idx[n++] = j;
	for (int i = 0; i < rows; i++)
		for (int j = 0; j < n; j++)
			sub[i * n + j] = a[i * cols + idx[j]];
	ret = jfit_lstsq(sub, b, rows, n, zs);
	free(sub);
	memset(z, 0, sizeof(double) * (size_t)cols);
	for (int j = 0; !ret && j < n; j++)
		z[idx[j]] = zs[j];
	return ret;
}

/* w = A^T (b - A x): the descent direction of each coefficient. */
static void gradient(const double *a, const double *b, int rows, int cols, const double *x,
		     double *w)
{
	memset(w, 0, sizeof(double) * (size_t)cols);
	for (int i = 0; i < rows; i++) {
		double r = b[i];

		for (int j = 0; j < cols; j++)
			r -= a[i * cols + j] * x[j];
		for (int j = 0; j < cols; j++)
			w[j] += a[i * cols + j] * r;
	}
}

int jfit_nnls(const double *a, const double *b, int rows, int cols, double *x)
{
	bool passive[MAX_PARAMS] = {false};
	double w[MAX_PARAMS], z[MAX_PARAMS], wmax_tol = 0;
	int iters = 0, ret;

	if (cols > MAX_PARAMS || rows < cols)
		return -EINVAL;
	memset(x, 0, sizeof(double) * (size_t)cols);
	gradient(a, b, rows, cols, x, w);
	for (int j = 0; j < cols; j++)
		wmax_tol = fmax(wmax_tol, fabs(w[j]));
	wmax_tol *= 1e-12;
	for (;;) {
		int t = -1;

		for (int j = 0; j < cols; j++)
			if (!passive[j] && w[j] > wmax_tol && (t < 0 || w[j] > w[t]))
				t = j;
		if (t < 0)
			return 0; /* no coefficient can grow and lower the residual */
		passive[t] = true;
		for (;;) {
			double alpha = 1;
			bool feasible = true;

			if (++iters > NNLS_MAX_ITERS)
				return -ETIMEDOUT;
			ret = solve_passive(a, b, rows, cols, passive, z);
			if (ret)
				return ret;
			for (int j = 0; j < cols; j++)
				if (passive[j] && z[j] <= 0) {
					feasible = false;
					alpha = fmin(alpha, x[j] / (x[j] - z[j]));
				}
			if (feasible) {
				memcpy(x, z, sizeof(double) * (size_t)cols);
				break;
			}
			/* step towards z until a coefficient reaches 0; it leaves */
			for (int j = 0; j < cols; j++) {
				x[j] += alpha * (z[j] - x[j]);
				if (passive[j] && x[j] <= 1e-15) {
					passive[j] = false;
					x[j] = 0;
				}
			}
		}
		gradient(a, b, rows, cols, x, w);
	}
}

/* ---- calibration --------------------------------------------------------- */

static void freq_range(const struct jpower_model *m, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = 0;
	for (int d = 0; d < m->nr_pds; d++)
		for (int i = 0; i < m->pd[d].nr_opps; i++) {
			*lo = fmin(*lo, m->pd[d].opp[i].khz);
			*hi = fmax(*hi, m->pd[d].opp[i].khz);
		}
}

double jfit_g(const struct jpower_model *shape, int d, int i)
{
	double lo, hi, khz = shape->pd[d].opp[i].khz, v;

	freq_range(shape, &lo, &hi);
	v = V_LOW + (V_HIGH - V_LOW) * (hi > lo ? (khz - lo) / (hi - lo) : 1.0);
	return khz / 1e6 * v * v;
}

/* One run's regressors: [T, per domain: sum busy * g, busy]. */
static void regressors(const struct jpower_model *shape, const struct jfit_obs *o, double *row)
{
	row[0] = o->seconds;
	for (int d = 0; d < shape->nr_pds; d++) {
		double dyn = 0, busy = 0;

		for (int i = 0; i < shape->pd[d].nr_opps; i++) {
			dyn += o->busy_s[d][i] * jfit_g(shape, d, i);
			busy += o->busy_s[d][i];
		}
		row[1 + 2 * d] = dyn;
		row[2 + 2 * d] = busy;
	}
}

int jfit_calibrate(const struct jpower_model *shape, const struct jfit_obs *obs, int n,
		   struct jfit_result *r, char *err, size_t errlen)
{
	int cols = 1 + 2 * shape->nr_pds, ret;
	double *a = NULL, *b = NULL, norm[MAX_PARAMS] = {0}, x[MAX_PARAMS], sq = 0;

	memset(r, 0, sizeof(*r));
	r->separation = NAN;
	if (!shape->nr_pds || n < cols) {
		snprintf(err, errlen, "%d runs for %d coefficients: need at least as many runs", n,
			 cols);
		return -EINVAL;
	}
	a = calloc((size_t)n * (size_t)cols, sizeof(double));
	b = calloc((size_t)n, sizeof(double));
	if (!a || !b) {
		ret = -ENOMEM;
		goto out;
	}
	/*
	 * Rows are divided by the run's energy (relative errors count alike for
	 * short and long runs), columns by their norm (seconds and GHz V^2 s are
	 * of different sizes).
	 */
	for (int i = 0; i < n; i++) {
		regressors(shape, &obs[i], &a[i * cols]);
		for (int j = 0; j < cols; j++)
			a[i * cols + j] /= obs[i].energy_j;
		b[i] = 1.0;
	}
	for (int j = 0; j < cols; j++) {
		for (int i = 0; i < n; i++)
			norm[j] += a[i * cols + j] * a[i * cols + j];
		norm[j] = sqrt(norm[j]);
		for (int i = 0; i < n; i++)
			a[i * cols + j] /= norm[j] > 0 ? norm[j] : 1;
	}
	/* how well the runs separate the coefficients, whatever the constraints do */
	if (qr_solve(a, b, n, cols, x, &r->separation))
		r->separation = 0;
	ret = jfit_nnls(a, b, n, cols, x);
	if (ret) {
		snprintf(err, errlen,
			 "the fit failed (%s): the runs do not tell the coefficients "
			 "apart; vary load and frequency per domain",
			 ret == -EDOM ? "rank deficient" : strerror(-ret));
		goto out;
	}
	r->nr_pds = shape->nr_pds;
	r->base_w = norm[0] > 0 ? x[0] / norm[0] : 0;
	for (int d = 0; d < shape->nr_pds; d++) {
		r->k[d] = norm[1 + 2 * d] > 0 ? x[1 + 2 * d] / norm[1 + 2 * d] : 0;
		r->active_w[d] = norm[2 + 2 * d] > 0 ? x[2 + 2 * d] / norm[2 + 2 * d] : 0;
	}
	for (int i = 0; i < n; i++) {
		double e = (jfit_predict(shape, r, &obs[i]) - obs[i].energy_j) / obs[i].energy_j;

		sq += e * e;
	}
	r->rms_rel_err = sqrt(sq / n);
out:
	free(a);
	free(b);
	return ret;
}

double jfit_predict(const struct jpower_model *shape, const struct jfit_result *r,
		    const struct jfit_obs *o)
{
	double row[MAX_PARAMS], e;

	regressors(shape, o, row);
	e = r->base_w * row[0];
	for (int d = 0; d < shape->nr_pds; d++)
		e += r->k[d] * row[1 + 2 * d] + r->active_w[d] * row[2 + 2 * d];
	return e;
}

double jfit_model_energy(const struct jpower_model *em, const struct jfit_obs *o)
{
	double e = 0;

	for (int d = 0; d < em->nr_pds; d++) {
		const struct jpower_pd *pd = &em->pd[d];
		double busy = 0;

		for (int i = 0; i < pd->nr_opps; i++) {
			e += o->busy_s[d][i] * pd->opp[i].power_mw / 1000.0;
			busy += o->busy_s[d][i];
		}
		e += (jtopo_cpuset_weight(&pd->cpus) * o->seconds - busy) * pd->idle_mw / 1000.0;
	}
	return e;
}

void jfit_apply(struct jpower_model *em, const struct jfit_result *r)
{
	int cpus = 0;
	double share_w;

	for (int d = 0; d < em->nr_pds; d++)
		cpus += jtopo_cpuset_weight(&em->pd[d].cpus);
	/* each CPU carries an even share of base_w, busy or idle */
	share_w = cpus ? r->base_w / cpus : 0;
	for (int d = 0; d < em->nr_pds; d++) {
		struct jpower_pd *pd = &em->pd[d];
		double top = pd->nr_opps ? pd->opp[pd->nr_opps - 1].khz : 1;

		pd->idle_mw = share_w * 1000.0;
		for (int i = 0; i < pd->nr_opps; i++) {
			double w = r->k[d] * jfit_g(em, d, i) + r->active_w[d] + share_w;

			/* the file format needs mw > 0 */
			pd->opp[i].power_mw = fmax(w * 1000.0, 0.001);
			pd->opp[i].cost = pd->opp[i].power_mw * top / pd->opp[i].khz;
		}
	}
	em->source = JPOWER_EM_FILE;
	snprintf(em->origin, sizeof(em->origin),
		 "calibrated by joule-bench: base %.3f W, rms error %.1f%%", r->base_w,
		 100.0 * r->rms_rel_err);
}
