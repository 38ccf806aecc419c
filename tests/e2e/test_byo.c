// SPDX-License-Identifier: GPL-2.0
/*
 * End to end, bring your own kernel (docs/byo-kernel.md), with real builds
 * and boots: a user tree (a clone of the imported 6.12 tree) with two
 * branches, run and compared as --variant revisions; the same patch as a
 * format-patch folder and as an mbox; a prebuilt bzImage + .config from
 * the cache as a user kernel; a .config without CONFIG_GUP_TEST refused;
 * the bad-input list, each exit 2 with nothing half-written in the cache.
 *
 * Cheap on purpose: the clone lives at a fixed place in the cache
 * (cache/e2e-byo/linux), so its worktrees and kernels are reused from one
 * run of this test to the next (a second run builds nothing); every
 * revision's source is the imported tree's plus a comment, so ccache hits
 * on a first run; one quick workload, --reps 2, TCG, icount.
 *
 * Run: make all build/tests/test_byo && build/tests/test_byo
 *      (ZD_TEST=test_revisions_compare build/tests/test_byo for one test)
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

#include "config.h"
#include "e2e.h"
#include "ksrc.h"
#include "proc.h"
#include "result.h"
#include "util.h"
#include "../shell.h"

#define WL "gup-pin-fast-pte"

static char tmp[64];
static char *cache;	/* the harness's cache (zd_cache_dir of the built-in config) */
static char *import;	/* the imported tree: zdbench source -q */
static char *clone;	/* the user tree: cache/e2e-byo/linux */
static char *srckey;	/* its key: cache/src/<srckey> */

E2E_DEFINE_ZD(tmp)

static void expect_exit(const struct out *o, int code)
{
	if (o->code != code)
		fail_msg("exit %d, wanted %d:\n%s", o->code, code, o->text);
}

static char *put(const char *name, const char *text)
{
	char *p = path_join(tmp, name), *slash = strrchr(p, '/');

	*slash = '\0';
	mkdir_p(p, 0755);
	*slash = '/';
	if (write_file_atomic(p, text, strlen(text)))
		fail_msg("cannot write %s", p);
	return p;
}

/* The first line of o that is an absolute path (zdbench source, build). */
static char *path_line(const char *text, const char *prefix)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");

		if (str_starts(l, prefix) && l[strlen(prefix)] == '/')
			return strndup(l + strlen(prefix), n - strlen(prefix));
	}
	return NULL;
}

/*
 * The user tree, made once: a shared clone of the import, branch zd-a at
 * the import's commit, zd-b with one harmless patch (a comment at the end
 * of mm/memremap.c), checked out on a third branch so that both are built
 * in worktrees; the patch also as a format-patch folder and an mbox.
 */
static int setup(void **state)
{
	struct zd_config *c = config_new();
	struct out o;

	strcpy(tmp, "/tmp/zd-e2e-byo-XXXXXX");
	if (!mkdtemp(tmp) || e2e_ready())
		return -1;
	config_load_defaults(c);
	cache = zd_cache_dir(c);
	config_free(c);
	o = zd("source", "-q", NULL);
	import = path_line(o.text, "");
	free(o.text);
	if (o.code || !import)
		return -1;
	clone = xasprintf("%s/e2e-byo/linux", cache);
	if (!is_dir(clone) &&
	    sh("set -e; rm -rf '%s.tmp'; git clone -q --shared --no-checkout '%s' '%s.tmp';"
	       "cd '%s.tmp'; git checkout -q -b zd-a zdbench-base;"
	       "printf '\\n/* zdbench e2e: a harmless patch */\\n' >> mm/memremap.c;"
	       "git -c user.name=zdbench -c user.email=zdbench@localhost commit -qam 'mm/memremap: a harmless comment (zdbench e2e)';"
	       "git branch zd-b; git reset -q --hard HEAD~1;"
	       "git checkout -q -b zd-work;"
	       "git -c user.name=zdbench -c user.email=zdbench@localhost commit -q --allow-empty -m work;"
	       "cd ..; mv linux.tmp linux", clone, import, clone, clone))
		return -1;
	srckey = ksrc_tree_key(clone);
	/* the patch as a folder (with a series file) and as one mbox with a b4 trailer */
	return sh("set -e; cd '%s'; mkdir -p '%s/series' && git format-patch -q -o '%s/series' zd-a..zd-b;"
		  "(cd '%s/series' && ls *.patch > series);"
		  "git format-patch -q --stdout zd-a..zd-b | sed 's|^---$|Link: https://lore.kernel.org/r/zdbench-e2e\\n---|' > '%s/b4.mbx'",
		  clone, tmp, tmp, tmp, tmp);
}

