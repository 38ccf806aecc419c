// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "ksrc.h"
#include "step.h"
#include "util.h"

static const char usage[] =
	"usage: zdbench bisect --good REV --bad REV [--tree DIR]\n"
	"                      [--signature KEY | --metric ns_per_page --threshold X%]\n"
	"                      [--runs N] [--workload W]... [-o DIR] [common options]\n"
	"\n"
	"Find the first bad commit in a kernel git tree (default: [kernel] tree,\n"
	"else the current directory). Both ends are checked first; git bisect\n"
	"runs underneath; unbuildable or unbootable commits are skipped; the\n"
	"state is kept, so an interrupted bisection resumes where it stopped; the\n"
	"culprit is confirmed bad and its parent good on fresh runs.\n"
	"Correctness: bad on the first reproduction of KEY (or of any failure\n"
	"without --signature), good after N clean runs (default 3).\n"
	"Performance: N runs (default 3) of the workload's samples per commit,\n"
	"Welch's test against the good end at alpha 0.01; bad when slower by at\n"
	"least half the threshold (--higher-is-better for throughput metrics).\n"
	"Writes report.json and report.txt to -o DIR (default results/bisect-<time>);\n"
	"the state is kept in DIR/state.json with -o, else in the cache, keyed by\n"
	"tree, ends, signature or metric and workloads: run the same command again\n"
	"to resume.\n"
	"Exit: 0 culprit found and confirmed, 1 found but not confirmed or not\n"
	"found, 2 error.\n";

static char *state_path(const struct zd_config *c, const char *tree,
			const struct cli *cli)
{
	struct zd_hash *h = hash_new();
	char hex[ZD_HASH_HEX], *cache = zd_cache_dir(c), *dir, *p;

	hash_str(h, "tree", tree);
	hash_str(h, "good", cli->good);
	hash_str(h, "bad", cli->bad);
	hash_str(h, "sig", cli->signature ? cli->signature : "");
	hash_str(h, "metric", cli->metric ? cli->metric : "");
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

int cmd_bisect(int argc, char **argv)
{
	struct cli cli;
	struct real_step rs = { 0 };
	struct step_ops ops = { real_step_run, &rs };
	struct bisect_rule rule = { .max_runs = 3, .max_infra = 3, .alpha = 0.01 };
	struct bisect_report rep;
	char cwd[4096], *tree, *out, *sp, *txt, *p;
	int ret = cli_parse(argc, argv, &cli, usage);

	if (ret) {
		cli_free(&cli);
		return ret > 0 ? 0 : 2;
	}
	if (!cli.good || !cli.bad || (cli.metric && cli.signature) ||
	    (cli.metric && !cli.threshold)) {
		fprintf(stderr, "%s", usage);
		cli_free(&cli);
		return 2;
	}
	if (cli.metric && strcmp(cli.metric, "ns_per_page")) {
		fprintf(stderr, "zdbench bisect: unknown metric '%s' (ns_per_page)\n", cli.metric);
		cli_free(&cli);
		return 2;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, ".");
	tree = path_abs(cli.tree ? cli.tree :
			!strcmp(cli.cfg->source, "tree") ? cli.cfg->tree : cwd);
	if (cli.runs)
		rule.max_runs = cli.runs;
	rule.metric = cli.metric != NULL;
	rule.threshold = cli.threshold;
	rule.higher_is_better = cli.higher_is_better;
	step_setup(&rs, cli.cfg, tree);
	rs.signature = cli.signature;
	rs.metric = cli.metric;
	if (cli.out_dir) {
		out = path_abs(cli.out_dir);
	} else {
		char ts[32];
		time_t t = time(NULL);

		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", gmtime(&t));
		p = xasprintf("%s/bisect-%s", cli.cfg->results_dir, ts);
		out = path_abs(p);
		free(p);
	}
	mkdir_p(out, 0755);
	p = path_join(out, "runs");
	rs.out_root = p;
	/* with -o the state lives beside the report: rerun with -o to resume */
	sp = cli.out_dir ? path_join(out, "state.json") : state_path(cli.cfg, tree, &cli);
	ret = bisect(tree, cli.good, cli.bad, &ops, &rule, sp, &rep);
	txt = bisect_report_text(&rep, &rule);
	printf("%s", txt);
	{
		char *rj = path_join(out, "report.json"), *rt = path_join(out, "report.txt");

		bisect_report_write(rj, &rep);
		if (write_file_atomic(rt, txt, strlen(txt)))
			zd_err("cannot write %s", rt);
		printf("report: %s\n", rj);
		free(rj);
		free(rt);
	}
	ret = ret ? (rep.message ? 1 : 2) : rep.confirmed ? 0 : 1;
	free(txt);
	bisect_report_free(&rep);
	free(sp);
	free(p);
	free(out);
	free(tree);
	cli_free(&cli);
	return ret;
}
