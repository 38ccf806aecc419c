// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for compare and bisect: summaries, Mann-Whitney U (exact for
 * small samples without ties, normal approximation with tie and
 * continuity correction otherwise), Welch's t-test, a seeded bootstrap CI
 * for the relative change of medians, and the minimum detectable effect
 * of whichever test decides.
 *
 * Why a choice of test: at 3 repetitions per side the exact Mann-Whitney
 * test cannot go below p = 0.1, so a +16% change measured with a CV of
 * 0.05% would be "no change" at alpha 0.05. Where the rank test cannot
 * reach alpha, Welch's t-test on log samples decides (log: the change is
 * relative, and run times are skewed to the right).
 */
#define _GNU_SOURCE
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BOOTSTRAP 2000
/* Up to this many samples a side, the bootstrap resamples (O(n) each). */
#define BOOT_EXACT_N 1000

bool sample_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

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

void summarize(const double *v, size_t n, struct zd_summary *s)
{
	s->n = n;
	if (!n) {
		s->median = s->mean = s->sd = s->cv = s->min = s->max = NAN;
		return;
	}
	s->median = median_of(v, n);
	s->mean = gsl_stats_mean(v, 1, n);
	s->sd = n > 1 ? gsl_stats_sd_m(v, 1, n, s->mean) : 0;
	s->cv = s->mean ? s->sd / fabs(s->mean) : NAN;
	gsl_stats_minmax(&s->min, &s->max, v, 1, n);
}

/* Relative difference two noiseless sides may show and still be one value (see welch). */
#define ZERO_SPREAD_RESOLUTION 2e-3

int welch(const double *a, size_t na, const double *b, size_t nb, double *t,
	  double *df, double *p)
{
	double ma, mb, va, vb, se2;

	if (na < 2 || nb < 2)
		return -1;
	ma = gsl_stats_mean(a, 1, na);
	mb = gsl_stats_mean(b, 1, nb);
	va = gsl_stats_variance_m(a, 1, na, ma) / na;
	vb = gsl_stats_variance_m(b, 1, nb, mb) / nb;
	se2 = va + vb;
	if (se2 <= 0) {
		/*
		 * Identical repetitions on each side (the icount clock, a
		 * whole-microsecond count): no noise to weigh the difference
		 * against. Two runs of one kernel under icount differ by up to
		 * ~0.1% (tests/e2e/test_jobs.c, test_lava.c measured 0.05-0.19%)
		 * and a count in whole units by one unit, so a difference inside
		 * ZERO_SPREAD_RESOLUTION is no change; beyond it, certain.
		 */
		bool same = fabs(mb - ma) <= ZERO_SPREAD_RESOLUTION * fmax(fabs(ma), fabs(mb));

		*t = same ? 0 : (mb > ma ? INFINITY : -INFINITY);
		*df = na + nb - 2;
		*p = same ? 1.0 : 0.0;
		return 0;
	}
	*t = (mb - ma) / sqrt(se2);
	*df = se2 * se2 / (va * va / (na - 1) + vb * vb / (nb - 1));
	*p = 2 * gsl_cdf_tdist_Q(fabs(*t), *df);
	return 0;
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

double mann_whitney_min_p(size_t na, size_t nb)
{
	/* 2 / C(na + nb, na), as a product that stays in range */
	double c = 1;

	for (size_t k = 1; k <= na; k++)
		c = c * (nb + k) / k;
	return 2 / c < 1 ? 2 / c : 1;
}

const char *cmp_test_name(enum cmp_test t)
{
	static const char *const n[] = {
		[CMP_NONE] = "none",
		[CMP_MWU_EXACT] = "Mann-Whitney U (exact)",
		[CMP_MWU_NORMAL] = "Mann-Whitney U (normal approximation)",
		[CMP_WELCH_LOG] = "Welch t-test (log samples)",
		[CMP_WELCH] = "Welch t-test",
	};

	return n[t];
}

bool cmp_significant(const struct cmp_stats *s)
{
	return s->test != CMP_NONE && s->p < s->alpha;
}

/* Repetitions per side at which the exact Mann-Whitney test reaches alpha. */
static size_t mwu_reps_for(double alpha)
{
	size_t n = 1;

	while (n < 1000 && mann_whitney_min_p(n, n) > alpha)
		n++;
	return n;
}

static bool all_positive(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(v[i] > 0))
			return false;
	return true;
}

static double *logs(const double *v, size_t n)
{
	double *l = xmalloc((n + 1) * sizeof(double));

	for (size_t i = 0; i < n; i++)
		l[i] = log(v[i]);
	return l;
}

/* Welch on a, b (logs when lg): p and the relative MDE at alpha, power .8. */
static int welch_decide(const double *a, size_t na, const double *b, size_t nb,
			bool lg, struct cmp_stats *s)
{
	double *la = lg ? logs(a, na) : NULL, *lb = lg ? logs(b, nb) : NULL;
	const double *x = lg ? la : a, *y = lg ? lb : b;
	double t, df, p, se, q;
	int ret = welch(x, na, y, nb, &t, &df, &p);

	if (!ret) {
		se = sqrt(gsl_stats_variance(x, 1, na) / na + gsl_stats_variance(y, 1, nb) / nb);
		q = se > 0 ? gsl_cdf_tdist_Qinv(s->alpha / 2, df) + gsl_cdf_tdist_Qinv(0.2, df) : 0;
		s->p = p;
		s->test = lg ? CMP_WELCH_LOG : CMP_WELCH;
		s->mde = lg ? expm1(q * se) : q * se / fabs(s->mean_a);
	}
	free(la);
	free(lb);
	return ret;
}

