// SPDX-License-Identifier: GPL-2.0
/*
 * Bring your own kernel, without a kernel build: [variant] sections, what a
 * variant name resolves to, user series (folder, series file, mbox), a
 * series that does not apply on a throwaway git repo (exit 2, the patch
 * named, no worktree left), .config checks against the workloads' needs,
 * cache key inputs, source keys, and kernels/gc on a fake cache folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "config.h"
#include "kbuild.h"
#include "kcache.h"
#include "kconfig.h"
#include "ksrc.h"
#include "util.h"
#include "variant.h"
#include "../shell.h"

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/zd-byo-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rm_rf(dir);
}

static char *put(const char *name, const char *text)
{
	char *p = path_join(dir, name), *slash = strrchr(p, '/');

	*slash = '\0';
	mkdir_p(p, 0755);
	*slash = '/';
	assert_int_equal(write_file_atomic(p, text, strlen(text)), 0);
	return p;
}

static struct zd_config *cfg(const char *text)
{
	struct zd_config *c = config_new();
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	c->project_dir = xstrdup(cwd);
	assert_int_equal(config_load_defaults(c), 0);
	if (text)
		assert_int_equal(config_load_string(c, text, "t.ini"), 0);
	return c;
}

static bool has(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle)) {
		print_error("'%s' not in:\n%s\n", needle, hay ? hay : "(null)");
		return false;
	}
	return true;
}

static void test_variant_sections(void **state)
{
	struct zd_config *c = cfg("[variant mine]\nrev = v6.12\npatches = /tmp/s\n"
				  "[variant built]\nkernel = /k/bzImage\nconfig = /k/.config\n"
				  "[run]\nvariants = base mine built\n");
	const struct zd_variant *v = config_variant(c, "mine");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(v);
	assert_string_equal(v->rev, "v6.12");
	assert_string_equal(v->patches, "/tmp/s");
	assert_null(v->kernel);
	assert_string_equal(v->origin, "t.ini");
	assert_int_equal(v->line, 2);
	assert_string_equal(config_variant(c, "built")->config, "/k/.config");
	assert_null(config_variant(c, "nope"));
	/* a [variant] name is a known variant: validate does not want kernels/mine */
	assert_int_equal(config_validate(c), 0);
	/* -s variant.NAME.key, as config prints it */
	assert_int_equal(config_set_override(c, "variant.mine.rev=mm-unstable"), 0);
	assert_string_equal(config_variant(c, "mine")->rev, "mm-unstable");
	config_dump(c, f);
	fclose(f);
	assert_true(has(buf, "variant.mine.rev = mm-unstable\n"));
	assert_true(has(buf, "variant.built.kernel = /k/bzImage\n"));
	assert_true(has(buf, "kernel.config = \n"));
	free(buf);
	config_free(c);
}

static void test_variant_section_errors(void **state)
{
	struct zd_config *c = cfg(NULL);

	assert_int_equal(config_load_string(c, "[variant x]\nrevision = v1\n", "t.ini"), -1);
	assert_true(has(c->err, "t.ini:2: unknown key 'revision' in [variant x]"));
	config_free(c);
	c = cfg(NULL);
	assert_int_equal(config_load_string(c, "[variant a/b]\nrev = v1\n", "t.ini"), -1);
	assert_true(has(c->err, "t.ini:2: [variant a/b]: a name is letters"));
	config_free(c);
	/* a name nobody defines, without --tree: refused naming it */
	c = cfg("[run]\nvariants = v6.12\n");
	assert_int_equal(config_validate(c), -1);
	assert_true(has(c->err, "no variant 'v6.12'"));
	config_free(c);
}

