// SPDX-License-Identifier: GPL-2.0
/*
 * Automatic bisection on top of git bisect: both ends checked first, every
 * revision judged by repeated runs under a stated rule, unbuildable and
 * unbootable revisions skipped, state kept for resumption, and the culprit
 * confirmed (bad) against its parent (good) on fresh runs.
 *
 * Correctness rule (syzkaller's): a revision is bad as soon as one run
 * reproduces the signature, good after max_runs clean runs. With a
 * per-run reproduction probability p (estimated at the bad end), a good
 * verdict is wrong with probability (1-p)^max_runs.
 * Performance rule: max_runs runs give samples; bad when Welch's test
 * against the good end is significant at alpha and the change goes the bad
 * way by at least half the threshold.
 */
#define _GNU_SOURCE
#include "bisect.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ksrc.h"
#include "result.h"
#include "stats.h"

const char *rev_verdict_name(enum rev_verdict v)
{
	static const char *const n[] = { "good", "bad", "skip", "abort" };

	return n[v];
}

void rev_eval_free(struct rev_eval *ev)
{
	free(ev->commit);
	free(ev->samples);
	free(ev->why);
	memset(ev, 0, sizeof(*ev));
}

static void add_samples(struct rev_eval *ev, const struct step_result *sr)
{
	if (!sr->nr_samples)
		return;
	ev->samples = xrealloc(ev->samples, (ev->nr_samples + sr->nr_samples) * sizeof(double));
	memcpy(ev->samples + ev->nr_samples, sr->samples, sr->nr_samples * sizeof(double));
	ev->nr_samples += sr->nr_samples;
}

static void set_why(struct rev_eval *ev, char *why)
{
	free(ev->why);
	ev->why = why;
}

static void judge_metric(const struct bisect_rule *rule, const double *base,
			 size_t nbase, struct rev_eval *ev)
{
	double t, df, p, ma, mb, se, q;
	bool worse;

	if (!base) { /* this is the good end: the reference itself */
		ev->verdict = ev->nr_samples >= 2 ? REV_GOOD : REV_SKIP;
		set_why(ev, xasprintf("reference: %zu samples", ev->nr_samples));
		return;
	}
	if (welch(base, nbase, ev->samples, ev->nr_samples, &t, &df, &p)) {
		ev->verdict = REV_SKIP;
		set_why(ev, xstrdup("too few samples for a test"));
		return;
	}
	ma = gsl_stats_mean(base, 1, nbase);
	mb = gsl_stats_mean(ev->samples, 1, ev->nr_samples);
	se = sqrt(gsl_stats_variance(base, 1, nbase) / nbase +
		  gsl_stats_variance(ev->samples, 1, ev->nr_samples) / ev->nr_samples);
	q = isfinite(df) && df > 0 ? gsl_cdf_tdist_Qinv(0.025, df) : 1.96;
	ev->change = (mb - ma) / ma;
	ev->ci_lo = (mb - ma - q * se) / ma;
	ev->ci_hi = (mb - ma + q * se) / ma;
	ev->p = p;
	worse = rule->higher_is_better ? ev->change < -rule->threshold / 2 :
					 ev->change > rule->threshold / 2;
	ev->verdict = worse && p < rule->alpha ? REV_BAD : REV_GOOD;
	set_why(ev, xasprintf("%+.2f%% [%+.2f%%, %+.2f%%] vs good end, Welch p=%.2g",
			      100 * ev->change, 100 * ev->ci_lo, 100 * ev->ci_hi, p));
}

