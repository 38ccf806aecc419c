// SPDX-License-Identifier: GPL-2.0
/*
 * End to end, the host backend: a QEMU guest plays the lab machine with
 * pmem. Its init (tests/e2e/host-guest.sh) runs zdbench --backend host
 * against the running kernel (base): every refusal case, then real runs
 * on fsdax and on devdax. The guest reports on its second serial port;
 * the assertions are here, on the exit codes, messages and result files.
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

#include "backend.h"
#include "builtin.h"
#include "cpio.h"
#include "e2e.h"
#include "image.h"
#include "kbuild.h"
#include "ksrc.h"
#include "result.h"

static char tmp[64];
static char *report;		/* what the guest wrote on ttyS1, \r removed */
static char *base_config_hash;	/* of the base kernel the guest runs */

/* The output of CASE name: "rc=N\n| line\n...", or NULL. */
static char *case_text(const char *name, int *rc)
{
	char *hdr = xasprintf("CASE %s rc=", name), *p = strstr(report, hdr);
	struct sbuf sb = { 0 };

	*rc = -1;
	if (!p) {
		free(hdr);
		return NULL;
	}
	p += strlen(hdr);
	*rc = atoi(p);
	free(hdr);
	p = strchr(p, '\n');
	while (p && p[1] == '|') {
		char *e = strchr(p + 1, '\n');

		sbuf_add(&sb, p + 1, e ? (size_t)(e - p) : strlen(p + 1));
		p = e;
	}
	return sbuf_detach(&sb, NULL);
}

static void expect_refusal(const char *name, const char *msg)
{
	int rc;
	char *t = case_text(name, &rc);

	if (!t)
		fail_msg("the guest did not run case %s:\n%s", name, report);
	print_message("case %s: rc=%d\n%s", name, rc, t);
	assert_int_equal(rc, 2);
	if (!strstr(t, msg))
		fail_msg("case %s: output lacks '%s'", name, msg);
	/* refused before anything was set up: no agent, no result */
	assert_null(strstr(t, "running base-on-host"));
	free(t);
}

/* The text of FILE path ... END from the report, or NULL. */
static char *file_text(const char *path)
{
	char *hdr = xasprintf("FILE %s\n", path), *p = strstr(report, hdr), *e;

	if (!p) {
		free(hdr);
		return NULL;
	}
	p += strlen(hdr);
	free(hdr);
	e = strstr(p, "\nEND\n");
	return e ? strndup(p, e - p + 1) : NULL;
}

static struct zd_result guest_result(const char *run, const char *wl)
{
	char *path = xasprintf("/tmp/%s/base-on-host/%s.json", run, wl);
	char *text = file_text(path), *local = xasprintf("%s/%s-%s.json", tmp, run, wl), *err = NULL;
	struct zd_result r;

	if (!text)
		fail_msg("the guest sent no %s", path);
	assert_int_equal(write_file_atomic(local, text, strlen(text)), 0);
	if (result_read(local, &r, &err))
		fail_msg("%s: %s", path, err);
	free(text);
	free(local);
	free(path);
	return r;
}

static const char *const fio_jobs[] = {
	"odirect-psync", "odirect-libaio", "odirect-io_uring", "splice-write", "fixedbufs-refused",
};

/* The guest image: base image + zdbench, setpriv, the script, the config. */
static int guest_initrd(const struct zd_config *c, const struct zd_kernel *k, const char *out)
{
	struct zd_image img = { 0 };
	struct cpio cp = { 0 };
	char *script = read_file("tests/e2e/host-guest.sh", NULL);
	char *kcfg = path_join(k->dir, "config"), *kc = read_file(kcfg, NULL);
	char *setpriv = which("setpriv");
	int ret = -1;

	if (!script || !kc || !setpriv) {
		fprintf(stderr, "missing: %s\n", !script ? "tests/e2e/host-guest.sh" :
						 !kc ? kcfg : "setpriv (util-linux)");
		goto out;
	}
	if (image_build(c, &img))
		goto out;
	cpio_file(&cp, "/zdbench/host-guest.sh", 0755, script, strlen(script));
	cpio_file(&cp, "/zdbench/kernel.config", 0644, kc, strlen(kc));
	cpio_symlink(&cp, "/zdbench/build/agent/zdbench-agent", "/zdbench/agent");
	/* the built-in config names fio jobs: zdbench checks they exist */
	for (size_t i = 0; i < ARRAY_SIZE(fio_jobs); i++) {
		char *src = xasprintf("workloads/fio/%s.fio", fio_jobs[i]);
		char *dst = xasprintf("/zdbench/workloads/fio/%s.fio", fio_jobs[i]);
		char *text = read_file(src, NULL);

		if (text)
			cpio_file(&cp, dst, 0644, text, strlen(text));
		free(text);
		free(src);
		free(dst);
	}
	if (image_add_binary(&cp, "build/zdbench", "/zdbench/build/zdbench") ||
	    image_add_binary(&cp, "build/agent/zdbench-micro",
			     "/zdbench/build/agent/zdbench-micro") ||
	    image_add_binary(&cp, setpriv, "/usr/bin/setpriv"))
		goto out;
	ret = image_append(&img, &cp, out);
out:
	cpio_free(&cp);
	image_free(&img);
	free(script);
	free(kcfg);
	free(kc);
	free(setpriv);
	return ret;
}

