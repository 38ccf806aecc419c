// SPDX-License-Identifier: GPL-2.0
/*
 * The cache's inventory: which source trees and built kernels it holds,
 * how big they are, and which of them no config names (gc).
 */
#define _GNU_SOURCE
#include "kcache.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ksrc.h"
#include "result.h"
#include "util.h"

static uint64_t du_total;

static int du_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	du_total += (uint64_t)st->st_blocks * 512;
	return 0;
}

uint64_t du_bytes(const char *path)
{
	du_total = 0;
	if (nftw(path, du_one, 32, FTW_PHYS))
		return du_total;
	return du_total;
}

const char *human_bytes(uint64_t b, char *buf, size_t len)
{
	static const char units[] = "BKMGT";
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u && v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
	return buf;
}

static char *meta_str(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, k, &v) && json_object_get_string(v))
		return xstrdup(json_object_get_string(v));
	return xstrdup("");
}

static char *first_line(const char *path)
{
	char *t = read_file(path, NULL);

	if (!t)
		return xstrdup("");
	t[strcspn(t, "\n")] = '\0';
	return t;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted (so listings are stable). */
static void dir_names(const char *dir, struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			strv_push(out, de->d_name);
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(out->v[0]), name_cmp);
}

static void add_tree(struct kcache *kc, const char *key, const char *dir, const char *origin,
		     bool legacy)
{
	struct kc_tree *t;

	kc->trees = xrealloc(kc->trees, (kc->nr_trees + 1) * sizeof(*kc->trees));
	t = &kc->trees[kc->nr_trees++];
	t->key = xstrdup(key);
	t->dir = xstrdup(dir);
	t->origin = xstrdup(origin);
	t->legacy = legacy;
	t->bytes = du_bytes(dir);
}

int kcache_scan(const char *cache, struct kcache *kc)
{
	char *legacy = path_join(cache, "linux"), *src = path_join(cache, "src");
	char *kdir = path_join(cache, "kernels");
	struct strv names = { 0 };

	memset(kc, 0, sizeof(*kc));
	if (is_dir(legacy)) {
		char *stamp = path_join(cache, "linux.imported"), *h = first_line(stamp);

		char *o, *origin;

		h[strlen(h) > ZD_KEY_SHORT ? ZD_KEY_SHORT : strlen(h)] = '\0';
		/* its cache/src/<key> holds only its origin file: one entry, not two */
		o = xasprintf("%s/%s/origin", src, h);
		origin = first_line(o);
		add_tree(kc, h, legacy, origin, true);
		free(stamp);
		free(h);
		free(o);
		free(origin);
	}
	dir_names(src, &names);
	for (size_t i = 0; i < names.n; i++) {
		char *d = path_join(src, names.v[i]), *o = path_join(d, "origin");
		char *origin = first_line(o);

		if (is_dir(d) && !(kc->nr_trees && kc->trees[0].legacy &&
				   !strcmp(kc->trees[0].key, names.v[i])))
			add_tree(kc, names.v[i], d, origin, false);
		free(d);
		free(o);
		free(origin);
	}
	strv_free(&names);
	dir_names(kdir, &names);
	for (size_t i = 0; i < names.n; i++) {
		char *d = path_join(kdir, names.v[i]), *m = path_join(d, "meta.json");
		struct json_object *o = path_exists(m) ? zd_json_read(m) : NULL;
		struct kc_kernel *k;

		if (!is_dir(d)) {
			free(d);
			free(m);
			continue;
		}
		kc->kernels = xrealloc(kc->kernels, (kc->nr_kernels + 1) * sizeof(*kc->kernels));
		k = &kc->kernels[kc->nr_kernels++];
		k->key = xstrdup(names.v[i]);
		k->dir = d;
		k->variant = meta_str(o, "variant");
		k->commit = meta_str(o, "commit");
		k->describe = meta_str(o, "describe");
		k->kind = meta_str(o, "kind");
		if (!*k->kind) {
			free(k->kind);
			k->kind = xstrdup("build");
		}
		k->source = meta_str(o, "source");
		k->complete = o != NULL;
		k->bytes = du_bytes(d);
		json_object_put(o);
		free(m);
	}
	strv_free(&names);
	free(legacy);
	free(src);
	free(kdir);
	return 0;
}

void kcache_free(struct kcache *kc)
{
	for (size_t i = 0; i < kc->nr_trees; i++) {
		free(kc->trees[i].key);
		free(kc->trees[i].dir);
		free(kc->trees[i].origin);
	}
	for (size_t i = 0; i < kc->nr_kernels; i++) {
		struct kc_kernel *k = &kc->kernels[i];

		free(k->key);
		free(k->dir);
		free(k->variant);
		free(k->commit);
		free(k->describe);
		free(k->kind);
		free(k->source);
	}
	free(kc->trees);
	free(kc->kernels);
	memset(kc, 0, sizeof(*kc));
}

static bool strv_has(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

void kcache_gc_plan(const struct kcache *kc, const struct strv *keep_src,
		    const struct strv *keep_variants, struct strv *out)
{
	for (size_t i = 0; i < kc->nr_trees; i++) {
		const struct kc_tree *t = &kc->trees[i];

		if (!t->legacy && !strv_has(keep_src, t->key))
			strv_push(out, t->dir);
	}
	for (size_t i = 0; i < kc->nr_kernels; i++) {
		const struct kc_kernel *k = &kc->kernels[i];
		bool src_ok = !*k->source || strv_has(keep_src, k->source);

		if (!k->complete || !src_ok || !strv_has(keep_variants, k->variant))
			strv_push(out, k->dir);
	}
}
