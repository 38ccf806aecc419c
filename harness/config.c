// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "media.h"
#include "result.h"
#include "util.h"
#include "variant.h"
#include "wlkind.h"

static const char *const src_choices[] = { "debian", "tree", NULL };

/* The keys every [workload NAME] has besides kind; the rest are the kind's. */
#define W(f) offsetof(struct zd_workload, f)
static const struct config_key wl_keys[] = {
	{ "workload", "dax_mode", K_ENUM, W(dax_mode), media_dax_modes },
	{ "workload", "fs", K_ENUM, W(fs), media_fs_names },
};

#define C(f) offsetof(struct zd_config, f)

/* The backends' sections ([qemu], [host]) are declared beside them. */
static const struct config_key keys[] = {
	{ "general", "cache_dir", K_STR, C(cache_dir) },
	{ "general", "results_dir", K_STR, C(results_dir) },
	{ "general", "machine", K_STR, C(machine), .names = true },
	{ "kernel", "source", K_ENUM, C(source), src_choices },
	{ "kernel", "tarball", K_STR, C(tarball) },
	{ "kernel", "tree", K_STR, C(tree) },
	{ "kernel", "base", K_STR, C(base_rev) },
	{ "kernel", "config", K_STR, C(kconfig) },
	{ "kernel", "fragments", K_LIST, C(fragments) },
	{ "kernel", "jobs", K_UINT, C(jobs), NULL, 0, 256 },
	{ "kernel", "build_timeout", K_UINT, C(build_timeout), NULL, 60, 86400 },
	{ "kernel", "ccache", K_BOOL, C(ccache) },
	{ "run", "variants", K_LIST, C(variants), .names = true },
	{ "run", "workloads", K_LIST, C(run_workloads), .names = true },
	{ "run", "reps", K_UINT, C(reps), NULL, 1, 100000 },
	{ "run", "teardown", K_BOOL, C(teardown) },
	{ "run", "oom_fails", K_BOOL, C(oom_fails) },
	{ "run", "dax_mode", K_ENUM, C(dax_mode), media_dax_modes },
	{ "run", "fs", K_ENUM, C(fs), media_fs_names },
};

extern const char _binary_config_example_start[];
extern const char _binary_config_example_end[];

struct zd_config *config_new(void)
{
	return xcalloc(1, sizeof(struct zd_config));
}

static void list_clear(struct zd_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

int list_set(struct zd_list *l, const char *value)
{
	char *dup = xstrdup(value), *save, *tok;
	int ret = 0;

	list_clear(l);
	l->overflow = false;
	for (tok = strtok_r(dup, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		if (l->n == ZD_MAX_LIST) {
			l->overflow = true;
			ret = -1;
			break;
		}
		l->v[l->n++] = xstrdup(tok);
	}
	free(dup);
	return ret;
}

static void workload_free(struct zd_workload *w)
{
	free(w->name);
	free(w->kind);
	free(w->kind_origin);
	free(w->origin);
	free(w->dax_mode);
	free(w->fs);
	for (size_t i = 0; i < w->nr_params; i++) {
		free(w->params[i].key);
		free(w->params[i].val);
		free(w->params[i].origin);
	}
}

const char *workload_param(const struct zd_workload *w, const char *key)
{
	for (size_t i = 0; i < w->nr_params; i++)
		if (!strcmp(w->params[i].key, key))
			return w->params[i].val;
	return NULL;
}

int workload_set_param(struct zd_workload *w, const char *key,
		       const char *val, const char *origin, int line)
{
	struct zd_param *p = NULL;

	for (size_t i = 0; i < w->nr_params; i++)
		if (!strcmp(w->params[i].key, key))
			p = &w->params[i];
	if (!p) {
		if (w->nr_params == ZD_MAX_PARAMS)
			return -1;
		p = &w->params[w->nr_params++];
		p->key = xstrdup(key);
	} else {
		free(p->val);
		free(p->origin);
	}
	p->val = xstrdup(val);
	p->origin = xstrdup(origin);
	p->line = line;
	return 0;
}

static void key_free(struct zd_config *c, const struct config_key *k)
{
	char *base = (char *)c;

	if (k->type == K_STR || k->type == K_ENUM)
		free(*(char **)(base + k->off));
	else if (k->type == K_LIST)
		list_clear((struct zd_list *)(base + k->off));
}

/*
 * The key of a section: config.c's own, else a backend's. *known says
 * whether the section exists at all (for "unknown key" vs "unknown section").
 */
static const struct config_key *key_find(const char *section, const char *key, bool *known)
{
	const struct backend_ops *be;

	*known = false;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcmp(keys[i].section, section))
			continue;
		*known = true;
		if (!strcmp(keys[i].key, key))
			return &keys[i];
	}
	for (size_t i = 0; (be = backend_at(i)); i++) {
		for (const struct config_key *k = be->keys; k && k->key; k++) {
			if (strcmp(k->section, section))
				continue;
			*known = true;
			if (!strcmp(k->key, key))
				return k;
		}
	}
	return NULL;
}

