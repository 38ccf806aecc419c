// SPDX-License-Identifier: GPL-2.0
/* zdbench merge: results from several machines in one place (see merge.h). */
#define _GNU_SOURCE
#include "merge.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "history.h"
#include "machine.h"
#include "result.h"
#include "runset.h"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of dir's entries of type kind (S_IFDIR, S_IFREG), hidden ones left out. */
static int list_kind(const char *dir, mode_t kind, struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *p;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		p = path_join(dir, de->d_name);
		if (!lstat(p, &st) && (st.st_mode & S_IFMT) == kind)
			strv_push(out, de->d_name);
		free(p);
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(char *), cmp_names);
	return 0;
}

/* A regular file itself, not a link to one: only those are hashed and copied. */
static bool is_regular(const char *p)
{
	struct stat st;

	return !lstat(p, &st) && S_ISREG(st.st_mode);
}


static void add_unique(struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return;
	strv_push(sv, s);
}

/*
 * The names of o[key], an array: of strings (field NULL) or of objects
 * whose field is the name. Appended to sv; -1 with *why when an entry is
 * no name (it becomes a file name here). A missing key lists nothing.
 */
static int names_of(struct json_object *o, const char *file, const char *key,
		    const char *field, struct strv *sv, char **why)
{
	struct json_object *a;

	if (!json_object_object_get_ex(o, key, &a))
		return 0;
	if (!json_object_is_type(a, json_type_array)) {
		*why = xasprintf("%s: %s is not an array", file, key);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const char *s = field ? jstr(e, field) :
				json_object_is_type(e, json_type_string) ?
				json_object_get_string(e) : NULL;

		if (!s || !is_name(s)) {
			*why = xasprintf("%s: %s[%zu]%s%s is not a name (%s)", file, key, i,
					 field ? "." : "", field ? field : "", ZD_NAME_RULE);
			return -1;
		}
		add_unique(sv, s);
	}
	return 0;
}

/* Why the file at p is not there or not JSON, in words naming it. */
static char *unreadable(const char *p, int err)
{
	if (err == ENOENT)
		return xasprintf("%s: missing (a half-uploaded run folder?)", p);
	if (err == EBADMSG)
		return xasprintf("%s: not JSON (torn: a half-uploaded run folder?)", p);
	return xasprintf("%s: cannot read: %s", p, read_file_strerror(err));
}

/*
 * The variants of run folder dir and their result files ("variant/name"):
 * every variant run.json lists must have a folder with a result for every
 * workload listed (run.json's "workloads", else the variant's plan.json);
 * variant folders run.json does not list are taken as they are.
 */
/*
 * A boot's folder (run.c writes boot.json last in it; with --interleave
 * each boot<N>/ is one) must hold the console and the agent's lines it was
 * judged from: an upload cut short would otherwise be merged without them,
 * and the complete upload skipped later as the same content. Folders of
 * runs older than boot.json are taken as they are. true (with *why) when
 * one is missing.
 */
static bool boot_files_whole(const char *vd, char **why)
{
	static const char *const need[] = { "console.log", "results.jsonl" };
	struct strv subs = { 0 }, dirs = { 0 };
	bool bad = false;

	strv_push(&dirs, vd);
	list_kind(vd, S_IFDIR, &subs);
	for (size_t i = 0; i < subs.n; i++)
		if (str_starts(subs.v[i], "boot"))
			strv_pushf(&dirs, "%s/%s", vd, subs.v[i]);
	for (size_t d = 0; d < dirs.n && !bad; d++) {
		char *bj = path_join(dirs.v[d], "boot.json");

		for (size_t i = 0; path_exists(bj) && i < ARRAY_SIZE(need) && !bad; i++) {
			char *p = path_join(dirs.v[d], need[i]);

			if (!is_regular(p)) {
				*why = xasprintf("%s: missing: the boot's %s (a half-uploaded run folder?)",
						 p, need[i]);
				bad = true;
			}
			free(p);
		}
		free(bj);
	}
	strv_free(&subs);
	strv_free(&dirs);
	return bad;
}

