// SPDX-License-Identifier: GPL-2.0
/*
 * Report formats, each read back by a real parser of that format: KTAP by
 * the kernel's own kunit_parser.py (extracted from the Debian
 * linux-source-6.12 tarball at test time), JUnit XML by python3-junitparser
 * and xmllint (well-formed, and valid against tests/data/junit/junit.xsd),
 * the JSON summary by json-c; lkp stats line by line against lkp's
 * "key: value" shape. The fixture is a results folder with every
 * outcome (pass, fail, hang, crash, clean-but-not-ok, infra) and hostile
 * text: markup, "]]>", newlines, "not ok" and "# SKIP" inside messages and
 * console lines, which must change neither the parsed counts nor the file's
 * well-formedness. A missing tool fails the test with a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "builtin.h"
#include "report.h"
#include "result.h"
#include "runset.h"
#include "util.h"

#define TEMPLATE "tests/data/results/icount-a/base/odirect-read-pte.json"
#define PY "/usr/bin/python3" /* Debian's: python3-junitparser is installed for it */
#define KSRC_TAR "/usr/src/linux-source-6.12.tar.xz"
#define JUNIT_XSD "tests/data/junit/junit.xsd"

/* What a console or a message may hold, aimed at every format at once. */
#define HOSTILE "evil <b>&amp;</b> ]]> \"q\" 'a' </failure><testcase name=\"x\">\n" \
	"not ok 99 fake # SKIP fooled\n# Subtest: fake\nok 100 also-fake\n" \
	"Kernel panic - not syncing: VFS: Unable to mount root\ndmesg.fake: 1\r\x01\x7f\xff\xc3("

static char *tmp, *run, *kunit_dir;

/* What the fixture holds: outcome by outcome. */
#define N_TESTS 8
#define N_PASSED 2
#define N_FAILED 4
#define N_SKIPPED 2

static void put(const char *variant, const char *workload, const char *verdict, bool ok,
		const char *msg, const char *timeout, const char *sig, const char *lkp)
{
	char *sub = path_join(run, variant), *p, *err = NULL;
	struct zd_result r;

	mkdir_p(sub, 0755);
	assert_int_equal(result_read(TEMPLATE, &r, &err), 0);
	free(r.run_id);
	r.run_id = xstrdup("fixture");
	free(r.variant);
	r.variant = xstrdup(variant);
	free(r.workload);
	r.workload = xstrdup(workload);
	free(r.verdict);
	r.verdict = xstrdup(verdict);
	r.ok = ok;
	free(r.msg);
	r.msg = msg ? xstrdup(msg) : NULL;
	free(r.timeout);
	r.timeout = timeout ? xstrdup(timeout) : NULL;
	if (sig) {
		struct zd_finding *f = result_add_finding(&r);

		strv_pushf(&r.signatures, "%s@workload", sig);
		f->cls = xstrdup("WARNING");
		f->key = xstrdup(sig);
		f->phase = xstrdup("workload");
		f->text = xstrdup(HOSTILE);
		f->lkp_key = lkp ? xstrdup(lkp) : NULL;
	}
	p = xasprintf("%s/%s.json", sub, workload);
	assert_int_equal(result_write(p, &r), 0);
	result_free(&r);
	free(p);
	free(sub);
}

