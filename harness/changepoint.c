// SPDX-License-Identifier: GPL-2.0
#include "changepoint.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * With P the 2-D prefix sum of the distance matrix D, the sum of D over
 * rows [a,b) and columns [c,d) is rect(a,b,c,d); within-segment sums of
 * |x_i - x_k| over i<k are half a square block.
 */
struct prefix {
	size_t n;
	double *p; /* (n+1) x (n+1) */
};

static double P(const struct prefix *pf, size_t i, size_t j)
{
	return pf->p[i * (pf->n + 1) + j];
}

static double rect(const struct prefix *pf, size_t a, size_t b, size_t c, size_t d)
{
	return P(pf, b, d) - P(pf, a, d) - P(pf, b, c) + P(pf, a, c);
}

static void build(struct prefix *pf, const double *x, size_t n)
{
	pf->n = n;
	pf->p = xcalloc((n + 1) * (n + 1), sizeof(double));
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			pf->p[(i + 1) * (n + 1) + j + 1] = fabs(x[i] - x[j]) + P(pf, i, j + 1) +
							   P(pf, i + 1, j) - P(pf, i, j);
}

/* Best split of [lo, hi) and its statistic. */
static double best_split(const struct prefix *pf, size_t lo, size_t hi,
			 size_t min_size, size_t *at)
{
	double best = -1;

	*at = 0;
	for (size_t t = lo + min_size; t + min_size <= hi; t++) {
		double m = t - lo, k = hi - t;
		double between = rect(pf, lo, t, t, hi) / (m * k);
		double wa = m > 1 ? rect(pf, lo, t, lo, t) / 2 / (m * (m - 1) / 2) : 0;
		double wb = k > 1 ? rect(pf, t, hi, t, hi) / 2 / (k * (k - 1) / 2) : 0;
		double q = m * k / (m + k) * (2 * between - wa - wb);

		if (q > best) {
			best = q;
			*at = t;
		}
	}
	return best;
}

static bool significant(const double *x, size_t lo, size_t hi, double stat,
			const struct cp_opts *o, gsl_rng *rng)
{
	size_t n = hi - lo, at, ge = 0;
	double *y = xmalloc(n * sizeof(double));

	memcpy(y, x + lo, n * sizeof(double));
	for (unsigned int p = 0; p < o->permutations; p++) {
		struct prefix pf;

		for (size_t i = n - 1; i > 0; i--) {
			size_t j = gsl_rng_uniform_int(rng, i + 1);
			double t = y[i];

			y[i] = y[j];
			y[j] = t;
		}
		build(&pf, y, n);
		if (best_split(&pf, 0, n, o->min_size, &at) >= stat)
			ge++;
		free(pf.p);
	}
	free(y);
	return (ge + 1.0) / (o->permutations + 1.0) < o->sig_level;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

size_t edivisive(const double *x, size_t n, const struct cp_opts *opts,
		 size_t *cps, size_t max_cps)
{
	struct cp_opts o = {
		.min_size = opts && opts->min_size ? opts->min_size : 5,
		.permutations = opts && opts->permutations ? opts->permutations : 199,
		.sig_level = opts && opts->sig_level > 0 ? opts->sig_level : 0.05,
		.seed = opts && opts->seed ? opts->seed : 1,
	};
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct prefix pf;
	size_t nc = 0;

	gsl_rng_set(rng, o.seed);
	build(&pf, x, n);
	/* hierarchical: split the segment with the strongest candidate first */
	while (nc < max_cps) {
		size_t bounds[66], nb = 0, best_at = 0, blo = 0, bhi = 0;
		double best = -1;

		bounds[nb++] = 0;
		for (size_t i = 0; i < nc && nb < 65; i++)
			bounds[nb++] = cps[i];
		bounds[nb++] = n;
		for (size_t s = 0; s + 1 < nb; s++) {
			size_t at, lo = bounds[s], hi = bounds[s + 1];
			double q;

			if (hi - lo < 2 * o.min_size)
				continue;
			/* statistics of sub-segments come from the full matrix */
			q = best_split(&pf, lo, hi, o.min_size, &at);
			if (q > best) {
				best = q;
				best_at = at;
				blo = lo;
				bhi = hi;
			}
		}
		if (best < 0 || !significant(x, blo, bhi, best, &o, rng))
			break;
		cps[nc++] = best_at;
		qsort(cps, nc, sizeof(size_t), cmp_size);
	}
	free(pf.p);
	gsl_rng_free(rng);
	return nc;
}
