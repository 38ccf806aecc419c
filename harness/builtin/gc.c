// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench gc: remove the trees and built kernels no config names. "Named"
 * is what the given config (-c, -s) and the built-in one name: their
 * source trees (tarball or tree), their variants ([run] variants,
 * [variant] sections, the shipped kernels/ folders). The first import
 * (cache/linux) is never removed: CI and the default config use it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "git.h"
#include "kcache.h"
#include "ksrc.h"

static bool dry_run;

static const char usage[] =
	"usage: zdbench gc [-n] [--tree DIR] [options]\n"
	"\n"
	"Remove the source trees and built kernels in the cache that neither this\n"
	"config (-c, -s) nor the built-in one names: a tree of another tarball or\n"
	"tree, a kernel of a variant no config lists, a build that never finished.\n"
	"The first import (cache/linux) is kept. -n lists what would go.\n";

static const struct option_desc options[] = {
	OPT__CONFIG,
	OPT__TREE,
	OPT_BOOL('n', "dry-run", &dry_run, "list what would be removed, remove nothing"),
	OPT_END(),
};

static void push_key(struct strv *keep, const struct zd_config *c)
{
	char *k = ksrc_key(c);

	if (k)
		strv_push(keep, k);
	free(k);
}

static void push_variants(struct strv *keep, const struct zd_config *c)
{
	for (size_t i = 0; i < c->variants.n; i++)
		strv_push(keep, c->variants.v[i]);
	for (size_t i = 0; i < c->nr_uvariants; i++)
		strv_push(keep, c->uvariants[i].name);
}

/* The shipped variants: every folder of kernels/ (base, spec-gup, ...). */
static void push_shipped(struct strv *keep, const char *project)
{
	char *kd = path_join(project, "kernels");
	DIR *d = opendir(kd);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *p = path_join(kd, de->d_name);

		if (de->d_name[0] != '.' && is_dir(p))
			strv_push(keep, de->d_name);
		free(p);
	}
	if (d)
		closedir(d);
	free(kd);
	strv_push(keep, "HEAD");
}

static int cmd_gc(struct cmd_ctx *ctx)
{
	struct zd_config *dflt = config_new();
	struct strv keep_src = { 0 }, keep_var = { 0 }, gone = { 0 };
	char *cache = zd_cache_dir(ctx->cfg), sz[16];
	struct kcache kc;
	uint64_t bytes = 0;
	int ret = ZD_EXIT_CLEAN;

	if (ctx->args.n) {
		fprintf(stderr, "zdbench gc: unexpected argument '%s'\n", ctx->args.v[0]);
		config_free(dflt);
		free(cache);
		return ZD_EXIT_USAGE;
	}
	config_load_defaults(dflt);
	push_key(&keep_src, ctx->cfg);
	push_key(&keep_src, dflt);
	push_variants(&keep_var, ctx->cfg);
	push_variants(&keep_var, dflt);
	push_shipped(&keep_var, ctx->cfg->project_dir);
	kcache_scan(cache, &kc);
	kcache_gc_plan(&kc, &keep_src, &keep_var, &gone);
	for (size_t i = 0; i < gone.n; i++) {
		uint64_t b = du_bytes(gone.v[i]);
		char *origin = NULL;

		/* a user tree's worktrees are registered in it: prune them after */
		for (size_t j = 0; j < kc.nr_trees; j++)
			if (!strcmp(kc.trees[j].dir, gone.v[i]) && *kc.trees[j].origin &&
			    is_dir(kc.trees[j].origin))
				origin = kc.trees[j].origin;
		printf("%s %s (%s)\n", dry_run ? "would remove" : "removing", gone.v[i],
		       human_bytes(b, sz, sizeof(sz)));
		bytes += b;
		if (dry_run)
			continue;
		if (rm_rf(gone.v[i])) {
			fprintf(stderr, "zdbench gc: cannot remove %s\n", gone.v[i]);
			ret = ZD_EXIT_INFRA;
		} else if (origin) {
			char *prune[] = { "worktree", "prune", NULL };

			git_run(origin, prune, NULL, 120);
		}
	}
	printf("%s %s in %zu folder%s\n", dry_run ? "would free" : "freed",
	       human_bytes(bytes, sz, sizeof(sz)), gone.n, gone.n == 1 ? "" : "s");
	kcache_free(&kc);
	strv_free(&keep_src);
	strv_free(&keep_var);
	strv_free(&gone);
	config_free(dflt);
	free(cache);
	return ret;
}

const struct builtin builtin_gc = {
	.name = "gc", .fn = cmd_gc, .options = options, .usage = usage,
	.flags = NEED_CONFIG,
	.exit_help = "Exit: 0 done; 2 usage or configuration error; 3 a folder could not be removed.\n",
	.summary = "remove the trees and kernels no config names (-n: dry run)",
};
