// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "wlkind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const map_choices[] = { "pte", "pmd", NULL };
static const char *const rw_choices[] = { "read", "write", NULL };
static const char *const mem_choices[] = { "dax", "anon", NULL };
/* anon: the control, private anonymous memory in the same placement */
#define MEMORY_PARAM { "memory", WP_ENUM, mem_choices, 0, 0, "dax", \
		       "dax, or anon: the control (no ZONE_DEVICE page; no variant may differ)" }, \
		     { "prefault", WP_UINT, NULL, 0, 1, "1", \
		       "0: leave faulting to GUP (a fast workload must then fail: slow path)" }

static const struct wl_param_spec odirect_params[] = {
	{ "target", WP_STR, NULL, 0, 0, "/dev/nullb0", "O_DIRECT device in the guest (not the DAX fs)" },
	{ "buf_kib", WP_UINT, NULL, 4, 1 << 22, "1024", "size of the MAP_SHARED DAX-file buffer" },
	{ "bs_kib", WP_UINT, NULL, 4, 1 << 16, "64", "bytes per I/O (one pin per page)" },
	{ "iters", WP_UINT, NULL, 1, 1u << 30, "2000", "I/Os per repetition" },
	{ "mapping", WP_ENUM, map_choices, 0, 0, "pte", "force PTE (MADV_NOHUGEPAGE) or PMD mappings" },
	{ "rw", WP_ENUM, rw_choices, 0, 0, "read", "read: device writes the buffer (FOLL_WRITE pins)" },
	MEMORY_PARAM,
	{ NULL },
};

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

static const char *const gup_op_choices[] = { "gup-fast", "pin-fast", "gup-basic", "pin-basic",
					       NULL };

static const char *const impl_choices[] = { "agent", "selftest", NULL };

static const struct wl_param_spec gup_params[] = {
	{ "op", WP_ENUM, gup_op_choices, 0, 0, "gup-fast", "gup_test command: GUP/PIN, fast/slow path" },
	{ "mapping", WP_ENUM, map_choices, 0, 0, "pte", "force PTE (MADV_NOHUGEPAGE) or PMD mappings" },
	{ "buf_kib", WP_UINT, NULL, 4, 1 << 22, "8192", "size of the MAP_SHARED DAX-file buffer" },
	{ "pages_per_call", WP_UINT, NULL, 1, 1 << 20, "512", "gup_test nr_pages_per_call" },
	{ "iters", WP_UINT, NULL, 1, 1 << 24, "10", "gup_test ioctls per repetition" },
	{ "write", WP_UINT, NULL, 0, 1, "0", "1: FOLL_WRITE (never FOLL_TOUCH/0x2: FOLL_GET on 6.12)" },
	{ "impl", WP_ENUM, impl_choices, 0, 0, "agent",
	  "agent, or selftest: the kernel's own selftests/mm/gup_test as the peer (fast ops, whole MiB)" },
	MEMORY_PARAM,
	{ NULL },
};

static char *pmd_buf_validate(const struct zd_config *c, const struct zd_workload *w)
{
	unsigned int buf = atoi(workload_param(w, "buf_kib"));

	if (buf % 4)
		return xstrdup("buf_kib must be a multiple of 4");
	if (!strcmp(workload_param(w, "mapping"), "pmd") && buf % 2048)
		return xstrdup("buf_kib must be a multiple of 2048 for mapping = pmd");
	return NULL;
}

static const struct wl_param_spec vmsplice_params[] = {
	{ "buf_kib", WP_UINT, NULL, 4, 1 << 20, "1024", "DAX buffer spliced into the pipe (pipe size)" },
	{ "mapping", WP_ENUM, map_choices, 0, 0, "pte", "force PTE (MADV_NOHUGEPAGE) or PMD mappings" },
	{ "hold_s", WP_UINT, NULL, 0, 3600, "20", "seconds the pipe holds the pages (across teardown)" },
	MEMORY_PARAM,
	{ NULL },
};

