// SPDX-License-Identifier: GPL-2.0
/*
 * Run sets: the one loader takes run folders and variant folders, skips
 * folders that hold no results (plots/), orders base first, takes
 * DIR:VARIANT, refuses what is not there; run_set_take moves results in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "result.h"
#include "runset.h"
#include "util.h"

#define A "tests/data/results/icount-a"

static char *run;

static void variant(const char *name, const char *workload)
{
	char *sub = path_join(run, name), *p, *err = NULL;
	struct zd_result r;

	mkdir_p(sub, 0755);
	assert_int_equal(result_read(A "/base/odirect-read-pte.json", &r, &err), 0);
	free(r.variant);
	r.variant = xstrdup(name);
	free(r.workload);
	r.workload = xstrdup(workload);
	p = xasprintf("%s/%s.json", sub, workload);
	assert_int_equal(result_write(p, &r), 0);
	result_free(&r);
	free(p);
	free(sub);
}

static int setup(void **state)
{
	char *p;

	run = xstrdup("/tmp/zd-runset-XXXXXX");
	if (!mkdtemp(run))
		return -1;
	variant("zone-hook", "w1");
	variant("base", "w1");
	variant("base", "w2");
	variant("a-first", "w1");
	/* not variants: plots, an empty folder, plan.json alone */
	p = path_join(run, "plots");
	mkdir_p(p, 0755);
	free(p);
	p = path_join(run, "empty");
	mkdir_p(p, 0755);
	free(p);
	p = path_join(run, "probe");
	mkdir_p(p, 0755);
	free(p);
	p = path_join(run, "probe/plan.json");
	assert_int_equal(write_file_atomic(p, "{}", 2), 0);
	free(p);
	p = path_join(run, "run.json");
	assert_int_equal(write_file_atomic(p, "{}", 2), 0);
	free(p);
	/* what a user saves beside the variants: not a result */
	p = path_join(run, "compare.json");
	assert_int_equal(write_file_atomic(p, "{\"schema\": \"zdbench.compare/1\"}", 31), 0);
	free(p);
	return 0;
}

static int teardown(void **state)
{
	rm_rf(run);
	free(run);
	return 0;
}

static void test_run_folder(void **state)
{
	struct run_set rs;

	assert_int_equal(run_set_load(run, &rs), 0);
	assert_int_equal(rs.n, 4);
	assert_int_equal(rs.variants.n, 3); /* plots, empty, probe skipped */
	assert_string_equal(rs.variants.v[0], "base");
	assert_string_equal(rs.variants.v[1], "a-first");
	assert_string_equal(rs.variants.v[2], "zone-hook");
	assert_int_equal(rs.workloads.n, 2);
	assert_non_null(run_set_get(&rs, "base", "w2"));
	assert_null(run_set_get(&rs, "zone-hook", "w2"));
	run_set_free(&rs);
}

static void test_variant_folder_and_spec(void **state)
{
	struct run_set rs;
	char *vd = path_join(run, "zone-hook"), *spec = xasprintf("%s:base", run);
	char *bad = xasprintf("%s:plots", run), *plots = path_join(run, "plots");

	assert_true(is_variant_dir(vd));
	assert_false(is_variant_dir(run));
	assert_false(is_variant_dir(plots));
	assert_int_equal(run_set_load(vd, &rs), 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.variants.v[0], "zone-hook");
	run_set_free(&rs);
	assert_int_equal(run_set_load_spec(spec, &rs), 0);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.variants.n, 1);
	run_set_free(&rs);
	assert_int_equal(run_set_load_spec(bad, &rs), -1); /* plots is no variant */
	run_set_free(&rs);
	assert_int_equal(run_set_load("/nonexistent", &rs), -1);
	run_set_free(&rs);
	assert_int_equal(run_set_load(plots, &rs), -1); /* no results */
	run_set_free(&rs);
	free(vd);
	free(spec);
	free(bad);
	free(plots);
}

static void test_take(void **state)
{
	struct run_set rs;
	struct zd_result r;
	char *err = NULL;

	run_set_init(&rs, "mem");
	assert_int_equal(result_read(A "/base/odirect-read-pte.json", &r, &err), 0);
	run_set_take(&rs, &r);
	assert_null(r.samples); /* moved, not copied */
	result_free(&r);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.variants.v[0], "base");
	assert_string_equal(rs.workloads.v[0], "odirect-read-pte");
	assert_int_equal(run_set_get(&rs, "base", "odirect-read-pte")->nr_samples, 10);
	run_set_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_folder),
		cmocka_unit_test(test_variant_folder_and_spec),
		cmocka_unit_test(test_take),
	};

	return cmocka_run_group_tests_name("runset", tests, setup, teardown);
}
