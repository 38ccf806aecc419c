// SPDX-License-Identifier: GPL-2.0
/*
 * fio: one job file (from the plan) per repetition, its buffers on DAX
 * pages through mem=mmapshared:${ZD_BUF}. fio does not size that file
 * itself, so the agent preallocates it on the DAX fs (for devdax ZD_BUF is
 * the device). The JSON report (--output-format=json) gives bytes, I/Os
 * and latencies; /proc/vmstat gives the proof of the path taken:
 *   expect = dio      (the default) what this kernel's O_DIRECT takes: pins
 *                     since v6.4, gets before (plan kernel.dio_refs, read by
 *                     harness/kfacts.c from the kernel's block/bio.c);
 *   expect = pins     FOLL_PIN references must have moved (O_DIRECT);
 *   expect = gets     none may have (the splice engine's vmsplice takes
 *                     FOLL_GET references, which no counter shows);
 *   expect = refused  the job must fail (io_uring fixedbufs: fsdax refuses
 *                     long-term pins), reported as the expected outcome.
 * Pins alone do not show that the pinned pages were DAX pages (mem=mmap
 * pins private RAM just as well), so on fsdax the buffer file must also
 * have been written through: its preallocated (unwritten) extents are
 * converted only by a write fault on the DAX mapping, which FIEMAP shows.
 * A devdax device has no extents: for expect = gets (where no counter
 * shows the references either) the agent fills the buffer's span of the
 * device with a marker before the job and requires fio's write buffers to
 * have overwritten it after, through the devdax mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "agent.h"

struct fio {
	const char *job_text, *target, *expect;
	size_t buf;
	char job[256];	  /* the job file, in /tmp */
	char bufpath[256]; /* ${ZD_BUF} */
};

static int parse(const struct wl_ctx *ctx, struct fio *f, char *msg, size_t len)
{
	const struct wl_spec *w = ctx->spec;

	/* the job travels as text in the plan, beside the row's parameters */
	f->job_text = param_str(w, "job_text");
	f->target = param_str(w, "target");
	f->expect = param_str(w, "expect");
	/* dio: the kernel's block layer decides (plan kernel.dio_refs: pins, gets, unknown) */
	if (!strcmp(f->expect, "dio"))
		f->expect = ctx->plan->dio_refs;
	f->buf = (size_t)param_uint(w, "buf_kib") << 10;
	if (!f->job_text[0]) {
		snprintf(msg, len, "no job_text in the plan");
		return -1;
	}
	return 0;
}

