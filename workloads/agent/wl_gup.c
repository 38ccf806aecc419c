// SPDX-License-Identifier: GPL-2.0
/*
 * gup: the kernel's own GUP benchmark, /sys/kernel/debug/gup_test
 * (CONFIG_GUP_TEST), on a MAP_SHARED FS-DAX buffer. Each ioctl gets or
 * pins every page of the buffer in chunks of pages_per_call, then puts or
 * unpins them, and returns the two phases' times in microseconds; the
 * sample reports those kernel-measured times per page.
 *
 *   gup-fast   GUP_FAST_BENCHMARK  get_user_pages_fast (FOLL_GET) + put_page
 *   pin-fast   PIN_FAST_BENCHMARK  pin_user_pages_fast (FOLL_PIN) + unpin_user_pages
 *   gup-basic  GUP_BASIC_TEST      get_user_pages (slow path) + put_page
 *   pin-basic  PIN_BASIC_TEST      pin_user_pages (slow path) + unpin_user_pages
 *
 * gup_flags is 0 or FOLL_WRITE (1) only: the selftest's "FOLL_TOUCH"
 * (0x2) is FOLL_GET on 6.12, which the kernel rejects for PIN commands
 * with a WARN in is_valid_gup_args().
 *
 * impl = selftest runs the kernel's own tools/testing/selftests/mm/gup_test
 * (built unmodified from the same tree, beside the agent) on the same
 * preallocated file instead, as the peer the agent's numbers must agree
 * with: it maps at the kernel's chosen address (-T/-t for the mapping),
 * times the same ioctl and prints its get/put microseconds, parsed here.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <sys/ioctl.h>

#include "agent.h"
#include "kinds.h"

/* mm/gup_test.h (ABI) */
struct gup_test {
	__u64 get_delta_usec;
	__u64 put_delta_usec;
	__u64 addr;
	__u64 size;
	__u32 nr_pages_per_call;
	__u32 gup_flags;
	__u32 test_flags;
	__u32 which_pages[8];
};

#define GUP_FAST_BENCHMARK _IOWR('g', 1, struct gup_test)
#define PIN_FAST_BENCHMARK _IOWR('g', 2, struct gup_test)
#define GUP_BASIC_TEST _IOWR('g', 4, struct gup_test)
#define PIN_BASIC_TEST _IOWR('g', 5, struct gup_test)

#define GUP_TEST_PATH "/sys/kernel/debug/gup_test"
#define FOLL_WRITE_FLAG 0x1

static const struct {
	const char *name;
	unsigned long cmd;
	bool pin;
	const char *selftest; /* its option; NULL: it prints no times */
} gup_ops[] = {
	{"gup-fast", GUP_FAST_BENCHMARK, false, "-u"},
	{"pin-fast", PIN_FAST_BENCHMARK, true, "-a"},
	{"gup-basic", GUP_BASIC_TEST, false, NULL},
	{"pin-basic", PIN_BASIC_TEST, true, NULL},
};

struct gup {
	struct daxbuf b;
	unsigned long cmd;
	bool pin;
	const char *selftest_op; /* impl = selftest: its command option */
	int64_t per_call, iters, write, threads;
	int fd;
};

static int parse(const struct wl_ctx *ctx, struct gup *g, char *msg, size_t len)
{
	const struct wl_spec *w = ctx->spec;
	const char *op = param_str(w, "op");
	int64_t buf_kib = param_uint(w, "buf_kib");
	size_t i;

	/* values, the buffer rule and the peer's rule: kinds.c, checked before */
	g->per_call = param_uint(w, "pages_per_call");
	g->iters = param_uint(w, "iters");
	g->write = param_uint(w, "write");
	g->threads = param_uint(w, "threads");
	daxbuf_params(w, &g->b);
	for (i = 0; i < ARRAY_SIZE(gup_ops); i++)
		if (!strcmp(op, gup_ops[i].name))
			break;
	if (i == ARRAY_SIZE(gup_ops)) {
		snprintf(msg, len, "bad op \"%s\" (gup-fast|pin-fast|gup-basic|pin-basic)", op);
		return -1;
	}
	g->cmd = gup_ops[i].cmd;
	g->pin = gup_ops[i].pin;
	if (!strcmp(param_str(w, "impl"), "selftest"))
		g->selftest_op = gup_ops[i].selftest;
	g->b.len = (size_t)buf_kib << 10;
	return 0;
}

/* One thread's ioctls; threads share the buffer, as the selftest's -j. */
struct gup_thread {
	const struct gup *g;
	pthread_t tid;
	uint64_t get_us, put_us;
	char why[128];
};

