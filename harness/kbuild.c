// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel builds: tinyconfig (or the user's [kernel] config) + fragments,
 * verified after olddefconfig, built out of tree with ccache and cached by
 * a content key, so an unchanged variant never runs make again. What a
 * variant name stands for comes from variant.c: a shipped series, a
 * revision of the tree with an optional user series, or a kernel the user
 * built (checked by kconfig.c and copied into the cache, no make).
 */
#define _GNU_SOURCE
#include "kbuild.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kconfig.h"
#include "proc.h"
#include "result.h"
#include "util.h"
#include "variant.h"

/*
 * Whose fault the failure of the kbuild_variant() under way is, set where
 * it is known (a patch that does not apply, make failing on the tree):
 * builds of one process run one at a time, so a file-scope note suffices.
 */
static int build_fail = ZD_EXIT_INFRA;

#define KBUILD_KEY_VERSION "zdbench-kbuild/1"

static char *const kbuild_env_fixed[] = {
	/* Reproducible banners, so ccache hits and builds compare equal. */
	"KBUILD_BUILD_TIMESTAMP=@0", "KBUILD_BUILD_USER=zdbench",
	"KBUILD_BUILD_HOST=zdbench", "KBUILD_BUILD_VERSION=1", NULL
};

void kernel_free(struct zd_kernel *k)
{
	free(k->variant);
	free(k->key);
	free(k->dir);
	free(k->bzimage);
	free(k->config_hash);
	free(k->commit);
	free(k->compiler);
	free(k->patches_hash);
	memset(k, 0, sizeof(*k));
}

unsigned int kbuild_jobs(const struct zd_config *c)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (c->jobs)
		return c->jobs;
	return n > 0 ? (unsigned int)n : 1;
}

char *variant_file_name(const char *variant)
{
	char *n = xstrdup(variant);

	for (char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
			*p = '_';
	if (n[0] == '.')
		n[0] = '_'; /* "..": not a folder name to make */
	return n;
}

char *compiler_version(void)
{
	char *argv[] = { "gcc", "--version", NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .quiet_stderr = true, .timeout = 30 };
	struct proc_result r;
	char *nl, *v;

	if (proc_run(argv, &o, &r) || r.exit_code || !out.len) {
		sbuf_free(&out);
		return NULL;
	}
	nl = strchr(out.buf, '\n');
	if (nl)
		*nl = '\0';
	v = xstrdup(out.buf);
	sbuf_free(&out);
	return v;
}

int kbuild_key(const struct kbuild_inputs *in, char out[65])
{
	struct zd_hash *h = hash_new();
	int ret = 0;

	hash_str(h, "version", KBUILD_KEY_VERSION);
	hash_str(h, "tree", in->base_tree ? in->base_tree : "");
	hash_str(h, "dirty", in->dirty_hash ? in->dirty_hash : "");
	hash_str(h, "compiler", in->compiler ? in->compiler : "");
	hash_str(h, "arch", in->arch ? in->arch : "x86_64");
	for (const char *const *e = (const char *const *)kbuild_env_fixed; *e; e++)
		hash_str(h, "env", *e);
	for (size_t i = 0; i < in->patches.n; i++)
		if (hash_file(h, "patch", in->patches.v[i]))
			ret = -1;
	for (size_t i = 0; i < in->fragments.n; i++)
		if (hash_file(h, "fragment", in->fragments.v[i]))
			ret = -1;
	/* only when set: the keys of tinyconfig builds stay what they were */
	if (in->kconfig && *in->kconfig && hash_file(h, "kconfig", in->kconfig))
		ret = -1;
	hash_final(h, out);
	return ret;
}

static bool valid_symbol(const char *s)
{
	if (!str_starts(s, "CONFIG_") || !s[7])
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

/* One fragment line: CONFIG_FOO=val, "# CONFIG_FOO is not set", comment, blank. */
static int fragment_line(char *l, struct strv *syms, struct strv *vals)
{
	char sym[128], *eq;

	l = trim(l);
	if (!*l)
		return 0;
	if (sscanf(l, "# %127s is not set", sym) == 1 && str_ends(l, " is not set")) {
		if (!valid_symbol(sym))
			return -1;
		strv_push(syms, sym);
		strv_push(vals, "n");
		return 0;
	}
	if (*l == '#')
		return 0;
	eq = strchr(l, '=');
	if (!eq)
		return -1;
	*eq = '\0';
	if (!valid_symbol(l) || !eq[1])
		return -1;
	strv_push(syms, l);
	strv_push(vals, eq + 1);
	return 0;
}

int fragment_parse(const char *path, struct strv *syms, struct strv *vals)
{
	char *text = read_file(path, NULL);
	char *line, *next;
	int lineno = 0, ret = 0;

	if (!text)
		return zd_error("config fragment %s: %s", path, strerror(errno));
	for (line = text; line && *line; line = next) {
		char *copy;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		copy = xstrdup(line);
		if (fragment_line(copy, syms, vals)) {
			zd_err("%s:%d: not a Kconfig assignment (CONFIG_FOO=y or '# CONFIG_FOO is not set'): %s",
			       path, lineno, line);
			ret = -1;
		}
		free(copy);
		if (ret)
			break;
	}
	free(text);
	return ret;
}

static const char *config_sym(const char *line, size_t *len)
{
	const char *p = line;

	if (str_starts(p, "# "))
		p += 2;
	if (!str_starts(p, "CONFIG_"))
		return NULL;
	*len = strcspn(p, "= ");
	return p;
}

static ssize_t strv_find(const struct strv *sv, const char *s, size_t len)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strlen(sv->v[i]) == len && !strncmp(sv->v[i], s, len))
			return i;
	return -1;
}