/* with --tree, a name that is no kernels/ folder is a revision (checked at build) */
static void test_tree_revision_names(void **state)
{
	char *t = xasprintf("kernel.tree=%s", dir);
	struct zd_config *c = cfg("[run]\nvariants = v6.12 mm-unstable\n");
	struct vspec v;

	assert_int_equal(config_set_override(c, "kernel.source=tree"), 0);
	assert_int_equal(config_set_override(c, t), 0);
	assert_int_equal(config_validate(c), 0);
	assert_int_equal(variant_resolve(c, "mm-unstable", &v), 0);
	assert_int_equal(v.kind, VK_REV);
	assert_string_equal(v.rev, "mm-unstable");
	vspec_free(&v);
	/* a revision that is no folder name needs a [variant] name */
	assert_int_equal(variant_resolve(c, "origin/master", &v), -1);
	vspec_free(&v);
	/* the shipped folder wins over a revision of the same name */
	assert_int_equal(variant_resolve(c, "base", &v), 0);
	assert_int_equal(v.kind, VK_SHIPPED);
	vspec_free(&v);
	assert_int_equal(variant_resolve(c, "HEAD", &v), 0);
	assert_int_equal(v.kind, VK_HEAD);
	vspec_free(&v);
	config_free(c);
	free(t);
}

static void test_resolve_prebuilt(void **state)
{
	char *bz = put("o/arch/x86/boot/bzImage", "MZ");
	char *text = xasprintf("[variant a]\nkernel = %s\n"
			       "[variant b]\nbuild_dir = %s/o\n"
			       "[variant c]\nkernel = %s\nrev = v1\n"
			       "[variant d]\nrev = v2\n", bz, dir, bz);
	struct zd_config *c = cfg(text);
	struct vspec v;

	/* a bzImage without its .config: refused, naming the kernel */
	assert_int_equal(variant_resolve(c, "a", &v), -1);
	vspec_free(&v);
	/* an O= folder without .config: the same */
	assert_int_equal(variant_resolve(c, "b", &v), -1);
	vspec_free(&v);
	free(put("o/.config", "CONFIG_X86_64=y\n"));
	assert_int_equal(variant_resolve(c, "b", &v), 0);
	assert_int_equal(v.kind, VK_PREBUILT);
	assert_string_equal(v.bzimage, bz);
	assert_true(has(v.config, "/o/.config"));
	vspec_free(&v);
	/* a tuxmake output folder: bzImage and config at the top */
	free(put("tux/bzImage", "MZ"));
	free(put("tux/config", "CONFIG_X86_64=y\n"));
	{
		char *set = xasprintf("variant.b.build_dir=%s/tux", dir);

		assert_int_equal(config_set_override(c, set), 0);
		free(set);
	}
	assert_int_equal(variant_resolve(c, "b", &v), 0);
	assert_true(str_ends(v.bzimage, "/tux/bzImage"));
	assert_true(str_ends(v.config, "/tux/config"));
	vspec_free(&v);
	assert_int_equal(variant_resolve(c, "c", &v), -1); /* kernel and rev */
	vspec_free(&v);
	assert_int_equal(variant_resolve(c, "d", &v), 0);
	assert_int_equal(v.kind, VK_REV);
	assert_string_equal(v.rev, "v2");
	assert_null(v.patches);
	vspec_free(&v);
	config_free(c);
	free(text);
	free(bz);
}

#define PATCH(n) \
	"From 0 Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\nSubject: [PATCH] p" n "\n\n---\n" \
	"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n+" n "\n"

static void test_series_read(void **state)
{
	struct zd_list l = { 0 };
	char *p;

	/* without a series file: *.patch by name */
	free(put("s1/0002-b.patch", PATCH("2")));
	free(put("s1/0001-a.patch", PATCH("1")));
	free(put("s1/notes.txt", "not a patch"));
	p = path_join(dir, "s1");
	assert_int_equal(series_read(p, &l), 0);
	assert_int_equal(l.n, 2);
	assert_true(str_ends(l.v[0], "/0001-a.patch"));
	assert_true(str_ends(l.v[1], "/0002-b.patch"));
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(p);
	/* a series file decides the order */
	free(put("s2/x.patch", PATCH("x")));
	free(put("s2/y.patch", PATCH("y")));
	free(put("s2/series", "# quilt\ny.patch\n\nx.patch\n"));
	p = path_join(dir, "s2");
	assert_int_equal(series_read(p, &l), 0);
	assert_int_equal(l.n, 2);
	assert_true(str_ends(l.v[0], "/y.patch"));
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(p);
	free(put("s3/series", "missing.patch\n"));
	p = path_join(dir, "s3");
	assert_int_equal(series_read(p, &l), -1);
	free(p);
	/* an empty folder, an mbox with no patch: errors */
	p = path_join(dir, "s4");
	mkdir_p(p, 0755);
	assert_int_equal(series_read(p, &l), -1);
	free(p);
	p = put("empty.mbx", "From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH 0/2] cover\n\nonly words\n");
	assert_false(file_has_patch(p));
	assert_int_equal(series_read(p, &l), -1);
	free(p);
	p = put("two.mbx", PATCH("1") PATCH("2"));
	assert_int_equal(series_read(p, &l), 0);
	assert_int_equal(l.n, 1);
	free(l.v[0]);
	free(p);
	assert_int_equal(series_read("/nonexistent/zd", &l), -1);
}

