/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_STATS_H
#define ZD_STATS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The project's statistics (GSL underneath): summaries of one sample,
 * Welch's t-test, Mann-Whitney U, and the two-sample comparison compare
 * and bisect decide with. Samples must be finite; callers reject NaN/inf
 * when reading (sample_finite()).
 */

/* One sample's summary; every field NAN (n = 0) for an empty sample. */
struct zd_summary {
	size_t n;
	double median, mean, sd, cv;	/* sd: n-1; sd and cv 0 for n = 1 */
	double min, max;
};

void summarize(const double *v, size_t n, struct zd_summary *s);
double median_of(const double *v, size_t n);
/* True when every v[i] is finite. */
bool sample_finite(const double *v, size_t n);

/*
 * Welch's t-test of b against a; p two-sided, t positive when b's mean is
 * above a's. -1 when a side has fewer than 2 values. Two noiseless samples
 * give p 1 (equal means) or 0 (different means).
 */
int welch(const double *a, size_t na, const double *b, size_t nb,
	  double *t, double *df, double *p);
/* Mann-Whitney U test, two-sided p; *exact: exact distribution was used. */
double mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		    bool *exact);
/*
 * The smallest two-sided p the exact Mann-Whitney test can give for sizes
 * na, nb: 2 / C(na + nb, na) (complete separation, no ties), at most 1.
 */
double mann_whitney_min_p(size_t na, size_t nb);

/* Which test decided a comparison. */
enum cmp_test {
	CMP_NONE,		/* no test can reach alpha on these samples */
	CMP_MWU_EXACT,		/* Mann-Whitney U, exact distribution */
	CMP_MWU_NORMAL,		/* Mann-Whitney U, normal approximation */
	CMP_WELCH_LOG,		/* Welch's t-test on log(samples) */
	CMP_WELCH,		/* Welch's t-test on the samples (some <= 0) */
};

const char *cmp_test_name(enum cmp_test t);

/* Two-sample comparison of a metric, b against a. */
struct cmp_stats {
	size_t na, nb;
	double med_a, med_b, mean_a, mean_b, sd_a, sd_b;
	double change;		/* (median b - median a) / median a */
	double ci_lo, ci_hi;	/* 95% bootstrap CI of change */
	double alpha;		/* the level the test was chosen for */
	enum cmp_test test;	/* the deciding test */
	double p;		/* the deciding test's two-sided p; NAN if none */
	bool exact;		/* Mann-Whitney used its exact distribution */
	double p_mw;		/* Mann-Whitney, for reference */
	double p_welch;		/* Welch on the samples, for reference; NAN if n < 2 */
	/*
	 * The smallest relative change the deciding test detects at alpha
	 * with power 0.8 on samples this noisy; NAN when no test decides.
	 */
	double mde;
	/* CMP_NONE: why, and the repetitions per side that would let the
	 * exact Mann-Whitney test reach alpha */
	const char *undecided;
	size_t reps_needed;
};

/*
 * Compare b against a at level alpha (0 < alpha <= 0.5): the deciding test
 * is the exact (or, with ties or large samples, normal) Mann-Whitney test
 * when its smallest attainable p is <= alpha, else Welch's t-test on the
 * log samples (raw samples when some are <= 0), else none (s->test
 * CMP_NONE, s->undecided says why). -1 (s->na/nb set) when a side is
 * empty or holds a non-finite value.
 */
int compare_samples_at(const double *a, size_t na, const double *b, size_t nb,
		       double alpha, struct cmp_stats *s);
/* compare_samples_at with alpha 0.05. */
int compare_samples(const double *a, size_t na, const double *b, size_t nb,
		    struct cmp_stats *s);
/* s->p < s->alpha with a deciding test. */
bool cmp_significant(const struct cmp_stats *s);

/*
 * Command-line values, validated (for compare's and bisect's options):
 * alpha a number in (0, 0.5]; threshold a relative change >= 0, given
 * with an explicit % ("5%") or as a fraction ("0.05"; a bare number
 * above 1 is refused as ambiguous). 0 and *out set, or -1 with a message.
 */
int parse_alpha(const char *s, double *out);
int parse_threshold(const char *s, double *out);

#endif
