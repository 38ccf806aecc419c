/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the end-to-end tests: run build/zdbench, keep its output. */
#ifndef ZD_E2E_H
#define ZD_E2E_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "result.h"
#include "util.h"

struct out {
	int code;
	char *text; /* stdout + stderr */
	double secs;
};

/* build/zdbench ARGS..., output kept in tmpdir/cmd.log and returned. */
static inline struct out zd_argv(const char *tmpdir, const char *const *args,
				 double timeout)
{
	struct strv av = { 0 };
	char *log = xasprintf("%s/cmd.log", tmpdir), *cmd;
	struct proc_opts o = { .out_path = log, .timeout = timeout };
	struct proc_result r;
	struct out res = { 0 };
	double t0 = now_mono();

	strv_push(&av, "build/zdbench");
	for (; *args; args++)
		strv_push(&av, *args);
	unlink(log);
	assert_int_equal(proc_run(av.v, &o, &r), 0);
	assert_false(r.timed_out);
	res.code = r.exit_code;
	res.text = read_file(log, NULL);
	if (!res.text)
		res.text = xstrdup("");
	res.secs = now_mono() - t0;
	cmd = strv_join(&av, " ");
	print_message("$ %s\n  -> exit %d in %.1fs\n", cmd, res.code, res.secs);
	free(cmd);
	strv_free(&av);
	free(log);
	return res;
}

/* build/zdbench with the arguments from first up to a NULL (at most 63). */
static inline struct out zd_va(const char *tmpdir, const char *first, va_list ap)
{
	const char *args[64];
	size_t n = 0;

	for (const char *a = first; a && n < 63; a = va_arg(ap, const char *))
		args[n++] = a;
	args[n] = NULL;
	return zd_argv(tmpdir, args, 3600);
}

/*
 * E2E_DEFINE_ZD(dir): defines `static struct out zd(const char *first, ...)`,
 * build/zdbench with the arguments up to a NULL, its log in dir (the test's
 * scratch folder, a char array set up before the first call).
 */
#define E2E_DEFINE_ZD(dir)                                            \
	static struct out zd(const char *first, ...)                  \
	{                                                             \
		va_list ap;                                           \
		struct out o;                                         \
                                                                      \
		va_start(ap, first);                                  \
		o = zd_va(dir, first, ap);                            \
		va_end(ap);                                           \
		return o;                                             \
	}

static inline void expect_in(const struct out *o, const char *needle)
{
	if (!strstr(o->text, needle))
		fail_msg("output lacks '%s':\n%s", needle, o->text);
}

/* The binaries the e2e tests drive must be built first. */
static inline int e2e_ready(void)
{
	if (!path_exists("build/zdbench") || !path_exists("build/agent/zdbench-agent")) {
		fprintf(stderr, "build zdbench and the agent first (make all)\n");
		return -1;
	}
	return 0;
}

/* Did the result's precondition check of this name pass? */
/* ZD_TEST=PATTERN runs only the matching tests (cmocka's glob), by hand. */
static inline void e2e_filter(void)
{
	const char *f = getenv("ZD_TEST");

	if (f && *f)
		cmocka_set_test_filter(f);
}

static inline bool check_ok(const struct zd_result *r, const char *name)
{
	for (size_t i = 0; i < r->nr_checks; i++)
		if (!strcmp(r->checks[i].name, name))
			return r->checks[i].ok;
	return false;
}

#endif
