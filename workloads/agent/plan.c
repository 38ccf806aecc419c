// SPDX-License-Identifier: GPL-2.0
/*
 * The plan: what the host wants this boot to do (zdbench.plan/1).
 * Strings point into the json-c tree, which lives until plan_free().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "media.h"

#define DEF_MOUNTPOINT "/mnt/dax"
#define DEF_STEP_TIMEOUT 120
#define DEF_TEARDOWN_TIMEOUT 60

static const char *get_str(struct json_object *o, const char *key, const char *def)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return def;
	return json_object_get_string(v);
}

static int64_t get_int(struct json_object *o, const char *key, int64_t def)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return def;
	return json_object_get_int64(v);
}

static bool get_bool(struct json_object *o, const char *key, bool def)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
		return def;
	return json_object_get_boolean(v);
}

static int parse_workload(const struct plan *p, struct json_object *o, struct wl_spec *w,
			  size_t idx, char *err, size_t errlen)
{
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "workloads[%zu] is not an object", idx);
		return -1;
	}
	w->name = get_str(o, "name", NULL);
	w->kind = get_str(o, "kind", NULL);
	w->reps = (int)get_int(o, "reps", 1);
	if (!w->name || !w->kind) {
		snprintf(err, errlen, "workloads[%zu] needs name and kind", idx);
		return -1;
	}
	if (w->reps < 1) {
		snprintf(err, errlen, "workload %s: reps must be >= 1", w->name);
		return -1;
	}
	if (!json_object_object_get_ex(o, "params", &w->params))
		w->params = NULL;
	w->dax_mode = get_str(o, "dax_mode", p->dax_mode);
	w->fs = get_str(o, "fs", p->fs);
	if (!media_valid(w->dax_mode, w->fs)) {
		snprintf(err, errlen, "workload %s: bad dax_mode \"%s\" or fs \"%s\"", w->name,
			 w->dax_mode, w->fs);
		return -1;
	}
	if (strcmp(w->dax_mode, "fsdax"))
		w->fs = NULL;
	return 0;
}

static int parse_workloads(struct plan *p, char *err, size_t errlen)
{
	struct json_object *arr;
	size_t i, n;

	if (!json_object_object_get_ex(p->root, "workloads", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "workloads is not an array");
		return -1;
	}
	n = json_object_array_length(arr);
	p->workloads = calloc(n ? n : 1, sizeof(*p->workloads));
	if (!p->workloads) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (parse_workload(p, json_object_array_get_idx(arr, i), &p->workloads[i], i, err,
				   errlen))
			return -1;
	}
	p->nr_workloads = n;
	return 0;
}

int plan_load(struct plan *p, const char *path, char *err, size_t errlen)
{
	const char *schema;

	memset(p, 0, sizeof(*p));
	p->root = json_object_from_file(path);
	if (!p->root) {
		snprintf(err, errlen, "cannot parse %s: %s", path, json_util_get_last_err());
		return -1;
	}
	schema = get_str(p->root, "schema", "");
	if (strcmp(schema, PLAN_SCHEMA)) {
		snprintf(err, errlen, "plan schema \"%s\", expected \"%s\"", schema, PLAN_SCHEMA);
		return -1;
	}
	p->run_id = get_str(p->root, "run_id", "");
	p->variant = get_str(p->root, "variant", "");
	p->pmem_mode = get_str(p->root, "pmem_mode", "memmap");
	p->dax_mode = get_str(p->root, "dax_mode", "fsdax");
	p->fs = get_str(p->root, "fs", "ext4");
	p->mountpoint = get_str(p->root, "mountpoint", DEF_MOUNTPOINT);
	p->namespace = get_str(p->root, "namespace", NULL);
	p->hung_task_timeout = (int)get_int(p->root, "hung_task_timeout", -1);
	p->step_timeout = (int)get_int(p->root, "step_timeout", DEF_STEP_TIMEOUT);
	p->teardown_timeout = (int)get_int(p->root, "teardown_timeout", DEF_TEARDOWN_TIMEOUT);
	p->teardown = get_bool(p->root, "teardown", true);
	p->nvdimm_init_labels = get_bool(p->root, "nvdimm_init_labels", true);
	{
		struct json_object *k;

		/* a plan of before the facts: the 6.12 behaviour the kinds were written for */
		p->dio_refs = "pins";
		if (json_object_object_get_ex(p->root, "kernel", &k))
			p->dio_refs = get_str(k, "dio_refs", "pins");
	}
	if (strcmp(p->pmem_mode, "memmap") && strcmp(p->pmem_mode, "nvdimm") &&
	    strcmp(p->pmem_mode, "file") && strcmp(p->pmem_mode, "host")) {
		snprintf(err, errlen, "unknown pmem_mode \"%s\"", p->pmem_mode);
		return -1;
	}
	if (!media_valid(p->dax_mode, p->fs)) {
		snprintf(err, errlen, "unknown dax_mode \"%s\" (fsdax|devdax) or fs \"%s\" (ext4|xfs)",
			 p->dax_mode, p->fs);
		return -1;
	}
	/* On a real machine only the namespace the owner named is ours. */
	if (!strcmp(p->pmem_mode, "host") && !p->namespace) {
		snprintf(err, errlen, "pmem_mode host needs a namespace");
		return -1;
	}
	if (strcmp(p->dio_refs, "pins") && strcmp(p->dio_refs, "gets") &&
	    strcmp(p->dio_refs, "unknown")) {
		snprintf(err, errlen, "unknown kernel.dio_refs \"%s\" (pins|gets|unknown)", p->dio_refs);
		return -1;
	}
	if (p->mountpoint[0] != '/') {
		snprintf(err, errlen, "mountpoint must be absolute");
		return -1;
	}
	if (p->step_timeout < 1 || p->teardown_timeout < 1) {
		snprintf(err, errlen, "timeouts must be >= 1 s");
		return -1;
	}
	return parse_workloads(p, err, errlen);
}

void plan_free(struct plan *p)
{
	free(p->workloads);
	if (p->root)
		json_object_put(p->root);
	memset(p, 0, sizeof(*p));
}

/* The default in the kind's row, or NULL (no row, no such key, required). */
static const char *param_default(const struct wl_spec *w, const char *key)
{
	const struct wl_kind_desc *k = wl_kind_find(w->kind);
	const struct wl_param_spec *s = k ? wl_param_find(k, key) : NULL;

	return s ? s->dflt : NULL;
}

/* A present but non-string value yields "" (workload_check refuses it first). */
const char *param_str(const struct wl_spec *w, const char *key)
{
	struct json_object *v;
	const char *d;

	if (!w->params || !json_object_object_get_ex(w->params, key, &v)) {
		d = param_default(w, key);
		return d ? d : "";
	}
	if (!json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

int64_t param_uint(const struct wl_spec *w, const char *key)
{
	struct json_object *v;
	const char *d;

	if (w->params && json_object_object_get_ex(w->params, key, &v))
		return json_object_get_int64(v);
	d = param_default(w, key);
	return d ? strtoll(d, NULL, 10) : 0;
}
