// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "plot.h"

static const char usage[] =
	"usage: zdbench plot RUN...\n"
	"\n"
	"For each run folder: per-workload bar charts (median, min..max) and\n"
	"strip plots of every repetition across variants, PNG and SVG, in\n"
	"RUN/plots/, and RUN/index.html with the tables and the plots.\n";

int cmd_plot(int argc, char **argv)
{
	char *proj;
	int ret = 0;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout, "%s", usage);
		return argc < 2 ? 2 : 0;
	}
	proj = project_dir();
	for (int i = 1; i < argc && !ret; i++) {
		struct run_set rs;

		if (run_set_load(argv[i], &rs) || plot_run(proj, &rs))
			ret = 2;
		else
			printf("%s/index.html\n", argv[i]);
		run_set_free(&rs);
	}
	free(proj);
	return ret;
}
