// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "report.h"
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
	"ones share the machine (each result's boot.guests says with how many).\n"
	"--format ktap|junit|json|lkp: the results also as a report CI runners\n"
	"read (as 'zdbench report' renders them), on stdout (the summary table\n"
	"then goes to stderr) or to --format-out FILE, written atomically.\n";

static const char *out_dir, *backend, *format, *format_out;
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
	OPT_STRING(0, "format", &format, "ktap|junit|json|lkp", "also print the results in this report format"),
	OPT_STRING(0, "format-out", &format_out, "FILE", "write the --format report to FILE (default stdout)"),
	OPT_END(),
};

/*
 * The report of a run: the results it handed back, or, when it stopped
 * early, whatever result files it left in its folder (a CI job still gets
 * a report of the variants that finished). The run's status, made worse
 * (infra) if the report cannot be written.
 */
static int write_report(const struct report_ops *ops, struct run_set *rs, const char *run_dir,
			int ret)
{
	struct run_set disk = { 0 };

	if (!rs->n) {
		if (!run_dir || !is_dir(run_dir) || run_set_load(run_dir, &disk)) {
			run_set_free(&disk);
			fprintf(stderr, "zdbench run: no %s report: the run left no results\n", ops->name);
			return zd_exit_worse(ret, ZD_EXIT_INFRA);
		}
		run_set_free(rs);
		*rs = disk;
	}
	if (report_write(ops, rs, format_out))
		return zd_exit_worse(ret, ZD_EXIT_INFRA);
	return ret;
}

static int cmd_run(struct cmd_ctx *ctx)
{
	const struct report_ops *ops = report_find(format);
	struct run_set rs = { 0 };
	struct run_opts o = { .backend = backend ? backend : "qemu", .out_dir = out_dir,
			      .interleave = interleave, .jobs = jobs, .reproducer = ctx->reproducer };
	char *run_dir = NULL;
	int ret;

	if (ctx->args.n) {
		fprintf(stderr, "zdbench run: unexpected argument '%s'\n", ctx->args.v[0]);
		return ZD_EXIT_USAGE;
	}
	if (format && !ops) {
		fprintf(stderr, "zdbench run: --format %s: expected %s\n", format, report_names());
		return ZD_EXIT_USAGE;
	}
	if (format_out && !format) {
		fprintf(stderr, "zdbench run: --format-out needs --format (%s)\n", report_names());
		return ZD_EXIT_USAGE;
	}
	if (!ops)
		return run_matrix(ctx->cfg, &o, NULL);
	/* stdout is the report's: the table and progress go to stderr */
	if (!format_out)
		o.summary_out = stderr;
	o.out_set = &rs;
	ret = run_matrix(ctx->cfg, &o, &run_dir);
	if (ret != ZD_EXIT_USAGE)
		ret = write_report(ops, &rs, run_dir, ret);
	run_set_free(&rs);
	free(run_dir);
	return ret;
}

const struct builtin builtin_run = {
	.name = "run", .fn = cmd_run, .options = options, .usage = usage,
	.flags = NEED_CONFIG,
	.summary = "build, boot and measure the configured matrix",
};
