/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zdbench-agent: the in-guest agent. It runs as PID 1 in the initramfs,
 * prepares FS-DAX on emulated pmem, runs the planned workloads and reports
 * JSON lines on a dedicated serial port (see docs/agent-protocol.md).
 */
#ifndef ZDBENCH_AGENT_H
#define ZDBENCH_AGENT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <json.h>

#include "frame.h"
#include "kinds.h"

#define AGENT_NAME "zdbench-agent/1"
#define PLAN_SCHEMA "zdbench.plan/1"
#define PLAN_PATH "/zdbench/plan.json"
#define RESULTS_TTY "/dev/ttyS1"
#define PAGE_SZ 4096UL
#define PMD_SZ (2UL << 20) /* x86-64: a PMD maps 2 MiB */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define __printf(a, b) __attribute__((format(printf, a, b)))

/* plan.c */
struct wl_spec {
	const char *name;
	const char *kind;
	int reps;
	const char *dax_mode; /* the plan's unless the workload has its own */
	const char *fs;       /* fsdax only (NULL on devdax) */
	struct json_object *params; /* borrowed from plan->root */
};

struct plan {
	struct json_object *root;
	const char *run_id;
	const char *variant;
	const char *pmem_mode; /* "memmap", "nvdimm", "file" or "host" */
	const char *dax_mode;  /* "fsdax" or "devdax" */
	const char *fs;        /* fsdax: "ext4" or "xfs" */
	const char *mountpoint;
	const char *namespace; /* optional: NULL = first one found */
	int hung_task_timeout; /* -1: keep the kernel default */
	int step_timeout;
	int teardown_timeout;
	bool teardown;
	bool nvdimm_init_labels; /* may rewrite NVDIMM labels */
	bool host;		 /* not PID 1: a real machine's running kernel */
	/*
	 * The kernel's facts as the harness read them from its sources
	 * (harness/kfacts.h): "pins" or "gets", what block-device O_DIRECT
	 * takes on user pages; "unknown" when nobody could tell.
	 */
	const char *dio_refs;
	size_t nr_workloads;
	struct wl_spec *workloads;
};

int plan_load(struct plan *p, const char *path, char *err, size_t errlen);
void plan_free(struct plan *p);
/*
 * A parameter of the workload's kind, after workload_check passed the set:
 * the plan's value, else the default in the kind's row (kinds.c); a key
 * outside the row (fio's job_text) reads as "" or 0 when absent.
 */
const char *param_str(const struct wl_spec *w, const char *key);
int64_t param_uint(const struct wl_spec *w, const char *key);

/* emit.c: the results channel, the console and the kernel log */
int emit_open(const char *tty);
int emit_open_file(const char *path);
bool emit_console_from_cmdline(void);
void emit_use_fd(int fd);
void emit_close(void);
int emit_fd(void);
int emit_console_fd(void); /* -1 unless zdbench.console=1 */
void emit_set_phase(const char *phase);
void emit_set_medium(const char *medium);
const char *emit_phase_name(void);
struct json_object *msg_new(const char *type);
void emit(struct json_object *msg);
void emit_hello(void);
void emit_error(const char *fmt, ...) __printf(1, 2);
void emit_warning(const char *fmt, ...) __printf(1, 2);
void emit_check(const char *name, bool ok, struct json_object *value);
void emit_phase(const char *phase, const char *state, bool ok, uint64_t taint);
void emit_done(bool ok);
void logmsg(const char *fmt, ...) __printf(1, 2);
void kmsg(const char *fmt, ...) __printf(1, 2);
void jadd_str(struct json_object *o, const char *key, const char *val);
void jadd_int(struct json_object *o, const char *key, int64_t val);
void jadd_bool(struct json_object *o, const char *key, bool val);
void jadd_double(struct json_object *o, const char *key, double val);

/* stuck.c: sysrq-l samples of a workload that stopped making progress */
/* Start the watch: it fires after 2/3 of step_timeout_s (seconds) of silence. */
void stuck_watch_start(int step_timeout_s);
/* A result line went out: the silence starts again (any thread). */
void stuck_progress(void);
/* Watch the workload phase NAME; NULL: stop watching (phase over). */
void stuck_arm(const char *name);

/* util.c */
struct cmd_result {
	int status;	/* wait status, valid when reaped */
	bool timed_out; /* killed because it ran past its timeout */
	bool stuck;	/* not reapable after SIGKILL (D state) */
	char *out;	/* captured stdout, NUL-terminated, or NULL */
	char msg[192];	/* what went wrong, for reports */
};

uint64_t now_ns(void);
int run_cmd(char *const argv[], int timeout_s, bool capture, struct cmd_result *r);
int run_fn(int (*fn)(void *), void *arg, int timeout_s, struct cmd_result *r);
void cmd_result_free(struct cmd_result *r);
void reap_orphans(void);
ssize_t read_file(const char *path, char *buf, size_t len);
int read_u64_file(const char *path, uint64_t *val);
int write_file(const char *path, const char *s);
int mkdir_p(const char *path, mode_t mode);
uint64_t read_taint(void);
int vmstat_read(const char *const keys[], uint64_t *vals, size_t n);

