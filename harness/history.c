// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "history.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "changepoint.h"
#include "machine.h"
#include "plot.h"
#include "metric.h"
#include "result.h"
#include "stats.h"
#include "util.h"

#define HISTORY_SCHEMA "zdbench.history/1"

struct json_object *history_doc(const struct run_set *rs, const char *run_id,
				const char *commit, long when)
{
	struct json_object *d = json_object_new_object();
	struct json_object *series = json_object_new_object();
	struct json_object *runs = json_object_new_array();

	json_object_object_add(d, "schema", json_object_new_string(HISTORY_SCHEMA));
	json_object_object_add(d, "run_id", json_object_new_string(run_id));
	json_object_object_add(d, "time", json_object_new_int64(when));
	json_object_object_add(d, "commit", json_object_new_string(commit ? commit : ""));
	json_object_object_add(d, "machine", json_object_new_string(run_set_machine(rs)));
	for (size_t i = 0; i < rs->n; i++) {
		const struct zd_result *r = &rs->res[i];
		struct json_object *ro = json_object_new_object();
		struct json_object *sa = json_object_new_array();
		/* one series per metric of the table the result carries */
		for (size_t m = 0; m < zd_nr_metrics; m++) {
			size_t n;
			double *v = metric_values(&zd_metrics[m], r, &n);

			if (n) {
				char *key = xasprintf("%s/%s/%s", r->variant, r->workload, zd_metrics[m].name);
				struct json_object *so = json_object_new_object();

				json_object_object_add(so, "median", json_object_new_double(median_of(v, n)));
				json_object_object_add(so, "n", json_object_new_int(n));
				json_object_object_add(series, key, so);
				free(key);
			}
			free(v);
		}
		json_object_object_add(ro, "variant", json_object_new_string(r->variant));
		json_object_object_add(ro, "workload", json_object_new_string(r->workload));
		json_object_object_add(ro, "verdict", json_object_new_string(r->verdict));
		for (size_t j = 0; j < r->signatures.n; j++)
			json_object_array_add(sa, json_object_new_string(r->signatures.v[j]));
		json_object_object_add(ro, "signatures", sa);
		json_object_array_add(runs, ro);
	}
	json_object_object_add(d, "series", series);
	json_object_object_add(d, "runs", runs);
	return d;
}

int history_append(const char *hdir, const char *run_id, struct json_object *doc)
{
	char *path = xasprintf("%s/%s.json", hdir, run_id);
	char *tmp = xasprintf("%s/.%s.tmp", hdir, run_id);
	int ret = -1;

	mkdir_p(hdir, 0755);
	if (zd_json_write(tmp, doc))
		goto out;
	/* link() fails if the name exists: history is append-only */
	if (link(tmp, path)) {
		zd_err("cannot add %s to the history: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	unlink(tmp);
	ret = 0;
out:
	free(path);
	free(tmp);
	return ret;
}

/*
 * Why o is not a history document the readers below can walk, or NULL.
 * Every json-c type is checked here once (json-c asserts on an array call
 * on a non-array, and a NULL string reaches strcmp): analysis code after
 * this trusts the shape.
 */
static const char *doc_shape_error(struct json_object *o)
{
	struct json_object *v, *series, *runs;
	const char *s = jstr(o, "schema");

	if (!o || !json_object_is_type(o, json_type_object))
		return "not a JSON object";
	if (!s || strcmp(s, HISTORY_SCHEMA))
		return "schema is not " HISTORY_SCHEMA;
	if (!jstr(o, "run_id"))
		return "run_id is not a string";
	/* absent in documents older than machine ids: read as "unknown" */
	if (json_object_object_get_ex(o, "machine", &v) &&
	    (!jstr(o, "machine") || !is_name(jstr(o, "machine"))))
		return "machine is not a name";
	if (!json_object_object_get_ex(o, "time", &v) || !json_object_is_type(v, json_type_int))
		return "time is not an integer";
	if (!json_object_object_get_ex(o, "series", &series) ||
	    !json_object_is_type(series, json_type_object))
		return "series is not an object";
	json_object_object_foreach(series, k, so) {
		struct json_object *med;

		(void)k;
		if (!json_object_is_type(so, json_type_object) ||
		    !json_object_object_get_ex(so, "median", &med) ||
		    !(json_object_is_type(med, json_type_double) ||
		      json_object_is_type(med, json_type_int)) ||
		    !isfinite(json_object_get_double(med)))
			return "a series is not an object with a finite median";
	}
	if (!json_object_object_get_ex(o, "runs", &runs) ||
	    !json_object_is_type(runs, json_type_array))
		return "runs is not an array";
	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		struct json_object *ro = json_object_array_get_idx(runs, i), *sa;

		if (!json_object_is_type(ro, json_type_object))
			return "a run is not an object";
		if (!json_object_object_get_ex(ro, "signatures", &sa))
			continue;
		if (!json_object_is_type(sa, json_type_array))
			return "signatures is not an array";
		for (size_t j = 0; j < json_object_array_length(sa); j++)
			if (!json_object_is_type(json_object_array_get_idx(sa, j), json_type_string))
				return "a signature is not a string";
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int history_load(const char *hdir, struct json_object ***docs, size_t *n)
{
	DIR *d = opendir(hdir);
	struct dirent *de;
	struct strv names = { 0 };

	*docs = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && str_ends(de->d_name, ".json"))
			strv_push(&names, de->d_name);
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		char *p = path_join(hdir, names.v[i]);
		struct json_object *o = zd_json_read(p);
		const char *why = o ? doc_shape_error(o) : "cannot read or parse JSON";

		if (why) {
			zd_err("%s: not a history document (%s); skipped", p, why);
			json_object_put(o);
		} else {
			*docs = xrealloc(*docs, (*n + 1) * sizeof(**docs));
			(*docs)[(*n)++] = o;
		}
		free(p);
	}
	strv_free(&names);
	return 0;
}

void history_free(struct json_object **docs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_object_put(docs[i]);
	free(docs);
}

void hist_report_free(struct hist_report *rep)
{
	strv_free(&rep->new_failures);
	strv_free(&rep->changes);
	strv_free(&rep->new_changes);
	memset(rep, 0, sizeof(*rep));
}

/* Every signature of doc's runs as a key of set (a hash: O(1) look-ups). */
static void add_sigs(struct json_object *doc, struct json_object *set)
{
	struct json_object *runs;

	if (!json_object_object_get_ex(doc, "runs", &runs))
		return;
	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		struct json_object *sa;

		if (!json_object_object_get_ex(json_object_array_get_idx(runs, i), "signatures", &sa))
			continue;
		for (size_t j = 0; j < json_object_array_length(sa); j++)
			json_object_object_add(set, json_object_get_string(json_object_array_get_idx(sa, j)),
					       NULL);
	}
}

