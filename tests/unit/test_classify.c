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
	char *text = read_file(exp, NULL), *line, *save, *timeout;
	struct classification cl;
	size_t keys = 0;

	if (!text)
		fail_msg("%s: missing", exp);
	assert_int_equal(classify_file(log, &cl), 0);
	/* "timeout T": the harness killed this boot at its T timeout */
	timeout = strstr(text, "\ntimeout ");
	timeout = timeout ? strndup(timeout + 9, strcspn(timeout + 9, "\n")) : NULL;
	classify_finish(&cl, timeout);
	free(timeout);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (str_starts(line, "verdict ")) {
			if (strcmp(line + 8, verdict_name(cl.verdict)))
				fail_msg("%s: verdict %s, expected %s", name,
					 verdict_name(cl.verdict), line + 8);
		} else if (str_starts(line, "lkp ")) {
			bool found = false;

			for (size_t i = 0; i < cl.n; i++)
				found |= cl.f[i].lkp_key && !strcmp(cl.f[i].lkp_key, line + 4);
			if (!found) {
				for (size_t i = 0; i < cl.n; i++)
					print_message("  got %s\n", cl.f[i].lkp_key);
				fail_msg("%s: no lkp key %s", name, line + 4);
			}
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

static void classify_text(const char *text, struct classification *cl)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(classify_stream(f, cl), 0);
	fclose(f);
}

/*
 * A log without the boot banner is an excerpt (check-log on a posted
 * report): judged by what it holds. In the run path (own_boot) the same
 * console is a boot that never printed its banner: infra, as before.
 */
static void test_excerpt_and_own_boot(void **state)
{
	const char *excerpt = "[  12.000000] EXT4-fs (pmem0): mounted filesystem\n";
	const char *lockdep = "[  12.000000] WARNING: possible circular locking dependency detected\n"
			      "[  12.000001] x/1 is trying to acquire lock:\n"
			      "[  12.000002] ffff (a){+.+.}-{3:3}, at: foo_lock+0x1/0x2\n";
	struct classification cl;

	classify_text(excerpt, &cl);
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "clean");
	assert_true(cl.excerpt);
	classification_free(&cl);

	classify_text(excerpt, &cl);
	cl.own_boot = true;
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "infra");
	assert_false(cl.excerpt);
	classification_free(&cl);

	classify_text("", &cl);
	cl.own_boot = true;
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "infra");
	classification_free(&cl);

	classify_text("", &cl);
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "infra");
	classification_free(&cl);

	classify_text(lockdep, &cl);
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "fail");
	assert_int_equal(cl.n, 1);
	assert_string_equal(cl.f[0].key, "LOCKDEP:possible_circular_locking_dependency:foo_lock");
	assert_string_equal(cl.f[0].lkp_key, "dmesg.WARNING:possible_circular_locking_dependency_detected");
	classification_free(&cl);

	/* a pre-5.7 boot says only "Freeing unused kernel": enough for a
	 * posted log, not for the run path, which waits for init's line */
	classify_text("[    0.000000] Linux version 4.19.0 (x@y) #1 SMP\n"
		      "[    1.000000] Freeing unused kernel image memory: 1588K\n", &cl);
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "clean");
	classification_free(&cl);
	classify_text("[    0.000000] Linux version 4.19.0 (x@y) #1 SMP\n"
		      "[    1.000000] Freeing unused kernel image memory: 1588K\n", &cl);
	cl.own_boot = true;
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "crash");
	classification_free(&cl);

	/*
	 * A log that starts with the banner is a boot, firmware lines before
	 * it or not; posted and cut before init it says nothing of why it
	 * stops (a held-out WSL boot paste was read as a crash): clean, unless
	 * it ends in a panic. The harness's own boot must reach init.
	 */
	classify_text("SeaBIOS (version 1.16.2-debian-1.16.2-1)\nMachine UUID: 1234\n"
		      "[    0.000000] Linux version 6.12.0 (x@y) #1 SMP\n", &cl);
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "clean");
	assert_false(cl.excerpt);
	classification_free(&cl);
	classify_text("[    0.000000] Linux version 6.12.0 (x@y) #1 SMP\n"
		      "[    0.100000] WARNING: CPU: 0 PID: 0 at mm/page_alloc.c:4000 get_page_from_freelist+0x1/0x2\n",
		      &cl);
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "fail"); /* not crash: no BOOT finding */
	assert_int_equal(cl.n, 1);
	classification_free(&cl);
	classify_text("[    0.000000] Linux version 6.12.0 (x@y) #1 SMP\n", &cl);
	cl.own_boot = true;
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "crash");
	classification_free(&cl);
}

