// SPDX-License-Identifier: GPL-2.0
/*
 * Nightly history on recorded results: 40 nights built from a real icount
 * run of base, a planted 5% step from night 25 and a new failure on the
 * last night; the analysis must find exactly those.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "history.h"
#include "plot.h"
#include "util.h"

static char hdir[64];

static void night(int i, double factor, const char *sig)
{
	struct run_set rs;
	char *id = xasprintf("2026%04d-000000-1", i);
	struct json_object *doc;

	assert_int_equal(run_set_load("tests/data/results/icount-a", &rs), 0);
	for (size_t s = 0; s < rs.res[0].nr_samples; s++)
		rs.res[0].samples[s].ns_per_page *= factor * (1 + 0.0002 * ((i * 7 + s) % 5));
	if (sig)
		strv_push(&rs.res[0].signatures, sig);
	doc = history_doc(&rs, id, "abc", 1790000000L + 86400L * i);
	assert_int_equal(history_append(hdir, id, doc), 0);
	/* append-only: the same night cannot be written twice */
	assert_int_not_equal(history_append(hdir, id, doc), 0);
	json_object_put(doc);
	run_set_free(&rs);
	free(id);
}

static void test_history_analysis(void **state)
{
	struct hist_report rep;
	char *proj = getcwd(NULL, 0), *index;
	char *text;

	strcpy(hdir, "/tmp/zd-hist-XXXXXX");
	assert_non_null(mkdtemp(hdir));
	for (int i = 0; i < 40; i++)
		night(i, i >= 25 ? 1.05 : 1.0,
		      i == 39 ? "percpu_ref_underflow:dev_pagemap_percpu_release@teardown" :
		      i % 10 == 3 ? "WARNING:at_fs/dax.c:dax_disassociate_entry@teardown" : NULL);
	assert_int_equal(history_analyse(proj, hdir, &rep), 0);
	assert_int_equal(rep.nights, 40);
	assert_int_equal(rep.changes.n, 1);
	assert_non_null(strstr(rep.changes.v[0], "night 25"));
	assert_non_null(strstr(rep.changes.v[0], "+5.0"));
	/* the old, recurring WARNING is not new; the underflow is */
	assert_int_equal(rep.new_failures.n, 1);
	assert_string_equal(rep.new_failures.v[0],
			    "percpu_ref_underflow:dev_pagemap_percpu_release@teardown");
	index = xasprintf("%s/index.html", hdir);
	text = read_file(index, NULL);
	assert_non_null(text);
	/* the key's '/' is not kept in the file name: renamed, with its hash */
	assert_non_null(strstr(text, "plots/base_odirect-read-pte_ns_per_page-"));
	free(text);
	free(index);
	hist_report_free(&rep);
	free(proj);
	rm_rf(hdir);
}

/*
 * nightly fails on a new change point: the night that makes a change
 * point appear reports it as new, once; the nights after do not.
 */
static void test_new_change_point_reported_once(void **state)
{
	char *proj = getcwd(NULL, 0);
	int first = -1, reported = 0;

	strcpy(hdir, "/tmp/zd-hist-XXXXXX");
	assert_non_null(mkdtemp(hdir));
	for (int i = 0; i < 32; i++) {
		struct hist_report rep;

		night(i, i >= 20 ? 1.05 : 1.0, NULL);
		assert_int_equal(history_analyse(proj, hdir, &rep), 0);
		if (rep.changes.n && first < 0)
			first = i;
		if (rep.new_changes.n) {
			/* only on the night the change point first shows */
			assert_int_equal(i, first);
			assert_int_equal(rep.new_changes.n, 1);
			/*
			 * E-divisive needs min_size (5) nights per segment:
			 * the first sighting may place the step up to 4
			 * nights early; later nights refine it, as no news.
			 */
			{
				const char *at = strstr(rep.new_changes.v[0], "night ");
				int cp = at ? atoi(at + 6) : -1;

				if (cp < 16 || cp > 20)
					fail_msg("night %d: %s", i, rep.new_changes.v[0]);
			}
			reported++;
		}
		hist_report_free(&rep);
	}
	assert_true(first >= 20);
	assert_int_equal(reported, 1);
	free(proj);
	rm_rf(hdir);
}

/* One series per metric of the table that the results carry. */
static void test_history_series_per_metric(void **state)
{
	struct run_set rs;
	struct json_object *doc, *series, *so;

	assert_int_equal(run_set_load("tests/data/results/icount-a", &rs), 0);
	doc = history_doc(&rs, "id", "abc", 1790000000L);
	assert_true(json_object_object_get_ex(doc, "series", &series));
	assert_true(json_object_object_get_ex(series, "base/odirect-read-pte/ns_per_page", &so));
	assert_int_equal(jint(so, "n", 0), 10);
	assert_true(json_object_object_get_ex(series, "base/odirect-read-pte/elapsed_ns", &so));
	/* odirect has no gup_test times and no fio numbers: no such series */
	assert_false(json_object_object_get_ex(series, "base/odirect-read-pte/get_ns_per_page", &so));
	assert_false(json_object_object_get_ex(series, "base/odirect-read-pte/fio_iops", &so));
	json_object_put(doc);
	run_set_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_analysis),
		cmocka_unit_test(test_new_change_point_reported_once),
		cmocka_unit_test(test_history_series_per_metric),
	};

	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
