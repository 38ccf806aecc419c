// SPDX-License-Identifier: GPL-2.0
/*
 * mapcycle: map/fault/unmap cycles on a DAX file, the cost a design that
 * keeps FS-DAX pages at refcount 0 while idle moves from GUP to the
 * mapping: there the DAX mapping takes a page reference where the entry is
 * inserted (the fault) and drops it where it is removed (the zap), while
 * on 6.12 (base) a fault takes no page reference (pte_mkdevmap / PMD
 * devmap entries, ../shared/docs/zone-device-refcount.md A.7).
 *
 * One cycle: mmap the window (placed and advised as every kind's buffer,
 * daxbuf.c: PTE, or 2 MiB-aligned and THP-able for PMD), touch every
 * page (a read or a write of one byte: the fault-in, timed), munmap (the
 * zap, timed). A repetition is `iters` cycles; its sample reports the
 * fault-in time per page as ns_per_page (and fault_ns_per_page), the zap
 * time per page (zap_ns_per_page), and the page-faults counter.
 *
 * The mapping proof is the number of faults per cycle: a PTE window
 * takes one fault per page, a PMD window one per 2 MiB (a PMD fault that
 * falls back costs 512 PTE faults). The perf page-faults counter gives it
 * on every kernel; the fs_dax fault tracepoints, where the kernel has them
 * (debug flavour), must agree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/statvfs.h>

#include "agent.h"

#define PAGES_PER_PMD 512

enum fresh { FRESH_NO, FRESH_PUNCH, FRESH_WINDOW };
static const char *const fresh_name[] = { "no", "punch", "window" }; /* kinds.c's order */

struct mapcycle {
	struct daxbuf b;
	int64_t iters;
	bool write;
	enum fresh fresh;
	uint64_t pages; /* per cycle */
	off_t file_len;	/* FRESH_WINDOW: the file, the warm-up's window first */
	off_t *win;	/* FRESH_WINDOW: each timed cycle's window, in order */
	size_t nwin;
};

struct cycle_times {
	uint64_t map_ns, fault_ns, zap_ns, punch_ns;
};

/* The window is mapped: fault it in, unmap it. */
static void fault_and_zap(struct mapcycle *mc, struct cycle_times *t)
{
	volatile char *p = (volatile char *)mc->b.map;
	uint64_t t0, t1, t2, sum = 0;

	t0 = now_ns();
	if (mc->write)
		for (size_t off = 0; off < mc->b.len; off += PAGE_SZ)
			p[off] = (char)off;
	else
		for (size_t off = 0; off < mc->b.len; off += PAGE_SZ)
			sum += (unsigned char)p[off];
	t1 = now_ns();
	munmap(mc->b.map, mc->b.len);
	t2 = now_ns();
	(void)sum;
	t->fault_ns += t1 - t0;
	t->zap_ns += t2 - t1;
}

/*
 * fresh = punch: the window's blocks punched out (untimed in the fault
 * figure, reported apart): the DAX entries go (dax_delete_mapping_entry,
 * where zero-idle drops each page's reference) and the next cycle's faults
 * allocate and insert new ones (dax_insert_entry, where it takes them).
 */
static int punch(struct mapcycle *mc, struct cycle_times *t, char *msg, size_t len)
{
	uint64_t t0 = now_ns();

	if (fallocate(mc->b.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)mc->b.len)) {
		snprintf(msg, len, "punch %s: %s", mc->b.path, strerror(errno));
		return -1;
	}
	t->punch_ns += now_ns() - t0;
	return 0;
}

/* The file's extents, from FIEMAP: at most max; -1 with msg. */
static ssize_t file_extents(const struct mapcycle *mc, struct fiemap_extent *ext, size_t max,
			    char *msg, size_t len)
{
	struct fiemap *fm = calloc(1, sizeof(*fm) + 256 * sizeof(struct fiemap_extent));
	size_t n = 0;
	uint64_t start = 0;
	bool last = false;

	if (!fm) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	while (!last && start < (uint64_t)mc->file_len) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = start;
		fm->fm_length = (uint64_t)mc->file_len - start;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = 256;
		if (ioctl(mc->b.fd, FS_IOC_FIEMAP, fm)) {
			snprintf(msg, len, "FIEMAP %s: %s", mc->b.path, strerror(errno));
			free(fm);
			return -1;
		}
		if (!fm->fm_mapped_extents)
			break;
		for (uint32_t i = 0; i < fm->fm_mapped_extents && n < max; i++) {
			ext[n++] = fm->fm_extents[i];
			last = fm->fm_extents[i].fe_flags & FIEMAP_EXTENT_LAST;
		}
		if (n == max)
			break;
		start = ext[n - 1].fe_logical + ext[n - 1].fe_length;
	}
	free(fm);
	return (ssize_t)n;
}