static void evaluate(const struct step_ops *ops, const struct bisect_rule *rule,
		     const char *tree, const char *commit, const double *base,
		     size_t nbase, bool full, struct rev_eval *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->commit = xstrdup(commit);
	while (ev->runs < rule->max_runs) {
		struct step_result sr = { 0 };

		ops->run(ops->ctx, tree, commit, &sr);
		add_samples(ev, &sr);
		switch (sr.kind) {
		case STEP_ABORT:
			ev->verdict = REV_ABORT;
			set_why(ev, xasprintf("harness broken: %s", sr.note ? sr.note : "?"));
			goto out_free;
		case STEP_NOBUILD:
		case STEP_NOBOOT:
			ev->verdict = REV_SKIP;
			set_why(ev, xasprintf("%s%s%s", sr.kind == STEP_NOBUILD ?
					      "does not build" : "does not boot",
					      sr.note ? ": " : "", sr.note ? sr.note : ""));
			goto out_free;
		case STEP_INFRA:
			/* counted apart: infrastructure never decides a verdict */
			if (++ev->infra > rule->max_infra) {
				ev->verdict = REV_SKIP;
				set_why(ev, xasprintf("%u infrastructure failures", ev->infra));
				goto out_free;
			}
			break;
		case STEP_REPRO:
			ev->runs++;
			ev->repro++;
			break;
		case STEP_OTHER:
			ev->runs++;
			ev->other++;
			break;
		case STEP_CLEAN:
			ev->runs++;
			break;
		}
		free(sr.samples);
		free(sr.note);
		/* A reproduction is decisive; the bad end keeps going for a rate. */
		if (!rule->metric && ev->repro && !full)
			break;
		continue;
out_free:
		free(sr.samples);
		free(sr.note);
		return;
	}
	if (rule->metric) {
		judge_metric(rule, base, nbase, ev);
		return;
	}
	if (ev->repro) {
		ev->verdict = REV_BAD;
		set_why(ev, xasprintf("reproduced %u/%u", ev->repro, ev->runs));
	} else if (ev->other == ev->runs) {
		ev->verdict = REV_SKIP;
		set_why(ev, xasprintf("only other failures (%u/%u): inconclusive", ev->other, ev->runs));
	} else {
		ev->verdict = REV_GOOD;
		set_why(ev, xasprintf("not reproduced in %u runs", ev->runs));
	}
}

void rev_evaluate(const struct step_ops *ops, const struct bisect_rule *rule,
		  const char *tree, const char *commit, const double *base,
		  size_t nbase, struct rev_eval *ev)
{
	evaluate(ops, rule, tree, commit, base, nbase, false, ev);
}

/* --- state: every evaluation so far, keyed by commit ------------------- */

static struct json_object *eval_json(const struct rev_eval *ev)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sa = json_object_new_array();

	json_object_object_add(o, "commit", json_object_new_string(ev->commit));
	json_object_object_add(o, "verdict", json_object_new_string(rev_verdict_name(ev->verdict)));
	json_object_object_add(o, "runs", json_object_new_int(ev->runs));
	json_object_object_add(o, "reproduced", json_object_new_int(ev->repro));
	json_object_object_add(o, "other_failures", json_object_new_int(ev->other));
	json_object_object_add(o, "infra_failures", json_object_new_int(ev->infra));
	json_object_object_add(o, "why", json_object_new_string(ev->why ? ev->why : ""));
	for (size_t i = 0; i < ev->nr_samples; i++)
		json_object_array_add(sa, json_object_new_double(ev->samples[i]));
	json_object_object_add(o, "samples", sa);
	if (ev->p > 0 || ev->change != 0) {
		json_object_object_add(o, "change", json_object_new_double(ev->change));
		json_object_object_add(o, "change_ci95", json_object_new_array());
		json_object_array_add(json_object_object_get(o, "change_ci95"),
				      json_object_new_double(ev->ci_lo));
		json_object_array_add(json_object_object_get(o, "change_ci95"),
				      json_object_new_double(ev->ci_hi));
		json_object_object_add(o, "p", json_object_new_double(ev->p));
	}
	return o;
}

#define BISECT_STATE_SCHEMA "zdbench.bisect-state/1"

/* o[key] is a JSON integer in [0, max]. */
static bool count_ok(struct json_object *o, const char *key, int64_t max)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int) &&
	       json_object_get_int64(v) >= 0 && json_object_get_int64(v) <= max;
}

/* o[key] is absent or a finite JSON number. */
static bool number_ok(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return true;
	return (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) &&
	       isfinite(json_object_get_double(v));
}

