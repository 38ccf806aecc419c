// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend.h"
#include "config.h"
#include "hostsafe.h"

static struct zd_config *cfg(void)
{
	struct zd_config *c = config_new();

	assert_int_equal(config_load_defaults(c), 0);
	return c;
}

static const char *after(const struct strv *av, const char *opt, int nth)
{
	for (size_t i = 0; i + 1 < av->n; i++)
		if (!strcmp(av->v[i], opt) && nth-- == 0)
			return av->v[i + 1];
	return NULL;
}

static bool has(const struct strv *av, const char *s)
{
	for (size_t i = 0; i < av->n; i++)
		if (!strcmp(av->v[i], s))
			return true;
	return false;
}

static struct boot_req req_for(struct zd_config *c, const char *accel)
{
	struct boot_req r = {
		.cfg = c, .variant = "base", .bzimage = "/k/bzImage",
		.initrd = "/r/initrd.cpio", .console_log = "/r/console.log",
		.results_log = "/r/results.jsonl", .scratch_dir = "/r",
		.accel = accel,
	};

	return r;
}

static void test_default_tcg_memmap(void **state)
{
	struct zd_config *c = cfg();
	struct boot_req r = req_for(c, "tcg");
	struct strv av = { 0 };
	char *cmdline = NULL;

	assert_int_equal(qemu_build_args(&r, &av, &cmdline), 0);
	assert_string_equal(av.v[0], "qemu-system-x86_64");
	assert_string_equal(after(&av, "-accel", 0), "tcg");
	assert_string_equal(after(&av, "-M", 0), "q35");
	assert_string_equal(after(&av, "-m", 0), "2048");
	assert_string_equal(after(&av, "-serial", 0), "file:/r/console.log");
	assert_string_equal(after(&av, "-serial", 1), "file:/r/results.jsonl");
	assert_string_equal(after(&av, "-kernel", 0), "/k/bzImage");
	assert_true(has(&av, "-no-reboot"));
	assert_false(has(&av, "-icount"));
	assert_non_null(strstr(cmdline, "memmap=512M!1024M"));
	assert_non_null(strstr(cmdline, "console=ttyS0"));
	assert_string_equal(after(&av, "-append", 0), cmdline);
	free(cmdline);
	strv_free(&av);
	config_free(c);
}

static void test_icount(void **state)
{
	struct zd_config *c = cfg();
	struct boot_req r = req_for(c, "tcg");
	struct strv av = { 0 };
	char *cmdline = NULL;

	assert_int_equal(config_set_override(c, "qemu.clock=icount"), 0);
	assert_int_equal(qemu_build_args(&r, &av, &cmdline), 0);
	assert_string_equal(after(&av, "-icount", 0), "shift=0,sleep=off");
	assert_string_equal(after(&av, "-accel", 0), "tcg,thread=single");
	free(cmdline);
	strv_free(&av);
	r.accel = "kvm";
	assert_int_not_equal(qemu_build_args(&r, &av, &cmdline), 0);
	strv_free(&av);
	config_free(c);
}

static void test_nvdimm(void **state)
{
	struct zd_config *c = cfg();
	struct boot_req r = req_for(c, "kvm");
	struct strv av = { 0 };
	char *cmdline = NULL;

	assert_int_equal(config_set_override(c, "qemu.pmem=nvdimm"), 0);
	assert_int_equal(qemu_build_args(&r, &av, &cmdline), 0);
	assert_string_equal(after(&av, "-M", 0), "q35,nvdimm=on");
	assert_string_equal(after(&av, "-m", 0), "2048,slots=2,maxmem=3584M");
	assert_string_equal(after(&av, "-accel", 0), "kvm");
	assert_string_equal(after(&av, "-cpu", 0), "host");
	assert_non_null(strstr(after(&av, "-object", 0), "mem-path=/r/nvdimm0.img,size=512M,align=2M"));
	assert_string_equal(after(&av, "-device", 0), "nvdimm,id=nvdimm0,memdev=nv0,label-size=128K");
	assert_null(strstr(cmdline, "memmap="));
	free(cmdline);
	strv_free(&av);
	config_free(c);
}