static int run_files(const char *dir, struct json_object *rj, const char *rjp,
		     struct strv *files, char **why)
{
	struct strv variants = { 0 }, workloads = { 0 }, subs = { 0 };
	int ret = -1;

	if (names_of(rj, rjp, "kernels", "variant", &variants, why) ||
	    names_of(rj, rjp, "workloads", NULL, &workloads, why))
		goto out;
	list_kind(dir, S_IFDIR, &subs);
	for (size_t i = 0; i < subs.n; i++) {
		char *vd = path_join(dir, subs.v[i]);

		if (is_variant_dir(vd))
			add_unique(&variants, subs.v[i]);
		free(vd);
	}
	for (size_t v = 0; v < variants.n; v++) {
		char *vd = path_join(dir, variants.v[v]);
		struct strv wls = { 0 }, names = { 0 };
		bool bad = false;

		if (!is_dir(vd)) {
			*why = xasprintf("%s: missing: run.json lists variant %s (a half-uploaded run folder?)",
					 vd, variants.v[v]);
			free(vd);
			goto out;
		}
		for (size_t w = 0; w < workloads.n; w++)
			strv_push(&wls, workloads.v[w]);
		if (!workloads.n) { /* a run.json older than its workloads list */
			char *pp = path_join(vd, "plan.json");
			struct json_object *plan = zd_json_read(pp);

			bad = plan && names_of(plan, pp, "workloads", "name", &wls, why);
			json_object_put(plan);
			free(pp);
		}
		for (size_t w = 0; w < wls.n && !bad; w++) {
			char *f = xasprintf("%s.json", wls.v[w]), *p = path_join(vd, f);

			if (!path_exists(p)) {
				*why = xasprintf("%s: missing: the run lists workload %s for variant %s (a half-uploaded run folder?)",
						 p, wls.v[w], variants.v[v]);
				bad = true;
			} else if (!is_regular(p)) {
				*why = xasprintf("%s: not a regular file", p);
				bad = true;
			}
			free(f);
			free(p);
		}
		if (!bad)
			bad = boot_files_whole(vd, why);
		if (!bad)
			list_kind(vd, S_IFREG, &names);
		for (size_t i = 0; i < names.n; i++)
			if (result_file_name(names.v[i]))
				strv_pushf(files, "%s/%s", variants.v[v], names.v[i]);
		strv_free(&wls);
		strv_free(&names);
		free(vd);
		if (bad)
			goto out;
	}
	if (!files->n) {
		*why = xasprintf("%s: no results in it", dir);
		goto out;
	}
	ret = 0;
out:
	strv_free(&variants);
	strv_free(&workloads);
	strv_free(&subs);
	return ret;
}

