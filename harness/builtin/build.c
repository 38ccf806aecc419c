// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "kbuild.h"
#include "ksrc.h"

static const char usage[] =
	"usage: zdbench build [VARIANT]... [-c CONFIG] [-s section.key=value]...\n"
	"\n"
	"Build kernel variants (default: [run] variants). A variant whose inputs\n"
	"(tree, patches, fragments, compiler) are unchanged is taken from the\n"
	"cache and runs no make at all. Prints the bzImage path of each.\n";

int cmd_build(int argc, char **argv)
{
	struct cli cli;
	struct zd_ksrc src;
	int ret = cli_parse(argc, argv, &cli, usage);

	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 2;
	}
	if (cli.positional.n) {
		char *j = strv_join(&cli.positional, " ");

		list_set(&cli.cfg->variants, j);
		free(j);
	}
	if (ksrc_prepare(cli.cfg, &src)) {
		cli_free(&cli);
		return 2;
	}
	for (size_t i = 0; i < cli.cfg->variants.n && !ret; i++) {
		struct zd_kernel k;

		if (kbuild_variant(cli.cfg, &src, cli.cfg->variants.v[i], &k)) {
			ret = 2;
			break;
		}
		printf("%s %s %s\n", k.variant, k.cached ? "cached" : "built", k.bzimage);
		kernel_free(&k);
	}
	ksrc_free(&src);
	cli_free(&cli);
	return ret;
}
