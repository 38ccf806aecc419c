// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bisectjob.h"
#include "builtin.h"
#include "history.h"
#include "ksrc.h"
#include "result.h"
#include "run.h"
#include "step.h"
#include "util.h"

static const char usage[] =
	"usage: zdbench nightly [HISTORY_DIR] [options]\n"
	"\n"
	"Run the configured matrix on the configured tree's current commit, append\n"
	"one document to the append-only history (results/history/), find change\n"
	"points per metric (E-divisive means, permutation test p < 0.05), notice\n"
	"failure signatures never seen before, and regenerate the trend plots and\n"
	"results/history/index.html. With --good REV and a kernel git tree, a new\n"
	"failure starts a bisection between REV and tonight's commit.\n"
	"--report-only skips the run and only re-analyses the history.\n"
	"A history that holds several machines' runs (zdbench merge) is analysed\n"
	"per machine: change points are found on one machine's series, never on\n"
	"samples pooled from several, unless --pool.\n"
	"--backend host: tonight's run measures the running kernel on real pmem\n"
	"(see docs/host.md for the kexec or boot-loader loop of a lab machine).\n"
	"\n"
	"cron, nightly at 02:30:\n"
	"  30 2 * * * cd /path/to/zdbench && build/zdbench nightly -c lab.ini >> nightly.log 2>&1\n";

static const char exit_help[] =
	"Exit: 0 nothing new; 1 a new failure signature or a new change point\n"
	"(or tonight's run failed); 2 usage or configuration error; 3 infrastructure\n"
	"(tonight's run produced no usable result).\n";

static const char *good, *tree, *out_dir, *backend;
static bool report_only, pool;
static unsigned int interleave;

static const struct option_desc options[] = {
	OPT_STRING(0, "good", &good, "REV", "bisect a new failure from this good revision"),
	OPT_STRING(0, "tree", &tree, "DIR", "the kernel git tree: tonight's commit is its HEAD"),
	OPT_BOOL(0, "report-only", &report_only, "no run: re-analyse the history"),
	OPT_BOOL(0, "pool", &pool, "one series over every machine's nights (default: per machine)"),
	OPT_STRING(0, "backend", &backend, "qemu|host", "where tonight's run boots"),
	OPT_STRING('o', "output", &out_dir, "DIR", "tonight's run folder"),
	OPT_UINT(0, "interleave", &interleave, "N", 1, 100, "boots per variant, alternating"),
	OPT__CONFIG,
	OPT__VARIANT,
	OPT__WORKLOAD,
	OPT__BOOT,
	OPT_END(),
};

static char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	char *b = xstrdup(s && s[1] ? s + 1 : p);
	size_t n = strlen(b);

	while (n && b[n - 1] == '/')
		b[--n] = '\0';
	return b;
}

/* Tonight's run into the history. Returns run_matrix's exit status. */
static int record(struct cmd_ctx *ctx, const char *hdir, char **commit)
{
	struct run_set rs = { 0 };
	struct run_opts o = { .backend = backend ? backend : "qemu", .interleave = interleave,
			      .reproducer = ctx->reproducer, .out_dir = out_dir,
			      .out_set = &rs }; /* the results in memory: no re-read */
	struct json_object *doc, *rj;
	char *run_dir = NULL, *rjp, *id;
	int ret = run_matrix(ctx->cfg, &o, &run_dir);

	if (o.failed_stage != STAGE_NONE || !run_dir) {
		free(run_dir);
		run_set_free(&rs);
		return ret;
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
		ret = ZD_EXIT_INFRA;
		goto out;
	}
	id = base_name(run_dir);
	doc = history_doc(&rs, id, *commit, (long)time(NULL));
	if (history_append(hdir, id, doc))
		ret = ZD_EXIT_INFRA;
	json_object_put(doc);
	free(id);
out:
	run_set_free(&rs);
	json_object_put(rj);
	free(rjp);
	free(run_dir);
	return ret;
}

