/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_STEP_H
#define ZD_STEP_H

#include "bisect.h"
#include "config.h"

/* The real build-boot-test step for bisection (a struct step_ops ctx). */
struct real_step {
	struct zd_config *cfg;	 /* source = tree, variant HEAD, set by setup */
	const char *signature;	 /* KEY or KEY@PHASE; NULL: any failure */
	const char *metric;	 /* a metric_find() name; NULL: correctness */
	const char *out_root;	 /* each run goes to out_root/<commit12>-<n> */
	unsigned int seq;
};

/* Point the config at tree's checked-out HEAD, as the pseudo-variant HEAD. */
void step_setup(struct real_step *rs, struct zd_config *cfg, const char *tree);
int real_step_run(void *ctx, const char *tree, const char *commit,
		  struct step_result *out);
/* git bisect run's exit codes: 0 good, 1 bad, 125 skip, 128 abort. */
int verdict_exit_code(enum rev_verdict v);
bool signature_matches(const char *want, const char *have);

#endif
