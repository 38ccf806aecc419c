// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "classify.h"
#include "util.h"

static const char usage[] =
	"usage: zdbench check-log FILE|- [--json] [--stats] [--timeout NAME]\n"
	"\n"
	"Classify a kernel console log: verdict (clean, fail, hang, crash, infra)\n"
	"and one signature per finding.\n";

static const char exit_help[] =
	"Exit: 0 clean; 1 fail, hang or crash; 2 usage error or unreadable FILE;\n"
	"3 infra (nothing about the kernel can be said from this log).\n";

static bool json, stats;
static const char *timeout;

static int timeout_cb(void *value, const char *arg)
{
	static const char *const names[] = { "boot", "step", "teardown", "shutdown", NULL };

	if (!arg) {
		*(const char **)value = NULL;
		return 0;
	}
	for (const char *const *n = names; *n; n++)
		if (!strcmp(*n, arg)) {
			*(const char **)value = *n;
			return 0;
		}
	fprintf(stderr, "zdbench check-log: --timeout %s: expected boot, step, teardown or shutdown\n",
		arg);
	return -1;
}

static const struct option_desc options[] = {
	OPT_BOOL(0, "json", &json, "the verdict and findings as JSON"),
	OPT_BOOL(0, "stats", &stats, "lines, seconds and peak RSS on stderr"),
	OPT_CALLBACK(0, "timeout", &timeout, "NAME", timeout_cb,
		     "the run's own timeout (boot, step, teardown, shutdown), folded in"),
	OPT_END(),
};

static void print_json(const struct classification *cl)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();

	json_object_object_add(o, "verdict", json_object_new_string(verdict_name(cl->verdict)));
	json_object_object_add(o, "lines", json_object_new_int64(cl->lines));
	json_object_object_add(o, "reached_init", json_object_new_boolean(cl->reached_init));
	json_object_object_add(o, "excerpt", json_object_new_boolean(cl->excerpt));
	for (size_t i = 0; i < cl->n; i++) {
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "class", json_object_new_string(cl->f[i].cls));
		json_object_object_add(f, "key", json_object_new_string(cl->f[i].key));
		if (cl->f[i].lkp_key)
			json_object_object_add(f, "lkp_key", json_object_new_string(cl->f[i].lkp_key));
		json_object_object_add(f, "phase", json_object_new_string(cl->f[i].phase));
		json_object_object_add(f, "line", json_object_new_int64(cl->f[i].line));
		json_object_object_add(f, "text", json_object_new_string(cl->f[i].detail));
		if (cl->f[i].msg)
			json_object_object_add(f, "message", json_object_new_string(cl->f[i].msg));
		if (cl->f[i].stack)
			json_object_object_add(f, "stack", json_object_new_string(cl->f[i].stack));
		json_object_array_add(a, f);
	}
	json_object_object_add(o, "findings", a);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/*
 * FILE as a stream, if it is a regular file: a folder, a FIFO (which would
 * block until a writer comes) or a device (/dev/zero never ends) is a
 * usage error with a message, NULL. The classifier reads it line by line,
 * so its size needs no cap; a stream is what "-" (stdin) is for.
 */
static FILE *open_log(const char *file)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	FILE *f;

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "zdbench check-log: cannot read %s: %s\n", file, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "zdbench check-log: %s: %s (give a file, or - for stdin)\n", file,
			S_ISDIR(st.st_mode) ? "a folder, not a file" : "not a regular file");
		goto fail;
	}
	f = fdopen(fd, "rb");
	if (f)
		return f;
	fprintf(stderr, "zdbench check-log: cannot read %s: %s\n", file, strerror(errno));
fail:
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int cmd_check_log(struct cmd_ctx *ctx)
{
	struct classification cl;
	const char *file;
	double t0 = now_mono();
	int ret;

	if (ctx->args.n != 1) {
		fprintf(stderr, "zdbench check-log: expected one FILE (or - for stdin)\n");
		return ZD_EXIT_USAGE;
	}
	file = ctx->args.v[0];
	if (!strcmp(file, "-")) {
		if (classify_stream(stdin, &cl))
			return ZD_EXIT_USAGE;
	} else {
		FILE *f = open_log(file);

		if (!f)
			return ZD_EXIT_USAGE;
		ret = classify_stream(f, &cl);
		fclose(f);
		if (ret)
			return ZD_EXIT_USAGE;
	}
	classify_finish(&cl, timeout);
	if (json) {
		print_json(&cl);
	} else {
		printf("verdict: %s\n", verdict_name(cl.verdict));
		for (size_t i = 0; i < cl.n; i++) {
			printf("  %-16s %s (phase %s, line %lu)\n", cl.f[i].cls,
			       cl.f[i].key, cl.f[i].phase, cl.f[i].line);
			if (cl.f[i].msg)
				printf("  %-16s message: %s\n", "", cl.f[i].msg);
			if (cl.f[i].stack)
				printf("  %-16s stack: %s\n", "", cl.f[i].stack);
		}
	}
	if (stats) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "check-log: %lu lines in %.3f s, peak RSS %ld KiB\n",
			cl.lines, now_mono() - t0, ru.ru_maxrss);
	}
	ret = verdict_exit(cl.verdict);
	classification_free(&cl);
	return ret;
}

const struct builtin builtin_check_log = {
	.name = "check-log", .fn = cmd_check_log, .options = options, .usage = usage,
	.exit_help = exit_help,
	.summary = "classify a kernel console log",
};
