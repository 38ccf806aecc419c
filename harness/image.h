/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_IMAGE_H
#define ZD_IMAGE_H

#include <json-c/json.h>

#include "config.h"
#include "util.h"

struct zd_image {
	char *path;	/* cached base initramfs (uncompressed newc) */
	char *key;
	bool cached;
	struct strv tools; /* "name version" lines, for provenance */
};

/* The guest image: busybox, fio, ndctl, mke2fs and the agent with their libs. */
int image_build(const struct zd_config *c, struct zd_image *img);
void image_free(struct zd_image *img);
/* Base image + a small archive with /zdbench/plan.json, written to out; -1 reported. */
int image_with_plan(const struct zd_image *img, struct json_object *plan,
		    const char *out) __attribute__((warn_unused_result));
char *agent_path(const struct zd_config *c);
struct cpio;
/* Base image + the extra archive (finished here), written to out. */
int image_append(const struct zd_image *img, struct cpio *extra, const char *out);
/* A host binary and the shared libraries ldd finds for it. */
int image_add_binary(struct cpio *cp, const char *src, const char *dest);

#endif