static int teardown(void **state)
{
	free(cache);
	free(import);
	free(clone);
	free(srckey);
	return rm_rf(tmp);
}

static char *tree_opt(void)
{
	return xasprintf("--tree=%s", clone);
}

/* No worktree of this name left in the user tree's cache folder. */
static void expect_no_worktree(const char *variant)
{
	char *wt = xasprintf("%s/src/%s/trees/%s", cache, srckey, variant);

	if (path_exists(wt))
		fail_msg("%s left behind", wt);
	free(wt);
}

/*
 * Two branches of the user's tree, run and compared in one command (the
 * short form of `run --tree T --variant zd-a --variant zd-b` + compare):
 * the everyday case.
 */
static void test_revisions_compare(void **state)
{
	char *t = tree_opt(), *dir = xasprintf("%s/run-rev", tmp);
	char *a = xasprintf("%s:zd-a", dir), *b = xasprintf("%s:zd-b", dir);
	struct out o = zd("compare", t, "zd-a", "zd-b", "--workload", WL,
			  "--reps", "2", "--accel", "tcg", "--clock", "icount", "-o", dir, NULL);
	char *res = xasprintf("%s/zd-b/%s.json", dir, WL), *err = NULL;
	struct zd_result r;

	/*
	 * a comment changes no instruction: under icount expect no
	 * difference (0), but with two samples a side a tiny one may test
	 * significant (1); a usage or infrastructure error (2, 3) fails
	 */
	if (o.code != 0 && o.code != 1)
		fail_msg("compare --tree: exit %d:\n%s", o.code, o.text);
	expect_in(&o, "workload.metric"); /* the comparison table followed the run */
	if (result_read(res, &r, &err))
		fail_msg("%s: %s", res, err);
	assert_string_equal(r.verdict, "clean");
	assert_int_equal(r.nr_samples, 2);
	free(o.text);
	/* the import is where it was: nothing re-imported, nothing replaced */
	o = zd("source", "-q", NULL);
	expect_exit(&o, 0);
	expect_in(&o, import);
	free(o.text);
	/* the same folders compared again, as sides */
	o = zd("compare", a, b, NULL);
	if (o.code != 0 && o.code != 1)
		fail_msg("compare: exit %d:\n%s", o.code, o.text);
	expect_in(&o, "zd-b");
	free(o.text);
	/*
	 * The listing knows the user tree and zd-b's kernel. zd-a is the
	 * import's base commit, the same content as the shipped base: it
	 * takes base's cached kernel (cached by content), listed as base.
	 */
	o = zd("kernels", NULL);
	expect_exit(&o, 0);
	expect_in(&o, srckey);
	expect_in(&o, clone);
	expect_in(&o, "zd-b");
	free(o.text);
	free(t);
	free(dir);
	free(a);
	free(b);
	free(res);
}

/* The same patch on zd-a as a format-patch folder and as an mbox: both build. */
static void test_series_folder_and_mbox(void **state)
{
	char *t = tree_opt();
	char *cfg = xasprintf("[variant zd-folder]\nrev = zd-a\npatches = %s/series\n"
			      "[variant zd-mbox]\nrev = zd-a\npatches = %s/b4.mbx\n", tmp, tmp);
	char *cf = put("series.ini", cfg);
	struct out o = zd("build", "-c", cf, t, "zd-folder", "zd-mbox", NULL);

	expect_exit(&o, 0);
	expect_in(&o, "zd-folder ");
	expect_in(&o, "zd-mbox ");
	free(o.text);
	free(t);
	free(cfg);
	free(cf);
}

/*
 * A kernel the user built (zd-a's bzImage and .config, from the cache)
 * runs as a variant; the same kernel with a .config without
 * CONFIG_GUP_TEST is refused naming the option and the workload.
 */
