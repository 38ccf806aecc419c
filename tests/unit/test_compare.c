// SPDX-License-Identifier: GPL-2.0
/*
 * compare on result sets the harness recorded (two icount runs of base in
 * tests/data/results), with known answers: no change is not flagged; a
 * planted 5% regression is found with a CI around +5%. And on run folders
 * built from them: N-way sides, a run folder's plots/ is not a variant,
 * a new failure signature or a side without samples fails the
 * comparison, small samples are decided by a test that can reach alpha,
 * options are validated, --json carries its schema.
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
#include <fcntl.h>

#include "builtin.h"
#include "result.h"
#include "stats.h"
#include "util.h"

#define A "tests/data/results/icount-a"
#define B "tests/data/results/icount-b"

static int compare(const char *x, const char *y, const char *extra)
{
	char *argv[] = { "compare", (char *)x, (char *)y, (char *)extra, NULL };

	return run_builtin(&builtin_compare, extra ? 4 : 3, argv);
}

/* compare with one spec: a run folder's variants are the sides */
static int compare1(const char *x)
{
	char *argv[] = { "compare", (char *)x, NULL };

	return run_builtin(&builtin_compare, 2, argv);
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

		assert_int_equal(run_builtin(&builtin_compare, 5, argv), 0);
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


/*
 * Variant folder run/variant holding A's result, changed: ns_per_page and
 * elapsed_ns times factor, only the first nrep samples (-1: all), verdict
 * and one signature when sig is set.
 */
static void variant_from_a(const char *run, const char *variant, double factor, int nrep,
			   const char *verdict, const char *sig)
{
	char *sub = path_join(run, variant), *p, *err = NULL;
	struct zd_result r;

	mkdir_p(sub, 0755);
	assert_int_equal(result_read(A "/base/odirect-read-pte.json", &r, &err), 0);
	free(r.variant);
	r.variant = xstrdup(variant);
	for (size_t i = 0; i < r.nr_samples; i++) {
		r.samples[i].ns_per_page *= factor;
		r.samples[i].elapsed_ns = (uint64_t)(r.samples[i].elapsed_ns * factor);
	}
	if (nrep >= 0 && (size_t)nrep < r.nr_samples) {
		/* result_free frees every sample's counters: keep them owned */
		struct zd_result keep = r;

		keep.nr_samples = nrep;
		assert_int_equal(result_write(p = path_join(sub, "odirect-read-pte.json"), &keep), 0);
		free(p);
	} else {
		if (verdict) {
			free(r.verdict);
			r.verdict = xstrdup(verdict);
			r.ok = false;
		}
		if (sig)
			strv_push(&r.signatures, sig);
		assert_int_equal(result_write(p = path_join(sub, "odirect-read-pte.json"), &r), 0);
		free(p);
	}
	result_free(&r);
	free(sub);
}

static char *tmp_run(void)
{
	char *dir = xstrdup("/tmp/zd-cmp-XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

/* compare (run_builtin) with stdout captured; the output is returned (caller frees). */
static char *capture(int *rc, const char *a1, const char *a2, const char *a3,
		     const char *a4, const char *a5)
{
	const char *args[] = { a1, a2, a3, a4, a5 };
	char *argv[7] = { "compare" };
	char path[] = "/tmp/zd-cmp-out-XXXXXX", *out;
	int argc = 1, fd = mkstemp(path), saved;

	for (size_t i = 0; i < ARRAY_SIZE(args); i++) /* NULLs are left out */
		if (args[i])
			argv[argc++] = (char *)args[i];
	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	*rc = run_builtin(&builtin_compare, argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	out = read_file(path, NULL);
	unlink(path);
	assert_non_null(out);
	return out;
}

static struct json_object *capture_json(int *rc, const char *a1, const char *a2,
					const char *a3)
{
	char *out = capture(rc, a1, a2, a3, "--json", NULL);
	struct json_object *o = json_tokener_parse(out);

	if (!o)
		fail_msg("not JSON:\n%s", out);
	free(out);
	return o;
}

static struct json_object *jget(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

static void test_json_schema_and_sides(void **state)
{
	int rc;
	struct json_object *o = capture_json(&rc, A, B, NULL), *rows, *row, *cols;

	assert_int_equal(rc, 0);
	assert_string_equal(json_object_get_string(jget(o, "schema")), "zdbench.compare/1");
	assert_int_equal(json_object_array_length(jget(o, "sides")), 2);
	rows = jget(o, "rows");
	assert_true(json_object_array_length(rows) >= 2); /* ns_per_page, elapsed_ns */
	row = json_object_array_get_idx(rows, 0);
	assert_string_equal(json_object_get_string(jget(row, "metric")), "ns_per_page");
	assert_string_equal(json_object_get_string(jget(row, "unit")), "ns");
	cols = jget(row, "sides");
	assert_int_equal(json_object_array_length(cols), 2);
	/* 10 per side: the rank test can reach alpha and decides (ties here: normal) */
	assert_true(str_starts(json_object_get_string(jget(json_object_array_get_idx(cols, 1), "test")),
			       "Mann-Whitney U"));
	assert_int_equal(json_object_array_length(jget(o, "problems")), 0);
	json_object_put(o);
}

static void test_n_way_run_folder(void **state)
{
	char *run = tmp_run(), *plots = path_join(run, "plots"), *junk;
	struct json_object *o, *row, *cols;
	int rc;

	variant_from_a(run, "base", 1.0, -1, NULL, NULL);
	variant_from_a(run, "same", 1.0, -1, NULL, NULL);
	variant_from_a(run, "slow", 1.05, -1, NULL, NULL);
	/* what plot leaves behind: not a variant */
	mkdir_p(plots, 0755);
	junk = path_join(plots, "odirect-read-pte-bars.tsv");
	assert_int_equal(write_file_atomic(junk, "x\n", 2), 0);
	o = capture_json(&rc, run, NULL, NULL);
	assert_int_equal(rc, 1); /* slow regressed */
	assert_int_equal(json_object_array_length(jget(o, "sides")), 3);
	assert_string_equal(json_object_get_string(jget(json_object_array_get_idx(jget(o, "sides"), 0),
						       "variant")), "base");
	row = json_object_array_get_idx(jget(o, "rows"), 0);
	cols = jget(row, "sides");
	assert_int_equal(json_object_array_length(cols), 3);
	assert_string_equal(json_object_get_string(jget(json_object_array_get_idx(cols, 1), "verdict")),
			    "no change");
	assert_string_equal(json_object_get_string(jget(json_object_array_get_idx(cols, 2), "verdict")),
			    "REGRESSION");
	assert_true(fabs(json_object_get_double(jget(json_object_array_get_idx(cols, 2), "change")) - 0.05) < 0.002);
	json_object_put(o);
	/* RUN:VARIANT sides, and a run folder with one variant plus plots/ */
	{
		char *b = xasprintf("%s:base", run), *sm = xasprintf("%s:same", run);
		char *one = tmp_run(), *oplots = path_join(one, "plots");

		assert_int_equal(compare(b, sm, NULL), 0);
		variant_from_a(one, "base", 1.0, -1, NULL, NULL);
		mkdir_p(oplots, 0755);
		assert_int_equal(compare(one, B, NULL), 0); /* not "holds 2 variants" */
		assert_int_equal(compare(B, one, NULL), 0);
		rm_rf(one);
		free(one);
		free(oplots);
		free(b);
		free(sm);
	}
	rm_rf(run);
	free(run);
	free(plots);
	free(junk);
}

/* fail:runs counts boots: a result merged from 3 interleaved boots, 1 bad. */
static void test_fail_runs_per_boot(void **state)
{
	char *run = tmp_run(), *sub, *p, *err = NULL;
	struct zd_result r;
	struct json_object *o, *f;
	int rc;

	variant_from_a(run, "base", 1.0, -1, NULL, NULL);
	sub = path_join(run, "patched");
	assert_int_equal(mkdir_p(sub, 0755), 0);
	assert_int_equal(result_read(A "/base/odirect-read-pte.json", &r, &err), 0);
	free(r.variant);
	r.variant = xstrdup("patched");
	free(r.verdict);
	r.verdict = xstrdup("crash");
	r.ok = false;
	strv_push(&r.signatures, "OOPS:refcount_underflow@run");
	r.boots = 3;
	r.failed_boots = 1;
	result_set_sig_boots(&r, 0, 1);
	assert_int_equal(result_write(p = path_join(sub, "odirect-read-pte.json"), &r), 0);
	free(p);
	result_free(&r);
	o = capture_json(&rc, run, NULL, NULL);
	assert_int_equal(rc, 1);
	f = json_object_array_get_idx(jget(o, "failures"), 0);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
		jget(jget(f, "signatures"), "OOPS:refcount_underflow@run"), 1)), "1:3");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
		jget(jget(f, "signatures"), "OOPS:refcount_underflow@run"), 0)), "0:1");
	json_object_put(o);
	rm_rf(run);
	free(run);
	free(sub);
}