/*
 * Can every 2 MiB of [off, off + len) be mapped by a PMD: does one extent
 * hold it whole, 2 MiB-aligned on the device (dax_iomap_pmd_fault()
 * falls back to PTEs otherwise)?
 */
static bool window_pmd_ok(const struct fiemap_extent *ext, size_t n, off_t off, size_t len)
{
	for (uint64_t c = (uint64_t)off; c < (uint64_t)off + len; c += PMD_SZ) {
		bool ok = false;

		for (size_t i = 0; i < n && !ok; i++)
			ok = ext[i].fe_logical <= c && c + PMD_SZ <= ext[i].fe_logical + ext[i].fe_length &&
			     !((ext[i].fe_physical - ext[i].fe_logical) % PMD_SZ);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Write [0, end) of the file with zeros through write(2), which goes
 * through dax_iomap_rw() and inserts no DAX entry: unwritten extents
 * become written, so a later fault maps the block's own page. In 2 MiB
 * writes, where ext4 converts the extents. 0, or -1 with msg.
 */
static int write_blocks(struct mapcycle *mc, off_t end, char *msg, size_t len)
{
	size_t chunk = PMD_SZ;
	char *zero = calloc(1, chunk);

	if (!zero) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	for (off_t off = 0; off < end; off += (off_t)chunk) {
		size_t n = (size_t)(end - off) < chunk ? (size_t)(end - off) : chunk;

		if (pwrite(mc->b.fd, zero, n, off) != (ssize_t)n) {
			snprintf(msg, len, "write %s at %lld: %s", mc->b.path, (long long)off,
				 strerror(errno));
			free(zero);
			return -1;
		}
	}
	free(zero);
	return 0;
}

/*
 * fresh = window: the file holds a window for the warm-up and one for
 * every timed cycle, allocated in one fallocate() and written with
 * write(2), which goes through dax_iomap_rw() and inserts no DAX entry: a
 * timed fault finds a written block (no allocation, no zeroing) and only
 * inserts the entry (dax_insert_entry), the cost a refcount-0-at-idle
 * design adds to a first fault. A PMD window must lie in 2 MiB-aligned
 * extents, which ext4 does not promise for a large file (block group
 * boundaries, space freed by a workload before): the file gets half as
 * many windows again (as the free space allows) and the cycles use those
 * FIEMAP shows aligned. Untimed. 0, or -1 with msg.
 */
static int window_file(const struct wl_ctx *ctx, struct mapcycle *mc, char *msg, size_t len)
{
	size_t need = (size_t)mc->iters * (size_t)ctx->spec->reps, have, max_ext = 4096;
	struct fiemap_extent *ext = calloc(max_ext, sizeof(*ext));
	uint64_t avail = UINT64_MAX;
	struct statvfs sv;
	ssize_t next = 0;
	off_t off;

	mc->win = calloc(need, sizeof(*mc->win));
	if (!ext || !mc->win) {
		snprintf(msg, len, "out of memory");
		goto fail;
	}
	if (!fstatvfs(mc->b.fd, &sv))
		avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	have = 1 + need + (mc->b.pmd ? need / 2 + 2 : 0);
	if (mc->b.len * have > avail)
		have = avail / mc->b.len;
	if (have < 1 + need) {
		snprintf(msg, len,
			 "fresh = window needs %zu MiB (buf_kib x (1 + iters x reps)) on %s, "
			 "which has %llu MiB free: fewer iters, reps or buf_kib",
			 (mc->b.len * (1 + need)) >> 20, mc->b.path,
			 (unsigned long long)(avail >> 20));
		goto fail;
	}
	mc->file_len = (off_t)(mc->b.len * have);
	if (fallocate(mc->b.fd, 0, 0, mc->file_len)) {
		snprintf(msg, len, "fallocate %s to %lld bytes: %s", mc->b.path,
			 (long long)mc->file_len, strerror(errno));
		goto fail;
	}
	if (write_blocks(mc, mc->file_len, msg, len))
		goto fail;
	if (mc->b.pmd && (next = file_extents(mc, ext, max_ext, msg, len)) < 0)
		goto fail;
	for (size_t k = 1; k < have && mc->nwin < need; k++) {
		off = (off_t)(mc->b.len * k);
		if (!mc->b.pmd || window_pmd_ok(ext, (size_t)next, off, mc->b.len))
			mc->win[mc->nwin++] = off;
	}
	if (mc->nwin < need) {
		/* where the extents lie says why (next > 0: pmd read them) */
		for (ssize_t i = 0; i < next && i < 8; i++)
			logmsg("mapcycle %s: extent %zd: logical %llu, physical %llu (%llu KiB past "
			       "2 MiB), %llu KiB", ctx->spec->name, i,
			       (unsigned long long)ext[i].fe_logical,
			       (unsigned long long)ext[i].fe_physical,
			       (unsigned long long)(ext[i].fe_physical % PMD_SZ) >> 10,
			       (unsigned long long)ext[i].fe_length >> 10);
		snprintf(msg, len,
			 "fresh = window, pmd: %zu of the %zu windows of %s lie in 2 MiB-aligned "
			 "extents, %zu needed (iters x reps): fewer of them, or fs = xfs",
			 mc->nwin, have - 1, mc->b.path, need);
		goto fail;
	}
	free(ext);
	return 0;
fail:
	free(ext);
	return -1;
}

static int64_t counter_value(const struct counters *cs, const char *name)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->c[i].opened && !strcmp(cs->c[i].name, name))
			return (int64_t)cs->c[i].val;
	return -1;
}

