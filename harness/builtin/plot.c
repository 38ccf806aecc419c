// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "plot.h"

static const char usage[] =
	"usage: zdbench plot RUN... [-o DIR] [--metric NAME]\n"
	"\n"
	"For each run folder: per-workload bar charts (median, min..max) and\n"
	"strip plots of every repetition across variants, PNG and SVG, in\n"
	"RUN/plots/, and RUN/index.html with the tables and the plots.\n"
	"-o DIR writes plots/ and index.html into DIR instead (one RUN only).\n"
	"--metric NAME plots NAME (default ns_per_page; see docs/compare.md).\n";

int cmd_plot(int argc, char **argv)
{
	const char *out_dir = NULL, *mname = "ns_per_page";
	struct strv runs = { 0 };
	struct zd_metric m;
	char *proj;
	int ret = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s", usage);
			strv_free(&runs);
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_dir = argv[++i];
		} else if (!strcmp(argv[i], "--metric") && i + 1 < argc) {
			mname = argv[++i];
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "%s", usage);
			strv_free(&runs);
			return 2;
		} else {
			strv_push(&runs, argv[i]);
		}
	}
	if (!runs.n || (out_dir && runs.n > 1)) {
		fprintf(stderr, "%s", usage);
		strv_free(&runs);
		return 2;
	}
	if (metric_find(mname, &m)) {
		fprintf(stderr, "zdbench plot: unknown metric '%s' (%s)\n", mname, metric_names());
		strv_free(&runs);
		return 2;
	}
	proj = project_dir();
	for (size_t i = 0; i < runs.n && !ret; i++) {
		struct run_set rs;

		if (run_set_load(runs.v[i], &rs) || plot_run(proj, &rs, &m, out_dir))
			ret = 2;
		else
			printf("%s/index.html\n", out_dir ? out_dir : runs.v[i]);
		run_set_free(&rs);
	}
	free(proj);
	strv_free(&runs);
	return ret;
}