/*
 * One bootstrap replicate of the median of sorted x[0..n), without
 * resampling: the r-th smallest of n draws with replacement is <= x[j-1]
 * exactly when at least r of the draws are among the j smallest, so
 * P(X*_(r) <= x[j-1]) = P(Binomial(n, j/n) >= r) (Efron's exact bootstrap
 * distribution of an order statistic). A uniform draw inverted by binary
 * search over j costs O(log n) binomial tails, whatever n is. For even n
 * this is the lower of the two middle values: for the n past
 * BOOT_EXACT_N where it is used, the difference is below the resolution of
 * a 95% CI.
 */
static double boot_median(const double *x, size_t n, gsl_rng *rng)
{
	unsigned int r = (unsigned int)(n + 1) / 2;
	double u = gsl_rng_uniform(rng);
	size_t lo = 1, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		/* P(Bin(n, mid/n) >= r) = Q(r - 1) */
		double p = gsl_cdf_binomial_Q(r - 1, (double)mid / n, (unsigned int)n);

		if (p >= u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return x[lo - 1];
}

int compare_samples_at(const double *a, size_t na, const double *b, size_t nb,
		       double alpha, struct cmp_stats *s)
{
	gsl_rng *rng;
	double *boot, *ra, *rb, t, df;

	memset(s, 0, sizeof(*s));
	s->na = na;
	s->nb = nb;
	s->alpha = alpha;
	s->p = s->p_mw = s->p_welch = s->mde = NAN;
	if (!na || !nb || !sample_finite(a, na) || !sample_finite(b, nb))
		return -1;
	s->med_a = median_of(a, na);
	s->med_b = median_of(b, nb);
	s->mean_a = gsl_stats_mean(a, 1, na);
	s->mean_b = gsl_stats_mean(b, 1, nb);
	s->sd_a = na > 1 ? gsl_stats_sd(a, 1, na) : 0;
	s->sd_b = nb > 1 ? gsl_stats_sd(b, 1, nb) : 0;
	s->change = (s->med_b - s->med_a) / s->med_a;
	s->p_mw = mann_whitney(a, na, b, nb, &s->exact);
	if (welch(a, na, b, nb, &t, &df, &s->p_welch))
		s->p_welch = NAN;

	if (s->sd_a == 0 && s->sd_b == 0 && s->mean_a == s->mean_b) {
		s->test = CMP_NONE;
		s->undecided = "zero variance on both sides and equal values: no test has anything to go on";
	} else if (mann_whitney_min_p(na, nb) <= alpha) {
		s->test = s->exact ? CMP_MWU_EXACT : CMP_MWU_NORMAL;
		s->p = s->p_mw;
		/* Noether: the rank test needs 1/ARE = pi/3 times the t-test's n */
		s->mde = (gsl_cdf_ugaussian_Qinv(alpha / 2) + gsl_cdf_ugaussian_Qinv(0.2)) *
			 sqrt(M_PI / 3) *
			 sqrt(s->sd_a * s->sd_a / na + s->sd_b * s->sd_b / nb) / fabs(s->mean_a);
	} else if (welch_decide(a, na, b, nb, all_positive(a, na) && all_positive(b, nb), s)) {
		s->test = CMP_NONE;
		s->undecided = "too few repetitions for any test (Welch needs 2 per side)";
	}
	if (s->test == CMP_NONE)
		s->reps_needed = mwu_reps_for(alpha);

	/* Bootstrap with a fixed seed: the same samples give the same CI. */
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 20241117);
	boot = xmalloc(BOOTSTRAP * sizeof(double));
	if (na > BOOT_EXACT_N || nb > BOOT_EXACT_N) {
		/* large samples: the resample's median drawn directly, O(log n) */
		ra = xmalloc(na * sizeof(double));
		rb = xmalloc(nb * sizeof(double));
		memcpy(ra, a, na * sizeof(double));
		memcpy(rb, b, nb * sizeof(double));
		gsl_sort(ra, 1, na);
		gsl_sort(rb, 1, nb);
		for (int k = 0; k < BOOTSTRAP; k++) {
			double ma = boot_median(ra, na, rng);

			boot[k] = (boot_median(rb, nb, rng) - ma) / ma;
		}
	} else {
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

int compare_samples(const double *a, size_t na, const double *b, size_t nb,
		    struct cmp_stats *s)
{
	return compare_samples_at(a, na, b, nb, 0.05, s);
}

int parse_alpha(const char *s, double *out)
{
	char *end;
	double a;

	if (!s || !*s)
		return zd_error("--alpha needs a value in (0, 0.5]");
	a = strtod(s, &end);
	if (*end || !isfinite(a) || a <= 0 || a > 0.5)
		return zd_error("--alpha '%s': not a number in (0, 0.5]", s);
	*out = a;
	return 0;
}

int parse_threshold(const char *s, double *out)
{
	char *end;
	double t;

	if (!s || !*s)
		return zd_error("--threshold needs a value such as 5%% or 0.05");
	t = strtod(s, &end);
	if (end == s || !isfinite(t) || t < 0 || (*end && strcmp(end, "%")))
		return zd_error("--threshold '%s': not a relative change (5%% or 0.05)", s);
	if (*end == '%')
		t /= 100;
	else if (t >= 1) /* 1 is 100 % or 1 %: say which with % */
		return zd_error("--threshold '%s': a fraction of 1 or more; did you mean %s%%?", s, s);
	*out = t;
	return 0;
}
