/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_MEDIA_H
#define ZD_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

/*
 * What a workload runs on, shared by zdbench and the agent: the dax modes,
 * the fsdax filesystems (and what makes them), and the medium's name
 * ("fsdax/ext4", "fsdax/xfs", "devdax") that phases, checks and results
 * carry.
 */
struct media_fs {
	const char *name;	/* as mount(2) and /proc/filesystems say it */
	const char *mkfs;	/* the program that makes it */
	const char *package;	/* its Debian package */
};

extern const char *const media_dax_modes[]; /* ends with NULL */
extern const char *const media_fs_names[];  /* ends with NULL */
extern const struct media_fs media_fss[];   /* ends with a NULL name */

const struct media_fs *media_fs_find(const char *name);
/* Both known; fs matters only for fsdax. */
bool media_valid(const char *dax_mode, const char *fs);
/* "fsdax/<fs>" for fsdax, else the dax mode; fs is ignored for devdax. */
void media_name(char *buf, size_t len, const char *dax_mode, const char *fs);
/* Is fs a line's last field in /proc/filesystems text ("nodev\tproc", "\text4")? */
bool media_fs_listed(const char *filesystems, const char *fs);

#endif
