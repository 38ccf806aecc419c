// SPDX-License-Identifier: GPL-2.0
/*
 * End to end, the kernel variants of kernels/ (see docs/variants.md): build
 * base, zone-hook, spec-gup, single-ref and zero-idle, boot each in QEMU
 * (TCG) on emulated pmem, run GUP workloads on FS-DAX pages, tear the
 * namespace down and assert on the classified console and on the agent's
 * JSON lines.
 *
 * Four invocations of `zdbench run`, twelve boots, the same five kernels:
 *  - S1: PTE-mapped GUP-fast, PIN-fast and O_DIRECT, then teardown, on all
 *    five variants in one run. spec-gup goes first: it must underflow the
 *    pgmap percpu_ref and hang in memunmap_pages, be killed at the teardown
 *    timeout, and the run must go on with the next variant.
 *  - negative controls on spec-gup: PMD-mapped fast paths and PTE-mapped
 *    slow paths stay balanced, teardown is clean.
 *  - zero-idle on the PMD-mapped fast paths and the PTE-mapped slow paths:
 *    clean, and the pgmap counts only pages in use (none once the buffer
 *    file is gone).
 *  - S2: FOLL_GET references held in an unread pipe across teardown.
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
#include <json-c/json.h>

#include "proc.h"
#include "result.h"
#include "e2e.h"
#include "util.h"

static char tmp[64];
static char *cfg;

/* GUP workloads: 4 MiB = 1024 pages, 2 gup_test passes per repetition. */
#define GUP_PAGES 1024
#define GUP_ITERS 2
#define REPS 2
#define HOLD_S 20

static const char cfg_text[] =
	"[workload gup-fast-pte]\nkind = gup\nop = gup-fast\nmapping = pte\n"
	"buf_kib = 4096\niters = 2\n\n"
	"[workload pin-fast-pte]\nkind = gup\nop = pin-fast\nmapping = pte\n"
	"buf_kib = 4096\niters = 2\n\n"
	"[workload odirect-pte]\nkind = odirect\nmapping = pte\nbuf_kib = 1024\n"
	"bs_kib = 64\niters = 200\n\n"
	"[workload gup-fast-pmd]\nkind = gup\nop = gup-fast\nmapping = pmd\n"
	"buf_kib = 4096\niters = 2\n\n"
	"[workload pin-fast-pmd]\nkind = gup\nop = pin-fast\nmapping = pmd\n"
	"buf_kib = 4096\niters = 2\n\n"
	"[workload gup-basic-pte]\nkind = gup\nop = gup-basic\nmapping = pte\n"
	"buf_kib = 4096\niters = 2\n\n"
	"[workload pin-basic-pte]\nkind = gup\nop = pin-basic\nmapping = pte\n"
	"buf_kib = 4096\niters = 2\n\n"
	"[workload hold-pte]\nkind = vmsplice\nmapping = pte\nbuf_kib = 1024\n"
	"hold_s = 20\n";

static struct out zdv(const char *const *args)
{
	return zd_argv(tmp, args, 7200);
}

static int setup(void **state)
{
	strcpy(tmp, "/tmp/zd-e2e-v-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	if (e2e_ready())
		return -1;
	cfg = xasprintf("%s/variants.ini", tmp);
	return write_file_atomic(cfg, cfg_text, strlen(cfg_text));
}

static int teardown(void **state)
{
	free(cfg);
	return rm_rf(tmp);
}

static bool has_sig_prefix(const struct zd_result *r, const char *prefix)
{
	for (size_t i = 0; i < r->signatures.n; i++)
		if (str_starts(r->signatures.v[i], prefix))
			return true;
	return false;
}

static void expect_sig(const struct zd_result *r, const char *sig)
{
	if (!has_sig(r, sig)) {
		char *all = strv_join(&r->signatures, " ");

		fail_msg("%s/%s: no signature %s (have: %s)", r->variant, r->workload, sig, all);
	}
}

static struct json_object *find_line(const struct lines *l, const char *type, const char *key,
				     const char *val)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *t = jstr(l->v[i], "type"), *v = key ? jstr(l->v[i], key) : NULL;

		if (t && !strcmp(t, type) && (!key || (v && !strcmp(v, val))))
			return l->v[i];
	}
	return NULL;
}

