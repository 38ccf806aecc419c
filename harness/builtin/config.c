// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "ksrc.h"

static char *list_join(const struct zd_list *l)
{
	struct strv sv = { .v = (char **)l->v, .n = l->n };

	return strv_join(&sv, " ");
}

static const char usage[] =
	"usage: zdbench config [-c CONFIG] [-s section.key=value]...\n"
	"\nValidate the configuration (errors name file, line and key) and print\n"
	"the values that matter for a run.\n";

int cmd_config(int argc, char **argv)
{
	struct cli cli;
	const struct zd_config *c;
	char *cache, *v, *w;
	int ret = cli_parse(argc, argv, &cli, usage);

	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 2;
	}
	c = cli.cfg;
	cache = zd_cache_dir(c);
	v = list_join(&c->variants);
	w = list_join(&c->run_workloads);
	printf("cache_dir = %s\nresults_dir = %s\nkernel.source = %s\n"
	       "qemu.accel = %s\nqemu.clock = %s\nqemu.pmem = %s %uM@%uM\n"
	       "run.variants = %s\nrun.workloads = %s\nrun.reps = %u\n"
	       "run.dax_mode = %s\nrun.fs = %s\n",
	       cache, c->results_dir, c->source, c->accel, c->clock, c->pmem,
	       c->pmem_size_mib, c->pmem_start_mib, v, w, c->reps, c->dax_mode, c->fs);
	free(cache);
	free(v);
	free(w);
	cli_free(&cli);
	return 0;
}
