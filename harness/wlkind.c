// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "kfacts.h"
#include "wlkind.h"

#include <errno.h>

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* NAME: workloads/fio/NAME.fio; a path (with a '/'): that file, relative
 * to the project unless absolute. */
char *wl_fio_job_path(const struct zd_config *c, const struct zd_workload *w)
{
	const char *job = workload_param(w, "job");
	const char *proj = c->project_dir ? c->project_dir : ".";

	if (job[0] == '/')
		return xstrdup(job);
	if (strchr(job, '/'))
		return xasprintf("%s/%s", proj, job);
	return xasprintf("%s/workloads/fio/%s.fio", proj, job);
}

/* The harness's part of fio's rules: the job file is in its project tree. */
/* fio's time values: seconds, or with a unit (us, ms, s, m, h, d); -1 if not one. */
static double fio_seconds(const char *v)
{
	char *end;
	double x;

	if (!(*v >= '0' && *v <= '9'))
		return -1;
	x = strtod(v, &end);
	if (!*end || !strcmp(end, "s"))
		return x;
	if (!strcmp(end, "ms"))
		return x / 1e3;
	if (!strcmp(end, "us"))
		return x / 1e6;
	if (!strcmp(end, "m"))
		return x * 60;
	if (!strcmp(end, "h"))
		return x * 3600;
	if (!strcmp(end, "d"))
		return x * 86400;
	return -1;
}

/*
 * What is wrong with a fio job text for zdbench, or NULL. The job must put
 * its buffers on the DAX mapping (mem= or iomem= mmapshared:${ZD_BUF}; any
 * other mem= is private RAM and proves nothing), do I/O only to what the
 * agent sets up (filename=${ZD_TARGET}, no directory= or other file), and
 * fit in the step timeout (ramp_time + runtime of a section, [global]'s
 * counted in). step_timeout in seconds.
 */
char *fio_job_problem(const char *text, unsigned int step_timeout)
{
	char *copy = xstrdup(text), *line, *save, *why = NULL;
	double g_run = 0, g_ramp = 0, run = 0, ramp = 0;
	bool in_global = false, dax_buf = false;
	int n = 0;

	for (line = strtok_r(copy, "\n", &save); line && !why; line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line), *eq, *k, *v;

		n++;
		if (!*l || *l == ';' || *l == '#')
			continue;
		if (*l == '[') {
			in_global = !strcmp(l, "[global]");
			run = g_run;
			ramp = g_ramp;
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = '\0';
		k = trim(l);
		v = trim(eq + 1);
		if (!strcmp(k, "mem") || !strcmp(k, "iomem")) {
			if (strcmp(v, "mmapshared:${ZD_BUF}"))
				why = xasprintf("line %d: %s=%s: the buffer must be mem=mmapshared:${ZD_BUF} (the DAX mapping zdbench measures)",
						n, k, v);
			dax_buf = true;
		} else if (!strcmp(k, "filename") && strcmp(v, "${ZD_TARGET}")) {
			why = xasprintf("line %d: filename=%s: only ${ZD_TARGET}, the device the agent sets up",
					n, v);
		} else if (!strcmp(k, "directory") || !strcmp(k, "filename_format") ||
			   !strcmp(k, "opendir") || !strcmp(k, "write_iolog") ||
			   !strcmp(k, "write_bw_log") || !strcmp(k, "write_lat_log") ||
			   !strcmp(k, "write_iops_log") || !strcmp(k, "exec_prerun") ||
			   !strcmp(k, "exec_postrun")) {
			why = xasprintf("line %d: %s=: the job may touch only ${ZD_TARGET} and ${ZD_BUF}",
					n, k);
		} else if (!strcmp(k, "runtime") || !strcmp(k, "ramp_time")) {
			double t = fio_seconds(v);

			if (t < 0)
				why = xasprintf("line %d: %s=%s: not a time", n, k, v);
			else if (!strcmp(k, "runtime"))
				*(in_global ? &g_run : &run) = t;
			else
				*(in_global ? &g_ramp : &ramp) = t;
			if (!why && (in_global ? g_run + g_ramp : run + ramp) >= step_timeout)
				why = xasprintf("line %d: ramp_time + runtime (%.0f s) does not fit the step timeout (%u s)",
						n, in_global ? g_run + g_ramp : run + ramp, step_timeout);
		}
	}
	if (!why && !dax_buf)
		why = xstrdup("no mem=mmapshared:${ZD_BUF}: without it fio's buffers are private RAM, never DAX pages");
	free(copy);
	return why;
}

static char *fio_job_missing(const struct zd_config *c, const struct zd_workload *w)
{
	char *path = wl_fio_job_path(c, w), *m = NULL, *text, *why;

	if (!path_exists(path)) {
		m = xasprintf("job '%s': no %s", workload_param(w, "job"), path);
	} else if (!(text = read_file_max(path, ZD_MAX_CONFIG_BYTES, NULL))) {
		m = xasprintf("job '%s': cannot read %s: %s", workload_param(w, "job"), path,
			      read_file_strerror(errno));
	} else {
		why = fio_job_problem(text, c->step_timeout);
		if (why)
			m = xasprintf("job %s: %s", path, why);
		free(why);
		free(text);
	}
	free(path);
	return m;
}

