// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "run.h"

static const char usage[] =
	"usage: zdbench boot VARIANT [common options, see zdbench run --help]\n"
	"\n"
	"Boot one variant with the configured workloads (one stage by hand).\n";

int cmd_boot(int argc, char **argv)
{
	struct cli cli;
	struct run_opts o = { .backend = "qemu" };
	int ret = cli_parse(argc, argv, &cli, usage);

	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 2;
	}
	if (cli.positional.n != 1) {
		fprintf(stderr, "%s", usage);
		cli_free(&cli);
		return 2;
	}
	list_set(&cli.cfg->variants, cli.positional.v[0]);
	o.out_dir = cli.out_dir;
	o.reproducer = cli.reproducer;
	ret = run_matrix(cli.cfg, &o, NULL);
	cli_free(&cli);
	return ret;
}
