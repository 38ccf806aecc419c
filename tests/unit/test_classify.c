// SPDX-License-Identifier: GPL-2.0
/* Runs the classifier over the corpus in tests/data/console: each NAME.log
 * has a NAME.expect with "verdict V" and one "key KEY@PHASE" per finding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"
#include "util.h"

#define CORPUS "tests/data/console"

static void check_one(const char *name)
{
	char *log = xasprintf("%s/%s.log", CORPUS, name);
	char *exp = xasprintf("%s/%s.expect", CORPUS, name);
	char *text = read_file(exp, NULL), *line, *save;
	struct classification cl;
	size_t keys = 0;

	if (!text)
		fail_msg("%s: missing", exp);
	assert_int_equal(classify_file(log, &cl), 0);
	classify_finish(&cl, NULL);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (str_starts(line, "verdict ")) {
			if (strcmp(line + 8, verdict_name(cl.verdict)))
				fail_msg("%s: verdict %s, expected %s", name,
					 verdict_name(cl.verdict), line + 8);
		} else if (str_starts(line, "key ")) {
			bool found = false;

			keys++;
			for (size_t i = 0; i < cl.n; i++) {
				char *k = xasprintf("%s@%s", cl.f[i].key, cl.f[i].phase);

				found |= !strcmp(k, line + 4);
				free(k);
			}
			if (!found) {
				for (size_t i = 0; i < cl.n; i++)
					print_message("  got %s@%s\n", cl.f[i].key, cl.f[i].phase);
				fail_msg("%s: no finding %s", name, line + 4);
			}
		}
	}
	if (keys != cl.n)
		fail_msg("%s: %zu findings, expected %zu", name, cl.n, keys);
	classification_free(&cl);
	free(text);
	free(log);
	free(exp);
}

static void test_corpus(void **state)
{
	DIR *d = opendir(CORPUS);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char *name;

		if (!str_ends(de->d_name, ".log"))
			continue;
		name = strndup(de->d_name, strlen(de->d_name) - 4);
		print_message("corpus: %s\n", name);
		check_one(name);
		free(name);
		n++;
	}
	closedir(d);
	assert_true(n >= 5);
}

static void test_same_failure_same_key(void **state)
{
	const char *a = "WARNING: CPU: 1 PID: 245 at lib/percpu-refcount.c:155 percpu_ref_switch_to_atomic_rcu+0x1f5/0x200\n";
	const char *b = "WARNING: CPU: 0 PID: 9 at lib/percpu-refcount.c:197 percpu_ref_switch_to_atomic_rcu+0xac/0x11e\n";
	struct classification ca, cb;
	FILE *fa = fmemopen((void *)a, strlen(a), "r");
	FILE *fb = fmemopen((void *)b, strlen(b), "r");

	assert_int_equal(classify_stream(fa, &ca), 0);
	assert_int_equal(classify_stream(fb, &cb), 0);
	assert_int_equal(ca.n, 1);
	assert_int_equal(cb.n, 1);
	assert_string_equal(ca.f[0].key, cb.f[0].key);
	assert_string_equal(ca.f[0].key, "WARNING:at_lib/percpu-refcount.c:percpu_ref_switch_to_atomic_rcu");
	fclose(fa);
	fclose(fb);
	classification_free(&ca);
	classification_free(&cb);
}

static void test_timeouts(void **state)
{
	const char *booted = "Linux version 6.12\nRun /init as init process\n";
	const char *noinit = "Linux version 6.12\n";
	struct classification cl;
	FILE *f;

	f = fmemopen((void *)booted, strlen(booted), "r");
	classify_stream(f, &cl);
	classify_finish(&cl, "teardown");
	assert_string_equal(verdict_name(cl.verdict), "hang");
	classification_free(&cl);
	fclose(f);
	f = fmemopen((void *)noinit, strlen(noinit), "r");
	classify_stream(f, &cl);
	classify_finish(&cl, "boot");
	assert_string_equal(verdict_name(cl.verdict), "crash");
	classification_free(&cl);
	fclose(f);
	f = fmemopen((void *)"", 0, "r");
	classify_stream(f, &cl);
	classify_finish(&cl, "boot");
	assert_string_equal(verdict_name(cl.verdict), "infra");
	classification_free(&cl);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_same_failure_same_key),
		cmocka_unit_test(test_timeouts),
	};

	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
