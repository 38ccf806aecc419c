// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "ksrc.h"

static const char usage[] =
	"usage: zdbench config [[-c] FILE] [options]\n"
	"\n"
	"Validate the configuration: the built-in defaults, FILE, then the\n"
	"command line. Every error is printed (file:line: key), not only the\n"
	"first; exit 2 if there is any. Then print every effective key.\n";

static const struct option_desc options[] = {
	OPT__CONFIG,
	OPT__VARIANT,
	OPT__WORKLOAD,
	OPT__BOOT,
	OPT__TREE,
	OPT__KCONFIG,
	OPT_END(),
};

static int cmd_config(struct cmd_ctx *ctx)
{
	char *cache;

	/* main took a lone FILE as the config (CONFIG_ARG) */
	if (ctx->args.n > 1 || (ctx->args.n == 1 && cfg_opts.path)) {
		fprintf(stderr, "zdbench config: one config file, as FILE or -c FILE\n");
		return ZD_EXIT_USAGE;
	}
	/* an empty cache_dir means the default folder: show which */
	cache = zd_cache_dir(ctx->cfg);
	free(ctx->cfg->cache_dir);
	ctx->cfg->cache_dir = cache;
	config_dump(ctx->cfg, stdout);
	return ZD_EXIT_CLEAN;
}

const struct builtin builtin_config = {
	.name = "config", .fn = cmd_config, .options = options, .usage = usage,
	.flags = NEED_CONFIG | CONFIG_ARG,
	.summary = "check a config file and print the effective values",
	.exit_help = "Exit: 0 valid; 2 a configuration error (each printed).\n",
};