/*
 * The last night's signatures no earlier night had, once each. The
 * earlier nights' signatures go into one hash set first: a night is read
 * once, not once per signature of the last night.
 */
static void new_failures(struct json_object **docs, size_t n, struct hist_report *rep)
{
	struct json_object *seen, *last;

	if (!n)
		return;
	seen = json_object_new_object();
	last = json_object_new_object();
	for (size_t k = 0; k + 1 < n; k++)
		add_sigs(docs[k], seen);
	add_sigs(docs[n - 1], last);
	/* in the order the last night lists them (json-c objects keep insertion order) */
	json_object_object_foreach(last, sig, v) {
		(void)v;
		if (!json_object_object_get_ex(seen, sig, NULL))
			strv_push(&rep->new_failures, sig);
	}
	json_object_put(seen);
	json_object_put(last);
}

static void date_of(long t, char *buf, size_t n)
{
	time_t tt = t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%d", &tm);
}

/*
 * Nights after a change point before its placement is trusted: more than
 * E-divisive's min_size (5), since a step with fewer nights after it is
 * placed exactly min_size nights from the end, forced there by the bound.
 */
#define CP_SETTLE 6

const char *history_doc_machine(struct json_object *doc)
{
	const char *m = jstr(doc, "machine");

	return m ? m : ZD_MACHINE_UNKNOWN;
}

/*
 * One series: values over the nights of docs that have key, change points,
 * a plot, all under label (the key, or "machine/key" for one machine's
 * nights). Nothing when no night has it. -1 (said) when its data or plot
 * could not be written.
 */
