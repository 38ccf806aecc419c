// SPDX-License-Identifier: GPL-2.0
/*
 * End to end, the kinds for the cost a refcount-0-at-idle design moves
 * (issue 18): one run of base (6.12) and zero-idle (kernels/zero-idle) in
 * QEMU on emulated pmem, each kernel running
 *  - mapcycle with PTE and PMD mappings (write and read touch), with fresh
 *    entries (the blocks punched out after each cycle, or a window of the
 *    file never mapped before, PTE and PMD) and its anonymous-memory
 *    control: clean, per-page fault-in and zap times
 *    reported, the mapping proven by the fault count (one per page for
 *    PTE, one per 2 MiB for PMD);
 *  - truncpin with PTE and PMD mappings: truncate of a file whose pages an
 *    O_DIRECT read holds pinned waits for the pin to go on both kernels
 *    (as measured, docs/variants.md "truncate while pinned" and zero-idle
 *    P8), returns within a few milliseconds of the release, and the
 *    truncated file reads back zeros;
 *  - truncpin with the file unmapped before truncate (docs/variants.md
 *    zero-idle P9): base's dax_layout_busy_page() skips a file nothing
 *    maps, so truncate returns under the pin and dax_disassociate_entry()
 *    WARNs; zero-idle scans anyway and waits, with no warning.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "e2e.h"
#include "json.h"
#include "proc.h"
#include "result.h"
#include "util.h"

#define REPS 2
#define MC_KIB 4096
#define MC_ITERS 4
#define MC_PAGES ((MC_KIB / 4) * MC_ITERS) /* per repetition */
#define HOLD_MS 1500

static char tmp[64];
static char *cfg, *out, *out_um;

static const char cfg_text[] =
	"[workload mc-pte]\nkind = mapcycle\nmapping = pte\ntouch = write\n"
	"buf_kib = 4096\niters = 4\n\n"
	"[workload mc-pmd]\nkind = mapcycle\nmapping = pmd\ntouch = write\n"
	"buf_kib = 4096\niters = 4\n\n"
	"[workload mc-pmd-read]\nkind = mapcycle\nmapping = pmd\ntouch = read\n"
	"buf_kib = 4096\niters = 4\n\n"
	"[workload mc-pte-anon]\nkind = mapcycle\nmapping = pte\nmemory = anon\n"
	"buf_kib = 4096\niters = 4\n\n"
	"[workload mc-pte-fresh]\nkind = mapcycle\nmapping = pte\ntouch = write\n"
	"buf_kib = 4096\niters = 4\nfresh = punch\n\n"
	"[workload mc-pte-window]\nkind = mapcycle\nmapping = pte\ntouch = write\n"
	"buf_kib = 4096\niters = 4\nfresh = window\n\n"
	"[workload mc-pmd-window]\nkind = mapcycle\nmapping = pmd\ntouch = read\n"
	"buf_kib = 4096\niters = 4\nfresh = window\n\n"
	"[workload tp-pte]\nkind = truncpin\nmapping = pte\nbuf_kib = 64\n"
	"hold_ms = 1500\nwait_ms = 10000\n\n"
	"[workload tp-pmd]\nkind = truncpin\nmapping = pmd\nbuf_kib = 2048\n"
	"hold_ms = 1500\nwait_ms = 10000\n\n"
	"[workload tp-pte-unmapped]\nkind = truncpin\nmapping = pte\nbuf_kib = 64\n"
	"hold_ms = 1500\nwait_ms = 10000\nunmap = yes\n";

static const char *const variants[] = { "base", "zero-idle" };
static const char *const mc_wls[] = { "mc-pte", "mc-pmd", "mc-pmd-read", "mc-pte-anon",
				      "mc-pte-fresh", "mc-pte-window", "mc-pmd-window" };
static const char *const tp_wls[] = { "tp-pte", "tp-pmd" };

/* zdbench run of both kernels into DIR with WORKLOADS; 0, or -1 unless it exits CODE. */
static int run_both(const char *dir, const char *const *workloads, int code)
{
	struct strv av = { 0 };
	struct out o;
	int ret = 0;

	strv_push(&av, "run");
	strv_push(&av, "-c");
	strv_push(&av, cfg);
	strv_push(&av, "--variant");
	strv_push(&av, "base");
	strv_push(&av, "--variant");
	strv_push(&av, "zero-idle");
	strv_push(&av, "--reps");
	strv_push(&av, "2");
	strv_push(&av, "-o");
	strv_push(&av, dir);
	for (const char *const *w = workloads; *w; w++) {
		strv_push(&av, "--workload");
		strv_push(&av, *w);
	}
	o = zd_argv(tmp, (const char *const *)av.v, 2400);
	if (o.code != code) {
		fprintf(stderr, "zdbench run exited %d, expected %d:\n%s\n", o.code, code, o.text);
		ret = -1;
	}
	free(o.text);
	strv_free(&av);
	return ret;
}

