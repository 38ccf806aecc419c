// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "util.h"

/* The project folder: $ZDBENCH_HOME, else two levels above build/zdbench. */
char *project_dir(void)
{
	const char *env = getenv("ZDBENCH_HOME");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return xstrdup(".");
	exe[n] = '\0';
	for (int i = 0; i < 2; i++) {
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
	}
	return xstrdup(exe[0] ? exe : "/");
}

enum { O_VARIANT = 256, O_WORKLOAD, O_REPS, O_CLOCK, O_ACCEL, O_PMEM,
       O_GOOD, O_BAD, O_SIG, O_METRIC, O_THRESH, O_RUNS, O_TREE, O_HIB, O_INTERLEAVE,
       O_BACKEND };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "set", required_argument, NULL, 's' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "variant", required_argument, NULL, O_VARIANT },
	{ "workload", required_argument, NULL, O_WORKLOAD },
	{ "reps", required_argument, NULL, O_REPS },
	{ "clock", required_argument, NULL, O_CLOCK },
	{ "accel", required_argument, NULL, O_ACCEL },
	{ "pmem", required_argument, NULL, O_PMEM },
	{ "good", required_argument, NULL, O_GOOD },
	{ "bad", required_argument, NULL, O_BAD },
	{ "signature", required_argument, NULL, O_SIG },
	{ "metric", required_argument, NULL, O_METRIC },
	{ "threshold", required_argument, NULL, O_THRESH },
	{ "runs", required_argument, NULL, O_RUNS },
	{ "tree", required_argument, NULL, O_TREE },
	{ "higher-is-better", no_argument, NULL, O_HIB },
	{ "interleave", required_argument, NULL, O_INTERLEAVE },
	{ "backend", required_argument, NULL, O_BACKEND },
	{ NULL, 0, NULL, 0 },
};

int cli_parse(int argc, char **argv, struct cli *cli, const char *usage)
{
	struct strv sets = { 0 }, variants = { 0 }, workloads = { 0 };
	struct sbuf repro = { 0 };
	int ch, ret = -1;

	memset(cli, 0, sizeof(*cli));
	sbuf_addstr(&repro, "zdbench");
	for (int i = 0; i < argc; i++) {
		sbuf_addstr(&repro, " ");
		sbuf_add_quoted(&repro, argv[i]);
	}
	cli->reproducer = sbuf_detach(&repro, NULL);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+c:s:o:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': cli->config_path = optarg; break;
		case 's': strv_push(&sets, optarg); break;
		case 'o': cli->out_dir = optarg; break;
		case O_BACKEND: cli->backend = optarg; break;
		case 'q': zd_set_quiet(true); break;
		case 'h': cli->help = true; break;
		case O_VARIANT: strv_push(&variants, optarg); break;
		case O_WORKLOAD: strv_push(&workloads, optarg); break;
		case O_REPS: strv_pushf(&sets, "run.reps=%s", optarg); break;
		case O_CLOCK: strv_pushf(&sets, "qemu.clock=%s", optarg); break;
		case O_ACCEL: strv_pushf(&sets, "qemu.accel=%s", optarg); break;
		case O_PMEM: strv_pushf(&sets, "qemu.pmem=%s", optarg); break;
		case O_GOOD: cli->good = optarg; break;
		case O_BAD: cli->bad = optarg; break;
		case O_SIG: cli->signature = optarg; break;
		case O_METRIC: cli->metric = optarg; break;
		case O_TREE: cli->tree = optarg; break;
		case O_HIB: cli->higher_is_better = true; break;
		case O_THRESH: {
			char *end;

			cli->threshold = strtod(optarg, &end) / (*end == '%' ? 100.0 : 1.0);
			if (end == optarg || (*end && strcmp(end, "%")) || cli->threshold <= 0) {
				fprintf(stderr, "zdbench: --threshold %s: expected e.g. 5%% or 0.05\n", optarg);
				goto out;
			}
			break;
		}
		case O_INTERLEAVE: {
			uint64_t u;

			if (parse_u64(optarg, &u) || !u || u > 100) {
				fprintf(stderr, "zdbench: --interleave %s: expected 1..100 boots per variant\n", optarg);
				goto out;
			}
			cli->interleave = u;
			break;
		}
		case O_RUNS: {
			uint64_t u;

			if (parse_u64(optarg, &u) || !u || u > 1000) {
				fprintf(stderr, "zdbench: --runs %s: expected 1..1000\n", optarg);
				goto out;
			}
			cli->runs = u;
			break;
		}
		default:
			fprintf(stderr, "%s", usage);
			goto out;
		}
	}
	if (cli->help) {
		printf("%s", usage);
		ret = 1;
		goto out;
	}
	for (int i = optind; i < argc; i++)
		strv_push(&cli->positional, argv[i]);
	cli->cfg = config_new();
	cli->cfg->project_dir = project_dir();
	if (config_load_defaults(cli->cfg))
		goto cfg_err;
	if (cli->config_path && config_load_file(cli->cfg, cli->config_path))
		goto cfg_err;
	for (size_t i = 0; i < sets.n; i++)
		if (config_set_override(cli->cfg, sets.v[i]))
			goto cfg_err;
	if (variants.n) {
		char *j = strv_join(&variants, " ");

		list_set(&cli->cfg->variants, j);
		free(j);
	}
	if (workloads.n) {
		char *j = strv_join(&workloads, " ");

		list_set(&cli->cfg->run_workloads, j);
		free(j);
	}
	if (config_validate(cli->cfg))
		goto cfg_err;
	ret = 0;
	goto out;
cfg_err:
	zd_err("%s", cli->cfg->err);
out:
	strv_free(&sets);
	strv_free(&variants);
	strv_free(&workloads);
	return ret;
}

void cli_free(struct cli *cli)
{
	config_free(cli->cfg);
	strv_free(&cli->positional);
	free(cli->reproducer);
	memset(cli, 0, sizeof(*cli));
}
