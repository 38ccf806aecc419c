// SPDX-License-Identifier: GPL-2.0
/*
 * LAVA's formats (harness/lava.c) and the console frames (harvest.c):
 * job definitions and the device dictionary checked by LAVA's own schema
 * (lava-common's lava-schema.py), a real lava-run log
 * (tests/data/lava/pass.log, a gup-pin-fast-pte job of the base kernel)
 * read back into the agent's lines and harvested, a cut log, LAVA's
 * quote escaping, torn frames.
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

#include "harvest.h"
#include "lava.h"
#include "proc.h"
#include "util.h"

#define FIXTURE "tests/data/lava/pass.log"
#define SCHEMA "/usr/share/lava-common/lava-schema.py"
/* the script's own interpreter: a python3 first on PATH may lack voluptuous */
#define PYTHON "/usr/bin/python3"

static void test_unframe(void **state)
{
	const char in[] = "Linux version 6.12\r\n"
			  "@zdbench-json:12:{\"type\":\"a\"}\r\n"
			  "ndctl: x@zdbench-json:12:{\"type\":\"b\"}\n"
			  "@zdbench-json:13:{\"type\":[ 6.1] BUG: x\n" /* a kernel line inside */
			  "@zdbench-json:x:{}\n"
			  "@zdbench-json:12:{\"type\":\"c\"}";
	struct sbuf con = SBUF_INIT, jl = SBUF_INIT;
	unsigned int torn;

	(void)state;
	harvest_unframe_buf(in, sizeof(in) - 1, &con, &jl, &torn);
	assert_string_equal(sbuf_str(&jl), "{\"type\":\"a\"}\n{\"type\":\"b\"}\n{\"type\":\"c\"}\n");
	assert_int_equal(torn, 2);
	/* the text around frames and the torn ones stay for the classifier */
	assert_string_equal(sbuf_str(&con), "Linux version 6.12\nndctl: x\n"
			    "@zdbench-json:13:{\"type\":[ 6.1] BUG: x\n@zdbench-json:x:{}\n");
	sbuf_free(&con);
	sbuf_free(&jl);
}

static char *fixture(size_t *len)
{
	char *s = read_file(FIXTURE, len);

	if (!s)
		fail_msg("%s: cannot read (run from the project folder)", FIXTURE);
	return s;
}

/* The recorded lava-run log gives back the agent's lines and a clean job. */
static void test_log_real(void **state)
{
	size_t len;
	char *buf = fixture(&len);
	struct lava_log l;
	struct sbuf con = SBUF_INIT, jl = SBUF_INIT;
	unsigned int torn;
	char tmp[] = "/tmp/zd-lava-XXXXXX";
	char *path;
	struct zd_result r;
	struct agent_report rep = { .taint_first = -1, .taint_last = -1 };

	(void)state;
	assert_int_equal(lava_log_parse(buf, len, &l), 0);
	assert_int_equal(l.bad, 0);
	assert_false(l.cut);
	assert_false(l.timed_out);
	assert_string_equal(l.result, "pass");
	assert_non_null(strstr(sbuf_str(&l.console), "Linux version 6.12"));
	harvest_unframe_buf(l.console.buf, l.console.len, &con, &jl, &torn);
	assert_int_equal(torn, 0);
	assert_null(strstr(sbuf_str(&con), "@zdbench-json:"));
	assert_non_null(mkdtemp(tmp));
	path = path_join(tmp, "results.jsonl");
	assert_int_equal(write_file_atomic(path, jl.buf, jl.len), 0);
	result_init(&r);
	r.workload = xstrdup("gup-pin-fast-pte");
	assert_int_equal(harvest(path, &r, 1, &rep), 0);
	assert_true(rep.hello);
	assert_true(rep.done && rep.done_ok);
	assert_int_equal(rep.bad_lines, 0);
	assert_int_equal(r.nr_samples, 2);
	assert_true(r.ok);
	assert_int_equal(r.samples[0].pin_acquired, 20480);
	result_free(&r);
	agent_report_free(&rep);
	rm_rf(tmp);
	free(path);
	sbuf_free(&con);
	sbuf_free(&jl);
	lava_log_free(&l);
	free(buf);
}

/* A log cut mid-entry (the dispatcher died) says so, and has no result. */
static void test_log_cut(void **state)
{
	size_t len;
	char *buf = fixture(&len);
	struct lava_log l;

	(void)state;
	assert_int_equal(lava_log_parse(buf, len / 2, &l), 0);
	assert_true(l.cut);
	assert_null(l.result);
	lava_log_free(&l);
	/* nothing of LAVA's in it at all */
	assert_int_equal(lava_log_parse("Traceback (most recent call last):\n", 35, &l), -1);
	assert_true(l.cut);
	lava_log_free(&l);
	free(buf);
}

/*
 * A server's log ("- " before each entry), LAVA's '"' escaping of the
 * console, a timeout and a failed job's error type.
 */
