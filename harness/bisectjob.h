/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_BISECTJOB_H
#define ZD_BISECTJOB_H

#include <stdbool.h>

#include "config.h"

/* What one bisection is asked to do (zdbench bisect, nightly's new failures). */
struct bisect_args {
	const char *tree;	/* kernel git tree; NULL: [kernel] tree if source = tree, else cwd */
	const char *good, *bad;	/* revisions, both required */
	const char *signature;	/* KEY or KEY@PHASE; NULL: any failure (correctness) */
	const char *metric;	/* a metric name (performance); NULL: correctness */
	double threshold;	/* relative change that counts (0.05 = 5 %), metric only */
	bool higher_is_better;
	unsigned int runs;	/* runs per revision, 0: 3 */
	const char *out_dir;	/* report and state; NULL: results/bisect-<time>, state in the cache */
};

/*
 * The whole job: the real build-boot step (step.c) under the bisection
 * algorithm (bisect.c), the state kept so a rerun resumes, report.json and
 * report.txt written to the output folder and the text printed. cfg is
 * pointed at the tree (step_setup). Returns an exit status (exitcode.h):
 * 0 culprit found and confirmed, 1 found but not confirmed or not found,
 * 2 a usage error (ends missing, unknown metric), 3 the harness aborted.
 */
int bisect_job(struct zd_config *cfg, const struct bisect_args *a);

#endif
