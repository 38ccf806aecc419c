/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_KCACHE_H
#define ZD_KCACHE_H

#include <stdint.h>

#include "config.h"

/*
 * What a cache folder holds (ksrc.h has the layout): source trees and
 * built kernels, for 'zdbench kernels' and 'zdbench gc'. Reads only.
 */
struct kc_tree {
	char *key;	/* 16 hex; for the legacy import, its stamp's first 16 */
	char *dir;	/* cache/src/<key>, or cache/linux (legacy) */
	char *origin;	/* the tarball or tree it stands for ("" unknown) */
	bool legacy;	/* cache/linux: never removed by gc */
	uint64_t bytes;	/* on disk, the folder's blocks */
};

struct kc_kernel {
	char *key;	/* the folder name under cache/kernels */
	char *dir;
	char *variant, *commit, *describe, *kind; /* meta.json; "" when absent */
	char *source;	/* meta.json "source": a tree key; "" for kernels built before it */
	bool complete;	/* meta.json there: a finished entry (else a leftover) */
	uint64_t bytes;
};

struct kcache {
	struct kc_tree *trees;
	size_t nr_trees;
	struct kc_kernel *kernels;
	size_t nr_kernels;
};

/* Scan cache (a folder; missing: empty). 0, or -1 when it cannot be read. */
int kcache_scan(const char *cache, struct kcache *kc);
void kcache_free(struct kcache *kc);
/* Bytes a file tree occupies (st_blocks * 512, summed; no symlinks followed). */
uint64_t du_bytes(const char *path);
/* "1.4G", "12M", "830K": into buf of len bytes. */
const char *human_bytes(uint64_t b, char *buf, size_t len);

/*
 * What gc removes, given what the configs name: keep_src, the source keys
 * they name (their tarballs, trees), and keep_variants, the variant names
 * they name. A tree is removed when it is not the legacy import and its
 * key is not kept; a kernel when it is not complete, or its source is
 * neither kept nor "" (built before keys were recorded), or its variant
 * is not named. The folders to remove go into out (absolute paths).
 */
void kcache_gc_plan(const struct kcache *kc, const struct strv *keep_src,
		    const struct strv *keep_variants, struct strv *out);

#endif
