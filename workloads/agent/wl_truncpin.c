// SPDX-License-Identifier: GPL-2.0
/*
 * truncpin: truncate a DAX file while its pages are pinned (FOLL_PIN), and
 * record what truncate did: returned while the pin was still held, waited
 * for the pin to go, or had not returned wait_ms after the release.
 *
 * The pin. It must be a FOLL_PIN reference that outlives the syscall that
 * took it, on an FS-DAX page, without FOLL_LONGTERM: 6.12 refuses
 * FOLL_LONGTERM on FS-DAX mappings (check_vma_flags(): vma_is_fsdax() ->
 * -EOPNOTSUPP), so io_uring's registered buffers (IORING_REGISTER_BUFFERS
 * pins FOLL_WRITE|FOLL_LONGTERM) and gup_test's PIN_LONGTERM_TEST_START
 * both fail with EOPNOTSUPP before any pin exists, and a vmsplice into a
 * pipe holds FOLL_GET references, not pins. What holds a plain FOLL_PIN
 * is an O_DIRECT read in flight: the block layer pins the user pages
 * (iov_iter_extract_pages -> pin_user_pages_fast) at submission and unpins
 * them at completion. So a reader thread does one O_DIRECT read of the
 * whole mapped file from a null_blk device made for the workload through
 * configfs with irqmode=2 (timer) and completion_nsec = hold_ms: the pages
 * stay pinned for hold_ms. The agent waits until nr_foll_pin_acquired has
 * moved by the file's pages, then a child process ftruncate()s the file to
 * 0 (a child so that a truncate that never returns can be killed: ext4's
 * wait in ext4_break_layouts() is interruptible).
 *
 * What 6.12 does (zone-device-refcount.md A.8): ext4_break_layouts() ->
 * dax_layout_busy_page() finds the pinned page's refcount above 1 and
 * sleeps until the final unpin wakes it (wake_up_var on _refcount), so
 * truncate is expected to wait for the release; a kernel that frees the
 * blocks under the pin instead returns early and may warn (the console
 * classifier judges a WARNING; the sample records the taint).
 *
 * unmap = yes munmaps the file between the pin and truncate: the pages
 * stay pinned (the block layer holds them) but nothing maps the file, and
 * 6.12's dax_layout_busy_page_range() returns at once for a file with no
 * mapping (!mapping_mapped()): truncate frees the blocks under the pin and
 * dax_disassociate_entry() WARNs on the page's count above 1.
 *
 * After truncate the file is grown back and read through the file (not
 * the mapping): every byte must read 0, the pattern the mapping wrote
 * before the pin must not come back (readback_stale_pages).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "agent.h"

#define CONFIGFS "/sys/kernel/config"
#define NULLB_DIR CONFIGFS "/nullb"
#define SLOW_NAME "zdbench-slow"
#define TAINT_WARN (1ULL << 9) /* TAINT_WARN: 'W' */
#define PATTERN 0x5a

struct truncpin {
	struct daxbuf b;
	int64_t hold_ms, wait_ms;
	bool unmap; /* munmap once pinned: truncate meets pages nothing maps */
	char slow_cfg[96]; /* configfs directory of the slow null_blk, "" if none */
	char slow_dev[32]; /* /dev/zdbench-slow */
	int dev_fd;
};

/* What the reader thread saw of its read. */
struct reader {
	const struct truncpin *tp;
	pthread_t tid;
	uint64_t t_submit, t_done; /* pread called, pread returned: pages unpinned */
	ssize_t ret;
	int err;
};

/* What the truncating child saw, shared with it. */
struct trunc_state {
	uint64_t t_start, t_end;
	int ret, err;
};

static int cfg_write(const char *dir, const char *attr, const char *val, char *msg, size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	if (!write_file(path, val))
		return 0;
	snprintf(msg, len, "write %s = %s: %s", path, val, strerror(errno));
	return -1;
}

/*
 * The slow device: a null_blk made through configfs (CONFIG_BLK_DEV_NULL_BLK
 * selects CONFIGFS_FS), not memory-backed (reads leave the pages as they
 * are), completing each request hold_ms after submission by an hrtimer.
 */
