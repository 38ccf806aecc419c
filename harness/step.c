// SPDX-License-Identifier: GPL-2.0
/*
 * One bisection step for real: build the checked-out tree (cached by
 * content, so a revision seen before is not rebuilt), boot it with the
 * configured workloads, and read back the verdicts the run wrote.
 */
#define _GNU_SOURCE
#include "step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbuild.h"
#include "metric.h"
#include "result.h"
#include "run.h"
#include "util.h"

void step_setup(struct real_step *rs, struct zd_config *cfg, const char *tree)
{
	rs->cfg = cfg;
	free(cfg->source);
	cfg->source = xstrdup("tree");
	free(cfg->tree);
	cfg->tree = path_abs(tree);
	free(cfg->base_rev);
	cfg->base_rev = xstrdup("HEAD");
	list_set(&cfg->variants, ZD_VARIANT_HEAD);
}

int verdict_exit_code(enum rev_verdict v)
{
	switch (v) {
	case REV_GOOD: return 0;
	case REV_BAD: return 1;
	case REV_SKIP: return 125;
	case REV_ABORT: break;
	}
	return 128;
}

/* "KEY" matches KEY@any-phase; "KEY@PHASE" must match exactly. */
bool signature_matches(const char *want, const char *have)
{
	size_t n = strlen(want);

	if (strchr(want, '@'))
		return !strcmp(want, have);
	return !strncmp(want, have, n) && have[n] == '@';
}

static void from_result(const struct real_step *rs, const struct zd_result *r,
			struct step_result *out, bool *repro, bool *other,
			bool *infra, bool *noboot)
{
	struct zd_metric m;

	for (size_t i = 0; i < r->signatures.n; i++)
		if (rs->signature && signature_matches(rs->signature, r->signatures.v[i]))
			*repro = true;
	if (!strcmp(r->verdict, "infra"))
		*infra = true;
	else if (!strcmp(r->verdict, "crash") && !r->nr_phases)
		*noboot = true; /* died before the agent's first phase */
	else if (strcmp(r->verdict, "clean") && !rs->signature)
		*repro = true;
	else if (strcmp(r->verdict, "clean") || !r->ok)
		*other = true;
	if (rs->metric && !metric_find(rs->metric, &m)) {
		size_t n;
		double *v = metric_values(&m, r, &n);

		out->samples = xrealloc(out->samples, (out->nr_samples + n + 1) * sizeof(double));
		memcpy(out->samples + out->nr_samples, v, n * sizeof(double));
		out->nr_samples += n;
		free(v);
	}
}

int real_step_run(void *ctx, const char *tree, const char *commit,
		  struct step_result *out)
{
	struct real_step *rs = ctx;
	struct run_opts o = { .backend = "qemu", .reproducer = "zdbench bisect" };
	const struct zd_config *c = rs->cfg;
	char *dir = xasprintf("%s/%.12s-%u", rs->out_root, commit, ++rs->seq);
	bool repro = false, other = false, infra = false, noboot = false;

	memset(out, 0, sizeof(*out));
	(void)tree;
	/* a folder of an earlier invocation (git bisect run starts us anew): the next free one */
	while (path_exists(dir)) {
		free(dir);
		dir = xasprintf("%s/%.12s-%u", rs->out_root, commit, ++rs->seq);
	}
	o.out_dir = dir;
	/* the verdicts are read back below; the stage says if there are any */
	run_matrix(c, &o, NULL);
	if (o.failed_stage != STAGE_NONE) {
		out->kind = o.failed_stage == STAGE_BUILD ? STEP_NOBUILD : STEP_ABORT;
		out->note = xstrdup(o.failed_stage == STAGE_BUILD ? "kernel build failed" :
				    "harness error (source, image or QEMU)");
		goto out;
	}
	for (size_t i = 0; i < c->run_workloads.n; i++) {
		char *p = xasprintf("%s/%s/%s.json", dir, ZD_VARIANT_HEAD, c->run_workloads.v[i]);
		char *err = NULL;
		struct zd_result r;

		if (result_read(p, &r, &err)) {
			infra = true;
			free(err);
		} else {
			from_result(rs, &r, out, &repro, &other, &infra, &noboot);
		}
		result_free(&r);
		free(p);
	}
	if (repro)
		out->kind = STEP_REPRO;
	else if (noboot)
		out->kind = STEP_NOBOOT;
	else if (infra)
		out->kind = STEP_INFRA;
	else if (other)
		out->kind = STEP_OTHER;
	else
		out->kind = STEP_CLEAN;
	out->note = xstrdup(dir);
out:
	free(dir);
	return 0;
}