static void test_new_signature_fails(void **state)
{
	char *run = tmp_run();
	struct json_object *o, *f, *news;
	char *out;
	int rc;

	variant_from_a(run, "base", 1.0, -1, NULL, NULL);
	variant_from_a(run, "patched", 1.0, -1, "crash", "OOPS:refcount_underflow@run");
	o = capture_json(&rc, run, NULL, NULL);
	/* before: exit 0, the crash only listed */
	assert_int_equal(rc, 1);
	f = json_object_array_get_idx(jget(o, "failures"), 0);
	news = jget(f, "new_signatures");
	assert_int_equal(json_object_array_length(news), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(news, 0)),
			    "OOPS:refcount_underflow@run");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
		jget(jget(f, "signatures"), "OOPS:refcount_underflow@run"), 1)), "1:1");
	assert_true(json_object_array_length(jget(o, "problems")) >= 1);
	json_object_put(o);
	out = capture(&rc, run, NULL, NULL, NULL, NULL);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "FAIL:"));
	assert_non_null(strstr(out, "new failure signature OOPS:refcount_underflow@run"));
	free(out);
	/* the same signature on both sides is not new */
	{
		char *run2 = tmp_run();

		variant_from_a(run2, "base", 1.0, -1, "crash", "OOPS:refcount_underflow@run");
		variant_from_a(run2, "patched", 1.0, -1, "crash", "OOPS:refcount_underflow@run");
		assert_int_equal(compare1(run2), 0);
		rm_rf(run2);
		free(run2);
	}
	rm_rf(run);
	free(run);
}