static int setup(void **state)
{
	char *p, *cmd;
	int rc;

	tmp = xstrdup("/tmp/zd-report-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	run = path_join(tmp, "run");
	mkdir_p(run, 0755);
	p = path_join(run, "run.json");
	/* a whole run, as report requires (merge_check_run): finished, one run id */
	{
		const char *rj = "{\"schema\": \"zdbench.run/1\", \"run_id\": \"fixture\", "
				 "\"status\": \"complete\"}";

		assert_int_equal(write_file_atomic(p, rj, strlen(rj)), 0);
	}
	free(p);
	put("base", "w-clean", "clean", true, NULL, NULL, NULL, NULL);
	put("base", "w-fail", "fail", false, "pin count leaked", NULL,
	    "WARNING:at_fs/dax.c:dax_disassociate_entry",
	    "dmesg.WARNING:at_fs/dax.c:#dax_disassociate_entry");
	put("base", "w-hang", "hang", false, NULL, "step", NULL, NULL);
	put("base", "w-infra", "infra", false, "QEMU killed", "boot", NULL, NULL);
	put("zone-hook", "w-clean", "clean", true, NULL, NULL, NULL, NULL);
	/* a result from before findings had lkp keys: derived from the key */
	put("zone-hook", "w-crash", "crash", false, HOSTILE, NULL, "WARNING:at_mm/gup.c:try_grab_folio",
	    NULL);
	put("zone-hook", "w-notok", "clean", false, NULL, NULL, NULL, NULL);
	put("zone-hook", "w-infra", "infra", false, HOSTILE, NULL, NULL, NULL);

	/* the kernel's KTAP parser, from the kernel source Debian ships */
	kunit_dir = path_join(tmp, "linux-source-6.12/tools/testing/kunit");
	if (!path_exists(KSRC_TAR)) {
		fprintf(stderr, "test_formats: %s is missing (Debian package linux-source-6.12, "
				"scripts/install-deps.sh): the KTAP check cannot be made\n", KSRC_TAR);
		return 0; /* the KTAP tests fail on the missing parser */
	}
	cmd = xasprintf("tar -xJf " KSRC_TAR " -C '%s' linux-source-6.12/tools/testing/kunit/kunit_parser.py "
			"linux-source-6.12/tools/testing/kunit/kunit_printer.py", tmp);
	rc = system(cmd);
	free(cmd);
	if (rc)
		fprintf(stderr, "test_formats: extracting kunit_parser.py from %s failed\n", KSRC_TAR);
	return 0;
}

static int teardown(void **state)
{
	rm_rf(tmp);
	free(tmp);
	free(run);
	free(kunit_dir);
	return 0;
}

/* Run a command, its stdout into out (caller frees); its exit status. */
static int capture(const char *cmd, char **out)
{
	FILE *f = popen(cmd, "r");
	struct sbuf sb = { 0 };
	char buf[4096];
	size_t n;
	int rc;

	assert_non_null(f);
	sbuf_addstr(&sb, "");
	while ((n = fread(buf, 1, sizeof(buf), f)))
		sbuf_add(&sb, buf, n);
	rc = pclose(f);
	*out = sbuf_detach(&sb, NULL);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static void need_tool(const char *path, const char *pkg)
{
	if (access(path, X_OK))
		fail_msg("%s is needed for this check (Debian package %s, scripts/install-deps.sh)",
			 path, pkg);
}

/* `zdbench report` through the command table; its exit status. */
static int report_cmd(const char *spec, const char *format, const char *out)
{
	char *argv[] = { "report", (char *)spec, "--format", (char *)format, "-o", (char *)out, NULL };

	return run_builtin(&builtin_report, 6, argv);
}

static char *render(const char *format)
{
	char *out = xasprintf("%s/report.%s", tmp, format);

	/* a kernel failure in the fixture: report says so (1), as run would */
	assert_int_equal(report_cmd(run, format, out), ZD_EXIT_KERNEL);
	return out;
}

static void assert_ktap_counts(const char *file, size_t passed, size_t failed, size_t skipped)
{
	char *cmd, *out, *want;

	need_tool(PY, "python3");
	if (!path_exists(kunit_dir))
		fail_msg("kunit_parser.py was not extracted from %s (linux-source-6.12)", KSRC_TAR);
	cmd = xasprintf(PY " tests/tools/ktap-counts.py '%s' '%s' 2>/dev/null", kunit_dir, file);
	assert_int_equal(capture(cmd, &out), 0);
	want = xasprintf("counts passed %zu failed %zu crashed 0 skipped %zu errors 0 status %s\n",
			 passed, failed, skipped, failed ? "FAILURE" : "SUCCESS");
	if (!strstr(out, want))
		fail_msg("kunit_parser.py read %s as:\n%s\nwanted: %s", file, out, want);
	free(want);
	free(out);
	free(cmd);
}

static void test_ktap(void **state)
{
	char *file = render("ktap"), *text = read_file(file, NULL), *cmd, *out;

	assert_non_null(text);
	assert_true(str_starts(text, "KTAP version 1\n"));
	assert_non_null(strstr(text, "\n1..8\n"));
	assert_ktap_counts(file, N_PASSED, N_FAILED, N_SKIPPED);
	/* each point by name and status, as the kernel's parser saw it */
	cmd = xasprintf(PY " tests/tools/ktap-counts.py '%s' '%s' 2>/dev/null", kunit_dir, file);
	assert_int_equal(capture(cmd, &out), 0);
	assert_non_null(strstr(out, "test base.w-clean SUCCESS\n"));
	assert_non_null(strstr(out, "test base.w-fail FAILURE\n"));
	assert_non_null(strstr(out, "test base.w-hang FAILURE\n"));
	assert_non_null(strstr(out, "test base.w-infra SKIPPED\n"));
	assert_non_null(strstr(out, "test zone-hook.w-crash FAILURE\n"));
	assert_non_null(strstr(out, "test zone-hook.w-notok FAILURE\n"));
	assert_non_null(strstr(out, "test zone-hook.w-infra SKIPPED\n"));
	/* the hang names its timeout; the infra skip its reason */
	assert_non_null(strstr(text, "not ok 3 base.w-hang # TIMEOUT step\n"));
	assert_non_null(strstr(text, "ok 4 base.w-infra # SKIP QEMU killed\n"));
	/* the hostile message stays on its diagnostic line */
	assert_null(strstr(text, "\nnot ok 99"));
	assert_null(strstr(text, "\n# Subtest"));
	assert_null(strstr(text, "Kernel panic - not syncing: VFS:"));
	free(out);
	free(cmd);
	free(text);
	free(file);
}

/* Well-formed XML, valid against the JUnit shape runners read (tests/data/junit/junit.xsd). */
static void assert_xml_valid(const char *file)
{
	char *cmd, *out;

	need_tool("/usr/bin/xmllint", "libxml2-utils");
	cmd = xasprintf("xmllint --noout --schema " JUNIT_XSD " '%s' 2>&1", file);
	if (capture(cmd, &out))
		fail_msg("xmllint refuses %s:\n%s", file, out);
	free(out);
	free(cmd);
}

#define BAD_JUNIT "<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"b\" tests=\"-1\" " \
	"failures=\"0\" errors=\"0\"/></testsuites>\n"

static void test_junit(void **state)
{
	char *file = render("junit"), *cmd, *out;

	char *bad = path_join(tmp, "bad.xml");

	assert_xml_valid(file);
	/* the schema is read: a report with a negative count is refused */
	assert_int_equal(write_file_atomic(bad, BAD_JUNIT, strlen(BAD_JUNIT)), 0);
	cmd = xasprintf("xmllint --noout --schema " JUNIT_XSD " '%s' 2>&1", bad);
	assert_int_not_equal(capture(cmd, &out), 0);
	free(out);
	free(cmd);
	free(bad);
	need_tool(PY, "python3");
	cmd = xasprintf(PY " tests/tools/junit-counts.py '%s' 2>&1", file);
	if (capture(cmd, &out))
		fail_msg("junitparser (python3-junitparser) cannot read %s:\n%s", file, out);
	if (!strstr(out, "counts tests 8 passed 2 failed 4 skipped 2 errors 0 suites 2\n"))
		fail_msg("junitparser read %s as:\n%s", file, out);
	assert_non_null(strstr(out, "case zdbench.base w-hang failed 'step'\n"));
	assert_non_null(strstr(out, "case zdbench.base w-infra skipped 'QEMU killed'\n"));
	assert_non_null(strstr(out, "case zdbench.zone-hook w-clean passed None\n"));
	/* the hostile message arrives as text, markup and all, on one line */
	assert_non_null(strstr(out, "case zdbench.zone-hook w-crash failed 'evil <b>&amp;</b> ]]> "));
	assert_non_null(strstr(out, "</failure><testcase name=\"x\">\\\\nnot ok 99 fake # SKIP"));
	free(out);
	free(cmd);
	free(file);
}

static void test_json(void **state)
{
	char *file = render("json");
	struct json_object *o = zd_json_read(file), *t, *vs, *v, *res, *p, *m;

	assert_non_null(o);
	assert_string_equal(jstr(o, "schema"), "zdbench.summary/1");
	assert_true(json_object_object_get_ex(o, "totals", &t));
	assert_int_equal(jint(t, "tests", -1), N_TESTS);
	assert_int_equal(jint(t, "passed", -1), N_PASSED);
	assert_int_equal(jint(t, "failed", -1), N_FAILED);
	assert_int_equal(jint(t, "skipped", -1), N_SKIPPED);
	assert_true(json_object_object_get_ex(o, "variants", &vs));
	assert_int_equal(json_object_array_length(vs), 2);
	v = json_object_array_get_idx(vs, 0);
	assert_string_equal(jstr(v, "variant"), "base");
	assert_true(json_object_object_get_ex(v, "results", &res));
	assert_int_equal(json_object_array_length(res), 4);
	p = json_object_array_get_idx(res, 0);
	assert_string_equal(jstr(p, "workload"), "w-clean");
	assert_string_equal(jstr(p, "outcome"), "pass");
	assert_true(json_object_object_get_ex(p, "metrics", &m));
	assert_true(json_object_object_get_ex(m, "ns_per_page", &m));
	assert_float_equal(jdouble(m, "median", NAN), 834.9095, 1e-6);
	p = json_object_array_get_idx(res, 1);
	assert_string_equal(jstr(p, "outcome"), "fail");
	assert_string_equal(jstr(p, "reason"), "pin count leaked");
	assert_true(json_object_object_get_ex(p, "lkp_keys", &m));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(m, 0)),
			    "dmesg.WARNING:at_fs/dax.c:#dax_disassociate_entry");
	json_object_put(o);
	free(file);
}