/*
 * The faults of a repetition against the mapping wanted: 0, or -1 with
 * msg. The "mapping" line (the harness's dax_mapping check) is emitted
 * for the first repetition and for any that fails.
 */
static int prove(const struct wl_ctx *ctx, const struct mapcycle *mc, const struct counters *cs,
		 int rep, char *msg, size_t len)
{
	uint64_t cycles = (uint64_t)mc->iters, want_pte = mc->pages * cycles;
	uint64_t want_pmd = mc->pages / PAGES_PER_PMD * cycles;
	int64_t faults = counter_value(cs, "page-faults");
	int64_t pte = counter_value(cs, "fs_dax/dax_pte_fault_done");
	int64_t pmd = counter_value(cs, "fs_dax/dax_pmd_fault_done");
	/* the fs_dax tracepoints fire for filesystem DAX faults only (daxbuf.c) */
	bool tp = pte >= 0 && pmd >= 0 && !mc->b.anon && !mc->b.devdax;
	bool known = faults >= 0, checked, ok;
	struct json_object *o;

	checked = known && !mc->b.dflt;
	/*
	 * PTE: one fault per page at least. PMD: one per 2 MiB, with a little
	 * room for the agent's own incidental faults, far below the 512 per
	 * 2 MiB a fallback costs.
	 */
	if (mc->b.pmd)
		ok = (uint64_t)faults >= want_pmd &&
		     (uint64_t)faults <= want_pmd + 4 * cycles + 8 &&
		     (!tp || ((uint64_t)pmd == want_pmd && pte == 0));
	else
		ok = (uint64_t)faults >= want_pte &&
		     (!tp || ((uint64_t)pte == want_pte && pmd == 0));
	if (rep == 0 || (checked && !ok)) {
		o = msg_new("mapping");
		jadd_str(o, "workload", ctx->spec->name);
		jadd_str(o, "wanted", daxbuf_mapping_name(&mc->b));
		jadd_bool(o, "proven", known);
		jadd_int(o, "rep", rep);
		jadd_int(o, "page_faults", faults);
		jadd_int(o, "pages", (int64_t)want_pte);
		if (tp) {
			jadd_int(o, "pte_faults", pte);
			jadd_int(o, "pmd_faults", pmd);
		}
		if (checked)
			jadd_bool(o, "ok", ok);
		emit(o);
	}
	if (!checked || ok)
		return 0;
	snprintf(msg, len,
		 "rep %d: mapping %s wanted, %llu pages in %llu cycles took %lld page faults "
		 "(fs_dax: %lld PTE, %lld PMD)%s",
		 rep, daxbuf_mapping_name(&mc->b), (unsigned long long)want_pte,
		 (unsigned long long)cycles, (long long)faults, (long long)pte, (long long)pmd,
		 mc->b.pmd ? " (PMD fell back?)" : "");
	return -1;
}