static void bisect_new(struct zd_config *cfg, const char *sig_at, const char *bad)
{
	char *sig = xstrdup(sig_at), *at = strrchr(sig, '@');
	struct bisect_args a = { .good = good, .bad = bad, .signature = sig,
				 .tree = cfg->tree };

	if (at)
		*at = '\0';
	zd_info("new failure %s: bisecting %s..%s", sig, good, bad);
	bisect_job(cfg, &a);
	free(sig);
}

static int cmd_nightly(struct cmd_ctx *ctx)
{
	struct hist_report rep;
	char *hdir, *proj, *commit = NULL;
	int ret = ZD_EXIT_CLEAN, run_ret = ZD_EXIT_CLEAN;

	if (ctx->args.n > 1) {
		fprintf(stderr, "zdbench nightly: one HISTORY_DIR at most\n");
		return ZD_EXIT_USAGE;
	}
	hdir = ctx->args.n ? xstrdup(ctx->args.v[0]) :
	       xasprintf("%s/history", ctx->cfg->results_dir);
	/* only a run makes a history: analysing none is a wrong folder */
	if (report_only && !is_dir(hdir)) {
		fprintf(stderr, "zdbench nightly: %s: %s\n", hdir,
			path_exists(hdir) ? "not a folder" : "no such history folder");
		free(hdir);
		return ZD_EXIT_USAGE;
	}
	if (report_only) {
		/* a merge root or a run folder holds no night: "0 nights" would pass in cron */
		struct json_object **docs = NULL;
		size_t n = 0;
		int e = history_load(hdir, &docs, &n);

		history_free(docs, n);
		if (!e && !n) {
			char *sub = path_join(hdir, "history");

			fprintf(stderr, "zdbench nightly: %s holds no history document (NIGHT.json)%s\n",
				hdir, is_dir(sub) ? "; a merged folder keeps its history in history/" : "");
			free(sub);
			free(hdir);
			return ZD_EXIT_USAGE;
		}
	}
	if (tree && !is_dir(tree)) {
		fprintf(stderr, "zdbench nightly: --tree %s: no such folder\n", tree);
		free(hdir);
		return ZD_EXIT_USAGE;
	}
	if (tree) {
		struct real_step rs;

		step_setup(&rs, ctx->cfg, tree);
	}
	if (!report_only) {
		run_ret = record(ctx, hdir, &commit);
		if (run_ret == ZD_EXIT_USAGE || run_ret == ZD_EXIT_INFRA) {
			ret = run_ret;
			goto out;
		}
	}
	proj = project_dir();
	ret = history_analyse(proj, hdir, pool, &rep) ? ZD_EXIT_INFRA : ZD_EXIT_CLEAN;
	free(proj);
	if (ret)
		goto out;
	printf("history: %zu nights, report %s/index.html\n", rep.nights, hdir);
	for (size_t i = 0; i < rep.changes.n; i++)
		printf("change point: %s\n", rep.changes.v[i]);
	for (size_t i = 0; i < rep.new_changes.n; i++)
		printf("NEW CHANGE POINT: %s\n", rep.new_changes.v[i]);
	for (size_t i = 0; i < rep.new_failures.n; i++)
		printf("NEW FAILURE: %s\n", rep.new_failures.v[i]);
	if (rep.new_failures.n || rep.new_changes.n || run_ret == ZD_EXIT_KERNEL)
		ret = ZD_EXIT_KERNEL;
	if (rep.new_failures.n && good && commit && *commit &&
	    !strcmp(ctx->cfg->source, "tree"))
		bisect_new(ctx->cfg, rep.new_failures.v[0], commit);
	hist_report_free(&rep);
out:
	free(hdir);
	free(commit);
	return ret;
}

const struct builtin builtin_nightly = {
	.name = "nightly", .fn = cmd_nightly, .options = options, .usage = usage,
	.flags = NEED_CONFIG, .exit_help = exit_help,
	.summary = "run, append to history, change points, new failures, report",
};