int merge_check_run(const char *dir, const char *dflt_machine, char **run_id,
		    char **machine, char hash[65], char **why)
{
	char *rjp = path_join(dir, "run.json"), *res_machine = NULL;
	struct json_object *rj = zd_json_read(rjp), *mo;
	struct strv files = { 0 };
	struct zd_hash *h = NULL;
	const char *s, *rjm;
	int ret = -1;

	*run_id = *machine = *why = NULL;
	if (!rj) {
		*why = unreadable(rjp, errno);
		goto out;
	}
	if (!is_regular(rjp)) {
		*why = xasprintf("%s: not a regular file", rjp);
		goto out;
	}
	s = jstr(rj, "schema");
	if (!s || strcmp(s, ZD_RUN_SCHEMA)) {
		*why = xasprintf("%s: schema is '%s', expected '%s'", rjp, s ? s : "(missing)",
				 ZD_RUN_SCHEMA);
		goto out;
	}
	s = jstr(rj, "run_id");
	if (!s || !is_name(s)) {
		*why = xasprintf("%s: run_id '%s': %s", rjp, s ? s : "(missing)", ZD_NAME_RULE);
		goto out;
	}
	*run_id = xstrdup(s);
	/* "complete" when the run ended; absent in run.json files older than it */
	s = jstr(rj, "status");
	if (json_object_object_get_ex(rj, "status", NULL) && (!s || strcmp(s, "complete"))) {
		*why = xasprintf("%s: status is '%s': the run had not finished when its folder was copied (a half-uploaded run folder?)",
				 rjp, s ? s : "(not a string)");
		goto out;
	}
	rjm = run_json_machine(rj);
	if (!rjm && json_object_object_get_ex(rj, "machine", &mo)) {
		*why = xasprintf("%s: machine.id is not a name (%s)", rjp, ZD_NAME_RULE);
		goto out;
	}
	if (run_files(dir, rj, rjp, &files, why))
		goto out;
	h = hash_new();
	if (hash_file(h, "run.json", rjp)) {
		*why = unreadable(rjp, errno);
		goto out;
	}
	for (size_t i = 0; i < files.n; i++) {
		char *p = path_join(dir, files.v[i]), *err = NULL;
		struct zd_result r;
		int bad = result_read(p, &r, &err);

		if (bad)
			*why = xasprintf("%s: %s (torn: a half-uploaded run folder?)", p, err);
		else if (r.run_id && strcmp(r.run_id, *run_id))
			*why = xasprintf("%s: run_id '%s', but %s says '%s'", p, r.run_id, rjp, *run_id);
		else if (r.machine && (rjm || res_machine) &&
			 strcmp(r.machine, rjm ? rjm : res_machine))
			*why = xasprintf("%s: machine '%s', but the run's is '%s'", p, r.machine,
					 rjm ? rjm : res_machine);
		else if (hash_file(h, files.v[i], p))
			*why = unreadable(p, errno);
		if (!*why && r.machine && !res_machine)
			res_machine = xstrdup(r.machine);
		free(err);
		free(p);
		result_free(&r);
		if (*why)
			goto out;
	}
	*machine = xstrdup(rjm ? rjm : res_machine ? res_machine :
			   dflt_machine ? dflt_machine : ZD_MACHINE_UNKNOWN);
	ret = 0;
out:
	if (h) {
		char scratch[ZD_HASH_HEX];

		hash_final(h, ret ? scratch : hash);
	}
	if (ret) {
		free(*run_id);
		*run_id = NULL;
	}
	json_object_put(rj);
	strv_free(&files);
	free(res_machine);
	free(rjp);
	return ret;
}

/* One run merged before (or recorded by nightly: hash NULL). */
struct ledger_entry {
	char *run_id, *machine, *hash, *source;
};

struct ledger {
	struct ledger_entry *e;
	size_t n;
};

static void ledger_add(struct ledger *l, const char *run_id, const char *machine,
		       const char *hash, const char *source)
{
	struct ledger_entry *e;

	l->e = grow_array(l->e, l->n, sizeof(*l->e));
	e = &l->e[l->n++];
	e->run_id = xstrdup(run_id);
	e->machine = xstrdup(machine);
	e->hash = hash ? xstrdup(hash) : NULL;
	e->source = source ? xstrdup(source) : NULL;
}

static void ledger_free(struct ledger *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->e[i].run_id);
		free(l->e[i].machine);
		free(l->e[i].hash);
		free(l->e[i].source);
	}
	free(l->e);
}

/* Copy folder src to dst (made), regular files and folders; hidden entries left out. */
static int copy_tree(const char *src, const char *dst)
{
	struct strv dirs = { 0 }, regs = { 0 };
	int ret = 0;

	if (mkdir(dst, 0755) || list_kind(src, S_IFDIR, &dirs) || list_kind(src, S_IFREG, &regs))
		ret = -1;
	for (size_t i = 0; i < regs.n && !ret; i++) {
		char *s = path_join(src, regs.v[i]), *d = path_join(dst, regs.v[i]);

		ret = copy_file(s, d);
		free(s);
		free(d);
	}
	for (size_t i = 0; i < dirs.n && !ret; i++) {
		char *s = path_join(src, dirs.v[i]), *d = path_join(dst, dirs.v[i]);

		ret = copy_tree(s, d);
		free(s);
		free(d);
	}
	strv_free(&dirs);
	strv_free(&regs);
	return ret;
}

static long run_time(struct json_object *rj)
{
	int64_t t = jint(rj, "finished", -1);

	return t >= 0 ? (long)t : (long)jint(rj, "started", 0);
}

