// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench compare A B [C...]: N-way, mmtests-style. For each workload and
 * metric one column per side: the median, and for later sides the %
 * change against the first side with its 95% bootstrap CI and a mark on
 * significant changes, the deciding test named. Failures side by side as
 * fail:runs. Exit 1 on a significant regression beyond the threshold, on
 * a failure signature (or failing verdict) a later side has and the first
 * has not, and on a later side without samples where the first has some.
 */
#define _GNU_SOURCE
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "exitcode.h"
#include "machine.h"
#include "metric.h"
#include "result.h"
#include "run.h"
#include "runset.h"
#include "stats.h"
#include "util.h"

#define COMPARE_SCHEMA "zdbench.compare/1"

static const char usage[] =
	"usage: zdbench compare A B [C...] [--json] [--threshold X%] [--alpha A]\n"
	"                       [--metric NAME]...\n"
	"   or: zdbench compare --tree DIR REV_A REV_B [REV...] [run options]\n"
	"\n"
	"The second form runs first: it builds and boots each revision of the\n"
	"kernel tree DIR as `zdbench run --tree DIR --variant REV_A --variant\n"
	"REV_B` would (the run folder: -o, else results/<run-id>), then compares\n"
	"them, REV_A the reference.\n"
	"\n"
	"Each side is a variant folder (results/<run>/<variant>), a run folder\n"
	"(every variant in it, base first), or RUN:VARIANT. Every later side is\n"
	"read against the first. --threshold: the smallest change that counts\n"
	"(5% or 0.05; default 0); --alpha: significance level in (0, 0.5]\n"
	"(default 0.05); --metric: compare only these (default: every metric of\n"
	"the table the results carry; also counter.NAME, extra.NAME).\n"
	"Sides measured on different machines (each result's machine, see\n"
	"docs/results.md) are refused unless --pool: a difference between two\n"
	"machines is no regression of a kernel.\n";

static const char exit_help[] =
	"Exit: 0 no significant regression beyond the threshold and no new\n"
	"failure; 1 a regression, a new failure signature or failing verdict on\n"
	"a later side, or a later side with no samples; 2 usage error, a\n"
	"folder that holds no results, sides of different clocks (icount,\n"
	"wall), or sides from different machines\n"
	"without --pool; with --tree, also the run's own exit when it produced\n"
	"no result to compare (2 usage, 3 infrastructure).\n";

/* One column: one variant of one loaded run set. */
struct side {
	char *label;
	const struct run_set *rs;
	const char *variant;
};

struct compare {
	struct run_set *sets;
	size_t nr_sets;
	struct side *sides;
	size_t nr_sides;
	double alpha, threshold;
	struct zd_metric *metrics;
	size_t nr_metrics;
	bool json, tty;
	struct strv problems;	/* why the exit is 1, in words */
};

static const struct zd_result *side_get(const struct side *s, const char *wl)
{
	return run_set_get(s->rs, s->variant, wl);
}

static bool has_sig(const struct zd_result *r, const char *sig)
{
	for (size_t i = 0; r && i < r->signatures.n; i++)
		if (!strcmp(r->signatures.v[i], sig))
			return true;
	return false;
}

static bool failed(const struct zd_result *r)
{
	return r && r->verdict && strcmp(r->verdict, "clean");
}

/* Labels: the variant names when they tell the sides apart, else the specs. */
static void label_sides(struct compare *c, char **specs)
{
	bool unique = true;

	for (size_t i = 0; i < c->nr_sides; i++)
		for (size_t j = i + 1; j < c->nr_sides; j++)
			if (!strcmp(c->sides[i].variant, c->sides[j].variant))
				unique = false;
	for (size_t i = 0; i < c->nr_sides; i++) {
		struct side *s = &c->sides[i];
		size_t set = s->rs - c->sets;

		if (unique)
			s->label = xstrdup(s->variant);
		else if (s->rs->variants.n > 1)
			s->label = xasprintf("%s:%s", specs[set], s->variant);
		else
			s->label = xstrdup(specs[set]);
	}
}

/*
 * The option variables hold what the command line said; cmd_compare
 * applies the defaults (alpha 0.05, threshold 0, every metric).
 */
static bool opt_json, opt_pool;
static double opt_alpha = NAN, opt_threshold = NAN;
static struct strv opt_metrics;

