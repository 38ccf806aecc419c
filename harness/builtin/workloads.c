// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "builtin.h"
#include "wlkind.h"

static const char usage[] =
	"usage: zdbench workloads [kinds] [-c CONFIG]\n\nList the configured workloads, one line each; with 'kinds', also the\nworkload kinds and their parameters.\n";

int cmd_workloads(int argc, char **argv)
{
	struct cli cli;
	int ret = cli_parse(argc, argv, &cli, usage);
	bool verbose;

	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 2;
	}
	verbose = cli.positional.n && !strcmp(cli.positional.v[0], "kinds");
	for (size_t i = 0; i < cli.cfg->nr_workloads; i++) {
		const struct zd_workload *w = &cli.cfg->workloads[i];
		char *m = wl_medium(cli.cfg, w);

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
	cli_free(&cli);
	return 0;
}