void config_free(struct zd_config *c)
{
	const struct backend_ops *be;

	if (!c)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		key_free(c, &keys[i]);
	for (size_t i = 0; (be = backend_at(i)); i++)
		for (const struct config_key *k = be->keys; k && k->key; k++)
			key_free(c, k);
	for (size_t i = 0; i < c->nr_workloads; i++)
		workload_free(&c->workloads[i]);
	config_variants_free(c);
	free(c->project_dir);
	free(c->err);
	strv_free(&c->errors);
	strv_free(&c->where_keys);
	strv_free(&c->where_at);
	free(c);
}

static int fail(struct zd_config *c, const char *origin, int line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct zd_config *c, const char *origin, int line,
		const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (origin && line > 0)
		strv_pushf(&c->errors, "%s:%d: %s", origin, line, msg);
	else if (!origin)
		strv_push(&c->errors, msg); /* a cross-key check: the message says where */
	else
		strv_pushf(&c->errors, "%s: %s", origin, msg);
	if (!c->err) {
		c->err_line = line;
		c->err = xstrdup(c->errors.v[c->errors.n - 1]);
	}
	free(msg);
	return -1;
}

/*
 * Where each key got its value ("file:line", "command line"), so that a
 * cross-key check can point at the line to fix. The last setting wins, as
 * for the value.
 */
static void note_where(struct zd_config *c, const struct config_key *k, const char *origin,
		       int line)
{
	char *id = xasprintf("%s.%s", k->section, k->key), *at;
	size_t i;

	at = line > 0 ? xasprintf("%s:%d", origin, line) : xstrdup(origin);
	for (i = 0; i < c->where_keys.n; i++)
		if (!strcmp(c->where_keys.v[i], id))
			break;
	if (i == c->where_keys.n) {
		strv_push(&c->where_keys, id);
		strv_push(&c->where_at, at);
	} else {
		free(c->where_at.v[i]);
		c->where_at.v[i] = at;
		at = NULL;
	}
	free(at);
	free(id);
}

const char *config_where(const struct zd_config *c, const char *section_key)
{
	for (size_t i = 0; i < c->where_keys.n; i++)
		if (!strcmp(c->where_keys.v[i], section_key))
			return c->where_at.v[i];
	return NULL;
}

static struct zd_workload *workload_get(struct zd_config *c, const char *name)
{
	struct zd_workload *w;

	for (size_t i = 0; i < c->nr_workloads; i++)
		if (!strcmp(c->workloads[i].name, name))
			return &c->workloads[i];
	if (c->nr_workloads == ZD_MAX_WORKLOADS)
		return NULL;
	w = &c->workloads[c->nr_workloads++];
	memset(w, 0, sizeof(*w));
	w->name = xstrdup(name);
	return w;
}

const struct zd_workload *config_workload(const struct zd_config *c,
					  const char *name)
{
	for (size_t i = 0; i < c->nr_workloads; i++)
		if (!strcmp(c->workloads[i].name, name))
			return &c->workloads[i];
	return NULL;
}

