// SPDX-License-Identifier: GPL-2.0
/*
 * The command line means what it says: per-command option tables, an
 * option a command does not take is an error naming both, config errors
 * all reported with file:line, and the exit-status contract (exitcode.h)
 * of the commands that need no kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "builtin.h"
#include "history.h"
#include "runset.h"
#include "util.h"

static char tmp[64];

/* Run fn with stderr (and stdout) going to a file; return what it wrote. */
struct captured {
	int ret;
	char *err, *out;
};

static struct captured capture(const struct builtin *b, int argc, char **argv)
{
	char *ep = path_join(tmp, "stderr"), *op = path_join(tmp, "stdout");
	int efd = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ofd = open(op, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int save_e = dup(2), save_o = dup(1);
	struct captured c;

	fflush(stdout);
	fflush(stderr);
	dup2(efd, 2);
	dup2(ofd, 1);
	c.ret = run_builtin(b, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(save_e, 2);
	dup2(save_o, 1);
	close(efd);
	close(ofd);
	close(save_e);
	close(save_o);
	c.err = read_file(ep, NULL);
	c.out = read_file(op, NULL);
	free(ep);
	free(op);
	return c;
}

static void captured_free(struct captured *c)
{
	free(c->err);
	free(c->out);
}

#define HAS(s, sub)                                                          \
	do {                                                                 \
		if (!strstr((s), (sub)))                                     \
			fail_msg("expected '%s' in:\n%s", (sub), (s));       \
	} while (0)

/* Run b on argv; its exit must be code and its stderr must say text. */
static void expect_refused(const struct builtin *b, int argc, char **argv, int code,
			   const char *text)
{
	struct captured c = capture(b, argc, argv);

	assert_int_equal(c.ret, code);
	HAS(c.err, text);
	captured_free(&c);
}

static void test_unknown_option_names_command_and_option(void **state)
{
	char *argv[] = { "run", "--signature", "X", NULL };
	struct captured c = capture(&builtin_run, 3, argv);

	assert_int_equal(c.ret, ZD_EXIT_USAGE);
	HAS(c.err, "zdbench run: unknown option '--signature'");
	captured_free(&c);
}

static void test_bisect_run_usage_error_is_128(void **state)
{
	char *argv[] = { "bisect-run", "--variant", "base", NULL };
	struct captured c = capture(&builtin_bisect_run, 3, argv);

	assert_int_equal(c.ret, 128); /* git bisect run: abort, never 2 */
	HAS(c.err, "zdbench bisect-run: unknown option '--variant'");
	captured_free(&c);
}

static void test_help_lists_options_and_exit_table(void **state)
{
	char *argv[] = { "run", "--help", NULL };
	struct captured c = capture(&builtin_run, 2, argv);

	assert_int_equal(c.ret, 0);
	HAS(c.out, "--interleave N");
	HAS(c.out, "-c, --config FILE");
	HAS(c.out, "3 infrastructure failure");
	captured_free(&c);
}

/* Every error of the file, each with file:line, and exit 2. */
static void test_config_reports_every_error(void **state)
{
	char *ini = path_join(tmp, "bad.ini");
	const char *text = "[run]\nreps = many\nworkloads = nosuchwl\n[qemu]\nclock = sundial\n"
			   "nosuch = 1\n[workload w1]\nkind = nosuchkind\n[workload w2]\nkind = gup\n"
			   "iters = -1\nfrob = 3\nnoeq\n";
	static const char *const want[] = {
		":2: key 'reps'", ":5: key 'clock'", ":6: unknown key 'nosuch'",
		":8: [workload w1]: unknown kind 'nosuchkind'", ":11: key 'iters'",
		":12: unknown key 'frob' for kind gup", ":13: syntax error",
		":3: key 'workloads': no [workload nosuchwl] section",
	};
	char *argv[] = { "config", ini, NULL };
	struct captured c;

	assert_int_equal(write_file_atomic(ini, text, strlen(text)), 0);
	c = capture(&builtin_config, 2, argv);
	assert_int_equal(c.ret, ZD_EXIT_USAGE);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		char *at = xasprintf("%s%s", ini, want[i]);

		HAS(c.err, at);
		free(at);
	}
	HAS(c.err, "8 configuration errors");
	captured_free(&c);
	free(ini);
}

/* inih would cut a 50+ character workload name: refused, with its keys */
static void test_config_long_section_name(void **state)
{
	char *ini = path_join(tmp, "long.ini");
	char name[64];
	char *text, *argv[] = { "config", ini, NULL };
	struct captured c;

	memset(name, 'w', 45);
	name[45] = '\0';
	text = xasprintf("[workload %s]\nkind = futex\n", name);
	assert_int_equal(write_file_atomic(ini, text, strlen(text)), 0);
	c = capture(&builtin_config, 2, argv);
	assert_int_equal(c.ret, ZD_EXIT_USAGE);
	HAS(c.err, ":1: section 'workload wwww");
	HAS(c.err, "longer than 49 characters");
	HAS(c.err, "1 configuration error\n"); /* its kind line is not a second one */
	captured_free(&c);
	free(text);
	free(ini);
}

static void test_config_prints_every_effective_key(void **state)
{
	char *ini = path_join(tmp, "good.ini");
	const char *text = "[run]\nreps = 7\n";
	char *argv[] = { "config", "-c", ini, "--clock", "icount",
			 "-s", "workload.gup-pin-fast-pte.iters=7", NULL };
	struct captured c;

	assert_int_equal(write_file_atomic(ini, text, strlen(text)), 0);
	c = capture(&builtin_config, 7, argv);
	assert_int_equal(c.ret, 0);
	HAS(c.out, "run.reps = 7\n");
	/* -s takes a workload key as config prints it */
	HAS(c.out, "workload.gup-pin-fast-pte.iters = 7\n");
	HAS(c.out, "qemu.clock = icount\n");
	HAS(c.out, "kernel.source = debian\n");
	HAS(c.out, "host.destructive = false\n");
	HAS(c.out, "workload.odirect-read-pte.bs_kib = 64\n");
	captured_free(&c);
	free(ini);
}

/* --tree is not ignored: it is [kernel] source = tree, and checked. */
static void test_tree_option_is_applied_and_checked(void **state)
{
	char *argv[] = { "config", "--tree", "/nonexistent/linux", NULL };
	char *argv2[] = { "config", "--tree", tmp, NULL };
	struct captured c = capture(&builtin_config, 3, argv);

	assert_int_equal(c.ret, ZD_EXIT_USAGE);
	HAS(c.err, "command line: key 'tree': /nonexistent/linux: no such directory");
	captured_free(&c);
	c = capture(&builtin_config, 3, argv2);
	assert_int_equal(c.ret, 0);
	HAS(c.out, "kernel.source = tree\n");
	captured_free(&c);
}

static void test_option_values_checked(void **state)
{
	char *a1[] = { "run", "--interleave", "0", NULL };
	char *a2[] = { "run", "--interleave", NULL };
	char *a3[] = { "check-log", "--json=yes", "x", NULL };
	char *a4[] = { "check-log", "--timeout", "sometimes", "x", NULL };
	struct captured c = capture(&builtin_run, 3, a1);

	assert_int_equal(c.ret, ZD_EXIT_USAGE);
	HAS(c.err, "--interleave 0: expected an integer in [1, 100]");
	captured_free(&c);
	expect_refused(&builtin_run, 2, a2, ZD_EXIT_USAGE, "--interleave needs a value");
	expect_refused(&builtin_check_log, 3, a3, ZD_EXIT_USAGE, "--json takes no value");
	expect_refused(&builtin_check_log, 4, a4, ZD_EXIT_USAGE, "--timeout sometimes: expected boot");
}

/* Options after positional arguments, --x=v, "--" and "-" as an argument. */
static void test_parse_shapes(void **state)
{
	static bool flag;
	static const char *str;
	static unsigned int n;
	const struct option_desc opts[] = {
		OPT_BOOL(0, "flag", &flag, "f"),
		OPT_STRING('o', "out", &str, "DIR", "o"),
		OPT_UINT(0, "n", &n, "N", 1, 9, "n"),
		OPT_END(),
	};
	char *argv[] = { "x", "a", "--flag", "-oD", "--n=3", "-", "--", "--flag", NULL };
	struct strv args = { 0 };

	assert_int_equal(parse_options("x", 8, argv, opts, "", NULL, &args), PARSE_OK);
	assert_true(flag);
	assert_string_equal(str, "D");
	assert_int_equal(n, 3);
	assert_int_equal(args.n, 3);
	assert_string_equal(args.v[0], "a");
	assert_string_equal(args.v[1], "-");
	assert_string_equal(args.v[2], "--flag");
	strv_free(&args);
	/* a second parse starts from nothing: no option leaks across calls */
	{
		char *argv2[] = { "x", NULL };

		assert_int_equal(parse_options("x", 1, argv2, opts, "", NULL, &args), PARSE_OK);
		assert_false(flag);
		assert_null(str);
		assert_int_equal(n, 0);
	}
}

/* check-log follows the contract: 0 clean, 1 kernel, 3 infra, 2 unreadable. */
static void test_check_log_exit_contract(void **state)
{
	char *clean[] = { "check-log", "tests/data/console/base-clean-6.12.log", NULL };
	char *crash[] = { "check-log", "tests/data/console/base-panic-no-root.log", NULL };
	char *infra[] = { "check-log", "tests/data/console/garbage.log", NULL };
	char *none[] = { "check-log", "/nonexistent/console.log", NULL };
	struct captured c;

	c = capture(&builtin_check_log, 2, clean);
	assert_int_equal(c.ret, ZD_EXIT_CLEAN);
	captured_free(&c);
	c = capture(&builtin_check_log, 2, crash);
	assert_int_equal(c.ret, ZD_EXIT_KERNEL);
	captured_free(&c);
	c = capture(&builtin_check_log, 2, infra);
	assert_int_equal(c.ret, ZD_EXIT_INFRA);
	captured_free(&c);
	c = capture(&builtin_check_log, 2, none);
	assert_int_equal(c.ret, ZD_EXIT_USAGE);
	captured_free(&c);
}

/* One night of history from a recorded run, optionally with a signature. */
static void night(const char *hdir, int i, const char *sig)
{
	struct run_set rs;
	char *id = xasprintf("2026%04d-000000-1", i);
	struct json_object *doc;

	assert_int_equal(run_set_load("tests/data/results/icount-a", &rs), 0);
	if (sig)
		strv_push(&rs.res[0].signatures, sig);
	doc = history_doc(&rs, id, "abc", 1790000000L + 86400L * i);
	assert_int_equal(history_append(hdir, id, doc), 0);
	json_object_put(doc);
	run_set_free(&rs);
	free(id);
}

/* nightly: 0 nothing new, 1 a new failure signature on the newest night. */
static void test_nightly_exit_contract(void **state)
{
	char *hdir = path_join(tmp, "history");
	char *argv[] = { "nightly", "--report-only", hdir, NULL };
	struct captured c;

	for (int i = 0; i < 3; i++)
		night(hdir, i, NULL);
	c = capture(&builtin_nightly, 3, argv);
	assert_int_equal(c.ret, ZD_EXIT_CLEAN);
	captured_free(&c);
	night(hdir, 3, "percpu_ref_underflow:dev_pagemap_percpu_release@teardown");
	c = capture(&builtin_nightly, 3, argv);
	assert_int_equal(c.ret, ZD_EXIT_KERNEL);
	HAS(c.out, "NEW FAILURE: percpu_ref_underflow:dev_pagemap_percpu_release@teardown");
	captured_free(&c);
	free(hdir);
}

/* bisect: the ends are required (2); bisect-run keeps git's 128 for usage. */
static void test_bisect_usage(void **state)
{
	char *a1[] = { "bisect", "--good", "v1", NULL };
	char *a2[] = { "bisect", "--good", "v1", "--bad", "v2", "--metric", "ns_per_page", NULL };
	struct captured c = capture(&builtin_bisect, 3, a1);

	assert_int_equal(c.ret, ZD_EXIT_USAGE);
	HAS(c.err, "--good and --bad are both required");
	captured_free(&c);
	expect_refused(&builtin_bisect, 7, a2, ZD_EXIT_USAGE, "--metric needs --threshold");
}

static int setup(void **state)
{
	char cwd[4096];

	/* the tests run from the project folder: its workloads/fio jobs */
	if (!getcwd(cwd, sizeof(cwd)) || setenv("ZDBENCH_HOME", cwd, 1))
		return -1;
	strcpy(tmp, "/tmp/zd-cli-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	return rm_rf(tmp);
}

static void on_alarm(int sig)
{
	(void)sig;
	/* a FIFO read blocked: the test fails rather than hanging the suite */
	static const char msg[] = "blocked on a FIFO: input not refused\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/*
 * Input a user names is a regular file: a folder, a FIFO (which would block
 * forever), /dev/zero (which never ends) are refused with a message: exit
 * 2 from check-log and config, an error naming the file from a result.
 */
static void test_unbounded_inputs_refused(void **state)
{
	char *fifo = path_join(tmp, "fifo"), *vd = path_join(tmp, "fiforun/base");
	char *rfifo = path_join(vd, "w.json");
	char *cl_dir[] = { "check-log", tmp, NULL };
	char *cl_fifo[] = { "check-log", fifo, NULL };
	char *cl_zero[] = { "check-log", "/dev/zero", NULL };
	char *cf_fifo[] = { "config", "-c", fifo, NULL };
	char *cf_zero[] = { "config", "-c", "/dev/zero", NULL };
	char *plot[] = { "plot", NULL, "-o", NULL, NULL };
	struct captured c;

	signal(SIGALRM, on_alarm);
	alarm(20);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	expect_refused(&builtin_check_log, 2, cl_dir, ZD_EXIT_USAGE, "a folder, not a file");
	expect_refused(&builtin_check_log, 2, cl_fifo, ZD_EXIT_USAGE, "not a regular file");
	expect_refused(&builtin_check_log, 2, cl_zero, ZD_EXIT_USAGE, "not a regular file");
	expect_refused(&builtin_config, 3, cf_fifo, ZD_EXIT_USAGE, "cannot read: not a regular file");
	expect_refused(&builtin_config, 3, cf_zero, ZD_EXIT_USAGE, "cannot read: not a regular file");
	/* a result file that is a FIFO */
	assert_int_equal(mkdir_p(vd, 0755), 0);
	assert_int_equal(mkfifo(rfifo, 0600), 0);
	plot[1] = path_join(tmp, "fiforun");
	plot[3] = path_join(tmp, "fifoplot");
	c = capture(&builtin_plot, 4, plot);
	assert_int_not_equal(c.ret, 0);
	HAS(c.err, "w.json: cannot read: not a regular file");
	captured_free(&c);
	alarm(0);
	free(plot[1]);
	free(plot[3]);
	free(fifo);
	free(rfifo);
	free(vd);
}

/* A config file that is too large, or holds a NUL byte, is refused. */
static void test_config_size_and_nul(void **state)
{
	char *big = path_join(tmp, "big.ini"), *nul = path_join(tmp, "nul.ini");
	char *a_big[] = { "config", "-c", big, NULL }, *a_nul[] = { "config", "-c", nul, NULL };
	size_t n = (1u << 20) + 1;
	char *text = xmalloc(n), *want;
	static const char with_nul[] = "[run]\nreps = 3\n\0[qemu]\nbogus = 1\n";
	struct captured c;

	memset(text, '#', n);
	assert_int_equal(write_file_atomic(big, text, n), 0);
	assert_int_equal(write_file_atomic(nul, with_nul, sizeof(with_nul) - 1), 0);
	expect_refused(&builtin_config, 3, a_big, ZD_EXIT_USAGE, "larger than 1048576 bytes");
	c = capture(&builtin_config, 3, a_nul);
	assert_int_equal(c.ret, ZD_EXIT_USAGE);
	want = xasprintf("%s:3: a NUL byte", nul);
	HAS(c.err, want);
	captured_free(&c);
	free(want);
	free(text);
	free(big);
	free(nul);
}

/* Run b with stdout on /dev/full: the lost output is an error, said. */
static struct captured to_full(const struct builtin *b, int argc, char **argv)
{
	char *ep = path_join(tmp, "stderr");
	int efd = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ofd = open("/dev/full", O_WRONLY);
	int save_e = dup(2), save_o = dup(1);
	struct captured c = { 0 };

	assert_true(efd >= 0);
	if (ofd < 0)
		fail_msg("/dev/full is needed for this test");
	fflush(stdout);
	fflush(stderr);
	dup2(efd, 2);
	dup2(ofd, 1);
	c.ret = run_builtin(b, argc, argv);
	fflush(stdout);
	clearerr(stdout);
	fflush(stderr);
	dup2(save_e, 2);
	dup2(save_o, 1);
	close(efd);
	close(ofd);
	close(save_e);
	close(save_o);
	c.err = read_file(ep, NULL);
	c.out = xstrdup("");
	free(ep);
	return c;
}

/* `config > /dev/full` and `compare --json > /dev/full` do not exit 0. */
static void test_stdout_write_error(void **state)
{
	char *cfg[] = { "config", NULL };
	char *cmp[] = { "compare", "--json", "tests/data/results/icount-a",
			"tests/data/results/icount-b", NULL };
	char *help[] = { "plot", "--help", NULL };
	struct captured c;

	c = to_full(&builtin_config, 1, cfg);
	assert_int_not_equal(c.ret, 0);
	HAS(c.err, "zdbench config: cannot write the output");
	captured_free(&c);
	c = to_full(&builtin_compare, 4, cmp);
	assert_int_not_equal(c.ret, 0);
	HAS(c.err, "zdbench compare: cannot write the output");
	captured_free(&c);
	c = to_full(&builtin_plot, 2, help);
	assert_int_not_equal(c.ret, 0);
	captured_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_option_names_command_and_option),
		cmocka_unit_test(test_bisect_run_usage_error_is_128),
		cmocka_unit_test(test_help_lists_options_and_exit_table),
		cmocka_unit_test(test_config_reports_every_error),
		cmocka_unit_test(test_config_long_section_name),
		cmocka_unit_test(test_config_prints_every_effective_key),
		cmocka_unit_test(test_tree_option_is_applied_and_checked),
		cmocka_unit_test(test_option_values_checked),
		cmocka_unit_test(test_parse_shapes),
		cmocka_unit_test(test_check_log_exit_contract),
		cmocka_unit_test(test_unbounded_inputs_refused),
		cmocka_unit_test(test_config_size_and_nul),
		cmocka_unit_test(test_stdout_write_error),
		cmocka_unit_test(test_nightly_exit_contract),
		cmocka_unit_test(test_bisect_usage),
	};

	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