/* lkp stats: every line a comment, blank, or "key: number" with no space in key. */
static void test_lkp(void **state)
{
	char *file = render("lkp"), *text = read_file(file, NULL), *save = NULL;
	size_t keys = 0;

	assert_non_null(text);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(l, ": "), *end;

		if (l[0] == '#')
			continue;
		if (!sep || strcspn(l, " \t") != (size_t)(sep + 1 - l))
			fail_msg("not an lkp stats line: '%s'", l);
		strtod(sep + 2, &end);
		if (end == sep + 2 || *end)
			fail_msg("not a number in '%s'", l);
		keys++;
	}
	free(text);
	text = read_file(file, NULL);
	assert_true(keys > 8);
	assert_true(str_starts(text, "# variant: base\n"));
	assert_non_null(strstr(text, "\nzdbench.w-clean.ns_per_page: 834.9095\n"));
	assert_non_null(strstr(text, "\nzdbench.w-fail.fail: 1\n"));
	assert_non_null(strstr(text, "\nzdbench.w-infra.skip: 1\n"));
	assert_non_null(strstr(text, "\ndmesg.boot_failures: 1\n"));
	/* the classifier's lkp key, and one derived the same way from an old result */
	assert_non_null(strstr(text, "\ndmesg.WARNING:at_fs/dax.c:#dax_disassociate_entry: 1\n"));
	assert_non_null(strstr(text, "\n# variant: zone-hook\n"));
	assert_non_null(strstr(text, "\ndmesg.WARNING:at_mm/gup.c:#try_grab_folio: 1\n"));
	free(text);
	free(file);
}

