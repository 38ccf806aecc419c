// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "run.h"

static const char usage[] =
	"usage: zdbench run [options]\n"
	"\n"
	"Build every variant (cached), boot each once in QEMU with emulated pmem,\n"
	"run the workloads and write results/<run-id>/<variant>/<workload>.json.\n"
	"--backend host: measure the running kernel of this machine on the real\n"
	"pmem namespace of the config's [host] section instead (root; refuses a\n"
	"namespace that is mounted, in use, unnamed or not as configured).\n"
	"--interleave N: N boots per variant in alternation (base, patched, base,\n"
	"...), each with its share of --reps, so drift hits every variant alike.\n"
	"-j N: boot up to N variants' guests at once (kernel builds stay one at a\n"
	"time, make -j[kernel] jobs); icount figures do not depend on N, wall-clock\n"
	"ones share the machine (each result's boot.guests says with how many).\n";

static const char *out_dir, *backend;
static unsigned int interleave, jobs;

static const struct option_desc options[] = {
	OPT__CONFIG,
	OPT__VARIANT,
	OPT__WORKLOAD,
	OPT__BOOT,
	OPT__TREE,
	OPT__KCONFIG,
	OPT_STRING('o', "output", &out_dir, "DIR", "the run folder (default results/<run-id>)"),
	OPT_STRING(0, "backend", &backend, "qemu|host", "where to boot (default qemu)"),
	OPT_UINT(0, "interleave", &interleave, "N", 1, 100, "boots per variant, alternating"),
	OPT_UINT('j', "jobs", &jobs, "N", 1, 256, "guests booted at once (default: from the CPUs and memory)"),
	OPT_END(),
};

static int cmd_run(struct cmd_ctx *ctx)
{
	struct run_opts o = { .backend = backend ? backend : "qemu", .out_dir = out_dir,
			      .interleave = interleave, .jobs = jobs, .reproducer = ctx->reproducer };

	if (ctx->args.n) {
		fprintf(stderr, "zdbench run: unexpected argument '%s'\n", ctx->args.v[0]);
		return ZD_EXIT_USAGE;
	}
	return run_matrix(ctx->cfg, &o, NULL);
}

const struct builtin builtin_run = {
	.name = "run", .fn = cmd_run, .options = options, .usage = usage,
	.flags = NEED_CONFIG,
	.summary = "build, boot and measure the configured matrix",
};