/* Real media behind the guest NVDIMM: the user's path, never the scratch file. */
static void test_file_backed_nvdimm(void **state)
{
	struct zd_config *c = cfg();
	struct boot_req r = req_for(c, "tcg");
	struct strv av = { 0 };
	char *cmdline = NULL;

	assert_int_equal(config_set_override(c, "qemu.pmem=file"), 0);
	assert_int_equal(config_set_override(c, "qemu.pmem_path=/mnt/pmemfs/guest.img"), 0);
	assert_int_equal(config_validate(c), 0);
	assert_int_equal(qemu_build_args(&r, &av, &cmdline), 0);
	assert_string_equal(after(&av, "-M", 0), "q35,nvdimm=on");
	assert_string_equal(after(&av, "-object", 0),
			    "memory-backend-file,id=nv0,share=on,mem-path=/mnt/pmemfs/guest.img,size=512M,align=2M");
	assert_null(strstr(cmdline, "memmap="));
	strv_free(&av);
	free(cmdline);
	cmdline = NULL;
	/* pmem=on only when asked (QEMU needs libpmem for it) */
	assert_int_equal(config_set_override(c, "qemu.pmem_on=yes"), 0);
	assert_int_equal(qemu_build_args(&r, &av, &cmdline), 0);
	assert_non_null(strstr(after(&av, "-object", 0), "align=2M,pmem=on"));
	free(cmdline);
	strv_free(&av);
	config_free(c);
}

/*
 * QEMU splits -object at commas and takes the last mem-path: a comma in a
 * path is doubled, in the user's pmem_path and in the scratch folder.
 */
static void test_commas_doubled(void **state)
{
	struct zd_config *c = cfg();
	struct boot_req r = req_for(c, "tcg");
	struct strv av = { 0 };
	char *cmdline = NULL, *v = qemu_opt_value("a,b,,c");

	assert_string_equal(v, "a,,b,,,,c");
	free(v);
	assert_int_equal(config_set_override(c, "qemu.pmem=file"), 0);
	assert_int_equal(config_set_override(c, "qemu.pmem_path=/mnt/x,mem-path=/dev/dax0.0"), 0);
	assert_int_equal(qemu_build_args(&r, &av, &cmdline), 0);
	assert_string_equal(after(&av, "-object", 0),
			    "memory-backend-file,id=nv0,share=on,mem-path=/mnt/x,,mem-path=/dev/dax0.0,size=512M,align=2M");
	strv_free(&av);
	free(cmdline);
	cmdline = NULL;
	assert_int_equal(config_set_override(c, "qemu.pmem=nvdimm"), 0);
	r.scratch_dir = "/r/a,share=off";
	assert_int_equal(qemu_build_args(&r, &av, &cmdline), 0);
	assert_non_null(strstr(after(&av, "-object", 0), "mem-path=/r/a,,share=off/nvdimm0.img,size="));
	free(cmdline);
	strv_free(&av);
	config_free(c);
}

static void expect_pmem_refused(const char *path, const char *why)
{
	struct zd_config *c = cfg();
	char *set = xasprintf("qemu.pmem_path=%s", path);

	assert_int_equal(config_set_override(c, "qemu.pmem=file"), 0);
	assert_int_equal(config_set_override(c, set), 0);
	assert_int_not_equal(config_validate(c), 0);
	if (!strstr(c->err, "the guest destroys its data") || !strstr(c->err, why))
		fail_msg("%s: error '%s' lacks '%s'", path, c->err, why);
	/* the owner's opt-in is what lets it through */
	assert_int_equal(config_set_override(c, "host.destructive=yes"), 0);
	strv_free(&c->errors);
	free(c->err);
	c->err = NULL;
	assert_int_equal(config_validate(c), 0);
	free(set);
	config_free(c);
}