/*
 * Names the loader would refuse, in memory (the layer below it): the KTAP
 * description and the XML attributes still hold, the counts do not move.
 */
static void test_hostile_names(void **state)
{
	struct run_set disk, rs;
	char *k = path_join(tmp, "hostile.ktap"), *x = path_join(tmp, "hostile.xml");
	char *cmd, *out;

	assert_int_equal(run_set_load(run, &disk), 0);
	run_set_init(&rs, run);
	for (size_t i = 0; i < disk.n; i++) {
		struct zd_result *r = &disk.res[i];
		char *v = xasprintf("%s # SKIP \"<x>\n%s", r->variant, "ok 1 y");
		char *w = xasprintf("%s]]>&</testcase>\n# TIMEOUT", r->workload);

		free(r->variant);
		free(r->workload);
		r->variant = v;
		r->workload = w;
		run_set_take(&rs, r);
	}
	assert_int_equal(report_write(&report_ktap, &rs, k), 0);
	assert_int_equal(report_write(&report_junit, &rs, x), 0);
	assert_ktap_counts(k, N_PASSED, N_FAILED, N_SKIPPED);
	assert_xml_valid(x);
	cmd = xasprintf(PY " tests/tools/junit-counts.py '%s' 2>&1", x);
	assert_int_equal(capture(cmd, &out), 0);
	if (!strstr(out, "counts tests 8 passed 2 failed 4 skipped 2 errors 0 suites 2\n"))
		fail_msg("junitparser read %s as:\n%s", x, out);
	free(out);
	free(cmd);
	run_set_free(&rs);
	run_set_free(&disk);
	free(k);
	free(x);
}

