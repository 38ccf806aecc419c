/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_KSRC_H
#define ZD_KSRC_H

#include "config.h"
#include "git.h"	/* git_run, git_rev_parse: ksrc users run git */

/* Where a kernel is built from: a git tree and a base commit in it. */
struct zd_ksrc {
	char *tree;	  /* git work tree */
	char *base;	  /* full commit id of the base revision */
	char *base_tree;  /* its tree id: part of every cache key */
	char *describe;	  /* human-readable, e.g. "6.12.117" */
	char *dirty_hash; /* hash of uncommitted changes ("" when clean) */
	bool imported;	  /* from the Debian tarball */
	char *key;	  /* 16 hex: the tarball's sha256, or the hash of the tree's path */
	char *home;	  /* cache/src/<key>: its worktrees (trees/), its origin file */
	char *trees;	  /* where variants' worktrees go: cache/trees for the legacy import */
};

/*
 * The cache layout of sources (docs/byo-kernel.md): every tree has a
 * folder cache/src/<key>/ holding a file 'origin' (the tarball or tree
 * path it stands for) and trees/ (its variants' worktrees); an imported
 * tarball's repository is cache/src/<key>/linux (stamp 'imported'). The
 * import made before this layout, cache/linux with linux.imported, is used
 * where it is (never re-imported, never moved) while its stamp matches the
 * tarball, and keeps cache/trees for its worktrees.
 */
#define ZD_KEY_SHORT 16

char *zd_cache_dir(const struct zd_config *c);
/*
 * The key the config's source has (cache/src/<key>), without importing or
 * touching anything: the tarball's sha256 (first 16 hex; reads the whole
 * tarball) or the hash of the tree's absolute path. NULL when the tarball
 * cannot be read. Malloc'd.
 */
char *ksrc_key(const struct zd_config *c);
/* The key of a user tree: the sha256 of its absolute path, 16 hex (malloc'd). */
char *ksrc_tree_key(const char *abs_path);
int ksrc_prepare(const struct zd_config *c, struct zd_ksrc *s);
void ksrc_free(struct zd_ksrc *s);

#endif