/* An OOM kill is a finding; it fails the run only when the config says so. */
static void test_oom_fails(void **state)
{
	char *text = read_file(CORPUS "/oom-provoked.log", NULL);
	struct classification cl;

	assert_non_null(text);
	classify_text(text, &cl);
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "clean");
	assert_int_equal(cl.n, 1);
	assert_string_equal(cl.f[0].cls, "OOM");
	classification_free(&cl);
	classify_text(text, &cl);
	cl.oom_fails = true;
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "fail");
	classification_free(&cl);
	free(text);
}

/* The same bug printed by different kernel versions, layouts and
 * architectures gives the same key: a bisection across them finds it. */
static void test_same_key_across_versions(void **state)
{
	static const char *const pairs[][2] = {
		{ "shapes-gpf", "gpf-6x-oops-prefix" },
		{ "divide-error-5x", "divide-error-6x" },
		{ "ubsan-invalid-load-4x", "ubsan-invalid-load-6x" },
		{ "sleep-in-atomic-5x", "sleep-in-atomic-6x" },
		{ "shapes-null-deref", "null-deref-4x" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
		struct classification a, b;
		char *pa = xasprintf("%s/%s.log", CORPUS, pairs[i][0]);
		char *pb = xasprintf("%s/%s.log", CORPUS, pairs[i][1]);

		assert_int_equal(classify_file(pa, &a), 0);
		assert_int_equal(classify_file(pb, &b), 0);
		assert_true(a.n >= 1 && b.n >= 1);
		if (strcmp(a.f[0].key, b.f[0].key))
			fail_msg("%s: %s, %s: %s", pairs[i][0], a.f[0].key, pairs[i][1], b.f[0].key);
		classification_free(&a);
		classification_free(&b);
		free(pa);
		free(pb);
	}
}

/* lkp-tests' names for the same findings, so the two tools can be matched. */
static void test_lkp_keys(void **state)
{
	static const char *const cases[][2] = {
		{ "[ 1.0] WARNING: CPU: 0 PID: 48 at ../../linux/fs/dax.c:390 dax_disassociate_entry+0x37/0x67\n",
		  "dmesg.WARNING:at_fs/dax.c:#dax_disassociate_entry" },
		{ "[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n",
		  "dmesg.BUG:kernel_NULL_pointer_dereference,address" },
		{ "[ 1.0] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b\n",
		  "dmesg.Kernel_panic-not_syncing:Attempted_to_kill_init!exitcode=" },
		{ "[ 1.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [fio:123]\n",
		  "dmesg.BUG:soft_lockup-CPU##stuck_for#s![fio:#]" },
		{ "[ 1.0] INFO: task fio:12 blocked for more than 120 seconds.\n",
		  "dmesg.INFO:task_blocked_for_more_than#seconds" },
		{ "[ 1.0] BUG: KASAN: slab-out-of-bounds in foo_bar+0x129d/0x12fd\n",
		  "dmesg.BUG:KASAN:slab-out-of-bounds_in_foo_bar" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct classification cl;

		classify_text(cases[i][0], &cl);
		assert_int_equal(cl.n, 1);
		assert_string_equal(cl.f[0].lkp_key, cases[i][1]);
		classification_free(&cl);
	}
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
		cmocka_unit_test(test_excerpt_and_own_boot),
		cmocka_unit_test(test_oom_fails),
		cmocka_unit_test(test_same_key_across_versions),
		cmocka_unit_test(test_lkp_keys),
		cmocka_unit_test(test_truncated_and_interleaved),
		cmocka_unit_test(test_several_gb_stream),
		cmocka_unit_test(test_init_failure_frees_patterns),
	};

	return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
