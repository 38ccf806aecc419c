/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_REPORT_H
#define ZD_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "metric.h"
#include "runset.h"

/*
 * Report formats: a run set rendered for the tools CI runners and kernel
 * labs already read (KTAP, JUnit XML, a JSON summary, lkp-style stats).
 * One file per format under harness/report/, each a struct report_ops in
 * report.c's table, as the boot backends are (a new format is one file
 * and one row).
 *
 * Every format lists one test point per variant x workload, in the run
 * set's order (variants as loaded, base first; workloads in order of
 * appearance), and maps a result the same way (report_outcome()).
 * Nothing a result carries (names, messages, console text) becomes markup
 * or structure: each format escapes it for its own syntax.
 */
struct report_ops {
	const char *name;	/* "ktap", as --format takes it */
	const char *what;	/* one line for --help */
	/* Render rs to f: 0, or -1 (reported) on a write error of f. */
	int (*write)(const struct run_set *rs, FILE *f);
};

extern const struct report_ops report_ktap, report_junit, report_summary, report_lkp;

/* The format named name, or NULL. */
const struct report_ops *report_find(const char *name);
/* "ktap|junit|json|lkp" (static), for usage and error messages. */
const char *report_names(void);

/*
 * Render rs with ops to path, or to stdout when path is NULL or "-". A file
 * is written atomically (the whole report in memory, then temp + fsync +
 * rename: a killed run never leaves half an XML file for the CI runner).
 * 0, or -1 with "cannot write PATH: reason" reported.
 */
int report_write(const struct report_ops *ops, const struct run_set *rs, const char *path);

/* How a result counts in a test report. */
enum report_outcome {
	RO_PASS,	/* verdict clean and the workload ok */
	RO_FAIL,	/* the kernel under test failed: fail, hang, crash, or
			 * clean but not ok; also an unknown verdict */
	RO_SKIP,	/* infra: nothing said about the kernel */
};
/*
 * The outcome of r, by its verdict (verdict.c's names) and ok, as
 * run_matrix's exit status reads them; *why (may be NULL) the reason in
 * words for a fail or skip (the result's msg, else its timeout, else its
 * verdict), never NULL.
 */
enum report_outcome report_outcome(const struct zd_result *r, const char **why);

/* Test points of rs by outcome: every variant x workload that has a result. */
struct report_counts {
	size_t tests, passed, failed, skipped;
};
void report_count(const struct run_set *rs, struct report_counts *c);

/*
 * The exit status (exitcode.h) the outcomes of rs mean, as a run's: 1 if a
 * point failed, else 3 if one was skipped (infra), else 0.
 */
int report_exit(const struct run_set *rs);

/*
 * rs's test points in report order (variant by variant, each in the run
 * set's workload order; a variant without a workload has no point for it),
 * as a new array of pointers into rs (caller frees; NULL when none).
 * Returns their number.
 */
size_t report_points(const struct run_set *rs, const struct zd_result ***out);

/*
 * The median of metric m over r's samples (metric.h's table); NAN when no
 * sample carries it. *n (may be NULL) the number of values.
 */
double report_median(const struct zd_metric *m, const struct zd_result *r, size_t *n);

/*
 * The lkp-tests name of finding i of r: the key the classifier gave it
 * (classify.c's lkp_key, "dmesg.WARNING:at_fs/dax.c:#func"), or for a
 * result written before findings carried one, the same derived from its
 * zdbench key. Caller frees.
 */
char *report_lkp_key(const struct zd_result *r, size_t i);

/*
 * s made safe as text: invalid UTF-8 becomes U+FFFD; control characters
 * (other than those ctl_ok lists) become "\n", "\r", "\t" or "\xHH"
 * escapes, so a console line never adds a line or a byte an XML parser
 * refuses. Appended to sb; s NULL appends nothing.
 */
void report_add_text(struct sbuf *sb, const char *s, const char *ctl_ok);

#endif
