/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_RUNSET_H
#define ZD_RUNSET_H

#include <stdbool.h>

#include "result.h"

/*
 * A run set: results of one run (or one variant of it) in memory, grouped
 * by variant. The one loader from disk for compare, plot and nightly;
 * run_matrix hands back the same thing without a trip to disk.
 *
 * On disk a run folder holds variant folders; a variant folder is one that
 * holds <workload>.json result files (run.json and plan.json are not
 * results). Anything else in a run folder (plots/, logs) is skipped.
 */
struct run_set {
	char *dir;
	struct zd_result *res;
	size_t n;
	struct strv variants, workloads; /* distinct, in order of appearance */
	/*
	 * The machine the results were measured on (machine.h): their own
	 * "machine", else the id the run folder's run.json names (a variant
	 * folder: its parent's), else NULL (older results). Read it with
	 * run_set_machine().
	 */
	char *machine;
};

void run_set_init(struct run_set *rs, const char *dir);
/* Move *r into rs (r is left empty, safe to result_free). */
void run_set_take(struct run_set *rs, struct zd_result *r);
/* dir holds at least one <workload>.json result file and is no run folder (run.json). */
bool is_variant_dir(const char *dir);
/*
 * Load a run folder (every variant folder in it, base first, then by
 * name) or a single variant folder. -1 with a message when dir is not a
 * folder, a result file does not read (or holds a non-finite number),
 * its results name different machines, or there are no results.
 */
int run_set_load(const char *dir, struct run_set *rs);
/*
 * As run_set_load, for a command-line spec: DIR, or DIR:VARIANT (the
 * variant folder DIR/VARIANT).
 */
int run_set_load_spec(const char *spec, struct run_set *rs);
void run_set_free(struct run_set *rs);
/* rs's machine id, or ZD_MACHINE_UNKNOWN ("unknown") when it names none. */
const char *run_set_machine(const struct run_set *rs);
/* The result of variant for workload, or NULL. */
const struct zd_result *run_set_get(const struct run_set *rs,
				    const char *variant, const char *workload);

#endif
