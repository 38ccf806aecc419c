// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtin.h"
#include "history.h"
#include "ksrc.h"
#include "result.h"
#include "run.h"
#include "step.h"
#include "util.h"

static const char usage[] =
	"usage: zdbench nightly [HISTORY_DIR] [-c CONFIG] [--tree DIR] [--good REV]\n"
	"                       [--report-only] [--backend qemu|host] [common options]\n"
	"\n"
	"Run the configured matrix on the configured tree's current commit, append\n"
	"one document to the append-only history (results/history/), find change\n"
	"points per metric (E-divisive means, permutation test p < 0.05), notice\n"
	"failure signatures never seen before, and regenerate the trend plots and\n"
	"results/history/index.html. With --good REV and a kernel git tree, a new\n"
	"failure starts 'zdbench bisect' between REV and tonight's commit.\n"
	"--report-only skips the run and only re-analyses the history.\n"
	"--backend host: tonight's run measures the running kernel on real pmem\n"
	"(see docs/host.md for the kexec or boot-loader loop of a lab machine).\n"
	"Exit: 0 nothing new, 1 a new failure signature, 2 error.\n"
	"\n"
	"cron, nightly at 02:30:\n"
	"  30 2 * * * cd /path/to/zdbench && build/zdbench nightly -c lab.ini >> nightly.log 2>&1\n";

static char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	char *b = xstrdup(s && s[1] ? s + 1 : p);
	size_t n = strlen(b);

	while (n && b[n - 1] == '/')
		b[--n] = '\0';
	return b;
}

static int record(struct cli *cli, const char *hdir, char **commit)
{
	struct run_set rs = { 0 };
	struct run_opts o = { .backend = cli->backend ? cli->backend : "qemu",
			      .reproducer = cli->reproducer, .out_dir = cli->out_dir,
			      .out_set = &rs }; /* the results in memory: no re-read */
	struct json_object *doc, *rj;
	char *run_dir = NULL, *rjp, *id;
	int ret = run_matrix(cli->cfg, &o, &run_dir);

	if (ret == 2 || !run_dir) {
		free(run_dir);
		run_set_free(&rs);
		return 2;
	}
	rjp = path_join(run_dir, "run.json");
	rj = zd_json_read(rjp);
	*commit = xstrdup(jstr(rj, "kernel_base") ? jstr(rj, "kernel_base") : "");
	if (!**commit) { /* the host backend: the running kernel's release */
		struct json_object *ks, *k0;

		if (json_object_object_get_ex(rj, "kernels", &ks) &&
		    (k0 = json_object_array_get_idx(ks, 0)) && jstr(k0, "commit")) {
			free(*commit);
			*commit = xstrdup(jstr(k0, "commit"));
		}
	}
	if (!rs.n) {
		zd_err("%s: no results", run_dir);
		ret = 2;
		goto out;
	}
	id = base_name(run_dir);
	doc = history_doc(&rs, id, *commit, (long)time(NULL));
	if (history_append(hdir, id, doc))
		ret = 2;
	json_object_put(doc);
	free(id);
out:
	run_set_free(&rs);
	json_object_put(rj);
	free(rjp);
	free(run_dir);
	return ret;
}

static int bisect_new(struct cli *cli, const char *sig_at, const char *bad)
{
	char *sig = xstrdup(sig_at), *at = strrchr(sig, '@');
	char *argv[] = { "bisect", "--good", (char *)cli->good, "--bad", (char *)bad,
			 "--signature", sig, "--tree", (char *)cli->cfg->tree, NULL };
	int ret;

	if (at)
		*at = '\0';
	zd_info("new failure %s: bisecting %s..%s", sig, cli->good, bad);
	ret = cmd_bisect(9, argv);
	free(sig);
	return ret;
}

int cmd_nightly(int argc, char **argv)
{
	struct cli cli;
	struct hist_report rep;
	char *hdir, *proj, *commit = NULL;
	bool report_only = false;
	int ret;

	/* --report-only is ours alone; pull it out before the common parser */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--report-only")) {
			report_only = true;
			memmove(&argv[i], &argv[i + 1], (argc - i) * sizeof(char *));
			argc--;
			i--;
		}
	ret = cli_parse(argc, argv, &cli, usage);
	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 2;
	}
	hdir = xasprintf("%s/history", cli.cfg->results_dir);
	if (cli.positional.n) {
		free(hdir);
		hdir = xstrdup(cli.positional.v[0]);
	}
	if (cli.tree) {
		struct real_step rs;

		step_setup(&rs, cli.cfg, cli.tree);
	}
	if (!report_only && (ret = record(&cli, hdir, &commit)) == 2)
		goto out;
	proj = project_dir();
	ret = history_analyse(proj, hdir, &rep) ? 2 : 0;
	free(proj);
	if (ret)
		goto out;
	printf("history: %zu nights, report %s/index.html\n", rep.nights, hdir);
	for (size_t i = 0; i < rep.changes.n; i++)
		printf("change point: %s\n", rep.changes.v[i]);
	for (size_t i = 0; i < rep.new_failures.n; i++)
		printf("NEW FAILURE: %s\n", rep.new_failures.v[i]);
	ret = rep.new_failures.n ? 1 : 0;
	if (rep.new_failures.n && cli.good && commit && *commit &&
	    !strcmp(cli.cfg->source, "tree"))
		bisect_new(&cli, rep.new_failures.v[0], commit);
	hist_report_free(&rep);
out:
	free(hdir);
	free(commit);
	cli_free(&cli);
	return ret;
}