static int one_rep(const struct wl_ctx *ctx, struct mapcycle *mc, struct counters *cs, int rep,
		   char *msg, size_t len)
{
	struct cycle_times t = {0};
	struct sample s = {.rep = rep, .cs = cs};
	struct pin_stats p0;
	struct json_object *o;
	int64_t i;

	if (pins_begin(&p0, msg, len))
		return -1;
	counters_start(cs);
	for (i = 0; i < mc->iters; i++) {
		uint64_t t0;

		/* window: the next part of the file, never mapped (window 0 warmed up) */
		if (mc->fresh == FRESH_WINDOW)
			mc->b.off = mc->win[rep * mc->iters + i];
		t0 = now_ns();
		if (daxbuf_remap(&mc->b, msg, len))
			break;
		t.map_ns += now_ns() - t0;
		fault_and_zap(mc, &t);
		if (mc->fresh == FRESH_PUNCH && punch(mc, &t, msg, len))
			break;
	}
	counters_stop(cs);
	if (i < mc->iters)
		return -1;
	s.pages = mc->pages * (uint64_t)mc->iters;
	s.elapsed_ns = t.fault_ns;
	pins_end(&p0, &s);
	o = sample_json(ctx, &s);
	jadd_str(o, "mapping", daxbuf_mapping_name(&mc->b));
	jadd_str(o, "touch", mc->write ? "write" : "read");
	jadd_int(o, "cycles", mc->iters);
	jadd_double(o, "fault_ns_per_page", (double)t.fault_ns / s.pages);
	jadd_double(o, "zap_ns_per_page", (double)t.zap_ns / s.pages);
	jadd_double(o, "map_ns_per_cycle", (double)t.map_ns / mc->iters);
	jadd_int(o, "fault_ns", (int64_t)t.fault_ns);
	jadd_int(o, "zap_ns", (int64_t)t.zap_ns);
	jadd_int(o, "page_faults", counter_value(cs, "page-faults"));
	jadd_str(o, "fresh", fresh_name[mc->fresh]);
	if (mc->fresh == FRESH_PUNCH)
		jadd_double(o, "punch_ns_per_page", (double)t.punch_ns / s.pages);
	emit(o);
	return prove(ctx, mc, cs, rep, msg, len);
}

static int mapcycle_run(const struct wl_ctx *ctx, char *msg, size_t len)
{
	const struct wl_spec *w = ctx->spec;
	struct mapcycle mc = {.b.fd = -1};
	struct counters cs;
	int rep, ret = -1;

	/* whole pages, whole PMDs for pmd: kinds.c's rule, checked before */
	daxbuf_params(w, &mc.b);
	mc.b.no_prefault = true; /* the faults are the measurement */
	mc.b.len = (size_t)param_uint(w, "buf_kib") << 10;
	mc.pages = mc.b.len / PAGE_SZ;
	mc.iters = param_uint(w, "iters");
	mc.write = !strcmp(param_str(w, "touch"), "write");
	for (size_t i = 0; i < ARRAY_SIZE(fresh_name); i++)
		if (!strcmp(param_str(w, "fresh"), fresh_name[i]))
			mc.fresh = (enum fresh)i;
	if (daxbuf_map(ctx, &mc.b, msg, len))
		goto out;
	if (mc.fresh != FRESH_NO && (mc.b.anon || mc.b.devdax)) {
		snprintf(msg, len, "fresh = %s needs a DAX file: fsdax only (this is %s)",
			 fresh_name[mc.fresh], mc.b.anon ? "anonymous memory" : "devdax");
		goto out;
	}
	if (mc.fresh == FRESH_WINDOW && window_file(ctx, &mc, msg, len))
		goto out;
	/*
	 * A read fault of a block fallocate() left unwritten maps the zero
	 * page, not the DAX page: write the window's blocks (write(2): no
	 * entry inserted) so read touches fault FS-DAX pages in too.
	 */
	if (mc.fresh == FRESH_NO && !mc.write && !mc.b.anon && !mc.b.devdax &&
	    write_blocks(&mc, (off_t)mc.b.len, msg, len))
		goto out;
	logmsg("mapcycle %s: %s mapping, %s touch, %zu KiB, %lld cycles, %d reps, fresh %s",
	       w->name, daxbuf_mapping_name(&mc.b), mc.write ? "write" : "read", mc.b.len >> 10,
	       (long long)mc.iters, w->reps, fresh_name[mc.fresh]);
	/*
	 * daxbuf_map's mapping is the warm-up cycle, untimed: under TCG the
	 * first pass through the fault path translates it (a first PMD
	 * repetition measured 12x the second on base).
	 */
	{
		struct cycle_times warm = {0};

		fault_and_zap(&mc, &warm);
	}
	counters_open(&cs);
	for (rep = 0; rep < w->reps; rep++)
		if (one_rep(ctx, &mc, &cs, rep, msg, len))
			break;
	counters_close(&cs);
	if (rep < w->reps)
		goto out;
	snprintf(msg, len, "%d reps of %lld cycles", w->reps, (long long)mc.iters);
	ret = 0;
out:
	daxbuf_unmap(&mc.b, true);
	free(mc.win);
	return ret;
}

const struct workload_ops wl_mapcycle_ops = {
	.run = mapcycle_run,
};