static void *gup_loop(void *arg)
{
	struct gup_thread *t = arg;
	const struct gup *g = t->g;

	for (int64_t i = 0; i < g->iters && !t->why[0]; i++) {
		struct gup_test gt = {
			.addr = (uintptr_t)g->b.map,
			.size = g->b.len,
			.nr_pages_per_call = (__u32)g->per_call,
			.gup_flags = g->write ? FOLL_WRITE_FLAG : 0,
		};

		if (ioctl(g->fd, g->cmd, &gt))
			snprintf(t->why, sizeof(t->why), "gup_test ioctl: %s", strerror(errno));
		else if (gt.size != g->b.len)
			snprintf(t->why, sizeof(t->why), "gup_test got %llu of %zu bytes",
				 (unsigned long long)gt.size, g->b.len);
		t->get_us += gt.get_delta_usec;
		t->put_us += gt.put_delta_usec;
	}
	return NULL;
}

/* Thread 0 is the agent's own (its perf counters follow it); the rest join. */
static int run_threads(const struct gup *g, uint64_t *get_us, uint64_t *put_us, char *why,
		       size_t len)
{
	struct gup_thread t[64];
	int64_t i, n = g->threads;

	memset(t, 0, sizeof(t));
	for (i = 0; i < n; i++)
		t[i].g = g;
	for (i = 1; i < n; i++)
		if (pthread_create(&t[i].tid, NULL, gup_loop, &t[i])) {
			snprintf(t[i].why, sizeof(t[i].why), "pthread_create failed");
			n = i;
			break;
		}
	gup_loop(&t[0]);
	*get_us = *put_us = 0;
	why[0] = '\0';
	for (i = 0; i < g->threads; i++) {
		if (i && i < n)
			pthread_join(t[i].tid, NULL);
		*get_us += t[i].get_us;
		*put_us += t[i].put_us;
		if (t[i].why[0] && !why[0])
			snprintf(why, len, "thread %lld: %s", (long long)i, t[i].why);
	}
	return why[0] ? -1 : 0;
}

static int one_rep(const struct wl_ctx *ctx, struct gup *g, struct counters *cs, int rep,
		   char *msg, size_t len)
{
	uint64_t pages = g->b.len / PAGE_SZ * (uint64_t)g->threads, get_us, put_us, t0, t1;
	struct sample s = {.rep = rep, .cs = cs};
	struct pin_stats p0;
	struct json_object *o;
	char why[160];
	int ret;

	if (pins_begin(&p0, msg, len))
		return -1;
	counters_start(cs);
	t0 = now_ns();
	ret = run_threads(g, &get_us, &put_us, why, sizeof(why));
	t1 = now_ns();
	counters_stop(cs);
	if (ret) {
		snprintf(msg, len, "rep %d: %s", rep, why);
		return -1;
	}

	s.pages = pages * (uint64_t)g->iters;
	/* The kernel's own get + put time, not the ioctl round trips. */
	s.elapsed_ns = (get_us + put_us) * 1000;
	pins_end(&p0, &s);
	o = sample_json(ctx, &s);
	jadd_str(o, "op", param_str(ctx->spec, "op"));
	jadd_str(o, "mapping", daxbuf_mapping_name(&g->b));
	jadd_int(o, "get_usec", (int64_t)get_us);
	jadd_int(o, "put_usec", (int64_t)put_us);
	jadd_double(o, "get_ns_per_page", (double)get_us * 1000 / s.pages);
	jadd_double(o, "put_ns_per_page", (double)put_us * 1000 / s.pages);
	jadd_int(o, "wall_ns", (int64_t)(t1 - t0));
	jadd_int(o, "threads", g->threads);
	emit(o);
	/* the fast benchmarks claim GUP-fast: a fault means the slow path ran */
	if ((g->cmd == GUP_FAST_BENCHMARK || g->cmd == PIN_FAST_BENCHMARK) &&
	    no_faults(&s, msg, len))
		return -1;
	if (g->pin && (s.pins.acquired != s.pages || s.pins.released != s.pages)) {
		snprintf(msg, len, "rep %d: expected %llu pins, acquired %llu, released %llu", rep,
			 (unsigned long long)s.pages, (unsigned long long)s.pins.acquired,
			 (unsigned long long)s.pins.released);
		return -1;
	}
	return 0;
}

/* The selftest beside the agent binary (/zdbench in the guest). */
static void selftest_path(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 16);
	char *slash;

	buf[n > 0 ? n : 0] = '\0';
	slash = strrchr(buf, '/');
	snprintf(slash ? slash + 1 : buf, 16, "gup_test");
}

