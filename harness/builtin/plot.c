// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "metric.h"
#include "plot.h"

static const char usage[] =
	"usage: zdbench plot RUN... [-o DIR] [--metric NAME]\n"
	"\n"
	"For each run folder: per-workload bar charts (median, min..max) and\n"
	"strip plots of every repetition across variants, PNG and SVG, in\n"
	"RUN/plots/, and RUN/index.html with the tables and the plots.\n"
	"-o DIR writes plots/ and index.html into DIR instead (one RUN only).\n"
	"--metric NAME plots NAME (default ns_per_page; see docs/compare.md).\n";

static const char exit_help[] =
	"Exit: 0 plotted; 2 usage error, or a run folder that cannot be read;\n"
	"3 gnuplot failed.\n";

static const char *out_dir, *mname;

static const struct option_desc options[] = {
	OPT_STRING('o', "output", &out_dir, "DIR", "write plots/ and index.html here (one RUN)"),
	OPT_STRING(0, "metric", &mname, "NAME", "the metric to plot (default ns_per_page)"),
	OPT_END(),
};

static int cmd_plot(struct cmd_ctx *ctx)
{
	struct zd_metric m;
	char *proj;
	int ret = ZD_EXIT_CLEAN;

	if (!ctx->args.n || (out_dir && ctx->args.n > 1)) {
		fprintf(stderr, "zdbench plot: expected RUN folders (one RUN with -o)\n");
		return ZD_EXIT_USAGE;
	}
	if (metric_find(mname ? mname : "ns_per_page", &m)) {
		fprintf(stderr, "zdbench plot: unknown metric '%s' (%s)\n", mname, metric_names());
		return ZD_EXIT_USAGE;
	}
	proj = project_dir();
	for (size_t i = 0; i < ctx->args.n && !ret; i++) {
		struct run_set rs;

		if (run_set_load(ctx->args.v[i], &rs))
			ret = ZD_EXIT_USAGE;
		else if (plot_run(proj, &rs, &m, out_dir))
			ret = ZD_EXIT_INFRA;
		else
			printf("%s/index.html\n", out_dir ? out_dir : ctx->args.v[i]);
		run_set_free(&rs);
	}
	free(proj);
	return ret;
}

const struct builtin builtin_plot = {
	.name = "plot", .fn = cmd_plot, .options = options, .usage = usage,
	.exit_help = exit_help,
	.summary = "gnuplot PNG/SVG plots and an HTML report of a run",
};