static int setup(void **state)
{
	/* PMD windows before the punched and deleted files unalign ext4's free space */
	static const char *const clean[] = { "mc-pte", "mc-pmd", "mc-pmd-read", "mc-pmd-window",
					     "mc-pte-anon", "mc-pte-fresh", "mc-pte-window",
					     "tp-pte", "tp-pmd", NULL };
	static const char *const unmapped[] = { "tp-pte-unmapped", NULL };

	strcpy(tmp, "/tmp/zd-e2e-mc-XXXXXX");
	if (!mkdtemp(tmp) || e2e_ready())
		return -1;
	cfg = xasprintf("%s/mapcycle.ini", tmp);
	out = xasprintf("%s/r", tmp);
	out_um = xasprintf("%s/um", tmp);
	if (write_file_atomic(cfg, cfg_text, strlen(cfg_text)))
		return -1;
	/*
	 * One boot per kernel for the clean workloads; the unmapped truncate
	 * boots apart: base's WARN there is a finding of its whole boot, and
	 * would fail every workload that shared it (exit 1).
	 */
	return run_both(out, clean, 0) || run_both(out_um, unmapped, 1) ? -1 : 0;
}

static int teardown(void **state)
{
	free(cfg);
	free(out);
	free(out_um);
	return rm_rf(tmp);
}

static void expect_clean(const struct zd_result *r)
{
	if (strcmp(r->verdict, "clean"))
		fail_msg("%s: verdict %s (%s)", r->workload, r->verdict, r->msg ? r->msg : "");
	assert_int_equal(r->nr_samples, REPS);
}

static double extra(const struct zd_sample *s, const char *name)
{
	double v = sample_extra(s, name);

	if (!isfinite(v))
		fail_msg("sample rep %d lacks %s", s->rep, name);
	return v;
}

/*
 * Clean on both kernels, fault-in and zap per page reported, the mapping
 * proven by the faults; fresh entries also report the punch.
 */
static void test_mapcycle_clean_with_fault_and_zap(void **state)
{
	for (size_t v = 0; v < ARRAY_SIZE(variants); v++) {
		for (size_t i = 0; i < ARRAY_SIZE(mc_wls); i++) {
			struct zd_result r = read_result(out, variants[v], mc_wls[i]);
			bool pmd = strstr(mc_wls[i], "pmd") != NULL;
			bool punch = strstr(mc_wls[i], "fresh") != NULL;

			expect_clean(&r);
			if (!check_ok(&r, "dax_mapping"))
				fail_msg("%s/%s: no passing dax_mapping check", variants[v], mc_wls[i]);
			for (size_t j = 0; j < r.nr_samples; j++) {
				const struct zd_sample *s = &r.samples[j];
				double fault = extra(s, "fault_ns_per_page");
				double zap = extra(s, "zap_ns_per_page");

				print_message("%s/%s rep %d: fault %.0f ns/page, zap %.0f ns/page, "
					      "%.0f faults\n", variants[v], mc_wls[i], s->rep, fault, zap,
					      extra(s, "page_faults"));
				assert_int_equal(s->pages, MC_PAGES);
				assert_true(fault > 0 && zap > 0);
				/* the primary metric is the fault-in */
				assert_true(fabs(s->ns_per_page - fault) < 0.01);
				assert_true(extra(s, "cycles") == MC_ITERS);
				/* PTE: a fault per page; PMD: one per 2 MiB (a fallback costs 512) */
				if (pmd)
					assert_true(extra(s, "page_faults") >= MC_PAGES / 512 &&
						    extra(s, "page_faults") <=
							    MC_PAGES / 512 + 4 * MC_ITERS + 8);
				else
					assert_true(extra(s, "page_faults") >= MC_PAGES);
				if (punch)
					assert_true(extra(s, "punch_ns_per_page") > 0);
				else
					assert_false(isfinite(sample_extra(s, "punch_ns_per_page")));
			}
			result_free(&r);
		}
	}
}

/* The outcome string is in the agent's line (results.jsonl), not the result. */
static const char *outcome_of(const struct lines *l, const char *wl, int rep)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *t = jstr(l->v[i], "type"), *w = jstr(l->v[i], "workload");

		if (t && w && !strcmp(t, "sample") && !strcmp(w, wl) &&
		    jint(l->v[i], "rep", -1) == rep)
			return jstr(l->v[i], "truncate_outcome");
	}
	return NULL;
}

/*
 * Truncate waited for the pin and ended just after the release, nothing
 * warned, the file reads back zeros: base and zero-idle with the file
 * mapped (P8), zero-idle also with it unmapped (P9).
 */