static const char *full_cfg =
	"# Linux/x86 6.12.0 Kernel Configuration\n"
	"CONFIG_X86_64=y\nCONFIG_BLK_DEV_INITRD=y\nCONFIG_DEVTMPFS=y\nCONFIG_DEBUG_FS=y\n"
	"CONFIG_PERF_EVENTS=y\nCONFIG_FTRACE=y\nCONFIG_ZONE_DEVICE=y\nCONFIG_LIBNVDIMM=y\n"
	"CONFIG_BLK_DEV_PMEM=y\nCONFIG_DAX=y\nCONFIG_SERIAL_8250_CONSOLE=y\nCONFIG_FS_DAX=y\n"
	"CONFIG_EXT4_FS=y\nCONFIG_GUP_TEST=y\nCONFIG_BLK_DEV_NULL_BLK=y\n"
	"CONFIG_X86_PMEM_LEGACY=y\n";

static void test_kconfig_needs(void **state)
{
	struct zd_config *c = cfg("[run]\nworkloads = odirect-read-pte gup-pin-fast-pte\n");
	char *text = xstrdup(full_cfg), *miss, *at;

	assert_int_equal(config_validate(c), 0);
	assert_null(kconfig_missing(c, text));
	/* without GUP_TEST: the option and the workload that needs it, only that one */
	at = strstr(text, "CONFIG_GUP_TEST=y");
	memcpy(at, "# CONFIG_GUP_TES", 16);
	miss = kconfig_missing(c, text);
	assert_true(has(miss, "CONFIG_GUP_TEST (workload gup-pin-fast-pte: the gup_test ioctl"));
	assert_false(strstr(miss, "odirect-read-pte"));
	free(miss);
	/* =m is not y: the initramfs has no modules */
	free(text);
	text = xasprintf("%sCONFIG_XFS_FS=m\n", full_cfg);
	assert_int_equal(config_set_override(c, "run.fs=xfs"), 0);
	miss = kconfig_missing(c, text);
	assert_true(has(miss, "CONFIG_XFS_FS (workload odirect-read-pte: fsdax/xfs)"));
	assert_true(has(miss, "CONFIG_XFS_FS (workload gup-pin-fast-pte: fsdax/xfs)"));
	free(miss);
	free(text);
	config_free(c);
}

/* truncpin's slow device: null_blk made through configfs. */
static void test_kconfig_needs_truncpin(void **state)
{
	struct zd_config *c = cfg("[run]\nworkloads = truncpin-pte mapcycle-pte\n");
	char *text = xasprintf("%sCONFIG_CONFIGFS_FS=y\n", full_cfg), *miss, *at;

	assert_int_equal(config_validate(c), 0);
	assert_null(kconfig_missing(c, text));
	at = strstr(text, "CONFIG_CONFIGFS_FS=y");
	memcpy(at, "# CONFIG_CONFIGF", 16);
	miss = kconfig_missing(c, text);
	assert_true(has(miss, "CONFIG_CONFIGFS_FS (workload truncpin-pte: null_blk's configfs"));
	assert_false(strstr(miss, "mapcycle-pte"));
	free(miss);
	config_free(c);
	free(text);
}