static int write_all(const char *path, const char *s, char *msg, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(s);

	if (fd < 0 || write(fd, s, n) != (ssize_t)n) {
		snprintf(msg, len, "write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

#define DEVDAX_MARK 0xa5

/*
 * The buffer's span of a devdax device, mapped shared: f->buf rounded up
 * to the device's alignment (a devdax mapping must be, drivers/dax/device.c
 * dax_mmap/check_vma). NULL with errno on failure; *maplen is what to unmap.
 */
static unsigned char *devdax_span(const struct fio *f, size_t *maplen)
{
	const char *name = strrchr(f->bufpath, '/');
	char path[sizeof(f->bufpath) + 64];
	uint64_t align = 4096;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/align", name ? name + 1 : f->bufpath);
	if (read_u64_file(path, &align) || !align)
		align = 4096;
	*maplen = (f->buf + align - 1) / align * align;
	fd = open(f->bufpath, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Fill the span with the marker: fio's write buffers must overwrite it. */
static int devdax_mark(const struct fio *f, char *msg, size_t len)
{
	size_t n;
	unsigned char *p = devdax_span(f, &n);

	if (!p) {
		snprintf(msg, len, "mark the buffer on %s: %s", f->bufpath, strerror(errno));
		return -1;
	}
	memset(p, DEVDAX_MARK, n);
	munmap(p, n);
	return 0;
}

/* Bytes of the span fio changed (> 0: its buffers were these pages), -1 on error. */
static int64_t devdax_written(const struct fio *f)
{
	size_t n;
	unsigned char *p = devdax_span(f, &n);
	int64_t changed = 0;

	if (!p)
		return -1;
	for (size_t i = 0; i < n; i++)
		changed += p[i] != DEVDAX_MARK;
	munmap(p, n);
	return changed;
}

/* fio maps ${ZD_BUF} as it is: it must already have the blocks. */
static int prepare_buf(const struct wl_ctx *ctx, struct fio *f, char *msg, size_t len)
{
	int fd;

	if (ctx->pm->devdax) {
		snprintf(f->bufpath, sizeof(f->bufpath), "%s", ctx->pm->devpath);
		/* gets leave no counter behind: the marker is the proof */
		return strcmp(f->expect, "gets") ? 0 : devdax_mark(f, msg, len);
	}
	snprintf(f->bufpath, sizeof(f->bufpath), "%s/zdbench-fio.buf", ctx->plan->mountpoint);
	fd = open(f->bufpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fallocate(fd, 0, 0, f->buf) < 0) {
		snprintf(msg, len, "preallocate %s: %s", f->bufpath, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v ? json_object_get_int64(v) : 0;
}

/* fio may print warnings before its JSON: parse from the first '{'. */
static struct json_object *fio_job(const char *out, struct json_object **root)
{
	const char *p = out ? strchr(out, '{') : NULL;
	struct json_object *jobs;

	*root = p ? json_tokener_parse(p) : NULL;
	jobs = jget(*root, "jobs");
	if (!jobs || !json_object_is_type(jobs, json_type_array) || !json_object_array_length(jobs))
		return NULL;
	return json_object_array_get_idx(jobs, 0);
}

/* Bytes, I/Os and time inside I/O (mean latency x I/Os) of one direction. */
static void add_dir(struct json_object *job, const char *dir, uint64_t *bytes, uint64_t *ios,
		    double *ns)
{
	struct json_object *d = jget(job, dir), *lat = jget(d, "lat_ns"), *mean = jget(lat, "mean");
	uint64_t n = (uint64_t)jint(d, "total_ios");

	*bytes += (uint64_t)jint(d, "io_bytes");
	*ios += n;
	if (mean)
		*ns += json_object_get_double(mean) * (double)n;
}

/*
 * A completion-latency percentile (pct as fio spells it, "99.000000") of
 * the busier direction; -1 when fio did not report it.
 */
static double clat_pct(struct json_object *job, const char *pct)
{
	const char *dir = jint(jget(job, "read"), "total_ios") >=
			  jint(jget(job, "write"), "total_ios") ? "read" : "write";
	struct json_object *v = jget(jget(jget(jget(job, dir), "clat_ns"), "percentile"), pct);

	return v ? json_object_get_double(v) : -1;
}

/* Bytes of the file in written (not preallocated-unwritten) extents. */
static int64_t written_bytes(const char *path)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[64];
	} x;
	int64_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	memset(&x, 0, sizeof(x));
	x.fm.fm_length = FIEMAP_MAX_OFFSET;
	x.fm.fm_flags = FIEMAP_FLAG_SYNC;
	x.fm.fm_extent_count = 64;
	if (ioctl(fd, FS_IOC_FIEMAP, &x.fm) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	for (unsigned int i = 0; i < x.fm.fm_mapped_extents; i++)
		if (!(x.ext[i].fe_flags & FIEMAP_EXTENT_UNWRITTEN))
			total += (int64_t)x.ext[i].fe_length;
	return total;
}

static int check_proof(const struct wl_ctx *ctx, const struct fio *f, const struct sample *s,
		       int rep, char *msg, size_t len)
{
	/* devdax: only gets need the marker; pins show themselves in vmstat */
	bool marked = ctx->pm->devdax && !strcmp(f->expect, "gets");
	int64_t w = !ctx->pm->devdax ? written_bytes(f->bufpath) : marked ? devdax_written(f) : 1;

	if (w < 0)
		emit_warning("rep %d: %s %s: %s: cannot show the buffer was DAX", rep,
			     marked ? "map" : "FIEMAP", f->bufpath, strerror(errno));
	if (w == 0) {
		snprintf(msg, len,
			 "rep %d: fio never wrote through %s: its buffers were not these DAX "
			 "pages (the job needs mem=mmapshared:${ZD_BUF}; mem=mmap is private RAM)",
			 rep, f->bufpath);
		return -1;
	}
	if (!strcmp(f->expect, "pins") && !s->pins.acquired) {
		snprintf(msg, len,
			 "rep %d: nr_foll_pin_acquired did not move: fio did not pin DAX pages "
			 "(is the job's buffer mem=mmapshared:${ZD_BUF}? mem=mmap is private "
			 "memory, never pmem)",
			 rep);
		return -1;
	}
	if (!strcmp(f->expect, "pins") && s->pins.acquired != s->pins.released) {
		snprintf(msg, len, "rep %d: pins not balanced: acquired %llu, released %llu", rep,
			 (unsigned long long)s->pins.acquired,
			 (unsigned long long)s->pins.released);
		return -1;
	}
	if (!strcmp(f->expect, "gets") && s->pins.acquired) {
		snprintf(msg, len, "rep %d: %llu pins where only FOLL_GET references were expected",
			 rep, (unsigned long long)s->pins.acquired);
		return -1;
	}
	return 0;
}

/* 1: refused as expected (msg says how); 0: ran; -1: failed (msg). */
static int one_rep(const struct wl_ctx *ctx, struct fio *f, int rep, char *msg, size_t len)
{
	char *argv[] = {"fio", "--output-format=json", f->job, NULL};
	struct json_object *root = NULL, *job, *o;
	struct sample s = {.rep = rep};
	struct pin_stats p0;
	struct cmd_result r;
	uint64_t bytes = 0, ios = 0;
	double ns = 0;
	int ran, ret = -1;

	if (pins_begin(&p0, msg, len))
		return -1;
	ran = run_cmd(argv, ctx->plan->step_timeout, true, &r) == 0;
	pins_end(&p0, &s);
	job = fio_job(r.out, &root);
	if (r.timed_out) {
		snprintf(msg, len, "rep %d: fio: %s", rep, r.msg);
		goto out;
	}
	if (!strcmp(f->expect, "refused")) {
		if (ran && job && !jint(job, "error")) {
			snprintf(msg, len, "rep %d: fio ran, but fsdax should have refused the job's "
				 "long-term pin", rep);
			goto out;
		}
		snprintf(msg, len, "refused as expected: fio error %lld (%s), %llu pins taken",
			 (long long)jint(job, "error"), strerror((int)jint(job, "error")),
			 (unsigned long long)s.pins.acquired);
		ret = 1;
		goto out;
	}
	if (!ran || !job || jint(job, "error")) {
		snprintf(msg, len, "rep %d: fio %s, job error %lld%s", rep, r.msg,
			 (long long)jint(job, "error"), job ? "" : " (no JSON report)");
		goto out;
	}
	add_dir(job, "read", &bytes, &ios, &ns);
	add_dir(job, "write", &bytes, &ios, &ns);
	s.pages = bytes / PAGE_SZ;
	s.elapsed_ns = (uint64_t)ns;
	o = sample_json(ctx, &s);
	jadd_int(o, "ios", (int64_t)ios);
	jadd_int(o, "bytes", (int64_t)bytes);
	jadd_int(o, "fio_runtime_ms", jint(job, "job_runtime"));
	if (clat_pct(job, "50.000000") >= 0) /* the host's metric table reads these */
		jadd_double(o, "lat_p50_ns", clat_pct(job, "50.000000"));
	if (clat_pct(job, "99.000000") >= 0)
		jadd_double(o, "lat_p99_ns", clat_pct(job, "99.000000"));
	jadd_str(o, "expect", f->expect);
	emit(o);
	ret = check_proof(ctx, f, &s, rep, msg, len);
out:
	json_object_put(root);
	cmd_result_free(&r);
	return ret;
}

static int fio_run(const struct wl_ctx *ctx, char *msg, size_t len)
{
	struct fio f = {0};
	int rep, ret = 0;

	if (parse(ctx, &f, msg, len))
		return -1;
	snprintf(f.job, sizeof(f.job), "/tmp/zdbench-%s.fio", ctx->spec->name);
	if (write_all(f.job, f.job_text, msg, len))
		return -1;
	/* fio expands ${VAR} in job files from its environment */
	setenv("ZD_TARGET", f.target, 1);
	logmsg("fio %s: expect %s, buffer %zu KiB, %d reps", ctx->spec->name, f.expect, f.buf >> 10,
	       ctx->spec->reps);
	for (rep = 0; rep < ctx->spec->reps && ret == 0; rep++) {
		/* per rep: fio keeps an existing file, but start each from the same state */
		ret = prepare_buf(ctx, &f, msg, len);
		setenv("ZD_BUF", f.bufpath, 1);
		if (!ret)
			ret = one_rep(ctx, &f, rep, msg, len);
	}
	if (!ctx->pm->devdax && f.bufpath[0])
		unlink(f.bufpath);
	unlink(f.job);
	if (ret < 0)
		return -1;
	if (ret == 0)
		snprintf(msg, len, "%d reps", ctx->spec->reps);
	return 0;
}

const struct workload_ops wl_fio_ops = {
	.run = fio_run,
};
