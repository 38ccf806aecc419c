/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_CLASSIFY_H
#define ZD_CLASSIFY_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"
#include "verdict.h"

/* Console classification: findings with stable signatures, and a verdict. */

struct finding {
	char *cls;	/* WARNING, PCPU_UNDERFLOW, HUNG_TASK, PANIC, OOPS, ... */
	char *key;	/* normalised signature, same failure => same key */
	char *lkp_key;	/* the same finding as lkp-tests names it: dmesg.... */
	char *phase;	/* workload phase the agent had marked, or "boot" */
	char *detail;	/* the matching line */
	char *msg;	/* a WARNING's message line(s), either layout */
	char *stack;	/* up to 12 reliable frames, innermost first: a<b<c */
	unsigned long line;
	enum zd_verdict verdict;	/* this finding's own weight (OOM: see oom_fails) */
	/* the classifier's own bookkeeping while the key is not complete */
	char *base, *fallback, *fn, *guilty;
	int want;
};

struct classification {
	struct finding *f;
	size_t n;
	bool reached_init;	/* "Run /init as init process" seen */
	bool kernel_started;	/* "Linux version" seen */
	bool userspace_started;	/* "Freeing unused kernel ... memory": init is next */
	bool banner_first;	/* the log starts with the boot banner */
	unsigned long lines;
	unsigned long kernel_lines;	/* lines with a printk prefix ([ 1.2], <4>, ...) */
	char *last_phase;	/* phase marked last (timeouts are tied to it) */
	enum zd_verdict verdict;
	/*
	 * Set by the caller between classify_stream/classify_file and
	 * classify_finish (the stream resets the structure):
	 * own_boot: the harness started this boot, so a console without the
	 * boot banner is the harness's trouble (infra), not an excerpt.
	 * Without it, a log that does not start with "Linux version" is an
	 * excerpt and is judged by what it contains.
	 * oom_fails: an OOM kill fails the run (default: a finding only).
	 */
	bool own_boot;
	bool oom_fails;
	bool excerpt;		/* set by classify_finish: judged as an excerpt */
	struct cl_index *index;	/* (key, phase) -> settled findings: classify.c's */
	struct nmi_samples *nmi; /* sysrq-l samples of a stuck step (nmisample.h) */
};

/*
 * Compile the patterns (once; later calls return 0 at once). -1 with a
 * message if one does not compile, with nothing left allocated, so a later
 * call tries again. classify_stream/classify_file call it themselves.
 */
int classify_init(void);
/* Free the compiled patterns; the next classify_init compiles them again. */
void classify_fini(void);
/*
 * Tests only: compile pattern instead of the id'th built-in one (0 <= id <
 * the number of patterns) at the next classify_init; NULL restores it.
 */
void classify_test_override(unsigned int id, const char *pattern);
/* PCRE2 blocks allocated and not yet freed (patterns, match data): for leak tests. */
size_t classify_live_blocks(void);
/* Classify a console read from IN (any bytes, any length; lines are cut at
 * 4 KiB). Resets *cl. Returns 0, or -1 if the patterns do not compile. */
int classify_stream(FILE *in, struct classification *cl);
int classify_file(const char *path, struct classification *cl);
/* Fold the run's own timeouts (NULL, boot, step, teardown, shutdown) in. */
void classify_finish(struct classification *cl, const char *timeout);
void classification_free(struct classification *cl);

#endif