const char *wl_dax_mode(const struct zd_config *c, const struct zd_workload *w)
{
	return w->dax_mode ? w->dax_mode : c->dax_mode;
}

const char *wl_fs(const struct zd_config *c, const struct zd_workload *w)
{
	if (strcmp(wl_dax_mode(c, w), "fsdax"))
		return NULL;
	return w->fs ? w->fs : c->fs;
}

char *wl_medium(const struct zd_config *c, const struct zd_workload *w)
{
	char name[32];

	media_name(name, sizeof(name), wl_dax_mode(c, w), wl_fs(c, w));
	return xstrdup(name);
}

bool run_uses_fs(const struct zd_config *c, const char *fs)
{
	for (size_t i = 0; i < c->run_workloads.n; i++) {
		const struct zd_workload *w = config_workload(c, c->run_workloads.v[i]);
		const char *f = w ? wl_fs(c, w) : NULL;

		if (f && !strcmp(f, fs))
			return true;
	}
	return false;
}

/*
 * Every entry of l that is not a name (is_name) reported at origin:line and
 * dropped, so that config_validate's check for --variant and --workload
 * does not report it a second time. 0, or -1 if any was dropped.
 */
static int list_names(struct zd_config *c, struct zd_list *l, const char *key,
		      const char *origin, int line)
{
	size_t kept = 0;
	int ret = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (is_name(l->v[i])) {
			l->v[kept++] = l->v[i];
			continue;
		}
		ret = fail(c, origin, line, "key '%s': '%s': %s", key, l->v[i], ZD_NAME_RULE);
		free(l->v[i]);
	}
	l->n = kept;
	return ret;
}

static int set_value(struct zd_config *c, const struct config_key *k, char *base,
		     const char *value, const char *origin, int line)
{
	void *field = base + k->off;
	uint64_t u;

	switch (k->type) {
	case K_UINT:
		if (!*value && !k->min) { /* unset: the key's automatic value (jobs: CPUs) */
			*(unsigned int *)field = 0;
			return 0;
		}
		if (parse_u64(value, &u) || u < k->min || u > k->max)
			return fail(c, origin, line,
				    "key '%s': '%s' is not an integer in [%u, %u]",
				    k->key, value, k->min, k->max);
		*(unsigned int *)field = (unsigned int)u;
		return 0;
	case K_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1"))
			*(bool *)field = true;
		else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "0"))
			*(bool *)field = false;
		else
			return fail(c, origin, line,
				    "key '%s': '%s' is not a boolean (true/false)",
				    k->key, value);
		return 0;
	case K_LIST:
		if (list_set(field, value))
			return fail(c, origin, line, "key '%s': more than %d entries",
				    k->key, ZD_MAX_LIST);
		return k->names ? list_names(c, field, k->key, origin, line) : 0;
	case K_ENUM: {
		struct sbuf sb = { 0 };
		int ret;

		for (const char *const *ch = k->choices; *ch; ch++)
			if (!strcmp(*ch, value))
				goto store;
		for (const char *const *ch = k->choices; *ch; ch++)
			sbuf_addf(&sb, "%s%s", ch == k->choices ? "" : ", ", *ch);
		ret = fail(c, origin, line, "key '%s': '%s' is not one of: %s",
			   k->key, value, sbuf_str(&sb));
		sbuf_free(&sb);
		return ret;
	}
	case K_STR:
		/* a machine label becomes a folder name when results are merged */
		if (k->names && *value && !is_name(value))
			return fail(c, origin, line, "key '%s': '%s': %s", k->key, value,
				    ZD_NAME_RULE);
	store:
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	}
	return 0;
}

