/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_MERGE_H
#define ZD_MERGE_H

#include <stddef.h>

#include "util.h"

/*
 * Results from several machines into one place (zdbench merge):
 *
 *   OUT/<machine>/<run-id>/          a copy of the run folder (compare reads it)
 *   OUT/history/<run-id>@<machine>.json  its nightly history document
 *                                    (history.h), with content_sha256 and source
 *
 * A run's identity is (run id, machine, content hash): the sha256 of its
 * run.json and every result file, each tagged with its path in the run
 * folder. The history documents are the ledger of what was merged.
 */
struct merge_opts {
	const char *out_dir;	/* OUT */
	const char *machine;	/* the label of runs that name no machine, or NULL: "unknown" */
};

struct merge_stats {
	size_t merged;		/* copied and recorded */
	size_t skipped;		/* merged before: same run id, machine and content */
	size_t refused;		/* half uploaded, torn, unreadable: nothing recorded */
	size_t conflicts;	/* same run id and machine, other content: nothing recorded */
};

/*
 * Merge every run folder that dirs name: a run folder (it has run.json),
 * or a folder of run folders (a machine's results/; its history/ and
 * hidden entries are not runs). What happens to each run is printed on
 * stdout, each refusal on stderr naming the file. Returns the exit
 * status (exitcode.h): 0 every run merged or skipped; 3 (infrastructure)
 * a run refused or in conflict, the others still merged; 2 a dir that is
 * no folder or holds no run folder.
 */
int merge_results(const struct merge_opts *o, const struct strv *dirs,
		  struct merge_stats *st);

/*
 * Check that run folder dir is whole, as merge does before it records
 * anything: run.json parses, has the run schema and a run id that is a
 * name, and its status is not "running"; every variant run.json lists has
 * a folder holding a result for every workload it lists (or plan.json
 * lists); every result parses and names the run's id and machine. 0 with
 * *run_id, *machine (run.json's, else the results', else dflt_machine,
 * else "unknown") and hash (hex) set; -1 with *why naming the file and
 * what is wrong. The caller frees the strings.
 */
int merge_check_run(const char *dir, const char *dflt_machine, char **run_id,
		    char **machine, char hash[65], char **why);

#endif
