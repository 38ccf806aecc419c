/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_KBUILD_H
#define ZD_KBUILD_H

#include <stdbool.h>

#include "config.h"
#include "exitcode.h"
#include "kfacts.h"
#include "ksrc.h"
#include "util.h"

/* Pseudo-variant: build the tree's working copy as it is (bisection). */
#define ZD_VARIANT_HEAD "HEAD"

struct zd_kernel {
	char *variant;
	char *key;	   /* content hash: tree + patches + fragments + compiler */
	char *dir;	   /* cache entry: bzImage, config, System.map, meta.json */
	char *bzimage;
	char *config_hash; /* sha256 of the final .config */
	char *commit;	   /* base commit (+ patches applied on top) */
	char *compiler;
	char *patches_hash;
	const char *kind;  /* meta.json "kind": "build" (NULL) or "prebuilt" */
	bool cached;	   /* no make ran */
	struct kfacts facts; /* read from its sources (kfacts.h), set when built or cached */
	double build_secs;
	/* when kbuild_variant failed: whose fault (exitcode.h), see kbuild_exit */
	int fail_exit;
};

/* Inputs of the cache key, separated out so tests can check the key alone. */
struct kbuild_inputs {
	const char *base_tree, *dirty_hash, *compiler, *arch;
	const char *kconfig;	  /* the starting .config ([kernel] config), NULL: tinyconfig */
	struct zd_list patches;	  /* absolute paths */
	struct zd_list fragments; /* absolute paths */
};

int kbuild_key(const struct kbuild_inputs *in, char out[65]);
/* Parse fragment into symbol/value pairs; errors name file:line. */
int fragment_parse(const char *path, struct strv *syms, struct strv *vals);
/* Merge fragments into an existing .config text. */
int config_merge(const char *dotconfig, const struct strv *syms,
		 const struct strv *vals);
/*
 * Verify every fragment symbol has its value in .config: 0, 1 with
 * *missing the misses in words ("CONFIG_X=y (got unset), ..."), -1 on an
 * unreadable .config. miss_syms, if not NULL, gets the missed symbols.
 */
int config_verify(const char *dotconfig, const struct strv *syms,
		  const struct strv *vals, char **missing, struct strv *miss_syms);
int variant_patches(const struct zd_config *c, const char *variant,
		    struct zd_list *out);
/*
 * The kernel of one variant (variant.c says what the name is), from the
 * cache or built, into k (kernel_free it either way). s may be NULL for a
 * kernel the user built. 0, or -1 with the error printed and
 * kbuild_exit(k) saying whose fault: a user's revision that does not
 * exist, a user series that does not apply or reads no patch, a .config
 * for another arch or without what the plan needs are ZD_EXIT_USAGE; a
 * shipped series that does not apply, make failing are ZD_EXIT_KERNEL.
 */
int kbuild_variant(const struct zd_config *c, const struct zd_ksrc *s,
		   const char *variant, struct zd_kernel *k);
void kernel_free(struct zd_kernel *k);
/*
 * The exit status a failed kbuild_variant means: ZD_EXIT_KERNEL when the
 * kernel under test does not build (a patch does not apply, make or Kconfig
 * fails on the tree), ZD_EXIT_USAGE for an unknown variant or fragment,
 * ZD_EXIT_INFRA otherwise (no gcc, no make, a timeout, the cache).
 */
int kbuild_exit(const struct zd_kernel *k);
char *compiler_version(void);
/* make -j: [kernel] jobs, or the number of online CPUs when it is 0 (unset). */
unsigned int kbuild_jobs(const struct zd_config *c);
/*
 * A variant name as a file name (worktrees, locks): '/' and other
 * characters a path would misread become '_' ("origin/master" ->
 * "origin_master"). Malloc'd.
 */
char *variant_file_name(const char *variant);
/*
 * Check every variant of [run] variants before any build starts: each
 * resolves (variant.c), each revision exists in the tree, each user series
 * reads, each built kernel has a .config for x86_64 with what the plan
 * needs. 0, or the exit status (ZD_EXIT_USAGE) with the errors printed.
 */
int kbuild_check_variants(const struct zd_config *c, const struct zd_ksrc *s);

#endif
