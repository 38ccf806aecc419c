// SPDX-License-Identifier: GPL-2.0
#include "media.h"

#include <stdio.h>
#include <string.h>

const char *const media_dax_modes[] = { "fsdax", "devdax", NULL };
const char *const media_fs_names[] = { "ext4", "xfs", NULL };
const struct media_fs media_fss[] = {
	{ "ext4", "mkfs.ext4", "e2fsprogs" },
	{ "xfs", "mkfs.xfs", "xfsprogs" },
	{ NULL },
};

const struct media_fs *media_fs_find(const char *name)
{
	for (const struct media_fs *f = media_fss; name && f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

static bool listed(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

bool media_valid(const char *dax_mode, const char *fs)
{
	return listed(media_dax_modes, dax_mode) && listed(media_fs_names, fs);
}

void media_name(char *buf, size_t len, const char *dax_mode, const char *fs)
{
	if (!strcmp(dax_mode, "fsdax"))
		snprintf(buf, len, "fsdax/%s", fs);
	else
		snprintf(buf, len, "%s", dax_mode);
}

bool media_fs_listed(const char *filesystems, const char *fs)
{
	size_t n = strlen(fs);

	for (const char *l = filesystems; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *tab = memchr(l, '\t', strcspn(l, "\n"));
		const char *f = tab ? tab + 1 : l;

		if (!strncmp(f, fs, n) && (f[n] == '\n' || !f[n]))
			return true;
	}
	return false;
}
