// SPDX-License-Identifier: GPL-2.0
/*
 * The host backend's safety decision on recorded inputs (tests/data/host:
 * `ndctl list -N` output and a mountinfo): each refusal names the namespace
 * and its reason, and only a namespace that passes every check is accepted.
 * The same refusals run for real inside a guest in tests/e2e/test_host.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "config.h"
#include "hostsafe.h"
#include "util.h"

static struct zd_config *cfg(const char *ns, const char *size, bool destructive,
			     const char *mode)
{
	struct zd_config *c = config_new();

	assert_int_equal(config_load_defaults(c), 0);
	assert_int_equal(config_set(c, "host", "namespace", ns, "test", 1), 0);
	assert_int_equal(config_set(c, "host", "size", size, "test", 2), 0);
	assert_int_equal(config_set(c, "host", "destructive", destructive ? "yes" : "no", "test", 3),
			 0);
	assert_int_equal(config_set(c, "run", "dax_mode", mode, "test", 4), 0);
	return c;
}

static void facts(struct host_facts *f, const char *ndctl_file, bool mounted)
{
	memset(f, 0, sizeof(*f));
	f->euid = 0;
	f->ndctl = json_object_from_file(ndctl_file);
	assert_non_null(f->ndctl);
	f->mountinfo = read_file("tests/data/host/mountinfo", NULL);
	assert_non_null(f->mountinfo);
	if (!mounted) /* drop the line that mounts pmem0 */
		*strstr(f->mountinfo, "20 1 259:0") = '\0';
	f->filesystems = read_file("tests/data/host/filesystems", NULL);
	assert_non_null(f->filesystems);
	f->mkfs = xstrdup("mkfs.ext4");
}

/* The recorded kernel with XFS built in, and mkfs.xfs installed. */
static void with_xfs(struct host_facts *f)
{
	char *fs = xasprintf("%s\txfs\n", f->filesystems);

	free(f->filesystems);
	f->filesystems = fs;
	free(f->mkfs);
	f->mkfs = xstrdup("mkfs.ext4 mkfs.xfs");
}

static struct zd_config *cfg_fs(const char *fs)
{
	struct zd_config *c = cfg("namespace0.0", "512M", true, "fsdax");

	assert_int_equal(config_set(c, "run", "fs", fs, "test", 5), 0);
	return c;
}

/* Decide; expect a refusal containing msg, or acceptance when msg is NULL. */
static void expect(struct zd_config *c, struct host_facts *f, const char *msg)
{
	struct host_ns ns;
	char *why = NULL;
	int ret = host_ns_check(c, f, &ns, &why);

	if (!msg) {
		if (ret)
			fail_msg("refused: %s", why);
		assert_string_equal(ns.name, "namespace0.0");
	} else {
		if (ret != -1)
			fail_msg("accepted; expected a refusal with '%s'", msg);
		if (!why || !strstr(why, msg))
			fail_msg("refusal '%s' lacks '%s'", why ? why : "(none)", msg);
	}
	free(why);
	host_ns_free(&ns);
	host_facts_free(f);
	config_free(c);
}

static void test_accepts_fsdax(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("namespace0.0", "536870912", true, "fsdax"), &f, NULL);
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("namespace0.0", "512M", true, "fsdax"), &f, NULL); /* 536870912 = 512 MiB */
}

static void test_accepts_devdax(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-devdax.json", false);
	expect(cfg("namespace0.0", "534773760", true, "devdax"), &f, NULL);
}

static void test_refuses_not_root(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	f.euid = 1000;
	expect(cfg("namespace0.0", "536870912", true, "fsdax"), &f,
	       "the host backend needs root: it formats and re-enables pmem namespace namespace0.0");
}

static void test_refuses_unnamed(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("", "536870912", true, "fsdax"), &f, "no namespace named in [host] namespace");
}

static void test_refuses_unknown(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("namespace2.0", "536870912", true, "fsdax"), &f,
	       "namespace namespace2.0 not found (ndctl list -N shows: namespace0.0)");
}

static void test_refuses_without_optin(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("namespace0.0", "536870912", false, "fsdax"), &f,
	       "namespace namespace0.0: [host] destructive is not set; zdbench would mkfs its block device");
	facts(&f, "tests/data/host/ndctl-devdax.json", false);
	expect(cfg("namespace0.0", "534773760", false, "devdax"), &f,
	       "would write over its dax device");
}

