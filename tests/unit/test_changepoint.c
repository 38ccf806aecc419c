// SPDX-License-Identifier: GPL-2.0
/* E-divisive on synthetic series with known change points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>

#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "changepoint.h"

static void series(double *x, size_t n, const size_t *at, const double *level,
		   size_t nlev, double sd, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t seg = 0;

	gsl_rng_set(r, seed);
	for (size_t i = 0; i < n; i++) {
		while (seg + 1 < nlev && i >= at[seg])
			seg++;
		x[i] = level[seg] + gsl_ran_gaussian(r, sd);
	}
	gsl_rng_free(r);
}

static void test_two_shifts_found(void **state)
{
	double x[120];
	const size_t at[] = { 40, 80 };
	const double lv[] = { 100, 105, 101 };
	size_t cps[8], n;

	series(x, 120, at, lv, 3, 1.0, 3);
	n = edivisive(x, 120, NULL, cps, 8);
	assert_int_equal(n, 2);
	assert_true(labs((long)cps[0] - 40) <= 2);
	assert_true(labs((long)cps[1] - 80) <= 2);
}

static void test_no_change_none_found(void **state)
{
	double x[200];
	const size_t at[] = { 0 };
	const double lv[] = { 835 };
	size_t cps[8];

	for (unsigned long seed = 1; seed <= 5; seed++) {
		series(x, 200, at, lv, 1, 0.3, seed);
		assert_int_equal(edivisive(x, 200, NULL, cps, 8), 0);
	}
}

/* A 5% step in icount-like data (0.05% noise) over a year of nights. */
static void test_small_step_in_quiet_data(void **state)
{
	double x[365];
	const size_t at[] = { 300 };
	const double lv[] = { 835, 876.75 };
	size_t cps[8], n;

	series(x, 365, at, lv, 2, 0.4, 9);
	n = edivisive(x, 365, NULL, cps, 8);
	assert_int_equal(n, 1);
	assert_int_equal(cps[0], 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_shifts_found),
		cmocka_unit_test(test_no_change_none_found),
		cmocka_unit_test(test_small_step_in_quiet_data),
	};

	return cmocka_run_group_tests_name("changepoint", tests, NULL, NULL);
}
