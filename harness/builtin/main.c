// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench: build, boot and measure kernels for ZONE_DEVICE page refcounting.
 * The command table; each command lives in harness/builtin/<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"

static const struct builtin *const commands[] = {
	&builtin_run,
	&builtin_build,
	&builtin_boot,
	&builtin_source,
	&builtin_kernels,
	&builtin_gc,
	&builtin_compare,
	&builtin_plot,
	&builtin_merge,
	&builtin_report,
	&builtin_nightly,
	&builtin_lava,
	&builtin_bisect,
	&builtin_bisect_run,
	&builtin_check_log,
	&builtin_workloads,
	&builtin_config,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: zdbench <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\n'zdbench <command> --help' shows a command's options.\n\n%s", ZD_EXIT_HELP);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ZD_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("zdbench %s\n", ZDBENCH_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i]->name))
			return run_builtin(commands[i], argc - 1, argv + 1);
	fprintf(stderr, "zdbench: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return ZD_EXIT_USAGE;
}