static void expect_waited(const char *dir, const char *variant, const char *wl, bool mapped)
{
	struct zd_result r = read_result(dir, variant, wl);
	struct lines l = read_lines(dir, variant);

	expect_clean(&r);
	for (size_t j = 0; j < r.nr_samples; j++) {
		const struct zd_sample *s = &r.samples[j];
		const char *oc = outcome_of(&l, wl, s->rep);
		double trunc = extra(s, "truncate_ns"), after = extra(s, "truncate_end_after_release_ns");

		print_message("%s/%s rep %d: truncate %s after %.1f ms, %.1f ms after the release; "
			      "pin held %.1f ms\n", variant, wl, s->rep, oc ? oc : "?", trunc / 1e6,
			      after / 1e6, extra(s, "pin_held_ns") / 1e6);
		if (!oc || strcmp(oc, "waited"))
			fail_msg("%s/%s rep %d: truncate_outcome %s, expected waited", variant, wl,
				 s->rep, oc ? oc : "(none)");
		assert_true(extra(s, "truncate_waited") == 1);
		assert_true(extra(s, "truncate_returned") == 0);
		assert_true(extra(s, "truncate_timed_out") == 0);
		assert_true(extra(s, "mapped_at_truncate") == mapped);
		assert_true(extra(s, "pinned_pages") == s->pages);
		/* it began with most of the hold left and ended just after the release */
		assert_true(extra(s, "pin_left_at_truncate_ns") > HOLD_MS * 1e6 / 2);
		assert_true(trunc > HOLD_MS * 1e6 / 2);
		/* woken by the unpin (+0.1 ms under icount; a shared host adds noise) */
		assert_true(after > -50e6 && after < 1000e6);
		assert_true(extra(s, "readback_stale_pages") == 0);
		assert_true(extra(s, "kernel_warned") == 0);
	}
	lines_free(&l);
	result_free(&r);
}

/* Both kernels wait in ext4_break_layouts() until the pin is released (P8). */
static void test_truncpin_waits_while_mapped(void **state)
{
	for (size_t v = 0; v < ARRAY_SIZE(variants); v++)
		for (size_t i = 0; i < ARRAY_SIZE(tp_wls); i++)
			expect_waited(out, variants[v], tp_wls[i], true);
}

/*
 * P9: the pinned file unmapped before truncate. zero-idle waits as above;
 * base takes the file for idle (!mapping_mapped()), truncates under the
 * pin, and dax_disassociate_entry() WARNs once (WARN_ON_ONCE: the first
 * repetition) on the pinned page's count; the truncated file still reads
 * zeros (the slow device writes no data).
 */
static void test_truncpin_unmapped(void **state)
{
	struct zd_result r = read_result(out_um, "base", "tp-pte-unmapped");
	struct lines l = read_lines(out_um, "base");

	expect_waited(out_um, "zero-idle", "tp-pte-unmapped", false);
	assert_string_not_equal(r.verdict, "clean");
	assert_int_equal(r.nr_samples, REPS);
	if (!has_sig(&r, "WARNING:at_fs/dax.c:dax_disassociate_entry@workload:tp-pte-unmapped")) {
		char *all = strv_join(&r.signatures, " ");

		fail_msg("base/tp-pte-unmapped: no dax_disassociate_entry WARNING (have: %s)", all);
	}
	for (size_t j = 0; j < r.nr_samples; j++) {
		const struct zd_sample *s = &r.samples[j];
		const char *oc = outcome_of(&l, "tp-pte-unmapped", s->rep);

		print_message("base/tp-pte-unmapped rep %d: truncate %s after %.1f ms, %.1f ms "
			      "before the release\n", s->rep, oc ? oc : "?",
			      extra(s, "truncate_ns") / 1e6,
			      -extra(s, "truncate_end_after_release_ns") / 1e6);
		if (!oc || strcmp(oc, "returned"))
			fail_msg("base/tp-pte-unmapped rep %d: truncate_outcome %s, expected returned",
				 s->rep, oc ? oc : "(none)");
		assert_true(extra(s, "truncate_returned") == 1);
		assert_true(extra(s, "mapped_at_truncate") == 0);
		assert_true(extra(s, "pinned_pages") == s->pages);
		/* returned with most of the hold still ahead */
		assert_true(extra(s, "truncate_end_after_release_ns") < -HOLD_MS * 1e6 / 2);
		assert_true(extra(s, "readback_stale_pages") == 0);
		assert_true(extra(s, "kernel_warned") == (s->rep == 0));
	}
	lines_free(&l);
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapcycle_clean_with_fault_and_zap),
		cmocka_unit_test(test_truncpin_waits_while_mapped),
		cmocka_unit_test(test_truncpin_unmapped),
	};

	e2e_filter();
	return cmocka_run_group_tests_name("mapcycle", tests, setup, teardown);
}
