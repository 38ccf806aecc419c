/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_AGENTMSG_H
#define ZD_AGENTMSG_H

#include <json-c/json.h>
#include <stdbool.h>

#include "util.h"

/*
 * The agent's results channel, read once: every JSON line it writes
 * (docs/agent-protocol.md, "Results: JSON lines"; the writers are
 * workloads/agent/emit.c and msg_new() callers) is parsed here, named by
 * its "type" and handed to the consumer's handler for that type. The
 * watcher (backend/watch.c: deadlines) and the harvester (harvest.c:
 * results) are the consumers.
 */
enum agentmsg_type {
	AM_HELLO,	/* agent started: uname, cmdline */
	AM_PLAN,	/* the plan as the agent read it */
	AM_PHASE,	/* phase begin/end, taint, t_ns */
	AM_PMEM,	/* the namespace in use */
	AM_CHECK,	/* a precondition check */
	AM_SAMPLE,	/* one repetition of a workload */
	AM_WORKLOAD,	/* a workload's outcome */
	AM_MAPPING,	/* a buffer's PTE/PMD proof */
	AM_ERROR,
	AM_WARNING,
	AM_PGMAP_REFS,	/* the pgmap refcount oracle (variant kernels) */
	AM_HOLD,	/* a vmsplice holder's account, after teardown */
	AM_DONE,	/* last line: ok */
	AM_NR
};

/* One line, parsed: valid only during the handler call. */
struct agent_msg {
	enum agentmsg_type type;
	const char *name;	  /* the "type" string */
	struct json_object *o;	  /* the whole object: fields by jstr()/jint()/... */
};

typedef void (*agentmsg_fn)(void *ctx, const struct agent_msg *m);

/* What became of the lines fed so far. */
struct agentmsg_counts {
	unsigned int lines;		/* non-empty lines */
	unsigned int bad;		/* not a JSON object: torn, cut, foreign */
	unsigned int untyped;		/* an object without a string "type" */
	unsigned int unknown;		/* a type not in the protocol table */
	unsigned int by_type[AM_NR];	/* known types, handled or not */
};

/*
 * A consumer: its handlers indexed by type (NULL: a known type it has no
 * use for), its context, and the counts. Types the table does not know
 * are counted and their names kept (unknown_types, at most
 * AGENTMSG_MAX_UNKNOWN distinct names): the protocol lets later agents add
 * types, so they are ignored, but never without trace.
 */
#define AGENTMSG_MAX_UNKNOWN 8
struct agentmsg_reader {
	const agentmsg_fn *on;	/* AM_NR entries */
	void *ctx;
	struct agentmsg_counts n;
	struct strv unknown_types;
};

/* "hello" ... "done"; NULL for an out-of-range type. */
const char *agentmsg_type_name(enum agentmsg_type t);
/* The type named s: 0, or -1 if the protocol has no such type. */
int agentmsg_type_of(const char *s, enum agentmsg_type *t);

/*
 * Feed one line (NUL-terminated; a trailing "\n" or "\r\n" is ignored,
 * an empty line is not counted). Parses it once and calls the reader's
 * handler for its type. Returns the type handled (or known but without
 * a handler), or -1 for a bad, untyped or unknown line (counted).
 */
int agentmsg_feed(struct agentmsg_reader *r, const char *line);
/* Frees unknown_types; the counts stay. */
void agentmsg_reader_free(struct agentmsg_reader *r);

#endif