static struct json_object *phase_line(const struct lines *l, const char *phase, const char *state)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *t = jstr(l->v[i], "type");

		if (t && !strcmp(t, "phase") && !strcmp(jstr(l->v[i], "phase"), phase) &&
		    !strcmp(jstr(l->v[i], "state"), state))
			return l->v[i];
	}
	return NULL;
}

/* The FS-DAX pgmap's net count at `when` (pgmap_refs), or INT64_MIN. */
static int64_t pgmap_net_when(const struct lines *l, const char *when, int64_t *pages)
{
	struct json_object *o = find_line(l, "pgmap_refs", "when", when), *arr;

	if (!o || !json_object_object_get_ex(o, "pgmaps", &arr))
		return INT64_MIN;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (!strcmp(jstr(e, "type"), "fsdax")) {
			if (pages)
				*pages = jint(e, "pages", 0);
			return jint(e, "net", 0);
		}
	}
	return INT64_MIN;
}

/* The FS-DAX pgmap's net count after workload wl, or INT64_MIN. */
static int64_t pgmap_net(const struct lines *l, const char *wl, int64_t *pages)
{
	char *when = xasprintf("workload:%s", wl);
	int64_t net = pgmap_net_when(l, when, pages);

	free(when);
	return net;
}

static const char *const s1_wls[] = { "gup-fast-pte", "pin-fast-pte", "odirect-pte" };

static void expect_s1_clean(const char *dir, const char *variant)
{
	struct lines l = read_lines(dir, variant);
	struct json_object *te = phase_line(&l, "teardown", "end");
	int64_t pages = 0;

	for (size_t w = 0; w < ARRAY_SIZE(s1_wls); w++) {
		struct zd_result r = read_result(dir, variant, s1_wls[w]);
		int64_t net = pgmap_net(&l, s1_wls[w], &pages);

		if (strcmp(r.verdict, "clean"))
			fail_msg("%s/%s: verdict %s (%s)", variant, s1_wls[w], r.verdict,
				 r.msg ? r.msg : "");
		assert_true(r.ok);
		assert_null(r.timeout);
		assert_int_equal(r.signatures.n, 0);
		assert_int_equal(r.nr_samples, REPS);
		for (size_t i = 0; i < r.nr_samples; i++) {
			assert_true(r.samples[i].ns_per_page > 0);
			if (w == 0) {
				assert_int_equal(r.samples[i].pages, GUP_PAGES * GUP_ITERS);
				assert_int_equal(r.samples[i].pin_acquired, 0);
			} else if (w == 1) {
				assert_int_equal(r.samples[i].pin_acquired, GUP_PAGES * GUP_ITERS);
				assert_int_equal(r.samples[i].pin_released, GUP_PAGES * GUP_ITERS);
			}
		}
		/* The oracle: nothing left over after each workload. */
		if (!strcmp(variant, "base"))
			assert_true(net == INT64_MIN); /* no pgmap_refs in stock 6.12 */
		else if (!strcmp(variant, "zone-hook"))
			assert_int_equal(net, 1);
		else if (!strcmp(variant, "single-ref"))
			assert_int_equal(net, 1 + pages);
		else if (!strcmp(variant, "zero-idle"))
			/* idle pages hold nothing; the buffer file is gone */
			assert_int_equal(net, 1);
		result_free(&r);
	}
	if (!strcmp(variant, "zero-idle")) {
		assert_int_equal(pgmap_net_when(&l, "before teardown", NULL), 1);
		assert_int_equal(pgmap_net_when(&l, "after umount", NULL), 1);
	}
	assert_non_null(te);
	assert_true(jbool(te, "ok", false));
	assert_non_null(find_line(&l, "done", NULL, NULL));
	assert_true(jbool(find_line(&l, "done", NULL, NULL), "ok", false));
	lines_free(&l);
}

/*
 * S1 on all four variants, one run: spec-gup first (underflow + hang,
 * killed at the teardown timeout), then base, zone-hook and single-ref
 * clean with teardown completed.
 */
