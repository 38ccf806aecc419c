/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_STATS_H
#define ZD_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Two-sample comparison of a metric (GSL underneath). */
struct cmp_stats {
	size_t na, nb;
	double med_a, med_b, mean_a, mean_b, sd_a, sd_b;
	double change;		/* (median b - median a) / median a */
	double ci_lo, ci_hi;	/* 95% bootstrap CI of change */
	double p;		/* Mann-Whitney U, two-sided */
	bool exact;		/* exact distribution (no ties, small n) */
	double p_welch;
	double mde;		/* smallest relative change detectable (alpha .05, power .8) */
};

int compare_samples(const double *a, size_t na, const double *b, size_t nb,
		    struct cmp_stats *s);
/* Mann-Whitney U test, two-sided p. */
double mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		    bool *exact);
double median_of(const double *v, size_t n);

#endif
