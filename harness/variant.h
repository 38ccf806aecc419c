/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_VARIANT_H
#define ZD_VARIANT_H

#include "config.h"

/*
 * What a variant name stands for (docs/byo-kernel.md), in this order:
 * HEAD (the tree's checkout), a [variant NAME] section, a shipped
 * kernels/NAME folder, and with [kernel] source = tree a revision of it.
 */
enum vkind {
	VK_HEAD,	/* the tree as checked out, uncommitted edits included */
	VK_SHIPPED,	/* kernels/NAME/series on [kernel] base */
	VK_REV,		/* a revision of the tree, with an optional user series */
	VK_PREBUILT,	/* a bzImage the user built, and its .config */
};

struct vspec {
	enum vkind kind;
	char *rev;		/* VK_REV: the revision ([variant] rev, or the name) */
	char *patches;		/* VK_REV: the series folder or mbox, or NULL */
	char *bzimage;		/* VK_PREBUILT */
	char *config;		/* VK_PREBUILT: its .config */
	char *what;		/* where it came from, for errors: "[variant x] (file:12)" */
};

/*
 * Does name stand for a variant variant_resolve() can resolve: HEAD, a
 * [variant NAME] section, a shipped kernels/NAME folder, or (source = tree)
 * a revision? No I/O beyond a stat, no message: for the config check.
 */
bool variant_known(const struct zd_config *c, const char *name);
/*
 * Resolve a variant name against the config (no git, no build). Errors
 * name the variant and the key; they are usage errors (ZD_EXIT_USAGE).
 * A prebuilt kernel's files are checked here: the bzImage, its .config.
 */
int variant_resolve(const struct zd_config *c, const char *name, struct vspec *v);
void vspec_free(struct vspec *v);

/*
 * The patches of a user series into out (absolute paths, in order): a
 * folder's series file (quilt's: one patch a line, # comments), else its
 * *.patch files by name (as format-patch numbers them); or one mbox file,
 * as b4 am writes it. A series file naming a missing patch, a folder or an
 * mbox without any patch in it: an error naming the file. 0 or -1.
 */
/*
 * The patches a series file lists, one a line ('#' comments, blank lines
 * skipped), relative to dir unless absolute, appended to out; an entry that
 * does not exist is an error naming series:line. Returns 0 or -1 (said).
 */
int series_file(const char *dir, const char *series, struct zd_list *out);
int series_read(const char *path, struct zd_list *out);
/* Does this file hold at least one patch (a "diff --git" or "--- "/"+++ " pair)? */
bool file_has_patch(const char *path);

#endif
