// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "builtin.h"
#include "merge.h"
#include "report.h"
#include "runset.h"

static const char usage[] =
	"usage: zdbench report RUNDIR[:VARIANT] --format ktap|junit|json|lkp [-o FILE]\n"
	"\n"
	"Render a results folder (results/<run-id>/, or one variant folder) in a\n"
	"format CI runners and kernel labs read, on stdout or to FILE (written\n"
	"atomically). One test point per variant x workload; a kernel failure\n"
	"fails it, infra trouble skips it (docs/results.md, Report formats).\n"
	"  ktap   KTAP version 1, as kselftest prints it\n"
	"  junit  JUnit XML: a testsuite per variant, a testcase per workload\n"
	"  json   a summary document, schema zdbench.summary/1\n"
	"  lkp    lkp-style stats: zdbench.<workload>.<metric>, dmesg.<key>\n";

static const char exit_help[] =
	"Exit: 0 the report was written and every point passed; 1 a point failed\n"
	"(the kernel under test); 2 usage error; 3 the results do not read or the\n"
	"report cannot be written, or a point was skipped (infra) and none failed.\n";

static const char *format, *out;

static const struct option_desc options[] = {
	OPT_STRING(0, "format", &format, "ktap|junit|json|lkp", "the report format (required)"),
	OPT_STRING('o', "output", &out, "FILE", "write the report to FILE (default stdout)"),
	OPT_END(),
};

static int cmd_report(struct cmd_ctx *ctx)
{
	const struct report_ops *ops = report_find(format);
	struct run_set rs;
	int ret;

	if (ctx->args.n != 1) {
		fprintf(stderr, "zdbench report: expected one results folder, got %zu\n", ctx->args.n);
		return ZD_EXIT_USAGE;
	}
	if (!format) {
		fprintf(stderr, "zdbench report: --format is required (%s)\n", report_names());
		return ZD_EXIT_USAGE;
	}
	if (!ops) {
		fprintf(stderr, "zdbench report: --format %s: expected %s\n", format, report_names());
		return ZD_EXIT_USAGE;
	}
	{
		/* a run still running or copied in part would report passes it never had */
		char *rj = path_join(ctx->args.v[0], "run.json"), *rid = NULL, *mach = NULL, *why = NULL;
		char hash[65];
		int whole = !path_exists(rj) ||
			    !merge_check_run(ctx->args.v[0], NULL, &rid, &mach, hash, &why);

		free(rj);
		free(rid);
		free(mach);
		if (!whole) {
			zd_err("report: %s is not a whole run: %s", ctx->args.v[0], why);
			free(why);
			return ZD_EXIT_INFRA;
		}
	}
	if (run_set_load_spec(ctx->args.v[0], &rs)) {
		run_set_free(&rs);
		return ZD_EXIT_INFRA;
	}
	ret = report_write(ops, &rs, out) ? ZD_EXIT_INFRA : report_exit(&rs);
	run_set_free(&rs);
	return ret;
}

const struct builtin builtin_report = {
	.name = "report", .fn = cmd_report, .options = options, .usage = usage,
	.exit_help = exit_help,
	.summary = "render a results folder as KTAP, JUnit XML, a JSON summary or lkp stats",
};