static void test_kconfig_arch(void **state)
{
	char *a, *p;

	a = kconfig_arch("# Linux/arm64 6.12.0 Kernel Configuration\nCONFIG_ARM64=y\n");
	assert_string_equal(a, "arm64");
	free(a);
	a = kconfig_arch("# Linux/x86 6.12.0 Kernel Configuration\nCONFIG_X86_32=y\n");
	assert_string_equal(a, "x86");
	free(a);
	a = kconfig_arch("#\n# Linux/riscv 6.1.0 Kernel Configuration\n");
	assert_string_equal(a, "riscv");
	free(a);
	a = kconfig_arch("CONFIG_A=y\n");
	assert_string_equal(a, "");
	free(a);
	p = put("arm.config", "# Linux/arm64 6.12.0 Kernel Configuration\nCONFIG_ARM64=y\n");
	assert_int_equal(kconfig_check_arch(p, true), -1);
	assert_int_equal(kconfig_check_arch(p, false), -1);
	free(p);
	p = put("i386.config", "# Linux/x86 6.12.0 Kernel Configuration\nCONFIG_X86_32=y\n");
	assert_int_equal(kconfig_check_arch(p, true), -1); /* a built kernel must be 64-bit */
	assert_int_equal(kconfig_check_arch(p, false), 0); /* a start: the fragments set 64BIT */
	free(p);
	p = put("x86.config", full_cfg);
	assert_int_equal(kconfig_check_arch(p, true), 0);
	free(p);
}

/* [kernel] config is a key input only when set: tinyconfig keys do not move */
static void test_key_kconfig(void **state)
{
	char *frag = put("frag.config", "CONFIG_A=y\n");
	char *k1 = put("k1.config", "CONFIG_X86_64=y\n");
	char *k2 = put("k2.config", "CONFIG_X86_64=y\nCONFIG_B=y\n");
	struct kbuild_inputs in = { .base_tree = "abc", .dirty_hash = "", .compiler = "gcc",
				    .arch = "x86_64" };
	char a[65], b[65], c[65], d[65];

	in.fragments.v[0] = frag;
	in.fragments.n = 1;
	assert_int_equal(kbuild_key(&in, a), 0);
	in.kconfig = "";
	assert_int_equal(kbuild_key(&in, b), 0);
	assert_string_equal(a, b);
	in.kconfig = k1;
	assert_int_equal(kbuild_key(&in, c), 0);
	in.kconfig = k2;
	assert_int_equal(kbuild_key(&in, d), 0);
	assert_string_not_equal(a, c);
	assert_string_not_equal(c, d);
	free(frag);
	free(k1);
	free(k2);
}

static void test_names_and_jobs(void **state)
{
	struct zd_config *c = cfg(NULL);
	char *n = variant_file_name("origin/mm-unstable"), *k1, *k2;

	assert_string_equal(n, "origin_mm-unstable");
	free(n);
	n = variant_file_name("..");
	assert_string_not_equal(n, "..");
	free(n);
	/* jobs is empty in config.example: the number of CPUs */
	assert_int_equal(c->jobs, 0);
	assert_int_equal(kbuild_jobs(c), (unsigned int)sysconf(_SC_NPROCESSORS_ONLN));
	assert_int_equal(config_set_override(c, "kernel.jobs=3"), 0);
	assert_int_equal(kbuild_jobs(c), 3);
	config_free(c);
	k1 = ksrc_tree_key("/home/a/linux");
	k2 = ksrc_tree_key("/home/a/linux-next");
	assert_int_equal(strlen(k1), ZD_KEY_SHORT);
	assert_string_not_equal(k1, k2);
	free(k2);
	k2 = ksrc_tree_key("/home/a/linux");
	assert_string_equal(k1, k2);
	free(k1);
	free(k2);
}

/*
 * A throwaway "kernel tree" (a git repo with a Makefile): a user tree gets
 * its own cache/src/<key>; a revision that does not exist and a series
 * that does not apply are exit 2, naming the revision and the patch, and
 * leave no worktree behind. No make runs: both fail before it.
 */
