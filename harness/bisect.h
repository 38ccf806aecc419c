/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_BISECT_H
#define ZD_BISECT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* What one build-boot-test of one revision gave. */
enum step_kind {
	STEP_CLEAN,	  /* ran; the signature (or any failure) absent */
	STEP_REPRO,	  /* ran; the failure reproduced */
	STEP_OTHER,	  /* ran; a different failure: inconclusive */
	STEP_NOBUILD,	  /* the revision does not build */
	STEP_NOBOOT,	  /* boot failed before the test */
	STEP_INFRA,	  /* QEMU, timeouts of the harness, ... */
	STEP_ABORT,	  /* the harness itself is broken: stop everything */
};

struct step_result {
	enum step_kind kind;
	double *samples;  /* metric samples (performance bisection) */
	size_t nr_samples;
	char *note;
};

/* The build-and-test step; a fake one drives the unit tests. */
struct step_ops {
	int (*run)(void *ctx, const char *tree, const char *commit,
		   struct step_result *out);
	void *ctx;
};

enum rev_verdict { REV_GOOD, REV_BAD, REV_SKIP, REV_ABORT };

/* The rule that turns repeated runs of one revision into a verdict. */
struct bisect_rule {
	unsigned int max_runs;	  /* correctness: runs before calling it good */
	unsigned int max_infra;	  /* infrastructure failures tolerated */
	/* performance bisection when metric is set */
	bool metric;
	double threshold;	  /* relative change that counts as bad, e.g. 0.05 */
	bool higher_is_better;
	double alpha;		  /* significance level of the Welch test */
};

struct rev_eval {
	char *commit;
	enum rev_verdict verdict;
	unsigned int runs, repro, other, infra;
	double *samples;
	size_t nr_samples;
	double change, ci_lo, ci_hi, p; /* performance: vs the good end */
	char *why;
};

/* Runs of one revision under the rule; perf compares against base samples. */
void rev_evaluate(const struct step_ops *ops, const struct bisect_rule *rule,
		  const char *tree, const char *commit, const double *base,
		  size_t nbase, struct rev_eval *ev);
void rev_eval_free(struct rev_eval *ev);
const char *rev_verdict_name(enum rev_verdict v);

struct json_object;

struct bisect_report {
	bool found;
	char *culprit, *subject, *parent;
	char *message;		/* why it stopped, in words */
	struct rev_eval *evals;	/* every revision tested, in order */
	size_t nr_evals;
	unsigned int steps;	/* revisions tested between the ends */
	double confidence;	/* P(no good verdict was a missed reproduction) */
	double repro_rate;	/* estimated from the bad end: k/n */
	double repro_lo;	/* its one-sided 95% Clopper-Pearson lower bound */
	bool confirmed;		/* culprit bad and parent good on fresh runs */
};

/*
 * Bisect between good and bad in tree with git bisect underneath. State
 * (every evaluation so far) is kept in state_path, so an interrupted
 * bisection resumes without repeating finished work.
 */
int bisect(const char *tree, const char *good, const char *bad,
	   const struct step_ops *ops, const struct bisect_rule *rule,
	   const char *state_path, struct bisect_report *rep);
/*
 * The state file: 1 if path does not exist; 0 and *doc (the caller puts
 * it) if it is a complete state document; -1 with a message naming the
 * file when it exists but is unreadable, torn, empty, of another schema
 * or holds an evaluation of the wrong shape. bisect() never overwrites
 * such a file: it may be the only record of hours of runs.
 */
int bisect_state_load(const char *path, struct json_object **doc);
/*
 * Why d is not a "zdbench.bisect-state/1" document with every evaluation
 * well-typed (verdict good/bad/skip, counts, finite samples), or NULL;
 * *commit names the evaluation at fault, if one is.
 */
const char *bisect_state_shape(struct json_object *d, const char **commit);
void bisect_report_free(struct bisect_report *rep);
char *bisect_report_text(const struct bisect_report *rep,
			 const struct bisect_rule *rule);
int bisect_report_write(const char *path, const struct bisect_report *rep);

#endif
