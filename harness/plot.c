// SPDX-License-Identifier: GPL-2.0
/*
 * Plots (gnuplot, scripts in plot/) and the HTML report of a run: a table
 * per workload and the PNG plots, in one self-contained folder that opens
 * in a browser without a server.
 */
#define _GNU_SOURCE
#include "plot.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "metric.h"
#include "proc.h"
#include "stats.h"
#include "util.h"
#include "verdict.h"

/*
 * Whether gnuplot finished the file at path: a PNG ends with its IEND
 * chunk, an SVG with </svg>. On a full disk gnuplot (cairo) may exit 0
 * with a truncated file: this is how we know.
 */
static bool output_complete(const char *path)
{
	static const unsigned char iend[8] = { 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
	size_t len;
	char *data = read_file_max(path, 256u << 20, &len);
	bool ok = false;

	if (data && str_ends(path, ".png"))
		ok = len >= 8 && !memcmp(data + len - 8, iend, 8);
	else if (data && str_ends(path, ".svg"))
		ok = len >= 7 && memmem(data + (len > 64 ? len - 64 : 0),
					len > 64 ? 64 : len, "</svg>", 6);
	free(data);
	return ok;
}

/* Why a write into dir may have failed: ENOSPC when it has no room left. */
static const char *why_incomplete(const char *dir)
{
	struct statvfs sv;

	if (!statvfs(dir, &sv) && (sv.f_bavail == 0 || sv.f_favail == 0))
		return strerror(ENOSPC);
	return "gnuplot wrote an incomplete file";
}

int gnuplot(const char *project_dir, const char *script, const struct strv *vars)
{
	struct strv av = { 0 };
	struct sbuf e = { 0 };
	struct proc_opts o = { .timeout = 120, .out_path = "/dev/null" };
	struct proc_result r;
	const char *out = NULL;
	char *tmp = NULL, *tdir = NULL;
	int ret;

	/*
	 * Values become gnuplot string literals in single quotes (a quote is
	 * doubled), and only that: the scripts never eval them. A control
	 * character (a newline ends a gnuplot command) is refused, not quoted.
	 */
	for (size_t i = 0; i + 1 < vars->n; i += 2)
		for (const char *p = vars->v[i + 1]; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				zd_err("gnuplot %s: %s holds a control character: refused",
				       script, vars->v[i]);
				return -1;
			}
	for (size_t i = 0; i + 1 < vars->n; i += 2)
		if (!strcmp(vars->v[i], "out"))
			out = vars->v[i + 1];
	/*
	 * gnuplot writes into a folder of its own beside out (mkdtemp: 0700,
	 * a name no one can plant a symlink at; out.png itself would be
	 * followed, and a disk that fills up would leave half a plot):
	 * complete files are renamed into place, others removed.
	 */
	if (out) {
		char *slash = strrchr(out, '/');

		tdir = slash ? xasprintf("%.*s/.gnuplot-XXXXXX", (int)(slash - out), out) :
			       xstrdup(".gnuplot-XXXXXX");
		if (!mkdtemp(tdir)) {
			zd_err("cannot write %s.png: %s", out, strerror(errno));
			free(tdir);
			return -1;
		}
		tmp = xasprintf("%s/out", tdir);
	}
	for (size_t i = 0; i + 1 < vars->n; i += 2) {
		const char *v = vars->v[i + 1];

		if (tmp && !strcmp(vars->v[i], "out"))
			v = tmp;
		sbuf_addf(&e, "%s='", vars->v[i]);
		for (const char *p = v; *p; p++)
			sbuf_addstr(&e, *p == '\'' ? "''" : (char[]){ *p, 0 });
		sbuf_addstr(&e, "';");
	}
	strv_push(&av, "gnuplot");
	strv_push(&av, "-e");
	strv_push(&av, sbuf_str(&e));
	strv_pushf(&av, "%s/plot/%s.gp", project_dir, script);
	ret = proc_run(av.v, &o, &r);
	if (r.exec_failed)
		zd_err("gnuplot not found: install gnuplot-nox (scripts/install-deps.sh)");
	else if (ret || r.exit_code || r.timed_out)
		zd_err("gnuplot %s failed (exit %d)%s%s%s", script, r.exit_code,
		       out ? ": cannot write " : "", out ? out : "", out ? ".png and .svg" : "");
	ret = ret || r.exit_code || r.timed_out || r.exec_failed ? -1 : 0;
	for (int k = 0; tmp && k < 2; k++) {
		const char *ext = k ? "svg" : "png";
		char *from = xasprintf("%s.%s", tmp, ext), *to = xasprintf("%s.%s", out, ext);

		if (!ret && !output_complete(from)) {
			char *dir = xstrdup(out), *sl = strrchr(dir, '/');

			if (sl)
				*sl = '\0';
			zd_err("cannot write %s: %s", to, why_incomplete(sl ? dir : "."));
			free(dir);
			ret = -1;
		}
		if (!ret && rename(from, to)) {
			zd_err("cannot write %s: %s", to, strerror(errno));
			ret = -1;
		}
		free(from);
		free(to);
	}
	for (int k = 0; tmp && ret && k < 2; k++) {
		char *from = xasprintf("%s.%s", tmp, k ? "svg" : "png");
		char *to = xasprintf("%s.%s", out, k ? "svg" : "png");

		unlink(from); /* no partial output, ours or an older one */
		unlink(to);
		free(from);
		free(to);
	}
	if (tdir)
		rmdir(tdir);
	free(tdir);
	free(tmp);
	strv_free(&av);
	sbuf_free(&e);
	return ret;
}

/*
 * dir exists, created if need be, and is a real folder: a plots/ that is a
 * symlink would send every plot elsewhere. 0, or -1 with a message.
 */
int plot_dir(const char *dir)
{
	struct stat st;

	if (mkdir_p(dir, 0755) && errno != EEXIST)
		return zd_error("cannot create %s: %s", dir, strerror(errno));
	if (lstat(dir, &st))
		return zd_error("cannot create %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return zd_error("%s is %s, not a folder: refused (remove it)", dir,
				S_ISLNK(st.st_mode) ? "a symlink" : "a file");
	return 0;
}

char *html_escape(const char *s)
{
	struct sbuf sb = { 0 };

	for (; s && *s; s++) {
		switch (*s) {
		case '<': sbuf_addstr(&sb, "&lt;"); break;
		case '>': sbuf_addstr(&sb, "&gt;"); break;
		case '&': sbuf_addstr(&sb, "&amp;"); break;
		case '"': sbuf_addstr(&sb, "&quot;"); break;
		case '\'': sbuf_addstr(&sb, "&#39;"); break;
		default: sbuf_add(&sb, s, 1);
		}
	}
	return sbuf_detach(&sb, NULL);
}

char *plot_file_name(const char *s)
{
	struct sbuf sb = { 0 };
	bool changed = false;
	uint32_t h = 2166136261u; /* FNV-1a: only tells renamed names apart */

	for (const char *p = s ? s : ""; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
			  (*p == '.' && p != s);

		h = (h ^ (unsigned char)*p) * 16777619u;
		sbuf_add(&sb, ok ? p : "_", 1);
		changed |= !ok;
	}
	if (changed || !sb.len)
		sbuf_addf(&sb, "-%08x", h);
	return sbuf_detach(&sb, NULL);
}

/*
 * A TSV field: tab, newline and the other control characters become a
 * space so that a field stays one field of one line.
 */
static void add_tsv_field(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++)
		sbuf_add(sb, (unsigned char)*s < 0x20 || *s == 0x7f ? " " : s, 1);
}