/*
 * The refusal to write over a device is decided on the file the path
 * resolves to, not on its spelling. /dev/null stands in for /dev/dax0.0
 * (a test machine has no dax device); a sysfs tree of our own says which
 * class its MAJ:MIN is.
 */
static void test_pmem_path_resolved(void **state)
{
	char dir[] = "/tmp/zd-qemu-XXXXXX";
	char *link, *sys, *cls, *sub, *res = NULL, *dangling;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	link = path_join(dir, "innocent.img");
	dangling = path_join(dir, "dangling");
	assert_int_equal(symlink("/dev/null", link), 0);
	assert_int_equal(symlink("/nonexistent/x", dangling), 0);
	/* every spelling of /dev/null is the same character device */
	expect_pmem_refused("//dev/null", "a character device");
	expect_pmem_refused("/./dev/null", "a character device");
	expect_pmem_refused("/tmp/../dev/null", "a character device");
	expect_pmem_refused(link, "resolved: /dev/null");
	/* a path under /dev that does not exist yet is no scratch file either */
	expect_pmem_refused("//dev/./dax0.0", "a path under /dev");
	expect_pmem_refused("/dev/dax0.0", "a path under /dev");
	/* the dax class, through a sysfs of our own */
	assert_int_equal(stat("/dev/null", &st), 0);
	sys = path_join(dir, "sys");
	cls = path_join(dir, "sys/class/dax");
	assert_int_equal(mkdir_p(cls, 0755), 0);
	sub = xasprintf("%s/dev/char/%u:%u", sys, major(st.st_rdev), minor(st.st_rdev));
	assert_int_equal(mkdir_p(sub, 0755), 0);
	free(sub);
	sub = xasprintf("%s/dev/char/%u:%u/subsystem", sys, major(st.st_rdev), minor(st.st_rdev));
	assert_int_equal(symlink("../../../class/dax", sub), 0);
	assert_int_equal(pmem_target(link, sys, &res), PT_DAX_CHAR);
	assert_string_equal(res, "/dev/null");
	free(res);
	assert_int_equal(pmem_target("//dev/null", "/nonexistent-sysfs", NULL), PT_CHAR);
	/* plain files, new or not, are what pmem = file is for */
	assert_int_equal(pmem_target(dangling, sys, NULL), PT_NEW);
	assert_int_equal(pmem_target("/nonexistent/dir/x.img", sys, NULL), PT_NEW);
	assert_int_equal(pmem_target("/mnt/x,mem-path=/dev/dax0.0", sys, NULL), PT_NEW);
	assert_int_equal(pmem_target(dir, sys, NULL), PT_OTHER);
	assert_false(pmem_target_is_device(PT_FILE));
	assert_false(pmem_target_is_device(PT_DAX_FILE));
	assert_true(pmem_target_is_device(PT_DAX_CHAR));
	assert_true(pmem_target_is_device(PT_BLOCK));
	rm_rf(dir);
	free(link);
	free(dangling);
	free(sys);
	free(cls);
	free(sub);
}

static void test_extra_cmdline(void **state)
{
	struct zd_config *c = cfg();
	char *cmdline;

	assert_int_equal(config_set_override(c, "qemu.extra_cmdline=foo=1 bar"), 0);
	cmdline = kernel_cmdline(c);
	assert_non_null(strstr(cmdline, " foo=1 bar"));
	free(cmdline);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_tcg_memmap),
		cmocka_unit_test(test_icount),
		cmocka_unit_test(test_nvdimm),
		cmocka_unit_test(test_file_backed_nvdimm),
		cmocka_unit_test(test_extra_cmdline),
		cmocka_unit_test(test_commas_doubled),
		cmocka_unit_test(test_pmem_path_resolved),
	};

	return cmocka_run_group_tests_name("qemu", tests, NULL, NULL);
}