/* Why o is not one evaluation as eval_json writes it, or NULL. */
static const char *eval_shape(struct json_object *o, const char *key)
{
	const char *v = jstr(o, "verdict");
	struct json_object *sa;

	if (!json_object_is_type(o, json_type_object))
		return "not an object";
	if (!jstr(o, "commit") || strcmp(jstr(o, "commit"), key))
		return "commit is not the key it is stored under";
	/* abort is never stored: a verdict read back is one of three */
	if (!v || (strcmp(v, "good") && strcmp(v, "bad") && strcmp(v, "skip")))
		return "verdict is not good, bad or skip";
	if (!count_ok(o, "runs", 1000000) || !count_ok(o, "reproduced", 1000000) ||
	    !count_ok(o, "other_failures", 1000000) || !count_ok(o, "infra_failures", 1000000))
		return "runs, reproduced, other_failures or infra_failures is not a count";
	if (json_object_object_get_ex(o, "why", &sa) && !json_object_is_type(sa, json_type_string))
		return "why is not a string";
	if (!number_ok(o, "change") || !number_ok(o, "p"))
		return "change or p is not a finite number";
	if (!json_object_object_get_ex(o, "samples", &sa) || !json_object_is_type(sa, json_type_array))
		return "samples is not an array";
	for (size_t i = 0; i < json_object_array_length(sa); i++) {
		struct json_object *x = json_object_array_get_idx(sa, i);

		if (!(json_object_is_type(x, json_type_double) || json_object_is_type(x, json_type_int)) ||
		    !isfinite(json_object_get_double(x)))
			return "a sample is not a finite number";
	}
	return NULL;
}

const char *bisect_state_shape(struct json_object *d, const char **commit)
{
	struct json_object *evals;
	const char *s = jstr(d, "schema");

	*commit = NULL;
	if (!d || !json_object_is_type(d, json_type_object))
		return "not a JSON object";
	if (!s || strcmp(s, BISECT_STATE_SCHEMA))
		return "schema is not " BISECT_STATE_SCHEMA;
	if (!jstr(d, "good") || !jstr(d, "bad") || !jstr(d, "mode"))
		return "good, bad or mode is not a string";
	if (!json_object_object_get_ex(d, "evals", &evals) ||
	    !json_object_is_type(evals, json_type_object))
		return "evals is not an object";
	json_object_object_foreach(evals, k, o) {
		const char *why = eval_shape(o, k);

		if (why) {
			*commit = k;
			return why;
		}
	}
	return NULL;
}

/* ev from o, which bisect_state_shape accepted. */
static void eval_from_json(struct json_object *o, struct rev_eval *ev)
{
	const char *v = jstr(o, "verdict");
	struct json_object *sa;

	memset(ev, 0, sizeof(*ev));
	ev->commit = xstrdup(jstr(o, "commit"));
	ev->verdict = !strcmp(v, "good") ? REV_GOOD : !strcmp(v, "bad") ? REV_BAD : REV_SKIP;
	ev->runs = jint(o, "runs", 0);
	ev->repro = jint(o, "reproduced", 0);
	ev->other = jint(o, "other_failures", 0);
	ev->infra = jint(o, "infra_failures", 0);
	ev->why = xstrdup(jstr(o, "why") ? jstr(o, "why") : "");
	ev->change = jdouble(o, "change", 0);
	ev->p = jdouble(o, "p", 0);
	json_object_object_get_ex(o, "samples", &sa);
	ev->nr_samples = json_object_array_length(sa);
	ev->samples = xcalloc(ev->nr_samples + 1, sizeof(double));
	for (size_t i = 0; i < ev->nr_samples; i++)
		ev->samples[i] = json_object_get_double(json_object_array_get_idx(sa, i));
}

