// SPDX-License-Identifier: GPL-2.0
/*
 * futex: FUTEX_WAKE (shared, no waiters) on a word in the DAX mapping.
 * A shared futex key comes from get_futex_key(): get_user_pages_fast()
 * of the one page (a FOLL_GET reference, no pin), then folio_put(). So
 * each call is a single-page get/put on a ZONE_DEVICE page, the path the
 * speculative-only GUP variant changed. Proof of the path: the call
 * returns 0 (no waiter woken, no error) and no FOLL_PIN reference moves.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent.h"

static int one_rep(const struct wl_ctx *ctx, struct daxbuf *b, int64_t iters,
		   struct counters *cs, int rep, char *msg, size_t len)
{
	struct sample s = {.rep = rep, .cs = cs};
	struct pin_stats p0;
	uint32_t *word = (uint32_t *)b->map;
	uint64_t t0, t1;
	int64_t i;

	if (pins_begin(&p0, msg, len))
		return -1;
	counters_start(cs);
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		long r = syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);

		if (r != 0) {
			counters_stop(cs);
			snprintf(msg, len, "rep %d: FUTEX_WAKE returned %ld: %s", rep, r,
				 r < 0 ? strerror(errno) : "woke a waiter that cannot exist");
			return -1;
		}
	}
	t1 = now_ns();
	counters_stop(cs);
	s.pages = (uint64_t)iters; /* one page looked up per call */
	s.elapsed_ns = t1 - t0;
	pins_end(&p0, &s);
	sample_emit(ctx, &s);
	if (no_faults(&s, msg, len))
		return -1;
	if (s.pins.acquired) {
		snprintf(msg, len, "rep %d: %llu pins: the futex key should take a plain reference",
			 rep, (unsigned long long)s.pins.acquired);
		return -1;
	}
	return 0;
}

static int futex_run(const struct wl_ctx *ctx, char *msg, size_t len)
{
	struct daxbuf b = {.fd = -1};
	struct counters cs;
	int64_t iters;
	int rep, ret = -1;

	iters = param_uint(ctx->spec, "iters");
	daxbuf_params(ctx->spec, &b);
	b.len = b.pmd ? 2UL << 20 : PAGE_SZ;
	if (daxbuf_map(ctx, &b, msg, len))
		goto out;
	logmsg("futex %s: FUTEX_WAKE x %lld on %s (%s), %d reps", ctx->spec->name,
	       (long long)iters, b.path, daxbuf_mapping_name(&b), ctx->spec->reps);
	counters_open(&cs);
	for (rep = 0; rep < ctx->spec->reps; rep++)
		if (one_rep(ctx, &b, iters, &cs, rep, msg, len))
			break;
	counters_close(&cs);
	if (rep == ctx->spec->reps) {
		snprintf(msg, len, "%d reps", ctx->spec->reps);
		ret = 0;
	}
out:
	daxbuf_unmap(&b, true);
	return ret;
}

const struct workload_ops wl_futex_ops = {
	.run = futex_run,
};
