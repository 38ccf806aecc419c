// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "bisectjob.h"
#include "builtin.h"
#include "stats.h"

static const char usage[] =
	"usage: zdbench bisect --good REV --bad REV [--tree DIR]\n"
	"                      [--signature KEY | --metric ns_per_page --threshold X%]\n"
	"                      [--runs N] [--workload W]... [-o DIR] [options]\n"
	"\n"
	"Find the first bad commit in a kernel git tree (default: [kernel] tree,\n"
	"else the current directory). Both ends are checked first; git bisect\n"
	"runs underneath; unbuildable or unbootable commits are skipped; the\n"
	"state is kept, so an interrupted bisection resumes where it stopped; the\n"
	"culprit is confirmed bad and its parent good on fresh runs.\n"
	"Correctness: bad on the first reproduction of KEY (or of any failure\n"
	"without --signature), good after N clean runs (default 3).\n"
	"Performance: N runs (default 3) of the workload's samples per commit,\n"
	"Welch's test against the good end at alpha 0.01; bad when slower by at\n"
	"least half the threshold (--higher-is-better for throughput metrics).\n"
	"Writes report.json and report.txt to -o DIR (default results/bisect-<time>);\n"
	"the state is kept in DIR/state.json with -o, else in the cache, keyed by\n"
	"tree, ends, signature or metric and workloads: run the same command again\n"
	"to resume.\n";

static const char exit_help[] =
	"Exit: 0 culprit found and confirmed; 1 found but not confirmed, or not\n"
	"found (the ends do not behave as given); 2 usage or configuration error;\n"
	"3 infrastructure: the harness aborted.\n";

static struct bisect_args args;

static int threshold_cb(void *value, const char *arg)
{
	double *t = value;

	if (!arg) {
		*t = 0;
		return 0;
	}
	return parse_threshold(arg, t);
}

static const struct option_desc options[] = {
	OPT_STRING(0, "good", &args.good, "REV", "a revision without the failure"),
	OPT_STRING(0, "bad", &args.bad, "REV", "a revision with it"),
	OPT_STRING(0, "tree", &args.tree, "DIR", "the kernel git tree"),
	OPT_STRING(0, "signature", &args.signature, "KEY", "the failure, KEY or KEY@PHASE"),
	OPT_STRING(0, "metric", &args.metric, "NAME", "bisect a performance change of this metric"),
	OPT_CALLBACK(0, "threshold", &args.threshold, "X%", threshold_cb,
		     "the change that counts as bad (5% or 0.05)"),
	OPT_BOOL(0, "higher-is-better", &args.higher_is_better, "the metric is a throughput"),
	OPT_UINT(0, "runs", &args.runs, "N", 1, 1000, "runs per revision (default 3)"),
	OPT_STRING('o', "output", &args.out_dir, "DIR", "report and state folder"),
	OPT__CONFIG,
	OPT__WORKLOAD,
	OPT__BOOT,
	OPT_END(),
};

static int cmd_bisect(struct cmd_ctx *ctx)
{
	if (ctx->args.n) {
		fprintf(stderr, "zdbench bisect: unexpected argument '%s'\n", ctx->args.v[0]);
		return ZD_EXIT_USAGE;
	}
	return bisect_job(ctx->cfg, &args);
}

const struct builtin builtin_bisect = {
	.name = "bisect", .fn = cmd_bisect, .options = options, .usage = usage,
	.flags = NEED_CONFIG, .exit_help = exit_help,
	.summary = "find the first bad commit between two revisions",
};