/* The commit a run measured, as nightly records it: the base, or the first kernel's. */
static const char *run_commit(struct json_object *rj)
{
	struct json_object *ks, *k0;
	const char *c = jstr(rj, "kernel_base");

	if (c && *c)
		return c;
	if (json_object_object_get_ex(rj, "kernels", &ks) &&
	    json_object_is_type(ks, json_type_array) && (k0 = json_object_array_get_idx(ks, 0)))
		return jstr(k0, "commit");
	return "";
}

/* The history document of the copy at dst, with its identity, appended. */
static int record(const char *hdir, const char *dst, const char *run_id,
		  const char *machine, const char *hash, const char *source)
{
	struct run_set rs;
	char *rjp = path_join(dst, "run.json"), *name = xasprintf("%s@%s", run_id, machine);
	struct json_object *rj = zd_json_read(rjp), *doc;
	int ret = -1;

	if (run_set_load(dst, &rs))
		goto out;
	/* a run that names no machine is recorded under the label it was merged as */
	if (!rs.machine)
		rs.machine = xstrdup(machine);
	doc = history_doc(&rs, run_id, run_commit(rj), run_time(rj));
	json_object_object_add(doc, "content_sha256", json_object_new_string(hash));
	json_object_object_add(doc, "source", json_object_new_string(source));
	ret = history_append(hdir, name, doc);
	json_object_put(doc);
out:
	run_set_free(&rs);
	json_object_put(rj);
	free(rjp);
	free(name);
	return ret;
}

/* Merge one run folder. */
static void merge_one(const struct merge_opts *o, const char *hdir, const char *src,
		      struct ledger *l, struct merge_stats *st)
{
	char *run_id, *machine, *why, hash[ZD_HASH_HEX], *source = path_abs(src);
	char *mdir = NULL, *dst = NULL, *tmp = NULL;
	const char *other = NULL;	/* a machine that ran a run of the same id */
	bool done = false;

	if (merge_check_run(src, o->machine, &run_id, &machine, hash, &why)) {
		zd_err("merge: %s refused: %s; nothing of it recorded", src, why);
		st->refused++;
		free(why);
		free(source);
		return;
	}
	mdir = path_join(o->out_dir, machine);
	dst = path_join(mdir, run_id);
	for (size_t i = 0; i < l->n && !done; i++) {
		struct ledger_entry *e = &l->e[i];

		if (strcmp(e->run_id, run_id))
			continue;
		if (strcmp(e->machine, machine)) {
			other = e->machine;
			continue;
		}
		if (!e->hash) {
			printf("skipped %s: run %s of machine %s is in the history already (recorded by nightly)\n",
			       src, run_id, machine);
			st->skipped++;
		} else if (!strcmp(e->hash, hash)) {
			printf("skipped %s: run %s of machine %s is merged already (same content, from %s)\n",
			       src, run_id, machine, e->source ? e->source : "?");
			st->skipped++;
		} else {
			zd_err("merge: run %s of machine %s: %s differs from the run merged before from %s (%s): same run id, other content; nothing of it recorded",
			       run_id, machine, src, e->source ? e->source : "?", dst);
			st->conflicts++;
		}
		done = true;
	}
	if (done)
		goto out;
	if (path_exists(dst)) {
		/* copied before, not recorded (the history write failed): recognise it */
		char *rid2, *m2, h2[ZD_HASH_HEX], *why2;

		if (merge_check_run(dst, machine, &rid2, &m2, h2, &why2) || strcmp(h2, hash)) {
			zd_err("merge: run %s of machine %s: %s differs from %s, there already; nothing of it recorded",
			       run_id, machine, src, dst);
			st->conflicts++;
			free(why2);
			free(rid2);
			free(m2);
			goto out;
		}
		free(rid2);
		free(m2);
	} else {
		/* a whole copy appears under its name, or nothing does */
		tmp = xasprintf("%s/.%s.merge-%d", mdir, run_id, (int)getpid());
		rm_rf(tmp);
		if (mkdir_p(mdir, 0755) || copy_tree(src, tmp) || rename(tmp, dst) ||
		    fsync_parent(dst)) {
			zd_err("merge: cannot copy %s to %s: %s; nothing of it recorded", src, dst,
			       strerror(errno));
			rm_rf(tmp);
			st->refused++;
			goto out;
		}
	}
	if (record(hdir, dst, run_id, machine, hash, source)) {
		zd_err("merge: %s: copied to %s but not recorded in %s; merge it again", src, dst,
		       hdir);
		st->refused++;
		goto out;
	}
	if (other) /* run ids are a time and a PID: two machines can draw the same */
		printf("note: run id %s came from machines %s and %s: two runs, both kept (%s/%s/%s and %s)\n",
		       run_id, other, machine, o->out_dir, other, run_id, dst);
	ledger_add(l, run_id, machine, hash, source);
	printf("merged %s: run %s of machine %s -> %s\n", src, run_id, machine, dst);
	st->merged++;
out:
	free(run_id);
	free(machine);
	free(source);
	free(mdir);
	free(dst);
	free(tmp);
}

