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
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Several GB through a pipe: the classifier streams, memory stays flat. */
static void test_several_gb_stream(void **state)
{
	int fd[2];
	pid_t pid;
	FILE *in;
	struct classification cl;
	struct rusage ru;
	const unsigned long long total = 2ULL << 30;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static char chunk[1 << 16];
		const char *line = "[    1.000000] EXT4-fs (pmem0): mounted filesystem r/w with ordered data mode\n";
		size_t ll = strlen(line), off = 0;
		unsigned long long sent = 0;

		close(fd[0]);
		while (off + ll < sizeof(chunk)) {
			memcpy(chunk + off, line, ll);
			off += ll;
		}
		/* one failure in the middle of it all */
		memcpy(chunk, "WARNING: CPU: 0 PID: 1 at mm/gup.c:1 try_grab_folio+0x1/0x2\n", 60);
		while (sent < total) {
			ssize_t w = write(fd[1], chunk, off);

			if (w <= 0)
				_exit(1);
			sent += w;
			if (sent > off)
				memcpy(chunk, line, ll < 60 ? ll : 60);
		}
		_exit(0);
	}
	close(fd[1]);
	in = fdopen(fd[0], "r");
	assert_non_null(in);
	assert_int_equal(classify_stream(in, &cl), 0);
	fclose(in);
	waitpid(pid, NULL, 0);
	classify_finish(&cl, NULL);
	assert_true(cl.lines > 20000000);
	assert_int_equal(cl.n, 1);
	getrusage(RUSAGE_SELF, &ru);
	assert_true(ru.ru_maxrss < 64 * 1024); /* KiB */
	classification_free(&cl);
}

/* Cut anywhere, CPUs interleaved: never a crash, the best verdict left. */
static void test_truncated_and_interleaved(void **state)
{
	size_t len;
	char *text = read_file(CORPUS "/specgup-observed.log", &len);
	char *other = read_file(CORPUS "/warn-dax-evict.log", NULL);
	struct sbuf mix = { 0 };
	char *a, *b, *sa, *sb;
	struct classification cl;

	assert_non_null(text);
	for (size_t cut = 0; cut < len; cut += 7) {
		FILE *f = fmemopen(text, cut ? cut : 1, "r");

		assert_int_equal(classify_stream(f, &cl), 0);
		classify_finish(&cl, NULL);
		fclose(f);
		classification_free(&cl);
	}
	/* line-wise interleaving of two consoles */
	a = strtok_r(text, "\n", &sa);
	b = strtok_r(other, "\n", &sb);
	while (a || b) {
		if (a) {
			sbuf_addf(&mix, "%s\n", a);
			a = strtok_r(NULL, "\n", &sa);
		}
		if (b) {
			sbuf_addf(&mix, "%s\n", b);
			b = strtok_r(NULL, "\n", &sb);
		}
	}
	{
		FILE *f = fmemopen(mix.buf, mix.len, "r");
		bool pcpu = false, dax = false;

		classify_stream(f, &cl);
		fclose(f);
		classify_finish(&cl, NULL);
		for (size_t i = 0; i < cl.n; i++) {
			pcpu |= !strcmp(cl.f[i].key, "percpu_ref_underflow:dev_pagemap_percpu_release");
			dax |= !strcmp(cl.f[i].key, "WARNING:at_fs/dax.c:dax_disassociate_entry");
		}
		assert_true(pcpu);
		assert_true(dax);
		classification_free(&cl);
	}
	sbuf_free(&mix);
	free(text);
	free(other);
}

/*
 * A pattern that fails to compile half way through classify_init leaves
 * nothing allocated (the ones before it were leaked), the classifier
 * refuses to run, and the next init with good patterns works.
 */
static void test_init_failure_frees_patterns(void **state)
{
	struct classification cl;
	FILE *f;
	char text[] = "Linux version 6.12\nKernel panic - not syncing: x\n";

	classify_fini();
	assert_int_equal(classify_live_blocks(), 0);
	assert_int_equal(classify_init(), 0);
	assert_true(classify_live_blocks() > 0);
	classify_fini();
	assert_int_equal(classify_live_blocks(), 0);

	classify_test_override(5, "unclosed (group");
	assert_int_equal(classify_init(), -1);
	assert_int_equal(classify_live_blocks(), 0);
	f = fmemopen(text, strlen(text), "r");
	assert_int_equal(classify_stream(f, &cl), -1);
	fclose(f);
	assert_int_equal(classify_live_blocks(), 0);

	classify_test_override(5, NULL);
	f = fmemopen(text, strlen(text), "r");
	assert_int_equal(classify_stream(f, &cl), 0);
	fclose(f);
	assert_int_equal(cl.n, 1);
	assert_string_equal(cl.f[0].cls, "PANIC");
	classification_free(&cl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_same_failure_same_key),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_truncated_and_interleaved),
		cmocka_unit_test(test_several_gb_stream),
		cmocka_unit_test(test_init_failure_frees_patterns),
	};

	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