int config_set(struct zd_config *c, const char *section, const char *key,
	       const char *value, const char *origin, int line)
{
	const char *sec = section;
	char *base = (char *)c;
	const struct config_key *k;
	bool known;

	(void)sec;

	if (str_starts(section, "workload ")) {
		const char *name = section + strlen("workload ");
		struct zd_workload *w;

		while (*name == ' ')
			name++;
		if (!*name)
			return fail(c, origin, line, "[workload] section needs a name");
		/*
		 * The name becomes a result file name: an identifier, never a
		 * path. Said once, at the section's first key.
		 */
		if (!is_name(name) && !config_workload(c, name)) {
			workload_get(c, name);
			return fail(c, origin, line, "[workload %s]: %s", name, ZD_NAME_RULE);
		}
		if (result_reserved_name(name) && !config_workload(c, name)) {
			workload_get(c, name);
			return fail(c, origin, line,
				    "[workload %s]: the name of a file its variant folder holds besides "
				    "results (%s.json): choose another", name, name);
		}
		w = workload_get(c, name);
		if (!w)
			return fail(c, origin, line, "too many workloads");
		if (!w->origin) {
			w->origin = xstrdup(origin);
			w->line = line;
		}
		/* Parameters are checked against the kind's table once all is read. */
		if (!strcmp(key, "kind")) {
			free(w->kind);
			free(w->kind_origin);
			w->kind = xstrdup(value);
			w->kind_origin = xstrdup(origin);
			w->kind_line = line;
			return 0;
		}
		for (size_t i = 0; i < ARRAY_SIZE(wl_keys); i++)
			if (!strcmp(wl_keys[i].key, key))
				return set_value(c, &wl_keys[i], (char *)w, value, origin, line);
		/* Replacing a key (an -s override) needs no new slot. */
		if (workload_set_param(w, key, value, origin, line))
			return fail(c, origin, line, "key '%s': too many keys in [%s] (at most %d)",
				    key, section, ZD_MAX_PARAMS);
		return 0;
	}
	if (str_starts(section, "variant "))
		return config_variant_set(c, section + strlen("variant "), key, value,
					  origin, line);
	k = key_find(sec, key, &known);
	if (k) {
		note_where(c, k, origin, line);
		return set_value(c, k, base, value, origin, line);
	}
	if (known)
		return fail(c, origin, line, "unknown key '%s' in [%s]",
			    key, section);
	return fail(c, origin, line, "unknown section [%s]", section);
}

/* inih does not report line numbers to handlers: count them in the reader. */
struct reader {
	const char *p;
	int line;
	struct zd_config *c;
	const char *origin;
	/*
	 * "section\x1fkey" of every key read, for "set twice": grown as needed,
	 * since a fixed table silently stopped checking past its size and cut
	 * long ids short (two long keys with a common prefix were "set twice").
	 */
	struct strv seen;
	bool skip_section;	/* the current section's header was refused */
};

/* inih's INI_MAX_SECTION (50, with the NUL), Debian's build. */
#define INI_NAME_MAX 49

/* The shape inih accepts: blank, comment, [section], or key = value (or key: value). */
static bool line_shape_ok(const char *line, size_t n)
{
	size_t a = 0, b = n;

	while (a < b && (line[a] == ' ' || line[a] == '\t'))
		a++;
	while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r' ||
			 line[b - 1] == '\n'))
		b--;
	if (a == b || line[a] == ';' || line[a] == '#')
		return true;
	if (line[a] == '[')
		return memchr(line + a, ']', b - a) != NULL;
	return memchr(line + a, '=', b - a) || memchr(line + a, ':', b - a);
}

/*
 * Feeds inih one line at a time, judging each line whole first: a line
 * inih would cut at size - 1 bytes (its tail parsed as a line of its own: a
 * cut key or value) or cannot parse is reported here, with its number, and
 * handed on as a blank line, so that parsing goes on and every error of
 * the file is found, in order. Long comments are fine.
 */