/* Its lines: "# PIN_FAST_BENCHMARK: Time: get:123 put:45 us" */
static int parse_selftest(const char *out, uint64_t *get_us, uint64_t *put_us, int64_t *n)
{
	const char *p = out;

	*get_us = *put_us = 0;
	*n = 0;
	while (p && (p = strstr(p, "Time: get:"))) {
		unsigned long long g, u;

		if (sscanf(p, "Time: get:%llu put:%llu us", &g, &u) != 2)
			return -1;
		*get_us += g;
		*put_us += u;
		(*n)++;
		p = strchr(p, '\n');
		if (p && !strncmp(p + 1, ", truncated", 11))
			return -1;
	}
	return out && strstr(out, "truncated") ? -1 : 0;
}

static int selftest_rep(const struct wl_ctx *ctx, struct gup *g, int rep, char *msg, size_t len)
{
	char bin[256], mib[16], iters[24], per[24], thr[24];
	char *argv[18] = {bin, (char *)g->selftest_op, "-m", mib, "-r", iters, "-n", per,
			  "-j", thr, g->b.pmd ? "-t" : "-T", g->write ? "-w" : "-W", "-f",
			  g->b.anon ? "/dev/zero" : g->b.path, g->b.anon ? NULL : "-S", NULL};
	struct sample s = {.rep = rep};
	struct pin_stats p0;
	struct cmd_result r;
	uint64_t get_us, put_us;
	struct json_object *o;
	int64_t lines = 0;
	int ret = -1;

	selftest_path(bin, sizeof(bin));
	snprintf(mib, sizeof(mib), "%zu", g->b.len >> 20);
	snprintf(iters, sizeof(iters), "%lld", (long long)g->iters);
	snprintf(per, sizeof(per), "%lld", (long long)g->per_call);
	snprintf(thr, sizeof(thr), "%lld", (long long)g->threads);
	if (pins_begin(&p0, msg, len))
		return -1;
	if (run_cmd(argv, ctx->plan->step_timeout, true, &r) ||
	    parse_selftest(r.out, &get_us, &put_us, &lines) || lines != g->iters * g->threads) {
		snprintf(msg, len, "rep %d: %s: %s, %lld of %lld timings", rep, bin,
			 r.msg[0] ? r.msg : "output not understood", (long long)lines,
			 (long long)(g->iters * g->threads));
		goto out;
	}
	s.pages = g->b.len / PAGE_SZ * (uint64_t)(g->iters * g->threads);
	s.elapsed_ns = (get_us + put_us) * 1000;
	pins_end(&p0, &s);
	o = sample_json(ctx, &s);
	jadd_str(o, "impl", "selftest");
	jadd_double(o, "get_ns_per_page", (double)get_us * 1000 / s.pages);
	jadd_double(o, "put_ns_per_page", (double)put_us * 1000 / s.pages);
	emit(o);
	if (g->pin && s.pins.acquired < s.pages) {
		snprintf(msg, len, "rep %d: expected %llu pins, acquired %llu", rep,
			 (unsigned long long)s.pages, (unsigned long long)s.pins.acquired);
		goto out;
	}
	ret = 0;
out:
	cmd_result_free(&r);
	return ret;
}

static int gup_run(const struct wl_ctx *ctx, char *msg, size_t len)
{
	struct gup g = {.fd = -1};
	struct counters cs;
	int rep, ret = -1;

	g.b.fd = -1;
	if (parse(ctx, &g, msg, len))
		return -1;
	g.fd = open(GUP_TEST_PATH, O_RDWR | O_CLOEXEC);
	if (g.fd < 0) {
		snprintf(msg, len, "open %s: %s (CONFIG_GUP_TEST?)", GUP_TEST_PATH,
			 strerror(errno));
		return -1;
	}
	if (daxbuf_map(ctx, &g.b, msg, len))
		goto out;
	logmsg("gup %s: %s, %s mapping, %zu KiB, %lld pages/call, %lld iters, %d reps",
	       ctx->spec->name, param_str(ctx->spec, "op"), daxbuf_mapping_name(&g.b),
	       g.b.len >> 10, (long long)g.per_call, (long long)g.iters, ctx->spec->reps);
	if (g.selftest_op) /* the peer maps the file itself */
		daxbuf_unmap(&g.b, false);
	counters_open(&cs);
	for (rep = 0; rep < ctx->spec->reps; rep++)
		if (g.selftest_op ? selftest_rep(ctx, &g, rep, msg, len) :
				    one_rep(ctx, &g, &cs, rep, msg, len))
			break;
	counters_close(&cs);
	if (rep < ctx->spec->reps)
		goto out;
	snprintf(msg, len, "%d reps", ctx->spec->reps);
	ret = 0;
out:
	daxbuf_unmap(&g.b, true);
	if (g.selftest_op && !g.b.anon && !g.b.devdax) /* unmapped early, fd gone */
		unlink(g.b.path);
	close(g.fd);
	return ret;
}

const struct workload_ops wl_gup_ops = {
	.run = gup_run,
};
