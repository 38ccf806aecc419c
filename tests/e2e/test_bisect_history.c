// SPDX-License-Identifier: GPL-2.0
/*
 * Bisection end to end on the regression history (kernels/history, 16
 * commits, three culprits): zdbench bisect and git bisect run + zdbench
 * bisect-run must both name 0008 "mm/gup: take GUP-fast PTE references
 * with the speculative get"; bisecting by seed 004's GUP loop (a step that
 * spins in slow GUP) with a slow-GUP workload names 0011, up to the last
 * commit that loops (0013 fixes it); bisecting by seed 004's oops in
 * folio_mark_dirty() with a slow-GUP O_DIRECT read names 0014, across the
 * commits where that read loops instead (skipped: another failure); a
 * commit that does not build is skipped (bisect-run exits 125).
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
#include "ksrc.h"
#include "seedbugs.h"
#include "proc.h"
#include "result.h"
#include "util.h"

#define CULPRIT "mm/gup: take GUP-fast PTE references with the speculative get"
#define SIG "percpu_ref_underflow:dev_pagemap_percpu_release"
#define CULPRIT_LOOP "mm/gup: don't return devmap pages from a pgmap's altmap reserve"
#define CULPRIT_MAP "mm/gup: record the dev_pagemap of a devmap page in page->mapping"
/* 0012, the last commit that loops: 0013 fixes 0011, 0014..0016 follow */
#define LOOP_BAD "zdbench-history~4"

static char tmp[64];
static char *hist, *zdbench;

/* Fast, decisive runs: the underflow WARN comes 0.1 s into teardown. */
static const char *const run_opts[] = {
	"--runs", "1", "--reps", "1", "--accel", "tcg",
	"-s", "qemu.teardown_timeout=40", "-s", "qemu.hung_task_timeout=10", NULL
};

static int run(char **argv, const char *cwd, char **text)
{
	char *log = xasprintf("%s/cmd.log", tmp);
	struct proc_opts o = { .out_path = log, .timeout = 5400, .cwd = cwd };
	struct proc_result r;
	char *line = NULL;

	unlink(log);
	assert_int_equal(proc_run(argv, &o, &r), 0);
	assert_false(r.timed_out);
	line = read_file(log, NULL);
	*text = line ? line : xstrdup("");
	free(log);
	return r.exit_code;
}

static void git(const char *a, const char *b, const char *c, const char *d)
{
	char *args[] = { (char *)a, (char *)b, (char *)c, (char *)d, NULL };

	git_run(hist, args, NULL, 600);
}

static char *xstrndup_line(const char *s)
{
	return strndup(s, strcspn(s, "\n"));
}