static void test_side_without_samples_fails(void **state)
{
	char *run = tmp_run(), *out;
	int rc;

	variant_from_a(run, "base", 1.0, -1, NULL, NULL);
	variant_from_a(run, "patched", 1.0, 0, NULL, NULL);
	out = capture(&rc, run, NULL, NULL, NULL, NULL);
	/* before: exit 0 with the patched rows missing */
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "patched has no samples"));
	free(out);
	rm_rf(run);
	free(run);
	/* nor the other way round: a reference with nothing measured */
	run = tmp_run();
	variant_from_a(run, "base", 1.0, 0, NULL, NULL);
	variant_from_a(run, "patched", 1.0, -1, NULL, NULL);
	out = capture(&rc, run, NULL, NULL, NULL, NULL);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "base has no samples"));
	free(out);
	rm_rf(run);
	free(run);
}

/* a --metric that no result carries is an error, not an empty pass */
static void test_metric_nobody_has(void **state)
{
	char *argv[] = { "compare", A, B, "--metric", "fio_iops", NULL };

	assert_int_equal(run_builtin(&builtin_compare, 5, argv), 2);
}

static void test_three_reps_decided(void **state)
{
	char *run = tmp_run();
	struct json_object *o, *col;
	int rc;

	/* the reported case: +16% at 3 repetitions per side, icount */
	variant_from_a(run, "base", 1.0, 3, NULL, NULL);
	variant_from_a(run, "zone-hook", 1.1607, 3, NULL, NULL);
	o = capture_json(&rc, run, NULL, NULL);
	assert_int_equal(rc, 1); /* before: "no change", exit 0 */
	col = json_object_array_get_idx(jget(json_object_array_get_idx(jget(o, "rows"), 0), "sides"), 1);
	assert_string_equal(json_object_get_string(jget(col, "test")), "Welch t-test (log samples)");
	assert_true(json_object_get_double(jget(col, "p")) < 0.001);
	assert_true(json_object_get_double(jget(col, "p_mann_whitney")) >= 0.05);
	assert_true(json_object_get_double(jget(col, "min_detectable_change")) < 0.01);
	assert_string_equal(json_object_get_string(jget(col, "verdict")), "REGRESSION");
	json_object_put(o);
	rm_rf(run);
	free(run);
}