static int analyse_series(const char *project_dir, const char *pdir,
			   struct json_object **docs, size_t n, const char *key,
			   const char *label, struct hist_report *rep, struct sbuf *html)
{
	int ret = 0;
	double *x = xcalloc(n + 1, sizeof(double));
	size_t *night = xcalloc(n + 1, sizeof(size_t)), m = 0, cps[16], nc;
	struct sbuf data = { 0 }, cpd = { 0 };
	char *name = plot_file_name(label), *dpath, *cpath, *out;
	struct strv vars = { 0 };

	for (size_t i = 0; i < n; i++) {
		struct json_object *series, *so;
		char date[32];

		if (!json_object_object_get_ex(docs[i], "series", &series) ||
		    !json_object_object_get_ex(series, key, &so))
			continue;
		x[m] = jdouble(so, "median", 0);
		night[m] = i;
		date_of(jint(docs[i], "time", 0), date, sizeof(date));
		sbuf_addf(&data, "%zu\t%s\t%.4f\n", i, date, x[m]);
		m++;
	}
	if (!m) {
		free(name);
		free(x);
		free(night);
		sbuf_free(&data);
		return 0;
	}
	nc = m >= 10 ? edivisive(x, m, NULL, cps, 16) : 0;
	/*
	 * New: a change point the newest night made appear. E-divisive places
	 * a step only roughly until more than min_size (5) nights follow it
	 * (with fewer, a segment must reach back before the step, and the size
	 * it reports is wrong), so a change point counts once it has CP_SETTLE
	 * nights after it; it is new when the series without the newest night
	 * had no settled one within a night of it.
	 */
	/* the second E-divisive run (permutation tests) only when a settled one is there */
	bool settled = false;

	for (size_t c = 0; c < nc; c++)
		settled |= m - cps[c] >= CP_SETTLE;
	if (settled && night[m - 1] == n - 1) {
		size_t prev[16], np = m - 1 >= 10 ? edivisive(x, m - 1, NULL, prev, 16) : 0;

		for (size_t c = 0; c < nc; c++) {
			bool old_cp = false;

			if (m - cps[c] < CP_SETTLE)
				continue;
			for (size_t j = 0; j < np && !old_cp; j++)
				old_cp = (m - 1) - prev[j] >= CP_SETTLE &&
					 prev[j] + 1 >= cps[c] && prev[j] <= cps[c] + 1;
			if (!old_cp)
				strv_pushf(&rep->new_changes, "%s: night %zu", label, night[cps[c]]);
		}
	}
	for (size_t c = 0; c < nc; c++) {
		double before = median_of(x + (c ? cps[c - 1] : 0), cps[c] - (c ? cps[c - 1] : 0));
		size_t end = c + 1 < nc ? cps[c + 1] : m;
		double after = median_of(x + cps[c], end - cps[c]);
		char date[32];

		date_of(jint(docs[night[cps[c]]], "time", 0), date, sizeof(date));
		strv_pushf(&rep->changes, "%s: night %zu (%s, %s): %.1f -> %.1f (%+.2f%%)", label,
			   night[cps[c]], date, jstr(docs[night[cps[c]]], "run_id"), before,
			   after, 100 * (after - before) / before);
		sbuf_addf(&cpd, "%zu\t%.4f\n", night[cps[c]], x[cps[c]]);
	}
	dpath = xasprintf("%s/%s.tsv", pdir, name);
	cpath = xasprintf("%s/%s-cp.tsv", pdir, name);
	out = xasprintf("%s/%s", pdir, name);
	if (write_file_atomic(dpath, sbuf_str(&data), data.len) ||
	    write_file_atomic(cpath, sbuf_str(&cpd), cpd.len)) {
		zd_err("cannot write %s or %s: %s", dpath, cpath, strerror(errno));
		m = 0; /* no plot of data that is not there */
		ret = -1;
	}
	strv_push(&vars, "data");
	strv_push(&vars, dpath);
	strv_push(&vars, "cps");
	strv_push(&vars, nc ? cpath : "");
	strv_push(&vars, "out");
	strv_push(&vars, out);
	strv_push(&vars, "title");
	strv_pushf(&vars, "%s (%zu nights, %zu change points)", label, m, nc);
	strv_push(&vars, "ylabel");
	{ /* the key ends in the metric's name */
		const char *mn = strrchr(key, '/');
		struct zd_metric mt;

		if (mn && !metric_find(mn + 1, &mt))
			strv_pushf(&vars, "median %s (%s)", mt.name, mt.unit);
		else
			strv_pushf(&vars, "median %s", mn ? mn + 1 : key);
	}
	if (m && gnuplot(project_dir, "trend", &vars)) {
		ret = -1; /* gnuplot() said why */
	} else if (m) {
		char *ek = html_escape(label);

		sbuf_addf(html, "<h3>%s</h3><p><a href=\"plots/%s.svg\"><img src=\"plots/%s.png\" alt=\"%s\"></a></p>\n",
			  ek, name, name, ek);
		free(ek);
	}
	strv_free(&vars);
	sbuf_free(&data);
	sbuf_free(&cpd);
	free(dpath);
	free(cpath);
	free(out);
	free(name);
	free(x);
	free(night);
	return ret;
}