static void test_s1_pte_gup_fast(void **state)
{
	char *dir = xasprintf("%s/s1", tmp);
	const char *args[] = { "run", "--accel", "tcg", "-c", cfg, "-o", dir,
			       "--variant", "spec-gup", "--variant", "base",
			       "--variant", "zone-hook", "--variant", "single-ref",
			       "--variant", "zero-idle",
			       "--workload", "gup-fast-pte", "--workload", "pin-fast-pte",
			       "--workload", "odirect-pte", "--reps", "2",
			       "-s", "qemu.teardown_timeout=60", "-s", "qemu.hung_task_timeout=10",
			       NULL };
	struct out o = zdv(args);
	struct lines l;
	int64_t net, pages = 0;

	/* spec-gup hangs: not all clean, but no harness error. */
	if (o.code != 1)
		fail_msg("zdbench run: exit %d, expected 1:\n%s", o.code, o.text);

	for (size_t w = 0; w < ARRAY_SIZE(s1_wls); w++) {
		struct zd_result r = read_result(dir, "spec-gup", s1_wls[w]);

		assert_string_equal(r.verdict, "hang");
		/*
		 * The agent gives up on the stuck ndctl at its own teardown
		 * timeout (3/4 of the host's), ends the teardown phase failed and
		 * reports done; the guest's reboot then blocks behind the stuck
		 * unbind, and the host kills QEMU: recorded as the teardown
		 * timeout, since a failed teardown is what hung.
		 */
		assert_non_null(r.timeout);
		assert_string_equal(r.timeout, "teardown");
		assert_false(r.ok);
		expect_sig(&r, "percpu_ref_underflow:dev_pagemap_percpu_release@teardown");
		expect_sig(&r, "WARNING:at_lib/percpu-refcount.c:percpu_ref_switch_to_atomic_rcu"
			       "@teardown");
		expect_sig(&r, "INFO:task_blocked:memunmap_pages@teardown");
		/* QEMU is killed 10 s after the failed teardown, before the
		 * blocked reboot (device_shutdown) is reported: the harness's
		 * own timeout stands for it */
		expect_sig(&r, "TIMEOUT:teardown@teardown");
		/* The workloads themselves ran fine: the samples are recorded. */
		assert_int_equal(r.nr_samples, REPS);
		result_free(&r);
	}
	/*
	 * Drift is visible before teardown: every GUP-fast FOLL_GET was
	 * dropped from the pgmap without being taken (1 each), then every
	 * PIN-fast (1024 each).
	 */
	l = read_lines(dir, "spec-gup");
	net = pgmap_net(&l, "gup-fast-pte", &pages);
	assert_int_equal(net, 1 - (int64_t)GUP_PAGES * GUP_ITERS * REPS);
	net = pgmap_net(&l, "pin-fast-pte", NULL);
	assert_int_equal(net, 1 - (int64_t)GUP_PAGES * GUP_ITERS * REPS * 1025);
	assert_true(pgmap_net(&l, "odirect-pte", NULL) < net);
	/* The WARN prints the same count pgmap_refs showed before teardown. */
	net = pgmap_net(&l, "odirect-pte", NULL);
	assert_non_null(phase_line(&l, "teardown", "begin"));
	assert_false(jbool(phase_line(&l, "teardown", "end"), "ok", true));
	{
		struct json_object *e = find_line(&l, "error", "phase", "teardown");

		assert_non_null(e);
		assert_non_null(strstr(jstr(e, "msg"), "ndctl disable-namespace"));
		assert_non_null(strstr(jstr(e, "msg"), "not reapable"));
	}
	assert_false(jbool(find_line(&l, "done", NULL, NULL), "ok", true));
	lines_free(&l);
	{
		char *con = xasprintf("%s/spec-gup/console.log", dir);
		char *text = read_file(con, NULL);

		assert_non_null(text);
		char *want = xasprintf("percpu ref (dev_pagemap_percpu_release) <= 0 (%lld) "
				       "after switching to atomic", (long long)net);

		if (!strstr(text, want))
			fail_msg("console lacks '%s'", want);
		free(want);
		free(text);
		free(con);
	}

	/* ... and the run went on: the other four are clean. */
	expect_s1_clean(dir, "base");
	expect_s1_clean(dir, "zone-hook");
	expect_s1_clean(dir, "single-ref");
	expect_s1_clean(dir, "zero-idle");
	free(dir);
	free(o.text);
}