int config_merge(const char *dotconfig, const struct strv *syms,
		 const struct strv *vals)
{
	char *text = read_file(dotconfig, NULL);
	struct sbuf out = { 0 };
	char *line, *next;
	int ret;

	if (!text)
		return zd_error("%s: %s", dotconfig, strerror(errno));
	/* Drop every line the fragments set, then append their values. */
	for (line = text; line && *line; line = next) {
		const char *sym;
		size_t len;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		sym = config_sym(line, &len);
		if (sym && strv_find(syms, sym, len) >= 0)
			continue;
		sbuf_addf(&out, "%s\n", line);
	}
	for (size_t i = 0; i < syms->n; i++) {
		if (!strcmp(vals->v[i], "n"))
			sbuf_addf(&out, "# %s is not set\n", syms->v[i]);
		else
			sbuf_addf(&out, "%s=%s\n", syms->v[i], vals->v[i]);
	}
	ret = write_file_atomic(dotconfig, out.buf, out.len);
	if (ret)
		zd_err("%s: %s", dotconfig, strerror(errno));
	free(text);
	sbuf_free(&out);
	return ret;
}

int config_verify(const char *dotconfig, const struct strv *syms,
		  const struct strv *vals, char **missing, struct strv *miss_syms)
{
	char *text = read_file(dotconfig, NULL);
	struct sbuf miss = { 0 };
	char **have;
	int ret;

	if (!text)
		return zd_error("%s: %s", dotconfig, strerror(errno));
	have = xcalloc(syms->n + 1, sizeof(char *));
	for (char *line = text, *next; line && *line; line = next) {
		const char *sym;
		size_t len;
		ssize_t i;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		sym = config_sym(line, &len);
		if (!sym || (i = strv_find(syms, sym, len)) < 0)
			continue;
		have[i] = line[0] == '#' ? "n" : line + len + 1;
	}
	for (size_t i = 0; i < syms->n; i++) {
		const char *got = have[i] ? have[i] : "n";

		if (!strcmp(got, vals->v[i]))
			continue;
		sbuf_addf(&miss, "%s%s=%s (got %s)", miss.len ? ", " : "",
			  syms->v[i], vals->v[i], have[i] ? got : "unset");
		if (miss_syms)
			strv_push(miss_syms, syms->v[i]);
	}
	free(have);
	free(text);
	ret = miss.len ? 1 : 0;
	*missing = miss.len ? sbuf_detach(&miss, NULL) : NULL;
	return ret;
}

int variant_patches(const struct zd_config *c, const char *variant,
		    struct zd_list *out)
{
	char *dir = xasprintf("%s/kernels/%s", c->project_dir, variant);
	char *series = path_join(dir, "series");
	int ret = -1;

	out->n = 0;
	/* "HEAD": the tree exactly as checked out (bisection), no series. */
	if (!strcmp(variant, ZD_VARIANT_HEAD)) {
		ret = 0;
		goto out;
	}
	if (!is_dir(dir)) {
		zd_err("unknown variant '%s': no folder %s", variant, dir);
		goto out;
	}
	/* no series: the variant is the base tree */
	ret = path_exists(series) ? series_file(dir, series, out) : 0;
out:
	free(dir);
	free(series);
	return ret;
}

/*
 * A workload on fsdax/xfs needs XFS in the kernel: add fragments/xfs.config
 * unless the configured list has it already. The kernel key changes with it, so ext4
 * and xfs kernels are cached side by side.
 */
static int add_fs_fragment(const struct zd_config *c, struct zd_list *out)
{
	char *xfs;

	if (!run_uses_fs(c, "xfs"))
		return 0;
	xfs = xasprintf("%s/kernels/fragments/xfs.config", c->project_dir);
	for (size_t i = 0; i < out->n; i++) {
		if (!strcmp(out->v[i], xfs)) {
			free(xfs);
			return 0;
		}
	}
	if (out->n >= ZD_MAX_LIST || !path_exists(xfs)) {
		zd_err("[run] fs = xfs: cannot add %s to the kernel's fragments", xfs);
		free(xfs);
		return -1;
	}
	out->v[out->n++] = xfs;
	return 0;
}

/* Fragments: the configured ones, the variant's own optional fragment, the fs's. */
static int collect_fragments(const struct zd_config *c, const char *variant,
			     struct zd_list *out)
{
	char *own = xasprintf("%s/kernels/%s/config", c->project_dir, variant);

	out->n = 0;
	for (size_t i = 0; i < c->fragments.n && out->n < ZD_MAX_LIST; i++) {
		char *p = c->fragments.v[i][0] == '/' ? xstrdup(c->fragments.v[i]) :
			  xasprintf("%s/kernels/%s", c->project_dir, c->fragments.v[i]);

		if (!path_exists(p)) {
			zd_err("[kernel] fragments: %s not found", p);
			free(p);
			free(own);
			return -1;
		}
		out->v[out->n++] = p;
	}
	if (!path_exists(own)) {
		free(own);
	} else if (out->n == ZD_MAX_LIST) {
		/* it used to be left out silently: a build without the variant's config */
		zd_err("variant %s: %s would be fragment %d; [kernel] fragments leave room for %d",
		       variant, own, ZD_MAX_LIST + 1, ZD_MAX_LIST);
		free(own);
		return -1;
	} else {
		out->v[out->n++] = own;
	}
	return add_fs_fragment(c, out);
}