static char *reader_gets(char *buf, int size, void *stream)
{
	struct reader *r = stream;
	const char *nl, *line = r->p;
	size_t n;

	if (!*r->p)
		return NULL;
	nl = strchr(line, '\n');
	n = nl ? (size_t)(nl - line) + 1 : strlen(line);
	r->p += n;
	r->line++;
	if (n <= (size_t)size - 1 && line_shape_ok(line, n)) {
		/*
		 * inih keeps section names to 49 characters (INI_MAX_SECTION)
		 * and cuts longer ones: a cut workload name no longer matches
		 * [run] workloads. (Keys are not copied: any length is fine.)
		 */
		size_t a = strspn(line, " \t"), k = 0;

		if (line[a] == '[')
			k = strcspn(line + a + 1, "]");
		if (line[a] == '[')
			r->skip_section = false;
		if (k > INI_NAME_MAX) {
			fail(r->c, r->origin, r->line, "section '%.40s...': longer than %d characters",
			     line + a + 1, INI_NAME_MAX);
			/* its keys would land in the section before: drop them too */
			r->skip_section = line[a] == '[';
			strcpy(buf, "\n");
			return buf;
		}
		if (r->skip_section) {
			strcpy(buf, "\n");
			return buf;
		}
	}
	if (n > (size_t)size - 1 || !line_shape_ok(line, n)) {
		size_t a = 0;

		while (a < n && (line[a] == ' ' || line[a] == '\t'))
			a++;
		if (line[a] == ';' || line[a] == '#') {
			strcpy(buf, "#\n");
			return buf;
		}
		if (n > (size_t)size - 1) {
			size_t k = strcspn(line + a, "=:\n");

			while (k && (line[a + k - 1] == ' ' || line[a + k - 1] == '\t'))
				k--;
			fail(r->c, r->origin, r->line, "key '%.*s%s': line longer than %d characters",
			     (int)(k > 60 ? 60 : k), line + a, k > 60 ? "..." : "", size - 1);
		} else {
			size_t k = strcspn(line + a, "\r\n");

			fail(r->c, r->origin, r->line,
			     "syntax error (expected [section] or key = value): %.*s",
			     (int)(k > 60 ? 60 : k), line + a);
		}
		strcpy(buf, "\n");
		return buf;
	}
	memcpy(buf, line, n);
	buf[n] = '\0';
	return buf;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct reader *r = user;
	char *id;
	int line = r->line;

	if (!name)	/* section header alone (INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	if (!*section) {
		fail(r->c, r->origin, line, "key '%s' outside any [section]", name);
		return 0;
	}
	id = xasprintf("%s\x1f%s", section, name);
	for (size_t i = 0; i < r->seen.n; i++) {
		if (!strcmp(r->seen.v[i], id)) {
			free(id);
			fail(r->c, r->origin, line, "key '%s' set twice in [%s]",
			     name, section);
			return 0;
		}
	}
	strv_push(&r->seen, id);
	free(id);
	return config_set(r->c, section, name, value, r->origin, line) == 0;
}

int config_load_string(struct zd_config *c, const char *text,
		       const char *origin)
{
	struct reader *r = xcalloc(1, sizeof(*r));
	size_t nerr = c->errors.n;
	int ret;

	r->p = text;
	r->c = c;
	r->origin = origin;
	ret = ini_parse_stream(reader_gets, r, handler, r);
	strv_free(&r->seen);
	free(r);
	/*
	 * inih reads on past a bad line and returns the first bad line: if no
	 * key error was recorded there, it was a syntax error; it becomes the
	 * first error when it comes before the others.
	 */
	if (ret > 0) {
		char *at = xasprintf("%s:%d: ", origin, ret);
		bool known = false;

		for (size_t i = nerr; i < c->errors.n && !known; i++)
			known = str_starts(c->errors.v[i], at);
		free(at);
		if (!known) {
			bool first = !c->err || (ret < c->err_line && nerr == 0);

			fail(c, origin, ret, "syntax error (expected [section] or key = value)");
			if (first) {
				free(c->err);
				c->err = xstrdup(c->errors.v[c->errors.n - 1]);
				c->err_line = ret;
			}
		}
	}
	return c->errors.n > nerr ? -1 : 0;
}

