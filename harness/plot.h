/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_PLOT_H
#define ZD_PLOT_H

#include "metric.h"
#include "runset.h"

/* Run gnuplot on plot/<script>.gp with name=value variables. */
int gnuplot(const char *project_dir, const char *script, const struct strv *vars);
/*
 * Bars and strip plots of metric m (NULL: the table's first, ns_per_page)
 * per workload, in <out_dir>/plots, and <out_dir>/index.html; out_dir
 * NULL: the run folder rs->dir. -1 with a message on failure.
 */
int plot_run(const char *project_dir, const struct run_set *rs,
	     const struct zd_metric *m, const char *out_dir);
char *html_escape(const char *s);

#endif
