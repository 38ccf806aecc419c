// SPDX-License-Identifier: GPL-2.0
/* Run sets in memory and the one loader from disk (see runset.h). */
#define _GNU_SOURCE
#include "runset.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "util.h"

static void add_unique(struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return;
	strv_push(sv, s);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void run_set_init(struct run_set *rs, const char *dir)
{
	memset(rs, 0, sizeof(*rs));
	rs->dir = xstrdup(dir ? dir : "");
}

void run_set_take(struct run_set *rs, struct zd_result *r)
{
	rs->res = grow_array(rs->res, rs->n, sizeof(*r));
	rs->res[rs->n++] = *r;
	result_init(r);
	if (!rs->machine && rs->res[rs->n - 1].machine)
		rs->machine = xstrdup(rs->res[rs->n - 1].machine);
	add_unique(&rs->variants, rs->res[rs->n - 1].variant ? rs->res[rs->n - 1].variant : "");
	add_unique(&rs->workloads, rs->res[rs->n - 1].workload ? rs->res[rs->n - 1].workload : "");
}


/* Sorted names of the entries of dir that pass keep(). */
static int list(const char *dir, bool (*keep)(const char *dir, const char *name),
		struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && keep(dir, de->d_name))
			strv_push(out, de->d_name);
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), cmp_names);
	return 0;
}

static bool keep_result(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	bool ok = result_file_name(name) && !is_dir(p);

	free(p);
	return ok;
}

static bool keep_variant(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	bool ok = is_dir(p) && is_variant_dir(p);

	free(p);
	return ok;
}

bool is_variant_dir(const char *dir)
{
	struct strv names = { 0 };
	char *rj = path_join(dir, "run.json");
	/*
	 * A run folder (it has run.json) is never a variant folder, whatever
	 * else lies beside its variants (compare --json > RUN/compare.json).
	 */
	bool yes = !path_exists(rj) && !list(dir, keep_result, &names) && names.n;

	free(rj);
	strv_free(&names);
	return yes;
}

/* Every result of one variant folder into rs. */
static int load_variant(const char *vd, struct run_set *rs)
{
	struct strv names = { 0 };
	int ret = 0;

	if (list(vd, keep_result, &names))
		return zd_error("%s: %s", vd, strerror(errno));
	for (size_t i = 0; i < names.n && !ret; i++) {
		char *p = path_join(vd, names.v[i]), *err = NULL;
		struct zd_result r;

		if (result_read(p, &r, &err)) {
			ret = zd_error("%s: %s", p, err ? err : "unreadable");
			free(err);
		} else {
			run_set_take(rs, &r);
		}
		free(p);
	}
	strv_free(&names);
	return ret;
}

/*
 * rs->machine: the results' own (they must agree: one run, one machine),
 * else what run.json names in dir or, for a variant folder, its parent.
 */
static int set_machine(const char *dir, struct run_set *rs)
{
	char *rj, *parent;
	struct json_object *o;

	for (size_t i = 0; i < rs->n; i++)
		if (rs->res[i].machine && rs->machine && strcmp(rs->res[i].machine, rs->machine))
			return zd_error("%s: results from two machines, %s and %s (%s/%s)", dir,
					rs->machine, rs->res[i].machine, rs->res[i].variant,
					rs->res[i].workload);
	if (rs->machine)
		return 0;
	rj = path_join(dir, "run.json");
	parent = xasprintf("%s/../run.json", dir);
	o = zd_json_read(rj);
	if (!o)
		o = zd_json_read(parent);
	if (run_json_machine(o))
		rs->machine = xstrdup(run_json_machine(o));
	json_object_put(o);
	free(rj);
	free(parent);
	return 0;
}

const char *run_set_machine(const struct run_set *rs)
{
	return rs->machine ? rs->machine : ZD_MACHINE_UNKNOWN;
}

int run_set_load(const char *dir, struct run_set *rs)
{
	struct strv subs = { 0 };
	int ret = 0;

	run_set_init(rs, dir);
	if (!is_dir(dir))
		return zd_error("%s: not a results folder", dir);
	if (is_variant_dir(dir)) {
		ret = load_variant(dir, rs);
		goto out;
	}
	list(dir, keep_variant, &subs);
	/* base first: it is what the others are read against */
	for (size_t i = 1; i < subs.n; i++)
		if (!strcmp(subs.v[i], "base")) {
			char *t = subs.v[i];

			memmove(&subs.v[1], &subs.v[0], i * sizeof(char *));
			subs.v[0] = t;
		}
	for (size_t i = 0; i < subs.n && !ret; i++) {
		char *vd = path_join(dir, subs.v[i]);

		ret = load_variant(vd, rs);
		free(vd);
	}
out:
	strv_free(&subs);
	if (!ret && !rs->n)
		ret = zd_error("%s: no results", dir);
	if (!ret)
		ret = set_machine(dir, rs);
	return ret;
}

int run_set_load_spec(const char *spec, struct run_set *rs)
{
	char *s, *colon, *vd;
	int ret;

	if (is_dir(spec) || !strrchr(spec, ':'))
		return run_set_load(spec, rs);
	s = xstrdup(spec);
	colon = strrchr(s, ':');
	*colon = '\0';
	vd = path_join(s, colon + 1);
	if (!is_dir(vd) || !is_variant_dir(vd)) {
		run_set_init(rs, vd);
		ret = zd_error("%s: no such variant folder", vd);
	} else {
		ret = run_set_load(vd, rs);
	}
	free(vd);
	free(s);
	return ret;
}

void run_set_free(struct run_set *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		result_free(&rs->res[i]);
	free(rs->res);
	free(rs->dir);
	free(rs->machine);
	strv_free(&rs->variants);
	strv_free(&rs->workloads);
	memset(rs, 0, sizeof(*rs));
}

const struct zd_result *run_set_get(const struct run_set *rs,
				    const char *variant, const char *workload)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->res[i].variant && rs->res[i].workload &&
		    !strcmp(rs->res[i].variant, variant) &&
		    !strcmp(rs->res[i].workload, workload))
			return &rs->res[i];
	return NULL;
}