char *wl_mode_check(const struct zd_config *c, const struct zd_workload *w)
{
	const struct wl_kind_desc *k = wl_kind_find(w->kind);
	const char *mode = wl_dax_mode(c, w);
	const char *m = k ? strstr(k->modes, mode) : NULL;
	size_t n = strlen(mode);

	if (!k || (m && (m[n] == ' ' || !m[n])))
		return NULL;
	return xasprintf("[workload %s]: kind %s runs on %s only, not on dax_mode = %s", w->name,
			 k->name, k->modes, mode);
}

const struct wl_kind_desc *wl_kind_at(size_t i)
{
	return i < WK_NR ? &wl_kinds[i] : NULL;
}

bool wl_param_is_uint(const char *kind, const char *key)
{
	const struct wl_kind_desc *k = wl_kind_find(kind);
	const struct wl_param_spec *p = k ? wl_param_find(k, key) : NULL;

	return p && p->type == WP_UINT;
}

void wl_plan_params(const struct zd_config *c, const struct zd_workload *w,
		    struct json_object *pa)
{
	for (size_t j = 0; j < w->nr_params; j++) {
		const struct zd_param *pp = &w->params[j];

		json_object_object_add(pa, pp->key,
				       wl_param_is_uint(w->kind, pp->key) ?
				       json_object_new_int64(strtoull(pp->val, NULL, 10)) :
				       json_object_new_string(pp->val));
	}
	if (wl_kind_find(w->kind) == &wl_kinds[WK_fio]) {
		/* the job travels in the plan: the agent needs no project tree */
		char *jp = wl_fio_job_path(c, w), *jt = read_file(jp, NULL);

		json_object_object_add(pa, "job_text", json_object_new_string(jt ? jt : ""));
		free(jt);
		free(jp);
	}
}

/*
 * The first error, at the parameter's file and line when known. The
 * message is formatted here: a section name is data, never a format.
 */
static int where_fail(struct zd_config *c, const struct zd_param *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int where_fail(struct zd_config *c, const struct zd_param *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_vfail_at(c, p ? p->origin : NULL, p ? p->line : 0, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *cfg_param(const void *w, const char *key)
{
	return workload_param(w, key);
}

int wl_validate(struct zd_config *c, struct zd_workload *w)
{
	const struct wl_kind_desc *k = wl_kind_find(w->kind);
	/* section-level errors point at the kind line, else the section's first key */
	struct zd_param at = { .origin = w->kind_origin ? w->kind_origin : w->origin,
			       .line = w->kind_origin ? w->kind_line : w->line };
	char why[512], *msg;
	int bad = 0;

	if (!w->kind)
		return where_fail(c, &at, "[workload %s]: key 'kind' is required", w->name);
	if (!k)
		return where_fail(c, &at, "[workload %s]: unknown kind '%s' (zdbench workloads kinds)",
				  w->name, w->kind);
	/* every key's error, not only the first */
	for (size_t i = 0; i < w->nr_params; i++) {
		const struct zd_param *p = &w->params[i];
		const struct wl_param_spec *s = wl_param_find(k, p->key);

		if (!s)
			bad |= where_fail(c, p, "unknown key '%s' for kind %s in [workload %s]",
					  p->key, k->name, w->name);
		else if (wl_param_check(s, p->val, why, sizeof(why)))
			bad |= where_fail(c, p, "%s", why);
	}
	for (const struct wl_param_spec *s = k->params; s->key; s++) {
		if (workload_param(w, s->key))
			continue;
		if (!s->dflt)
			bad |= where_fail(c, &at, "[workload %s]: key '%s' is required", w->name, s->key);
		else if (workload_set_param(w, s->key, s->dflt, "<default>", 0))
			bad |= where_fail(c, &at, "[workload %s]: key '%s': too many keys",
					  w->name, s->key);
	}
	if (bad)
		return -1; /* the cross-key rules assume every key is valid */
	if (wl_params_check(k, cfg_param, w, why, sizeof(why)))
		return where_fail(c, &at, "[workload %s]: %s", w->name, why);
	if (k == &wl_kinds[WK_fio] && (msg = fio_job_missing(c, w))) {
		where_fail(c, &at, "[workload %s]: %s", w->name, msg);
		free(msg);
		return -1;
	}
	return 0;
}

char *wl_kernel_check(const struct zd_workload *w, const struct kfacts *kf)
{
	if (!strcmp(w->kind, "gup") && kf->gup_abi_why[0])
		return xasprintf("workload %s: %s (the gup_test ioctls would be garbage)", w->name,
				 kf->gup_abi_why);
	return NULL;
}
