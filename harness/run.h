/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_RUN_H
#define ZD_RUN_H

#include <stdio.h>

#include "config.h"
#include "kbuild.h"
#include "result.h"

struct run_opts {
	const char *backend;	/* "qemu" */
	const char *out_dir;	/* explicit run folder, else results_dir/<id> */
	const char *reproducer;	/* the command line that reproduces this run */
	unsigned int interleave; /* boots per variant, alternating (0, 1: one) */
	/* out: the stage a harness error (exit 2) came from */
	enum { STAGE_NONE, STAGE_SETUP, STAGE_SOURCE, STAGE_BUILD, STAGE_IMAGE,
	       STAGE_BOOT } failed_stage;
};

/* Exit status: 0 all clean, 1 some run not clean, 2 harness error. */
int run_matrix(const struct zd_config *c, struct run_opts *o,
	       char **run_dir);
struct backend_ops;
/* The plan the agent reads (/zdbench/plan.json); the backend adds its fields. */
struct json_object *plan_json(const struct zd_config *c, const struct backend_ops *be,
			      const char *run_id, const char *variant);
void print_summary(FILE *f, struct zd_result *res, size_t n);

#endif
