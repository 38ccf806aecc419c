// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "config.h"

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
	};

	return cmocka_run_group_tests_name("qemu", tests, NULL, NULL);
}
