// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "wlkind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static char *odirect_validate(const struct zd_config *c, const struct zd_workload *w)
{
	unsigned int buf = atoi(workload_param(w, "buf_kib"));
	unsigned int bs = atoi(workload_param(w, "bs_kib"));
	const char *t = workload_param(w, "target");

	if (buf % 4 || bs % 4 || bs > buf)
		return xstrdup("bs_kib and buf_kib must be multiples of 4 and bs_kib <= buf_kib");
	if (t[0] != '/')
		return xstrdup("target must be a device path in the guest");
	return NULL;
}

static char *pmd_buf_validate(const struct zd_config *c, const struct zd_workload *w)
{
	const char *why = wl_buf_kib_check(atoll(workload_param(w, "buf_kib")),
					   !strcmp(workload_param(w, "mapping"), "pmd"));

	return why ? xstrdup(why) : NULL;
}

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

static char *fio_validate(const struct zd_config *c, const struct zd_workload *w)
{
	const char *job = workload_param(w, "job");
	char *path;

	if (!*job || (!strchr(job, '/') &&
		      strspn(job, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(job)))
		return xasprintf("job '%s': a name in workloads/fio without .fio ([a-z0-9_-]), or a path",
				 job);
	path = wl_fio_job_path(c, w);
	if (!path_exists(path)) {
		char *m = xasprintf("job '%s': no %s", job, path);

		free(path);
		return m;
	}
	free(path);
	if (workload_param(w, "target")[0] != '/')
		return xstrdup("target must be a device path");
	return NULL;
}

/* Cross-parameter checks per kind; the tables are in workloads/kinds.c. */
static const struct {
	const char *kind;
	char *(*fn)(const struct zd_config *c, const struct zd_workload *w);
} validators[] = {
	{ "odirect", odirect_validate },
	{ "gup", pmd_buf_validate },
	{ "vmsplice", pmd_buf_validate },
	{ "fio", fio_validate },
};

static char *validate(const struct zd_config *c, const struct zd_workload *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(validators); i++)
		if (!strcmp(validators[i].kind, w->kind))
			return validators[i].fn(c, w);
	return NULL;
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
	size_t n = 0;

	while (wl_kinds[n].name)
		n++;
	return i < n ? &wl_kinds[i] : NULL;
}

bool wl_param_is_uint(const char *kind, const char *key)
{
	const struct wl_kind_desc *k = wl_kind_find(kind);
	const struct wl_param_spec *p = k ? wl_param_find(k, key) : NULL;

	return p && p->type == WP_UINT;
}

static int where_fail(struct zd_config *c, const struct zd_param *p,
		      const char *fmt, const char *a, const char *b)
{
	char *msg = xasprintf(fmt, a, b);

	if (!c->err) {
		if (p && p->line > 0)
			c->err = xasprintf("%s:%d: %s", p->origin, p->line, msg);
		else
			c->err = xasprintf("%s: %s", p ? p->origin : "config", msg);
	}
	free(msg);
	return -1;
}

static int check_value(struct zd_config *c, const struct zd_workload *w,
		       const struct zd_param *p, const struct wl_param_spec *s)
{
	uint64_t u;

	if (s->type == WP_UINT) {
		if (parse_u64(p->val, &u) || u < s->min || u > s->max) {
			char *rng = xasprintf("an integer in [%u, %u]", s->min, s->max);

			where_fail(c, p, "key '%s': not %s", p->key, rng);
			free(rng);
			return -1;
		}
	} else if (s->type == WP_ENUM) {
		struct sbuf sb = { 0 };

		for (const char *const *ch = s->choices; *ch; ch++)
			if (!strcmp(*ch, p->val))
				return 0;
		sbuf_addf(&sb, "key '%%s': '%%s' is not one of:");
		for (const char *const *ch = s->choices; *ch; ch++)
			sbuf_addf(&sb, " %s", *ch);
		where_fail(c, p, sb.buf, p->key, p->val);
		sbuf_free(&sb);
		return -1;
	}
	(void)w;
	return 0;
}

int wl_validate(struct zd_config *c, struct zd_workload *w)
{
	const struct wl_kind_desc *k = wl_kind_find(w->kind);
	char *msg;

	if (!w->kind)
		return where_fail(c, NULL, "[workload %s]: key 'kind' is required%s", w->name, "");
	if (!k) {
		struct zd_param at = { .origin = w->kind_origin, .line = w->kind_line };

		return where_fail(c, &at, "[workload %s]: unknown kind '%s' (zdbench workloads kinds)",
				  w->name, w->kind);
	}
	for (size_t i = 0; i < w->nr_params; i++) {
		const struct wl_param_spec *s = wl_param_find(k, w->params[i].key);

		if (!s) {
			char *m = xasprintf("unknown key '%%s' for kind %s in [workload %s]%%s",
					    k->name, w->name);

			where_fail(c, &w->params[i], m, w->params[i].key, "");
			free(m);
			return -1;
		}
		if (check_value(c, w, &w->params[i], s))
			return -1;
	}
	for (const struct wl_param_spec *s = k->params; s->key; s++) {
		if (workload_param(w, s->key))
			continue;
		if (!s->dflt)
			return where_fail(c, NULL, "[workload %s]: key '%s' is required", w->name, s->key);
		if (workload_set_param(w, s->key, s->dflt, "<default>", 0))
			return where_fail(c, NULL, "[workload %s]: key '%s': too many keys",
					  w->name, s->key);
	}
	if ((msg = validate(c, w))) {
		where_fail(c, NULL, "[workload %s]: %s", w->name, msg);
		free(msg);
		return -1;
	}
	return 0;
}
