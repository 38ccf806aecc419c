// SPDX-License-Identifier: GPL-2.0
/*
 * odirect: O_DIRECT I/O against another device (null_blk by default)
 * with a MAP_SHARED FS-DAX mapping as the user buffer. Every I/O pins
 * the buffer's pages (pin_user_pages_fast, FOLL_PIN) and unpins them at
 * completion, so the loop measures GUP-fast pin/unpin on ZONE_DEVICE
 * pages. O_DIRECT on the DAX file itself would copy, not pin.
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
	int advice; /* madvise, or -1 for none */
	bool write;

	char path[256]; /* the buffer file on the DAX fs */
	int buf_fd;
	void *res; /* address space reserved for placement */
	size_t res_len;
	char *map; /* the DAX mapping, inside res */
	int dev_fd;
	uint64_t span; /* device bytes used, a multiple of bs */
};

static int parse(const struct wl_ctx *ctx, struct odirect *od, char *msg, size_t len)
{
	const struct wl_spec *w = ctx->spec;
	const char *mapping = param_str(w, "mapping", "pte");
	const char *rw = param_str(w, "rw", "read");
	int64_t buf_kib, bs_kib;

	od->target = param_str(w, "target", "/dev/nullb0");
	if (param_int(w, "buf_kib", 1024, 4, 1 << 24, &buf_kib, msg, len) ||
	    param_int(w, "bs_kib", 64, 4, 1 << 20, &bs_kib, msg, len) ||
	    param_int(w, "iters", 1000, 1, INT64_MAX, &od->iters, msg, len))
		return -1;
	if (bs_kib % 4 || buf_kib % bs_kib) {
		snprintf(msg, len,
			 "bad buf_kib/bs_kib %lld/%lld: need bs a "
			 "multiple of 4 and buf a multiple of bs",
			 (long long)buf_kib, (long long)bs_kib);
		return -1;
	}
	if (!od->target[0]) {
		snprintf(msg, len, "param target must be a non-empty string");
		return -1;
	}
	od->buf = (size_t)buf_kib << 10;
	od->bs = (size_t)bs_kib << 10;
	if (!strcmp(mapping, "pte")) {
		od->advice = MADV_NOHUGEPAGE;
	} else if (!strcmp(mapping, "pmd")) {
		od->advice = MADV_HUGEPAGE;
	} else if (!strcmp(mapping, "default")) {
		od->advice = -1;
	} else {
		snprintf(msg, len, "bad mapping \"%s\" (pte|pmd|default)", mapping);
		return -1;
	}
	if (strcmp(rw, "read") && strcmp(rw, "write")) {
		snprintf(msg, len, "bad rw \"%s\" (read|write)", rw);
		return -1;
	}
	od->write = !strcmp(rw, "write");
	return 0;
}

/* File name from the workload name, kept to one path component. */
static void buf_path(const struct wl_ctx *ctx, struct odirect *od)
{
	size_t i, n;

	n = snprintf(od->path, sizeof(od->path), "%s/zdbench-", ctx->plan->mountpoint);
	for (i = 0; ctx->spec->name[i] && n < sizeof(od->path) - 5; i++) {
		char c = ctx->spec->name[i];

		od->path[n++] = c == '/' ? '_' : c;
	}
	snprintf(od->path + n, sizeof(od->path) - n, ".buf");
}

#define PMD_SZ (2UL << 20)

/*
 * Place the mapping ourselves: 2 MiB-aligned for pmd, and 4 KiB off the
 * file's 2 MiB colour for pte, which makes a DAX PMD fault impossible
 * whether or not madvise() exists (tinyconfig lacks ADVISE_SYSCALLS).
 */
static int place_mapping(struct odirect *od, char *msg, size_t len)
{
	uintptr_t base, addr;
	void *p;

	od->res_len = od->buf + 2 * PMD_SZ;
	od->res = mmap(NULL, od->res_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (od->res == MAP_FAILED) {
		od->res = NULL;
		snprintf(msg, len, "mmap reserve: %s", strerror(errno));
		return -1;
	}
	base = (uintptr_t)od->res;
	addr = (base + PMD_SZ - 1) & ~(PMD_SZ - 1);
	if (od->advice == MADV_NOHUGEPAGE)
		addr += PAGE_SZ;
	p = mmap((void *)addr, od->buf, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, od->buf_fd,
		 0);
	if (p == MAP_FAILED) {
		snprintf(msg, len, "mmap %s: %s", od->path, strerror(errno));
		return -1;
	}
	od->map = p;
	return 0;
}

static int advise(const struct wl_ctx *ctx, struct odirect *od, char *msg, size_t len)
{
	if (od->advice < 0 || !madvise(od->map, od->buf, od->advice))
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

static int map_buffer(const struct wl_ctx *ctx, struct odirect *od, char *msg, size_t len)
{
	size_t off;

	buf_path(ctx, od);
	od->buf_fd = open(od->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (od->buf_fd < 0) {
		snprintf(msg, len, "open %s: %s", od->path, strerror(errno));
		return -1;
	}
	/* Allocated blocks, so faults map pmem and never SIGBUS. */
	if (fallocate(od->buf_fd, 0, 0, od->buf) < 0) {
		snprintf(msg, len, "fallocate %s: %s", od->path, strerror(errno));
		return -1;
	}
	if (place_mapping(od, msg, len) || advise(ctx, od, msg, len))
		return -1;
	/* Prefault for write, so the timed GUPs take the fast path. */
	for (off = 0; off < od->buf; off += PAGE_SZ)
		((volatile char *)od->map)[off] = (char)off;
	return 0;
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
		char *p = od->map + slice * od->bs;
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

static int one_rep(const struct wl_ctx *ctx, const struct odirect *od, struct counters *cs, int rep,
		   char *msg, size_t len)
{
	struct pin_stats p0, p1;
	struct sample s = {.rep = rep, .cs = cs};
	uint64_t t0, t1;
	int ret;

	if (pin_stats_read(&p0)) {
		snprintf(msg, len, "no nr_foll_pin_* in /proc/vmstat");
		return -1;
	}
	counters_start(cs);
	t0 = now_ns();
	ret = io_loop(od, msg, len);
	t1 = now_ns();
	counters_stop(cs);
	pin_stats_read(&p1);
	if (ret)
		return -1;

	s.pages = (uint64_t)od->iters * od->bs / PAGE_SZ;
	s.elapsed_ns = t1 - t0;
	s.pins.acquired = p1.acquired - p0.acquired;
	s.pins.released = p1.released - p0.released;
	sample_emit(ctx, &s);
	if (!s.pins.acquired) {
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
	/* The reservation covers the file mapping: one munmap drops both. */
	if (od->res)
		munmap(od->res, od->res_len);
	if (od->buf_fd >= 0) {
		close(od->buf_fd);
		unlink(od->path);
	}
}

static int odirect_run(const struct wl_ctx *ctx, char *msg, size_t len)
{
	struct odirect od = {.buf_fd = -1, .dev_fd = -1};
	struct counters cs;
	int rep, ret = -1;

	if (parse(ctx, &od, msg, len))
		return -1;
	if (map_buffer(ctx, &od, msg, len) || open_target(&od, msg, len))
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
	.kind = "odirect",
	.desc = "O_DIRECT I/O to a block device into a FS-DAX MAP_SHARED buffer",
	.run = odirect_run,
};
