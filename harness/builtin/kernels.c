// SPDX-License-Identifier: GPL-2.0
/* zdbench kernels: what the cache holds (kcache.c), one line each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "kcache.h"
#include "ksrc.h"

static const char usage[] =
	"usage: zdbench kernels [options]\n"
	"\n"
	"List the source trees and the built kernels the cache holds: each\n"
	"tree's key, size and what it stands for (a tarball, your tree), each\n"
	"kernel's key, variant, commit, source tree and size. 'zdbench gc'\n"
	"removes the ones no config names.\n";

static const struct option_desc options[] = {
	OPT__CONFIG,
	OPT_END(),
};

static int cmd_kernels(struct cmd_ctx *ctx)
{
	char *cache, sz[16];
	struct kcache kc;

	if (ctx->args.n) {
		fprintf(stderr, "zdbench kernels: unexpected argument '%s'\n", ctx->args.v[0]);
		return ZD_EXIT_USAGE;
	}
	cache = zd_cache_dir(ctx->cfg);
	kcache_scan(cache, &kc);
	printf("cache %s\n\ntrees:\n", cache);
	printf("  %-16s %7s  %s\n", "KEY", "SIZE", "ORIGIN (FOLDER)");
	for (size_t i = 0; i < kc.nr_trees; i++) {
		const struct kc_tree *t = &kc.trees[i];

		printf("  %-16s %7s  %s (%s%s)\n", t->key, human_bytes(t->bytes, sz, sizeof(sz)),
		       *t->origin ? t->origin : "?", t->dir, t->legacy ? ", the first import" : "");
	}
	printf("\nkernels:\n");
	printf("  %-12s %-16s %-8s %-12s %-16s %7s  %s\n", "KEY", "VARIANT", "KIND", "COMMIT",
	       "SOURCE", "SIZE", "DESCRIBE");
	for (size_t i = 0; i < kc.nr_kernels; i++) {
		const struct kc_kernel *k = &kc.kernels[i];

		printf("  %-12.12s %-16s %-8s %-12.12s %-16s %7s  %s\n", k->key,
		       *k->variant ? k->variant : "?", k->complete ? k->kind : "partial",
		       *k->commit ? k->commit : "-", *k->source ? k->source : "-",
		       human_bytes(k->bytes, sz, sizeof(sz)), k->describe);
	}
	kcache_free(&kc);
	free(cache);
	return ZD_EXIT_CLEAN;
}

const struct builtin builtin_kernels = {
	.name = "kernels", .fn = cmd_kernels, .options = options, .usage = usage,
	.flags = NEED_CONFIG,
	.exit_help = "Exit: 0 listed; 2 usage or configuration error.\n",
	.summary = "list the source trees and built kernels in the cache",
};