static void test_user_tree_bad_input(void **state)
{
	char *tree = path_join(dir, "linux"), *cache = path_join(dir, "cache");
	char *set_tree = xasprintf("kernel.tree=%s", tree), *set_cache;
	char *origin, *text, *wt;
	struct zd_config *c;
	struct zd_ksrc s;
	struct zd_kernel k;

	set_cache = xasprintf("general.cache_dir=%s", cache);
	assert_int_equal(sh("set -e; mkdir -p %s; cd %s; git init -q -b master .;"
			    "echo x > f; echo 'all:' > Makefile; git add f Makefile;"
			    "git -c user.name=t -c user.email=t@t commit -qm base;"
			    "git tag v1", tree, tree), 0);
	/* a patch that does not apply (f holds x, the patch wants y) */
	free(put("bad/0001-one.patch", "From 0 Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\n"
		 "Subject: [PATCH] zd: change y\n\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n"
		 "@@ -1 +1 @@\n-y\n+z\n"));
	text = xasprintf("[variant s]\nrev = v1\npatches = %s/bad\n", dir);
	c = cfg(text);
	assert_int_equal(config_set_override(c, "kernel.source=tree"), 0);
	assert_int_equal(config_set_override(c, set_tree), 0);
	assert_int_equal(config_set_override(c, set_cache), 0);
	assert_int_equal(config_validate(c), 0);
	assert_int_equal(ksrc_prepare(c, &s), 0);
	assert_non_null(s.key);
	assert_true(has(s.trees, "/cache/src/"));
	origin = xasprintf("%s/origin", s.home);
	free(text);
	text = read_file(origin, NULL);
	assert_string_equal(text, tree);
	/* no such revision: exit 2 before anything is built */
	assert_int_equal(kbuild_variant(c, &s, "no-such-branch", &k), -1);
	assert_int_equal(kbuild_exit(&k), ZD_EXIT_USAGE);
	kernel_free(&k);
	list_set(&c->variants, "v1 no-such-branch");
	assert_int_equal(kbuild_check_variants(c, &s), ZD_EXIT_USAGE);
	list_set(&c->variants, "v1 s");
	assert_int_equal(kbuild_check_variants(c, &s), 0);
	/* the user's series does not apply: usage (2), the worktree removed */
	assert_int_equal(kbuild_variant(c, &s, "s", &k), -1);
	assert_int_equal(kbuild_exit(&k), ZD_EXIT_USAGE);
	kernel_free(&k);
	wt = path_join(s.trees, "s");
	assert_false(path_exists(wt));
	free(wt);
	ksrc_free(&s);
	config_free(c);
	free(origin);
	free(text);
	free(tree);
	free(cache);
	free(set_tree);
	free(set_cache);
}

/* A file with the x86 boot protocol's header (0xAA55 at 0x1fe, "HdrS" at 0x202), and no kernel. */
static char *fake_bzimage(const char *rel)
{
	char img[0x300] = "MZ";
	char *p = put(rel, "x");

	img[0x1fe] = 0x55;
	img[0x1ff] = (char)0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	assert_int_equal(write_file_atomic(p, img, sizeof(img)), 0);
	return p;
}