static void test_refuses_mounted(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-fsdax.json", true);
	expect(cfg("namespace0.0", "536870912", true, "fsdax"), &f,
	       "namespace namespace0.0 (/dev/pmem0) is mounted on /mnt/mine");
}

static void test_refuses_in_use(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	f.busy = xstrdup("open by pid 42");
	f.busy_dev = xstrdup("/dev/pmem0");
	expect(cfg("namespace0.0", "536870912", true, "fsdax"), &f,
	       "namespace namespace0.0 (/dev/pmem0) is in use: open by pid 42");
}

static void test_refuses_size_and_mode(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("namespace0.0", "510M", true, "fsdax"), &f,
	       "namespace namespace0.0 has 536870912 bytes, the config says 510M (534773760 bytes)");
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("namespace0.0", "", true, "fsdax"), &f,
	       "[host] size is not set; set it to 536870912");
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("namespace0.0", "lots", true, "fsdax"), &f, "[host] size = lots: not a size");
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("namespace0.0", "534773760", true, "devdax"), &f,
	       "namespace namespace0.0 is in mode fsdax, the config says devdax");
}

/* pmem0's partitions count as mounted; pmem01 is another device. */
/* fs = xfs needs XFS in the running kernel and mkfs.xfs; devdax needs neither. */
static void test_fs_support(void **state)
{
	struct host_facts f;
	struct zd_config *c;

	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg_fs("xfs"), &f,
	       "namespace namespace0.0: workloads run on fs = xfs, but the running kernel has no xfs (not in /proc/filesystems); boot one built with CONFIG_XFS_FS");
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	with_xfs(&f);
	free(f.mkfs);
	f.mkfs = xstrdup("mkfs.ext4 mkfs.xfsx");
	expect(cfg_fs("xfs"), &f, "but mkfs.xfs is not installed (xfsprogs)");
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	with_xfs(&f);
	expect(cfg_fs("xfs"), &f, NULL);
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	free(f.mkfs);
	f.mkfs = xstrdup("");
	expect(cfg_fs("ext4"), &f, "mkfs.ext4 is not installed (e2fsprogs)");
	/* "xf" and "xfsx" are not xfs */
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	free(f.filesystems);
	f.filesystems = xstrdup("nodev\tsysfs\n\txf\n\txfsx\n");
	free(f.mkfs);
	f.mkfs = xstrdup("mkfs.ext4 mkfs.xfs");
	expect(cfg_fs("xfs"), &f, "the running kernel has no xfs");
	/* one workload on xfs is enough to need it */
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	c = cfg_fs("ext4");
	assert_int_equal(config_set(c, "workload odirect-read-pte", "fs", "xfs", "test", 6), 0);
	expect(c, &f, "workloads run on fs = xfs, but the running kernel has no xfs");
	/* devdax: no filesystem, no mkfs */
	facts(&f, "tests/data/host/ndctl-devdax.json", false);
	free(f.mkfs);
	f.mkfs = NULL;
	c = cfg("namespace0.0", "534773760", true, "devdax");
	assert_int_equal(config_set(c, "run", "fs", "xfs", "test", 5), 0);
	expect(c, &f, NULL);
	(void)state;
}

/* A real namespace is never reconfigured: every workload must fit its mode. */
static void test_refuses_workload_mode(void **state)
{
	struct host_facts f;
	struct zd_config *c = cfg("namespace0.0", "512M", true, "fsdax");

	assert_int_equal(config_set(c, "workload gup-pin-fast-pte", "dax_mode", "devdax", "test", 6),
			 0);
	assert_int_equal(config_set(c, "run", "workloads", "odirect-read-pte gup-pin-fast-pte",
				    "test", 7), 0);
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(c, &f,
	       "namespace namespace0.0 is in mode fsdax, [workload gup-pin-fast-pte] runs on devdax; zdbench does not reconfigure it");
	(void)state;
}