int bisect_state_load(const char *path, struct json_object **doc)
{
	struct json_object *d;
	const char *why, *commit;

	*doc = NULL;
	/* lstat: a dangling symlink is there too, and not ours to replace */
	{
		struct stat st;

		if (lstat(path, &st) && errno == ENOENT)
			return 1;
	}
	d = zd_json_read(path);
	if (!d)
		return zd_error("bisect state %s: %s; it is kept: repair or remove it to start over",
				path, errno == EBADMSG ? "not JSON (torn or empty?)" :
				read_file_strerror(errno));
	why = bisect_state_shape(d, &commit);
	if (why) {
		/* commit lives in d: said before d goes */
		zd_err("bisect state %s: %s%s%s%s; it is kept: repair or remove it to start over",
		       path, commit ? "evaluation of " : "", commit ? commit : "",
		       commit ? ": " : "", why);
		json_object_put(d);
		return -1;
	}
	*doc = d;
	return 0;
}

struct bstate {
	const char *path;
	struct json_object *doc; /* {schema, good, bad, mode, evals: {commit: eval}} */
};

static int state_open(struct bstate *st, const char *path, const char *good,
		      const char *bad, const char *mode)
{
	struct json_object *d;
	int r = bisect_state_load(path, &d);

	st->path = path;
	if (r < 0)
		return -1; /* never overwritten: it may be the only record of hours of work */
	if (r == 0) {
		const char *g = jstr(d, "good"), *b = jstr(d, "bad"), *m = jstr(d, "mode");

		if (strcmp(g, good) || strcmp(b, bad) || strcmp(m, mode)) {
			zd_err("%s holds another bisection (good %s, bad %s, %s): remove it to start over",
			       path, g, b, m);
			json_object_put(d);
			return -1;
		}
		zd_info("resuming bisection from %s", path);
		st->doc = d;
		return 0;
	}
	st->doc = json_object_new_object();
	json_object_object_add(st->doc, "schema", json_object_new_string(BISECT_STATE_SCHEMA));
	json_object_object_add(st->doc, "good", json_object_new_string(good));
	json_object_object_add(st->doc, "bad", json_object_new_string(bad));
	json_object_object_add(st->doc, "mode", json_object_new_string(mode));
	json_object_object_add(st->doc, "evals", json_object_new_object());
	return zd_json_write(path, st->doc);
}

static bool state_get(struct bstate *st, const char *commit, struct rev_eval *ev)
{
	struct json_object *evals, *o;

	if (!json_object_object_get_ex(st->doc, "evals", &evals) ||
	    !json_object_object_get_ex(evals, commit, &o))
		return false;
	eval_from_json(o, ev); /* its shape was checked when the file was read */
	return true;
}

static void state_put(struct bstate *st, const struct rev_eval *ev)
{
	struct json_object *evals;

	if (ev->verdict == REV_ABORT)
		return;
	json_object_object_get_ex(st->doc, "evals", &evals);
	json_object_object_add(evals, ev->commit, eval_json(ev));
	/* after every revision: resumable (zd_json_write names the file) */
	if (zd_json_write(st->path, st->doc))
		zd_info("bisect state not saved: an interrupted bisect will redo this revision");
}

/* --- the driver ---------------------------------------------------------- */

static void keep(struct bisect_report *rep, const struct rev_eval *ev)
{
	struct rev_eval *c;

	rep->evals = xrealloc(rep->evals, (rep->nr_evals + 1) * sizeof(*c));
	c = &rep->evals[rep->nr_evals++];
	*c = *ev;
	c->commit = xstrdup(ev->commit);
	c->why = ev->why ? xstrdup(ev->why) : NULL;
	c->samples = NULL;
	if (ev->nr_samples) {
		c->samples = xmalloc(ev->nr_samples * sizeof(double));
		memcpy(c->samples, ev->samples, ev->nr_samples * sizeof(double));
	}
}

struct ctx {
	const char *tree;
	const struct step_ops *ops;
	const struct bisect_rule *rule;
	struct bstate st;
	struct bisect_report *rep;
	double *base;	/* the good end's samples (performance) */
	size_t nbase;
};

static int checkout(const char *tree, const char *commit)
{
	char *args[] = { "checkout", "-q", "--detach", (char *)commit, NULL };

	return git_run(tree, args, NULL, 600);
}

