// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "run.h"

static const char usage[] =
	"usage: zdbench boot VARIANT [options]\n"
	"\n"
	"Boot one variant with the configured workloads (one stage by hand).\n";

static const char *out_dir;

static const struct option_desc options[] = {
	OPT__CONFIG,
	OPT__WORKLOAD,
	OPT__BOOT,
	OPT__TREE,
	OPT__KCONFIG,
	OPT_STRING('o', "output", &out_dir, "DIR", "the run folder (default results/<run-id>)"),
	OPT_END(),
};

static int cmd_boot(struct cmd_ctx *ctx)
{
	struct run_opts o = { .backend = "qemu", .out_dir = out_dir,
			      .reproducer = ctx->reproducer };

	if (ctx->args.n != 1) {
		fprintf(stderr, "zdbench boot: expected one VARIANT\n%s", usage);
		return ZD_EXIT_USAGE;
	}
	list_set(&ctx->cfg->variants, ctx->args.v[0]);
	return run_matrix(ctx->cfg, &o, NULL);
}

const struct builtin builtin_boot = {
	.name = "boot", .fn = cmd_boot, .options = options, .usage = usage,
	.flags = NEED_CONFIG,
	.summary = "boot one variant with the configured workloads",
};