/* A kernel the user built: checked, copied into the cache by content, no build. */
static void test_prebuilt_into_cache(void **state)
{
	char *bz = fake_bzimage("pb/bzImage");
	char *junk = put("pb/junk", "MZ not really a kernel");
	char *good = put("pb/good.config", full_cfg);
	char *text = xstrdup(full_cfg), *bad, *ini, *meta_path;
	struct zd_config *c;
	struct zd_kernel k;
	struct kcache kc;

	memcpy(strstr(text, "CONFIG_GUP_TEST=y"), "# CONFIG_GUP_TES", 16);
	bad = put("pb/bad.config", text);
	ini = xasprintf("[general]\ncache_dir = %s/pbcache\n"
			"[run]\nworkloads = gup-pin-fast-pte\n"
			"[variant mine]\nkernel = %s\nconfig = %s\n"
			"[variant nogup]\nkernel = %s\nconfig = %s\n"
			"[variant junk]\nkernel = %s\nconfig = %s\n", dir, bz, good, bz, bad, junk, good);
	c = cfg(ini);
	assert_int_equal(config_validate(c), 0);
	assert_int_equal(kbuild_variant(c, NULL, "mine", &k), 0);
	assert_false(k.cached);
	assert_true(has(k.bzimage, "/pbcache/kernels/"));
	assert_true(path_exists(k.bzimage));
	meta_path = path_join(k.dir, "meta.json");
	assert_true(path_exists(meta_path));
	free(meta_path);
	kernel_free(&k);
	assert_int_equal(kbuild_variant(c, NULL, "mine", &k), 0);
	assert_true(k.cached);
	kernel_free(&k);
	/* no GUP_TEST for a gup workload: refused, exit 2, nothing stored */
	assert_int_equal(kbuild_variant(c, NULL, "nogup", &k), -1);
	assert_int_equal(kbuild_exit(&k), ZD_EXIT_USAGE);
	kernel_free(&k);
	/* a file that is no bzImage: refused, exit 2, nothing stored */
	assert_int_equal(kbuild_variant(c, NULL, "junk", &k), -1);
	assert_int_equal(kbuild_exit(&k), ZD_EXIT_USAGE);
	kernel_free(&k);
	free(text);
	text = path_join(dir, "pbcache");
	assert_int_equal(kcache_scan(text, &kc), 0);
	assert_int_equal(kc.nr_kernels, 1);
	assert_string_equal(kc.kernels[0].kind, "prebuilt");
	assert_string_equal(kc.kernels[0].variant, "mine");
	kcache_free(&kc);
	config_free(c);
	free(text);
	free(ini);
	free(bz);
	free(junk);
	free(good);
	free(bad);
}

/* A small tarball shaped like Debian's: one top folder with a Makefile. */
static char *tarball(const char *name, const char *content)
{
	char *top = xasprintf("%s/tb-%s/linux-source-x", dir, name);
	char *tb = xasprintf("%s/%s.tar.xz", dir, name);

	assert_int_equal(mkdir_p(top, 0755), 0);
	{
		char *mk = path_join(top, "Makefile");

		assert_int_equal(write_file_atomic(mk, content, strlen(content)), 0);
		free(mk);
	}
	assert_int_equal(sh("tar -C %s/tb-%s -cJf %s linux-source-x", dir, name, tb), 0);
	free(top);
	return tb;
}

/*
 * Two tarballs in one cache, each in cache/src/<its key>/linux, neither
 * replacing the other; an import of before (cache/linux + linux.imported)
 * whose stamp matches is used in place, not re-imported.
 */
