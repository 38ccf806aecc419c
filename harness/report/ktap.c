// SPDX-License-Identifier: GPL-2.0
/*
 * KTAP version 1 (Documentation/dev-tools/ktap.rst, Linux 6.12): the
 * format kselftest and KUnit print and kernel CI systems parse. One test
 * point per variant x workload, named VARIANT.WORKLOAD:
 *
 *   ok N name                      clean
 *   not ok N name                  fail or crash, "# ..." diagnostics first
 *   not ok N name # TIMEOUT what   hang (the timeout that fired)
 *   ok N name # SKIP reason        infra: nothing said about the kernel
 *
 * Diagnostic lines ("# key: value") precede their result line, as the
 * specification recommends. What they carry is data: a newline in a
 * console line is written as "\n", so it never starts a line of its own
 * (a "not ok" or "# Subtest:" inside a message stays inside it).
 */
#define _GNU_SOURCE
#include <string.h>

#include "report.h"
#include "util.h"

/*
 * A description is "any string of characters other than # or a newline"
 * (ktap.rst); ours are file names already (is_name), but a run set in
 * memory may hold anything: what is not [A-Za-z0-9._-] becomes '_'.
 */
static void add_name(struct sbuf *sb, const char *s)
{
	for (const char *p = s ? s : "?"; *p; p++)
		sbuf_addf(sb, "%c", strchr("._-", *p) || (*p >= 'a' && *p <= 'z') ||
				    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? *p : '_');
}

/*
 * kunit_parser.py (tools/testing/kunit, KTAP_END) stops reading KTAP at
 * any line that contains one of these console markers, wherever it stands;
 * a console line quoted in a diagnostic must not end the report, so their
 * colon is written as "\x3a".
 */
static const char *const stop_markers[] = {
	"List of all partitions:",
	"Kernel panic - not syncing: VFS:",
	"reboot: System halted",
};

static void defuse_markers(struct sbuf *sb, size_t from)
{
	for (size_t i = 0; i < ARRAY_SIZE(stop_markers); i++) {
		const char *m = stop_markers[i], *colon = strchr(m, ':'); /* each has one */
		char *hit;

		while ((hit = strstr(sb->buf + from, m))) {
			size_t at = hit - sb->buf + (colon - m);
			struct sbuf t = { 0 };

			sbuf_add(&t, sb->buf, at);
			sbuf_addf(&t, "\\x%02x", (unsigned char)sb->buf[at]);
			sbuf_addstr(&t, sb->buf + at + 1);
			sbuf_release(sb);
			*sb = t;
		}
	}
}

/* "# key: value", the value escaped onto one line. */
static void diag(struct sbuf *sb, const char *key, const char *val)
{
	size_t from = sb->len;

	if (!val || !*val)
		return;
	sbuf_addf(sb, "# %s: ", key);
	report_add_text(sb, val, NULL);
	defuse_markers(sb, from);
	sbuf_addstr(sb, "\n");
}

/* The directive's text: one line, no '#', so the SKIP stays the directive. */
static void add_directive_text(struct sbuf *sb, const char *s)
{
	size_t from = sb->len;

	report_add_text(sb, s, NULL);
	for (size_t i = from; i < sb->len; i++)
		if (sb->buf[i] == '#')
			sb->buf[i] = '_';
	defuse_markers(sb, from);
}

static void point(struct sbuf *sb, size_t n, const struct zd_result *r)
{
	const char *why;
	enum report_outcome o = report_outcome(r, &why);

	diag(sb, "kind", r->kind);
	diag(sb, "medium", r->medium);
	diag(sb, "kernel", r->commit);
	if (o != RO_PASS)
		diag(sb, "verdict", r->verdict ? r->verdict : "none");
	if (o == RO_FAIL) {
		diag(sb, "msg", r->msg);
		diag(sb, "timeout", r->timeout);
		for (size_t i = 0; i < r->signatures.n; i++)
			diag(sb, "signature", r->signatures.v[i]);
	}
	sbuf_addstr(sb, o == RO_FAIL ? "not ok " : "ok ");
	sbuf_addf(sb, "%zu ", n);
	add_name(sb, r->variant);
	sbuf_addstr(sb, ".");
	add_name(sb, r->workload);
	if (o == RO_SKIP) {
		sbuf_addstr(sb, " # SKIP ");
		add_directive_text(sb, why);
	} else if (o == RO_FAIL && r->verdict && !strcmp(r->verdict, "hang")) {
		sbuf_addstr(sb, " # TIMEOUT ");
		add_directive_text(sb, r->timeout ? r->timeout : "hang");
	}
	sbuf_addstr(sb, "\n");
}

static int ktap_write(const struct run_set *rs, FILE *f)
{
	const struct zd_result **pts;
	size_t n = report_points(rs, &pts);
	struct sbuf sb = { 0 };
	int ret;

	sbuf_addstr(&sb, "KTAP version 1\n");
	diag(&sb, "zdbench run", n ? pts[0]->run_id : NULL);
	sbuf_addf(&sb, "1..%zu\n", n);
	for (size_t i = 0; i < n; i++)
		point(&sb, i + 1, pts[i]);
	ret = fwrite(sbuf_str(&sb), 1, sb.len, f) == sb.len ? 0 : -1;
	sbuf_release(&sb);
	free(pts);
	return ret;
}

const struct report_ops report_ktap = {
	.name = "ktap",
	.what = "KTAP version 1 (kselftest): a test point per variant x workload, infra as SKIP",
	.write = ktap_write,
};
