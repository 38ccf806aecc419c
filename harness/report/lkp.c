// SPDX-License-Identifier: GPL-2.0
/*
 * lkp-style stats: one "key: value" a line, as lkp-tests' stats scripts
 * print them and its matrix tools read them (lkp-tests stats/dmesg:
 * "dmesg.<error id>: 1" once per error id, "dmesg.boot_failures: 1" when
 * there is any, "# text" lines as comments; lib/dmesg.rb's error ids, e.g.
 * "dmesg.WARNING:at_fs/dax.c:#dax_disassociate_entry" with the line number
 * as "#"). zdbench's own keys follow lkp's "<testcase>.<metric>" naming:
 *
 *   zdbench.<workload>.<metric>: the median (metric.h's table)
 *   zdbench.<workload>.fail: 1      a kernel failure of that workload
 *   zdbench.<workload>.skip: 1      infra trouble (nothing about the kernel)
 *   dmesg.<lkp key>: 1              each console finding, once
 *
 * A lkp job is one kernel; a run set of several variants is written as
 * one block per variant, each opened by a "# variant: NAME" comment.
 * Keys are data made safe: whitespace and control characters become '_',
 * so a key never holds ": " and a line never breaks in two.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

static void key(struct sbuf *sb, const char *s)
{
	size_t from = sb->len;

	report_add_text(sb, s ? s : "", NULL);
	for (size_t i = from; i < sb->len; i++)
		if (sb->buf[i] == ' ' || sb->buf[i] == '\\')
			sb->buf[i] = '_';
}

static void variant_block(struct sbuf *sb, const struct zd_result **pts, size_t n,
			  const char *variant, bool header)
{
	struct strv dmesg = { 0 };

	if (header) {
		sbuf_addstr(sb, "# variant: ");
		key(sb, variant);
		sbuf_addstr(sb, "\n");
	}
	for (size_t i = 0; i < n; i++) {
		const struct zd_result *r = pts[i];
		enum report_outcome o = report_outcome(r, NULL);

		if (strcmp(r->variant ? r->variant : "", variant))
			continue;
		for (size_t m = 0; m < zd_nr_metrics; m++) {
			size_t k;
			double med = report_median(&zd_metrics[m], r, &k);

			if (!k || !isfinite(med))
				continue;
			sbuf_addstr(sb, "zdbench.");
			key(sb, r->workload);
			sbuf_addf(sb, ".%s: %.10g\n", zd_metrics[m].name, med);
		}
		if (o != RO_PASS) {
			sbuf_addstr(sb, "zdbench.");
			key(sb, r->workload);
			sbuf_addstr(sb, o == RO_FAIL ? ".fail: 1\n" : ".skip: 1\n");
		}
		for (size_t f = 0; f < r->nr_findings; f++) {
			char *k = report_lkp_key(r, f);
			bool seen = false;

			for (size_t j = 0; j < dmesg.n && !seen; j++)
				seen = !strcmp(dmesg.v[j], k);
			if (!seen)
				strv_push(&dmesg, k);
			free(k);
		}
	}
	/* lkp counts a boot with any error id as a boot failure */
	if (dmesg.n)
		sbuf_addstr(sb, "dmesg.boot_failures: 1\n");
	for (size_t j = 0; j < dmesg.n; j++) {
		key(sb, dmesg.v[j]);
		sbuf_addstr(sb, ": 1\n");
	}
	strv_free(&dmesg);
}

static int lkp_write(const struct run_set *rs, FILE *f)
{
	const struct zd_result **pts;
	size_t n = report_points(rs, &pts);
	struct sbuf sb = { 0 };
	int ret;

	sbuf_addstr(&sb, "");
	for (size_t v = 0; v < rs->variants.n; v++) {
		if (v)
			sbuf_addstr(&sb, "\n");
		variant_block(&sb, pts, n, rs->variants.v[v], rs->variants.n > 1);
	}
	ret = fwrite(sbuf_str(&sb), 1, sb.len, f) == sb.len ? 0 : -1;
	sbuf_release(&sb);
	free(pts);
	return ret;
}

const struct report_ops report_lkp = {
	.name = "lkp",
	.what = "lkp-style stats: zdbench.<workload>.<metric> medians, dmesg.<key> per finding",
	.write = lkp_write,
};