static int alpha_cb(void *value, const char *arg)
{
	if (!arg) {
		*(double *)value = NAN;
		return 0;
	}
	return parse_alpha(arg, value);
}

static int threshold_cb(void *value, const char *arg)
{
	if (!arg) {
		*(double *)value = NAN;
		return 0;
	}
	return parse_threshold(arg, value);
}

static const char *opt_out;

static const struct option_desc options[] = {
	OPT__TREE,
	OPT__CONFIG,
	OPT__WORKLOAD,
	OPT__BOOT,
	OPT__KCONFIG,
	OPT_STRING('o', "output", &opt_out, "DIR", "with --tree: the run folder (default results/<run-id>)"),
	OPT_BOOL(0, "json", &opt_json, "one JSON document (zdbench.compare/1) instead of the table"),
	OPT_CALLBACK(0, "threshold", &opt_threshold, "X%", threshold_cb,
		     "the smallest change that counts (5% or 0.05; default 0)"),
	OPT_CALLBACK(0, "alpha", &opt_alpha, "A", alpha_cb, "significance level in (0, 0.5] (default 0.05)"),
	OPT_STRV(0, "metric", &opt_metrics, "NAME", "compare only this metric (repeatable)"),
	OPT_BOOL(0, "pool", &opt_pool, "read sides from different machines against each other"),
	OPT_END(),
};

static struct json_object *jnum(double v)
{
	/* JSON has no NaN: absent values are null */
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static const char *verdict_of(const struct compare *c, const struct zd_metric *m,
			      const struct cmp_stats *s)
{
	bool worse = m->higher_is_better ? s->change < 0 : s->change > 0;

	if (s->test == CMP_NONE)
		return "undecided";
	if (!cmp_significant(s))
		return "no change";
	if (fabs(s->change) <= c->threshold)
		return "within threshold";
	return worse ? "REGRESSION" : "improvement";
}

/* One workload x metric: a text row (and detail lines) or a JSON object. */
/* One row: wl's metric m on every side. Returns false when no side carries m. */
static bool compare_metric(struct compare *c, const char *wl, const struct zd_metric *m,
			   struct json_object *rows)
{
	size_t n0, present = 0;
	const struct zd_result *r0 = side_get(&c->sides[0], wl);
	double *v0 = r0 ? metric_values(m, r0, &n0) : (n0 = 0, NULL);
	struct sbuf line = { 0 }, detail = { 0 };
	struct json_object *row = NULL, *cols = NULL;
	char *name;