static int slow_dev_create(const struct wl_ctx *ctx, struct truncpin *tp, char *msg, size_t len)
{
	char val[32];
	struct stat st;

	if (stat(NULLB_DIR, &st) && !ctx->plan->host)
		mount("configfs", CONFIGFS, "configfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (stat(NULLB_DIR, &st)) {
		snprintf(msg, len,
			 "%s: %s (null_blk's configfs: CONFIG_BLK_DEV_NULL_BLK, configfs "
			 "mounted on %s)",
			 NULLB_DIR, strerror(errno), CONFIGFS);
		return -1;
	}
	snprintf(tp->slow_cfg, sizeof(tp->slow_cfg), "%s/%s", NULLB_DIR, SLOW_NAME);
	if (mkdir(tp->slow_cfg, 0755)) {
		snprintf(msg, len, "mkdir %s: %s", tp->slow_cfg, strerror(errno));
		tp->slow_cfg[0] = '\0';
		return -1;
	}
	snprintf(val, sizeof(val), "%llu", (unsigned long long)tp->hold_ms * 1000000ULL);
	if (cfg_write(tp->slow_cfg, "size", "64", msg, len) ||
	    cfg_write(tp->slow_cfg, "irqmode", "2", msg, len) ||
	    cfg_write(tp->slow_cfg, "completion_nsec", val, msg, len) ||
	    cfg_write(tp->slow_cfg, "memory_backed", "0", msg, len) ||
	    cfg_write(tp->slow_cfg, "power", "1", msg, len))
		return -1;
	/* 6.12 names a configfs null_blk's disk after its directory, not nullbN */
	snprintf(tp->slow_dev, sizeof(tp->slow_dev), "/dev/%s", SLOW_NAME);
	for (int i = 0; i < 200; i++) {
		tp->dev_fd = open(tp->slow_dev, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (tp->dev_fd >= 0 || errno != ENOENT)
			break;
		usleep(10000);
	}
	if (tp->dev_fd < 0) {
		snprintf(msg, len, "open %s O_DIRECT: %s", tp->slow_dev, strerror(errno));
		return -1;
	}
	return 0;
}

static void slow_dev_remove(struct truncpin *tp)
{
	char ignore[160];

	if (tp->dev_fd >= 0)
		close(tp->dev_fd);
	tp->dev_fd = -1;
	if (!tp->slow_cfg[0])
		return;
	cfg_write(tp->slow_cfg, "power", "0", ignore, sizeof(ignore));
	if (rmdir(tp->slow_cfg))
		emit_warning("rmdir %s: %s", tp->slow_cfg, strerror(errno));
	tp->slow_cfg[0] = '\0';
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	r->t_submit = now_ns();
	r->ret = pread(r->tp->dev_fd, r->tp->b.map, r->tp->b.len, 0);
	r->err = r->ret < 0 ? errno : 0;
	r->t_done = now_ns();
	return NULL;
}

/* Until the read's pages are pinned: nr_foll_pin_acquired moved by all of them. */
static int wait_pinned(const struct truncpin *tp, const struct pin_stats *p0, uint64_t *pinned)
{
	uint64_t pages = tp->b.len / PAGE_SZ, end = now_ns() + (uint64_t)tp->hold_ms * 500000;
	struct pin_stats p;

	do {
		if (pin_stats_read(&p))
			return -1;
		*pinned = p.acquired - p0->acquired;
		if (*pinned >= pages)
			return 0;
		usleep(1000);
	} while (now_ns() < end);
	return -1;
}

/* Wait for the child until the deadline; kill it past that. true: it exited. */
static bool wait_child(pid_t pid, uint64_t deadline, int *status)
{
	while (now_ns() < deadline) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	/* the interruptible wait ends at SIGKILL; an uninterruptible one leaves it */
	for (int i = 0; i < 1000 && waitpid(pid, status, WNOHANG) != pid; i++)
		usleep(1000);
	return false;
}

/*
 * Read the file through the file (not the mapping): its pages with a
 * non-zero byte, or -1 with msg. Before the pin all must have the pattern
 * (else the check after truncate could not see it come back); after
 * truncate and growing the file back, none may.
 */
static int64_t nonzero_pages(const struct truncpin *tp, char *msg, size_t len)
{
	char *buf = malloc(PAGE_SZ);
	int64_t n = 0;

	if (!buf) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	for (size_t off = 0; off < tp->b.len; off += PAGE_SZ) {
		if (pread(tp->b.fd, buf, PAGE_SZ, (off_t)off) != (ssize_t)PAGE_SZ) {
			snprintf(msg, len, "read %s at %zu: %s", tp->b.path, off, strerror(errno));
			free(buf);
			return -1;
		}
		for (size_t i = 0; i < PAGE_SZ; i++)
			if (buf[i]) {
				n++;
				break;
			}
	}
	free(buf);
	return n;
}

static int64_t readback_stale(const struct truncpin *tp, char *msg, size_t len)
{
	if (ftruncate(tp->b.fd, (off_t)tp->b.len)) {
		snprintf(msg, len, "grow %s back: %s", tp->b.path, strerror(errno));
		return -1;
	}
	return nonzero_pages(tp, msg, len);
}

static const char *outcome_name(bool exited, uint64_t t_end, const struct reader *r)
{
	if (!exited)
		return "timeout";
	/*
	 * Returned while the read still held the pages: well before the
	 * read's completion (which unpins, then pread returns); a truncate
	 * woken by the unpin ends within scheduling noise of pread's return.
	 */
	return t_end + (r->t_done - r->t_submit) / 4 < r->t_done ? "returned" : "waited";
}

static int one_rep(const struct wl_ctx *ctx, struct truncpin *tp, int rep, char *msg, size_t len)
{
	struct reader r = {.tp = tp};
	struct trunc_state *ts;
	struct sample s = {.rep = rep};
	struct pin_stats p0;
	struct json_object *o;
	uint64_t pinned = 0, taint0;
	int64_t stale = -1;
	const char *outcome;
	bool exited;
	int status = 0, ret = -1;
	pid_t pid;

	if (daxbuf_map(ctx, &tp->b, msg, len))
		return -1;
	/* what must not come back after truncate (the prefault writes zeros) */
	memset(tp->b.map, PATTERN, tp->b.len);
	stale = nonzero_pages(tp, msg, len);
	if (stale != (int64_t)(tp->b.len / PAGE_SZ)) {
		if (stale >= 0)
			snprintf(msg, len,
				 "rep %d: the pattern written through the mapping reads "
				 "back on %lld of %zu pages through the file",
				 rep, (long long)stale, tp->b.len / PAGE_SZ);
		goto out_buf;
	}
	stale = -1;
	ts = mmap(NULL, sizeof(*ts), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ts == MAP_FAILED) {
		snprintf(msg, len, "mmap: %s", strerror(errno));
		goto out_buf;
	}
	memset(ts, 0, sizeof(*ts));
	if (pins_begin(&p0, msg, len))
		goto out_ts;
	taint0 = read_taint();
	if (pthread_create(&r.tid, NULL, reader_main, &r)) {
		snprintf(msg, len, "pthread_create failed");
		goto out_ts;
	}
	if (wait_pinned(tp, &p0, &pinned)) {
		pthread_join(r.tid, NULL);
		snprintf(msg, len,
			 "rep %d: the O_DIRECT read from %s pinned %llu of %zu pages "
			 "within hold_ms/2 (read returned %zd: %s)",
			 rep, tp->slow_dev, (unsigned long long)pinned, tp->b.len / PAGE_SZ, r.ret,
			 strerror(r.err));
		goto out_ts;
	}
	/*
	 * unmap = yes: the pin outlives the mapping (the block layer holds
	 * the pages, not the address space). 6.12 then takes the file for
	 * idle (mapping_mapped() is false) and truncates under the pin.
	 */
	if (tp->unmap)
		daxbuf_unmap_window(&tp->b);
	pid = fork();
	if (pid == 0) {
		ts->t_start = now_ns();
		ts->ret = ftruncate(tp->b.fd, 0);
		ts->err = ts->ret ? errno : 0;
		ts->t_end = now_ns();
		_exit(0);
	}
	pthread_join(r.tid, NULL);
	if (pid < 0) {
		snprintf(msg, len, "fork: %s", strerror(errno));
		goto out_ts;
	}
	exited = wait_child(pid, r.t_done + (uint64_t)tp->wait_ms * 1000000ULL, &status);
	outcome = outcome_name(exited, ts->t_end, &r);
	pins_end(&p0, &s);
	if (exited && !ts->ret) {
		stale = readback_stale(tp, msg, len);
		if (stale < 0)
			goto out_ts;
	}
	s.pages = tp->b.len / PAGE_SZ;
	s.elapsed_ns = exited ? ts->t_end - ts->t_start : 0;
	o = sample_json(ctx, &s);
	jadd_str(o, "mapping", daxbuf_mapping_name(&tp->b));
	jadd_str(o, "truncate_outcome", outcome);
	jadd_int(o, "mapped_at_truncate", !tp->unmap);
	jadd_int(o, "truncate_returned", !strcmp(outcome, "returned"));
	jadd_int(o, "truncate_waited", !strcmp(outcome, "waited"));
	jadd_int(o, "truncate_timed_out", !exited);
	if (exited) {
		jadd_int(o, "truncate_ns", (int64_t)(ts->t_end - ts->t_start));
		/* < 0: truncate returned before the read had unpinned and returned */
		jadd_int(o, "truncate_end_after_release_ns", (int64_t)(ts->t_end - r.t_done));
		jadd_int(o, "truncate_errno", ts->err);
	}
	jadd_int(o, "pin_held_ns", (int64_t)(r.t_done - r.t_submit));
	jadd_int(o, "pin_left_at_truncate_ns", (int64_t)(r.t_done - ts->t_start));
	jadd_int(o, "pinned_pages", (int64_t)pinned);
	jadd_int(o, "read_bytes", (int64_t)r.ret);
	jadd_int(o, "readback_stale_pages", stale);
	jadd_int(o, "kernel_warned", !(taint0 & TAINT_WARN) && (read_taint() & TAINT_WARN));
	emit(o);
	if (!strcmp(outcome, "returned"))
		emit_warning("workload %s rep %d: truncate returned while %llu pages were still "
			     "pinned for DMA",
			     ctx->spec->name, rep, (unsigned long long)pinned);
	logmsg("truncpin %s rep %d: truncate %s after %.1f ms; the pin was held %.1f ms",
	       ctx->spec->name, rep, outcome,
	       exited ? (double)(ts->t_end - ts->t_start) / 1e6 : -1.0,
	       (double)(r.t_done - r.t_submit) / 1e6);
	if (r.ret != (ssize_t)tp->b.len)
		snprintf(msg, len, "rep %d: the pinning read returned %zd: %s", rep, r.ret,
			 r.ret < 0 ? strerror(r.err) : "short read");
	else if (!exited)
		snprintf(msg, len,
			 "rep %d: truncate had not returned %lld ms after the pin was "
			 "released (killed)",
			 rep, (long long)tp->wait_ms);
	else if (ts->ret)
		snprintf(msg, len, "rep %d: ftruncate: %s", rep, strerror(ts->err));
	else if (stale)
		snprintf(msg, len, "rep %d: %lld pages of the truncated file read back non-zero",
			 rep, (long long)stale);
	else
		ret = 0;
out_ts:
	munmap(ts, sizeof(*ts));
out_buf:
	daxbuf_unmap(&tp->b, true);
	return ret;
}

static int truncpin_run(const struct wl_ctx *ctx, char *msg, size_t len)
{
	const struct wl_spec *w = ctx->spec;
	struct truncpin tp = {.b.fd = -1, .dev_fd = -1};
	int rep, ret = -1;

	/* whole pages, whole PMDs for pmd, wait_ms > hold_ms: kinds.c, checked before */
	daxbuf_params(w, &tp.b);
	tp.b.len = (size_t)param_uint(w, "buf_kib") << 10;
	tp.hold_ms = param_uint(w, "hold_ms");
	tp.wait_ms = param_uint(w, "wait_ms");
	tp.unmap = !strcmp(param_str(w, "unmap"), "yes");
	if (ctx->pm->devdax) {
		snprintf(msg, len, "truncpin needs a DAX file (fsdax), not %s", ctx->pm->devpath);
		return -1;
	}
	if (slow_dev_create(ctx, &tp, msg, len))
		goto out;
	logmsg("truncpin %s: %s mapping, %zu KiB pinned by a read from %s for %lld ms, "
	       "%s, truncate bounded at %lld ms after, %d reps",
	       w->name, daxbuf_mapping_name(&tp.b), tp.b.len >> 10, tp.slow_dev,
	       (long long)tp.hold_ms, tp.unmap ? "unmapped before truncate" : "still mapped",
	       (long long)tp.wait_ms, w->reps);
	for (rep = 0; rep < w->reps; rep++)
		if (one_rep(ctx, &tp, rep, msg, len))
			break;
	if (rep < w->reps)
		goto out;
	snprintf(msg, len, "%d reps", w->reps);
	ret = 0;
out:
	slow_dev_remove(&tp);
	return ret;
}

const struct workload_ops wl_truncpin_ops = {
	.run = truncpin_run,
};
