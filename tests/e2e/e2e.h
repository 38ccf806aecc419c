/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the end-to-end tests: run build/zdbench, keep its output. */
#ifndef ZD_E2E_H
#define ZD_E2E_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

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

/* ZD_TEST=PATTERN runs only the matching tests (cmocka's glob), by hand. */
static inline void e2e_filter(void)
{
	const char *f = getenv("ZD_TEST");

	if (f && *f)
		cmocka_set_test_filter(f);
}

/* Did the result's precondition check of this name pass? */
static inline bool check_ok(const struct zd_result *r, const char *name)
{
	for (size_t i = 0; i < r->nr_checks; i++)
		if (!strcmp(r->checks[i].name, name))
			return r->checks[i].ok;
	return false;
}

/* DIR/VARIANT/WL.json, or the test fails naming the file. */
static inline struct zd_result read_result(const char *dir, const char *variant, const char *wl)
{
	char *p = xasprintf("%s/%s/%s.json", dir, variant, wl), *err = NULL;
	struct zd_result r;

	if (result_read(p, &r, &err))
		fail_msg("%s: %s", p, err);
	free(p);
	return r;
}

/* Does the result carry this failure signature, exactly? */
static inline bool has_sig(const struct zd_result *r, const char *sig)
{
	for (size_t i = 0; i < r->signatures.n; i++)
		if (!strcmp(r->signatures.v[i], sig))
			return true;
	return false;
}

/* The agent's JSON lines (results.jsonl) of one boot. */
struct lines {
	struct json_object **v;
	size_t n;
};

static inline struct lines read_lines(const char *dir, const char *variant)
{
	char *p = xasprintf("%s/%s/results.jsonl", dir, variant);
	char *text = read_file(p, NULL), *line, *next;
	struct lines l = { 0 };

	if (!text)
		fail_msg("cannot read %s", p);
	for (line = text; line && *line; line = next) {
		struct json_object *o;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		o = json_tokener_parse(line);
		if (!o)
			continue;
		l.v = xrealloc(l.v, (l.n + 1) * sizeof(*l.v));
		l.v[l.n++] = o;
	}
	free(text);
	free(p);
	return l;
}

static inline void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		json_object_put(l->v[i]);
	free(l->v);
}

#endif
