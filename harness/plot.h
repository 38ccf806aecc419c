/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_PLOT_H
#define ZD_PLOT_H

#include "result.h"

/* One run folder's results, grouped by variant. */
struct run_set {
	char *dir;
	struct zd_result *res;
	size_t n;
	struct strv variants, workloads; /* distinct, in order of appearance */
};

int run_set_load(const char *dir, struct run_set *rs);
void run_set_free(struct run_set *rs);
const struct zd_result *run_set_get(const struct run_set *rs,
				    const char *variant, const char *workload);

/* Run gnuplot on plot/<script>.gp with name=value variables. */
int gnuplot(const char *project_dir, const char *script, const struct strv *vars);
/* Bars and strip plots per workload plus index.html, in <run>/plots. */
int plot_run(const char *project_dir, const struct run_set *rs);
char *html_escape(const char *s);

#endif