	for (size_t k = 0; k < c->nr_sides; k++) {
		const struct zd_result *r = side_get(&c->sides[k], wl);
		size_t n;
		double *v = r ? metric_values(m, r, &n) : (n = 0, NULL);

		present += n > 0;
		free(v);
	}
	if (!present) { /* no side carries this metric for this workload */
		free(v0);
		return false;
	}
	if (c->json) {
		row = json_object_new_object();
		cols = json_object_new_array();
		json_object_object_add(row, "workload", json_object_new_string(wl));
		json_object_object_add(row, "metric", json_object_new_string(m->name));
		json_object_object_add(row, "unit", json_object_new_string(m->unit));
		json_object_object_add(row, "direction", json_object_new_string(
			m->higher_is_better ? "higher is better" : "lower is better"));
	}
	name = xasprintf("%s.%s", wl, m->name);
	sbuf_addf(&line, "%-34s", name);
	for (size_t k = 0; k < c->nr_sides; k++) {
		const struct zd_result *r = side_get(&c->sides[k], wl);
		size_t n;
		double *v = r ? metric_values(m, r, &n) : (n = 0, NULL);
		struct zd_summary sm;
		struct cmp_stats s;
		struct json_object *col = c->json ? json_object_new_object() : NULL;
		bool cmp = k && n0 && n && !compare_samples_at(v0, n0, v, n, c->alpha, &s);
		const char *verdict = cmp ? verdict_of(c, m, &s) : NULL;

		summarize(v, n, &sm);
		if (!n)
			sbuf_addf(&line, " %14s%s", "-", k ? "                        " : "");
		else if (!k || !cmp)
			sbuf_addf(&line, " %14.6g%s", sm.median, k ? "                        " : "");
		else {
			const char *mark = !strcmp(verdict, "REGRESSION") ? "!" :
					   cmp_significant(&s) ? "*" : " ";
			const char *hl = c->tty && *mark == '!' ? "\033[1;31m" : "";

			sbuf_addf(&line, " %14.6g %s%+7.2f%% [%+6.2f, %+6.2f]%s%s", sm.median, hl,
				  100 * s.change, 100 * s.ci_lo, 100 * s.ci_hi, mark,
				  *hl ? "\033[0m" : "");
		}
		if (cmp) {
			sbuf_addf(&detail, "    %s vs %s: %s (n=%zu/%zu", c->sides[k].label,
				  c->sides[0].label, verdict, s.na, s.nb);
			if (s.test == CMP_NONE)
				sbuf_addf(&detail, "; no test can decide: %s; %zu repetitions per side would let Mann-Whitney reach alpha %g)\n",
					  s.undecided, s.reps_needed, c->alpha);
			else
				sbuf_addf(&detail, ", %s p=%.2g, MDE %.2f%%)\n",
					  cmp_test_name(s.test), s.p, 100 * s.mde);
			if (!strcmp(verdict, "REGRESSION"))
				strv_pushf(&c->problems, "%s: %s regressed %+.2f%% against %s (%s p=%.2g)",
					   name, c->sides[k].label, 100 * s.change,
					   c->sides[0].label, cmp_test_name(s.test), s.p);
		}
		if (col) {
			json_object_object_add(col, "side", json_object_new_string(c->sides[k].label));
			json_object_object_add(col, "n", json_object_new_int64(n));
			json_object_object_add(col, "median", jnum(sm.median));
			json_object_object_add(col, "mean", jnum(sm.mean));
			json_object_object_add(col, "stddev", jnum(sm.sd));
			json_object_object_add(col, "min", jnum(sm.min));
			json_object_object_add(col, "max", jnum(sm.max));
			if (cmp) {
				json_object_object_add(col, "change", jnum(s.change));
				json_object_object_add(col, "change_ci95_lo", jnum(s.ci_lo));
				json_object_object_add(col, "change_ci95_hi", jnum(s.ci_hi));
				json_object_object_add(col, "ci_method", json_object_new_string(
					"bootstrap of medians, 2000 resamples, seeded"));
				json_object_object_add(col, "test", json_object_new_string(cmp_test_name(s.test)));
				json_object_object_add(col, "p", jnum(s.p));
				json_object_object_add(col, "p_mann_whitney", jnum(s.p_mw));
				json_object_object_add(col, "p_welch", jnum(s.p_welch));
				json_object_object_add(col, "min_detectable_change", jnum(s.mde));
				json_object_object_add(col, "significant", json_object_new_boolean(cmp_significant(&s)));
				json_object_object_add(col, "verdict", json_object_new_string(verdict));
				if (s.test == CMP_NONE) {
					json_object_object_add(col, "undecided", json_object_new_string(s.undecided));
					json_object_object_add(col, "reps_needed", json_object_new_int64(s.reps_needed));
				}
			}
			json_object_array_add(cols, col);
		}
		free(v);
	}
	if (c->json) {
		json_object_object_add(row, "sides", cols);
		json_object_array_add(rows, row);
	} else {
		printf("%s\n%s", line.buf, detail.buf ? detail.buf : "");
	}
	free(name);
	free(v0);
	sbuf_free(&line);
	sbuf_free(&detail);
	return true;
}

/* "fail:runs" of one side: boots (a result's verdict is per boot). */
/* "failed:boots", e.g. 1:3 for one failing boot of three; "-" without a result. */
static char *fail_runs(const struct zd_result *r, unsigned int failed)
{
	return r ? xasprintf("%u:%u", failed, result_boots(r)) : xstrdup("-");
}

/* Boots of r that showed sig (0 if none). */
static unsigned int sig_boots(const struct zd_result *r, const char *sig)
{
	for (size_t i = 0; r && i < r->signatures.n; i++)
		if (!strcmp(r->signatures.v[i], sig))
			return result_sig_boots(r, i);
	return 0;
}

/*
 * Failures of one workload side by side: the verdict, every signature and
 * the repetitions that gave samples; new failures and missing samples on
 * later sides are problems (exit 1).
 */
static void compare_failures(struct compare *c, const char *wl, struct json_object *fails)
{
	const struct zd_result *r0 = side_get(&c->sides[0], wl);
	struct strv sigs = { 0 };
	struct json_object *fo = NULL, *so = NULL, *sg = NULL, *news = NULL;
	bool any = false;

	for (size_t k = 0; k < c->nr_sides; k++) {
		const struct zd_result *r = side_get(&c->sides[k], wl);

		for (size_t i = 0; r && i < r->signatures.n; i++) {
			bool have = false;

			for (size_t j = 0; j < sigs.n && !have; j++)
				have = !strcmp(sigs.v[j], r->signatures.v[i]);
			if (!have)
				strv_push(&sigs, r->signatures.v[i]);
		}
		any |= failed(r) || !r || (r0 && r0->nr_samples && !r->nr_samples);
	}
	if (c->json) {
		fo = json_object_new_object();
		so = json_object_new_array();
		sg = json_object_new_object();
		news = json_object_new_array();
		json_object_object_add(fo, "workload", json_object_new_string(wl));
	}
	if (!c->json && (any || sigs.n)) {
		printf("  %-40s", "fail:runs (boots)");
		for (size_t k = 0; k < c->nr_sides; k++)
			printf(" %14s", c->sides[k].label);
		printf("\n  %-40s", "verdict");
	}
	for (size_t k = 0; k < c->nr_sides; k++) {
		const struct zd_result *r = side_get(&c->sides[k], wl);
		char *fr = fail_runs(r, r ? result_failed_boots(r) : 0);

		if (!c->json && (any || sigs.n)) {
			char *cell = r ? xasprintf("%s %s", fr, r->verdict) : xstrdup("-");

			printf(" %14s", cell);
			free(cell);
		}
		if (so) {
			struct json_object *e = json_object_new_object();

			json_object_object_add(e, "side", json_object_new_string(c->sides[k].label));
			json_object_object_add(e, "present", json_object_new_boolean(r != NULL));
			json_object_object_add(e, "verdict", r ? json_object_new_string(r->verdict) : NULL);
			json_object_object_add(e, "boots", json_object_new_int(r ? result_boots(r) : 0));
			json_object_object_add(e, "failed_boots",
					       json_object_new_int(r ? result_failed_boots(r) : 0));
			json_object_object_add(e, "repetitions_with_samples",
					       json_object_new_int64(r ? r->nr_samples : 0));
			if (r && result_param(r, "reps"))
				json_object_object_add(e, "repetitions_planned",
						       json_object_new_int64(atoll(result_param(r, "reps"))));
			json_object_array_add(so, e);
		}
		/* the reference measured nothing: there is nothing to read the others against */
		if (k && r && r->nr_samples && r0 && !r0->nr_samples)
			strv_pushf(&c->problems, "%s: %s has no samples (%s has %zu)%s%s", wl,
				   c->sides[0].label, c->sides[k].label, r->nr_samples,
				   ": verdict ", r0->verdict);
		if (k && r0 && r0->nr_samples && (!r || !r->nr_samples))
			strv_pushf(&c->problems, "%s: %s has no samples (%s has %zu)%s%s", wl,
				   c->sides[k].label, c->sides[0].label, r0->nr_samples,
				   r ? ": verdict " : ": no result", r ? r->verdict : "");
		if (k && r && failed(r) && !failed(r0) && !r->signatures.n &&
		    strcmp(r->verdict, "infra"))
			strv_pushf(&c->problems, "%s: %s failed (%s) where %s is clean", wl,
				   c->sides[k].label, r->verdict, c->sides[0].label);
		free(fr);
	}
	if (!c->json && (any || sigs.n)) {
		/* samples are per repetition: how many of the planned gave one */
		printf("\n  %-40s", "repetitions with samples");
		for (size_t k = 0; k < c->nr_sides; k++) {
			const struct zd_result *r = side_get(&c->sides[k], wl);
			const char *planned = r ? result_param(r, "reps") : NULL;
			char *cell = !r ? xstrdup("-") : planned ?
				     xasprintf("%zu/%s", r->nr_samples, planned) :
				     xasprintf("%zu", r->nr_samples);

			printf(" %14s", cell);
			free(cell);
		}
		printf("\n");
	}
	for (size_t i = 0; i < sigs.n; i++) {
		struct json_object *sa = c->json ? json_object_new_array() : NULL;
		bool is_new = false;

		if (!c->json)
			printf("  %-40.40s", sigs.v[i]);
		for (size_t k = 0; k < c->nr_sides; k++) {
			const struct zd_result *r = side_get(&c->sides[k], wl);
			char *fr = fail_runs(r, sig_boots(r, sigs.v[i]));

			if (k && has_sig(r, sigs.v[i]) && !has_sig(r0, sigs.v[i]) && !is_new) {
				is_new = true;
				strv_pushf(&c->problems, "%s: new failure signature %s on %s (absent on %s)",
					   wl, sigs.v[i], c->sides[k].label, c->sides[0].label);
			}
			if (sa)
				json_object_array_add(sa, json_object_new_string(fr));
			else
				printf(" %14s", fr);
			free(fr);
		}
		if (sa) {
			json_object_object_add(sg, sigs.v[i], sa);
			if (is_new)
				json_object_array_add(news, json_object_new_string(sigs.v[i]));
		} else {
			printf("%s\n", is_new ? "  NEW" : "");
		}
	}
	if (fo) {
		json_object_object_add(fo, "sides", so);
		json_object_object_add(fo, "signatures", sg);
		json_object_object_add(fo, "new_signatures", news);
		json_object_array_add(fails, fo);
	}
	strv_free(&sigs);
}

static void compare_free(struct compare *c)
{
	for (size_t i = 0; i < c->nr_sets; i++)
		run_set_free(&c->sets[i]);
	for (size_t i = 0; i < c->nr_sides; i++)
		free(c->sides[i].label);
	free(c->sets);
	free(c->sides);
	free(c->metrics);
	strv_free(&c->problems);
}

/*
 * compare --tree DIR REV...: run the revisions (ctx->cfg has them as its
 * variants, builtin.h TREE_REVS), then hand their folders on as the sides
 * RUN:REV, in the order given. 0, or the run's exit when there is nothing
 * to compare.
 */
static int run_revisions(struct cmd_ctx *ctx, struct strv *sides)
{
	struct run_opts o = { .backend = "qemu", .out_dir = opt_out, .reproducer = ctx->reproducer };
	char *run_dir = NULL;
	int e;

	if (ctx->args.n < 2) {
		fprintf(stderr, "zdbench compare: --tree needs two revisions at least\n");
		return ZD_EXIT_USAGE;
	}
	/* each revision is a variant folder of the run: twice would be one folder */
	for (size_t i = 0; i < ctx->args.n; i++) {
		if (!ctx->args.v[i][0]) {
			fprintf(stderr, "zdbench compare: an empty revision (argument %zu)\n", i + 1);
			return ZD_EXIT_USAGE;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ctx->args.v[i], ctx->args.v[j])) {
				fprintf(stderr, "zdbench compare: revision '%s' given twice\n",
					ctx->args.v[i]);
				return ZD_EXIT_USAGE;
			}
	}
	e = run_matrix(ctx->cfg, &o, &run_dir);
	if (!run_dir || e == ZD_EXIT_USAGE || e == ZD_EXIT_INFRA) {
		free(run_dir);
		return e ? e : ZD_EXIT_INFRA;
	}
	/* a kernel failure (1) is compare's to report, beside the figures */
	for (size_t i = 0; i < ctx->args.n; i++)
		strv_pushf(sides, "%s:%s", run_dir, ctx->args.v[i]);
	free(run_dir);
	return 0;
}