int config_load_file(struct zd_config *c, const char *path)
{
	size_t len;
	char *text = read_file_max(path, ZD_MAX_CONFIG_BYTES, &len), *nul;
	int ret;

	if (!text && errno == EFBIG)
		return fail(c, path, 0, "cannot read: larger than %u bytes", ZD_MAX_CONFIG_BYTES);
	if (!text)
		return fail(c, path, 0, "cannot read: %s", read_file_strerror(errno));
	/* a NUL byte would end the text there: the rest of the file unread */
	nul = memchr(text, '\0', len);
	if (nul) {
		int line = 1;

		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		free(text);
		return fail(c, path, line, "a NUL byte in the file (not a text file?)");
	}
	ret = config_load_string(c, text, path);
	free(text);
	return ret;
}

int config_load_defaults(struct zd_config *c)
{
	size_t n = _binary_config_example_end - _binary_config_example_start;
	char *text = xmalloc(n + 1);
	int ret;

	memcpy(text, _binary_config_example_start, n);
	text[n] = '\0';
	ret = config_load_string(c, text, "<built-in config.example>");
	free(text);
	return ret;
}

int config_set_override(struct zd_config *c, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	const char *dot;
	char *section, *key;
	int ret;

	if (!eq)
		return fail(c, "command line", 0,
			    "-s '%s': expected section.key=value", assignment);
	dot = memrchr(assignment, '.', eq - assignment);
	if (!dot)
		return fail(c, "command line", 0,
			    "-s '%s': expected section.key=value", assignment);
	section = strndup(assignment, dot - assignment);
	key = strndup(dot + 1, eq - dot - 1);
	/* "workload.NAME.key", as zdbench config prints it, is [workload NAME] */
	if (str_starts(section, "workload."))
		section[strlen("workload")] = ' ';
	else if (str_starts(section, "variant.")) /* and variant.NAME.key, [variant NAME] */
		section[strlen("variant")] = ' ';
	ret = config_set(c, section, key, eq + 1, "command line", 0);
	free(section);
	free(key);
	return ret;
}

int config_vfail_at(struct zd_config *c, const char *origin, int line, const char *fmt,
		    va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	fail(c, origin, line, "%s", msg ? msg : "out of memory");
	free(msg);
	return -1;
}

int config_fail_at(struct zd_config *c, const char *origin, int line, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = config_vfail_at(c, origin, line, fmt, ap);
	va_end(ap);
	return ret;
}