static const struct wl_param_spec futex_params[] = {
	{ "iters", WP_UINT, NULL, 1, 1u << 30, "100000", "FUTEX_WAKE calls per repetition" },
	{ "mapping", WP_ENUM, map_choices, 0, 0, "pte", "force PTE (MADV_NOHUGEPAGE) or PMD mappings" },
	MEMORY_PARAM,
	{ NULL },
};

static const char *const expect_choices[] = { "pins", "gets", "refused", NULL };

static const struct wl_param_spec fio_params[] = {
	{ "job", WP_STR, NULL, 0, 0, NULL, "workloads/fio/JOB.fio, or a path to a job file (${ZD_TARGET}, ${ZD_BUF} filled in)" },
	{ "target", WP_STR, NULL, 0, 0, "/dev/nullb0", "${ZD_TARGET}: the device fio does I/O to" },
	{ "buf_kib", WP_UINT, NULL, 4, 1 << 22, "1024", "${ZD_BUF}: DAX file preallocated for mem=mmapshared" },
	{ "expect", WP_ENUM, expect_choices, 0, 0, "pins",
	  "pins: FOLL_PIN must move; gets: FOLL_GET (splice); refused: fsdax must refuse (negative control)" },
	{ NULL },
};

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

static const struct wl_kind kinds[] = {
	{ "odirect", "O_DIRECT I/O between a block device and a DAX-mmap buffer (GUP-fast pins)",
	  odirect_params, odirect_validate, "fsdax devdax" },
	{ "gup", "gup_test GUP/PIN benchmark (fast or slow path) on a DAX-mmap buffer",
	  gup_params, pmd_buf_validate, "fsdax devdax" },
	{ "vmsplice", "FOLL_GET refs on DAX pages held in an unread pipe across teardown",
	  vmsplice_params, pmd_buf_validate, "fsdax devdax" },
	{ "futex", "FUTEX_WAKE on a DAX word: get_futex_key's single-page get + folio_put",
	  futex_params, NULL, "fsdax devdax" },
	{ "fio", "a fio job (workloads/fio) whose buffers are mem=mmapshared on DAX pages",
	  fio_params, fio_validate, "fsdax devdax" },
};

char *wl_mode_check(const struct zd_config *c, const struct zd_workload *w)
{
	const struct wl_kind *k = wl_kind_find(w->kind);
	const char *m = k ? strstr(k->modes, c->dax_mode) : NULL;
	size_t n = strlen(c->dax_mode);

	if (!k || (m && (m[n] == ' ' || !m[n])))
		return NULL;
	return xasprintf("[workload %s]: kind %s runs on %s only, not on dax_mode = %s", w->name,
			 k->name, k->modes, c->dax_mode);
}

const struct wl_kind *wl_kind_find(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

const struct wl_kind *wl_kind_at(size_t i)
{
	return i < ARRAY_SIZE(kinds) ? &kinds[i] : NULL;
}

static const struct wl_param_spec *spec(const struct wl_kind *k, const char *key)
{
	for (const struct wl_param_spec *p = k->params; p->key; p++)
		if (!strcmp(p->key, key))
			return p;
	return NULL;
}

bool wl_param_is_uint(const char *kind, const char *key)
{
	const struct wl_kind *k = wl_kind_find(kind);
	const struct wl_param_spec *p = k ? spec(k, key) : NULL;

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
	const struct wl_kind *k = wl_kind_find(w->kind);
	char *msg;

	if (!w->kind)
		return where_fail(c, NULL, "[workload %s]: key 'kind' is required%s", w->name, "");
	if (!k) {
		struct zd_param at = { .origin = w->kind_origin, .line = w->kind_line };

		return where_fail(c, &at, "[workload %s]: unknown kind '%s' (zdbench workloads kinds)",
				  w->name, w->kind);
	}
	for (size_t i = 0; i < w->nr_params; i++) {
		const struct wl_param_spec *s = spec(k, w->params[i].key);

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
		workload_set_param(w, s->key, s->dflt, "<default>", 0);
	}
	if (k->validate && (msg = k->validate(c, w))) {
		where_fail(c, NULL, "[workload %s]: %s", w->name, msg);
		free(msg);
		return -1;
	}
	return 0;
}
