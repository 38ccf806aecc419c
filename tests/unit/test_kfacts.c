// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel facts (harness/kfacts.c) on small trees written here: block/bio.c
 * of before and after v6.4, mm/gup_test.h as in 6.1/6.12 and with a changed
 * ioctl or struct, the same facts read at a git revision and from the work
 * tree, and the version guess for a prebuilt kernel's .config. The real 6.1
 * and 6.12 trees are read in tests/e2e/test_versions.c.
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

#include "config.h"
#include "kconfig.h"
#include "kfacts.h"
#include "util.h"
#include "wlkind.h"
#include "../shell.h"

static char dir[64];

/* mm/gup_test.h of v6.12, abridged to what matters (comments kept to test normalising) */
static const char gup_h[] =
	"#define GUP_FAST_BENCHMARK\t_IOWR('g', 1, struct gup_test)\n"
	"#define PIN_FAST_BENCHMARK\t_IOWR('g', 2, struct gup_test)\n"
	"#define PIN_LONGTERM_BENCHMARK\t_IOWR('g', 3, struct gup_test)\n"
	"#define GUP_BASIC_TEST\t\t_IOWR('g', 4, struct gup_test)\n"
	"#define PIN_BASIC_TEST\t\t_IOWR('g', 5, struct gup_test)\n"
	"#define GUP_TEST_MAX_PAGES_TO_DUMP\t\t8\n"
	"struct gup_test {\n\t__u64 get_delta_usec;\n\t__u64 put_delta_usec;\n"
	"\t__u64 addr;\n\t__u64 size;\n\t__u32 nr_pages_per_call;\n\t__u32 gup_flags;\n"
	"\t__u32 test_flags;\n\t/*\n\t * Each non-zero entry ...\n\t */\n"
	"\t__u32 which_pages[GUP_TEST_MAX_PAGES_TO_DUMP];\n};\n";

static void put(const char *rel, const char *text)
{
	char *p = path_join(dir, rel), *d = xstrdup(p);

	*strrchr(d, '/') = 0;
	assert_int_equal(mkdir_p(d, 0755), 0);
	assert_int_equal(write_file_atomic(p, text, strlen(text)), 0);
	free(p);
	free(d);
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/zd-kfacts-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rm_rf(dir);
}

static void tree_61(void)
{
	put("Makefile", "# SPDX\nVERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\n");
	put("block/bio.c", "size = iov_iter_get_pages2(iter, pages, UINT_MAX, nr, &offset);\n");
	put("mm/gup_test.h", gup_h);
	put("arch/x86/Kconfig", "\tselect ARCH_HAS_PTE_DEVMAP\t\tif X86_64\n");
	put("include/trace/events/fs_dax.h", "DEFINE_PTE_FAULT_EVENT(dax_pte_fault_done);\n"
					     "DEFINE_PMD_FAULT_EVENT(dax_pmd_fault_done);\n");
}

static void test_work_tree_61_and_612(void **state)
{
	struct kfacts kf;
	struct json_object *o;

	tree_61();
	kfacts_from_tree(dir, NULL, &kf);
	assert_string_equal(kf.from, "source");
	assert_string_equal(kf.version, "6.1.192");
	assert_int_equal(kf.dio_refs, KF_REFS_GETS);
	assert_string_equal(kf.gup_abi_why, "");
	assert_false(kf.gup_longterm);
	assert_true(kf.pte_devmap);
	assert_true(kf.dax_fault_tp);
	o = kfacts_json(&kf);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "dio_refs")), "gets");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "gup_test_abi")), "ok");
	json_object_put(o);

	/* v6.4+: bio pins; a longterm test; PTE_DEVMAP gone (v6.15+ trees) */
	put("block/bio.c", "size = iov_iter_extract_pages(iter, &pages, ...);\n");
	put("mm/gup_test.h", "#define PIN_LONGTERM_TEST_START\t_IOW('g', 7, struct pin_longterm_test)\n");
	{
		char *p = path_join(dir, "mm/gup_test.h"), *t = xasprintf("%s%s", gup_h,
			"#define PIN_LONGTERM_TEST_START\t_IOW('g', 7, struct pin_longterm_test)\n");

		assert_int_equal(write_file_atomic(p, t, strlen(t)), 0);
		free(p);
		free(t);
	}
	put("arch/x86/Kconfig", "config X86_64\n");
	kfacts_from_tree(dir, NULL, &kf);
	assert_int_equal(kf.dio_refs, KF_REFS_PINS);
	assert_string_equal(kf.gup_abi_why, "");
	assert_true(kf.gup_longterm);
	assert_false(kf.pte_devmap);
}

