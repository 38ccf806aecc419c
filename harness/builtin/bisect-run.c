// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "builtin.h"
#include "ksrc.h"
#include "step.h"

static const char usage[] =
	"usage: git bisect run zdbench bisect-run [--signature KEY] [--runs N]\n"
	"                      [--workload W]... [--tree DIR] [options]\n"
	"\n"
	"One bisection step on the checked-out commit of the kernel tree (the\n"
	"current directory, or --tree): build it with zdbench's fragments, boot,\n"
	"run the workloads, classify. Bad when KEY (a signature like\n"
	"percpu_ref_underflow:dev_pagemap_percpu_release, optionally @PHASE)\n"
	"reproduces in any of N runs (default 3), or, without --signature, when\n"
	"any run fails, hangs or crashes.\n";

/* git bisect run's contract, not zdbench's (git-bisect(1)) */
static const char exit_help[] =
	"Exit: 0 good, 1 bad, 125 skip (does not build or boot, inconclusive),\n"
	"128 abort (a usage error, the harness or QEMU is broken). Never 126 or 127.\n";

static const char *signature, *tree, *out_dir;
static unsigned int runs;

static const struct option_desc options[] = {
	OPT_STRING(0, "signature", &signature, "KEY", "the failure, KEY or KEY@PHASE"),
	OPT_UINT(0, "runs", &runs, "N", 1, 1000, "runs before calling it good (default 3)"),
	OPT_STRING(0, "tree", &tree, "DIR", "the kernel git tree (default: the current folder)"),
	OPT_STRING('o', "output", &out_dir, "DIR", "where the runs go (default: the cache)"),
	OPT__CONFIG,
	OPT__WORKLOAD,
	OPT__BOOT,
	OPT_END(),
};

static int cmd_bisect_run(struct cmd_ctx *ctx)
{
	struct real_step rs = { 0 };
	struct step_ops ops = { real_step_run, &rs };
	struct bisect_rule rule = { .max_runs = 3, .max_infra = 3 };
	struct rev_eval ev;
	char cwd[4096], *head = NULL, *root;
	char *args[] = { "rev-parse", "HEAD", NULL };
	int ret;

	if (ctx->args.n) {
		fprintf(stderr, "zdbench bisect-run: unexpected argument '%s'\n", ctx->args.v[0]);
		return 128;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return 128;
	if (runs)
		rule.max_runs = runs;
	step_setup(&rs, ctx->cfg, tree ? tree : cwd);
	rs.signature = signature;
	/* Never inside the tree: results there would change what is built. */
	if (out_dir) {
		root = path_abs(out_dir);
	} else {
		char *cache = zd_cache_dir(ctx->cfg);

		root = xasprintf("%s/bisect-runs", cache);
		free(cache);
	}
	rs.out_root = root;
	if (git_run(ctx->cfg->tree, args, &head, 60)) {
		fprintf(stderr, "zdbench bisect-run: %s is not a git tree\n", ctx->cfg->tree);
		ret = 128;
		goto out;
	}
	rev_evaluate(&ops, &rule, ctx->cfg->tree, head, NULL, 0, &ev);
	fprintf(stderr, "zdbench bisect-run: %.12s %s (%s)\n", head,
		rev_verdict_name(ev.verdict), ev.why ? ev.why : "");
	ret = verdict_exit_code(ev.verdict);
	rev_eval_free(&ev);
out:
	free(head);
	free(root);
	return ret;
}

const struct builtin builtin_bisect_run = {
	.name = "bisect-run", .fn = cmd_bisect_run, .options = options, .usage = usage,
	.flags = NEED_CONFIG, .usage_exit = 128, .exit_help = exit_help,
	.summary = "one step for 'git bisect run' (0 good, 1 bad, 125 skip, 128 abort)",
};
