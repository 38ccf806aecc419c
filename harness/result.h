/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_RESULT_H
#define ZD_RESULT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "json.h"	/* zd_json_write/read, jstr & co., for every user of results */
#include "util.h"

/*
 * The one module that reads and writes result JSON ("zdbench.result/1").
 * See docs/results.md for the schema.
 */
#define ZD_RESULT_SCHEMA "zdbench.result/1"
#define ZD_RUN_SCHEMA "zdbench.run/1"
#define ZD_MAX_COUNTERS 16
#define ZD_MAX_CHECKS 32

struct zd_counter {
	char *name;
	char *type;	/* software | hardware */
	char *error;	/* why it did not open (no PMU, ...), or NULL */
	bool counted;
	uint64_t value, enabled, running;
};

/* A kind's own per-repetition number (fio's ios, bytes, latency percentiles). */
struct zd_extra {
	char *name;
	double value;
};

struct zd_sample {
	unsigned int rep;
	uint64_t pages, elapsed_ns;
	double ns_per_page;
	int64_t pin_acquired, pin_released;
	double get_ns_per_page, put_ns_per_page; /* gup kind: the kernel's own; NAN if absent */
	struct zd_counter counters[ZD_MAX_COUNTERS];
	size_t nr_counters;
	/* every other number of the agent's sample line, by name (owned) */
	struct zd_extra *extras;
	size_t nr_extras;
};

struct zd_check {
	char *name, *value;
	char *medium;	/* the agent's: the medium it is about, or NULL (all) */
	bool ok;
};

/* A console finding, as the classifier saw it. */
struct zd_finding {
	char *cls, *key, *phase, *text, *msg, *stack;
	char *lkp_key;	/* the classifier's lkp-tests name ("dmesg...."), or NULL (older results) */
	unsigned long line;
};

/* A phase the agent announced: taint and guest time at its ends. */
struct zd_phase {
	char *name;
	bool ok, ended;
	int64_t taint_begin, taint_end;
	int64_t t_begin_ns, t_end_ns;
};

struct zd_result {
	char *run_id, *variant, *workload, *kind;
	char *machine;	/* machine.h's id; NULL in results older than it */
	/* workload parameters as run (defaults filled in) */
	struct strv param_keys, param_vals;
	/* kernel */
	char *commit, *kernel_key, *config_hash, *compiler, *patches_hash;
	struct json_object *kernel_facts; /* kfacts_json() of the kernel, or NULL (older results) */
	/* boot */
	char *backend, *accel, *clock, *kernel_cmdline, *qemu_cmdline, *pmem;
	char *medium;	/* fsdax/ext4 | fsdax/xfs | devdax */
	unsigned int guests; /* guests booted at once on the machine (run -j); 0 read as 1 */
	char *guest_kernel; /* uname -r in the guest */
	/* measurements */
	struct zd_sample *samples;
	size_t nr_samples;
	struct zd_check checks[ZD_MAX_CHECKS];
	size_t nr_checks;
	/* outcome */
	bool ok;
	char *verdict;	/* clean | fail | hang | crash | infra */
	char *timeout;	/* NULL, or boot | step | teardown */
	char *msg;
	struct strv signatures;
	/*
	 * Boots this result covers (--interleave merges several; 0 read as 1),
	 * how many were not clean, and for signatures.v[i] in how many boots
	 * it appeared (sig_boots[i]; missing entries read as 1). Use the
	 * result_*boots() accessors.
	 */
	unsigned int boots, failed_boots;
	unsigned int *sig_boots;
	size_t nr_sig_boots;
	struct zd_finding *findings;
	size_t nr_findings;
	struct zd_phase *phases;
	size_t nr_phases;
	struct strv pgmap_refs;	/* the agent's pgmap_refs lines (variant kernels) */
	struct strv holds;	/* the agent's hold lines for this workload (vmsplice) */
	char *reproducer;
};

void result_init(struct zd_result *r);
/*
 * Is a file of this name in a variant folder a result (<workload>.json)?
 * Not hidden, ends in .json, and not one of the folder's other JSON files:
 * plan.json (the plan), boot.json (run.c's record of the boot), run.json
 * (a run folder's). Those names are why no workload may be called plan,
 * boot or run (result_reserved_name).
 */
bool result_file_name(const char *name);
/* Is this workload name one a result file may not have (plan, boot, run)? */
bool result_reserved_name(const char *workload);
/* The "proofs" object of a result: mapping, references, pgmap_refs, each "made: …", "failed: …" or "not made/measured: …" (a new object). */
struct json_object *result_proofs(const struct zd_result *r);
const char *result_param(const struct zd_result *r, const char *key);
struct zd_finding *result_add_finding(struct zd_result *r);
struct zd_phase *result_add_phase(struct zd_result *r, const char *name);
void result_free(struct zd_result *r);
/* Boots covered (>= 1), boots not clean, boots that showed signature i. */
unsigned int result_boots(const struct zd_result *r);
unsigned int result_failed_boots(const struct zd_result *r);
unsigned int result_sig_boots(const struct zd_result *r, size_t i);
/* Set signature i's boot count, growing sig_boots (new entries 1). */
void result_set_sig_boots(struct zd_result *r, size_t i, unsigned int n);
struct zd_sample *result_add_sample(struct zd_result *r);
/*
 * Append a check to checks[ZD_MAX_CHECKS], *n of them in use; medium may be
 * NULL. Past the limit nothing is silently lost: the last slot becomes the
 * check ZD_CHECKS_DROPPED, whose value counts the checks that did not fit
 * (the one it displaced included) and which is ok only if all of them were.
 */
#define ZD_CHECKS_DROPPED "checks_dropped"
void zd_check_add(struct zd_check *checks, size_t *n, const char *name, bool ok,
		  const char *value, const char *medium);
/* zd_check_add on r's checks, about every medium. */
void result_add_check(struct zd_result *r, const char *name, bool ok,
		      const char *value);
struct json_object *result_to_json(const struct zd_result *r);
/* One sample object, as in results and in the agent's sample lines. */
void sample_from_json(struct json_object *so, struct zd_sample *s);
/* A sample's extra number by name; NAN when it has none. */
double sample_extra(const struct zd_sample *s, const char *name);
/* A counted counter's value by name; NAN when absent or not counted. */
double sample_counter(const struct zd_sample *s, const char *name);
/*
 * A result from its JSON: 0, or -1 with *err (the caller frees it) saying
 * what is wrong (schema, names, verdict, an ill-typed or non-finite sample)
 * without the file's name, which the caller adds.
 */
int result_from_json(struct json_object *o, struct zd_result *r, char **err);
int result_write(const char *path, const struct zd_result *r) __attribute__((warn_unused_result));
/* result_from_json of the file at path (regular, at most ZD_MAX_JSON_BYTES). */
int result_read(const char *path, struct zd_result *r, char **err);

#endif
