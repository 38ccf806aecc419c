// SPDX-License-Identifier: GPL-2.0
/*
 * --format json: a summary document of its own schema, "zdbench.summary/1"
 * (docs/results.md), stable for dashboards and scripts that do not want
 * to walk the result files: totals, and per variant its kernel and per
 * workload the outcome, verdict, reason, signatures with their lkp names,
 * and the median of every metric of the table (metric.h) the samples
 * carry. A number that is not finite is left out (JSON has no NaN).
 */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

#define SUMMARY_SCHEMA "zdbench.summary/1"

static const char *const outcome_names[] = {
	[RO_PASS] = "pass", [RO_FAIL] = "fail", [RO_SKIP] = "skip",
};

/* A JSON string of s with invalid UTF-8 replaced (json-c escapes the controls). */
static struct json_object *jstring(const char *s)
{
	static char ctl[33];
	struct sbuf sb = { 0 };
	struct json_object *o;

	if (!s)
		return NULL;
	if (!ctl[0])
		for (int c = 1; c < 32; c++)
			ctl[c - 1] = (char)c;
	report_add_text(&sb, s, ctl);
	o = json_object_new_string(sbuf_str(&sb));
	sbuf_release(&sb);
	return o;
}

static struct json_object *point(const struct zd_result *r)
{
	struct json_object *o = json_object_new_object(), *a, *m;
	const char *why;
	enum report_outcome out = report_outcome(r, &why);

	json_object_object_add(o, "workload", jstring(r->workload));
	json_object_object_add(o, "kind", jstring(r->kind));
	json_object_object_add(o, "medium", jstring(r->medium));
	json_object_object_add(o, "outcome", json_object_new_string(outcome_names[out]));
	json_object_object_add(o, "verdict", jstring(r->verdict));
	json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
	json_object_object_add(o, "reason", out == RO_PASS ? NULL : jstring(why));
	json_object_object_add(o, "timeout", jstring(r->timeout));
	a = json_object_new_array();
	for (size_t i = 0; i < r->signatures.n; i++)
		json_object_array_add(a, jstring(r->signatures.v[i]));
	json_object_object_add(o, "signatures", a);
	a = json_object_new_array();
	for (size_t i = 0; i < r->nr_findings; i++) {
		char *k = report_lkp_key(r, i);
		bool seen = false;

		for (size_t j = 0; j < json_object_array_length(a); j++)
			seen |= !strcmp(json_object_get_string(json_object_array_get_idx(a, j)), k);
		if (!seen)
			json_object_array_add(a, jstring(k));
		free(k);
	}
	json_object_object_add(o, "lkp_keys", a);
	json_object_object_add(o, "repetitions", json_object_new_int64((int64_t)r->nr_samples));
	m = json_object_new_object();
	for (size_t i = 0; i < zd_nr_metrics; i++) {
		size_t n;
		double med = report_median(&zd_metrics[i], r, &n);
		struct json_object *mo;

		if (!n || !isfinite(med))
			continue;
		mo = json_object_new_object();
		json_object_object_add(mo, "median", json_object_new_double(med));
		json_object_object_add(mo, "unit", json_object_new_string(zd_metrics[i].unit));
		json_object_object_add(mo, "n", json_object_new_int64((int64_t)n));
		json_object_object_add(m, zd_metrics[i].name, mo);
	}
	json_object_object_add(o, "metrics", m);
	return o;
}

static int summary_write(const struct run_set *rs, FILE *f)
{
	const struct zd_result **pts;
	size_t n = report_points(rs, &pts);
	struct report_counts c;
	struct json_object *doc = json_object_new_object(), *t, *vs = json_object_new_array();
	const char *s;
	int ret;

	report_count(rs, &c);
	json_object_object_add(doc, "schema", json_object_new_string(SUMMARY_SCHEMA));
	json_object_object_add(doc, "run_id", n ? jstring(pts[0]->run_id) : NULL);
	t = json_object_new_object();
	json_object_object_add(t, "tests", json_object_new_int64((int64_t)c.tests));
	json_object_object_add(t, "passed", json_object_new_int64((int64_t)c.passed));
	json_object_object_add(t, "failed", json_object_new_int64((int64_t)c.failed));
	json_object_object_add(t, "skipped", json_object_new_int64((int64_t)c.skipped));
	json_object_object_add(doc, "totals", t);
	for (size_t v = 0; v < rs->variants.n; v++) {
		struct json_object *vo = NULL, *res = NULL;

		for (size_t i = 0; i < n; i++) {
			if (strcmp(pts[i]->variant ? pts[i]->variant : "", rs->variants.v[v]))
				continue;
			if (!vo) {
				struct json_object *k = json_object_new_object();

				vo = json_object_new_object();
				res = json_object_new_array();
				json_object_object_add(vo, "variant", jstring(rs->variants.v[v]));
				json_object_object_add(k, "commit", jstring(pts[i]->commit));
				json_object_object_add(k, "key", jstring(pts[i]->kernel_key));
				json_object_object_add(k, "release", jstring(pts[i]->guest_kernel));
				json_object_object_add(vo, "kernel", k);
				json_object_object_add(vo, "results", res);
				json_object_array_add(vs, vo);
			}
			json_object_array_add(res, point(pts[i]));
		}
	}
	json_object_object_add(doc, "variants", vs);
	s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = fprintf(f, "%s\n", s) < 0 ? -1 : 0;
	json_object_put(doc);
	free(pts);
	return ret;
}

const struct report_ops report_summary = {
	.name = "json",
	.what = "a JSON summary (schema zdbench.summary/1): totals, outcomes, medians",
	.write = summary_write,
};