/* The run folders dir names: itself, or its folders that are (or look like) runs. */
static int run_folders(const char *dir, struct strv *runs)
{
	struct strv subs = { 0 };
	char *rj = path_join(dir, "run.json");
	size_t before = runs->n;

	if (path_exists(rj)) {
		strv_push(runs, dir);
		free(rj);
		return 0;
	}
	free(rj);
	list_kind(dir, S_IFDIR, &subs);
	for (size_t i = 0; i < subs.n; i++) {
		char *sd = path_join(dir, subs.v[i]), *srj = path_join(sd, "run.json");
		struct strv inner = { 0 };
		bool run = path_exists(srj);

		/* a run folder whose run.json never arrived still holds variant folders */
		if (!run && strcmp(subs.v[i], "history")) {
			list_kind(sd, S_IFDIR, &inner);
			for (size_t j = 0; j < inner.n && !run; j++) {
				char *vd = path_join(sd, inner.v[j]);

				run = is_variant_dir(vd);
				free(vd);
			}
		}
		if (run)
			strv_push(runs, sd);
		strv_free(&inner);
		free(sd);
		free(srj);
	}
	strv_free(&subs);
	return runs->n > before ? 0 : -1;
}

int merge_results(const struct merge_opts *o, const struct strv *dirs,
		  struct merge_stats *st)
{
	char *hdir = path_join(o->out_dir, "history");
	struct json_object **docs = NULL;
	struct ledger l = { 0 };
	struct strv runs = { 0 };
	size_t n = 0;
	int ret = ZD_EXIT_USAGE;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < dirs->n; i++) {
		if (!is_dir(dirs->v[i])) {
			zd_err("merge: %s: %s", dirs->v[i],
			       path_exists(dirs->v[i]) ? "not a folder" : "no such folder");
			goto out;
		}
		if (run_folders(dirs->v[i], &runs)) {
			zd_err("merge: %s: no run folder in it (a run folder holds run.json)", dirs->v[i]);
			goto out;
		}
	}
	if (o->machine && !is_name(o->machine)) {
		zd_err("merge: --machine '%s': %s", o->machine, ZD_NAME_RULE);
		goto out;
	}
	ret = ZD_EXIT_INFRA;
	if (mkdir_p(hdir, 0755) || history_load(hdir, &docs, &n)) {
		zd_err("merge: cannot read or make %s: %s", hdir, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ledger_add(&l, jstr(docs[i], "run_id"), history_doc_machine(docs[i]),
			   jstr(docs[i], "content_sha256"), jstr(docs[i], "source"));
	for (size_t i = 0; i < runs.n; i++)
		merge_one(o, hdir, runs.v[i], &l, st);
	printf("merge: %zu merged, %zu skipped, %zu refused, %zu in conflict; history %s\n",
	       st->merged, st->skipped, st->refused, st->conflicts, hdir);
	ret = st->refused || st->conflicts ? ZD_EXIT_INFRA : ZD_EXIT_CLEAN;
out:
	history_free(docs, n);
	ledger_free(&l);
	strv_free(&runs);
	free(hdir);
	return ret;
}
