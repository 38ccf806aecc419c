/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_CONFIG_H
#define ZD_CONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

#define ZD_MAX_WORKLOADS 64
#define ZD_MAX_LIST 32

struct zd_list {
	char *v[ZD_MAX_LIST];
	size_t n;
	bool overflow;	/* list_set was given more than ZD_MAX_LIST: see config_validate */
};

#define ZD_MAX_PARAMS 24

struct zd_param {
	char *key, *val;
	char *origin;	/* file (or "command line") and line, for errors */
	int line;
};

/* One [workload NAME] section: a named workload of a kind (wlkind.c). */
struct zd_workload {
	char *name;
	char *kind;
	char *kind_origin;
	int kind_line;
	char *origin;		/* where the section was first seen (its first key) */
	int line;
	char *dax_mode;		/* NULL: [run] dax_mode */
	char *fs;		/* NULL: [run] fs (fsdax only) */
	struct zd_param params[ZD_MAX_PARAMS];
	size_t nr_params;
};

/*
 * One [variant NAME] section: a kernel from outside kernels/ (variant.c
 * resolves it). Keys: rev (a revision of the tree), patches (a folder of
 * format-patch files or one mbox), kernel + config or build_dir (a kernel
 * the user built: an O= folder or a tuxmake output folder). NULL: the key is not set.
 */
struct zd_variant {
	char *name;
	char *rev, *patches, *kernel, *config, *build_dir;
	char *origin;		/* where the section was first seen */
	int line;
};

struct zd_config {
	/* [general] */
	char *cache_dir;
	char *results_dir;
	char *machine;		/* [general] machine: this machine's label, or "" (machine.h) */
	char *project_dir;	/* where kernels/ and workloads/ live */
	/* [kernel] */
	char *source;		/* debian | tree */
	char *tarball;
	char *tree;
	char *base_rev;
	struct zd_list fragments;
	char *kconfig;		/* [kernel] config: the .config to start from ("": tinyconfig) */
	unsigned int jobs;	/* 0: the number of CPUs (kbuild_jobs) */
	unsigned int build_timeout;
	bool ccache;
	/* [qemu] */
	char *qemu;
	char *accel;		/* auto | tcg | kvm */
	char *clock;		/* wall | icount */
	char *pmem;		/* memmap | nvdimm | file */
	char *pmem_path;	/* file: a file on a DAX fs or a /dev/daxX.Y */
	bool pmem_on;		/* file: memory-backend-file pmem=on */
	unsigned int mem_mib, cpus;
	unsigned int pmem_start_mib, pmem_size_mib;
	unsigned int boot_timeout, step_timeout, teardown_timeout;
	unsigned int kvm_probe_timeout, hung_task_timeout;
	char *extra_cmdline;
	/* [run] */
	struct zd_list variants;
	struct zd_list run_workloads;
	unsigned int reps;
	bool teardown;
	bool oom_fails;		/* an OOM kill fails the run (else a finding only) */
	char *dax_mode;		/* fsdax | devdax */
	char *fs;		/* fsdax: ext4 | xfs */
	/* [host]: the real machine of the host backend */
	char *host_ns;		/* the one namespace zdbench may touch */
	char *host_size;	/* its size as ndctl reports it (bytes, K/M/G) */
	bool host_destructive;	/* its data may be destroyed */
	char *host_mountpoint;
	char *host_variant;	/* the name results give the running kernel */
	char *host_kconfig;	/* the running kernel's .config, if no /proc/config.gz */
	/* [lava]: a LAVA lab (zdbench lava, backend/lava.c) */
	char *lava_url;		/* lavacli --uri: the server's XML-RPC URL */
	char *lava_identity;	/* lavacli -i: an identity in lavacli.yaml */
	char *lava_device_type;	/* the job's device_type */
	unsigned int lava_timeout; /* seconds a job may take, queue and boot */
	/* not a key: what the lava backend does with a job (builtin/lava.c) */
	bool lava_submit;	/* lavacli to lava_url, else lava-run here */
	/* [variant *] */
	struct zd_variant uvariants[ZD_MAX_LIST];
	size_t nr_uvariants;
	/* [workload *] */
	struct zd_workload workloads[ZD_MAX_WORKLOADS];
	size_t nr_workloads;