/* The summary of metric m over r's repetitions (n 0: none carry it). */
static void summary(const struct zd_metric *m, const struct zd_result *r,
		    struct zd_summary *sm)
{
	size_t n;
	double *v = metric_values(m, r, &n);

	summarize(v, n, sm);
	free(v);
}

static int plot_workload(const char *project_dir, const struct run_set *rs,
			 const struct zd_metric *m, const char *pdir, const char *wl)
{
	char *name = plot_file_name(wl);
	char *bars_tsv = xasprintf("%s/%s-bars.tsv", pdir, name);
	char *strip_tsv = xasprintf("%s/%s-strip.tsv", pdir, name);
	struct sbuf bt = { 0 }, st = { 0 };
	struct strv vars = { 0 };
	int ret = -1, nv = 0;

	for (size_t v = 0; v < rs->variants.n; v++) {
		const struct zd_result *r = run_set_get(rs, rs->variants.v[v], wl);
		struct zd_summary sm;

		if (!r)
			continue;
		summary(m, r, &sm);
		if (!sm.n)
			continue;
		add_tsv_field(&bt, r->variant);
		sbuf_addf(&bt, "\t%.3f\t%.3f\t%.3f\n", sm.median, sm.min, sm.max);
		for (size_t i = 0; i < r->nr_samples; i++) {
			double x = metric_value(m, &r->samples[i]);

			if (isfinite(x))
				sbuf_addf(&st, "%d\t%.3f\n", nv, x);
		}
		nv++;
	}
	if (!nv) {
		ret = 0; /* nothing measured (e.g. every boot failed): no plot */
		goto out;
	}
	if (write_file_atomic(bars_tsv, bt.buf, bt.len) ||
	    write_file_atomic(strip_tsv, st.buf, st.len)) {
		zd_err("cannot write %s: %s", path_exists(bars_tsv) ? strip_tsv : bars_tsv,
		       strerror(errno));
		goto out;
	}
	strv_push(&vars, "data");
	strv_push(&vars, bars_tsv);
	strv_push(&vars, "out");
	strv_pushf(&vars, "%s/%s-bars", pdir, name);
	strv_push(&vars, "title");
	strv_pushf(&vars, "%s: median %s, min..max", wl, m->name);
	strv_push(&vars, "ylabel");
	strv_pushf(&vars, "%s (%s)", m->name, m->unit);
	if (gnuplot(project_dir, "bars", &vars))
		goto out;
	strv_free(&vars);
	strv_push(&vars, "data");
	strv_push(&vars, strip_tsv);
	strv_push(&vars, "out");
	strv_pushf(&vars, "%s/%s-strip", pdir, name);
	strv_push(&vars, "title");
	strv_pushf(&vars, "%s: every repetition", wl);
	strv_push(&vars, "ylabel");
	strv_pushf(&vars, "%s (%s)", m->name, m->unit);
	strv_push(&vars, "nvar");
	strv_pushf(&vars, "%d", nv);
	/* the tic labels: the bars' first column, read as data (xtic()) */
	strv_push(&vars, "tics");
	strv_push(&vars, bars_tsv);
	if (gnuplot(project_dir, "strip", &vars))
		goto out;
	ret = 0;
out:
	strv_free(&vars);
	sbuf_free(&bt);
	sbuf_free(&st);
	free(bars_tsv);
	free(strip_tsv);
	free(name);
	return ret;
}

