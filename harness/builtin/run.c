// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "run.h"

static const char usage[] =
	"usage: zdbench run [-c CONFIG] [-s section.key=value]... [--variant V]...\n"
	"                   [--workload W]... [--reps N] [--clock wall|icount]\n"
	"                   [--accel auto|tcg|kvm] [--pmem memmap|nvdimm] [-o DIR] [-q]\n"
	"                   [--interleave N] [--backend qemu|host]\n"
	"\n"
	"Build every variant (cached), boot each once in QEMU with emulated pmem,\n"
	"run the workloads and write results/<run-id>/<variant>/<workload>.json.\n"
	"--backend host: measure the running kernel of this machine on the real\n"
	"pmem namespace of the config's [host] section instead (root; refuses a\n"
	"namespace that is mounted, in use, unnamed or not as configured).\n"
	"--interleave N: N boots per variant in alternation (base, patched, base,\n"
	"...), each with its share of --reps, so drift hits every variant alike.\n"
	"Exit: 0 all clean, 1 some run failed, hung or crashed, 2 harness error.\n";

int cmd_run(int argc, char **argv)
{
	struct cli cli;
	struct run_opts o = { .backend = "qemu" };
	int ret = cli_parse(argc, argv, &cli, usage);

	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 2;
	}
	if (cli.positional.n) {
		fprintf(stderr, "zdbench run: unexpected argument '%s'\n%s",
			cli.positional.v[0], usage);
		cli_free(&cli);
		return 2;
	}
	o.out_dir = cli.out_dir;
	if (cli.backend)
		o.backend = cli.backend;
	o.interleave = cli.interleave;
	o.reproducer = cli.reproducer;
	ret = run_matrix(cli.cfg, &o, NULL);
	cli_free(&cli);
	return ret;
}