/* One variant folder (DIR:VARIANT), stdout, and what is refused. */
static void test_cli(void **state)
{
	char *spec = xasprintf("%s:zone-hook", run), *out = path_join(tmp, "zh.ktap");
	char *none = path_join(tmp, "none.ktap"), *text;
	char *a1[] = { "report", run, NULL };
	char *a2[] = { "report", run, "--format", "xml", NULL };
	char *a3[] = { "report", "--format", "ktap", NULL };

	assert_int_equal(report_cmd(spec, "ktap", out), ZD_EXIT_KERNEL);
	text = read_file(out, NULL);
	assert_non_null(strstr(text, "\n1..4\n"));
	assert_null(strstr(text, "base."));
	free(text);
	assert_int_equal(run_builtin(&builtin_report, 2, a1), ZD_EXIT_USAGE);	/* no --format */
	assert_int_equal(run_builtin(&builtin_report, 4, a2), ZD_EXIT_USAGE);	/* unknown */
	assert_int_equal(run_builtin(&builtin_report, 3, a3), ZD_EXIT_USAGE);	/* no folder */
	/* a folder without results: infra, and no report file left behind */
	assert_int_equal(report_cmd("/nonexistent", "ktap", none), ZD_EXIT_INFRA);
	assert_false(path_exists(none));
	/* DIR:VARIANT in another format */
	free(spec);
	spec = xasprintf("%s:base", run);
	free(out);
	out = path_join(tmp, "base.json");
	assert_int_equal(report_cmd(spec, "json", out), ZD_EXIT_KERNEL);
	free(spec);
	free(out);
	free(none);
}

/* run --format: checked before anything is built or booted. */
static void test_run_options(void **state)
{
	char *a1[] = { "run", "--format", "xml", NULL };
	char *a2[] = { "run", "--format-out", "/tmp/x.xml", NULL };
	char *a3[] = { "run", "--format", "junit", "--format", "ktap", NULL };

	assert_int_equal(run_builtin(&builtin_run, 3, a1), ZD_EXIT_USAGE);
	assert_int_equal(run_builtin(&builtin_run, 3, a2), ZD_EXIT_USAGE);
	assert_int_equal(run_builtin(&builtin_run, 5, a3), ZD_EXIT_USAGE);
	assert_false(path_exists("/tmp/x.xml"));
}

/* Every format in the table is found by name and renders the empty set. */
static void test_table(void **state)
{
	static const char *const names[] = { "ktap", "junit", "json", "lkp" };
	struct run_set rs;

	run_set_init(&rs, "");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *p = xasprintf("%s/empty.%s", tmp, names[i]);

		assert_non_null(report_find(names[i]));
		assert_non_null(strstr(report_names(), names[i]));
		assert_int_equal(report_write(report_find(names[i]), &rs, p), 0);
		assert_true(path_exists(p));
		free(p);
	}
	assert_null(report_find("xml"));
	assert_null(report_find(NULL));
	run_set_free(&rs);
}

/* A run still running (or copied in part) is not reported as passing: exit 3, nothing written. */
static void test_unfinished_run_refused(void **state)
{
	char *rj = path_join(run, "run.json"), *keep = read_file(rj, NULL);
	char *out = xasprintf("%s/unfinished.ktap", tmp);
	const char *running = "{\"schema\": \"zdbench.run/1\", \"run_id\": \"fixture\", "
			      "\"status\": \"running\"}";

	assert_non_null(keep);
	assert_int_equal(write_file_atomic(rj, running, strlen(running)), 0);
	assert_int_equal(report_cmd(run, "ktap", out), ZD_EXIT_INFRA);
	assert_false(path_exists(out));
	assert_int_equal(write_file_atomic(rj, keep, strlen(keep)), 0);
	free(keep);
	free(rj);
	free(out);
}

int main(void)
{
	char cwd[4096];

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_ktap),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_lkp),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_run_options),
		cmocka_unit_test(test_unfinished_run_refused),
	};

	/* the config's fio job files are found from the project folder: here */
	if (!getcwd(cwd, sizeof(cwd)) || setenv("ZDBENCH_HOME", cwd, 1))
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
