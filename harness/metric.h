/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_METRIC_H
#define ZD_METRIC_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

/*
 * What can be measured of a repetition: one table, so compare, bisect,
 * nightly, plot and the run summary agree on names, units and direction.
 * A value is NAN when the sample does not carry the metric (fio's
 * bandwidth on a gup workload, a counter the PMU lacks).
 *
 * Beyond the table, two families are resolved by name:
 *   counter.<name>  a libperf counter's value (e.g. counter.task-clock)
 *   extra.<name>    any other number of the agent's sample line
 * Both lower is better, unit "count".
 */
struct zd_metric {
	const char *name;	/* "ns_per_page", "counter.cycles", ... */
	const char *unit;	/* "ns", "B/s", "IO/s", "count", ... */
	const char *what;	/* one line for humans */
	bool higher_is_better;
	/* the value of one repetition; key: the family's name after the dot */
	double (*get)(const struct zd_sample *s, const char *key);
	const char *key;
};

/* The table, in the order reports list them. */
extern const struct zd_metric zd_metrics[];
extern const size_t zd_nr_metrics;

/*
 * Look a metric up by name: the table, or counter.X / extra.X (the
 * returned metric points into name, which must outlive it). 0 on success,
 * -1 (no message) for an unknown name.
 */
int metric_find(const char *name, struct zd_metric *out);
static inline double metric_value(const struct zd_metric *m, const struct zd_sample *s)
{
	return m->get(s, m->key);
}
/*
 * The finite values of m over r's samples, in order, into a new array
 * (caller frees; never NULL); *n their number (0: the result lacks it).
 */
double *metric_values(const struct zd_metric *m, const struct zd_result *r, size_t *n);
/* "ns_per_page, elapsed_ns, ..." for usage and error messages (static). */
const char *metric_names(void);

#endif