/* Build (or reuse) base, boot the guest, keep its report. */
static int boot_guest(void)
{
	static const char *const sets[] = { "qemu.extra_cmdline=rdinit=/zdbench/host-guest.sh",
					    "qemu.boot_timeout=2400", "qemu.accel=tcg" };
	struct zd_config *cfg = config_new();
	struct zd_ksrc src = { 0 };
	struct zd_kernel k = { 0 };
	struct boot_out bo = { 0 };
	char *initrd = path_join(tmp, "initrd.cpio"), *con = path_join(tmp, "console.log");
	char *res = path_join(tmp, "report.log"), *qlog = path_join(tmp, "qemu.log");
	int ret = -1;

	cfg->project_dir = project_dir();
	if (config_load_defaults(cfg))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		if (config_set_override(cfg, sets[i]))
			return -1;
	if (config_validate(cfg))
		return -1;
	if (ksrc_prepare(cfg, &src) || kbuild_variant(cfg, &src, "base", &k) ||
	    guest_initrd(cfg, &k, initrd))
		goto out;
	{
		struct boot_req req = {
			.cfg = cfg, .variant = "host-guest", .bzimage = k.bzimage,
			.initrd = initrd, .console_log = con, .results_log = res,
			.qemu_log = qlog, .scratch_dir = tmp, .accel = "tcg",
		};

		if (qemu_backend.boot(&req, &bo))
			goto out;
	}
	report = read_file(res, NULL);
	if (!report) {
		fprintf(stderr, "the guest wrote nothing on ttyS1 (console: %s)\n", con);
		goto out;
	}
	/* ttyS1 is cooked in the guest: \n went out as \r\n */
	for (char *r = report, *w = report;; r++) {
		if (*r != '\r')
			*w++ = *r;
		if (!*r)
			break;
	}
	base_config_hash = xstrdup(k.config_hash);
	ret = 0;
out:
	print_message("guest: %.0fs, timeout %s, qemu exit %d\n", bo.wall_secs,
		      bo.timeout ? bo.timeout : "none", bo.exit_code);
	boot_out_free(&bo);
	kernel_free(&k);
	ksrc_free(&src);
	config_free(cfg);
	free(initrd);
	free(con);
	free(res);
	free(qlog);
	return ret;
}

static void test_guest_finished(void **state)
{
	if (!strstr(report, "ALL-DONE"))
		fail_msg("the guest script did not finish:\n%s", report);
}

static void test_refusals(void **state)
{
	expect_refusal("unnamed", "no namespace named in [host] namespace");
	expect_refusal("unknown", "namespace namespace9.0 not found (ndctl list -N shows: namespace0.0)");
	expect_refusal("no-optin", "namespace namespace0.0: [host] destructive is not set");
	expect_refusal("not-root", "the host backend needs root");
	expect_refusal("wrong-size", "the config says");
	expect_refusal("wrong-mode", "namespace namespace0.0 is in mode fsdax, the config says devdax");
	expect_refusal("mounted", "namespace namespace0.0 (/dev/pmem0) is mounted on /mnt/mine");
	expect_refusal("in-use", "namespace namespace0.0 (/dev/pmem0) is in use");
	expect_refusal("no-xfs",
		       "namespace namespace0.0: workloads run on fs = xfs, but the running kernel has no xfs");
	/* the mounted filesystem's data survived the refused run */
	assert_non_null(strstr(report, "KEPT precious\n"));
}