/*
 * The PMD-mapped fast paths and the PTE-mapped slow paths on one variant,
 * then teardown: every workload clean with REPS samples of GUP_PAGES *
 * GUP_ITERS pages (pins balanced for the pin workloads), and the pgmap
 * back to its initial reference after each one. The variant's lines are
 * left in *l for the caller's own checks (lines_free them).
 */
static void pmd_and_slow_clean(const char *variant, struct lines *l)
{
	static const char *const wls[] = { "gup-fast-pmd", "pin-fast-pmd", "gup-basic-pte",
					   "pin-basic-pte" };
	char *dir = xasprintf("%s/pmd-slow-%s", tmp, variant);
	const char *args[] = { "run", "--accel", "tcg", "-c", cfg, "-o", dir,
			       "--variant", variant, "--workload", wls[0],
			       "--workload", wls[1], "--workload", wls[2],
			       "--workload", wls[3], "--reps", "2",
			       "-s", "qemu.teardown_timeout=60", "-s", "qemu.hung_task_timeout=10",
			       NULL };
	struct out o = zdv(args);

	if (o.code != 0)
		fail_msg("zdbench run: exit %d, expected 0:\n%s", o.code, o.text);
	*l = read_lines(dir, variant);
	for (size_t w = 0; w < ARRAY_SIZE(wls); w++) {
		struct zd_result r = read_result(dir, variant, wls[w]);

		assert_string_equal(r.verdict, "clean");
		assert_true(r.ok);
		assert_null(r.timeout);
		assert_int_equal(r.signatures.n, 0);
		assert_int_equal(r.nr_samples, REPS);
		for (size_t i = 0; i < r.nr_samples; i++) {
			assert_int_equal(r.samples[i].pages, GUP_PAGES * GUP_ITERS);
			if (str_starts(wls[w], "pin-"))
				assert_int_equal(r.samples[i].pin_released, GUP_PAGES * GUP_ITERS);
		}
		/* Balanced after every workload, not just at the end. */
		assert_int_equal(pgmap_net(l, wls[w], NULL), 1);
		result_free(&r);
	}
	assert_true(jbool(phase_line(l, "teardown", "end"), "ok", false));
	free(dir);
	free(o.text);
}

/* spec-gup negative controls: PMD-mapped fast GUP and slow GUP are hooked. */
static void test_specgup_negative_controls(void **state)
{
	struct lines l;

	pmd_and_slow_clean("spec-gup", &l);
	lines_free(&l);
}

/*
 * zero-idle beyond S1: the PMD-mapped fast paths (gup_fast_devmap_leaf(),
 * no pgmap lookup for FS-DAX any more) and the PTE-mapped slow paths
 * (follow_page_pte(), likewise), then teardown. Every workload unlinks its
 * buffer file, whose eviction drops the mapping's page references: the
 * pgmap is back to its initial reference alone after each one, and after
 * the umount.
 */
static void test_zeroidle_pmd_and_slow(void **state)
{
	struct lines l;

	pmd_and_slow_clean("zero-idle", &l);
	assert_int_equal(pgmap_net_when(&l, "after umount", NULL), 1);
	assert_true(jbool(find_line(&l, "done", NULL, NULL), "ok", false));
	lines_free(&l);
}

/*
 * S2 on a kernel that waits for the pipe (zone-hook, single-ref: in
 * memunmap_pages(); zero-idle: in umount): teardown ends after the
 * release, having taken at least the hold, cleanly; the hung-task
 * reports make the verdict hang, with no underflow and no oops; the
 * holder closed its pipe itself (no oops in put_page).
 */
static void expect_waited_for_pipe(const struct zd_result *r, struct json_object *tb,
				   struct json_object *te, struct json_object *h, int64_t t_rel)
{
	assert_true(jint(te, "t_ns", 0) >= t_rel);
	assert_true(jint(te, "t_ns", 0) - jint(tb, "t_ns", 0) >= (HOLD_S - 5) * 1000000000LL);
	assert_true(jbool(te, "ok", false));
	assert_null(r->timeout);
	assert_string_equal(r->verdict, "hang");
	assert_false(has_sig_prefix(r, "percpu_ref_underflow"));
	assert_false(has_sig_prefix(r, "OOPS"));
	assert_true(jint(h, "t_closed_ns", 0) >= t_rel);
}

/*
 * S2: 256 PTE-mapped pages vmspliced into a pipe nobody reads, held for
 * HOLD_S seconds across umount + disable-namespace.
 */
