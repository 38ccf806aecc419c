// SPDX-License-Identifier: GPL-2.0
/*
 * odirect: O_DIRECT I/O against another device (null_blk by default)
 * with a MAP_SHARED FS-DAX mapping as the user buffer. Since v6.4 every
 * I/O pins the buffer's pages (iov_iter_extract_pages, FOLL_PIN) and
 * unpins them at completion, so the loop measures GUP-fast pin/unpin on
 * ZONE_DEVICE pages; before v6.4 (6.1 LTS) the block layer takes page
 * references (iov_iter_get_pages2, FOLL_GET), which no counter shows. The
 * plan's kernel.dio_refs says which (harness/kfacts.c, from the kernel's
 * block/bio.c) and the proof follows it. O_DIRECT on the DAX file itself
 * would copy, not pin.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "agent.h"

struct odirect {
	const char *target;
	size_t buf; /* bytes */
	size_t bs;  /* bytes per I/O */
	int64_t iters;
	bool write;

	struct daxbuf b; /* the DAX mapping */
	int dev_fd;
	uint64_t span; /* device bytes used, a multiple of bs */
	/* kernel.dio_refs: pins, gets, or neither known (then either is accepted) */
	bool pins, gets;
};

static void parse(const struct wl_ctx *ctx, struct odirect *od)
{
	const struct wl_spec *w = ctx->spec;

	/* checked against kinds.c's row (workload_check): bs | buf, an absolute target */
	od->target = param_str(w, "target");
	od->iters = param_uint(w, "iters");
	od->buf = (size_t)param_uint(w, "buf_kib") << 10;
	od->bs = (size_t)param_uint(w, "bs_kib") << 10;
	od->b.len = od->buf;
	daxbuf_params(w, &od->b);
	od->write = !strcmp(param_str(w, "rw"), "write");
}

static int open_target(struct odirect *od, char *msg, size_t len)
{
	uint64_t size = 0;
	struct stat st;

	od->dev_fd = open(od->target, (od->write ? O_WRONLY : O_RDONLY) | O_DIRECT | O_CLOEXEC);
	if (od->dev_fd < 0) {
		snprintf(msg, len, "open %s O_DIRECT: %s", od->target, strerror(errno));
		return -1;
	}
	if (fstat(od->dev_fd, &st) < 0) {
		snprintf(msg, len, "fstat %s: %s", od->target, strerror(errno));
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(od->dev_fd, BLKGETSIZE64, &size) < 0)
			size = 0;
	} else {
		size = st.st_size;
	}
	od->span = size / od->bs * od->bs;
	if (!od->span) {
		snprintf(msg, len, "%s: smaller than one block of %zu bytes", od->target, od->bs);
		return -1;
	}
	return 0;
}

/* The timed loop: successive buffer slices, successive device offsets. */
static int io_loop(const struct odirect *od, char *msg, size_t len)
{
	size_t slice = 0, nslices = od->buf / od->bs;
	uint64_t off = 0;
	int64_t i;

	for (i = 0; i < od->iters; i++) {
		char *p = od->b.map + slice * od->bs;
		ssize_t n;

		if (od->write)
			n = pwrite(od->dev_fd, p, od->bs, (off_t)off);
		else
			n = pread(od->dev_fd, p, od->bs, (off_t)off);
		if (n != (ssize_t)od->bs) {
			snprintf(msg, len, "%s at %llu returned %zd: %s",
				 od->write ? "pwrite" : "pread", (unsigned long long)off, n,
				 n < 0 ? strerror(errno) : "short I/O");
			return -1;
		}
		if (++slice == nslices)
			slice = 0;
		off += od->bs;
		if (off >= od->span)
			off = 0;
	}
	return 0;
}

static int one_rep(const struct wl_ctx *ctx, struct odirect *od, struct counters *cs, int rep,
		   char *msg, size_t len)
{
	struct pin_stats p0;
	struct sample s = {.rep = rep, .cs = cs};
	uint64_t t0, t1;
	int ret;

	if (pins_begin(&p0, msg, len))
		return -1;
	counters_start(cs);
	t0 = now_ns();
	ret = io_loop(od, msg, len);
	t1 = now_ns();
	counters_stop(cs);
	if (ret)
		return -1;

	s.pages = (uint64_t)od->iters * od->bs / PAGE_SZ;
	s.elapsed_ns = t1 - t0;
	pins_end(&p0, &s);
	sample_emit(ctx, &s);
	if (no_faults(&s, msg, len))
		return -1;
	if (od->gets && s.pins.acquired) {
		snprintf(msg, len,
			 "rep %d: %llu pins where this kernel's O_DIRECT takes FOLL_GET references "
			 "(kernel.dio_refs = gets, read from its block/bio.c)",
			 rep, (unsigned long long)s.pins.acquired);
		return -1;
	}
	if (od->pins && !s.pins.acquired) {
		snprintf(msg, len,
			 "rep %d: nr_foll_pin_acquired did not move: "
			 "the I/O did not pin the DAX pages",
			 rep);
		return -1;
	}
	/* Synchronous O_DIRECT unpins before returning: a gap is a leak. */
	if (s.pins.acquired != s.pins.released) {
		snprintf(msg, len,
			 "rep %d: pins not balanced: acquired %llu, "
			 "released %llu",
			 rep, (unsigned long long)s.pins.acquired,
			 (unsigned long long)s.pins.released);
		return -1;
	}
	return 0;
}

static void cleanup(struct odirect *od)
{
	if (od->dev_fd >= 0)
		close(od->dev_fd);
	daxbuf_unmap(&od->b, true);
}

static int odirect_run(const struct wl_ctx *ctx, char *msg, size_t len)
{
	struct odirect od = {.b.fd = -1, .dev_fd = -1};
	struct counters cs;
	int rep, ret = -1;

	parse(ctx, &od);
	od.pins = !strcmp(ctx->plan->dio_refs, "pins");
	od.gets = !strcmp(ctx->plan->dio_refs, "gets");
	if (daxbuf_map(ctx, &od.b, msg, len) || open_target(&od, msg, len))
		goto out;
	logmsg("odirect %s: %s %s, buf %zu KiB, bs %zu KiB, %lld iters, "
	       "%d reps",
	       ctx->spec->name, od.write ? "pwrite" : "pread", od.target, od.buf >> 10, od.bs >> 10,
	       (long long)od.iters, ctx->spec->reps);
	counters_open(&cs);
	for (rep = 0; rep < ctx->spec->reps; rep++) {
		if (one_rep(ctx, &od, &cs, rep, msg, len))
			break;
	}
	counters_close(&cs);
	if (rep < ctx->spec->reps)
		goto out;
	snprintf(msg, len, "%d reps", ctx->spec->reps);
	ret = 0;
out:
	cleanup(&od);
	return ret;
}

const struct workload_ops wl_odirect_ops = {
	.run = odirect_run,
};
