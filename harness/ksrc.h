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
};

char *zd_cache_dir(const struct zd_config *c);
int ksrc_prepare(const struct zd_config *c, struct zd_ksrc *s);
void ksrc_free(struct zd_ksrc *s);

#endif