static int setup(void **state)
{
	char *argv[] = { "kernels/history/make-history.sh", NULL, NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .timeout = 1800 };
	struct proc_result r;
	char *cfg[] = { "build/zdbench", "config", NULL }, *cache;

	strcpy(tmp, "/tmp/zd-e2e-b-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	zdbench = path_abs("build/zdbench");
	/* the cache the harness uses: the history worktree goes there */
	if (proc_run(cfg, &o, &r) || r.exit_code || !out.len)
		return -1;
	cache = strstr(out.buf, "cache_dir = ");
	if (!cache)
		return -1;
	cache = xstrndup_line(cache + 12);
	hist = xasprintf("%s/history", cache);
	free(cache);
	sbuf_free(&out);
	argv[1] = hist;
	o.capture = &out;
	if (proc_run(argv, &o, &r) || r.exit_code) {
		fprintf(stderr, "make-history.sh failed:\n%s\n", sbuf_str(&out));
		return -1;
	}
	fprintf(stderr, "%s", sbuf_str(&out));
	sbuf_free(&out);
	return 0;
}

static int teardown(void **state)
{
	rm_rf(tmp);
	free(hist);
	free(zdbench);
	return 0;
}

/*
 * zdbench bisect from zdbench-base to BAD by SIG; SUBJECT must be named,
 * confirmed, in at most MAX_STEPS steps.
 */
static void zdbench_bisect(const char *sig, const char *bad, const char *subject, int max_steps,
			   const char *const *extra)
{
	struct strv av = { 0 };
	char *out = xasprintf("%s/bisect-%s", tmp, sig), *text, *rp;
	struct json_object *rep;
	int code;

	strv_push(&av, zdbench);
	strv_push(&av, "bisect");
	strv_push(&av, "--tree");
	strv_push(&av, hist);
	strv_push(&av, "--good");
	strv_push(&av, "zdbench-base");
	strv_push(&av, "--bad");
	strv_push(&av, bad);
	strv_push(&av, "--signature");
	strv_push(&av, sig);
	strv_push(&av, "-o");
	strv_push(&av, out);
	for (const char *const *o = run_opts; *o; o++)
		strv_push(&av, *o);
	for (const char *const *o = extra; o && *o; o++)
		strv_push(&av, *o);
	code = run(av.v, NULL, &text);
	if (code != 0)
		fail_msg("zdbench bisect exit %d:\n%s", code, text);
	rp = path_join(out, "report.json");
	rep = zd_json_read(rp);
	assert_non_null(rep);
	assert_true(jbool(rep, "found", false));
	assert_true(jbool(rep, "confirmed", false));
	assert_string_equal(jstr(rep, "subject"), subject);
	print_message("%s: %s in %d steps\n", sig, subject, (int)jint(rep, "steps", 99));
	assert_true(jint(rep, "steps", 99) <= max_steps);
	json_object_put(rep);
	strv_free(&av);
	free(rp);
	free(out);
	free(text);
}

static void test_zdbench_bisect(void **state)
{
	/* 16 commits: ceil(log2 16) = 4 steps; a skip could add one */
	zdbench_bisect(SIG, "zdbench-history", CULPRIT, 5, NULL);
}

/*
 * The second regression, by its own signature and a workload that
 * reaches it (slow GUP only, so 0008..0010 are clean for it: the
 * GUP-fast bug needs GUP-fast), up to 0012 (0013 fixes it: the user
 * bisects from where they saw it). Its bad runs last a step timeout.
 */
static void test_zdbench_bisect_second_culprit(void **state)
{
	char *cfg = xasprintf("%s/seed.ini", tmp);
	const char *extra[] = { "-c", cfg, "--workload", SEED_WL_LOOP,
				"-s", "qemu.step_timeout=" SEED_STEP_TIMEOUT, NULL };

	assert_int_equal(write_file_atomic(cfg, SEED_CFG, strlen(SEED_CFG)), 0);
	/* 12 commits: 4 steps; a skip could add one */
	zdbench_bisect(SEED_SIG_LOOP, LOOP_BAD, CULPRIT_LOOP, 5, extra);
	free(cfg);
}

/*
 * The third, seed 004's pgmap in page->mapping, by its oops: the slow-GUP
 * O_DIRECT read is clean up to 0010 and on 0013, loops on 0011..0012
 * (another failure: skip), and oopses from 0014 on.
 */
static void test_zdbench_bisect_third_culprit(void **state)
{
	char *cfg = xasprintf("%s/seed.ini", tmp);
	const char *extra[] = { "-c", cfg, "--workload", SEED_WL_MAP,
				"-s", "qemu.step_timeout=" SEED_STEP_TIMEOUT, NULL };

	assert_int_equal(write_file_atomic(cfg, SEED_CFG, strlen(SEED_CFG)), 0);
	/* 16 commits, two of them skipped */
	zdbench_bisect(SEED_SIG_MAP, "zdbench-history", CULPRIT_MAP, 7, extra);
	free(cfg);
}

static void test_git_bisect_run(void **state)
{
	struct strv av = { 0 };
	char *text, *subj = NULL, *p, *culprit;
	char *log_args[] = { "log", "-1", "--format=%s", NULL, NULL };
	int code;

	git("bisect", "reset", NULL, NULL);
	git("bisect", "start", "zdbench-history", "zdbench-base");
	strv_push(&av, "git");
	strv_push(&av, "bisect");
	strv_push(&av, "run");
	strv_push(&av, zdbench);
	strv_push(&av, "bisect-run");
	strv_push(&av, "--signature");
	strv_push(&av, SIG);
	strv_push(&av, "-o");
	strv_pushf(&av, "%s/steps", tmp);
	for (const char *const *o = run_opts; *o; o++)
		strv_push(&av, *o);
	code = run(av.v, hist, &text);
	git("bisect", "reset", NULL, NULL);
	if (code != 0 || !(p = strstr(text, " is the first bad commit")))
		fail_msg("git bisect run exit %d:\n%s", code, text);
	while (p > text && p[-1] != '\n')
		p--;
	culprit = strndup(p, strcspn(p, " "));
	log_args[3] = culprit;
	assert_int_equal(git_run(hist, log_args, &subj, 60), 0);
	assert_string_equal(subj, CULPRIT);
	free(subj);
	free(culprit);
	strv_free(&av);
	free(text);
}

/* A commit that does not build: bisect-run says skip (125). */
static void test_unbuildable_is_skipped(void **state)
{
	char *gup = xasprintf("%s/mm/gup.c", hist), *text;
	const char *boom = "\n#error zdbench test: this commit does not build\n";
	char *args[] = { "commit", "-q", "-a", "-m", "zdbench test: break the build", NULL };
	char *add[] = { "checkout", "-q", "-B", "zdbench-broken", "zdbench-history", NULL };
	struct strv av = { 0 };
	size_t len;
	char *src;
	int code;

	assert_int_equal(git_run(hist, add, NULL, 600), 0);
	src = read_file(gup, &len);
	assert_non_null(src);
	{
		struct sbuf sb = { 0 };

		sbuf_add(&sb, src, len);
		sbuf_addstr(&sb, boom);
		assert_int_equal(write_file_atomic(gup, sb.buf, sb.len), 0);
		sbuf_free(&sb);
	}
	assert_int_equal(git_run(hist, args, NULL, 600), 0);
	strv_push(&av, zdbench);
	strv_push(&av, "bisect-run");
	strv_push(&av, "--signature");
	strv_push(&av, SIG);
	strv_push(&av, "-o");
	strv_pushf(&av, "%s/broken", tmp);
	for (const char *const *o = run_opts; *o; o++)
		strv_push(&av, *o);
	code = run(av.v, hist, &text);
	git("checkout", "-q", "zdbench-history", NULL);
	git("branch", "-D", "zdbench-broken", NULL);
	if (code != 125)
		fail_msg("bisect-run on an unbuildable commit: exit %d, expected 125:\n%s", code, text);
	assert_non_null(strstr(text, "does not build"));
	free(src);
	free(gup);
	free(text);
	strv_free(&av);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zdbench_bisect),
		cmocka_unit_test(test_zdbench_bisect_second_culprit),
		cmocka_unit_test(test_zdbench_bisect_third_culprit),
		cmocka_unit_test(test_git_bisect_run),
		cmocka_unit_test(test_unbuildable_is_skipped),
	};

	e2e_filter();
	return cmocka_run_group_tests_name("bisect-e2e", tests, setup, teardown);
}