/*
 * Whether the sets may be read against each other: all from one machine,
 * or --pool. Sets that name no machine (results older than machine ids)
 * cannot be checked: a note says so. 0, or -1 after naming the machines.
 */
static int same_machine(const struct run_set *sets, size_t n, char **specs, bool pool)
{
	const char *first = NULL, *unknown = NULL;
	size_t fi = 0;
	struct strv names = { 0 };
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		const char *m = run_set_machine(&sets[i]);

		if (!strcmp(m, ZD_MACHINE_UNKNOWN)) {
			unknown = specs[i];
			continue;
		}
		strv_pushf(&names, "%s (%s)", specs[i], m);
		if (!first) {
			first = m;
			fi = i;
		} else if (strcmp(m, first) && !ret) {
			ret = -1;
			if (!pool)
				zd_err("%s was measured on machine %s, %s on machine %s: samples of different machines are not read against each other (--pool to compare them anyway)",
				       specs[fi], first, specs[i], m);
		}
	}
	if (ret && pool) {
		char *j = strv_join(&names, ", ");

		fprintf(stderr, "zdbench compare: note: --pool: comparing across machines: %s\n", j);
		free(j);
		ret = 0;
	}
	if (unknown && n > 1 && !ret)
		fprintf(stderr, "zdbench compare: note: %s names no machine (results older than machine ids): not checked against the other sides'\n",
			unknown);
	strv_free(&names);
	return ret;
}

