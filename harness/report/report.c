// SPDX-License-Identifier: GPL-2.0
/*
 * The report formats' registry and what they share: the outcome of a
 * result, the test points in order, medians, lkp keys, text made safe, and
 * the one writer (stdout, or a file written atomically).
 */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "stats.h"
#include "util.h"
#include "verdict.h"

static const struct report_ops *const formats[] = {
	&report_ktap,
	&report_junit,
	&report_summary,
	&report_lkp,
};

const struct report_ops *report_find(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i]->name, name))
			return formats[i];
	return NULL;
}

const char *report_names(void)
{
	return "ktap|junit|json|lkp";
}

int report_write(const struct report_ops *ops, const struct run_set *rs, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (!path || !strcmp(path, "-")) {
		if (ops->write(rs, stdout))
			return -1;
		/* run_builtin checks stdout once more at exit; a full pipe is said there too */
		if (fflush(stdout) || ferror(stdout))
			return zd_error("cannot write the %s report (stdout): %s", ops->name,
					strerror(errno));
		return 0;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return zd_error("cannot write %s: %s", path, strerror(errno));
	ret = ops->write(rs, f);
	if (fclose(f) || ret) {
		free(buf);
		return zd_error("cannot write %s: the %s report did not render", path, ops->name);
	}
	ret = write_file_atomic(path, buf, len);
	if (ret)
		zd_err("cannot write %s: %s", path, strerror(errno));
	free(buf);
	return ret ? -1 : 0;
}

enum report_outcome report_outcome(const struct zd_result *r, const char **why)
{
	enum zd_verdict v = V_FAIL; /* an unknown verdict is no clean one */
	const char *w;

	verdict_parse(r->verdict, &v);
	w = r->msg && *r->msg ? r->msg : r->timeout && *r->timeout ? r->timeout :
	    r->verdict && *r->verdict ? r->verdict : "no verdict";
	if (why)
		*why = w;
	if (v == V_INFRA)
		return RO_SKIP;
	if (v == V_CLEAN && r->ok)
		return RO_PASS;
	if (why && v == V_CLEAN && !(r->msg && *r->msg))
		*why = "clean console, but the workload did not complete";
	return RO_FAIL;
}

size_t report_points(const struct run_set *rs, const struct zd_result ***out)
{
	const struct zd_result **p = NULL;
	size_t n = 0;

	for (size_t v = 0; v < rs->variants.n; v++)
		for (size_t w = 0; w < rs->workloads.n; w++) {
			const struct zd_result *r = run_set_get(rs, rs->variants.v[v],
								 rs->workloads.v[w]);

			if (!r)
				continue;
			p = grow_array(p, n, sizeof(*p));
			p[n++] = r;
		}
	*out = p;
	return n;
}

void report_count(const struct run_set *rs, struct report_counts *c)
{
	const struct zd_result **pts;
	size_t n = report_points(rs, &pts);

	memset(c, 0, sizeof(*c));
	c->tests = n;
	for (size_t i = 0; i < n; i++)
		switch (report_outcome(pts[i], NULL)) {
		case RO_PASS:
			c->passed++;
			break;
		case RO_FAIL:
			c->failed++;
			break;
		case RO_SKIP:
			c->skipped++;
			break;
		}
	free(pts);
}

int report_exit(const struct run_set *rs)
{
	struct report_counts c;

	report_count(rs, &c);
	return c.failed ? ZD_EXIT_KERNEL : c.skipped ? ZD_EXIT_INFRA : ZD_EXIT_CLEAN;
}

double report_median(const struct zd_metric *m, const struct zd_result *r, size_t *n)
{
	size_t k;
	double *v = metric_values(m, r, &k), med = k ? median_of(v, k) : NAN;

	free(v);
	if (n)
		*n = k;
	return med;
}

char *report_lkp_key(const struct zd_result *r, size_t i)
{
	const struct zd_finding *f = &r->findings[i];
	const char *k = f->key ? f->key : "";
	const char *c;
	char *out;

	if (f->lkp_key && *f->lkp_key)
		return xstrdup(f->lkp_key);
	/* classify.c's rule for WARNING: lkp writes the line number as "#" */
	if (str_starts(k, "WARNING:at_") && (c = strrchr(k + 11, ':')))
		return xasprintf("dmesg.WARNING:at_%.*s:#%s", (int)(c - (k + 11)), k + 11, c + 1);
	out = xasprintf("dmesg.%s", k);
	for (char *p = out; *p; p++)
		if (*p == ' ' || *p == '\t')
			*p = '_';
	return out;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* U+FFFE and U+FFFF are not XML characters either */
	if (cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

void report_add_text(struct sbuf *sb, const char *s, const char *ctl_ok)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s)
		return;
	while (*p) {
		size_t n = utf8_len(p);

		if (!n) {
			sbuf_addstr(sb, "\xef\xbf\xbd"); /* U+FFFD */
			p++;
		} else if ((*p < 0x20 || *p == 0x7f) && !(ctl_ok && strchr(ctl_ok, *p))) {
			if (*p == '\n')
				sbuf_addstr(sb, "\\n");
			else if (*p == '\r')
				sbuf_addstr(sb, "\\r");
			else if (*p == '\t')
				sbuf_addstr(sb, "\\t");
			else
				sbuf_addf(sb, "\\x%02x", *p);
			p++;
		} else {
			sbuf_add(sb, p, n);
			p += n;
		}
	}
}