	/* parse state */
	char *err;		/* first error, "file:line: message" */
	int err_line;
	struct strv errors;	/* every error, in the order found, same shape */
	struct strv where_keys, where_at; /* "section.key" -> "file:line" (config_where) */
};

/*
 * One key of the declarative key table: where it lives in struct zd_config
 * and how its value is checked. config.c has the general sections; each
 * backend declares its own section's keys beside it (backend_ops.keys).
 */
enum config_ktype { K_STR, K_UINT, K_BOOL, K_LIST, K_ENUM };

struct config_key {
	const char *section;	/* "workload" matches [workload NAME] */
	const char *key;	/* NULL ends a table */
	enum config_ktype type;
	size_t off;		/* offsetof(struct zd_config, field) */
	const char *const *choices; /* K_ENUM, ends with NULL */
	unsigned int min, max;	    /* K_UINT */
	bool names;		    /* K_LIST: every entry is_name(); K_STR: empty or is_name() */
};

struct zd_config *config_new(void);
void config_free(struct zd_config *c);
/* Built-in defaults: the text of config.example, compiled in. */
int config_load_defaults(struct zd_config *c);
int config_load_file(struct zd_config *c, const char *path);
int config_load_string(struct zd_config *c, const char *text,
		       const char *origin);
/* "section.key=value" from the command line (-s); errors name the option. */
int config_set_override(struct zd_config *c, const char *assignment);
int config_set(struct zd_config *c, const char *section, const char *key,
	       const char *value, const char *origin, int line);
/* Cross-field checks after all sources are merged. */
int config_validate(struct zd_config *c);
/*
 * An error at origin:line (line 0: no line; origin NULL: no place, the
 * message names its keys) into c->errors, every one kept;
 * c->err keeps the first. Returns -1.
 */
int config_fail_at(struct zd_config *c, const char *origin, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int config_vfail_at(struct zd_config *c, const char *origin, int line, const char *fmt,
		    va_list ap) __attribute__((format(printf, 4, 0)));
/* A cross-field error found by a validate hook (no file:line); returns -1. */
int config_fail(struct zd_config *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Every effective key as "section.key = value", one a line, in the key
 * table's order (then each backend's section), then
 * "workload.NAME.key = value" for each workload (defaults filled in by
 * validation).
 */
void config_dump(const struct zd_config *c, FILE *f);
/* Where "section.key" got its value ("file:line", "command line"), or NULL (a default). */
const char *config_where(const struct zd_config *c, const char *section_key);
/* The [variant NAME] section, or NULL. */
const struct zd_variant *config_variant(const struct zd_config *c, const char *name);
/* A key of a [variant NAME] section (variant.c); errors name origin:line. */
int config_variant_set(struct zd_config *c, const char *name, const char *key,
		       const char *value, const char *origin, int line);
void config_variants_free(struct zd_config *c);
void config_variants_dump(const struct zd_config *c, FILE *f);
const struct zd_workload *config_workload(const struct zd_config *c,
					  const char *name);
/* What a workload runs on: its own dax_mode/fs, else [run]'s. */
const char *wl_dax_mode(const struct zd_config *c, const struct zd_workload *w);
const char *wl_fs(const struct zd_config *c, const struct zd_workload *w); /* NULL: devdax */
char *wl_medium(const struct zd_config *c, const struct zd_workload *w);  /* fsdax/ext4, devdax */
/* Does any workload of [run] workloads run on fsdax with this fs? */
bool run_uses_fs(const struct zd_config *c, const char *fs);
/*
 * Replace l with the words of value (split on blanks and commas). Returns -1
 * if there are more than ZD_MAX_LIST words (l then holds the first
 * ZD_MAX_LIST, and l->overflow is set until the next list_set): the caller
 * reports it, naming where value came from; config_validate refuses such a
 * list too, for callers that set it from the command line.
 */
int list_set(struct zd_list *l, const char *value);
const char *workload_param(const struct zd_workload *w, const char *key);
/* Set or replace a parameter; -1 (nothing stored) if w already holds ZD_MAX_PARAMS others. */
int workload_set_param(struct zd_workload *w, const char *key,
		       const char *val, const char *origin, int line) __attribute__((warn_unused_result));

#endif