/* Evaluate a commit (from state when known), checked out in the tree. */
static enum rev_verdict eval_commit(struct ctx *x, const char *commit,
				    bool fresh, bool full, struct rev_eval *ev)
{
	if (!fresh && state_get(&x->st, commit, ev)) {
		zd_info("%.12s: %s (%s) [from state]", commit, rev_verdict_name(ev->verdict), ev->why);
		keep(x->rep, ev);
		return ev->verdict;
	}
	if (checkout(x->tree, commit)) {
		zd_err("cannot check out %s in %s", commit, x->tree);
		memset(ev, 0, sizeof(*ev));
		ev->commit = xstrdup(commit);
		ev->verdict = REV_ABORT;
		return REV_ABORT;
	}
	evaluate(x->ops, x->rule, x->tree, commit, x->base, x->nbase, full, ev);
	zd_info("%.12s: %s (%s)", commit, rev_verdict_name(ev->verdict), ev->why ? ev->why : "");
	if (!fresh)
		state_put(&x->st, ev);
	keep(x->rep, ev);
	return ev->verdict;
}

static char *rev_parse(const char *tree, const char *rev)
{
	char *args[] = { "rev-parse", "--verify", "--quiet", NULL, NULL };
	char *spec = xasprintf("%s^{commit}", rev), *out = NULL;

	args[3] = spec;
	if (git_run(tree, args, &out, 60) || !*out) {
		free(out);
		out = NULL;
	}
	free(spec);
	return out;
}

static char *current_head(const char *tree)
{
	return rev_parse(tree, "HEAD");
}

/* Run "git bisect <verb> [rev]"; returns the culprit when git names it. */
static int bisect_cmd(const char *tree, const char *verb, const char *rev,
		      char **culprit, bool *only_skipped)
{
	char *args[] = { "bisect", (char *)verb, (char *)rev, NULL };
	char *out = NULL, *p;
	int ret = git_run(tree, args, &out, 600);

	*culprit = NULL;
	*only_skipped = false;
	if (out && (p = strstr(out, " is the first bad commit"))) {
		char *start = p;

		while (start > out && start[-1] != '\n')
			start--;
		*culprit = strndup(start, p - start);
	}
	if (out && strstr(out, "only 'skip'ped commits left"))
		*only_skipped = true;
	free(out);
	return ret && !*only_skipped ? -1 : 0;
}

/*
 * The per-run reproduction rate is estimated from the bad end's k of n
 * runs; to claim no more than the data support, the confidence uses the
 * one-sided 95% Clopper-Pearson lower bound of that rate, not k/n.
 */
static double rate_lower_bound(unsigned int k, unsigned int n)
{
	if (!k || !n)
		return 0;
	return gsl_cdf_beta_Pinv(0.05, k, n - k + 1);
}

static double confidence(const struct bisect_report *rep, const struct bisect_rule *rule)
{
	double c = 1.0, p = rep->repro_lo;

	if (rule->metric)
		return NAN;
	for (size_t i = 0; i < rep->nr_evals; i++)
		if (rep->evals[i].verdict == REV_GOOD)
			c *= 1.0 - pow(1.0 - p, rep->evals[i].runs);
	return c;
}

static int check_ends(struct ctx *x, const char *good, const char *bad)
{
	struct rev_eval eg = { 0 }, eb = { 0 };
	int ret = -1;

	if (x->rule->metric) {
		/* the good end's samples are the reference for every test */
		if (eval_commit(x, good, false, true, &eg) != REV_GOOD) {
			x->rep->message = xasprintf("good end %s could not be measured: %s", good,
						    eg.why ? eg.why : "?");
			goto out;
		}
		x->nbase = eg.nr_samples;
		x->base = xmalloc((eg.nr_samples + 1) * sizeof(double));
		memcpy(x->base, eg.samples, eg.nr_samples * sizeof(double));
		if (eval_commit(x, bad, false, true, &eb) != REV_BAD) {
			x->rep->message = xasprintf("bad end %s is not worse than the good end: %s",
						    bad, eb.why ? eb.why : "?");
			goto out;
		}
	} else {
		if (eval_commit(x, bad, false, true, &eb) != REV_BAD) {
			x->rep->message = xasprintf("bad end %s does not reproduce: %s", bad,
						    eb.why ? eb.why : "?");
			goto out;
		}
		x->rep->repro_rate = (double)eb.repro / eb.runs;
		x->rep->repro_lo = rate_lower_bound(eb.repro, eb.runs);
		if (eval_commit(x, good, false, false, &eg) != REV_GOOD) {
			x->rep->message = xasprintf("good end %s is not good: %s", good,
						    eg.why ? eg.why : "?");
			goto out;
		}
	}
	ret = 0;
out:
	rev_eval_free(&eg);
	rev_eval_free(&eb);
	return ret;
}

