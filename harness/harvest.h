/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_HARVEST_H
#define ZD_HARVEST_H

#include "result.h"

/* What the agent said over the results channel (docs/agent-protocol.md). */
struct agent_report {
	bool hello, done, done_ok;
	char *release;		 /* guest uname -r */
	struct zd_check checks[ZD_MAX_CHECKS];
	size_t nr_checks;
	struct strv errors;	 /* "phase: message" */
	struct strv error_phases; /* the phase of each, as the agent named it */
	struct strv pmem;	 /* raw JSON of the pmem lines */
	struct strv pgmap_refs;	 /* raw JSON of the pgmap_refs lines */
	struct strv holds;	 /* raw JSON of the hold lines (vmsplice holders) */
	unsigned int bad_lines;	 /* lines that were not JSON objects with a "type" */
	unsigned int unknown_lines; /* lines of a type agentmsg.c does not know */
	struct strv unknown_types; /* their type names, distinct (at most 8) */
	long taint_first, taint_last;
	struct zd_result phases;	 /* only .phases used: shared by all workloads */
};

/*
 * Read results.jsonl (the agent's lines, through agentmsg.c); fill the
 * samples, checks (dax_mapping) and workload outcome of each result
 * (matched by workload name) and the shared report. Torn and unknown lines
 * are counted in rep and noted on stderr. Returns 0 (also for a missing
 * file: the agent said nothing), -1 if the file exists but cannot be read.
 */
int harvest(const char *path, struct zd_result *res, size_t nres,
	    struct agent_report *rep);
void agent_report_free(struct agent_report *rep);

struct sbuf;
/*
 * A console that carries the agent's lines framed (workloads/frame.h,
 * zdbench.console=1: a LAVA board's one serial line) split in two: the
 * console without the frames (what the classifier reads) into con, the
 * agent's JSON lines (what harvest() reads) into jsonl. '\r' before '\n' is
 * dropped. *torn counts frames cut short (a kernel message inside one, the
 * log ending mid-line): they stay in con as text, never in jsonl.
 */
void harvest_unframe_buf(const char *in, size_t len, struct sbuf *con,
			 struct sbuf *jsonl, unsigned int *torn);
/*
 * The same from the file console to the files con_out and jsonl_out
 * (written atomically; either may equal console). 0, or -1 after an error
 * naming the file. Cut frames are noted on stderr.
 */
int harvest_unframe(const char *console, const char *con_out, const char *jsonl_out,
		    unsigned int *torn);

#endif
