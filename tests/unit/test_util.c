// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

/* An empty buffer reads as "", never NULL, in both of its initial states. */
static void test_sbuf_empty_is_empty_string(void **state)
{
	struct sbuf a = SBUF_INIT, z = { 0 };

	assert_non_null(a.buf);
	assert_string_equal(a.buf, "");
	assert_string_equal(sbuf_str(&a), "");
	assert_string_equal(sbuf_str(&z), "");
	assert_int_equal(a.len, 0);
	/* releasing what was never allocated is fine, and leaves it usable */
	sbuf_release(&a);
	sbuf_release(&z);
	assert_non_null(z.buf);
	assert_string_equal(sbuf_str(&z), "");
	/* resetting the shared empty buffer writes nothing but its NUL */
	sbuf_reset(&a);
	assert_string_equal(sbuf_str(&a), "");
	assert_string_equal(sbuf_slopbuf, "");
}

static void test_sbuf_add_addf(void **state)
{
	struct sbuf a = SBUF_INIT, z = { 0 };

	sbuf_addstr(&a, "ab");
	sbuf_add(&a, "cdef", 2);
	sbuf_addf(&a, "-%d-%s", 42, "x");
	assert_string_equal(a.buf, "abcd-42-x");
	assert_int_equal(a.len, strlen("abcd-42-x"));
	/* a zero-initialised one grows the same way */
	sbuf_addf(&z, "%s", "");
	assert_int_equal(z.len, 0);
	assert_string_equal(sbuf_str(&z), "");
	sbuf_addf(&z, "%05u", 7u);
	assert_string_equal(z.buf, "00007");
	/* an argument may be the buffer itself */
	sbuf_addf(&z, "+%s+", z.buf);
	assert_string_equal(z.buf, "00007+00007+");
	sbuf_add(&z, z.buf, z.len);
	assert_string_equal(z.buf, "00007+00007+00007+00007+");
	/* adding nothing to an empty buffer keeps it empty */
	sbuf_add(&a, NULL, 0);
	assert_string_equal(a.buf, "abcd-42-x");
	sbuf_release(&a);
	sbuf_release(&z);
	assert_int_equal(a.len, 0);
	assert_int_equal(a.cap, 0);
	assert_string_equal(sbuf_str(&a), "");
}

static void test_sbuf_reset_keeps_allocation(void **state)
{
	struct sbuf a = SBUF_INIT;
	char *before;
	size_t cap;

	sbuf_addstr(&a, "hello, world");
	before = a.buf;
	cap = a.cap;
	sbuf_reset(&a);
	assert_int_equal(a.len, 0);
	assert_string_equal(a.buf, "");
	assert_ptr_equal(a.buf, before);
	assert_int_equal(a.cap, cap);
	sbuf_addstr(&a, "again");
	assert_ptr_equal(a.buf, before);
	assert_string_equal(a.buf, "again");
	sbuf_release(&a);
}