static void confirm(struct ctx *x)
{
	struct bisect_report *rep = x->rep;
	struct rev_eval ec = { 0 }, ep = { 0 };
	char *spec = xasprintf("%s^", rep->culprit);
	char *args[] = { "log", "-1", "--format=%s", rep->culprit, NULL };

	git_run(x->tree, args, &rep->subject, 60);
	rep->parent = rev_parse(x->tree, spec);
	free(spec);
	if (!rep->parent)
		return;
	zd_info("confirming: %.12s should be bad, its parent %.12s good", rep->culprit, rep->parent);
	rep->confirmed = eval_commit(x, rep->culprit, true, false, &ec) == REV_BAD &&
			 eval_commit(x, rep->parent, true, false, &ep) == REV_GOOD;
	rev_eval_free(&ec);
	rev_eval_free(&ep);
}

int bisect(const char *tree, const char *good_rev, const char *bad_rev,
	   const struct step_ops *ops, const struct bisect_rule *rule,
	   const char *state_path, struct bisect_report *rep)
{
	struct ctx x = { .tree = tree, .ops = ops, .rule = rule, .rep = rep };
	char *good = rev_parse(tree, good_rev), *bad = rev_parse(tree, bad_rev);
	char *orig = current_head(tree), *head = NULL, *culprit = NULL;
	char *reset[] = { "bisect", "reset", NULL };
	bool only_skipped = false;
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	if (!good || !bad) {
		zd_err("%s: no such revision %s", tree, !good ? good_rev : bad_rev);
		goto out;
	}
	if (state_open(&x.st, state_path, good, bad, rule->metric ? "metric" : "signature"))
		goto out;
	git_run(tree, reset, NULL, 120); /* a stale git bisect from an interruption */
	if (check_ends(&x, good, bad))
		goto done;
	{
		char *start[] = { "bisect", "start", bad, good, NULL };

		if (git_run(tree, start, NULL, 600)) {
			rep->message = xstrdup("git bisect start failed");
			goto done;
		}
	}
	for (int guard = 0; guard < 200; guard++) {
		struct rev_eval ev = { 0 };
		enum rev_verdict v;

		free(head);
		head = current_head(tree);
		if (!head)
			break;
		v = eval_commit(&x, head, false, false, &ev);
		rev_eval_free(&ev);
		if (v == REV_ABORT) {
			rep->message = xstrdup("aborted: the harness is broken (see above)");
			goto done;
		}
		rep->steps++;
		if (bisect_cmd(tree, v == REV_GOOD ? "good" : v == REV_BAD ? "bad" : "skip",
			       head, &culprit, &only_skipped)) {
			rep->message = xasprintf("git bisect %s failed", rev_verdict_name(v));
			goto done;
		}
		if (culprit || only_skipped)
			break;
	}
	if (only_skipped) {
		rep->message = xstrdup("only skipped (unbuildable or unbootable) commits are left: the culprit is one of them (git bisect log)");
		goto done;
	}
	if (!culprit) {
		rep->message = xstrdup("git bisect did not name a first bad commit");
		goto done;
	}
	rep->found = true;
	rep->culprit = culprit;
	culprit = NULL;
	git_run(tree, reset, NULL, 120);
	confirm(&x);
	rep->confidence = confidence(rep, rule);
	rep->message = xasprintf("first bad commit %.12s%s", rep->culprit,
				 rep->confirmed ? ", confirmed" : ", NOT confirmed on fresh runs");
	ret = 0;
done:
	git_run(tree, reset, NULL, 120);
	if (orig)
		checkout(tree, orig);
out:
	json_object_put(x.st.doc);
	free(x.base);
	free(good);
	free(bad);
	free(orig);
	free(head);
	free(culprit);
	return ret;
}

