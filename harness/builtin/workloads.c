// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "wlkind.h"

static const char usage[] =
	"usage: zdbench workloads [kinds] [options]\n"
	"\n"
	"List the configured workloads, one line each; with 'kinds', also the\n"
	"workload kinds and their parameters.\n";

static const struct option_desc options[] = {
	OPT__CONFIG,
	OPT_END(),
};

static int cmd_workloads(struct cmd_ctx *ctx)
{
	const struct zd_config *c = ctx->cfg;
	bool verbose = false;

	if (ctx->args.n > 1 || (ctx->args.n && strcmp(ctx->args.v[0], "kinds"))) {
		fprintf(stderr, "zdbench workloads: unexpected argument '%s' (only 'kinds')\n",
			ctx->args.v[ctx->args.n - 1]);
		return ZD_EXIT_USAGE;
	}
	verbose = ctx->args.n == 1;
	for (size_t i = 0; i < c->nr_workloads; i++) {
		const struct zd_workload *w = &c->workloads[i];
		char *m = wl_medium(c, w);

		printf("%-24s %-9s %-10s", w->name, w->kind, m);
		free(m);
		for (size_t j = 0; j < w->nr_params; j++)
			printf(" %s=%s", w->params[j].key, w->params[j].val);
		printf("\n");
	}
	if (verbose) {
		const struct wl_kind_desc *k;

		printf("\nkinds:\n");
		for (size_t i = 0; (k = wl_kind_at(i)); i++) {
			printf("  %s: %s\n", k->name, k->summary);
			for (const struct wl_param_spec *p = k->params; p->key; p++)
				printf("    %-10s %s (default %s)\n", p->key, p->help,
				       p->dflt ? p->dflt : "none: required");
		}
	}
	return ZD_EXIT_CLEAN;
}

const struct builtin builtin_workloads = {
	.name = "workloads", .fn = cmd_workloads, .options = options, .usage = usage,
	.flags = NEED_CONFIG,
	.exit_help = "Exit: 0 listed; 2 usage or configuration error.\n",
	.summary = "list the configured workloads (and kinds)",
};
