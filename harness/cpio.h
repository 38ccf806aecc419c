/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_CPIO_H
#define ZD_CPIO_H

#include <stddef.h>

#include "util.h"

/*
 * A deterministic newc ("070701") archive writer: fixed mtimes, uid 0 and
 * sequential inodes, so the same inputs always give the same bytes (and the
 * same cache key). The kernel accepts several such archives concatenated.
 */
struct cpio {
	struct sbuf out;
	unsigned int ino;
	struct strv dirs;
};

void cpio_dir(struct cpio *c, const char *path);
void cpio_file(struct cpio *c, const char *path, unsigned int mode,
	       const void *data, size_t len);
void cpio_symlink(struct cpio *c, const char *path, const char *target);
void cpio_finish(struct cpio *c);
void cpio_free(struct cpio *c);

#endif