int config_fail(struct zd_config *c, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = config_vfail_at(c, NULL, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int config_validate(struct zd_config *c)
{
	char *kdir;
	const struct backend_ops *be;

	/* --variant and --workload go through list_set without a file:line */
	if (c->variants.overflow || c->run_workloads.overflow)
		fail(c, NULL, 0, "[run] %s: more than %d entries",
		     c->variants.overflow ? "variants" : "workloads", ZD_MAX_LIST);
	/* and their names, which become folder and file names of the run */
	for (size_t i = 0; i < c->variants.n; i++)
		if (!is_name(c->variants.v[i]))
			fail(c, NULL, 0, "[run] variants: '%s': %s", c->variants.v[i], ZD_NAME_RULE);
	for (size_t i = 0; i < c->run_workloads.n; i++)
		if (!is_name(c->run_workloads.v[i]))
			fail(c, NULL, 0, "[run] workloads: '%s': %s", c->run_workloads.v[i],
			     ZD_NAME_RULE);
	if (!strcmp(c->source, "tree") && (!c->tree || !*c->tree))
		fail(c, config_where(c, "kernel.source"), 0, "[kernel] source = tree needs key 'tree'");
	else if (!strcmp(c->source, "tree")) {
		char *t = expand_home(c->tree);

		if (!is_dir(t))
			fail(c, config_where(c, "kernel.tree"), 0, "key 'tree': %s: no such directory",
			     c->tree);
		free(t);
	}
	/* each backend's section: every registered one, whichever runs */
	for (size_t i = 0; (be = backend_at(i)); i++)
		if (be->validate)
			be->validate(c); /* errors go to c->errors, all of them */
	if (!c->variants.n)
		fail(c, config_where(c, "run.variants"), 0, "[run] variants is empty");
	if (!c->run_workloads.n)
		fail(c, config_where(c, "run.workloads"), 0, "[run] workloads is empty");
	/*
	 * a shipped variant is a folder kernels/NAME; HEAD is a tree's
	 * checkout; [variant NAME] is the user's; with source = tree any
	 * other name is a revision of the tree (checked when it is built)
	 */
	/*
	 * (Only where there is a kernels/ folder: zdbench copied alone to a
	 * lab machine runs the host backend, which builds no variant.)
	 */
	kdir = c->project_dir ? path_join(c->project_dir, "kernels") : NULL;
	for (size_t i = 0; i < c->variants.n && kdir && is_dir(kdir); i++)
		if (!variant_known(c, c->variants.v[i]))
			fail(c, config_where(c, "run.variants"), 0,
			     "key 'variants': no variant '%s' (no folder kernels/%s, no [variant %s]; a revision needs --tree)",
			     c->variants.v[i], c->variants.v[i], c->variants.v[i]);
	free(kdir);
	/* wl_validate reports into c->errors: every workload, every key */
	for (size_t i = 0; i < c->nr_workloads; i++)
		wl_validate(c, &c->workloads[i]);
	for (size_t i = 0; i < c->run_workloads.n; i++) {
		const struct zd_workload *w = config_workload(c, c->run_workloads.v[i]);
		char *why;

		if (!w) {
			fail(c, config_where(c, "run.workloads"), 0,
			     "key 'workloads': no [workload %s] section", c->run_workloads.v[i]);
			continue;
		}
		if (w->fs && strcmp(wl_dax_mode(c, w), "fsdax"))
			fail(c, w->origin, w->line,
			     "[workload %s]: fs = %s needs dax_mode = fsdax", w->name, w->fs);
		why = wl_mode_check(c, w);
		if (why) {
			fail(c, w->origin, w->line, "%s", why);
			free(why);
		}
	}
	return c->errors.n ? -1 : 0;
}

static void dump_value(FILE *f, const struct config_key *k, const char *base)
{
	const void *field = base + k->off;

	switch (k->type) {
	case K_UINT:
		fprintf(f, "%u", *(const unsigned int *)field);
		break;
	case K_BOOL:
		fputs(*(const bool *)field ? "true" : "false", f);
		break;
	case K_LIST: {
		const struct zd_list *l = field;

		for (size_t i = 0; i < l->n; i++)
			fprintf(f, "%s%s", i ? " " : "", l->v[i]);
		break;
	}
	case K_STR:
	case K_ENUM:
		fputs(*(char *const *)field ? *(char *const *)field : "", f);
		break;
	}
}

static void dump_key(FILE *f, const struct config_key *k, const struct zd_config *c)
{
	fprintf(f, "%s.%s = ", k->section, k->key);
	dump_value(f, k, (const char *)c);
	fputc('\n', f);
}

void config_dump(const struct zd_config *c, FILE *f)
{
	const struct backend_ops *be;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		dump_key(f, &keys[i], c);
	/* then each backend's section, declared beside the backend */
	for (size_t i = 0; (be = backend_at(i)); i++)
		for (const struct config_key *k = be->keys; k && k->key; k++)
			dump_key(f, k, c);
	config_variants_dump(c, f);
	for (size_t i = 0; i < c->nr_workloads; i++) {
		const struct zd_workload *w = &c->workloads[i];

		fprintf(f, "workload.%s.kind = %s\n", w->name, w->kind ? w->kind : "");
		for (size_t j = 0; j < ARRAY_SIZE(wl_keys); j++) {
			if (!*(char *const *)((const char *)w + wl_keys[j].off))
				continue; /* unset: [run]'s value applies */
			fprintf(f, "workload.%s.%s = ", w->name, wl_keys[j].key);
			dump_value(f, &wl_keys[j], (const char *)w);
			fputc('\n', f);
		}
		for (size_t j = 0; j < w->nr_params; j++)
			fprintf(f, "workload.%s.%s = %s\n", w->name, w->params[j].key,
				w->params[j].val);
	}
}
