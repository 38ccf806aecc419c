// SPDX-License-Identifier: GPL-2.0
/*
 * One bisection job, as zdbench bisect and zdbench nightly run it: the
 * library entry both share, so no command calls another.
 */
#define _GNU_SOURCE
#include "bisectjob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "exitcode.h"
#include "git.h"
#include "ksrc.h"
#include "metric.h"
#include "step.h"
#include "util.h"

/*
 * Keyed by everything that decides the answer: a rerun resumes. The ends
 * by the commits they name now, so that a branch that moved (a new HEAD,
 * a rebuilt history) starts a bisection of its own instead of finding the
 * old one's state ("holds another bisection").
 */
static char *state_path(const struct zd_config *c, const char *tree,
			const struct bisect_args *a)
{
	struct zd_hash *h = hash_new();
	char hex[ZD_HASH_HEX], *cache = zd_cache_dir(c), *dir, *p;
	const char *ends[] = { a->good, a->bad };

	hash_str(h, "tree", tree);
	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		char *spec = xasprintf("%s^{commit}", ends[i]), *id = NULL;

		/* unresolved: keyed by name; bisect() then names the bad revision */
		hash_str(h, i ? "bad" : "good", git_rev_parse(tree, spec, &id) ? ends[i] : id);
		free(spec);
		free(id);
	}
	hash_str(h, "sig", a->signature ? a->signature : "");
	hash_str(h, "metric", a->metric ? a->metric : "");
	for (size_t i = 0; i < c->run_workloads.n; i++)
		hash_str(h, "wl", c->run_workloads.v[i]);
	hash_final(h, hex);
	dir = path_join(cache, "bisect");
	mkdir_p(dir, 0755);
	p = xasprintf("%s/%.16s.json", dir, hex);
	free(dir);
	free(cache);
	return p;
}

int bisect_job(struct zd_config *cfg, const struct bisect_args *a)
{
	struct real_step rs = { 0 };
	struct step_ops ops = { real_step_run, &rs };
	struct bisect_rule rule = { .max_runs = 3, .max_infra = 3, .alpha = 0.01 };
	struct bisect_report rep;
	struct zd_metric metric;
	char cwd[4096], *tree, *out, *sp, *txt, *runs;
	int ret;

	if (!a->good || !a->bad)
		return zd_error("bisect: --good and --bad are both required"), ZD_EXIT_USAGE;
	if (a->metric && a->signature)
		return zd_error("bisect: --signature and --metric exclude each other"), ZD_EXIT_USAGE;
	if (a->metric && a->threshold <= 0)
		return zd_error("bisect: --metric needs --threshold (e.g. 5%%)"), ZD_EXIT_USAGE;
	if (a->metric && metric_find(a->metric, &metric))
		return zd_error("bisect: unknown metric '%s' (%s)", a->metric, metric_names()),
		       ZD_EXIT_USAGE;
	gsl_set_error_handler_off(); /* a GSL domain error is a NAN, not an abort */
	if (a->tree && !is_dir(a->tree))
		return zd_error("bisect: --tree %s: no such folder", a->tree), ZD_EXIT_USAGE;
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, ".");
	tree = path_abs(a->tree ? a->tree : !strcmp(cfg->source, "tree") ? cfg->tree : cwd);
	if (a->runs)
		rule.max_runs = a->runs;
	rule.metric = a->metric != NULL;
	rule.threshold = a->threshold;
	rule.higher_is_better = a->higher_is_better || (a->metric && metric.higher_is_better);
	step_setup(&rs, cfg, tree);
	rs.signature = a->signature;
	rs.metric = a->metric;
	if (a->out_dir) {
		out = path_abs(a->out_dir);
	} else {
		char ts[32], *p;
		time_t t = time(NULL);

		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", gmtime(&t));
		p = xasprintf("%s/bisect-%s", cfg->results_dir, ts);
		out = path_abs(p);
		free(p);
	}
	if (mkdir_p(out, 0755)) {
		zd_error("cannot create %s", out);
		free(out);
		free(tree);
		return ZD_EXIT_INFRA;
	}
	runs = path_join(out, "runs");
	rs.out_root = runs;
	/* with -o the state lives beside the report: rerun with -o to resume */
	sp = a->out_dir ? path_join(out, "state.json") : state_path(cfg, tree, a);
	ret = bisect(tree, a->good, a->bad, &ops, &rule, sp, &rep);
	txt = bisect_report_text(&rep, &rule);
	printf("%s", txt);
	{
		char *rj = path_join(out, "report.json"), *rt = path_join(out, "report.txt");

		if (bisect_report_write(rj, &rep) || write_file_atomic(rt, txt, strlen(txt)))
			zd_error("cannot write the report to %s", out);
		printf("report: %s\n", rj);
		free(rj);
		free(rt);
	}
	if (!ret)
		ret = rep.confirmed ? ZD_EXIT_CLEAN : ZD_EXIT_KERNEL;
	else if (rep.message && str_starts(rep.message, "aborted"))
		ret = ZD_EXIT_INFRA;	/* the step said the harness is broken */
	else if (rep.message)
		ret = ZD_EXIT_KERNEL;	/* the ends do not behave as claimed, ... */
	else
		ret = ZD_EXIT_USAGE;	/* a revision git does not know, the state file */
	free(txt);
	bisect_report_free(&rep);
	free(sp);
	free(runs);
	free(out);
	free(tree);
	return ret;
}