static void html_table(struct sbuf *h, const struct run_set *rs,
		       const struct zd_metric *m, const char *wl)
{
	double base = NAN;

	sbuf_addf(h, "<table><tr><th>variant</th><th>n</th><th>median %s (%s)</th>", m->name, m->unit);
	sbuf_addstr(h, "<th>min</th><th>max</th><th>vs first</th><th>verdict</th><th>signatures</th></tr>\n");
	for (size_t v = 0; v < rs->variants.n; v++) {
		const struct zd_result *r = run_set_get(rs, rs->variants.v[v], wl);
		char *vn, *sig, *ev, *et;
		const char *cls;
		enum zd_verdict vd;
		struct sbuf sg = { 0 };
		struct zd_summary sm;

		if (!r)
			continue;
		summary(m, r, &sm);
		if (isnan(base) && sm.n)
			base = sm.median;
		/* each signature escaped on its own, joined by real line breaks */
		for (size_t i = 0; i < r->signatures.n; i++) {
			char *e = html_escape(r->signatures.v[i]);

			sbuf_addf(&sg, "%s%s", i ? "<br>" : "", e);
			free(e);
		}
		vn = html_escape(r->variant);
		sig = sbuf_detach(&sg, NULL);
		ev = html_escape(r->verdict);
		et = html_escape(r->timeout);
		/* the class attribute: a known verdict's own name, else none */
		cls = verdict_parse(r->verdict, &vd) ? "" : verdict_name(vd);
		if (sm.n)
			sbuf_addf(h, "<tr><td>%s</td><td>%zu</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%+.2f%%</td>",
				  vn, sm.n, sm.median, sm.min, sm.max,
				  100 * (sm.median - base) / base);
		else
			sbuf_addf(h, "<tr><td>%s</td><td>0</td><td>-</td><td>-</td><td>-</td><td>-</td>", vn);
		sbuf_addf(h, "<td class=\"%s\">%s%s%s%s</td><td>%s</td></tr>\n", cls, ev,
			  r->timeout ? " (timeout: " : "", et, r->timeout ? ")" : "", sig);
		free(vn);
		free(sig);
		free(ev);
		free(et);
	}
	sbuf_addstr(h, "</table>\n");
}

