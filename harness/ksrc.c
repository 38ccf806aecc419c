// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel source: import the Debian linux-source tarball once into a git
 * repository in the cache (deterministic commit, so the same tarball always
 * gives the same commit id), or use the user's own tree.
 */
#define _GNU_SOURCE
#include "ksrc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

char *zd_cache_dir(const struct zd_config *c)
{
	const char *env = getenv("ZDBENCH_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME");

	if (c->cache_dir && *c->cache_dir)
		return expand_home(c->cache_dir);
	if (env && *env)
		return xstrdup(env);
	if (xdg && *xdg)
		return xasprintf("%s/zdbench", xdg);
	return expand_home("~/.cache/zdbench");
}

/* The tarball holds one top-level folder, linux-source-6.12/. */
static char *single_subdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *found = NULL;
	int n = 0;

	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		free(found);
		found = path_join(dir, de->d_name);
	}
	closedir(d);
	if (n != 1) {
		free(found);
		return NULL;
	}
	return found;
}

static int import_tarball(const struct zd_config *c, const char *repo,
			  const char *stamp, const char *tar_hash)
{
	char *tmp = xasprintf("%s.import", repo);
	char *top = NULL, *msg = NULL;
	struct proc_result r;
	struct proc_opts o = { .out_path = "/dev/null", .timeout = 1800 };
	int ret = -1;

	zd_info("importing %s into %s (once; a few minutes)", c->tarball, repo);
	rm_rf(tmp);
	rm_rf(repo);
	mkdir_p(tmp, 0755);
	{
		char *tar[] = { "tar", "-xf", c->tarball, "-C", tmp, NULL };

		if (proc_run(tar, &o, &r) || r.exit_code) {
			zd_err("cannot unpack %s (tar exit %d)", c->tarball, r.exit_code);
			goto out;
		}
	}
	top = single_subdir(tmp);
	if (!top || !path_exists(top) || !is_dir(top)) {
		zd_err("%s: expected one top-level folder in the tarball", c->tarball);
		goto out;
	}
	{
		char *init[] = { "init", "-q", "-b", "master", NULL };
		/*
		 * No automatic gc: the import's ~90000 loose objects would start
		 * a background 'git repack' of minutes after the commit, on the
		 * cores the first kernel build needs.
		 */
		char *nogc[] = { "config", "gc.auto", "0", NULL };
		char *add[] = { "add", "-A", "-f", ".", NULL }; /* -f: Debian .gitignore lists everything */
		char *commit[] = { "commit", "-q", "--no-verify", "-m", NULL, NULL };
		char *tag[] = { "tag", "zdbench-base", NULL };

		msg = xasprintf("Import %s\n\nzdbench imported this tree from the tarball\n%s (sha256 %s).",
				strrchr(top, '/') + 1, c->tarball, tar_hash);
		commit[4] = msg;
		char **steps[] = { init, nogc, add, commit, tag };

		for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
			if (git_run(top, steps[i], NULL, 3600)) {
				zd_err("import of %s: 'git %s' failed in %s", c->tarball,
				       steps[i][0], top);
				goto out;
			}
		}
	}
	if (rename(top, repo)) {
		zd_err("cannot move %s to %s: %s", top, repo, strerror(errno));
		goto out;
	}
	if (write_file_atomic(stamp, tar_hash, strlen(tar_hash))) {
		zd_err("cannot write %s: %s", stamp, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	rm_rf(tmp);
	free(tmp);
	free(top);
	free(msg);
	return ret;
}

static char *tarball_hash(const char *path)
{
	struct zd_hash *h = hash_new();
	char hex[ZD_HASH_HEX];

	if (hash_file(h, "tarball", path)) {
		hash_final(h, hex);
		return NULL;
	}
	hash_final(h, hex);
	return xstrdup(hex);
}

char *ksrc_tree_key(const char *abs_path)
{
	struct zd_hash *h = hash_new();
	char hex[ZD_HASH_HEX];

	hash_str(h, "tree", abs_path);
	hash_final(h, hex);
	hex[ZD_KEY_SHORT] = '\0';
	return xstrdup(hex);
}

/* cache/src/<key>/ and its origin file, so that 'zdbench kernels' can name it. */
static int src_home(const char *cache, struct zd_ksrc *s, const char *origin)
{
	char *o;
	int ret;

	s->home = xasprintf("%s/src/%s", cache, s->key);
	if (mkdir_p(s->home, 0755))
		return zd_error("cannot create %s: %s", s->home, strerror(errno));
	o = path_join(s->home, "origin");
	ret = write_file_atomic(o, origin, strlen(origin));
	if (ret)
		zd_err("cannot write %s: %s", o, strerror(errno));
	free(o);
	return ret;
}

static int prepare_debian(const struct zd_config *c, struct zd_ksrc *s)
{
	char *cache = zd_cache_dir(c);
	char *repo = path_join(cache, "linux");
	char *stamp = path_join(cache, "linux.imported");
	char *th = NULL, *have = NULL;
	int ret = -1;

	if (!path_exists(c->tarball)) {
		zd_err("kernel source tarball %s not found: install it (scripts/install-deps.sh installs linux-source-6.12) or set [kernel] source = tree and tree = <your kernel git tree>",
		       c->tarball);
		goto out;
	}
	th = tarball_hash(c->tarball);
	if (!th) {
		zd_err("cannot read %s: %s", c->tarball, strerror(errno));
		goto out;
	}
	s->key = strndup(th, ZD_KEY_SHORT);
	have = read_file(stamp, NULL);
	if (have && !strcmp(trim(have), th) && is_dir(repo)) {
		/* the import of before cache/src/: used in place, never re-imported */
		s->trees = path_join(cache, "trees");
	} else {
		/* each tarball its own repository: importing one never replaces another */
		free(repo);
		free(stamp);
		free(have);
		repo = xasprintf("%s/src/%s/linux", cache, s->key);
		stamp = xasprintf("%s/src/%s/imported", cache, s->key);
		have = read_file(stamp, NULL);
		if (!have || strcmp(trim(have), th) || !is_dir(repo)) {
			char *home = xasprintf("%s/src/%s", cache, s->key);
			char *lock = path_join(home, "import.lock");
			int fd, err;

			/*
			 * Two zdbench at once (a make beside a run, CI jobs on
			 * one cache) would unpack into the same .import folder
			 * and delete each other's files: one imports, the other
			 * waits and then finds the stamp.
			 */
			mkdir_p(home, 0755);
			fd = lock_path(lock, c->tarball, "importing it");
			free(home);
			free(lock);
			if (fd < 0)
				goto out;
			free(have);
			have = read_file(stamp, NULL);
			err = (!have || strcmp(trim(have), th) || !is_dir(repo)) &&
			      import_tarball(c, repo, stamp, th);
			close(fd);
			if (err)
				goto out;
		}
	}
	if (src_home(cache, s, c->tarball))
		goto out;
	if (!s->trees)
		s->trees = path_join(s->home, "trees");
	s->tree = xstrdup(repo);
	s->imported = true;
	ret = 0;
out:
	free(cache);
	free(repo);
	free(stamp);
	free(th);
	free(have);
	return ret;
}

static char *diff_hash(const char *tree)
{
	char *args[] = { "diff", "HEAD", "--binary", NULL };
	char *out = NULL, hex[ZD_HASH_HEX];
	struct zd_hash *h;

	if (git_run(tree, args, &out, 600))
		return xstrdup("");
	if (!*out) {
		free(out);
		return xstrdup("");
	}
	h = hash_new();
	hash_str(h, "diff", out);
	hash_final(h, hex);
	free(out);
	return xstrdup(hex);
}

char *ksrc_key(const struct zd_config *c)
{
	char *k = NULL;

	if (!strcmp(c->source, "debian")) {
		char *th = path_exists(c->tarball) ? tarball_hash(c->tarball) : NULL;

		if (th)
			k = strndup(th, ZD_KEY_SHORT);
		free(th);
	} else if (c->tree && *c->tree) {
		char *t = expand_home(c->tree), *a = path_abs(t);

		k = ksrc_tree_key(a);
		free(t);
		free(a);
	}
	return k;
}

int ksrc_prepare(const struct zd_config *c, struct zd_ksrc *s)
{
	const char *base = c->base_rev && *c->base_rev ? c->base_rev : "HEAD";
	char *spec;
	char *desc_args[] = { "log", "-1", "--format=%s", NULL, NULL };

	memset(s, 0, sizeof(*s));
	if (!strcmp(c->source, "debian")) {
		if (prepare_debian(c, s))
			return -1;
	} else {
		char *t = expand_home(c->tree), *mk;
		bool ok;

		s->tree = path_abs(t);
		free(t);
		mk = path_join(s->tree, "Makefile");
		ok = is_dir(s->tree) && path_exists(mk);
		free(mk);
		if (!ok)
			return zd_error("[kernel] tree = %s is not a kernel source tree", s->tree);
		{
			char *cache = zd_cache_dir(c);

			s->key = ksrc_tree_key(s->tree);
			ok = !src_home(cache, s, s->tree);
			free(cache);
			if (!ok)
				return -1;
			s->trees = path_join(s->home, "trees");
		}
	}
	if (git_rev_parse(s->tree, base, &s->base) || !*s->base)
		return zd_error("[kernel] base = %s: no such commit in %s", base, s->tree);
	/* the tree id is part of every cache key: none, no build */
	spec = xasprintf("%s^{tree}", s->base);
	if (git_rev_parse(s->tree, spec, &s->base_tree)) {
		zd_err("%s: cannot resolve %s", s->tree, spec);
		free(spec);
		return -1;
	}
	free(spec);
	desc_args[3] = s->base;
	if (git_run(s->tree, desc_args, &s->describe, 60))
		s->describe = xstrdup(s->base);
	/* A user's tree may carry uncommitted edits: they are part of the key. */
	s->dirty_hash = s->imported ? xstrdup("") : diff_hash(s->tree);
	return 0;
}

void ksrc_free(struct zd_ksrc *s)
{
	free(s->tree);
	free(s->base);
	free(s->base_tree);
	free(s->describe);
	free(s->dirty_hash);
	free(s->key);
	free(s->home);
	free(s->trees);
	memset(s, 0, sizeof(*s));
}