static void test_one_rep_undecided(void **state)
{
	char *run = tmp_run(), *out;
	struct json_object *o, *col;
	int rc;

	variant_from_a(run, "base", 1.0, 1, NULL, NULL);
	variant_from_a(run, "patched", 1.2, 1, NULL, NULL);
	o = capture_json(&rc, run, NULL, NULL);
	assert_int_equal(rc, 0);
	col = json_object_array_get_idx(jget(json_object_array_get_idx(jget(o, "rows"), 0), "sides"), 1);
	assert_string_equal(json_object_get_string(jget(col, "verdict")), "undecided");
	assert_string_equal(json_object_get_string(jget(col, "test")), "none");
	assert_int_equal(json_object_get_int(jget(col, "reps_needed")), 4);
	assert_true(json_object_is_type(jget(col, "p"), json_type_null));
	json_object_put(o);
	out = capture(&rc, run, NULL, NULL, NULL, NULL);
	assert_non_null(strstr(out, "no test can decide"));
	assert_non_null(strstr(out, "4 repetitions per side"));
	free(out);
	rm_rf(run);
	free(run);
}

static void test_options_validated(void **state)
{
	double v;

	assert_int_equal(compare(A, B, "--alpha"), 2);
	{
		const char *bad[] = { "2", "0", "-0.1", "abc", "0.05x", "0.51", "nan" };

		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			char *argv[] = { "compare", A, B, "--alpha", (char *)bad[i], NULL };

			assert_int_equal(run_builtin(&builtin_compare, 5, argv), 2);
			assert_int_equal(parse_alpha(bad[i], &v), -1);
		}
	}
	{
		const char *bad[] = { "abc", "5", "1", "-1%", "5%%", "", "0.05x", "inf" };

		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			char *argv[] = { "compare", A, B, "--threshold", (char *)bad[i], NULL };

			assert_int_equal(run_builtin(&builtin_compare, 5, argv), 2);
			assert_int_equal(parse_threshold(bad[i], &v), -1);
		}
	}
	assert_int_equal(parse_threshold("5%", &v), 0);
	assert_true(fabs(v - 0.05) < 1e-12);
	assert_int_equal(parse_threshold("0.05", &v), 0);
	assert_true(fabs(v - 0.05) < 1e-12);
	assert_int_equal(parse_threshold("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(parse_alpha("0.5", &v), 0);
	assert_true(v == 0.5);
	{
		char *argv[] = { "compare", A, B, "--alpha", "0.01", NULL };

		assert_int_equal(run_builtin(&builtin_compare, 5, argv), 0);
	}
	{
		char *argv[] = { "compare", A, B, "--metric", "bogus", NULL };

		assert_int_equal(run_builtin(&builtin_compare, 5, argv), 2);
	}
	/* one side alone is not a comparison */
	assert_int_equal(compare1(A), 2);
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
		cmocka_unit_test(test_json_schema_and_sides),
		cmocka_unit_test(test_n_way_run_folder),
		cmocka_unit_test(test_new_signature_fails),
		cmocka_unit_test(test_fail_runs_per_boot),
		cmocka_unit_test(test_metric_nobody_has),
		cmocka_unit_test(test_side_without_samples_fails),
		cmocka_unit_test(test_three_reps_decided),
		cmocka_unit_test(test_one_rep_undecided),
		cmocka_unit_test(test_options_validated),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
