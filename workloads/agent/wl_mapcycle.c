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
#include <sys/mman.h>

#include "agent.h"

#define PAGES_PER_PMD 512

struct mapcycle {
	struct daxbuf b;
	int64_t iters;
	bool write;
	bool fresh;	/* punch the blocks out after each cycle */
	uint64_t pages; /* per cycle */
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
 * fresh = yes: the window's blocks punched out (untimed in the fault
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
	bool tp = pte >= 0 && pmd >= 0, known = faults >= 0, checked, ok;
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
		uint64_t t0 = now_ns();

		if (daxbuf_remap(&mc->b, msg, len))
			break;
		t.map_ns += now_ns() - t0;
		fault_and_zap(mc, &t);
		if (mc->fresh && punch(mc, &t, msg, len))
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
	if (mc->fresh)
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
	mc.fresh = !strcmp(param_str(w, "fresh"), "yes");
	if (daxbuf_map(ctx, &mc.b, msg, len))
		goto out;
	if (mc.fresh && (mc.b.anon || mc.b.devdax)) {
		snprintf(msg, len, "fresh = yes punches file blocks: fsdax only (this is %s)",
			 mc.b.anon ? "anonymous memory" : "devdax");
		goto out;
	}
	logmsg("mapcycle %s: %s mapping, %s touch, %zu KiB, %lld cycles, %d reps", w->name,
	       daxbuf_mapping_name(&mc.b), mc.write ? "write" : "read", mc.b.len >> 10,
	       (long long)mc.iters, w->reps);
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
	return ret;
}

const struct workload_ops wl_mapcycle_ops = {
	.run = mapcycle_run,
};
