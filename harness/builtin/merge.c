// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "merge.h"

static const char usage[] =
	"usage: zdbench merge [-o OUTDIR] [--machine NAME] RESULTS_DIR...\n"
	"\n"
	"Bring run folders made on several machines into one place: each run is\n"
	"copied to OUTDIR/<machine>/<run-id>/ (compare reads it) and recorded in\n"
	"OUTDIR/history/ (nightly --report-only OUTDIR/history analyses it, per\n"
	"machine). A RESULTS_DIR is a run folder (it has run.json) or a folder of\n"
	"them (a machine's results/). A run is known by its run id, its machine\n"
	"and the sha256 of its run.json and result files: merged again, it is\n"
	"skipped; the same run id from another machine is a second run, kept\n"
	"beside it; the same run id and machine with other content is refused.\n"
	"A run folder that is not whole (run.json missing, torn or still\n"
	"'running', a result missing or torn) is refused and nothing of it is\n"
	"recorded. --machine labels runs whose run.json names no machine (results\n"
	"older than machine ids; default 'unknown'). OUTDIR defaults to results.\n";

static const char exit_help[] =
	"Exit: 0 every run merged or already there; 2 usage error (a RESULTS_DIR\n"
	"that is no folder or holds no run folder); 3 a run refused (not whole)\n"
	"or in conflict with one merged before (the others are still merged).\n";

static const char *out_dir, *machine;

static const struct option_desc options[] = {
	OPT_STRING('o', "output", &out_dir, "OUTDIR", "where merged runs and history/ go (default results)"),
	OPT_STRING(0, "machine", &machine, "NAME", "the machine of runs that name none"),
	OPT_END(),
};

static int cmd_merge(struct cmd_ctx *ctx)
{
	struct merge_opts o = { .out_dir = out_dir ? out_dir : "results", .machine = machine };
	struct merge_stats st;

	if (!ctx->args.n) {
		fprintf(stderr, "zdbench merge: expected RESULTS_DIR...\n");
		return ZD_EXIT_USAGE;
	}
	return merge_results(&o, &ctx->args, &st);
}

const struct builtin builtin_merge = {
	.name = "merge", .fn = cmd_merge, .options = options, .usage = usage,
	.exit_help = exit_help,
	.summary = "bring result folders of several machines into one history and layout",
};