static void test_mountinfo_partitions(void **state)
{
	const char *mi = "40 22 259:3 / /data rw - xfs /dev/pmem0p1 rw\n"
			 "41 22 259:9 / /other rw - ext4 /dev/pmem01 rw\n";
	char *where = NULL;

	assert_true(mountinfo_has(mi, "pmem0", NULL, &where));
	assert_string_equal(where, "/data");
	free(where);
	assert_false(mountinfo_has("41 22 259:9 / /other rw - ext4 /dev/pmem01 rw\n", "pmem0",
				   NULL, NULL));
	/* by device number, whatever the source is called (/dev/root, a symlink) */
	assert_true(mountinfo_has("41 22 259:0 / /x rw - ext4 /dev/root rw\n", "pmem0", "259:0",
				  NULL));
	/*
	 * A device name longer than any buffer: found all the same, and
	 * the compare stays inside both strings (make sanitize checks).
	 */
	{
		char name[1200];
		char *line;

		memset(name, 'p', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		line = xasprintf("41 22 259:9 / /long rw - ext4 /dev/%s rw\n", name);
		assert_true(mountinfo_has(line, name, NULL, NULL));
		assert_false(mountinfo_has(mi, name, NULL, NULL));
		free(line);
	}
}

/*
 * ndctl nests its answer under regions (-NR) and a bus (-vvv): the
 * namespace is found there, and a bus or region is never listed as one.
 */
static void test_nested_ndctl_shapes(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-NR.json", false);
	expect(cfg("namespace0.0", "512M", true, "fsdax"), &f, NULL);
	facts(&f, "tests/data/host/ndctl-vvv.json", false);
	expect(cfg("namespace0.0", "512M", true, "fsdax"), &f, NULL);
	facts(&f, "tests/data/host/ndctl-NR.json", false);
	expect(cfg("namespace2.0", "512M", true, "fsdax"), &f,
	       "namespace namespace2.0 not found (ndctl list -N shows: namespace1.0, namespace0.0)");
	facts(&f, "tests/data/host/ndctl-vvv.json", false);
	expect(cfg("ndbus0", "512M", true, "fsdax"), &f,
	       "namespace ndbus0 not found (ndctl list -N shows: namespace0.0)");
	facts(&f, "tests/data/host/ndctl-vvv.json", false);
	expect(cfg("region0", "512M", true, "fsdax"), &f, "namespace region0 not found");
}

/* A namespace of size 0, and [host] size = 0, are refused; no hint says 0. */
static void test_refuses_size_zero(void **state)
{
	struct host_facts f;
	uint64_t v;

	facts(&f, "tests/data/host/ndctl-size0.json", false);
	expect(cfg("namespace0.0", "0", true, "fsdax"), &f, "reports no size (0 bytes)");
	facts(&f, "tests/data/host/ndctl-size0.json", false);
	expect(cfg("namespace0.0", "", true, "fsdax"), &f, "reports no size (0 bytes)");
	facts(&f, "tests/data/host/ndctl-fsdax.json", false);
	expect(cfg("namespace0.0", "0", true, "fsdax"), &f, "[host] size = 0: not a size");
	/* a size that wraps around to the real one is not a size */
	assert_int_not_equal(parse_size("-18446744072635809792", &v), 0);
	assert_int_not_equal(parse_size("17179869184G", &v), 0);
	assert_int_not_equal(parse_size(" 512M", &v), 0);
	assert_int_equal(parse_size("16777215T", &v), 0);
}

/* A devdax namespace whose device went to system-ram mode is refused. */
static void test_refuses_system_ram(void **state)
{
	struct host_facts f;

	facts(&f, "tests/data/host/ndctl-system-ram.json", false);
	expect(cfg("namespace0.0", "534773760", true, "devdax"), &f,
	       "namespace namespace0.0: its dax device dax0.0 is in system-ram mode");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_fsdax),
		cmocka_unit_test(test_accepts_devdax),
		cmocka_unit_test(test_refuses_not_root),
		cmocka_unit_test(test_refuses_unnamed),
		cmocka_unit_test(test_refuses_unknown),
		cmocka_unit_test(test_refuses_without_optin),
		cmocka_unit_test(test_refuses_mounted),
		cmocka_unit_test(test_refuses_in_use),
		cmocka_unit_test(test_refuses_size_and_mode),
		cmocka_unit_test(test_fs_support),
		cmocka_unit_test(test_refuses_workload_mode),
		cmocka_unit_test(test_mountinfo_partitions),
		cmocka_unit_test(test_nested_ndctl_shapes),
		cmocka_unit_test(test_refuses_size_zero),
		cmocka_unit_test(test_refuses_system_ram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