/*
 * icount and wall-clock figures are different units (instructions and host
 * time): no side is read against a side of the other clock. 0, or -1 after
 * naming the first pair.
 */
static int same_clock(const struct compare *c)
{
	for (size_t w = 0; w < c->sides[0].rs->workloads.n; w++) {
		const char *wl = c->sides[0].rs->workloads.v[w];
		const struct zd_result *r0 = side_get(&c->sides[0], wl);

		for (size_t k = 1; r0 && r0->clock && k < c->nr_sides; k++) {
			const struct zd_result *rk = side_get(&c->sides[k], wl);

			if (rk && rk->clock && strcmp(rk->clock, r0->clock)) {
				zd_err("%s: %s ran with the %s clock, %s with the %s clock: their figures "
				       "are different units, not compared", wl, c->sides[0].label,
				       r0->clock, c->sides[k].label, rk->clock);
				return -1;
			}
		}
	}
	return 0;
}

static int cmd_compare(struct cmd_ctx *ctx)
{
	size_t *rows_of = NULL;
	struct compare c = { .alpha = isnan(opt_alpha) ? 0.05 : opt_alpha,
			     .threshold = isnan(opt_threshold) ? 0 : opt_threshold,
			     .json = opt_json, .tty = isatty(1) };
	struct strv specs = ctx->args; /* borrowed: freed by the caller */
	struct strv ran = { 0 };
	struct json_object *out = NULL, *rows = NULL, *fails = NULL;
	int ret = ZD_EXIT_USAGE;

	if (ctx->cfg) {
		if ((ret = run_revisions(ctx, &ran)))
			goto out;
		specs = ran;
		ret = ZD_EXIT_USAGE;
	} else if (opt_out || cfg_opts.path || cfg_opts.sets.n || cfg_opts.workloads.n) {
		/* else they would be dropped without a word */
		fprintf(stderr, "zdbench compare: -o, -c, -s, --workload and the run options "
				"need --tree (they configure the run of its revisions)\n");
		goto out;
	}

	gsl_set_error_handler_off(); /* a GSL domain error is a NAN, not an abort */
	for (size_t i = 0; i < opt_metrics.n; i++) {
		c.metrics = xrealloc(c.metrics, (c.nr_metrics + 1) * sizeof(*c.metrics));
		if (metric_find(opt_metrics.v[i], &c.metrics[c.nr_metrics])) {
			zd_err("unknown metric '%s' (%s)", opt_metrics.v[i], metric_names());
			goto out;
		}
		c.nr_metrics++;
	}
	if (!specs.n) {
		fprintf(stderr, "zdbench compare: expected two sides at least\n");
		goto out;
	}
	c.sets = xcalloc(specs.n, sizeof(*c.sets));
	for (size_t i = 0; i < specs.n; i++) {
		if (run_set_load_spec(specs.v[i], &c.sets[c.nr_sets++]))
			goto out;
		/* a run folder with several variants: every one, in order */
		for (size_t v = 0; v < c.sets[i].variants.n; v++) {
			c.sides = xrealloc(c.sides, (c.nr_sides + 1) * sizeof(*c.sides));
			c.sides[c.nr_sides++] = (struct side){ NULL, &c.sets[i], c.sets[i].variants.v[v] };
		}
	}
	if (c.nr_sides < 2) {
		zd_err("compare needs two sides at least; %s holds one variant", specs.v[0]);
		goto out;
	}
	if (same_machine(c.sets, c.nr_sets, specs.v, opt_pool))
		goto out;
	label_sides(&c, specs.v);
	if (same_clock(&c))
		goto out; /* usage: the sides cannot be read against each other */
	if (!c.nr_metrics) {
		c.metrics = xmalloc(zd_nr_metrics * sizeof(*c.metrics));
		for (size_t m = 0; m < zd_nr_metrics; m++)
			c.metrics[c.nr_metrics++] = zd_metrics[m];
	}
	if (c.json) {
		out = json_object_new_object();
		rows = json_object_new_array();
		fails = json_object_new_array();
	} else {
		printf("%-34s", "workload.metric");
		for (size_t k = 0; k < c.nr_sides; k++)
			printf(" %14s%s", c.sides[k].label, k ? "  %change [95% CI]      " : "");
		printf("\n");
	}
	/* the first side's workloads, in its order: the others are read against it */
	rows_of = xcalloc(c.nr_metrics + 1, sizeof(*rows_of));
	for (size_t w = 0; w < c.sides[0].rs->workloads.n; w++) {
		const char *wl = c.sides[0].rs->workloads.v[w];

		if (!side_get(&c.sides[0], wl))
			continue;
		for (size_t m = 0; m < c.nr_metrics; m++)
			rows_of[m] += compare_metric(&c, wl, &c.metrics[m], rows);
		compare_failures(&c, wl, fails);
	}
	/* a --metric no result carries would make a CI step pass on nothing */
	for (size_t m = 0; m < c.nr_metrics && opt_metrics.n; m++)
		if (!rows_of[m]) {
			zd_err("--metric %s: no workload on any side carries it", c.metrics[m].name);
			ret = ZD_EXIT_USAGE;
			goto out;
		}
	/* workloads the first side lacks have nothing to be read against: say so */
	for (size_t k = 1; k < c.nr_sides && !c.json; k++)
		for (size_t w = 0; w < c.sides[k].rs->workloads.n; w++) {
			const char *wl = c.sides[k].rs->workloads.v[w];

			const struct zd_result *rk = side_get(&c.sides[k], wl);
			const struct zd_result *r0 = side_get(&c.sides[0], wl);

			if (rk && !r0)
				printf("note: %s only on %s, not on %s: not compared\n", wl,
				       c.sides[k].label, c.sides[0].label);
			/* run -j: wall-clock figures of guests that shared the machine differently */
			if (rk && r0 && rk->clock && r0->clock && !strcmp(rk->clock, "wall") &&
			    !strcmp(r0->clock, "wall") &&
			    (rk->guests ? rk->guests : 1) != (r0->guests ? r0->guests : 1))
				printf("note: %s: %s ran with %u guests at once, %s with %u: under the "
				       "wall clock they shared the machine differently\n", wl,
				       c.sides[0].label, r0->guests ? r0->guests : 1, c.sides[k].label,
				       rk->guests ? rk->guests : 1);
		}
	ret = c.problems.n ? ZD_EXIT_KERNEL : ZD_EXIT_CLEAN;
	if (c.json) {
		struct json_object *sides = json_object_new_array(), *probs = json_object_new_array();

		for (size_t k = 0; k < c.nr_sides; k++) {
			struct json_object *so = json_object_new_object();

			json_object_object_add(so, "label", json_object_new_string(c.sides[k].label));
			json_object_object_add(so, "dir", json_object_new_string(c.sides[k].rs->dir));
			json_object_object_add(so, "variant", json_object_new_string(c.sides[k].variant));
			json_object_object_add(so, "machine",
					       json_object_new_string(run_set_machine(c.sides[k].rs)));
			json_object_array_add(sides, so);
		}
		for (size_t i = 0; i < c.problems.n; i++)
			json_object_array_add(probs, json_object_new_string(c.problems.v[i]));
		json_object_object_add(out, "schema", json_object_new_string(COMPARE_SCHEMA));
		json_object_object_add(out, "alpha", json_object_new_double(c.alpha));
		json_object_object_add(out, "threshold", json_object_new_double(c.threshold));
		json_object_object_add(out, "sides", sides);
		json_object_object_add(out, "rows", rows);
		json_object_object_add(out, "failures", fails);
		json_object_object_add(out, "problems", probs);
		json_object_object_add(out, "exit", json_object_new_int(ret));
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
		rows = fails = NULL;
	} else {
		printf("\n* significant at alpha %g; ! a regression beyond the threshold (%g%%)\n",
		       c.alpha, 100 * c.threshold);
		for (size_t i = 0; i < c.problems.n; i++)
			printf("FAIL: %s\n", c.problems.v[i]);
	}
out:
	strv_free(&ran);
	free(rows_of);
	json_object_put(out);
	json_object_put(rows);
	json_object_put(fails);
	compare_free(&c);
	return ret;
}

const struct builtin builtin_compare = {
	.name = "compare", .fn = cmd_compare, .options = options, .usage = usage,
	.exit_help = exit_help, .flags = TREE_REVS,
	.summary = "statistics between result sets; exit 1 on a regression or new failure",
};
