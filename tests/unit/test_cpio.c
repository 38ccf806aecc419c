// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpio.h"
#include "proc.h"
#include "util.h"

static void build(struct cpio *c)
{
	memset(c, 0, sizeof(*c));
	cpio_file(c, "/zdbench/plan.json", 0644, "{}", 2);
	cpio_symlink(c, "/init", "/zdbench/agent");
	cpio_file(c, "/bin/x", 0755, "abc", 3);
	cpio_finish(c);
}

static void test_deterministic(void **state)
{
	struct cpio a, b;

	build(&a);
	build(&b);
	assert_int_equal(a.out.len, b.out.len);
	assert_memory_equal(a.out.buf, b.out.buf, a.out.len);
	assert_int_equal(a.out.len % 512, 0);
	cpio_free(&a);
	cpio_free(&b);
}

/* GNU cpio must list exactly what we wrote (the kernel reads the same format). */
static void test_gnu_cpio_reads_it(void **state)
{
	struct cpio a;
	char path[] = "/tmp/zd-cpio-XXXXXX";
	int fd = mkstemp(path);
	char *argv[] = { "cpio", "-it", "--quiet", NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .in_path = path, .timeout = 30 };
	struct proc_result r;

	assert_true(fd >= 0);
	close(fd);
	build(&a);
	assert_int_equal(write_file_atomic(path, a.out.buf, a.out.len), 0);
	assert_int_equal(proc_run(argv, &o, &r), 0);
	if (r.exec_failed)
		fail_msg("cpio not installed (scripts/install-deps.sh)");
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(out.buf, "zdbench\nzdbench/plan.json\ninit\nbin\nbin/x\n");
	sbuf_free(&out);
	cpio_free(&a);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_gnu_cpio_reads_it),
	};

	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