int plot_run(const char *project_dir, const struct run_set *rs,
	     const struct zd_metric *m, const char *out_dir)
{
	const char *od = out_dir ? out_dir : rs->dir;
	char *pdir = path_join(od, "plots"), *index = path_join(od, "index.html");
	struct sbuf h = { 0 };
	char *title = html_escape(rs->dir);
	int ret = -1;

	if (!m)
		m = &zd_metrics[0];
	if (plot_dir(pdir))
		goto out;
	sbuf_addf(&h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>zdbench %s</title>\n"
		      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
		      "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
		      "td.clean{color:#2a7a2a}td.fail,td.hang,td.crash{color:#b22;font-weight:bold}"
		      "td.infra{color:#a60}img{max-width:100%%;margin:8px 0}</style></head><body>\n"
		      "<h1>zdbench run %s</h1>\n", title, title);
	for (size_t w = 0; w < rs->workloads.n; w++) {
		const char *wl = rs->workloads.v[w];
		char *name = plot_file_name(wl), *ew = html_escape(wl);

		if (plot_workload(project_dir, rs, m, pdir, wl)) {
			free(name);
			free(ew);
			goto out;
		}
		sbuf_addf(&h, "<h2>%s</h2>\n", ew);
		html_table(&h, rs, m, wl);
		char *png = xasprintf("%s/%s-bars.png", pdir, name);

		if (path_exists(png))
			sbuf_addf(&h, "<p><a href=\"plots/%s-bars.svg\"><img class=\"plot\" src=\"plots/%s-bars.png\" alt=\"%s bars\"></a>"
				      "<a href=\"plots/%s-strip.svg\"><img class=\"plot\" src=\"plots/%s-strip.png\" alt=\"%s samples\"></a></p>\n",
				  name, name, ew, name, name, ew);
		free(png);
		free(name);
		free(ew);
	}
	/* Lets a headless browser (and the e2e test) tell whether every plot loaded. */
	sbuf_addf(&h, "<p>Generated by zdbench plot. Metric: %s, %s (%s is better); "
		      "see run.json for provenance.</p>\n", m->name, m->what,
		  m->higher_is_better ? "higher" : "lower");
	sbuf_addstr(&h, "<script>window.addEventListener('load', function () {"
		        "var i = Array.prototype.slice.call(document.images);"
		        "document.body.setAttribute('data-plots-loaded', i.filter(function (x) {"
		        "return x.complete && x.naturalWidth > 0; }).length + '/' + i.length); });"
		        "</script>\n</body></html>\n");
	ret = write_file_atomic(index, h.buf, h.len);
	if (ret)
		zd_err("cannot write %s: %s", index, strerror(errno));
out:
	sbuf_free(&h);
	free(title);
	free(pdir);
	free(index);
	return ret;
}
