// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "builtin.h"
#include "ksrc.h"

static const char usage[] =
	"usage: zdbench source [options]\n"
	"\nImport the kernel source if needed (Debian tarball into a git repository\n"
	"in the cache) and print the tree's path and base commit.\n";

static const struct option_desc options[] = {
	OPT__CONFIG,
	OPT__TREE,
	OPT_END(),
};

static int cmd_source(struct cmd_ctx *ctx)
{
	struct zd_ksrc s;

	if (ctx->args.n) {
		fprintf(stderr, "zdbench source: unexpected argument '%s'\n", ctx->args.v[0]);
		return ZD_EXIT_USAGE;
	}
	if (ksrc_prepare(ctx->cfg, &s))
		return ZD_EXIT_INFRA;
	printf("%s\n", s.tree);
	fprintf(stderr, "zdbench: base %s (%s)\n", s.base, s.describe);
	ksrc_free(&s);
	return ZD_EXIT_CLEAN;
}

const struct builtin builtin_source = {
	.name = "source", .fn = cmd_source, .options = options, .usage = usage,
	.flags = NEED_CONFIG,
	.exit_help = "Exit: 0 the tree is ready; 2 usage or configuration error;\n"
		     "3 the source could not be imported (tarball missing, git failed).\n",
	.summary = "import the kernel source if needed; print its path",
};
