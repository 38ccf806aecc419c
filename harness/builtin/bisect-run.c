// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "builtin.h"
#include "ksrc.h"
#include "step.h"

static const char usage[] =
	"usage: git bisect run zdbench bisect-run [--signature KEY] [--runs N]\n"
	"                      [--workload W]... [--tree DIR] [common options]\n"
	"\n"
	"One bisection step on the checked-out commit of the kernel tree (the\n"
	"current directory, or --tree): build it with zdbench's fragments, boot,\n"
	"run the workloads, classify. Bad when KEY (a signature like\n"
	"percpu_ref_underflow:dev_pagemap_percpu_release, optionally @PHASE)\n"
	"reproduces in any of N runs (default 3), or, without --signature, when\n"
	"any run fails, hangs or crashes.\n"
	"Exit: 0 good, 1 bad, 125 skip (does not build or boot, inconclusive),\n"
	"128 abort (the harness or QEMU is broken). Never 126 or 127.\n";

int cmd_bisect_run(int argc, char **argv)
{
	struct cli cli;
	struct real_step rs = { 0 };
	struct step_ops ops = { real_step_run, &rs };
	struct bisect_rule rule = { .max_runs = 3, .max_infra = 3 };
	struct rev_eval ev;
	char cwd[4096], *head = NULL, *root;
	char *args[] = { "rev-parse", "HEAD", NULL };
	int ret = cli_parse(argc, argv, &cli, usage);

	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 128;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		cli_free(&cli);
		return 128;
	}
	if (cli.runs)
		rule.max_runs = cli.runs;
	step_setup(&rs, cli.cfg, cli.tree ? cli.tree : cwd);
	rs.signature = cli.signature;
	/* Never inside the tree: results there would change what is built. */
	if (cli.out_dir) {
		root = path_abs(cli.out_dir);
	} else {
		char *cache = zd_cache_dir(cli.cfg);

		root = xasprintf("%s/bisect-runs", cache);
		free(cache);
	}
	rs.out_root = root;
	if (git_run(cli.cfg->tree, args, &head, 60)) {
		fprintf(stderr, "zdbench bisect-run: %s is not a git tree\n", cli.cfg->tree);
		ret = 128;
		goto out;
	}
	rev_evaluate(&ops, &rule, cli.cfg->tree, head, NULL, 0, &ev);
	fprintf(stderr, "zdbench bisect-run: %.12s %s (%s)\n", head,
		rev_verdict_name(ev.verdict), ev.why ? ev.why : "");
	ret = verdict_exit_code(ev.verdict);
	rev_eval_free(&ev);
out:
	free(head);
	free(root);
	cli_free(&cli);
	return ret;
}