static void test_gup_abi_changes_are_named(void **state)
{
	struct kfacts kf;
	struct zd_workload w = { .name = "gup-pin-fast-pte", .kind = "gup" };
	struct zd_workload od = { .name = "odirect-read-pte", .kind = "odirect" };
	char *why, *t;

	tree_61();
	/* a renumbered command */
	t = xasprintf("%s", gup_h);
	memcpy(strstr(t, "'g', 2,"), "'g', 9,", 7);
	put("mm/gup_test.h", t);
	free(t);
	kfacts_from_tree(dir, NULL, &kf);
	assert_non_null(strstr(kf.gup_abi_why, "PIN_FAST_BENCHMARK is _IOWR('g', 9, struct gup_test)"));
	why = wl_kernel_check(&w, &kf);
	assert_non_null(why);
	assert_non_null(strstr(why, "workload gup-pin-fast-pte: mm/gup_test.h: PIN_FAST_BENCHMARK"));
	free(why);
	assert_null(wl_kernel_check(&od, &kf)); /* odirect does not use gup_test */

	/* a field added to the struct */
	t = xasprintf("%s", gup_h);
	memcpy(strstr(t, "__u32 test_flags;"), "__u64 test_flags;", 17);
	put("mm/gup_test.h", t);
	free(t);
	kfacts_from_tree(dir, NULL, &kf);
	assert_non_null(strstr(kf.gup_abi_why, "struct gup_test"));
	assert_non_null(strstr(kf.gup_abi_why, "differs from the agent's"));

	/* no gup_test at all (before v5.11) */
	put("mm/gup_test.h", "");
	assert_int_equal(unlink(strcat(strcpy((char[128]){ 0 }, dir), "/mm/gup_test.h")), 0);
	kfacts_from_tree(dir, NULL, &kf);
	assert_string_equal(kf.gup_abi_why, "the tree has no mm/gup_test.h");
}

/* At a revision: the committed file counts, not the work tree's edit. */
static void test_at_revision(void **state)
{
	struct kfacts kf;
	char *rev = NULL;

	tree_61();
	assert_int_equal(sh("cd %s && git init -q && git add -A && git -c user.name=t -c user.email=t@t "
			    "commit -qm 6.1 && git rev-parse HEAD > rev", dir), 0);
	{
		char *p = path_join(dir, "rev");

		rev = trim(read_file(p, NULL));
		free(p);
	}
	put("block/bio.c", "iov_iter_extract_pages\n"); /* uncommitted */
	kfacts_from_tree(dir, rev, &kf);
	assert_int_equal(kf.dio_refs, KF_REFS_GETS);
	assert_string_equal(kf.version, "6.1.192");
	kfacts_from_tree(dir, NULL, &kf);
	assert_int_equal(kf.dio_refs, KF_REFS_PINS);
	/* a revision that does not exist: nothing known, never a crash */
	kfacts_from_tree(dir, "0000000000000000000000000000000000000000", &kf);
	assert_int_equal(kf.dio_refs, KF_REFS_UNKNOWN);
	assert_string_equal(kf.version, "");
	free(rev);
}

static void test_prebuilt_config_version(void **state)
{
	struct kfacts kf;
	char *p = path_join(dir, "config");

	put("config", "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.1.192 Kernel Configuration\n#\n");
	kfacts_from_config(p, &kf);
	assert_string_equal(kf.from, "version");
	assert_string_equal(kf.version, "6.1.192");
	assert_int_equal(kf.dio_refs, KF_REFS_GETS);
	put("config", "# Linux/x86 6.12.117 Kernel Configuration\n");
	kfacts_from_config(p, &kf);
	assert_int_equal(kf.dio_refs, KF_REFS_PINS);
	assert_true(kf.pte_devmap);
	put("config", "# Linux/x86 6.15.0-rc1 Kernel Configuration\n");
	kfacts_from_config(p, &kf);
	assert_string_equal(kf.version, "6.15.0-rc1");
	assert_false(kf.pte_devmap);
	put("config", "CONFIG_64BIT=y\n"); /* no header: nothing guessed */
	kfacts_from_config(p, &kf);
	assert_string_equal(kf.from, "none");
	assert_int_equal(kf.dio_refs, KF_REFS_UNKNOWN);
	free(p);
}

/* An option the tree does not declare, told apart from one it does (kbuild's explain_dropped). */
static void test_kconfig_declares(void **state)
{
	put("mm/Kconfig", "config ZONE_DEVICE\n\tbool \"Device memory\"\nmenuconfig  GUP_TEST \n");
	put("fs/Kconfig.binfmt", "config BINFMT_ELF\n");
	put("README", "config NOT_A_KCONFIG_FILE\n");
	assert_int_equal(kconfig_declares(dir, "ZONE_DEVICE"), -1); /* not a git tree yet */
	assert_int_equal(sh("cd %s && git init -q && git add -A", dir), 0);
	assert_int_equal(kconfig_declares(dir, "ZONE_DEVICE"), 1);
	assert_int_equal(kconfig_declares(dir, "GUP_TEST"), 1);
	assert_int_equal(kconfig_declares(dir, "BINFMT_ELF"), 1);
	assert_int_equal(kconfig_declares(dir, "ZONE"), 0);
	assert_int_equal(kconfig_declares(dir, "NOT_A_KCONFIG_FILE"), 0);
	assert_int_equal(kconfig_declares(dir, "PERSISTENT_HUGE_ZERO_FOLIO"), 0);
}

static void test_version_code(void **state)
{
	assert_int_equal(kfacts_version_code("6.1.192"), 0x0601c0);
	assert_int_equal(kfacts_version_code("6.4"), 0x060400);
	assert_int_equal(kfacts_version_code("6.15.0-rc1+"), 0x060f00);
	assert_int_equal(kfacts_version_code("6.12.999"), 0x060cff);
	assert_int_equal(kfacts_version_code(""), 0);
	assert_int_equal(kfacts_version_code("x6.1"), 0);
	assert_int_equal(kfacts_version_code(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_work_tree_61_and_612, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gup_abi_changes_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_revision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prebuilt_config_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kconfig_declares, setup, teardown),
		cmocka_unit_test(test_version_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