static void test_source_keying(void **state)
{
	char *t1 = tarball("a", "all:\n# 6.12\n"), *t2 = tarball("b", "all:\n# 6.1\n");
	char *set_cache = xasprintf("general.cache_dir=%s/kc", dir), *set_tb;
	struct zd_config *c = cfg(NULL);
	struct zd_ksrc s1, s2, s3;
	char *k1, *legacy, *stamp, *again;

	assert_int_equal(config_set_override(c, set_cache), 0);
	set_tb = xasprintf("kernel.tarball=%s", t1);
	assert_int_equal(config_set_override(c, set_tb), 0);
	k1 = ksrc_key(c);
	assert_int_equal(ksrc_prepare(c, &s1), 0);
	assert_string_equal(s1.key, k1);
	assert_true(has(s1.tree, "/kc/src/"));
	assert_true(str_ends(s1.tree, "/linux"));
	assert_true(has(s1.trees, s1.key));
	free(set_tb);
	set_tb = xasprintf("kernel.tarball=%s", t2);
	assert_int_equal(config_set_override(c, set_tb), 0);
	assert_int_equal(ksrc_prepare(c, &s2), 0);
	assert_string_not_equal(s1.key, s2.key);
	assert_string_not_equal(s1.tree, s2.tree);
	assert_true(is_dir(s1.tree)); /* the first import is still there */
	assert_true(is_dir(s2.tree));
	/* the layout of before: cache/linux with a matching stamp, used where it is */
	legacy = xasprintf("%s/kc/linux", dir);
	stamp = xasprintf("%s/kc/linux.imported", dir);
	assert_int_equal(sh("cp -a %s %s", s1.tree, legacy), 0);
	{
		char *full = NULL;
		struct zd_hash *h = hash_new();
		char hex[ZD_HASH_HEX];

		assert_int_equal(hash_file(h, "tarball", t1), 0);
		hash_final(h, hex);
		full = xasprintf("%s\n", hex);
		assert_int_equal(write_file_atomic(stamp, full, strlen(full)), 0);
		free(full);
	}
	free(set_tb);
	set_tb = xasprintf("kernel.tarball=%s", t1);
	assert_int_equal(config_set_override(c, set_tb), 0);
	assert_int_equal(ksrc_prepare(c, &s3), 0);
	assert_string_equal(s3.tree, legacy);
	assert_string_equal(s3.key, s1.key);
	again = xasprintf("%s/kc/trees", dir);
	assert_string_equal(s3.trees, again); /* its worktrees where they were */
	assert_string_equal(s3.base, s1.base); /* the same tarball: the same commit */
	ksrc_free(&s1);
	ksrc_free(&s2);
	ksrc_free(&s3);
	config_free(c);
	free(t1);
	free(t2);
	free(k1);
	free(set_cache);
	free(set_tb);
	free(legacy);
	free(stamp);
	free(again);
}

/*
 * Two zdbench importing one tarball into one cache at once (a make beside
 * a run): one imports, the other waits on src/<key>/import.lock and uses
 * that import. Without the lock both unpacked into the same .import
 * folder and deleted each other's files ('git add' failed on a vanished
 * file). 3000 files make the import last long enough to overlap.
 */
static void test_source_import_concurrent(void **state)
{
	char *top = xasprintf("%s/tb-many/linux-source-x", dir), *tb = xasprintf("%s/many.tar", dir);
	char *set_cache = xasprintf("general.cache_dir=%s/kc-many", dir);
	char *set_tb = xasprintf("kernel.tarball=%s", tb);
	struct zd_config *c = cfg(NULL);
	struct zd_ksrc s;
	pid_t pid[2];
	int status;

	assert_int_equal(mkdir_p(top, 0755), 0);
	assert_int_equal(sh("cd %s && echo 'all:' > Makefile && for d in $(seq 30); do mkdir d$d && "
			    "for f in $(seq 100); do echo $d$f > d$d/f$f.c; done; done", top), 0);
	assert_int_equal(sh("tar -C %s/tb-many -cf %s linux-source-x", dir, tb), 0);
	assert_int_equal(config_set_override(c, set_cache), 0);
	assert_int_equal(config_set_override(c, set_tb), 0);
	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (!pid[i]) {
			zd_set_quiet(true);
			_exit(ksrc_prepare(c, &s) ? 1 : 0);
		}
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* one import, whole, found as it is by a third */
	assert_int_equal(ksrc_prepare(c, &s), 0);
	assert_int_equal(sh("test $(git -C %s ls-files | wc -l) -eq 3001", s.tree), 0);
	/* and no background repack after it */
	assert_int_equal(sh("test \"$(git -C %s config gc.auto)\" = 0", s.tree), 0);
	free(top);
	top = xasprintf("%s.import", s.tree);
	assert_false(path_exists(top));
	ksrc_free(&s);
	config_free(c);
	free(top);
	free(tb);
	free(set_cache);
	free(set_tb);
}

static void meta(const char *cache, const char *key, const char *json)
{
	char *d = xasprintf("%s/kernels/%s", cache, key), *m = path_join(d, "meta.json");

	mkdir_p(d, 0755);
	if (json)
		assert_int_equal(write_file_atomic(m, json, strlen(json)), 0);
	free(d);
	free(m);
}

