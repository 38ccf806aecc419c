// SPDX-License-Identifier: GPL-2.0
/*
 * A MAP_SHARED mapping of a preallocated file on the DAX filesystem,
 * placed so that it is PTE-mapped (4 KiB off the file's 2 MiB colour,
 * plus MADV_NOHUGEPAGE) or PMD-mapped (2 MiB-aligned, MADV_HUGEPAGE),
 * and prefaulted for write so that GUP-fast finds every PTE/PMD present.
 * The same placement rules as the odirect kind (docs/agent-protocol.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "agent.h"

#define PMD_SZ (2UL << 20)

int daxbuf_mapping(const char *s, bool *pmd)
{
	if (!strcmp(s, "pte"))
		*pmd = false;
	else if (!strcmp(s, "pmd"))
		*pmd = true;
	else
		return -1;
	return 0;
}

static void buf_path(const struct wl_ctx *ctx, struct daxbuf *b)
{
	size_t i, n;

	n = snprintf(b->path, sizeof(b->path), "%s/zdbench-", ctx->plan->mountpoint);
	for (i = 0; ctx->spec->name[i] && n < sizeof(b->path) - 5; i++) {
		char c = ctx->spec->name[i];

		b->path[n++] = c == '/' ? '_' : c;
	}
	snprintf(b->path + n, sizeof(b->path) - n, ".buf");
}

int daxbuf_map(const struct wl_ctx *ctx, struct daxbuf *b, char *msg, size_t len)
{
	uintptr_t base, addr;
	size_t off;
	void *p;

	b->fd = -1;
	b->res = NULL;
	b->map = NULL;
	buf_path(ctx, b);
	b->fd = open(b->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (b->fd < 0) {
		snprintf(msg, len, "open %s: %s", b->path, strerror(errno));
		return -1;
	}
	if (fallocate(b->fd, 0, 0, b->len) < 0) {
		snprintf(msg, len, "fallocate %s: %s", b->path, strerror(errno));
		return -1;
	}
	b->res_len = b->len + 2 * PMD_SZ;
	b->res = mmap(NULL, b->res_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	if (b->res == MAP_FAILED) {
		b->res = NULL;
		snprintf(msg, len, "mmap reserve: %s", strerror(errno));
		return -1;
	}
	base = (uintptr_t)b->res;
	addr = (base + PMD_SZ - 1) & ~(PMD_SZ - 1);
	if (!b->pmd)
		addr += PAGE_SZ;
	p = mmap((void *)addr, b->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, b->fd, 0);
	if (p == MAP_FAILED) {
		snprintf(msg, len, "mmap %s: %s", b->path, strerror(errno));
		return -1;
	}
	b->map = p;
	if (madvise(b->map, b->len, b->pmd ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) && errno != ENOSYS) {
		snprintf(msg, len, "madvise: %s", strerror(errno));
		return -1;
	}
	for (off = 0; off < b->len; off += PAGE_SZ)
		((volatile char *)b->map)[off] = (char)off;
	return 0;
}

/* Unmap and close; keep the file (unlink) only if asked. */
void daxbuf_unmap(struct daxbuf *b, bool unlink_file)
{
	if (b->res)
		munmap(b->res, b->res_len);
	b->res = NULL;
	b->map = NULL;
	if (b->fd >= 0) {
		close(b->fd);
		if (unlink_file)
			unlink(b->path);
	}
	b->fd = -1;
}

/*
 * /sys/kernel/debug/pgmap_refs (zdbench variant kernels only): one line
 * per live dev_pagemap, "type=fsdax start=.. end=.. pages=N mode=M net=N".
 * Emitted as a "pgmap_refs" line; nothing when the file does not exist.
 */
void pgmap_refs_emit(const char *when)
{
	struct json_object *o, *arr;
	char buf[4096], *line, *save = NULL;
	ssize_t n = read_file("/sys/kernel/debug/pgmap_refs", buf, sizeof(buf));

	if (n < 0)
		return;
	o = msg_new("pgmap_refs");
	jadd_str(o, "when", when);
	arr = json_object_new_array();
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char type[16] = "", mode[16] = "";
		unsigned long long start, end, pages;
		long long net;
		struct json_object *e;

		if (sscanf(line, "type=%15s start=%llx end=%llx pages=%llu mode=%15s net=%lld", type,
			   &start, &end, &pages, mode, &net) != 6)
			continue;
		e = json_object_new_object();
		jadd_str(e, "type", type);
		jadd_int(e, "start", (int64_t)start);
		jadd_int(e, "end", (int64_t)end);
		jadd_int(e, "pages", (int64_t)pages);
		jadd_str(e, "mode", mode);
		jadd_int(e, "net", net);
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "pgmaps", arr);
	emit(o);
}
