// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "kbuild.h"
#include "ksrc.h"

static const char usage[] =
	"usage: zdbench build [VARIANT]... [options]\n"
	"\n"
	"Build kernel variants (default: [run] variants). A variant whose inputs\n"
	"(tree, patches, fragments, compiler) are unchanged is taken from the\n"
	"cache and runs no make at all. Prints the bzImage path of each. A\n"
	"variant is a kernels/ folder, a [variant] section, or with --tree a\n"
	"revision of the tree (docs/byo-kernel.md).\n";

static const struct option_desc options[] = {
	OPT__CONFIG,
	OPT__TREE,
	OPT__KCONFIG,
	OPT_END(),
};

static int cmd_build(struct cmd_ctx *ctx)
{
	struct zd_config *c = ctx->cfg;
	struct zd_ksrc src;
	int ret = ZD_EXIT_CLEAN;

	if (ctx->args.n) {
		char *j = strv_join(&ctx->args, " ");

		list_set(&c->variants, j);
		free(j);
	}
	if (ksrc_prepare(c, &src))
		return ZD_EXIT_INFRA;
	ret = kbuild_check_variants(c, &src);
	if (ret) {
		ksrc_free(&src);
		return ret;
	}
	for (size_t i = 0; i < c->variants.n; i++) {
		struct zd_kernel k;

		if (kbuild_variant(c, &src, c->variants.v[i], &k)) {
			ret = kbuild_exit(&k);
			kernel_free(&k);
			break;
		}
		/* a kernel the user built: never "built" here, the user did */
		printf("%s %s %s\n", k.variant,
		       k.cached ? "cached" : k.kind ? k.kind : "built", k.bzimage);
		kernel_free(&k);
	}
	ksrc_free(&src);
	return ret;
}

const struct builtin builtin_build = {
	.name = "build", .fn = cmd_build, .options = options, .usage = usage,
	.flags = NEED_CONFIG,
	.summary = "build one or more kernel variants (cached)",
};