int history_analyse(const char *project_dir, const char *hdir, bool pool,
		    struct hist_report *rep)
{
	struct strv machines = { 0 };
	struct json_object **docs;
	struct strv keys = { 0 };
	struct sbuf html = { 0 };
	char *pdir = path_join(hdir, "plots"), *index = path_join(hdir, "index.html");
	size_t n;
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	if (history_load(hdir, &docs, &n))
		goto out;
	rep->nights = n;
	if (plot_dir(pdir))
		goto out;
	new_failures(docs, n, rep);
	{
		/* every series key once, in order of appearance: a hash set, not a scan */
		struct json_object *have = json_object_new_object();

		for (size_t i = 0; i < n; i++) {
			struct json_object *series;

			if (!json_object_object_get_ex(docs[i], "series", &series))
				continue;
			json_object_object_foreach(series, k, v) {
				(void)v;
				if (json_object_object_get_ex(have, k, NULL))
					continue;
				json_object_object_add(have, k, NULL);
				strv_push(&keys, k);
			}
		}
		json_object_put(have);
	}
	sbuf_addf(&html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>zdbench nightly</title>"
		  "<style>body{font-family:sans-serif;margin:2em}img{max-width:100%%}li.new{color:#b22}</style>"
		  "</head><body><h1>zdbench nightly history (%zu nights)</h1>\n", n);
	{
		struct sbuf plots = { 0 };

		bool failed = false, unknown = false;

		/* the named machines, in order of appearance */
		for (size_t i = 0; i < n; i++) {
			const char *m = history_doc_machine(docs[i]);
			size_t j = 0;

			if (!strcmp(m, ZD_MACHINE_UNKNOWN)) {
				unknown = true;
				continue;
			}
			while (j < machines.n && strcmp(machines.v[j], m))
				j++;
			if (j == machines.n)
				strv_push(&machines, m);
		}
		/*
		 * Nights that name no machine were written before machine ids:
		 * in a history of one named machine they are its own (a lab's
		 * nightly before the upgrade), so its series go on unbroken;
		 * among several they are a series of their own.
		 */
		if (unknown && machines.n > 1)
			strv_push(&machines, ZD_MACHINE_UNKNOWN);
		if (pool || machines.n < 2) {
			/* one machine (or --pool): the series as they are */
			for (size_t i = 0; i < keys.n; i++)
				failed |= analyse_series(project_dir, pdir, docs, n, keys.v[i],
							 keys.v[i], rep, &plots) != 0;
		} else {
			/*
			 * Several machines: a change point is a change of one
			 * machine's figures, so each series is one machine's
			 * nights, named machine/key, its nights counted on it.
			 */
			struct json_object **md = xcalloc(n, sizeof(*md));

			for (size_t k = 0; k < machines.n; k++) {
				size_t mn = 0;

				for (size_t i = 0; i < n; i++)
					if (!strcmp(history_doc_machine(docs[i]), machines.v[k]))
						md[mn++] = docs[i];
				for (size_t i = 0; i < keys.n; i++) {
					char *label = xasprintf("%s/%s", machines.v[k], keys.v[i]);

					failed |= analyse_series(project_dir, pdir, md, mn, keys.v[i],
								 label, rep, &plots) != 0;
					free(label);
				}
			}
			free(md);
		}
		/* a report with plots missing (a full disk) is not written: no partial output */
		if (failed) {
			sbuf_free(&plots);
			goto out;
		}
		sbuf_addstr(&html, "<h2>New failure signatures (last night)</h2><ul>\n");
		for (size_t i = 0; i < rep->new_failures.n; i++) {
			char *e = html_escape(rep->new_failures.v[i]);

			sbuf_addf(&html, "<li class=\"new\">%s</li>\n", e);
			free(e);
		}
		sbuf_addf(&html, "%s</ul>\n<h2>Change points (E-divisive means, permutation test p &lt; 0.05)</h2><ul>\n",
			  rep->new_failures.n ? "" : "<li>none</li>");
		for (size_t i = 0; i < rep->changes.n; i++) {
			char *e = html_escape(rep->changes.v[i]);

			sbuf_addf(&html, "<li>%s</li>\n", e);
			free(e);
		}
		sbuf_addf(&html, "%s</ul>\n<h2>Trends</h2>\n%s", rep->changes.n ? "" : "<li>none</li>",
			  sbuf_str(&plots));
		sbuf_free(&plots);
	}
	sbuf_addstr(&html, "<script>window.addEventListener('load', function () {"
		    "var i = Array.prototype.slice.call(document.images);"
		    "document.body.setAttribute('data-plots-loaded', i.filter(function (x) {"
		    "return x.complete && x.naturalWidth > 0; }).length + '/' + i.length); });"
		    "</script></body></html>\n");
	ret = write_file_atomic(index, html.buf, html.len);
	if (ret)
		zd_err("cannot write %s: %s", index, strerror(errno));
out:
	history_free(docs, n);
	strv_free(&machines);
	strv_free(&keys);
	sbuf_free(&html);
	free(pdir);
	free(index);
	return ret;
}
