// SPDX-License-Identifier: GPL-2.0
/*
 * A MAP_SHARED mapping of a preallocated file on the DAX filesystem (or
 * of the devdax character device), placed so that it is PTE-mapped (4 KiB off the file's 2 MiB colour,
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

/*
 * The buffer params every kind shares (checked by workload_check against
 * kinds.c): mapping pte | pmd | default (no placement, no advice: the
 * kernel's choice), memory dax | anon (the control: private anonymous
 * memory, the same placement, no ZONE_DEVICE), prefault 0 | 1. A kind
 * whose row lacks memory or prefault gets dax and prefaulting.
 */
void daxbuf_params(const struct wl_spec *w, struct daxbuf *b)
{
	const char *m = param_str(w, "mapping");
	const char *mem = param_str(w, "memory");
	const struct wl_kind_desc *k = wl_kind_find(w->kind);

	b->pmd = !strcmp(m, "pmd");
	b->dflt = !strcmp(m, "default");
	b->anon = !strcmp(mem, "anon");
	b->no_prefault = k && wl_param_find(k, "prefault") && !param_uint(w, "prefault");
}

const char *daxbuf_mapping_name(const struct daxbuf *b)
{
	return b->dflt ? "default" : b->pmd ? "pmd" : "pte";
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

/*
 * A devdax device faults in units of its alignment (drivers/dax/device.c):
 * with 4 KiB a PMD fault falls back to PTEs, silently; with 2 MiB a PTE
 * fault is a SIGBUS. So the alignment decides the mapping: check it.
 */
static int devdax_align_check(const struct daxbuf *b, char *msg, size_t len)
{
	const char *name = strrchr(b->path, '/') ? strrchr(b->path, '/') + 1 : b->path;
	uint64_t want = b->pmd ? PMD_SZ : PAGE_SZ, align;
	char path[320];

	if (b->dflt)
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/align", name);
	if (read_u64_file(path, &align)) {
		snprintf(msg, len, "cannot read %s: the mapping %s would be unproven", path,
			 daxbuf_mapping_name(b));
		return -1;
	}
	if (align == want)
		return 0;
	snprintf(msg, len,
		 "mapping %s needs a devdax aligned to %llu bytes, %s has %llu (%s); make the namespace with -a %s",
		 daxbuf_mapping_name(b), (unsigned long long)want, name,
		 (unsigned long long)align,
		 b->pmd ? "a PMD fault would fall back to PTEs" : "a PTE fault would SIGBUS",
		 b->pmd ? "2M" : "4K");
	return -1;
}

/*
 * fsdax: a preallocated file of the workload's name (allocated blocks, so
 * faults map pmem and never SIGBUS). devdax: the character device itself,
 * from offset 0; workloads run one at a time, so they never share it.
 */
static int open_backing(const struct wl_ctx *ctx, struct daxbuf *b, char *msg, size_t len)
{
	if (b->anon) {
		snprintf(b->path, sizeof(b->path), "[anon]");
		return 0;
	}
	if (ctx->pm->devdax) {
		snprintf(b->path, sizeof(b->path), "%s", ctx->pm->devpath);
		b->fd = open(b->path, O_RDWR | O_CLOEXEC);
		if (b->fd < 0) {
			snprintf(msg, len, "open %s: %s", b->path, strerror(errno));
			return -1;
		}
		if (b->len > ctx->pm->size) {
			snprintf(msg, len, "buffer of %zu bytes exceeds %s (%llu bytes)", b->len,
				 b->path, (unsigned long long)ctx->pm->size);
			return -1;
		}
		return devdax_align_check(b, msg, len);
	}
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
	return 0;
}

/*
 * Place the mapping ourselves: 2 MiB-aligned for pmd, and 4 KiB off the
 * 2 MiB colour for pte, which makes a DAX PMD fault impossible whether or
 * not madvise() exists (tinyconfig lacks ADVISE_SYSCALLS).
 */
static int place(struct daxbuf *b, char *msg, size_t len)
{
	uintptr_t addr;
	void *p;

	b->res_len = b->len + 2 * PMD_SZ;
	b->res = mmap(NULL, b->res_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	if (b->res == MAP_FAILED) {
		b->res = NULL;
		snprintf(msg, len, "mmap reserve: %s", strerror(errno));
		return -1;
	}
	addr = ((uintptr_t)b->res + PMD_SZ - 1) & ~(PMD_SZ - 1);
	if (!b->pmd && !b->dflt)
		addr += PAGE_SZ;
	p = mmap((void *)addr, b->len, PROT_READ | PROT_WRITE,
		 b->anon ? MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED : MAP_SHARED | MAP_FIXED, b->fd, 0);
	if (p == MAP_FAILED) {
		snprintf(msg, len, "mmap %s: %s", b->path, strerror(errno));
		return -1;
	}
	b->map = p;
	return 0;
}

static int advise(const struct wl_ctx *ctx, struct daxbuf *b, char *msg, size_t len)
{
	if (b->dflt || !madvise(b->map, b->len, b->pmd ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		return 0;
	if (errno != ENOSYS) {
		snprintf(msg, len, "madvise: %s", strerror(errno));
		return -1;
	}
	emit_warning("workload %s: madvise() not available (kernel without "
		     "CONFIG_ADVISE_SYSCALLS); mapping set by alignment only",
		     ctx->spec->name);
	return 0;
}

/* Prefault for write, so the timed GUPs take the fast path. */
static void prefault(void *arg)
{
	struct daxbuf *b = arg;

	if (b->no_prefault)
		return;
	for (size_t off = 0; off < b->len; off += PAGE_SZ)
		((volatile char *)b->map)[off] = (char)off;
}

/*
 * The proof of the mapping: the fs_dax tracepoints count the PTE and PMD
 * faults of the prefault (debug flavour only; without them the placement
 * alone decides, and the line says so). A PMD fault that falls back is
 * followed by PTE faults, so PMD means PMD faults and no PTE fault; a
 * PTE-placed buffer never even tries a PMD fault.
 */
static int prove_mapping(const struct wl_ctx *ctx, struct daxbuf *b, char *msg, size_t len)
{
	static const char *const evs[] = {"fs_dax/dax_pte_fault_done",
					  "fs_dax/dax_pmd_fault_done"};
	struct json_object *o;
	int64_t n[2];
	bool known, checked, ok;

	tracepoints_count(evs, 2, prefault, b, n);
	known = n[0] >= 0 && n[1] >= 0;
	checked = known && !b->dflt && !b->no_prefault;
	ok = b->pmd ? n[1] > 0 && n[0] == 0 : n[0] > 0 && n[1] == 0;
	o = msg_new("mapping");
	jadd_str(o, "workload", ctx->spec->name);
	jadd_str(o, "wanted", daxbuf_mapping_name(b));
	jadd_bool(o, "proven", known);
	if (known) {
		jadd_int(o, "pte_faults", n[0]);
		jadd_int(o, "pmd_faults", n[1]);
	}
	if (checked) /* the verdict the harness keeps as the dax_mapping check */
		jadd_bool(o, "ok", ok);
	emit(o);
	if (!checked || ok)
		return 0;
	snprintf(msg, len, "mapping %s wanted, the prefault took %lld PMD and %lld PTE faults%s",
		 daxbuf_mapping_name(b), (long long)n[1], (long long)n[0],
		 b->pmd ? " (PMD fell back?)" : "");
	return -1;
}

int daxbuf_map(const struct wl_ctx *ctx, struct daxbuf *b, char *msg, size_t len)
{
	b->fd = -1;
	b->res = NULL;
	b->map = NULL;
	b->devdax = ctx->pm->devdax && !b->anon;
	if (open_backing(ctx, b, msg, len) || place(b, msg, len) || advise(ctx, b, msg, len))
		return -1;
	/* fs_dax tracepoints see only filesystem DAX faults */
	if (b->anon || b->devdax) {
		prefault(b);
		return 0;
	}
	return prove_mapping(ctx, b, msg, len);
}

/*
 * Map the window again where daxbuf_map() placed it (MAP_FIXED inside the
 * reservation: same 2 MiB colour, same advice), at file offset b->off
 * (2 MiB-aligned for pmd), nothing faulted: the mapcycle kind's next
 * cycle after it unmapped b->map. 0, or -1 with msg.
 */
int daxbuf_remap(struct daxbuf *b, char *msg, size_t len)
{
	void *p = mmap(b->map, b->len, PROT_READ | PROT_WRITE,
		       b->anon ? MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED : MAP_SHARED | MAP_FIXED,
		       b->fd, b->anon ? 0 : b->off);

	if (p == MAP_FAILED) {
		snprintf(msg, len, "mmap %s again: %s", b->path, strerror(errno));
		return -1;
	}
	/* without madvise() the first map warned once; the placement decides */
	if (b->dflt || !madvise(b->map, b->len, b->pmd ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) ||
	    errno == ENOSYS)
		return 0;
	snprintf(msg, len, "madvise: %s", strerror(errno));
	return -1;
}

/*
 * Unmap the window and its reservation but keep the file open: pages a
 * reference still holds (a pin in flight) stay referenced, and nothing
 * maps the file any more (truncpin's unmap = yes). daxbuf_unmap() after
 * it only closes.
 */
void daxbuf_unmap_window(struct daxbuf *b)
{
	if (b->res)
		munmap(b->res, b->res_len);
	b->res = NULL;
	b->map = NULL;
}

/* Unmap and close; remove the buffer file only if asked (never a device). */
void daxbuf_unmap(struct daxbuf *b, bool unlink_file)
{
	daxbuf_unmap_window(b);
	if (b->fd >= 0) {
		close(b->fd);
		if (unlink_file && !b->devdax)
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