static void test_kcache_fake(void **state)
{
	char *cache = path_join(dir, "fake");
	struct kcache kc;
	struct strv keep_src = { 0 }, keep_var = { 0 }, gone = { 0 };

	free(put("fake/linux/Makefile", "all:\n"));
	free(put("fake/linux.imported", "1111111111111111aaaa\n"));
	free(put("fake/src/1111111111111111/origin", "/usr/src/linux-source-6.12.tar.xz"));
	free(put("fake/src/2222222222222222/origin", "/usr/src/linux-source-6.1.tar.xz"));
	free(put("fake/src/2222222222222222/linux/Makefile", "all:\n"));
	free(put("fake/src/3333333333333333/origin", "/home/u/linux"));
	meta(cache, "aaaa", "{\"variant\":\"base\",\"commit\":\"c1\",\"source\":\"1111111111111111\"}");
	meta(cache, "bbbb", "{\"variant\":\"base\",\"commit\":\"c2\",\"source\":\"2222222222222222\"}");
	meta(cache, "cccc", "{\"variant\":\"gone-branch\",\"commit\":\"c3\",\"source\":\"3333333333333333\"}");
	meta(cache, "dddd", "{\"variant\":\"spec-gup\",\"commit\":\"c4\"}"); /* before source keys */
	meta(cache, "eeee.tmp", NULL);					      /* never finished */
	assert_int_equal(kcache_scan(cache, &kc), 0);
	/* the legacy import once (its src/<key> holds only the origin), two others */
	assert_int_equal(kc.nr_trees, 3);
	assert_true(kc.trees[0].legacy);
	assert_string_equal(kc.trees[0].key, "1111111111111111");
	assert_string_equal(kc.trees[0].origin, "/usr/src/linux-source-6.12.tar.xz");
	assert_string_equal(kc.trees[1].key, "2222222222222222");
	assert_true(kc.trees[1].bytes > 0);
	assert_int_equal(kc.nr_kernels, 5);
	assert_string_equal(kc.kernels[0].variant, "base");
	assert_string_equal(kc.kernels[0].kind, "build");
	assert_false(kc.kernels[4].complete);
	/* the config names the 6.12 import and the 6.1 tarball, variants base, spec-gup */
	strv_push(&keep_src, "1111111111111111");
	strv_push(&keep_src, "2222222222222222");
	strv_push(&keep_var, "base");
	strv_push(&keep_var, "spec-gup");
	kcache_gc_plan(&kc, &keep_src, &keep_var, &gone);
	assert_int_equal(gone.n, 3);
	assert_true(str_ends(gone.v[0], "/src/3333333333333333"));
	assert_true(str_ends(gone.v[1], "/kernels/cccc"));
	assert_true(str_ends(gone.v[2], "/kernels/eeee.tmp"));
	strv_free(&gone);
	/*
	 * a config naming nothing of these: never the first import, though
	 * its kernels go like any (gc always keeps the built-in config's key)
	 */
	strv_free(&keep_src);
	kcache_gc_plan(&kc, &keep_src, &keep_var, &gone);
	for (size_t i = 0; i < gone.n; i++)
		assert_false(str_ends(gone.v[i], "/fake/linux"));
	assert_int_equal(gone.n, 6); /* src/2222, src/3333, aaaa, bbbb, cccc, eeee.tmp */
	strv_free(&gone);
	strv_free(&keep_var);
	kcache_free(&kc);
	free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variant_sections),
		cmocka_unit_test(test_variant_section_errors),
		cmocka_unit_test(test_tree_revision_names),
		cmocka_unit_test(test_resolve_prebuilt),
		cmocka_unit_test(test_series_read),
		cmocka_unit_test(test_kconfig_needs),
		cmocka_unit_test(test_kconfig_needs_truncpin),
		cmocka_unit_test(test_kconfig_arch),
		cmocka_unit_test(test_key_kconfig),
		cmocka_unit_test(test_names_and_jobs),
		cmocka_unit_test(test_user_tree_bad_input),
		cmocka_unit_test(test_kcache_fake),
		cmocka_unit_test(test_prebuilt_into_cache),
		cmocka_unit_test(test_source_keying),
		cmocka_unit_test(test_source_import_concurrent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
