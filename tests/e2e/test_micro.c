// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench-micro on this machine: the futex kind on anonymous memory (the
 * control, which needs no pmem) really runs and reports JSON lines; --help
 * comes from the kind tables; bad options are refused with a message.
 * The DAX and devdax runs of zdbench-micro are in test_host (a guest).
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

#include "e2e.h"
#include "proc.h"
#include "result.h"
#include "util.h"

#define MICRO "build/agent/zdbench-micro"

struct run {
	int code;
	char *out; /* stdout */
};

static struct run micro(const char *const *args)
{
	struct strv av = { 0 };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .quiet_stderr = false, .timeout = 120 };
	struct proc_result r;
	struct run res;

	strv_push(&av, MICRO);
	for (; *args; args++)
		strv_push(&av, *args);
	assert_int_equal(proc_run(av.v, &o, &r), 0);
	assert_false(r.timed_out);
	res.code = r.exit_code;
	res.out = sbuf_detach(&out, NULL);
	strv_free(&av);
	return res;
}

static void test_futex_anon_runs(void **state)
{
	const char *args[] = { "futex", "--memory", "anon", "--iters", "5000", "--reps", "3",
			       NULL };
	struct run r = micro(args);
	char *line, *save;
	int samples = 0, workloads = 0, done = 0;

	assert_int_equal(r.code, 0);
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line);
		const char *type;

		assert_non_null(o);
		type = jstr(o, "type");
		if (!strcmp(type, "sample")) {
			assert_int_equal(jint(o, "pages", 0), 5000);
			assert_int_equal(jint(o, "pin_acquired", -1), 0);
			assert_true(jint(o, "elapsed_ns", 0) > 0);
			samples++;
		} else if (!strcmp(type, "workload")) {
			assert_true(jbool(o, "ok", false));
			workloads++;
		} else if (!strcmp(type, "done")) {
			assert_true(jbool(o, "ok", false));
			done++;
		}
		json_object_put(o);
	}
	assert_int_equal(samples, 3);
	assert_int_equal(workloads, 1);
	assert_int_equal(done, 1);
	free(r.out);
}

static void test_help_from_tables(void **state)
{
	const char *all[] = { "--help", NULL }, *gup[] = { "gup", "--help", NULL };
	struct run r = micro(all);

	assert_int_equal(r.code, 0);
	for (const char *k = "odirect\0gup\0vmsplice\0futex\0fio\0"; *k; k += strlen(k) + 1)
		assert_non_null(strstr(r.out, k));
	free(r.out);
	r = micro(gup);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "--threads"));
	assert_non_null(strstr(r.out, "[gup-fast|pin-fast|gup-basic|pin-basic]"));
	free(r.out);
}

static void test_bad_options_refused(void **state)
{
	const char *unknown[] = { "futex", "--bogus", "1", NULL };
	const char *range[] = { "futex", "--iters", "0", NULL };
	const char *choice[] = { "gup", "--op", "pin-slow", NULL };
	const char *kind[] = { "nosuch", NULL };
	/* buffers of DAX pages or none: /tmp is no DAX filesystem */
	const char *notdax[] = { "futex", "--dir", "/tmp", "--reps", "1", NULL };
	const char *nodir[] = { "gup", "--dir", "/nonexistent/dax", "--reps", "1", NULL };

	assert_int_equal(micro(unknown).code, 2);
	assert_int_equal(micro(range).code, 2);
	assert_int_equal(micro(choice).code, 2);
	assert_int_equal(micro(kind).code, 2);
	assert_int_equal(micro(notdax).code, 2);
	/* a folder that is not there is said as such (was "not on a DAX fs") */
	assert_int_equal(micro(nodir).code, 2);
}

/*
 * gup needs mm/gup_test.c in debugfs: without it nothing is said about the
 * kernel's GUP, so exit 3 (infrastructure), not 1. Where this machine's
 * kernel has it, the control runs: 0.
 */
static void test_gup_without_gup_test(void **state)
{
	const char *anon[] = { "gup", "--memory", "anon", "--reps", "1", "--iters", "1", NULL };
	bool have = !access("/sys/kernel/debug/gup_test", R_OK | W_OK);
	struct run r = micro(anon);

	if (!have)
		print_message("no /sys/kernel/debug/gup_test here: expecting exit 3\n");
	assert_int_equal(r.code, have ? 0 : 3);
	free(r.out);
}

static int setup(void **state)
{
	if (access(MICRO, X_OK)) {
		fprintf(stderr, "%s not built: run make\n", MICRO);
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_futex_anon_runs),
		cmocka_unit_test(test_help_from_tables),
		cmocka_unit_test(test_bad_options_refused),
		cmocka_unit_test(test_gup_without_gup_test),
	};

	e2e_filter();
	return cmocka_run_group_tests(tests, setup, NULL);
}
