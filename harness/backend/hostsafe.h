/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_HOSTSAFE_H
#define ZD_HOSTSAFE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

struct json_object;

/* The namespace the host backend may use, once every check passed. */
struct host_ns {
	char *name;	/* namespace0.0 */
	char *mode;	/* fsdax | devdax */
	char *blockdev; /* pmem0 (fsdax) */
	char *chardev;	/* dax0.0 (devdax) */
	uint64_t size;
};

/* What the machine says, gathered by host_preflight (or recorded, in tests). */
struct host_facts {
	uid_t euid;
	struct json_object *ndctl; /* `ndctl list -N` */
	char *mountinfo;	   /* /proc/self/mountinfo */
	char *majmin;		   /* the block device's "259:0", if known */
	char *busy;		   /* why the device is in use, or NULL */
	char *busy_dev;
	char *filesystems;	   /* /proc/filesystems */
	char *mkfs;		   /* the mkfs.FS found on PATH: "mkfs.ext4 mkfs.xfs" */
};

/* 0: the namespace may be used; -1: *why says, naming it, why not. */
int host_ns_check(const struct zd_config *c, const struct host_facts *f, struct host_ns *out,
		  char **why);
int host_preflight(const struct zd_config *c, struct host_ns *out, char **why);
void host_ns_free(struct host_ns *ns);
void host_facts_free(struct host_facts *f);
int parse_size(const char *s, uint64_t *out);
bool mountinfo_has(const char *mountinfo, const char *dev, const char *majmin, char **where);

/*
 * What a [qemu] pmem_path names, decided on the file the kernel would open
 * (symlinks followed, "//", "/./" and ".." resolved), never on its spelling.
 */
enum pmem_target {
	PT_NEW,		/* does not exist; QEMU creates a file */
	PT_FILE,	/* a regular file */
	PT_DAX_FILE,	/* a regular file on a DAX filesystem (statx says DAX) */
	PT_DEV_DIR,	/* does not exist, but would be created under /dev */
	PT_DAX_CHAR,	/* a character device of the dax class: real pmem */
	PT_BLOCK,	/* a block device (pmem0, a disk) */
	PT_CHAR,	/* another character device */
	PT_OTHER,	/* a folder, FIFO, socket */
};
/*
 * Classify path. sysfs is "/sys" (tests pass a tree of their own): a
 * character device MAJ:MIN is of the dax class when sysfs/dev/char/MAJ:MIN/
 * subsystem links to a folder named dax. *resolved (may be NULL) gets the
 * resolved path, for messages; the caller frees it.
 */
enum pmem_target pmem_target(const char *path, const char *sysfs, char **resolved);
/* Whether overwriting a target of this kind destroys data not zdbench's. */
bool pmem_target_is_device(enum pmem_target t);
/* "a dax device (real persistent memory)" and so on, for messages. */
const char *pmem_target_name(enum pmem_target t);

#endif