static void zlist_free(struct zd_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

/* Source for a variant: the tree itself, or a worktree with the series applied. */
/*
 * The subject of the patch git am stopped at in wt (an mbox holds many):
 * "[PATCH 2/3] mm: ..." or NULL.
 */
static char *am_current_subject(const char *wt)
{
	char *show[] = { "am", "--show-current-patch=raw", NULL };
	char *out = NULL, *subj = NULL;

	if (git_run(wt, show, &out, 60) || !out) {
		free(out);
		return NULL;
	}
	for (char *l = out, *next; l && *l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (!*l)
			break; /* end of the header */
		if (str_starts(l, "Subject: ")) {
			subj = xstrdup(l + 9);
			break;
		}
	}
	free(out);
	return subj;
}

/*
 * Source for a variant: the tree itself, or a worktree with the series
 * applied. A series that does not apply is the kernel's fault for a
 * shipped variant (ZD_EXIT_KERNEL) and a usage error for the user's own
 * series (ZD_EXIT_USAGE: the series is input, as issue 14 asks).
 */
static char *prepare_tree(const struct zd_config *c, const struct zd_ksrc *s,
			  const char *variant, const struct zd_list *patches, bool user)
{
	char *cache = zd_cache_dir(c), *wt, *head = NULL, *fname;
	char *hargs[] = { "rev-parse", "HEAD", NULL };
	bool fresh = false;

	/*
	 * A shipped variant without patches, HEAD: the checkout itself. A
	 * user's revision always gets a worktree in the cache: a clean
	 * checkout of its commit, built where ccache's base dir covers it.
	 */
	if (!user && !patches->n && !git_run(s->tree, hargs, &head, 60) &&
	    !strcmp(head, s->base)) {
		free(head);
		free(cache);
		return xstrdup(s->tree);
	}
	free(head);
	fname = variant_file_name(variant);
	if (s->trees) {
		mkdir_p(s->trees, 0755);
		wt = path_join(s->trees, fname);
	} else {
		wt = xasprintf("%s/trees/%s", cache, fname);
	}
	free(fname);
	free(cache);
	if (!is_dir(wt)) {
		char *add[] = { "worktree", "add", "--quiet", "--force", "--detach", wt, s->base, NULL };
		char *prune[] = { "worktree", "prune", NULL };

		git_run(s->tree, prune, NULL, 120);
		if (git_run(s->tree, add, NULL, 1800)) {
			zd_err("cannot create worktree %s at %s", wt, s->base);
			goto fail;
		}
		fresh = true;
	} else {
		char *co[] = { "checkout", "-q", "-f", "--detach", s->base, NULL };
		char *abort_am[] = { "am", "--abort", NULL };
		char *gp[] = { "rev-parse", "--git-path", "rebase-apply", NULL }, *ra = NULL;

		/*
		 * An am an interruption left half done: abort only that, or git
		 * prints "fatal: Resolve operation not in progress" to the user.
		 */
		if (!git_run(wt, gp, &ra, 60)) {
			char *p = ra[0] == '/' ? xstrdup(ra) : path_join(wt, ra);

			if (is_dir(p))
				git_run(wt, abort_am, NULL, 60);
			free(p);
		}
		free(ra);
		if (git_run(wt, co, NULL, 1800)) {
			zd_err("cannot check out %s in %s", s->base, wt);
			goto fail;
		}
	}
	for (size_t i = 0; i < patches->n; i++) {
		char *am[] = { "am", "-q", "--3way", patches->v[i], NULL };

		if (git_run(wt, am, NULL, 600)) {
			char *abort_am[] = { "am", "--abort", NULL };
			char *subj = am_current_subject(wt);

			git_run(wt, abort_am, NULL, 60);
			if (subj)
				zd_err("variant %s: patch %s does not apply on %s (git am failed at \"%s\")",
				       variant, patches->v[i], s->base, subj);
			else
				zd_err("variant %s: patch %s does not apply on %s (git am failed)",
				       variant, patches->v[i], s->base);
			free(subj);
			build_fail = user ? ZD_EXIT_USAGE : ZD_EXIT_KERNEL;
			if (fresh) { /* made for this series only: leave no tree behind */
				char *rm[] = { "worktree", "remove", "--force", wt, NULL };

				git_run(s->tree, rm, NULL, 600);
			}
			goto fail;
		}
	}
	return wt;
fail:
	free(wt);
	return NULL;
}

struct progress {
	const char *variant;
	FILE *log;
	unsigned long done, total;
	double t0, last;
	bool tty;
	int last_pct;
};

static int progress_line(void *ctx, const char *line)
{
	struct progress *p = ctx;
	double now = now_mono();
	int pct;

	if (p->log)
		fprintf(p->log, "%s\n", line);
	/* kbuild's quiet output: "  CC      mm/gup.o" etc. */
	if (line[0] != ' ' || line[1] != ' ' || !isupper((unsigned char)line[2]))
		return 0;
	p->done++;
	pct = p->total ? (int)(100 * p->done / p->total) : 0;
	if (pct > 99)
		pct = 99;
	if (p->tty && now - p->last > 0.2) {
		fprintf(stderr, "\r  build %s: %3d%% (%lu/~%lu objects) %dm%02ds ",
			p->variant, pct, p->done, p->total,
			(int)(now - p->t0) / 60, (int)(now - p->t0) % 60);
		p->last = now;
	} else if (!p->tty && pct / 25 > p->last_pct / 25) {
		zd_info("build %s: %d%% (%lu objects, %.0fs)", p->variant, pct,
			p->done, now - p->t0);
	}
	p->last_pct = pct;
	return 0;
}

static int run_make(const struct zd_config *c, const char *src,
		    const char *bdir, const char *target, const char *log,
		    struct progress *prog, double timeout)
{
	struct strv av = { 0 }, env = { 0 };
	char *cache = zd_cache_dir(c), *ccache = which("ccache");
	struct proc_opts o = { .timeout = timeout, .line_cb = progress_line };
	struct progress quiet = { .variant = "" };
	struct proc_result r;
	int ret = -1;

	strv_push(&av, "make");
	strv_push(&av, "-C");
	strv_push(&av, src);
	strv_pushf(&av, "O=%s", bdir);
	strv_pushf(&av, "-j%u", kbuild_jobs(c));
	if (c->ccache && ccache) {
		strv_push(&av, "CC=ccache gcc");
		strv_pushf(&env, "CCACHE_DIR=%s/ccache", cache);
		strv_pushf(&env, "CCACHE_BASEDIR=%s", cache);
		strv_push(&env, "CCACHE_NOHASHDIR=1");
	}
	strv_push(&av, target);
	for (char *const *e = kbuild_env_fixed; *e; e++)
		strv_push(&env, *e);
	o.env = env.v;
	/* The whole make output goes to the log; progress is counted from it. */
	if (!prog) {
		quiet.tty = false;
		quiet.last_pct = 1000;
		prog = &quiet;
	}
	prog->log = fopen(log, "a");
	o.ctx = prog;
	ret = proc_run(av.v, &o, &r);
	if (prog->log)
		fclose(prog->log);
	prog->log = NULL;
	if (prog->tty && prog != &quiet)
		fputc('\n', stderr);
	if (ret) {
		ret = -1;
		zd_err("cannot run make: %s", strerror(errno));
		goto out;
	}
	ret = -1;
	if (r.exec_failed) {
		zd_err("make not found: install it (scripts/install-deps.sh)");
		goto out;
	}
	if (r.timed_out) {
		zd_err("make %s timed out after %.0fs (build_timeout); log: %s", target,
		       timeout, log);
		goto out;
	}
	if (r.exit_code) {
		zd_err("make %s failed (exit %d); log: %s", target, r.exit_code, log);
		build_fail = ZD_EXIT_KERNEL;
		goto out;
	}
	ret = 0;
out:
	strv_free(&av);
	strv_free(&env);
	free(cache);
	free(ccache);
	return ret;
}

static unsigned long objects_estimate(const char *cache)
{
	char *p = path_join(cache, "kbuild.objects");
	char *t = read_file(p, NULL);
	uint64_t v = 0;

	if (!t || parse_u64(trim(t), &v) || v < 100)
		v = 1900; /* tinyconfig + the pmem/DAX fragment on 6.12 */
	free(p);
	free(t);
	return v;
}

/* 0, or -1 reported: then there is no meta.json and the entry is not complete. */
static int write_meta(const struct zd_kernel *k, const struct zd_ksrc *s,
		      const char *path)
{
	struct json_object *o = json_object_new_object();
	int ret;

	json_object_object_add(o, "schema", json_object_new_string("zdbench.kernel/1"));
	json_object_object_add(o, "variant", json_object_new_string(k->variant));
	json_object_object_add(o, "key", json_object_new_string(k->key));
	json_object_object_add(o, "commit", json_object_new_string(k->commit));
	json_object_object_add(o, "base", json_object_new_string(s->base));
	json_object_object_add(o, "describe", json_object_new_string(s->describe));
	json_object_object_add(o, "config_sha256", json_object_new_string(k->config_hash));
	json_object_object_add(o, "patches_sha256", json_object_new_string(k->patches_hash));
	json_object_object_add(o, "compiler", json_object_new_string(k->compiler));
	json_object_object_add(o, "build_seconds", json_object_new_double(k->build_secs));
	/* for 'zdbench kernels' and 'zdbench gc': which tree, which kind */
	json_object_object_add(o, "source", json_object_new_string(s && s->key ? s->key : ""));
	json_object_object_add(o, "kind", json_object_new_string(k->kind ? k->kind : "build"));
	ret = zd_json_write(path, o);
	json_object_put(o);
	return ret;
}

static int read_meta(struct zd_kernel *k, const char *path)
{
	struct json_object *o = zd_json_read(path), *v;

	if (!o)
		return -1;
	if (json_object_object_get_ex(o, "commit", &v))
		k->commit = xstrdup(json_object_get_string(v));
	if (json_object_object_get_ex(o, "config_sha256", &v))
		k->config_hash = xstrdup(json_object_get_string(v));
	if (json_object_object_get_ex(o, "build_seconds", &v))
		k->build_secs = json_object_get_double(v);
	json_object_put(o);
	return k->commit && k->config_hash ? 0 : -1;
}

static char *file_sha(const char *path)
{
	struct zd_hash *h = hash_new();
	char hex[ZD_HASH_HEX];
	size_t len;
	char *data = read_file(path, &len);

	if (data)
		hash_update(h, data, len);
	free(data);
	hash_final(h, hex);
	return xstrdup(hex);
}

static char *patches_sha(const struct zd_list *patches)
{
	struct zd_hash *h = hash_new();
	char hex[ZD_HASH_HEX];

	for (size_t i = 0; i < patches->n; i++)
		hash_file(h, "patch", patches->v[i]);
	hash_final(h, hex);
	return xstrdup(hex);
}

/*
 * Options the fragments asked for that olddefconfig dropped (missing, as
 * config_verify lists them). An option this tree's
 * Kconfig does not declare at all (a kernel older than the fragment, e.g.
 * an option added after 6.1) is no reason to stop while no workload of the
 * plan needs it (kconfig_missing): said, and the build goes on (0). An
 * option that exists but whose dependencies are not met, or one the plan
 * needs, is an error (ZD_EXIT_USAGE, -1), each option named with which.
 */
static int explain_dropped(const struct zd_config *c, const char *src, const char *dotconfig,
			   const struct strv *missing)
{
	struct sbuf absent = { 0 }, dropped = { 0 };
	char *text, *need;
	bool bad;

	for (size_t i = 0; i < missing->n; i++) {
		const char *sym = missing->v[i];
		const char *name = str_starts(sym, "CONFIG_") ? sym + 7 : sym;

		if (kconfig_declares(src, name) == 0)
			sbuf_addf(&absent, "%s%s", absent.len ? ", " : "", sym);
		else
			sbuf_addf(&dropped, "%s%s", dropped.len ? ", " : "", sym);
	}
	text = read_file(dotconfig, NULL);
	need = text ? kconfig_missing(c, text) : xstrdup("(cannot read the .config)");
	free(text);
	if (absent.len)
		zd_info("this kernel's Kconfig has no %s (newer than this kernel?)%s", absent.buf,
			dropped.len || need ? "" : ": no workload of the plan needs them, the build goes on");
	if (dropped.len)
		zd_err("Kconfig dropped requested options (their dependencies are not met): %s",
		       dropped.buf);
	if (need)
		zd_err("the plan needs what this .config lacks:\n%s", need);
	bad = dropped.len || need;
	sbuf_free(&absent);
	sbuf_free(&dropped);
	free(need);
	if (!bad)
		return 0;
	build_fail = ZD_EXIT_USAGE; /* the fragments ask for what Kconfig refuses */
	return -1;
}

static int configure(const struct zd_config *c, const char *src,
		     const char *bdir, const struct zd_list *frags,
		     const char *log)
{
	struct strv syms = { 0 }, vals = { 0 }, miss_syms = { 0 };
	char *dotconfig = path_join(bdir, ".config"), *missing = NULL;
	int ret = -1;

	for (size_t i = 0; i < frags->n; i++)
		if (fragment_parse(frags->v[i], &syms, &vals)) {
			build_fail = ZD_EXIT_USAGE;
			goto out;
		}
	if (c->kconfig && *c->kconfig) {
		/* the user's .config instead of tinyconfig; checked by kbuild_variant */
		char *kc = expand_home(c->kconfig);
		int e = copy_file(kc, dotconfig);

		if (e)
			zd_err("[kernel] config = %s: cannot copy to %s: %s", kc, dotconfig,
			       strerror(errno));
		free(kc);
		if (e)
			goto out;
	} else if (run_make(c, src, bdir, "tinyconfig", log, NULL, 600)) {
		goto out;
	}
	if (config_merge(dotconfig, &syms, &vals) ||
	    run_make(c, src, bdir, "olddefconfig", log, NULL, 600))
		goto out;
	ret = config_verify(dotconfig, &syms, &vals, &missing, &miss_syms);
	if (ret > 0)
		ret = explain_dropped(c, src, dotconfig, &miss_syms);
	ret = ret ? -1 : 0;
out:
	strv_free(&syms);
	strv_free(&vals);
	strv_free(&miss_syms);
	free(dotconfig);
	free(missing);
	return ret;
}

/*
 * The O= folder. In a tree the cache owns it is a direct child of the
 * tree, so kbuild sets srctree to ".." and no path in a compile command
 * names the tree: ccache then hits across variant worktrees and history
 * checkouts wherever the sources are the same. A user's own tree gets no
 * foreign folder; its builds go to the cache's build/.
 */
static char *obj_dir(const char *cache, const char *src, const char *variant)
{
	size_t n = strlen(cache);

	if (!strncmp(src, cache, n) && src[n] == '/')
		return xasprintf("%s/.zdbench-obj-%s", src, variant);
	return xasprintf("%s/build/%s", cache, variant);
}

static int build_and_store(const struct zd_config *c, const struct zd_ksrc *s,
			   const struct zd_list *patches, bool user,
			   const struct zd_list *frags, struct zd_kernel *k)
{
	char *cache = zd_cache_dir(c);
	char *bdir = NULL, *log = NULL;
	char *tmp = xasprintf("%s.tmp", k->dir), *src = NULL;
	char *objs = path_join(cache, "kbuild.objects");
	struct progress prog = { .variant = k->variant, .tty = isatty(2) };
	char *cnt;
	double t0 = now_mono();
	int ret = -1;

	src = prepare_tree(c, s, k->variant, patches, user);
	if (!src)
		goto out;
	{
		char *fname = variant_file_name(k->variant);

		bdir = obj_dir(cache, src, fname);
		free(fname);
	}
	log = path_join(bdir, "zdbench-build.log");
	if (mkdir_p(bdir, 0755)) {
		zd_err("cannot create %s: %s", bdir, strerror(errno));
		goto out;
	}
	unlink(log);
	if (patches->n) {
		char *hargs[] = { "rev-parse", "HEAD", NULL };

		git_run(src, hargs, &k->commit, 60);
	}
	if (!k->commit)
		k->commit = xstrdup(s->base);
	zd_info("building %s (%s) in %s", k->variant, s->describe, bdir);
	if (configure(c, src, bdir, frags, log))
		goto out;
	prog.total = objects_estimate(cache);
	prog.t0 = now_mono();
	prog.last_pct = 0;
	if (run_make(c, src, bdir, "bzImage", log, &prog, c->build_timeout))
		goto out;
	rm_rf(tmp);
	if (mkdir_p(tmp, 0755)) {
		zd_err("cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	{
		const char *files[][2] = {
			{ "arch/x86/boot/bzImage", "bzImage" },
			{ ".config", "config" },
			{ "System.map", "System.map" },
		};

		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			char *from = path_join(bdir, files[i][0]);
			char *to = path_join(tmp, files[i][1]);
			int e = copy_file(from, to);

			if (e)
				zd_err("cannot store %s in %s: %s", from, to, strerror(errno));
			free(from);
			free(to);
			if (e)
				goto out;
		}
	}
	rm_rf(k->dir);
	if (rename(tmp, k->dir)) {
		zd_err("cannot store kernel in %s: %s", k->dir, strerror(errno));
		goto out;
	}
	k->build_secs = now_mono() - t0;
	{
		char *cfg = path_join(k->dir, "config");
		char *meta = path_join(k->dir, "meta.json");
		int e;

		k->config_hash = file_sha(cfg);
		/* written last, atomically: marks the entry complete (kbuild_variant) */
		e = write_meta(k, s, meta);
		if (e)
			zd_err("kernel %s: built, but the cache entry %s is not marked complete",
			       k->variant, k->dir);
		free(cfg);
		free(meta);
		if (e)
			goto out;
	}
	/* only the progress estimate of the next build reads it */
	cnt = xasprintf("%lu\n", prog.done);
	if (write_file_atomic(objs, cnt, strlen(cnt)))
		zd_info("cannot write %s (%s): the next build's progress is a guess",
			objs, strerror(errno));
	free(cnt);
	ret = 0;
out:
	free(cache);
	free(bdir);
	free(log);
	free(tmp);
	free(src);
	free(objs);
	return ret;
}

static int lock_variant(const char *cache, const char *variant)
{
	char *dir = path_join(cache, "build");
	char *fname = variant_file_name(variant);
	char *p = xasprintf("%s/%s.lock", dir, fname), *what = xasprintf("kernel %s", variant);
	int fd;

	mkdir_p(dir, 0755);
	fd = lock_path(p, what, "building it");
	free(dir);
	free(fname);
	free(p);
	free(what);
	return fd;
}

int kbuild_exit(const struct zd_kernel *k)
{
	return k->fail_exit ? k->fail_exit : ZD_EXIT_INFRA;
}

/*
 * A revision of the tree as the source to build: its commit and tree id
 * in a copy of s (r's strings are its own; ksrc_free frees them). It is
 * built in a clean worktree (prepare_tree), so the user's uncommitted
 * edits are not part of it: HEAD is the variant that has them.
 */
static int rev_source(const struct zd_ksrc *s, const struct vspec *v, struct zd_ksrc *r)
{
	char *spec = xasprintf("%s^{commit}", v->rev), *tspec;
	char *desc_args[] = { "describe", "--tags", "--always", NULL, NULL };
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (git_rev_parse(s->tree, spec, &r->base) || !r->base || !*r->base) {
		zd_err("%s: revision '%s' does not exist in %s (a branch, tag or commit)",
		       v->what, v->rev, s->tree);
		goto out;
	}
	tspec = xasprintf("%s^{tree}", r->base);
	if (git_rev_parse(s->tree, tspec, &r->base_tree)) {
		zd_err("%s: cannot resolve %s", s->tree, tspec);
		free(tspec);
		goto out;
	}
	free(tspec);
	r->tree = xstrdup(s->tree);
	desc_args[3] = r->base;
	if (git_run(s->tree, desc_args, &r->describe, 60) || !r->describe) {
		free(r->describe);
		r->describe = xstrdup(r->base);
	}
	r->dirty_hash = xstrdup(""); /* a worktree of the commit: no uncommitted edits */
	r->imported = s->imported;
	r->key = s->key ? xstrdup(s->key) : NULL;
	r->home = s->home ? xstrdup(s->home) : NULL;
	r->trees = s->trees ? xstrdup(s->trees) : NULL;
	ret = 0;
out:
	free(spec);
	return ret;
}

/* Each missing option on a line of its own, after one line naming the kernel. */
static void report_missing(const struct vspec *v, char *miss)
{
	zd_err("%s: %s lacks what the run needs (build it with these options, or run other workloads):",
	       v->what, v->config);
	for (char *p = miss, *nl; p && *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		zd_err("  %s", p);
	}
}

/*
 * A built kernel the user brings: its .config must be x86_64's and have
 * what the plan needs (kconfig_missing: each option and the workload that
 * needs it), then both files are copied into the cache under a key of
 * their content, so results point at a file that stays.
 */
/*
 * Is path an x86 bzImage? The boot protocol's header (Documentation/arch/
 * x86/boot.rst): the boot sector's 0xAA55 at 0x1fe and "HdrS" at 0x202.
 * QEMU would boot anything and the run end infra with the reason only in
 * its log; a file that is no kernel is the user's slip (exit 2, named).
 */
static int bzimage_check(const char *what, const char *path)
{
	unsigned char h[0x206];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(h, 1, sizeof(h), f) : 0;

	if (f)
		fclose(f);
	if (!f) {
		zd_err("%s: kernel %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (n < sizeof(h) || h[0x1fe] != 0x55 || h[0x1ff] != 0xaa || memcmp(h + 0x202, "HdrS", 4)) {
		zd_err("%s: %s is not an x86 bzImage (no boot protocol header \"HdrS\" at 0x202): "
		       "give arch/x86/boot/bzImage of the build", what, path);
		return -1;
	}
	return 0;
}

static int prebuilt_variant(const struct zd_config *c, const struct vspec *v,
			    struct zd_kernel *k)
{
	struct zd_hash *h;
	char key[ZD_HASH_HEX], *cache = NULL, *tmp = NULL, *text = NULL, *miss = NULL;
	struct zd_ksrc none = { .base = "", .describe = "prebuilt", .key = "" };
	int ret = -1;

	build_fail = ZD_EXIT_USAGE;
	if (bzimage_check(v->what, v->bzimage) || kconfig_check_arch(v->config, true))
		goto out;
	text = read_file(v->config, NULL);
	if (!text) {
		zd_err("%s: config %s: %s", v->what, v->config, strerror(errno));
		goto out;
	}
	miss = kconfig_missing(c, text);
	if (miss) {
		report_missing(v, miss);
		goto out;
	}
	build_fail = ZD_EXIT_INFRA;
	h = hash_new();
	hash_str(h, "version", KBUILD_KEY_VERSION);
	hash_str(h, "kind", "prebuilt");
	if (hash_file(h, "bzImage", v->bzimage) | hash_file(h, "config", v->config)) {
		hash_final(h, key);
		zd_err("%s: cannot read %s or %s: %s", v->what, v->bzimage, v->config,
		       strerror(errno));
		build_fail = ZD_EXIT_USAGE;
		goto out;
	}
	hash_final(h, key);
	cache = zd_cache_dir(c);
	k->key = xstrdup(key);
	k->kind = "prebuilt";
	k->dir = xasprintf("%s/kernels/%s", cache, key);
	k->bzimage = path_join(k->dir, "bzImage");
	k->compiler = xstrdup("");
	k->patches_hash = xstrdup("");
	{
		char *meta = path_join(k->dir, "meta.json");
		bool have = path_exists(meta) && path_exists(k->bzimage) && !read_meta(k, meta);

		free(meta);
		if (have) {
			k->cached = true;
			ret = 0;
			goto out;
		}
	}
	tmp = xasprintf("%s.tmp", k->dir);
	rm_rf(tmp);
	if (mkdir_p(tmp, 0755)) {
		zd_err("cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	{
		char *b = path_join(tmp, "bzImage"), *cf = path_join(tmp, "config");
		char *meta = path_join(k->dir, "meta.json");
		int e = copy_file(v->bzimage, b) || copy_file(v->config, cf);

		if (e)
			zd_err("cannot copy %s into %s: %s", v->bzimage, tmp, strerror(errno));
		free(b);
		free(cf);
		if (!e) {
			rm_rf(k->dir);
			e = rename(tmp, k->dir);
			if (e)
				zd_err("cannot store kernel in %s: %s", k->dir, strerror(errno));
		}
		if (!e) {
			char *cfg = path_join(k->dir, "config");

			k->config_hash = file_sha(cfg);
			k->commit = xstrdup("");
			free(cfg);
			e = write_meta(k, &none, meta);
		}
		free(meta);
		if (e)
			goto out;
	}
	zd_info("kernel %s: %s (key %.12s), no build", k->variant, v->bzimage, key);
	ret = 0;
out:
	if (tmp)
		rm_rf(tmp);
	free(tmp);
	free(cache);
	free(text);
	free(miss);
	return ret;
}

/* The [kernel] config a build starts from: there and for x86. 0 or -1 (usage). */
static int check_kconfig(const struct zd_config *c)
{
	char *kc;
	int ret = 0;

	if (!c->kconfig || !*c->kconfig)
		return 0;
	kc = expand_home(c->kconfig);
	if (!path_exists(kc))
		ret = zd_error("[kernel] config = %s: no such file", kc);
	else
		ret = kconfig_check_arch(kc, false);
	free(kc);
	return ret;
}

int kbuild_check_variants(const struct zd_config *c, const struct zd_ksrc *s)
{
	int ret = 0;

	if (check_kconfig(c))
		ret = ZD_EXIT_USAGE;
	for (size_t i = 0; i < c->variants.n; i++) {
		struct vspec v;
		struct zd_list patches = { 0 };

		if (variant_resolve(c, c->variants.v[i], &v)) {
			ret = ZD_EXIT_USAGE;
		} else if (v.kind == VK_REV) {
			struct zd_ksrc r;

			if (rev_source(s, &v, &r))
				ret = ZD_EXIT_USAGE;
			ksrc_free(&r);
			if (v.patches && series_read(v.patches, &patches))
				ret = ZD_EXIT_USAGE;
		} else if (v.kind == VK_PREBUILT) {
			char *text = NULL, *miss = NULL;

			if (kconfig_check_arch(v.config, true))
				ret = ZD_EXIT_USAGE;
			else if ((text = read_file(v.config, NULL)) &&
				 (miss = kconfig_missing(c, text))) {
				report_missing(&v, miss);
				ret = ZD_EXIT_USAGE;
			}
			free(text);
			free(miss);
		}
		zlist_free(&patches);
		vspec_free(&v);
	}
	return ret;
}

int kbuild_variant(const struct zd_config *c, const struct zd_ksrc *s0,
		   const char *variant, struct zd_kernel *k)
{
	struct zd_list patches = { 0 }, frags = { 0 };
	struct kbuild_inputs in = { 0 };
	struct vspec v = { 0 };
	struct zd_ksrc rsrc = { 0 };
	const struct zd_ksrc *s = s0;
	char key[ZD_HASH_HEX], *cache = NULL, *meta = NULL, *kc = NULL;
	bool user = false;
	int ret = -1, lockfd = -1;

	memset(k, 0, sizeof(*k));
	k->variant = xstrdup(variant);
	build_fail = ZD_EXIT_USAGE; /* an unknown variant, a bad series, a bad .config */
	if (variant_resolve(c, variant, &v))
		goto out;
	if (v.kind == VK_PREBUILT) {
		ret = prebuilt_variant(c, &v, k);
		goto out;
	}
	if (check_kconfig(c))
		goto out;
	if (v.kind == VK_REV) {
		if (rev_source(s0, &v, &rsrc))
			goto out;
		s = &rsrc;
		user = true;
		if (v.patches && series_read(v.patches, &patches))
			goto out;
	} else if (variant_patches(c, variant, &patches)) {
		goto out; /* no such variant or patch */
	}
	if (collect_fragments(c, variant, &frags))
		goto out; /* no such fragment */
	build_fail = ZD_EXIT_INFRA;
	k->compiler = compiler_version();
	if (!k->compiler) {
		zd_err("gcc not found: install build-essential (scripts/install-deps.sh)");
		goto out;
	}
	kc = c->kconfig && *c->kconfig ? expand_home(c->kconfig) : NULL;
	in.base_tree = s->base_tree;
	in.dirty_hash = s->dirty_hash;
	in.compiler = k->compiler;
	in.kconfig = kc;
	in.patches = patches;
	in.fragments = frags;
	if (kbuild_key(&in, key))
		goto out;
	k->key = xstrdup(key);
	k->patches_hash = patches_sha(&patches);
	cache = zd_cache_dir(c);
	k->dir = xasprintf("%s/kernels/%s", cache, key);
	k->bzimage = path_join(k->dir, "bzImage");
	meta = path_join(k->dir, "meta.json");
	mkdir_p(cache, 0755);
	{
		char *kd = path_join(cache, "kernels");

		mkdir_p(kd, 0755);
		free(kd);
	}
	if (path_exists(meta) && path_exists(k->bzimage) && !read_meta(k, meta)) {
		k->cached = true;
		zd_info("kernel %s: cached (key %.12s), no make", variant, key);
		ret = 0;
		goto out;
	}
	/* One build per variant at a time: its worktree and O= dir are shared. */
	lockfd = lock_variant(cache, variant);
	if (lockfd < 0)
		goto out;
	if (path_exists(meta) && path_exists(k->bzimage) && !read_meta(k, meta)) {
		k->cached = true; /* another zdbench built it while we waited */
		zd_info("kernel %s: built meanwhile by another zdbench (key %.12s)", variant, key);
		ret = 0;
		goto out;
	}
	ret = build_and_store(c, s, &patches, user, &frags, k);
	if (!ret)
		zd_info("kernel %s: built in %.0fs (key %.12s)", variant,
			k->build_secs, key);
out:
	if (!ret && v.kind == VK_PREBUILT) {
		char *cfg = path_join(k->dir, "config");

		kfacts_from_config(cfg, &k->facts);
		free(cfg);
	} else if (!ret) {
		/* HEAD with edits: the work tree's files are what was built */
		bool worktree = !strcmp(variant, ZD_VARIANT_HEAD) && s->dirty_hash && *s->dirty_hash;

		kfacts_from_tree(s->tree, worktree ? NULL : k->commit, &k->facts);
	}
	k->fail_exit = ret ? build_fail : ZD_EXIT_CLEAN;
	if (lockfd >= 0)
		close(lockfd); /* releases the flock */
	zlist_free(&patches);
	zlist_free(&frags);
	vspec_free(&v);
	ksrc_free(&rsrc); /* zeroed unless a revision was resolved */
	free(kc);
	free(cache);
	free(meta);
	return ret;
}
