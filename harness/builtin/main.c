// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench: build, boot and measure kernels for ZONE_DEVICE page refcounting.
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd commands[] = {
	{ "run", cmd_run, "build, boot and measure the configured matrix" },
	{ "build", cmd_build, "build one or more kernel variants (cached)" },
	{ "boot", cmd_boot, "boot one variant with the configured workloads" },
	{ "source", cmd_source, "import the kernel source if needed; print its path" },
	{ "compare", cmd_compare, "statistics between two result sets; exit 1 on a regression" },
	{ "plot", cmd_plot, "gnuplot PNG/SVG plots and an HTML report of a run" },
	{ "nightly", cmd_nightly, "run, append to history, change points, new failures, report" },
	{ "bisect", cmd_bisect, "find the first bad commit between two revisions" },
	{ "bisect-run", cmd_bisect_run, "one step for 'git bisect run' (0 good, 1 bad, 125 skip, 128 abort)" },
	{ "check-log", cmd_check_log, "classify a kernel console log" },
	{ "workloads", cmd_workloads, "list the configured workloads" },
	{ "config", cmd_config, "check a config file and print the effective values" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: zdbench <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'zdbench <command> --help' shows a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("zdbench %s\n", ZDBENCH_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "zdbench: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return 2;
}
