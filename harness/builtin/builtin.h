/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_BUILTIN_H
#define ZD_BUILTIN_H

#include "config.h"
#include "util.h"

/* git-style: one cmd_* per subcommand, dispatched from main.c's table. */
int cmd_run(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_check_log(int argc, char **argv);
int cmd_workloads(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_source(int argc, char **argv);
int cmd_bisect(int argc, char **argv);
int cmd_bisect_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_nightly(int argc, char **argv);

/* Options every command that needs a config accepts (cli.c). */
struct cli {
	struct zd_config *cfg;
	const char *config_path;
	const char *out_dir;
	const char *backend;	/* --backend qemu|host */
	struct strv positional;
	char *reproducer;
	bool help;
	/* bisection options (bisect, bisect-run) */
	const char *good, *bad, *signature, *metric, *tree;
	double threshold;	/* relative, from "5%" */
	unsigned int runs;
	unsigned int interleave;
	bool higher_is_better;
};

/*
 * Parse the common options (-c, -s, --variant, --workload, --reps, --clock,
 * --accel, --pmem, -o, -q, -h), load the config and apply overrides in order:
 * built-in defaults, config file, command line.
 */
int cli_parse(int argc, char **argv, struct cli *cli, const char *usage);
void cli_free(struct cli *cli);
char *project_dir(void);

#endif
