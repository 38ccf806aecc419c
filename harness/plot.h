/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_PLOT_H
#define ZD_PLOT_H

#include "metric.h"
#include "runset.h"

/*
 * Run gnuplot on plot/<script>.gp with vars as name, value pairs. Each value
 * reaches gnuplot as a string literal only (the scripts never eval data);
 * a value with a control character is refused. The "out" variable (a path
 * without extension) gets out.png and out.svg, renamed into place only once
 * complete: 0, or -1 with a message naming the file (ENOSPC on a full
 * disk) and neither file left behind.
 */
int gnuplot(const char *project_dir, const char *script, const struct strv *vars);
/*
 * Bars and strip plots of metric m (NULL: the table's first, ns_per_page)
 * per workload, in <out_dir>/plots, and <out_dir>/index.html; out_dir
 * NULL: the run folder rs->dir. -1 with a message on failure.
 */
int plot_run(const char *project_dir, const struct run_set *rs,
	     const struct zd_metric *m, const char *out_dir);
/*
 * dir, created if need be, as a real folder (not a symlink): 0, or -1 with
 * a message.
 */
int plot_dir(const char *dir);
/* s with < > & " ' as HTML entities (NULL: ""); the caller frees it. */
char *html_escape(const char *s);
/*
 * A file name (no folder, no extension) for a name that comes from data:
 * [A-Za-z0-9._-] kept (a leading dot is not), anything else '_' and then
 * "-" and 8 hex digits of
 * the name's hash so that two names never share a file. Never empty, never
 * starts with a dot. The caller frees it.
 */
char *plot_file_name(const char *s);

#endif
