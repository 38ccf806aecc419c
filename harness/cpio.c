// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "cpio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void pad4(struct sbuf *sb)
{
	static const char zeros[4];

	if (sb->len % 4)
		sbuf_add(sb, zeros, 4 - sb->len % 4);
}

static void entry(struct cpio *c, const char *name, unsigned int mode,
		  const void *data, size_t len)
{
	char hdr[111];

	/* Archive names are relative: "init", not "/init". */
	while (*name == '/')
		name++;
	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ++c->ino, mode, 0, 0, S_ISDIR(mode) ? 2 : 1, 0, (unsigned int)len,
		 0, 0, 0, 0, (unsigned int)strlen(name) + 1, 0);
	sbuf_add(&c->out, hdr, 110);
	sbuf_add(&c->out, name, strlen(name) + 1);
	pad4(&c->out);
	if (len)
		sbuf_add(&c->out, data, len);
	pad4(&c->out);
}

static void parents(struct cpio *c, const char *path)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		cpio_dir(c, p);
		*s = '/';
	}
	free(p);
}

void cpio_dir(struct cpio *c, const char *path)
{
	for (size_t i = 0; i < c->dirs.n; i++)
		if (!strcmp(c->dirs.v[i], path))
			return;
	parents(c, path);
	strv_push(&c->dirs, path);
	entry(c, path, S_IFDIR | 0755, NULL, 0);
}

void cpio_file(struct cpio *c, const char *path, unsigned int mode,
	       const void *data, size_t len)
{
	parents(c, path);
	entry(c, path, S_IFREG | (mode & 07777), data, len);
}

void cpio_symlink(struct cpio *c, const char *path, const char *target)
{
	parents(c, path);
	entry(c, path, S_IFLNK | 0777, target, strlen(target));
}

void cpio_finish(struct cpio *c)
{
	entry(c, "TRAILER!!!", 0, NULL, 0);
	/* The kernel's unpacker is happy with 512-byte blocks between archives. */
	while (c->out.len % 512)
		sbuf_add(&c->out, "", 1);
}

void cpio_free(struct cpio *c)
{
	sbuf_free(&c->out);
	strv_free(&c->dirs);
}