void bisect_report_free(struct bisect_report *rep)
{
	free(rep->culprit);
	free(rep->subject);
	free(rep->parent);
	free(rep->message);
	for (size_t i = 0; i < rep->nr_evals; i++)
		rev_eval_free(&rep->evals[i]);
	free(rep->evals);
	memset(rep, 0, sizeof(*rep));
}

char *bisect_report_text(const struct bisect_report *rep, const struct bisect_rule *rule)
{
	struct sbuf sb = { 0 };

	sbuf_addf(&sb, "%s\n", rep->message ? rep->message : "(no result)");
	if (rep->found)
		sbuf_addf(&sb, "culprit: %s %s\nparent:  %s\n", rep->culprit,
			  rep->subject ? rep->subject : "", rep->parent ? rep->parent : "?");
	sbuf_addf(&sb, "revisions tested between the ends: %u (plus both ends%s)\n",
		  rep->steps, rep->found ? " and the confirmation" : "");
	if (!rule->metric) {
		sbuf_addf(&sb, "rule: bad on the first reproduction, good after %u clean runs; "
			  "bad-end reproduction rate %.2f (95%% lower bound %.2f)\n",
			  rule->max_runs, rep->repro_rate, rep->repro_lo);
		if (rep->found)
			sbuf_addf(&sb, "confidence that no good verdict missed a reproduction: %.4f "
				  "(product of 1-(1-%.2f)^runs over the good verdicts; more --runs raise it)\n",
				  rep->confidence, rep->repro_lo);
	} else {
		sbuf_addf(&sb, "rule: Welch test vs the good end at alpha %.3g, bad if %s by >= %.1f%%\n",
			  rule->alpha, rule->higher_is_better ? "lower" : "higher",
			  100 * rule->threshold / 2);
	}
	for (size_t i = 0; i < rep->nr_evals; i++)
		sbuf_addf(&sb, "  %.12s  %-5s  %s\n", rep->evals[i].commit,
			  rev_verdict_name(rep->evals[i].verdict),
			  rep->evals[i].why ? rep->evals[i].why : "");
	return sbuf_detach(&sb, NULL);
}

int bisect_report_write(const char *path, const struct bisect_report *rep)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	int ret;

	json_object_object_add(o, "schema", json_object_new_string("zdbench.bisect/1"));
	json_object_object_add(o, "found", json_object_new_boolean(rep->found));
	json_object_object_add(o, "culprit", rep->culprit ? json_object_new_string(rep->culprit) : NULL);
	json_object_object_add(o, "subject", rep->subject ? json_object_new_string(rep->subject) : NULL);
	json_object_object_add(o, "parent", rep->parent ? json_object_new_string(rep->parent) : NULL);
	json_object_object_add(o, "confirmed", json_object_new_boolean(rep->confirmed));
	json_object_object_add(o, "message", json_object_new_string(rep->message ? rep->message : ""));
	json_object_object_add(o, "steps", json_object_new_int(rep->steps));
	json_object_object_add(o, "repro_rate", json_object_new_double(rep->repro_rate));
	json_object_object_add(o, "repro_rate_lower95", json_object_new_double(rep->repro_lo));
	if (isfinite(rep->confidence))
		json_object_object_add(o, "confidence", json_object_new_double(rep->confidence));
	for (size_t i = 0; i < rep->nr_evals; i++)
		json_object_array_add(a, eval_json(&rep->evals[i]));
	json_object_object_add(o, "evaluations", a);
	ret = zd_json_write(path, o);
	json_object_put(o);
	return ret;
}
