// SPDX-License-Identifier: GPL-2.0
/*
 * compare on result sets the harness recorded (two icount runs of base in
 * tests/data/results), with known answers: no change is not flagged; a
 * planted 5% regression is found with a CI around +5%.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "builtin.h"
#include "result.h"
#include "stats.h"
#include "util.h"

#define A "tests/data/results/icount-a"
#define B "tests/data/results/icount-b"

static int compare(const char *x, const char *y, const char *extra)
{
	char *argv[] = { "compare", (char *)x, (char *)y, (char *)extra, NULL };

	return cmd_compare(extra ? 4 : 3, argv);
}

static void test_no_change_not_flagged(void **state)
{
	assert_int_equal(compare(A, B, NULL), 0);
	assert_int_equal(compare(A, A, NULL), 0);
}

static char *planted(double factor)
{
	char *dir = xstrdup("/tmp/zd-cmp-XXXXXX"), *sub, *p, *err = NULL;
	struct zd_result r;

	assert_non_null(mkdtemp(dir));
	sub = path_join(dir, "base");
	mkdir_p(sub, 0755);
	assert_int_equal(result_read(A "/base/odirect-read-pte.json", &r, &err), 0);
	for (size_t i = 0; i < r.nr_samples; i++) {
		r.samples[i].ns_per_page *= factor;
		r.samples[i].elapsed_ns = (uint64_t)(r.samples[i].elapsed_ns * factor);
	}
	p = path_join(sub, "odirect-read-pte.json");
	assert_int_equal(result_write(p, &r), 0);
	result_free(&r);
	free(p);
	free(sub);
	return dir;
}

static void test_planted_regression_found(void **state)
{
	char *dir = planted(1.05);
	size_t na;
	struct zd_result ra, rc;
	char *err = NULL, *pc = xasprintf("%s/base/odirect-read-pte.json", dir);
	double *a, *c;
	struct cmp_stats s;

	assert_int_equal(compare(A, dir, NULL), 1);
	assert_int_equal(compare(A, dir, "--json"), 1);
	/* and the numbers behind it */
	assert_int_equal(result_read(A "/base/odirect-read-pte.json", &ra, &err), 0);
	assert_int_equal(result_read(pc, &rc, &err), 0);
	na = ra.nr_samples;
	a = xmalloc(na * sizeof(double));
	c = xmalloc(na * sizeof(double));
	for (size_t i = 0; i < na; i++) {
		a[i] = ra.samples[i].ns_per_page;
		c[i] = rc.samples[i].ns_per_page;
	}
	assert_int_equal(compare_samples(a, na, c, na, &s), 0);
	assert_true(fabs(s.change - 0.05) < 0.002);
	assert_true(s.ci_lo > 0.04 && s.ci_hi < 0.06);
	assert_true(s.p < 0.001);
	assert_true(s.exact);
	assert_true(s.mde < 0.01); /* icount: tiny changes are detectable */
	/* a threshold above the change: significant, but not a regression */
	assert_int_equal(compare(A, dir, "--threshold"), 2); /* missing value */
	{
		char *argv[] = { "compare", A, dir, "--threshold", "8%", NULL };

		assert_int_equal(cmd_compare(5, argv), 0);
	}
	/* and the other way round it is an improvement, exit 0 */
	assert_int_equal(compare(dir, A, NULL), 0);
	free(a);
	free(c);
	result_free(&ra);
	result_free(&rc);
	rm_rf(dir);
	free(dir);
	free(pc);
}

static void test_mann_whitney_exact(void **state)
{
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	const double c[] = { 1, 3, 5, 7 }, d[] = { 2, 4, 6, 8 };
	bool exact;

	/* all of b above all of a: U = 0, P = 2 * 1/C(6,3) = 0.1 */
	assert_true(fabs(mann_whitney(a, 3, b, 3, &exact) - 0.1) < 1e-12);
	assert_true(exact);
	/* interleaved: U = 6 of 16, P(U <= 6) = 24/70 -> p = 48/70 */
	assert_true(fabs(mann_whitney(c, 4, d, 4, &exact) - 48.0 / 70) < 1e-9);
}

static void test_bad_input(void **state)
{
	assert_int_equal(compare("/nonexistent", B, NULL), 2);
	assert_int_equal(compare(A ":nope", B, NULL), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mann_whitney_exact),
		cmocka_unit_test(test_no_change_not_flagged),
		cmocka_unit_test(test_planted_regression_found),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