static void test_prebuilt_kernel(void **state)
{
	char *t = tree_opt(), *bz, *kdir, *cfg, *cf, *nogup, *dir = xasprintf("%s/run-pre", tmp);
	struct out o = zd("build", t, "zd-a", NULL);

	expect_exit(&o, 0);
	bz = path_line(o.text, "zd-a cached ");
	if (!bz)
		bz = path_line(o.text, "zd-a built ");
	assert_non_null(bz);
	free(o.text);
	kdir = xstrdup(bz);
	*strrchr(kdir, '/') = '\0';
	nogup = xasprintf("%s/nogup.config", tmp);
	assert_int_equal(sh("sed 's/^CONFIG_GUP_TEST=y/# CONFIG_GUP_TEST is not set/' '%s/config' > '%s'",
			    kdir, nogup), 0);
	cfg = xasprintf("[variant mine]\nkernel = %s\nconfig = %s/config\n"
			"[variant nogup]\nkernel = %s\nconfig = %s\n", bz, kdir, bz, nogup);
	cf = put("prebuilt.ini", cfg);
	o = zd("run", "-c", cf, "--variant", "mine", "--workload", WL, "--reps", "2",
	       "--accel", "tcg", "--clock", "icount", "-o", dir, NULL);
	expect_exit(&o, 0);
	free(o.text);
	o = zd("run", "-c", cf, "--variant", "nogup", "--workload", WL, "--reps", "2",
	       "--accel", "tcg", NULL);
	expect_exit(&o, 2);
	expect_in(&o, "CONFIG_GUP_TEST (workload " WL);
	free(o.text);
	free(t);
	free(bz);
	free(kdir);
	free(cfg);
	free(cf);
	free(nogup);
	free(dir);
}

/* Each bad input: exit 2, the thing named, nothing half-written. */
static void test_bad_input(void **state)
{
	char *t = tree_opt(), *cfg, *cf, *arm;
	struct out o;

	o = zd("run", t, "--variant", "no-such-rev", "--workload", WL, "--accel", "tcg", NULL);
	expect_exit(&o, 2);
	expect_in(&o, "revision 'no-such-rev' does not exist");
	free(o.text);
	/* a series against text that is not there: the patch named, no worktree left */
	free(put("bad/0001-zd-bad.patch",
		 "From 0 Mon Sep 17 00:00:00 2001\nFrom: Z <z@z>\nSubject: [PATCH] zd: does not apply\n\n"
		 "---\ndiff --git a/mm/memremap.c b/mm/memremap.c\n--- a/mm/memremap.c\n"
		 "+++ b/mm/memremap.c\n@@ -1,1 +1,1 @@\n-no such line in memremap.c\n+x\n"));
	free(put("empty.mbx", "From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH 0/1] cover only\n\nno diff\n"));
	free(put("bz/bzImage", "not a kernel"));
	arm = put("arm.config", "# Linux/arm64 6.12.0 Kernel Configuration\nCONFIG_ARM64=y\n");
	cfg = xasprintf("[variant zd-bad]\nrev = zd-a\npatches = %s/bad\n"
			"[variant zd-empty]\nrev = zd-a\npatches = %s/empty.mbx\n"
			"[variant zd-noconfig]\nkernel = %s/bz/bzImage\n"
			"[variant zd-arm]\nkernel = %s/bz/bzImage\nconfig = %s\n",
			tmp, tmp, tmp, tmp, arm);
	cf = put("bad.ini", cfg);
	o = zd("build", "-c", cf, t, "zd-bad", NULL);
	expect_exit(&o, 2);
	expect_in(&o, "zd: does not apply");
	expect_in(&o, "0001-zd-bad.patch");
	free(o.text);
	expect_no_worktree("zd-bad");
	o = zd("build", "-c", cf, t, "zd-empty", NULL);
	expect_exit(&o, 2);
	expect_in(&o, "empty.mbx: no patch in it");
	free(o.text);
	o = zd("run", "-c", cf, "--variant", "zd-noconfig", "--workload", WL, NULL);
	expect_exit(&o, 2);
	expect_in(&o, "bz/bzImage has no .config");
	free(o.text);
	o = zd("run", "-c", cf, "--variant", "zd-arm", "--workload", WL, NULL);
	expect_exit(&o, 2);
	expect_in(&o, "a .config for arm64");
	free(o.text);
	free(t);
	free(cfg);
	free(cf);
	free(arm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_revisions_compare),
		cmocka_unit_test(test_series_folder_and_mbox),
		cmocka_unit_test(test_prebuilt_kernel),
	};

	e2e_filter();
	return cmocka_run_group_tests(tests, setup, teardown);
}
