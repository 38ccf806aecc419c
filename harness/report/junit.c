// SPDX-License-Identifier: GPL-2.0
/*
 * JUnit XML, as GitLab CI, GitHub Actions' test reporters and Jenkins read
 * it (the shape of Jenkins' junit schema): <testsuites>, one <testsuite>
 * per variant with <properties> for its kernel, one <testcase> per
 * workload (classname zdbench.VARIANT). A kernel failure is a <failure>
 * (type: the verdict; the text: message, timeout, signatures), infra a
 * <skipped> with its reason; the medians go to <system-out>.
 *
 * Every string is data: escaped for XML (& < > " '), invalid UTF-8 and
 * the control characters XML 1.0 forbids replaced (report_add_text), so a
 * console line can never become markup nor make the file unreadable.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

/* s as XML character data or attribute value; newlines kept only in text. */
static void xml(struct sbuf *sb, const char *s, bool attr)
{
	struct sbuf t = { 0 };

	report_add_text(&t, s, attr ? NULL : "\n\t");
	for (const char *p = sbuf_str(&t); *p; p++)
		switch (*p) {
		case '&':
			sbuf_addstr(sb, "&amp;");
			break;
		case '<':
			sbuf_addstr(sb, "&lt;");
			break;
		case '>':
			sbuf_addstr(sb, "&gt;");
			break;
		case '"':
			sbuf_addstr(sb, "&quot;");
			break;
		case '\'':
			sbuf_addstr(sb, "&apos;");
			break;
		default:
			sbuf_add(sb, p, 1);
		}
	sbuf_release(&t);
}

static void attr(struct sbuf *sb, const char *name, const char *val)
{
	sbuf_addf(sb, " %s=\"", name);
	xml(sb, val ? val : "", true);
	sbuf_addstr(sb, "\"");
}

static void property(struct sbuf *sb, const char *name, const char *val)
{
	if (!val || !*val)
		return;
	sbuf_addstr(sb, "      <property");
	attr(sb, "name", name);
	attr(sb, "value", val);
	sbuf_addstr(sb, "/>\n");
}

/* Seconds the workload measured: the sum of its repetitions' elapsed time. */
static double seconds(const struct zd_result *r)
{
	double ns = 0;

	for (size_t i = 0; i < r->nr_samples; i++)
		ns += (double)r->samples[i].elapsed_ns;
	return ns / 1e9;
}

static void testcase(struct sbuf *sb, const struct zd_result *r)
{
	const char *why;
	enum report_outcome o = report_outcome(r, &why);
	char *cls = xasprintf("zdbench.%s", r->variant ? r->variant : "");
	struct sbuf text = { 0 };

	sbuf_addstr(sb, "    <testcase");
	attr(sb, "name", r->workload);
	attr(sb, "classname", cls);
	sbuf_addf(sb, " time=\"%.6f\">\n", seconds(r));
	if (o == RO_FAIL) {
		sbuf_addf(&text, "verdict: %s\n", r->verdict ? r->verdict : "none");
		if (r->msg && *r->msg)
			sbuf_addf(&text, "msg: %s\n", r->msg);
		if (r->timeout && *r->timeout)
			sbuf_addf(&text, "timeout: %s\n", r->timeout);
		for (size_t i = 0; i < r->signatures.n; i++)
			sbuf_addf(&text, "signature: %s\n", r->signatures.v[i]);
		sbuf_addstr(sb, "      <failure");
		attr(sb, "type", r->verdict ? r->verdict : "none");
		attr(sb, "message", why);
		sbuf_addstr(sb, ">");
		xml(sb, sbuf_str(&text), false);
		sbuf_addstr(sb, "</failure>\n");
	} else if (o == RO_SKIP) {
		sbuf_addstr(sb, "      <skipped");
		attr(sb, "message", why);
		sbuf_addstr(sb, "/>\n");
	}
	sbuf_reset(&text);
	for (size_t i = 0; i < zd_nr_metrics; i++) {
		size_t n;
		double med = report_median(&zd_metrics[i], r, &n);

		if (n && isfinite(med))
			sbuf_addf(&text, "%s median %.6g %s over %zu repetitions\n",
				  zd_metrics[i].name, med, zd_metrics[i].unit, n);
	}
	if (r->medium && *r->medium)
		sbuf_addf(&text, "medium: %s\n", r->medium);
	if (text.len) {
		sbuf_addstr(sb, "      <system-out>");
		xml(sb, sbuf_str(&text), false);
		sbuf_addstr(sb, "</system-out>\n");
	}
	sbuf_addstr(sb, "    </testcase>\n");
	sbuf_release(&text);
	free(cls);
}

static int junit_write(const struct run_set *rs, FILE *f)
{
	const struct zd_result **pts;
	size_t n = report_points(rs, &pts);
	struct report_counts all;
	struct sbuf sb = { 0 };
	int ret;

	report_count(rs, &all);
	sbuf_addstr(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	attr(&sb, "name", "zdbench");
	sbuf_addf(&sb, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		  all.tests, all.failed, all.skipped);
	for (size_t v = 0; v < rs->variants.n; v++) {
		const struct zd_result *first = NULL;
		size_t t = 0, fl = 0, sk = 0;
		double secs = 0;

		for (size_t i = 0; i < n; i++) {
			if (strcmp(pts[i]->variant ? pts[i]->variant : "", rs->variants.v[v]))
				continue;
			first = first ? first : pts[i];
			t++;
			fl += report_outcome(pts[i], NULL) == RO_FAIL;
			sk += report_outcome(pts[i], NULL) == RO_SKIP;
			secs += seconds(pts[i]);
		}
		if (!first)
			continue;
		sbuf_addstr(&sb, "  <testsuite");
		attr(&sb, "name", rs->variants.v[v]);
		sbuf_addf(&sb, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.6f\">\n",
			  t, fl, sk, secs);
		sbuf_addstr(&sb, "    <properties>\n");
		property(&sb, "run_id", first->run_id);
		property(&sb, "kernel.commit", first->commit);
		property(&sb, "kernel.key", first->kernel_key);
		property(&sb, "kernel.release", first->guest_kernel);
		property(&sb, "boot.backend", first->backend);
		property(&sb, "boot.accel", first->accel);
		property(&sb, "boot.clock", first->clock);
		sbuf_addstr(&sb, "    </properties>\n");
		for (size_t i = 0; i < n; i++)
			if (!strcmp(pts[i]->variant ? pts[i]->variant : "", rs->variants.v[v]))
				testcase(&sb, pts[i]);
		sbuf_addstr(&sb, "  </testsuite>\n");
	}
	sbuf_addstr(&sb, "</testsuites>\n");
	ret = fwrite(sbuf_str(&sb), 1, sb.len, f) == sb.len ? 0 : -1;
	sbuf_release(&sb);
	free(pts);
	return ret;
}

const struct report_ops report_junit = {
	.name = "junit",
	.what = "JUnit XML: a testsuite per variant, a testcase per workload (GitLab, GitHub, Jenkins)",
	.write = junit_write,
};
