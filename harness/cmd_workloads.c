// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "builtin.h"

static const char usage[] =
	"usage: zdbench workloads [-c CONFIG]\n\nList the configured workloads, one line each.\n";

int cmd_workloads(int argc, char **argv)
{
	struct cli cli;
	int ret = cli_parse(argc, argv, &cli, usage);

	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 2;
	}
	for (size_t i = 0; i < cli.cfg->nr_workloads; i++) {
		const struct zd_workload *w = &cli.cfg->workloads[i];

		printf("%-24s %-8s %s %s mapping, %u KiB I/Os x %u into a %u KiB DAX mmap, target %s\n",
		       w->name, w->kind, w->rw ? w->rw : "read",
		       w->mapping ? w->mapping : "pte", w->bs_kib, w->iters,
		       w->buf_kib, w->target ? w->target : "?");
	}
	cli_free(&cli);
	return 0;
}