static void test_log_server_timeout(void **state)
{
	const char log[] =
		"- {\"dt\": \"x\", \"lvl\": \"target\", \"msg\": \"say \\\\\\\"hi\\\\\\\" \\\\\\\\\\\"\"}\n"
		"- {\"dt\": \"x\", \"lvl\": \"error\", \"msg\": \"boot-qemu-image timed out after 60 seconds\"}\n"
		"- {\"dt\": \"x\", \"lvl\": \"results\", \"msg\": {\"case\": \"job\", \"definition\": \"lava\", "
		"\"result\": \"fail\", \"error_type\": \"Job\", \"error_msg\": \"boot timed out\"}}\n";
	struct lava_log l;

	(void)state;
	assert_int_equal(lava_log_parse(log, sizeof(log) - 1, &l), 0);
	assert_int_equal(l.entries, 3);
	/* shell.py turned 'say "hi" \"' into 'say \"hi\" \\"' */
	assert_string_equal(sbuf_str(&l.console), "say \"hi\" \\\"\n");
	assert_true(l.timed_out);
	assert_false(l.cut);
	assert_string_equal(l.result, "fail");
	assert_string_equal(l.error_type, "Job");
	assert_string_equal(l.error_msg, "boot timed out");
	lava_log_free(&l);
	{
		/* the timeout named only in the job's result (LAVA 2023.01) */
		const char only[] = "{\"dt\": \"x\", \"lvl\": \"results\", \"msg\": {\"case\": \"job\", "
				    "\"definition\": \"lava\", \"error_msg\": \"wait for prompt timed out\", "
				    "\"error_type\": \"Job\", \"result\": \"fail\"}}\n";

		assert_int_equal(lava_log_parse(only, sizeof(only) - 1, &l), 0);
		assert_true(l.timed_out);
		lava_log_free(&l);
	}
}

static const struct lava_job_spec spec = {
	.name = "zdbench icount base", .device_type = "qemu",
	.kernel = "/cache/kernels/k/bzImage", .ramdisk = "/r/base/initrd.cpio",
	.cmdline = "console=ttyS0,115200 memmap=512M!1024M", .timeout = 900,
};

/* LAVA's schema checker on a file: its exit status, its output in *out. */
static int schema(const char *kind, const char *path, struct sbuf *out)
{
	char *argv[] = { PYTHON, SCHEMA, (char *)kind, (char *)path, NULL };
	struct proc_opts o = { .capture = out, .merge_stderr = true, .timeout = 120 };
	struct proc_result r;

	if (access(SCHEMA, R_OK) || access(PYTHON, X_OK))
		fail_msg("%s (lava-common) or %s missing: scripts/install-deps.sh", SCHEMA, PYTHON);
	assert_int_equal(proc_run(argv, &o, &r), 0);
	return r.exit_code;
}

static void check_schema(const char *kind, struct json_object *o, bool valid)
{
	char tmp[] = "/tmp/zd-lava-XXXXXX";
	char *p;
	struct sbuf out = SBUF_INIT;
	int rc;

	assert_non_null(mkdtemp(tmp));
	p = xasprintf("%s/%s.yaml", tmp, kind);
	assert_int_equal(lava_yaml_write(p, o), 0);
	rc = schema(kind, p, &out);
	if (strstr(sbuf_str(&out), "No module named"))
		fail_msg("%s: %s (install python3-voluptuous)", SCHEMA, sbuf_str(&out));
	if (valid && rc)
		fail_msg("LAVA's schema refuses the %s:\n%s", kind, sbuf_str(&out));
	if (!valid && !rc)
		fail_msg("LAVA's schema accepted a broken %s", kind);
	rm_rf(tmp);
	free(p);
	sbuf_free(&out);
}

static void test_job_schema(void **state)
{
	struct json_object *j = lava_job(&spec);
	char *y;

	(void)state;
	assert_non_null(j);
	y = lava_yaml_string(j);
	assert_non_null(y);
	/* the console switch rides in the kernel's image_arg */
	assert_non_null(strstr(y, "memmap=512M!1024M zdbench.console=1\\\""));
	assert_non_null(strstr(y, "file:///cache/kernels/k/bzImage"));
	free(y);
	check_schema("job", j, true);
	/* the checker can fail: a job without its device type */
	json_object_object_del(j, "device_type");
	check_schema("job", j, false);
	json_object_put(j);
}

static void test_device_schema(void **state)
{
	struct strv opts = { 0 };
	struct json_object *d;

	(void)state;
	strv_push(&opts, "-m");
	strv_push(&opts, "2048");
	d = lava_device("qemu-system-x86_64", &opts, 900);
	check_schema("device", d, true);
	json_object_object_del(d, "constants");
	check_schema("device", d, false);
	json_object_put(d);
	strv_free(&opts);
}

/* Strings that YAML would read as other types stay strings. */
static void test_yaml_quoting(void **state)
{
	struct json_object *o = json_object_new_object();
	char *y;

	(void)state;
	json_object_object_add(o, "a", json_object_new_string("yes"));
	json_object_object_add(o, "b", json_object_new_string("1"));
	json_object_object_add(o, "c", json_object_new_string("x: \"y\"\n- z"));
	json_object_object_add(o, "d", json_object_new_int(7));
	y = lava_yaml_string(o);
	assert_non_null(y);
	assert_non_null(strstr(y, "a: \"yes\""));
	assert_non_null(strstr(y, "b: \"1\""));
	assert_non_null(strstr(y, "c: \"x: \\\"y\\\"\\n- z\""));
	assert_non_null(strstr(y, "d: 7"));
	free(y);
	json_object_put(o);
}

/* What LAVA would split or substitute is refused, not pasted. */
static void test_job_refuses(void **state)
{
	struct lava_job_spec s = spec;

	(void)state;
	s.cmdline = "console=ttyS0 foo=\"a b\"";
	assert_null(lava_job(&s));
	s.cmdline = "console=ttyS0 {kernel}";
	assert_null(lava_job(&s));
	s = spec;
	s.ramdisk = "/r/my dir/initrd.cpio";
	assert_null(lava_job(&s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unframe),
		cmocka_unit_test(test_log_real),
		cmocka_unit_test(test_log_cut),
		cmocka_unit_test(test_log_server_timeout),
		cmocka_unit_test(test_job_schema),
		cmocka_unit_test(test_device_schema),
		cmocka_unit_test(test_yaml_quoting),
		cmocka_unit_test(test_job_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