static void check_run(const char *run, const char *mode, const char *check)
{
	static const char *const wls[] = { "odirect-read-pte", "gup-pin-fast-pte" };
	char *rj = xasprintf("/tmp/%s/run.json", run), *text = file_text(rj);
	struct json_object *o, *boot;
	int rc;
	char *t = case_text(run, &rc);

	if (!t)
		fail_msg("the guest did not run case %s", run);
	print_message("case %s: rc=%d\n%s", run, rc, t);
	assert_int_equal(rc, 0);
	assert_non_null(text);
	o = json_tokener_parse(text);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "boot", &boot));
	assert_string_equal(jstr(boot, "backend"), "host");
	assert_string_equal(jstr(boot, "dax_mode"), mode);
	assert_string_equal(jstr(o, "status"), "complete");
	json_object_put(o);
	for (size_t i = 0; i < 2; i++) {
		struct zd_result r = guest_result(run, wls[i]);
		int64_t pins = 0;

		assert_string_equal(r.verdict, "clean");
		assert_true(r.ok);
		assert_string_equal(r.backend, "host");
		assert_string_equal(r.variant, "base-on-host");
		/* provenance: the running kernel's config is the base build's */
		assert_string_equal(r.config_hash, base_config_hash);
		assert_int_equal(r.nr_samples, 3);
		for (size_t j = 0; j < r.nr_samples; j++)
			pins += r.samples[j].pin_acquired;
		if (!strcmp(wls[i], "odirect-read-pte"))
			assert_true(pins > 0);
		assert_true(check_ok(&r, "namespace_mode"));
		assert_true(check_ok(&r, check));
		assert_non_null(strstr(r.pmem, mode));
		result_free(&r);
	}
	free(t);
	free(rj);
	free(text);
}

static void test_fsdax_run(void **state)
{
	check_run("fsdax", "fsdax", "statx_dax");
	/* teardown left the namespace enabled again, as it was found */
	{
		const char *m = strstr(report, "MODE-AFTER ");
		char *line = m ? strndup(m, strcspn(m, "\n")) : xstrdup("(none)");

		if (!m || !strstr(line, "\"dev\":\"namespace0.0\"") || !strstr(line, "\"mode\":\"fsdax\""))
			fail_msg("namespace not enabled again after teardown: %s", line);
		free(line);
	}
}

static void test_devdax_run(void **state)
{
	check_run("devdax", "devdax", "devdax_chardev");
}

/* zdbench-micro by hand: odirect on a DAX mount, gup on the devdax device. */
static void test_micro_on_pmem(void **state)
{
	static const struct {
		const char *name, *pins;
	} cases[] = {
		{ "micro-fsdax", "\"pin_acquired\":1600," }, /* 100 x 64 KiB */
		{ "micro-devdax", "\"pin_acquired\":1024," }, /* 2 x 512 pages */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc, samples = 0;
		char *t = case_text(cases[i].name, &rc), *p;

		if (!t)
			fail_msg("the guest did not run %s", cases[i].name);
		print_message("case %s: rc=%d\n", cases[i].name, rc);
		if (rc)
			fail_msg("case %s failed:\n%s", cases[i].name, t);
		for (p = t; (p = strstr(p, "\"type\":\"sample\"")); p++)
			samples++;
		assert_int_equal(samples, 2);
		assert_non_null(strstr(t, cases[i].pins));
		assert_non_null(strstr(t, "\"type\":\"done\",\"ok\":true"));
		free(t);
	}
}

/* The console came from /dev/kmsg with the agent's phase markers. */
static void test_kmsg_console(void **state)
{
	char *con = file_text("/tmp/fsdax/base-on-host/console.log");

	assert_non_null(con);
	assert_non_null(strstr(con, "] zdbench: phase workload:odirect-read-pte begin"));
	assert_non_null(strstr(con, "] zdbench: phase teardown end"));
	free(con);
}

static int setup(void **state)
{
	strcpy(tmp, "/tmp/zd-e2e-h-XXXXXX");
	if (!mkdtemp(tmp) || e2e_ready())
		return -1;
	setenv("ZDBENCH_HOME", getcwd(NULL, 0), 1);
	return boot_guest();
}

static int teardown(void **state)
{
	free(report);
	free(base_config_hash);
	if (getenv("ZDBENCH_KEEP")) { /* for a look at the guest's report */
		fprintf(stderr, "kept %s\n", tmp);
		return 0;
	}
	return rm_rf(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_finished),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_fsdax_run),
		cmocka_unit_test(test_devdax_run),
		cmocka_unit_test(test_kmsg_console),
		cmocka_unit_test(test_micro_on_pmem),
	};

	e2e_filter();
	return cmocka_run_group_tests(tests, setup, teardown);
}
