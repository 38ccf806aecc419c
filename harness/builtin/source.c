// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "builtin.h"
#include "ksrc.h"

static const char usage[] =
	"usage: zdbench source [-c CONFIG] [-q]\n"
	"\nImport the kernel source if needed (Debian tarball into a git repository\n"
	"in the cache) and print the tree's path and base commit.\n";

int cmd_source(int argc, char **argv)
{
	struct cli cli;
	struct zd_ksrc s;
	int ret = cli_parse(argc, argv, &cli, usage);

	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 2;
	}
	if (ksrc_prepare(cli.cfg, &s)) {
		cli_free(&cli);
		return 2;
	}
	printf("%s\n", s.tree);
	fprintf(stderr, "zdbench: base %s (%s)\n", s.base, s.describe);
	ksrc_free(&s);
	cli_free(&cli);
	return 0;
}
