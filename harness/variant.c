// SPDX-License-Identifier: GPL-2.0
/*
 * Variants from anywhere: [variant NAME] sections, and what a variant name
 * stands for (a shipped folder, a revision of the user's tree, a user
 * series, a kernel the user built). kbuild.c builds what this resolves.
 */
#define _GNU_SOURCE
#include "variant.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define V(f) offsetof(struct zd_variant, f)
static const struct {
	const char *key;
	size_t off;
} vkeys[] = {
	{ "rev", V(rev) },
	{ "patches", V(patches) },
	{ "kernel", V(kernel) },
	{ "config", V(config) },
	{ "build_dir", V(build_dir) },
};

const struct zd_variant *config_variant(const struct zd_config *c, const char *name)
{
	for (size_t i = 0; i < c->nr_uvariants; i++)
		if (!strcmp(c->uvariants[i].name, name))
			return &c->uvariants[i];
	return NULL;
}

int config_variant_set(struct zd_config *c, const char *name, const char *key,
		       const char *value, const char *origin, int line)
{
	struct zd_variant *v;

	while (*name == ' ')
		name++;
	if (!*name)
		return config_fail_at(c, origin, line, "[variant] section needs a name");
	/* the name is a results folder and a worktree name */
	if (name[0] == '.' || name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")])
		return config_fail_at(c, origin, line,
				      "[variant %s]: a name is letters, digits, '.', '_' and '-' (not starting with '.')",
				      name);
	v = (struct zd_variant *)config_variant(c, name);
	if (!v) {
		if (c->nr_uvariants == ZD_MAX_LIST)
			return config_fail_at(c, origin, line, "more than %d [variant] sections",
					      ZD_MAX_LIST);
		v = &c->uvariants[c->nr_uvariants++];
		memset(v, 0, sizeof(*v));
		v->name = xstrdup(name);
		v->origin = xstrdup(origin);
		v->line = line;
	}
	for (size_t i = 0; i < ARRAY_SIZE(vkeys); i++) {
		char **f = (char **)((char *)v + vkeys[i].off);

		if (strcmp(vkeys[i].key, key))
			continue;
		free(*f);
		*f = *value ? xstrdup(value) : NULL;
		return 0;
	}
	return config_fail_at(c, origin, line,
			      "unknown key '%s' in [variant %s] (rev, patches, kernel, config, build_dir)",
			      key, name);
}

void config_variants_free(struct zd_config *c)
{
	for (size_t i = 0; i < c->nr_uvariants; i++) {
		struct zd_variant *v = &c->uvariants[i];

		for (size_t j = 0; j < ARRAY_SIZE(vkeys); j++)
			free(*(char **)((char *)v + vkeys[j].off));
		free(v->name);
		free(v->origin);
	}
	c->nr_uvariants = 0;
}

void config_variants_dump(const struct zd_config *c, FILE *f)
{
	for (size_t i = 0; i < c->nr_uvariants; i++) {
		const struct zd_variant *v = &c->uvariants[i];

		for (size_t j = 0; j < ARRAY_SIZE(vkeys); j++) {
			const char *val = *(char *const *)((const char *)v + vkeys[j].off);

			if (val)
				fprintf(f, "variant.%s.%s = %s\n", v->name, vkeys[j].key, val);
		}
	}
}

void vspec_free(struct vspec *v)
{
	free(v->rev);
	free(v->patches);
	free(v->bzimage);
	free(v->config);
	free(v->what);
	memset(v, 0, sizeof(*v));
}

bool file_has_patch(const char *path)
{
	char *text = read_file(path, NULL);
	bool minus = false, found = false;

	for (char *l = text, *next; l && *l && !found; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (str_starts(l, "diff --git ") || (minus && str_starts(l, "+++ ")))
			found = true;
		minus = str_starts(l, "--- ");
	}
	free(text);
	return found;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder without a series file: its *.patch files, by name. */
static int folder_patches(const char *dir, struct zd_list *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return zd_error("patch folder %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !str_ends(de->d_name, ".patch"))
			continue;
		if (out->n == ZD_MAX_LIST) {
			closedir(d);
			return zd_error("patch folder %s: more than %d patches (put them in one mbox)",
					dir, ZD_MAX_LIST);
		}
		out->v[out->n++] = path_join(dir, de->d_name);
	}
	closedir(d);
	qsort(out->v, out->n, sizeof(out->v[0]), name_cmp);
	return 0;
}

int series_file(const char *dir, const char *series, struct zd_list *out)
{
	char *text = read_file(series, NULL), *next;
	int lineno = 0;

	if (!text)
		return zd_error("%s: %s", series, strerror(errno));
	for (char *line = text; line && *line; line = next) {
		char *l, *p;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		l = trim(line);
		if (!*l || *l == '#')
			continue;
		p = l[0] == '/' ? xstrdup(l) : path_join(dir, l);
		if (!path_exists(p) || out->n == ZD_MAX_LIST) {
			zd_err("%s:%d: patch %s %s", series, lineno, l,
			       out->n == ZD_MAX_LIST ? "exceeds the series limit" : "not found");
			free(p);
			free(text);
			return -1;
		}
		out->v[out->n++] = p;
	}
	free(text);
	return 0;
}

int series_read(const char *path, struct zd_list *out)
{
	char *abs = path_abs(path);
	int ret = 0;

	out->n = 0;
	if (!path_exists(abs)) {
		ret = zd_error("patches %s: no such file or folder", abs);
	} else if (is_dir(abs)) {
		char *series = path_join(abs, "series");

		ret = path_exists(series) ? series_file(abs, series, out) : folder_patches(abs, out);
		free(series);
		if (!ret && !out->n)
			ret = zd_error("patch folder %s: no patch in it (no series file, no *.patch)",
				       abs);
		for (size_t i = 0; !ret && i < out->n; i++)
			if (!file_has_patch(out->v[i]))
				ret = zd_error("patch %s: no patch in it (no diff)", out->v[i]);
	} else if (!file_has_patch(abs)) {
		ret = zd_error("mbox %s: no patch in it (no diff)", abs);
	} else {
		out->v[out->n++] = xstrdup(abs);
	}
	if (ret) {
		for (size_t i = 0; i < out->n; i++)
			free(out->v[i]);
		out->n = 0;
	}
	free(abs);
	return ret;
}

static char *resolve_path(const char *p)
{
	char *e = expand_home(p), *a = path_abs(e);

	free(e);
	return a;
}

/*
 * A kernel the user built: kernel + config, or build_dir: an O= folder
 * (arch/x86/boot/bzImage, .config) or a tuxmake output folder (bzImage,
 * config). kernel and config override what build_dir gives.
 */
static int prebuilt(const struct zd_variant *u, struct vspec *v)
{
	if (u->build_dir) {
		char *d = resolve_path(u->build_dir);

		if (!is_dir(d)) {
			zd_err("%s: build_dir %s: no such folder", v->what, d);
			free(d);
			return -1;
		}
		v->bzimage = path_join(d, "arch/x86/boot/bzImage");
		v->config = path_join(d, ".config");
		if (!path_exists(v->bzimage)) {
			/* a tuxmake output folder: bzImage and config at its top */
			char *tb = path_join(d, "bzImage"), *tc = path_join(d, "config");

			if (path_exists(tb)) {
				free(v->bzimage);
				free(v->config);
				v->bzimage = tb;
				v->config = tc;
			} else {
				free(tb);
				free(tc);
			}
		}
		free(d);
	}
	if (u->kernel) {
		free(v->bzimage);
		v->bzimage = resolve_path(u->kernel);
	}
	if (u->config) {
		free(v->config);
		v->config = resolve_path(u->config);
	}
	if (!path_exists(v->bzimage))
		return zd_error("%s: kernel %s: no such file", v->what, v->bzimage);
	if (!v->config)
		return zd_error("%s: kernel %s has no .config: set config = its .config (or build_dir = its O= folder); the harness checks it has what the workloads need",
				v->what, v->bzimage);
	if (!path_exists(v->config))
		return zd_error("%s: config %s (the .config of %s): no such file", v->what,
				v->config, v->bzimage);
	return 0;
}

bool variant_known(const struct zd_config *c, const char *name)
{
	char *d = xasprintf("%s/kernels/%s", c->project_dir ? c->project_dir : ".", name);
	bool known = !strcmp(name, "HEAD") || config_variant(c, name) || is_dir(d) ||
		     !strcmp(c->source, "tree");

	free(d);
	return known;
}

int variant_resolve(const struct zd_config *c, const char *name, struct vspec *v)
{
	const struct zd_variant *u = config_variant(c, name);
	char *d;

	memset(v, 0, sizeof(*v));
	if (!strcmp(name, "HEAD")) {
		v->kind = VK_HEAD;
		v->what = xstrdup("HEAD");
		return 0;
	}
	if (u) {
		v->what = xasprintf("[variant %s] (%s:%d)", name, u->origin, u->line);
		if (u->kernel || u->build_dir || u->config) {
			if (u->rev || u->patches)
				return zd_error("%s: a built kernel (kernel, config, build_dir) takes no rev or patches",
						v->what);
			v->kind = VK_PREBUILT;
			return prebuilt(u, v);
		}
		v->kind = VK_REV;
		v->rev = xstrdup(u->rev ? u->rev : c->base_rev && *c->base_rev ? c->base_rev : "HEAD");
		if (u->patches) {
			v->patches = resolve_path(u->patches);
			if (!path_exists(v->patches))
				return zd_error("%s: patches %s: no such file or folder", v->what,
						v->patches);
		}
		return 0;
	}
	d = xasprintf("%s/kernels/%s", c->project_dir ? c->project_dir : ".", name);
	if (is_dir(d)) {
		free(d);
		v->kind = VK_SHIPPED;
		v->what = xasprintf("variant %s", name);
		return 0;
	}
	v->what = xasprintf("variant %s", name);
	if (!strcmp(c->source, "tree")) {
		free(d);
		/* the name is a results folder too: "origin/master" would nest */
		if (!is_name(name))
			return zd_error("variant %s: a revision named with characters other than [A-Za-z0-9._-] needs a name: [variant NAME] rev = %s",
					name, name);
		v->kind = VK_REV;
		v->rev = xstrdup(name);
		return 0;
	}
	zd_err("unknown variant '%s': no folder %s, no [variant %s] section (a revision needs --tree)",
	       name, d, name);
	free(d);
	return -1;
}