static void test_sbuf_detach(void **state)
{
	struct sbuf a = SBUF_INIT, z = { 0 };
	size_t len = 99;
	char *s;

	sbuf_addf(&a, "%s=%d", "n", 3);
	s = sbuf_detach(&a, &len);
	assert_string_equal(s, "n=3");
	assert_int_equal(len, 3);
	/* the sbuf is empty and owns nothing: the caller's string survives it */
	assert_int_equal(a.len, 0);
	assert_int_equal(a.cap, 0);
	assert_string_equal(sbuf_str(&a), "");
	sbuf_release(&a);
	assert_string_equal(s, "n=3");
	free(s);

	/* an empty sbuf (either kind) still hands over a string to free() */
	s = sbuf_detach(&a, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	assert_true(s != sbuf_slopbuf);
	free(s);
	s = sbuf_detach(&z, NULL);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

/* Growth across many reallocations keeps every byte and the NUL. */
static void test_sbuf_growth_large(void **state)
{
	struct sbuf a = SBUF_INIT;
	size_t n = 0;
	char big[5000];

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 2000; i++) {
		sbuf_addf(&a, "%04d,", i);
		n += 5;
		assert_int_equal(a.len, n);
		assert_true(a.cap > a.len);
		assert_int_equal(a.buf[a.len], '\0');
	}
	assert_memory_equal(a.buf, "0000,0001,", 10);
	assert_memory_equal(a.buf + n - 5, "1999,", 5);
	/* one formatted piece far larger than the spare room */
	sbuf_addf(&a, "%s", big);
	assert_int_equal(a.len, n + strlen(big));
	assert_string_equal(a.buf + n, big);
	sbuf_release(&a);

	/* add a large block into a fresh buffer in one go */
	sbuf_add(&a, big, strlen(big));
	assert_string_equal(a.buf, big);
	sbuf_release(&a);
}

static void test_strv_join_empty(void **state)
{
	struct strv sv = { 0 };
	char *s = strv_join(&sv, ",");

	assert_string_equal(s, "");
	free(s);
	s = strv_join_quoted(&sv);
	assert_string_equal(s, "");
	free(s);
	strv_push(&sv, "a b");
	strv_push(&sv, "c");
	s = strv_join_quoted(&sv);
	assert_string_equal(s, "'a b' c");
	free(s);
	strv_free(&sv);
}

/* read_file of an empty file: "" and length 0, never NULL (read_file uses sbuf_detach). */
static void test_read_file_empty_and_large(void **state)
{
	char dir[] = "/tmp/zd-util-XXXXXX", *p, *data;
	struct sbuf big = SBUF_INIT;
	size_t len = 99;

	assert_non_null(mkdtemp(dir));
	p = path_join(dir, "f");
	assert_int_equal(write_file_atomic(p, "", 0), 0);
	data = read_file(p, &len);
	assert_non_null(data);
	assert_string_equal(data, "");
	assert_int_equal(len, 0);
	free(data);
	/* more than read_file's 64 KiB chunk */
	for (int i = 0; i < 30000; i++)
		sbuf_addf(&big, "%d\n", i);
	assert_int_equal(write_file_atomic(p, big.buf, big.len), 0);
	data = read_file(p, &len);
	assert_int_equal(len, big.len);
	assert_string_equal(data, big.buf);
	free(data);
	sbuf_release(&big);
	assert_null(read_file("/nonexistent/zd", NULL));
	unlink(p);
	rmdir(dir);
	free(p);
}

static void test_zd_error_returns_minus_one(void **state)
{
	assert_int_equal(zd_error("test: %s", "expected message"), -1);
}

/*
 * write_file_atomic never writes through a symlink: one at the path is
 * replaced by the new file, its target untouched; no temporary is left.
 */
static void test_write_atomic_symlink(void **state)
{
	char dir[] = "/tmp/zd-util-XXXXXX";
	char *victim, *path, *back, *cmd;
	FILE *f;
	char out[32] = "";

	assert_non_null(mkdtemp(dir));
	victim = path_join(dir, "victim");
	path = path_join(dir, "file");
	assert_int_equal(write_file_atomic(victim, "keep", 4), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(write_file_atomic(path, "new", 3), 0);
	back = read_file(victim, NULL);
	assert_string_equal(back, "keep");
	free(back);
	back = read_file(path, NULL);
	assert_string_equal(back, "new");
	free(back);
	cmd = xasprintf("ls -a '%s' | grep -c tmp", dir);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(out, sizeof(out), f));
	pclose(f);
	assert_string_equal(out, "0\n");
	/* a folder that is not there: -1, errno set, nothing created */
	free(path);
	path = path_join(dir, "no/such/file");
	assert_int_equal(write_file_atomic(path, "x", 1), -1);
	assert_int_equal(errno, ENOENT);
	rm_rf(dir);
	free(cmd);
	free(victim);
	free(path);
}

/*
 * make CFLAGS=... replaces the user's flags, not the ones every build
 * needs: -std=c11 and the version define stay (make -n: nothing is built).
 */
static void test_makefile_keeps_own_flags(void **state)
{
	FILE *f = popen("make -n -B CFLAGS=-O1 build/harness/util.o 2>&1", "r");
	char line[4096];
	bool seen = false;

	if (!f)
		fail_msg("cannot run make");
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "harness/util.c")) {
			seen = true;
			if (!strstr(line, "-std=c11") || !strstr(line, "-DZDBENCH_VERSION=") ||
			    !strstr(line, " -O1 "))
				fail_msg("make CFLAGS=-O1 compiles with: %s", line);
		}
	if (pclose(f))
		fail_msg("make -n failed (is make installed?)");
	assert_true(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbuf_empty_is_empty_string),
		cmocka_unit_test(test_makefile_keeps_own_flags),
		cmocka_unit_test(test_write_atomic_symlink),
		cmocka_unit_test(test_sbuf_add_addf),
		cmocka_unit_test(test_sbuf_reset_keeps_allocation),
		cmocka_unit_test(test_sbuf_detach),
		cmocka_unit_test(test_sbuf_growth_large),
		cmocka_unit_test(test_strv_join_empty),
		cmocka_unit_test(test_read_file_empty_and_large),
		cmocka_unit_test(test_zd_error_returns_minus_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
