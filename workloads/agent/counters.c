// SPDX-License-Identifier: GPL-2.0
/*
 * Perf counters on the agent's own task, through libperf. Software events
 * always; hardware events (cycles, instructions) where a PMU exists: TCG
 * guests have none, so they are tried, never assumed, and each counter
 * reports whether it opened (with the errno if not), whether it counted,
 * and time enabled/running for multiplexing. Tracepoints (page_ref_*,
 * fs_dax faults) where the kernel has them: the debug flavour
 * (kernels/fragments/debug.config); absent ones are not listed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <perf/core.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>

#include "agent.h"

#define NR_FIXED 5

static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} events[NR_FIXED] = {
	{"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
	{"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
	{"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
	{"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
	{"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
};

/* Counted per task: the refcount operations the workload itself made. */
static const char *const tracepoints[] = {
	"page_ref/page_ref_mod",	   "page_ref/page_ref_mod_and_test",
	"page_ref/page_ref_mod_and_return", "page_ref/page_ref_mod_unless",
	"page_ref/page_ref_freeze",	   "page_ref/page_ref_unfreeze",
	"page_ref/page_ref_set",	   "fs_dax/dax_pte_fault_done",
	"fs_dax/dax_pmd_fault_done",
};

static const char *const tracefs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

/* The tracepoint's id, or -1 if this kernel does not have it. */
int tracepoint_id(const char *event)
{
	char path[256], buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tracefs); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/id", tracefs[i], event);
		if (read_file(path, buf, sizeof(buf)) > 0)
			return atoi(buf);
	}
	return -1;
}

static int libperf_log(enum libperf_print_level level, const char *fmt, va_list ap)
{
	if (level > LIBPERF_WARN)
		return 0;
	fputs("zdbench-agent: libperf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static void counter_open(struct counter *c, uint32_t type, uint64_t config,
			 struct perf_thread_map *threads)
{
	struct perf_event_attr attr = {
		.type = type,
		.size = sizeof(attr),
		.config = config,
		.disabled = 1,
		.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING,
	};
	int err;

	c->evsel = perf_evsel__new(&attr);
	if (!c->evsel) {
		c->err = ENOMEM;
		return;
	}
	err = perf_evsel__open(c->evsel, NULL, threads);
	if (err) {
		c->err = err < 0 ? -err : err;
		perf_evsel__delete(c->evsel);
		c->evsel = NULL;
		return;
	}
	c->opened = true;
}

/*
 * Add tracepoints to the set. An absent one is skipped, or, if keep_absent,
 * listed unopened (ENOENT) so its slot still lines up with the caller's list.
 */
static void add_tracepoints(struct counters *cs, const char *const *evs, size_t n,
			    bool keep_absent)
{
	for (size_t i = 0; i < n && cs->n < NR_COUNTERS; i++) {
		struct counter *c = &cs->c[cs->n];
		int id = tracepoint_id(evs[i]);

		if (id < 0 && !keep_absent)
			continue;
		c->name = evs[i];
		c->type = PERF_TYPE_TRACEPOINT;
		c->config = id < 0 ? 0 : (uint64_t)id;
		c->err = id < 0 ? ENOENT : 0;
		cs->n++;
	}
}

/* Open every listed counter on this task only, any CPU. */
static void open_all(struct counters *cs)
{
	size_t i;

	cs->threads = perf_thread_map__new_dummy();
	if (!cs->threads) {
		for (i = 0; i < cs->n; i++)
			cs->c[i].err = ENOMEM;
		return;
	}
	perf_thread_map__set_pid(cs->threads, 0, getpid());
	for (i = 0; i < cs->n; i++)
		if (!cs->c[i].err)
			counter_open(&cs->c[i], cs->c[i].type, cs->c[i].config, cs->threads);
}

void counters_open(struct counters *cs)
{
	size_t i;

	memset(cs, 0, sizeof(*cs));
	libperf_init(libperf_log);
	for (i = 0; i < NR_FIXED; i++) {
		cs->c[i].name = events[i].name;
		cs->c[i].type = events[i].type;
		cs->c[i].config = events[i].config;
	}
	cs->n = NR_FIXED;
	add_tracepoints(cs, tracepoints, ARRAY_SIZE(tracepoints), false);
	open_all(cs);
}

static int counter_read(struct counter *c, uint64_t *v, uint64_t *e, uint64_t *r)
{
	struct perf_counts_values cv;

	if (!c->opened || perf_evsel__read(c->evsel, 0, 0, &cv))
		return -1;
	*v = cv.val;
	*e = cv.ena;
	*r = cv.run;
	return 0;
}

/* Counters stay open; a rep's value is the delta between start and stop. */
void counters_start(struct counters *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		struct counter *c = &cs->c[i];

		c->val = c->ena = c->run = 0;
		if (counter_read(c, &c->v0, &c->e0, &c->r0))
			continue;
		perf_evsel__enable(c->evsel);
	}
}

void counters_stop(struct counters *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		struct counter *c = &cs->c[i];
		uint64_t v, e, r;

		if (!c->opened)
			continue;
		perf_evsel__disable(c->evsel);
		if (counter_read(c, &v, &e, &r))
			continue;
		c->val = v - c->v0;
		c->ena = e - c->e0;
		c->run = r - c->r0;
	}
}

struct json_object *counters_json(const struct counters *cs)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < cs->n; i++) {
		const struct counter *c = &cs->c[i];
		struct json_object *o = json_object_new_object();

		jadd_str(o, "name", c->name);
		jadd_str(o, "type", c->type == PERF_TYPE_HARDWARE ? "hardware" :
				    c->type == PERF_TYPE_TRACEPOINT ? "tracepoint" : "software");
		jadd_bool(o, "opened", c->opened);
		/* Counted only if it was on a PMU for part of the window. */
		jadd_bool(o, "counted", c->opened && c->run > 0);
		if (c->opened) {
			jadd_int(o, "value", (int64_t)c->val);
			jadd_int(o, "enabled", (int64_t)c->ena);
			jadd_int(o, "running", (int64_t)c->run);
		} else {
			jadd_str(o, "error", strerror(c->err));
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

void counters_close(struct counters *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		struct counter *c = &cs->c[i];

		if (!c->evsel)
			continue;
		perf_evsel__close(c->evsel);
		perf_evsel__delete(c->evsel);
		c->evsel = NULL;
		c->opened = false;
	}
	if (cs->threads)
		perf_thread_map__put(cs->threads);
	cs->threads = NULL;
}

/*
 * Count tracepoint events on this task while fn(arg) runs: out[i] is the
 * count of evs[i], or -1 where the kernel has no such tracepoint (the
 * performance flavour) or it could not be opened.
 */
void tracepoints_count(const char *const *evs, size_t n, void (*fn)(void *), void *arg,
		       int64_t *out)
{
	struct counters cs;
	size_t i;

	memset(&cs, 0, sizeof(cs));
	libperf_init(libperf_log);
	add_tracepoints(&cs, evs, n, true);
	open_all(&cs);
	counters_start(&cs);
	fn(arg);
	counters_stop(&cs);
	for (i = 0; i < n; i++)
		out[i] = i < cs.n && cs.c[i].opened ? (int64_t)cs.c[i].val : -1;
	counters_close(&cs);
}