/* pmem.c */
struct pmem {
	char ns[64];	   /* namespace0.0 */
	char blockdev[32]; /* pmem0 */
	char chardev[32];  /* dax0.0 (devdax) */
	char devpath[48];  /* /dev/pmem0, or /dev/dax0.0 for devdax */
	char mode[16];	   /* fsdax, devdax, raw, ... */
	char map[16];	   /* mem, dev */
	uint64_t size;
	bool devdax;
	bool found;
	bool mounted;
};

int pmem_setup(const struct plan *p, struct pmem *pm);
bool pmem_checks(const struct plan *p, const struct pmem *pm);
bool pmem_teardown(const struct plan *p, struct pmem *pm);
bool pmem_reenable(const struct plan *p, const struct pmem *pm);

/* counters.c: libperf counters (software; hardware where a PMU exists) */
struct perf_evsel;
struct perf_thread_map;

#define NR_COUNTERS 16

struct counter {
	const char *name;
	uint32_t type;		/* PERF_TYPE_* */
	uint64_t config;
	struct perf_evsel *evsel;
	bool opened;
	int err;		/* errno from perf_event_open when !opened */
	uint64_t val, ena, run; /* deltas over the last start/stop */
	uint64_t v0, e0, r0;	/* raw values read at start */
};

struct counters {
	struct perf_thread_map *threads;
	struct counter c[NR_COUNTERS];
	size_t n;
};

void counters_open(struct counters *cs);
void counters_start(struct counters *cs);
void counters_stop(struct counters *cs);
struct json_object *counters_json(const struct counters *cs);
void counters_close(struct counters *cs);
int tracepoint_id(const char *event);
void tracepoints_count(const char *const *evs, size_t n, void (*fn)(void *), void *arg,
		       int64_t *out);

/* workload.c */
struct wl_ctx {
	const struct plan *plan;
	const struct pmem *pm;
	const struct wl_spec *spec;
};

/*
 * A kind's code: wl_<kind>.c defines wl_<kind>_ops for every kind of
 * WL_KINDS (kinds.h); its name, summary and parameters are its row in
 * kinds.c.
 */
struct workload_ops {
	/* Emits samples itself; returns 0 or fills msg and returns -1. */
	int (*run)(const struct wl_ctx *ctx, char *msg, size_t msglen);
};

struct pin_stats {
	uint64_t acquired;
	uint64_t released;
	uint64_t minflt; /* this task's minor faults (GUP's faults count too) */
};

struct sample {
	int rep;
	uint64_t pages;
	uint64_t elapsed_ns;
	struct pin_stats pins; /* deltas */
	const struct counters *cs;
};

/* The ops of a kind of WL_KINDS; NULL for an unknown name. */
const struct workload_ops *workload_find(const char *kind);
/*
 * The kind's parameter rules (kinds.c's one checker) on a plan's params,
 * JSON types first: 0, or -1 with msg ("param bs_kib must be an integer").
 */
int workload_check(const struct wl_spec *w, char *msg, size_t len);
int pin_stats_read(struct pin_stats *ps);
int pins_begin(struct pin_stats *p0, char *msg, size_t len);
void pins_end(const struct pin_stats *p0, struct sample *s);
int no_faults(const struct sample *s, char *msg, size_t len);
struct json_object *sample_json(const struct wl_ctx *ctx, const struct sample *s);
void sample_emit(const struct wl_ctx *ctx, const struct sample *s);

/* daxbuf.c: a prefaulted PTE- or PMD-mapped MAP_SHARED DAX file buffer */
struct daxbuf {
	size_t len;	/* bytes, set by the caller */
	bool pmd;	/* set by daxbuf_mapping(): PMD (else PTE) mapping */
	bool dflt;	/* "default": kernel's choice, no placement or advice */
	bool devdax;	/* mapped from the device, not a file */
	bool anon;	/* the control: private anonymous memory */
	bool no_prefault; /* leave it to GUP (to show the slow path is caught) */
	char path[256];
	int fd;
	void *res;	/* reserved address range, contains map */
	size_t res_len;
	char *map;
	off_t off;	/* file offset daxbuf_remap() maps at (0 unless the caller moves it) */
};

void daxbuf_params(const struct wl_spec *w, struct daxbuf *b);
const char *daxbuf_mapping_name(const struct daxbuf *b);
int daxbuf_map(const struct wl_ctx *ctx, struct daxbuf *b, char *msg, size_t len);
int daxbuf_remap(struct daxbuf *b, char *msg, size_t len);
void daxbuf_unmap_window(struct daxbuf *b);
void daxbuf_unmap(struct daxbuf *b, bool unlink_file);
void pgmap_refs_emit(const char *when);

/* wl_<kind>.c: one ops table per kind */
#define WL_OPS_DECL(name) extern const struct workload_ops wl_##name##_ops;
WL_KINDS(WL_OPS_DECL)
#undef WL_OPS_DECL

/* wl_vmsplice.c */
void holders_wait(void);

#endif /* ZDBENCH_AGENT_H */
