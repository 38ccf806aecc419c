/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_CHANGEPOINT_H
#define ZD_CHANGEPOINT_H

#include <stddef.h>

/*
 * E-divisive means (Matteson & James 2014, alpha = 1): hierarchical
 * splitting at the point that maximises the energy divergence between the
 * two sides; each split kept only if a permutation test (199 permutations,
 * fixed seed) gives p < sig_level. Segments are at least min_size long.
 */
struct cp_opts {
	size_t min_size;	/* default 5 */
	unsigned int permutations; /* default 199 */
	double sig_level;	/* default 0.05 */
	unsigned long seed;
};

/* Change point indices (first index of each new segment), ascending. */
size_t edivisive(const double *x, size_t n, const struct cp_opts *o,
		 size_t *cps, size_t max_cps);

#endif
