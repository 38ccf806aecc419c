// SPDX-License-Identifier: GPL-2.0
/*
 * End to end, seed 004 (issue 18 item 3; the text is
 * seed document 003_940a08309f293622, Gunthorpe and Williams,
 * October 2015): two failure modes of early ZONE_DEVICE GUP, recreated on
 * 6.12 as kernels/bug-gup-loop and kernels/bug-mapping, each classified
 * with its own signature, and base clean on the same two workloads (so
 * the signature is the patch's, not the workload's):
 *  - bug-gup-loop: slow GUP (gup_test GUP_BASIC) on a PTE-mapped FS-DAX
 *    buffer never returns; no kernel detector fires (cond_resched() in the
 *    loop), the harness's step timeout kills the guest: a hang, SIG_LOOP;
 *  - bug-mapping: an O_DIRECT read into an FS-DAX buffer that only slow
 *    GUP pinned (prefault = 0) oopses when the block layer dirties the
 *    pages: a crash, SIG_MAP, in the dirtying path.
 * The history bisection by SIG_LOOP is in test_bisect_history.c.
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

#include "e2e.h"
#include "result.h"
#include "seedbugs.h"
#include "util.h"

static char tmp[64];
static char *cfg;

static int setup(void **state)
{
	strcpy(tmp, "/tmp/zd-e2e-seed-XXXXXX");
	if (!mkdtemp(tmp) || e2e_ready())
		return -1;
	cfg = xasprintf("%s/seed.ini", tmp);
	if (write_file_atomic(cfg, SEED_CFG, strlen(SEED_CFG)))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	rm_rf(tmp);
	free(cfg);
	return 0;
}

/* One run of VARIANT with WORKLOAD; its result read into *r. */
static void run_one(const char *variant, const char *workload, struct zd_result *r)
{
	/* one run folder per run: a folder holding a run is refused */
	char *out = xasprintf("%s/%s-%s", tmp, variant, workload), *p, *err = NULL;
	const char *args[] = { "run", "-q", "-c", cfg, "--variant", variant, "--workload",
			       workload, "--reps", "1", "--accel", "tcg", "-o", out,
			       "-s", "qemu.step_timeout=" SEED_STEP_TIMEOUT,
			       "-s", "qemu.teardown_timeout=60", NULL };
	struct out o = zd_argv(tmp, args, 1800);

	p = xasprintf("%s/%s/%s.json", out, variant, workload);
	if (result_read(p, r, &err))
		fail_msg("%s/%s: no result (%s); zdbench run exit %d:\n%s", variant, workload,
			 err, o.code, o.text);
	print_message("%s/%s: verdict %s, %zu signature(s)%s%s\n", variant, workload,
		      r->verdict, r->signatures.n, r->signatures.n ? ", first " : "",
		      r->signatures.n ? r->signatures.v[0] : "");
	free(o.text);
	free(p);
	free(out);
}

/* A signature of this key in any phase (KEY@phase). */
static bool has_key(const struct zd_result *r, const char *want)
{
	for (size_t i = 0; i < r->signatures.n; i++)
		if (!strncmp(r->signatures.v[i], want, strlen(want)) &&
		    r->signatures.v[i][strlen(want)] == '@')
			return true;
	return false;
}

static void expect(const char *variant, const char *workload, const char *verdict,
		   const char *sig)
{
	struct zd_result r;

	run_one(variant, workload, &r);
	if (strcmp(r.verdict, verdict))
		fail_msg("%s/%s: verdict %s, expected %s", variant, workload, r.verdict, verdict);
	if (sig && !has_key(&r, sig)) {
		for (size_t i = 0; i < r.signatures.n; i++)
			print_message("  signature %s\n", r.signatures.v[i]);
		fail_msg("%s/%s: no signature %s", variant, workload, sig);
	}
	result_free(&r);
}

/* The negative control: both workloads are clean on stock 6.12. */
static void test_base_clean(void **state)
{
	expect("base", SEED_WL_LOOP, "clean", NULL);
	expect("base", SEED_WL_MAP, "clean", NULL);
}

static void test_gup_loop_hangs(void **state)
{
	expect("bug-gup-loop", SEED_WL_LOOP, "hang", SEED_SIG_LOOP);
}

static void test_mapping_oopses(void **state)
{
	expect("bug-mapping", SEED_WL_MAP, "crash", SEED_SIG_MAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_clean),
		cmocka_unit_test(test_gup_loop_hangs),
		cmocka_unit_test(test_mapping_oopses),
	};

	e2e_filter();
	return cmocka_run_group_tests_name("seed-bugs-e2e", tests, setup, teardown);
}
