// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report, end to end: plot two recorded runs as variants of one
 * run, open index.html in headless Chromium, check that every plot loaded
 * and that the screenshot is not blank (a blank page compresses to ~8 KB).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"
#include "proc.h"
#include "result.h"
#include "util.h"

static char tmp[64];

static void copy_variant(const char *from, const char *variant)
{
	char *err = NULL, *dir = xasprintf("%s/%s", tmp, variant);
	char *p = xasprintf("%s/odirect-read-pte.json", dir);
	struct zd_result r;

	mkdir_p(dir, 0755);
	assert_int_equal(result_read(from, &r, &err), 0);
	free(r.variant);
	r.variant = xstrdup(variant);
	assert_int_equal(result_write(p, &r), 0);
	result_free(&r);
	free(p);
	free(dir);
}

static char *chromium(const char *what, const char *url)
{
	char *bin = which("chromium");
	char *ud = xasprintf("%s/chrome-profile", tmp);
	char *udarg = xasprintf("--user-data-dir=%s", ud);
	struct sbuf out = { 0 };
	struct strv av = { 0 };
	struct proc_opts o = { .capture = &out, .quiet_stderr = true, .timeout = 120 };
	struct proc_result r;

	if (!bin)
		fail_msg("chromium not installed: scripts/install-deps.sh installs it");
	strv_push(&av, bin);
	/* as the machine notes say: no sandbox as root, no background network */
	strv_push(&av, "--headless");
	strv_push(&av, "--no-sandbox");
	strv_push(&av, "--disable-gpu");
	strv_push(&av, "--disable-quic");
	strv_push(&av, "--no-first-run");
	strv_push(&av, "--disable-background-networking");
	strv_push(&av, "--disable-component-update");
	strv_push(&av, "--disable-sync");
	strv_push(&av, udarg);
	strv_push(&av, "--window-size=1200,1400");
	strv_push(&av, "--virtual-time-budget=5000");
	strv_push(&av, what);
	strv_push(&av, url);
	assert_int_equal(proc_run(av.v, &o, &r), 0);
	assert_false(r.timed_out);
	strv_free(&av);
	free(bin);
	free(ud);
	free(udarg);
	return sbuf_detach(&out, NULL);
}

static void test_report_in_browser(void **state)
{
	char *argv_dir, *url, *dom, *shot, *shotarg;
	char *plot[] = { "build/zdbench", "plot", NULL, NULL };
	struct proc_opts o = { .out_path = "/dev/null", .timeout = 120 };
	struct proc_result r;
	struct stat st;

	strcpy(tmp, "/tmp/zd-report-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	copy_variant("tests/data/results/icount-a/base/odirect-read-pte.json", "base");
	copy_variant("tests/data/results/icount-b/base/odirect-read-pte.json", "base-again");
	argv_dir = xstrdup(tmp);
	plot[2] = argv_dir;
	assert_int_equal(proc_run(plot, &o, &r), 0);
	assert_int_equal(r.exit_code, 0);
	url = xasprintf("file://%s/index.html", tmp);
	dom = chromium("--dump-dom", url);
	if (!strstr(dom, "data-plots-loaded=\"2/2\""))
		fail_msg("not every plot loaded:\n%.2000s", dom);
	assert_non_null(strstr(dom, "base-again"));
	shot = xasprintf("%s/shot.png", tmp);
	shotarg = xasprintf("--screenshot=%s", shot);
	free(chromium(shotarg, url));
	assert_int_equal(stat(shot, &st), 0);
	if (st.st_size < 20000)
		fail_msg("screenshot %s is %ld bytes: blank?", shot, (long)st.st_size);
	free(argv_dir);
	free(url);
	free(dom);
	free(shot);
	free(shotarg);
	rm_rf(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_in_browser),
	};

	e2e_filter();
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
