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
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "history.h"
#include "plot.h"
#include "util.h"

#include "full-disk.h"

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
	assert_int_equal(history_analyse(proj, hdir, false, &rep), 0);
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
	int reported = 0;

	strcpy(hdir, "/tmp/zd-hist-XXXXXX");
	assert_non_null(mkdtemp(hdir));
	for (int i = 0; i < 34; i++) {
		struct hist_report rep;

		night(i, i >= 20 ? 1.05 : 1.0, NULL);
		assert_int_equal(history_analyse(proj, hdir, false, &rep), 0);
		if (rep.new_changes.n) {
			/*
			 * Reported once, where the step is (E-divisive needs
			 * more than min_size nights after a change point to
			 * place it), as soon as 6 nights follow it.
			 */
			const char *at = strstr(rep.new_changes.v[0], "night ");
			int cp = at ? atoi(at + 6) : -1;

			assert_int_equal(rep.new_changes.n, 1);
			if (cp < 19 || cp > 21 || i < cp + 5 || i > 27)
				fail_msg("night %d: %s", i, rep.new_changes.v[0]);
			reported++;
		}
		hist_report_free(&rep);
	}
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

static void put(const char *name, const char *text)
{
	char *p = path_join(hdir, name);

	assert_int_equal(write_file_atomic(p, text, strlen(text)), 0);
	free(p);
}

#define DOC_HEAD "{\"schema\": \"zdbench.history/1\", \"run_id\": \"r\", \"time\": 1790000000, "

/*
 * Documents of the wrong shape are skipped with a reason, never an abort
 * (json-c asserts on array calls on non-arrays) or a NULL reaching strcmp.
 */
static void test_history_wrong_shapes(void **state)
{
	struct hist_report rep;
	char *proj = getcwd(NULL, 0);

	strcpy(hdir, "/tmp/zd-hist-XXXXXX");
	assert_non_null(mkdtemp(hdir));
	put("a.json", DOC_HEAD "\"series\": {}, \"runs\": {\"x\": 1}}");
	put("b.json", DOC_HEAD "\"series\": {}, \"runs\": [{\"signatures\": \"s\"}]}");
	put("c.json", DOC_HEAD "\"series\": {}, \"runs\": [{\"signatures\": [null]}]}");
	put("d.json", DOC_HEAD "\"series\": [1, 2], \"runs\": []}");
	put("e.json", DOC_HEAD "\"series\": {\"a/b/ns_per_page\": 3}, \"runs\": []}");
	put("f.json", DOC_HEAD "\"series\": {\"a/b/ns_per_page\": {\"median\": \"x\"}}, \"runs\": []}");
	put("g.json", "{\"schema\": \"zdbench.history/1\", \"run_id\": 5, \"time\": 1, \"series\": {}, \"runs\": []}");
	put("h.json", "[]");
	put("i.json", "");
	put("j.json", DOC_HEAD "\"runs\": [], \"series\": null}");
	put("k.json", DOC_HEAD "\"series\": {}, \"runs\": [null, 3]}");
	/* and one good night: it is the only one counted */
	put("z.json", DOC_HEAD "\"series\": {\"a/b/ns_per_page\": {\"median\": 1.5, \"n\": 3}}, "
		      "\"runs\": [{\"variant\": \"a\", \"signatures\": [\"s\"]}]}");
	assert_int_equal(history_analyse(proj, hdir, false, &rep), 0);
	assert_int_equal(rep.nights, 1);
	assert_int_equal(rep.new_failures.n, 1);
	hist_report_free(&rep);
	free(proj);
	rm_rf(hdir);
}

/*
 * A series key and a signature that carry markup and gnuplot code: the
 * nightly report escapes them, builds href/src by whitelist, and gnuplot
 * runs nothing (the marker file never appears).
 */
static void test_history_hostile_report(void **state)
{
	struct hist_report rep;
	char *proj = getcwd(NULL, 0), *marker, *index, *cmd;
	struct sbuf sb = SBUF_INIT;
	int rc;

	strcpy(hdir, "/tmp/zd-hist-XXXXXX");
	assert_non_null(mkdtemp(hdir));
	marker = path_join(hdir, "MARKER");
	index = path_join(hdir, "index.html");
	for (int i = 0; i < 12; i++) {
		char name[32];

		sbuf_reset(&sb);
		sbuf_addf(&sb, "{\"schema\": \"zdbench.history/1\", \"run_id\": \"r%d\", "
			       "\"time\": %d, \"series\": {\"a\\\" 1); system \\\"touch %s\\\"; "
			       "set xtics (\\\"y/\\\"><script>alert(1)</script><img src=x onerror=alert(2)>"
			       "/ns_per_page\": {\"median\": %d, \"n\": 3}}, \"runs\": [{\"signatures\": "
			       "[\"<script>alert(3)</script>\\\"'%d\"]}]}",
			i, 1790000000 + 86400 * i, marker, i < 6 ? 10 : 20, i);
		snprintf(name, sizeof(name), "n%02d.json", i);
		put(name, sbuf_str(&sb));
	}
	assert_int_equal(history_analyse(proj, hdir, false, &rep), 0);
	assert_int_equal(rep.nights, 12);
	assert_false(path_exists(marker));
	{ /* gnuplot did run on the hostile key: its plot is in the report */
		char *html = read_file(index, NULL);

		assert_non_null(html);
		assert_non_null(strstr(html, "<img src=\"plots/a_"));
		free(html);
	}
	cmd = xasprintf("python3 tests/tools/html-check.py '%s' 1", index);
	rc = system(cmd);
	if (rc == -1 || WEXITSTATUS(rc) == 127)
		fail_msg("python3 is needed for the HTML check (scripts/install-deps.sh)");
	assert_int_equal(rc, 0);
	hist_report_free(&rep);
	sbuf_release(&sb);
	free(cmd);
	free(marker);
	free(index);
	free(proj);
	rm_rf(hdir);
}

static int analyse_here(void *proj)
{
	struct hist_report rep;

	return history_analyse(proj, hdir, false, &rep) ? 2 : 0;
}

/*
 * A disk that fills up during nightly (RLIMIT_FSIZE stands in: writes past
 * 4 KiB fail, gnuplot's too): the analysis fails with a message naming a
 * file and leaves no PNG, SVG or temporary in plots/.
 */
static void test_history_full_disk(void **state)
{
	char *proj = getcwd(NULL, 0), *errp, *pl;

	strcpy(hdir, "/tmp/zd-hist-XXXXXX");
	assert_non_null(mkdtemp(hdir));
	for (int i = 0; i < 12; i++)
		night(i, i >= 6 ? 1.05 : 1.0, NULL);
	errp = xasprintf("%s.stderr", hdir);
	pl = path_join(hdir, "plots");
	assert_int_not_equal(run_on_full_disk(analyse_here, proj, errp), 0);
	assert_int_equal(count_plot_files(pl), 0);
	{
		char *err = read_file(errp, NULL);

		assert_non_null(err);
		if (!strstr(err, "cannot write "))
			fail_msg("no message naming the file: %s", err);
		free(err);
	}
	unlink(errp);
	free(errp);
	free(pl);
	free(proj);
	rm_rf(hdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_analysis),
		cmocka_unit_test(test_new_change_point_reported_once),
		cmocka_unit_test(test_history_series_per_metric),
		cmocka_unit_test(test_history_wrong_shapes),
		cmocka_unit_test(test_history_hostile_report),
		cmocka_unit_test(test_history_full_disk),
	};

	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
