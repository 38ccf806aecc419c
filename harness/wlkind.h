/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_WLKIND_H
#define ZD_WLKIND_H

#include <stdbool.h>

#include "config.h"
#include "kinds.h"

/*
 * Workload kinds the agent implements, and the parameters each accepts.
 * A [workload NAME] section is validated against its kind's table, so an
 * unknown or mistyped parameter is an error naming file, line and key.
 */
const struct wl_kind_desc *wl_kind_at(size_t i); /* NULL past the end */
/* Check and complete a workload: defaults filled, types checked. */
int wl_validate(struct zd_config *c, struct zd_workload *w);
/* Can this workload run on the configured dax_mode? NULL, or why not. */
char *wl_mode_check(const struct zd_config *c, const struct zd_workload *w);
struct kfacts;
/*
 * Can this workload run on a kernel with these facts (kfacts.h)? NULL, or
 * why not, naming the workload (the caller frees it): a gup workload on a
 * kernel whose mm/gup_test.h is not the ABI the agent issues.
 */
char *wl_kernel_check(const struct zd_workload *w, const struct kfacts *kf);
/* A fio workload's job file (workloads/fio/JOB.fio) */
char *wl_fio_job_path(const struct zd_config *c, const struct zd_workload *w);
/* Is this parameter an integer for its kind (for JSON typing)? */
bool wl_param_is_uint(const char *kind, const char *key);
struct json_object;
/*
 * A validated workload's params into the plan's params object: integers
 * as JSON integers, the rest as strings, plus what its kind needs beyond
 * its table (fio: job_text, the job file's text).
 */
void wl_plan_params(const struct zd_config *c, const struct zd_workload *w,
		    struct json_object *pa);

/*
 * What is wrong with a fio job's text for zdbench, or NULL (the caller
 * frees it): a buffer not on mem=mmapshared:${ZD_BUF}, a file other than
 * ${ZD_TARGET} (filename=, directory=, logs, exec_*), or ramp_time +
 * runtime that does not fit step_timeout (seconds). Messages name the line.
 */
char *fio_job_problem(const char *text, unsigned int step_timeout);

#endif