static void test_s2_held_references(void **state)
{
	static const char *const vs[] = { "zone-hook", "single-ref", "base", "spec-gup",
					  "zero-idle" };
	char *dir = xasprintf("%s/s2", tmp);
	const char *args[] = { "run", "--accel", "tcg", "-c", cfg, "-o", dir,
			       "--variant", "zone-hook", "--variant", "single-ref",
			       "--variant", "base", "--variant", "spec-gup",
			       "--variant", "zero-idle",
			       "--workload", "hold-pte", "--reps", "1",
			       "-s", "qemu.teardown_timeout=120", "-s", "qemu.hung_task_timeout=5",
			       NULL };
	struct out o = zdv(args);

	assert_true(o.code == 0 || o.code == 1);
	for (size_t v = 0; v < ARRAY_SIZE(vs); v++) {
		struct zd_result r = read_result(dir, vs[v], "hold-pte");
		struct lines l = read_lines(dir, vs[v]);
		struct json_object *tb = phase_line(&l, "teardown", "begin");
		struct json_object *te = phase_line(&l, "teardown", "end");
		struct json_object *h = find_line(&l, "hold", "workload", "hold-pte");
		int64_t t_rel;

		assert_non_null(tb);
		assert_non_null(te);
		assert_non_null(h);
		assert_int_equal(jint(h, "pages", 0), 256);
		t_rel = jint(h, "t_release_ns", 0);
		assert_true(t_rel > 0);
		if (!strcmp(vs[v], "zero-idle")) {
			/*
			 * Eviction waits for the pipe's references instead of
			 * warning: umount sits in D state in
			 * dax_break_layout_final() until the pipe closes, then the
			 * pages are idle, the pgmap holds nothing for them and
			 * disable-namespace has nothing to wait for.
			 */
			assert_false(has_sig(&r, "WARNING:at_fs/dax.c:dax_disassociate_entry"
					     "@teardown"));
			expect_waited_for_pipe(&r, tb, te, h, t_rel);
			expect_sig(&r, "INFO:task_blocked:dax_break_layout_final@teardown");
			assert_false(has_sig(&r, "INFO:task_blocked:memunmap_pages@teardown"));
			/* the held file's 256 pages are associated, nothing else */
			assert_int_equal(pgmap_net_when(&l, "before teardown", NULL), 1 + 256);
			assert_int_equal(pgmap_net_when(&l, "after umount", NULL), 1);
			lines_free(&l);
			result_free(&r);
			continue;
		}
		/* umount evicts the inode with its pages still referenced. */
		expect_sig(&r, "WARNING:at_fs/dax.c:dax_disassociate_entry@teardown");
		if (v < 2) {
			expect_waited_for_pipe(&r, tb, te, h, t_rel);
			/* ndctl sits in D state in memunmap_pages() meanwhile. */
			expect_sig(&r, "INFO:task_blocked:memunmap_pages@teardown");
		} else {
			/*
			 * base (static per-page refs) and spec-gup (the PTE helper's
			 * references were never counted): teardown does not wait for
			 * the pipe and unmaps the memmap under it; closing the pipe
			 * then faults in put_page() on the freed vmemmap, and the oops
			 * kills the holder inside close().
			 */
			assert_true(jint(te, "t_ns", 0) < t_rel);
			assert_true(jbool(te, "ok", false));
			assert_false(has_sig(&r, "INFO:task_blocked:memunmap_pages@teardown"));
			assert_string_equal(r.verdict, "crash");
			/* one oops, one finding (the die() line is the same report) */
			expect_sig(&r, "PAGE_FAULT:put_page@teardown");
			assert_false(has_sig(&r, "OOPS:Oops:put_page@teardown"));
			assert_int_equal(jint(h, "t_closed_ns", -1), 0);
			assert_int_equal(jint(h, "signal", 0), 9);
		}
		lines_free(&l);
		result_free(&r);
	}
	free(dir);
	free(o.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s1_pte_gup_fast),
		cmocka_unit_test(test_specgup_negative_controls),
		cmocka_unit_test(test_zeroidle_pmd_and_slow),
		cmocka_unit_test(test_s2_held_references),
	};

	e2e_filter();
	return cmocka_run_group_tests_name("variants", tests, setup, teardown);
}
