/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_HISTORY_H
#define ZD_HISTORY_H

#include <json-c/json.h>
#include <stdbool.h>

#include "runset.h"

/*
 * Nightly history: results/history/<run-id>.json, one document per run
 * ("zdbench.history/1"), never rewritten. Series are keyed
 * variant/workload/metric; each document names the machine its run
 * measured on ("machine", machine.h; absent in older ones: "unknown").
 * zdbench merge writes documents of the same shape as <run-id>@<machine>.json
 * with "content_sha256" and "source" besides (merge.h).
 */
struct json_object *history_doc(const struct run_set *rs, const char *run_id,
				const char *commit, long when);
/* Add a document; refuses to overwrite one that exists. */
int history_append(const char *hdir, const char *run_id, struct json_object *doc);
/* Every document, oldest first. */
int history_load(const char *hdir, struct json_object ***docs, size_t *n);
void history_free(struct json_object **docs, size_t n);

struct hist_report {
	struct strv new_failures;	/* signatures never seen before the last night */
	struct strv changes;		/* "series: night N (date): before -> after" */
	struct strv new_changes;	/* those the newest night made appear */
	size_t nights;
};

/* A document's machine id, "unknown" when it names none. */
const char *history_doc_machine(struct json_object *doc);
/*
 * Change points (E-divisive) per series, new failures, trend plots,
 * index.html. When the documents name more than one machine, each series
 * is one machine's ("machine/variant/workload/metric", nights counted on
 * that machine) unless pool, which reads every night as one series.
 * Documents that name no machine belong to the one machine a history
 * names otherwise, and are the series "unknown/..." beside several. New
 * failures are the last document's signatures no earlier one had, on any
 * machine.
 */
int history_analyse(const char *project_dir, const char *hdir, bool pool,
		    struct hist_report *rep);
void hist_report_free(struct hist_report *rep);

#endif
