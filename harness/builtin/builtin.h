/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_BUILTIN_H
#define ZD_BUILTIN_H

#include "config.h"
#include "exitcode.h"
#include "parse-options.h"
#include "util.h"

/*
 * git's builtin/ and perf's builtin-*.c: one file per command, each
 * exporting a struct builtin; main.c's table lists them. main parses the
 * command's own option table, loads and validates the config once for a
 * NEED_CONFIG command, and hands both in through struct cmd_ctx.
 */
enum builtin_flags {
	NEED_CONFIG = 1 << 0,	/* main loads config (-c, -s, ...) into ctx->cfg */
	CONFIG_ARG = 1 << 1,	/* a lone positional argument is the config file */
	/*
	 * With --tree, main loads the config too and the positional arguments
	 * are the tree's revisions to run, as --variant would give them
	 * (`zdbench compare --tree ~/linux v6.12 mm-unstable`).
	 */
	TREE_REVS = 1 << 2,
};

/* What the config-feeding options collect (OPT__CONFIG, OPT__MATRIX). */
struct cfg_opts {
	const char *path;	/* -c FILE */
	struct strv sets;	/* -s and the options that are -s in disguise, in order */
	struct strv variants;	/* --variant, repeatable */
	struct strv workloads;	/* --workload, repeatable */
	bool quiet;
	bool tree;		/* --tree was given */
};

struct cmd_ctx {
	const char *cmd;	/* the command's name */
	struct zd_config *cfg;	/* NEED_CONFIG: loaded and validated, else NULL */
	struct strv args;	/* positional arguments, in order */
	char *reproducer;	/* the whole command line, shell-quoted (provenance) */
};

struct builtin {
	const char *name;
	const char *summary;	/* one line for 'zdbench --help' */
	int (*fn)(struct cmd_ctx *ctx);
	const struct option_desc *options;
	const char *usage;	/* usage line(s) and a paragraph */
	unsigned int flags;
	int usage_exit;		/* exit status of a usage error: 2, 128 for bisect-run */
	const char *exit_help;	/* NULL: the common exit table (ZD_EXIT_HELP) */
};

/* The config options every NEED_CONFIG command takes, and the matrix ones. */
extern struct cfg_opts cfg_opts;
int opt_tree_cb(void *value, const char *arg);

#define OPT__CONFIG \
	OPT_STRING('c', "config", &cfg_opts.path, "FILE", "config file (default: the built-in config.example)"), \
	OPT_STRV('s', "set", &cfg_opts.sets, "SECTION.KEY=VALUE", "override one config key (repeatable)"), \
	OPT_BOOL('q', "quiet", &cfg_opts.quiet, "no progress lines")
#define OPT__TREE \
	OPT_CALLBACK(0, "tree", &cfg_opts.sets, "DIR", opt_tree_cb, "build from this kernel git tree ([kernel] source = tree, tree = DIR)")
#define OPT__KCONFIG \
	OPT_CONFIG("kconfig", &cfg_opts.sets, "FILE", "kernel.config", "start kernel builds from this .config instead of tinyconfig ([kernel] config)")
#define OPT__VARIANT \
	OPT_STRV(0, "variant", &cfg_opts.variants, "V", "a kernel variant: kernels/V, a [variant V] section, or with --tree a revision (repeatable; default [run] variants)")
#define OPT__WORKLOAD \
	OPT_STRV(0, "workload", &cfg_opts.workloads, "W", "a workload (repeatable; default [run] workloads)")
#define OPT__BOOT \
	OPT_CONFIG("reps", &cfg_opts.sets, "N", "run.reps", "repetitions per workload ([run] reps)"), \
	OPT_CONFIG("clock", &cfg_opts.sets, "wall|icount", "qemu.clock", "guest clock ([qemu] clock)"), \
	OPT_CONFIG("accel", &cfg_opts.sets, "auto|tcg|kvm", "qemu.accel", "accelerator ([qemu] accel)"), \
	OPT_CONFIG("pmem", &cfg_opts.sets, "memmap|nvdimm|file", "qemu.pmem", "emulated pmem ([qemu] pmem)")

/* Run a command as main would: parse, load the config, call, free. */
int run_builtin(const struct builtin *b, int argc, char **argv);
char *project_dir(void);

extern const struct builtin builtin_run, builtin_build, builtin_boot, builtin_source,
	builtin_compare, builtin_plot, builtin_merge, builtin_nightly, builtin_bisect,
	builtin_bisect_run, builtin_check_log, builtin_workloads, builtin_config,
	builtin_kernels, builtin_gc, builtin_report, builtin_lava;

#endif
