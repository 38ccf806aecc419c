// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for compare: medians, Mann-Whitney U (exact for small samples
 * without ties, normal approximation with tie and continuity correction
 * otherwise), Welch's t-test, a seeded bootstrap CI for the relative change
 * of medians, and the minimum detectable effect.
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bisect.h"
#include "util.h"

#define BOOTSTRAP 2000

double median_of(const double *v, size_t n)
{
	double *c, m;

	if (!n)
		return NAN;
	c = xmalloc(n * sizeof(double));
	memcpy(c, v, n * sizeof(double));
	gsl_sort(c, 1, n);
	m = gsl_stats_median_from_sorted_data(c, 1, n);
	free(c);
	return m;
}

struct ranked {
	double v;
	int group;
};

static int cmp_ranked(const void *x, const void *y)
{
	double a = ((const struct ranked *)x)->v, b = ((const struct ranked *)y)->v;

	return (a > b) - (a < b);
}

/* Number of arrangements with U <= u, for sizes m, n (no ties). */
static double exact_cdf(size_t m, size_t n, double u)
{
	size_t umax = m * n;
	/* f[j][k]: arrangements of i a's and j b's with U = k, rolled over i */
	double *f = xcalloc((n + 1) * (umax + 1), sizeof(double));
	double *g = xcalloc((n + 1) * (umax + 1), sizeof(double));
	double below = 0, total = 0;

#define F(a, j, k) (a)[(j) * (umax + 1) + (k)]
	for (size_t j = 0; j <= n; j++)
		F(f, j, 0) = 1; /* i = 0: only U = 0 */
	for (size_t i = 1; i <= m; i++) {
		memset(g, 0, (n + 1) * (umax + 1) * sizeof(double));
		for (size_t j = 0; j <= n; j++)
			for (size_t k = 0; k <= i * j; k++) {
				/* last element an a (ranks above j b's: +j) or a b */
				double v = (k >= j ? F(f, j, k - j) : 0) + (j ? F(g, j - 1, k) : 0);

				F(g, j, k) = v;
			}
		memcpy(f, g, (n + 1) * (umax + 1) * sizeof(double));
	}
	for (size_t k = 0; k <= umax; k++) {
		total += F(f, n, k);
		if (k <= u)
			below += F(f, n, k);
	}
#undef F
	free(f);
	free(g);
	return below / total;
}

double mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		    bool *exact)
{
	size_t n = na + nb, i = 0;
	struct ranked *r = xmalloc(n * sizeof(*r));
	double ra = 0, u, mu, tie = 0, sigma, z;
	bool ties = false;

	for (size_t k = 0; k < na; k++)
		r[k] = (struct ranked){ a[k], 0 };
	for (size_t k = 0; k < nb; k++)
		r[na + k] = (struct ranked){ b[k], 1 };
	qsort(r, n, sizeof(*r), cmp_ranked);
	while (i < n) {
		size_t j = i;
		double rank;

		while (j + 1 < n && r[j + 1].v == r[i].v)
			j++;
		rank = (i + j) / 2.0 + 1;
		if (j > i) {
			double t = j - i + 1;

			ties = true;
			tie += t * t * t - t;
		}
		for (size_t k = i; k <= j; k++)
			if (!r[k].group)
				ra += rank;
		i = j + 1;
	}
	free(r);
	u = ra - na * (na + 1) / 2.0;
	*exact = !ties && na * nb <= 2500;
	if (*exact) {
		double lo = exact_cdf(na, nb, u), hi = 1 - exact_cdf(na, nb, u - 1);
		double p = 2 * (lo < hi ? lo : hi);

		return p > 1 ? 1 : p;
	}
	mu = na * nb / 2.0;
	sigma = sqrt(na * nb / 12.0 * ((n + 1) - tie / (n * (n - 1.0))));
	if (sigma == 0)
		return 1;
	z = (fabs(u - mu) - 0.5) / sigma;
	if (z < 0)
		z = 0;
	return 2 * gsl_cdf_ugaussian_Q(z);
}

int compare_samples(const double *a, size_t na, const double *b, size_t nb,
		    struct cmp_stats *s)
{
	gsl_rng *rng;
	double *boot, *ra, *rb, t, df;

	memset(s, 0, sizeof(*s));
	s->na = na;
	s->nb = nb;
	if (!na || !nb)
		return -1;
	s->med_a = median_of(a, na);
	s->med_b = median_of(b, nb);
	s->mean_a = gsl_stats_mean(a, 1, na);
	s->mean_b = gsl_stats_mean(b, 1, nb);
	s->sd_a = na > 1 ? gsl_stats_sd(a, 1, na) : 0;
	s->sd_b = nb > 1 ? gsl_stats_sd(b, 1, nb) : 0;
	s->change = (s->med_b - s->med_a) / s->med_a;
	s->p = mann_whitney(a, na, b, nb, &s->exact);
	if (welch(a, na, b, nb, &t, &df, &s->p_welch))
		s->p_welch = NAN;
	if (na > 1 && nb > 1)
		s->mde = (1.959964 + 0.841621) *
			 sqrt(s->sd_a * s->sd_a / na + s->sd_b * s->sd_b / nb) / s->mean_a;
	/* Bootstrap with a fixed seed: the same samples give the same CI. */
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 20241117);
	boot = xmalloc(BOOTSTRAP * sizeof(double));
	ra = xmalloc(na * sizeof(double));
	rb = xmalloc(nb * sizeof(double));
	for (int k = 0; k < BOOTSTRAP; k++) {
		for (size_t i = 0; i < na; i++)
			ra[i] = a[gsl_rng_uniform_int(rng, na)];
		for (size_t i = 0; i < nb; i++)
			rb[i] = b[gsl_rng_uniform_int(rng, nb)];
		/* gsl_stats_median selects in place, O(n): the copies are scratch */
		double ma = gsl_stats_median(ra, 1, na);

		boot[k] = (gsl_stats_median(rb, 1, nb) - ma) / ma;
	}
	gsl_sort(boot, 1, BOOTSTRAP);
	s->ci_lo = gsl_stats_quantile_from_sorted_data(boot, 1, BOOTSTRAP, 0.025);
	s->ci_hi = gsl_stats_quantile_from_sorted_data(boot, 1, BOOTSTRAP, 0.975);
	free(boot);
	free(ra);
	free(rb);
	gsl_rng_free(rng);
	return 0;
}
