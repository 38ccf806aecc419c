// SPDX-License-Identifier: GPL-2.0
/*
 * The workload kinds: each row is the kind's identity, its parameters and
 * their rules, for the harness (config validation, `zdbench workloads
 * kinds`, plan typing), the agent (a plan's parameters checked before the
 * kind runs) and zdbench-micro (--help, options). One checker for all of
 * them is here; the code of each kind is in workloads/agent/wl_<kind>.c.
 */
#include "kinds.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int why_fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A value that passed its WP_UINT spec. */
static unsigned long long uint_of(wl_param_get_fn get, const void *ctx, const char *key)
{
	return strtoull(get(ctx, key), NULL, 10);
}

static int odirect_check(wl_param_get_fn get, const void *ctx, char *why, size_t len)
{
	unsigned long long buf = uint_of(get, ctx, "buf_kib"), bs = uint_of(get, ctx, "bs_kib");

	if (buf % 4 || bs % 4 || bs > buf)
		return why_fail(why, len, "bs_kib and buf_kib must be multiples of 4 and bs_kib <= buf_kib");
	/* the agent does whole I/Os over the whole buffer */
	if (buf % bs)
		return why_fail(why, len, "buf_kib must be a multiple of bs_kib");
	if (get(ctx, "target")[0] != '/')
		return why_fail(why, len, "target must be a device path in the guest");
	return 0;
}

/* gup, vmsplice: a buffer of whole pages, of whole PMDs when PMD-mapped. */
static int pmd_buf_check(wl_param_get_fn get, const void *ctx, char *why, size_t len)
{
	const char *m = wl_buf_kib_check((long long)uint_of(get, ctx, "buf_kib"),
					 !strcmp(get(ctx, "mapping"), "pmd"));

	return m ? why_fail(why, len, "%s", m) : 0;
}

/* The peer times only the fast ops, in whole MiB. */
static int gup_check(wl_param_get_fn get, const void *ctx, char *why, size_t len)
{
	const char *op = get(ctx, "op");
	bool fast = !strcmp(op, "gup-fast") || !strcmp(op, "pin-fast");

	if (pmd_buf_check(get, ctx, why, len))
		return -1;
	if (!strcmp(get(ctx, "impl"), "selftest") && (!fast || uint_of(get, ctx, "buf_kib") % 1024))
		return why_fail(why, len, "impl selftest: gup_test times only gup-fast and pin-fast, in whole MiB (buf_kib %% 1024)");
	return 0;
}

/* The job file's existence is the harness's to check: it has the project tree. */
static int fio_check(wl_param_get_fn get, const void *ctx, char *why, size_t len)
{
	const char *job = get(ctx, "job");

	if (!*job || (!strchr(job, '/') &&
		      strspn(job, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(job)))
		return why_fail(why, len,
				"job '%s': a name in workloads/fio without .fio ([a-z0-9_-]), or a path",
				job);
	if (get(ctx, "target")[0] != '/')
		return why_fail(why, len, "target must be a device path");
	return 0;
}

/*
 * mapcycle: fresh entries are file blocks (fsdax: the agent refuses
 * devdax, whose mode only the plan knows). A punched block reads as a
 * hole, which maps the zero page, not a DAX page; and ext4 stops handing
 * out 2 MiB-aligned extents after repeated punches, so PMD faults fall
 * back (window allocates once and picks aligned windows).
 */
static int mapcycle_check(wl_param_get_fn get, const void *ctx, char *why, size_t len)
{
	const char *fresh = get(ctx, "fresh");

	if (pmd_buf_check(get, ctx, why, len))
		return -1;
	if (strcmp(fresh, "no") && !strcmp(get(ctx, "memory"), "anon"))
		return why_fail(why, len, "fresh = %s makes file blocks fresh: memory = dax only",
				fresh);
	if (!strcmp(fresh, "punch") && !strcmp(get(ctx, "touch"), "read"))
		return why_fail(why, len,
				"fresh = punch with touch = read faults holes in (the zero page, no DAX "
				"page): touch = write, or fresh = window");
	if (!strcmp(fresh, "punch") && !strcmp(get(ctx, "mapping"), "pmd"))
		return why_fail(why, len,
				"fresh = punch with mapping = pmd: ext4 stops giving 2 MiB-aligned "
				"extents after a few punches and the faults fall back; fresh = window");
	return 0;
}

/*
 * truncpin: the pin is an O_DIRECT read whose completion a null_blk
 * device delays by hold_ms; the agent waits for truncate at most wait_ms
 * past the release, so the wait must outlast the hold.
 */
static int truncpin_check(wl_param_get_fn get, const void *ctx, char *why, size_t len)
{
	if (pmd_buf_check(get, ctx, why, len))
		return -1;
	if (uint_of(get, ctx, "wait_ms") <= uint_of(get, ctx, "hold_ms"))
		return why_fail(why, len, "wait_ms must exceed hold_ms (the bound must outlast the pin)");
	return 0;
}

/* default: no placement, no advice: the kernel's choice (the agent's daxbuf.c) */
static const char *const map_choices[] = { "pte", "pmd", "default", NULL };
#define MAPPING_PARAM { "mapping", WP_ENUM, map_choices, 0, 0, "pte", \
			"force PTE (MADV_NOHUGEPAGE) or PMD mappings, or the kernel's choice" }
static const char *const rw_choices[] = { "read", "write", NULL };
static const char *const mem_choices[] = { "dax", "anon", NULL };
/* anon: the control, private anonymous memory in the same placement */
#define MEMORY_PARAM { "memory", WP_ENUM, mem_choices, 0, 0, "dax", \
		       "dax, or anon: the control (no ZONE_DEVICE page; no variant may differ)" }, \
		     { "prefault", WP_UINT, NULL, 0, 1, "1", \
		       "0: leave faulting to GUP (the debug flavour then fails a fast kind: slow path)" }

static const struct wl_param_spec odirect_params[] = {
	{ "target", WP_STR, NULL, 0, 0, "/dev/nullb0", "O_DIRECT device in the guest (not the DAX fs)" },
	{ "buf_kib", WP_UINT, NULL, 4, 1 << 22, "1024", "size of the MAP_SHARED DAX-file buffer" },
	{ "bs_kib", WP_UINT, NULL, 4, 1 << 16, "64", "bytes per I/O (one pin per page)" },
	{ "iters", WP_UINT, NULL, 1, 1u << 30, "2000", "I/Os per repetition" },
	MAPPING_PARAM,
	{ "rw", WP_ENUM, rw_choices, 0, 0, "read", "read: device writes the buffer (FOLL_WRITE pins)" },
	MEMORY_PARAM,
	{ NULL },
};

static const char *const gup_op_choices[] = { "gup-fast", "pin-fast", "gup-basic", "pin-basic",
					       NULL };

static const char *const impl_choices[] = { "agent", "selftest", NULL };

static const struct wl_param_spec gup_params[] = {
	{ "op", WP_ENUM, gup_op_choices, 0, 0, "gup-fast", "gup_test command: GUP/PIN, fast/slow path" },
	MAPPING_PARAM,
	{ "buf_kib", WP_UINT, NULL, 4, 1 << 22, "8192", "size of the MAP_SHARED DAX-file buffer" },
	{ "pages_per_call", WP_UINT, NULL, 1, 1 << 20, "512", "gup_test nr_pages_per_call" },
	{ "iters", WP_UINT, NULL, 1, 1 << 24, "10", "gup_test ioctls per repetition" },
	{ "write", WP_UINT, NULL, 0, 1, "0", "1: FOLL_WRITE (never FOLL_TOUCH/0x2: FOLL_GET on 6.12)" },
	{ "threads", WP_UINT, NULL, 1, 64, "1", "threads doing the ioctls on the same buffer (selftest -j)" },
	{ "impl", WP_ENUM, impl_choices, 0, 0, "agent",
	  "agent, or selftest: the kernel's own selftests/mm/gup_test as the peer (fast ops, whole MiB)" },
	MEMORY_PARAM,
	{ NULL },
};

static const struct wl_param_spec vmsplice_params[] = {
	{ "buf_kib", WP_UINT, NULL, 4, 1 << 20, "1024", "DAX buffer spliced into the pipe (pipe size)" },
	MAPPING_PARAM,
	{ "hold_s", WP_UINT, NULL, 0, 3600, "20", "seconds the pipe holds the pages (across teardown)" },
	MEMORY_PARAM,
	{ NULL },
};

static const struct wl_param_spec futex_params[] = {
	{ "iters", WP_UINT, NULL, 1, 1u << 30, "100000", "FUTEX_WAKE calls per repetition" },
	MAPPING_PARAM,
	MEMORY_PARAM,
	{ NULL },
};

static const char *const expect_choices[] = { "dio", "pins", "gets", "refused", NULL };

static const struct wl_param_spec fio_params[] = {
	{ "job", WP_STR, NULL, 0, 0, NULL, "workloads/fio/JOB.fio, or a path to a job file (${ZD_TARGET}, ${ZD_BUF} filled in)" },
	{ "target", WP_STR, NULL, 0, 0, "/dev/nullb0", "${ZD_TARGET}: the device fio does I/O to" },
	{ "buf_kib", WP_UINT, NULL, 4, 1 << 22, "1024", "${ZD_BUF}: DAX file preallocated for mem=mmapshared" },
	{ "expect", WP_ENUM, expect_choices, 0, 0, "dio",
	  "dio: what this kernel's O_DIRECT takes (pins since v6.4, gets before: kernel.dio_refs); "
	  "pins: FOLL_PIN must move; gets: FOLL_GET (splice); refused: fsdax must refuse (negative control)" },
	{ NULL },
};

static const char *const no_yes[] = { "no", "yes", NULL };
static const char *const fresh_choices[] = { "no", "punch", "window", NULL };

/* The memory param alone: mapcycle's faults are what it measures, no prefault. */
static const struct wl_param_spec mapcycle_params[] = {
	{ "buf_kib", WP_UINT, NULL, 4, 1 << 22, "8192", "the window mapped, faulted in and unmapped per cycle" },
	MAPPING_PARAM,
	{ "touch", WP_ENUM, rw_choices, 0, 0, "write",
	  "fault every page in by reading or by writing one byte of it" },
	{ "iters", WP_UINT, NULL, 1, 1 << 20, "10", "map/fault/unmap cycles per repetition" },
	{ "memory", WP_ENUM, mem_choices, 0, 0, "dax",
	  "dax, or anon: the control (no ZONE_DEVICE page; no variant may differ)" },
	{ "fresh", WP_ENUM, fresh_choices, 0, 0, "no",
	  "fsdax: every timed fault inserts a new DAX entry (where zero-idle takes its page "
	  "reference). punch (touch = write, pte): the window's blocks punched out after each "
	  "cycle (untimed, reported), so faults also allocate; window: each cycle maps a part of "
	  "the file never mapped before, written beforehand with write(2), so faults allocate "
	  "nothing; no: the entries stay between cycles" },
	{ NULL },
};

/*
 * hold_ms at most 8 s: the reader sleeps in D state for the hold, and the
 * guest's hung-task detector fires at 10 s (base.config).
 */
static const struct wl_param_spec truncpin_params[] = {
	{ "buf_kib", WP_UINT, NULL, 4, 4096, "64",
	  "the DAX file, mapped and pinned whole by one O_DIRECT read (2048 or 4096 for pmd)" },
	MAPPING_PARAM,
	{ "hold_ms", WP_UINT, NULL, 100, 8000, "2000",
	  "how long the pin is held: the delayed completion of the read (null_blk completion_nsec)" },
	{ "wait_ms", WP_UINT, NULL, 1000, 60000, "10000",
	  "how long after the release truncate may take before the outcome is timeout" },
	{ "unmap", WP_ENUM, no_yes, 0, 0, "no",
	  "yes: munmap the file once its pages are pinned, so truncate meets pinned pages "
	  "nothing maps (6.12's dax_layout_busy_page() skips a file with no mapping)" },
	{ NULL },
};

/* Indexed by enum wl_kind_id (kinds.h): the row of kind NAME is [WK_NAME]. */
const struct wl_kind_desc wl_kinds[WK_NR + 1] = {
	[WK_odirect] = { "odirect",
		"O_DIRECT I/O between a block device and a DAX-mmap buffer (GUP-fast pins)",
		odirect_params, "fsdax devdax", odirect_check },
	[WK_gup] = { "gup", "gup_test GUP/PIN benchmark (fast or slow path) on a DAX-mmap buffer",
		gup_params, "fsdax devdax", gup_check },
	[WK_vmsplice] = { "vmsplice",
		"FOLL_GET refs on DAX pages held in an unread pipe across teardown",
		vmsplice_params, "fsdax devdax", pmd_buf_check },
	[WK_futex] = { "futex", "FUTEX_WAKE on a DAX word: get_futex_key's single-page get + folio_put",
		futex_params, "fsdax devdax", NULL },
	[WK_fio] = { "fio", "a fio job (workloads/fio) whose buffers are mem=mmapshared on DAX pages",
		fio_params, "fsdax devdax", fio_check },
	[WK_mapcycle] = { "mapcycle",
		"map/fault/unmap cycles on a DAX file: per-page fault-in and zap (munmap) time",
		mapcycle_params, "fsdax devdax", mapcycle_check },
	[WK_truncpin] = { "truncpin",
		"ftruncate a DAX file while an O_DIRECT read holds FOLL_PIN on its pages: returned, waited or timeout",
		truncpin_params, "fsdax", truncpin_check },
	[WK_NR] = { NULL },
};

const struct wl_kind_desc *wl_kind_find(const char *name)
{
	for (const struct wl_kind_desc *k = wl_kinds; name && k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

const struct wl_param_spec *wl_param_find(const struct wl_kind_desc *k, const char *key)
{
	for (const struct wl_param_spec *p = k->params; p->key; p++)
		if (!strcmp(p->key, key))
			return p;
	return NULL;
}

const char *wl_buf_kib_check(long long buf_kib, bool pmd)
{
	if (buf_kib % 4)
		return "buf_kib must be a multiple of 4";
	if (pmd && buf_kib % 2048)
		return "buf_kib must be a multiple of 2048 for mapping = pmd";
	return NULL;
}

int wl_param_check(const struct wl_param_spec *s, const char *val, char *why, size_t len)
{
	unsigned long long u;
	char *end;
	size_t n;

	if (s->type == WP_UINT) {
		errno = 0;
		u = strtoull(val, &end, 10);
		/* as zdbench's parse_u64: strtoull would wrap "-5" */
		if (!*val || *val == '-' || errno || *end || u < s->min || u > s->max)
			return why_fail(why, len, "key '%s': not an integer in [%u, %u]", s->key,
					s->min, s->max);
	} else if (s->type == WP_ENUM) {
		for (const char *const *ch = s->choices; *ch; ch++)
			if (!strcmp(*ch, val))
				return 0;
		n = snprintf(why, len, "key '%s': '%s' is not one of:", s->key, val);
		for (const char *const *ch = s->choices; *ch && n < len; ch++)
			n += snprintf(why + n, len - n, " %s", *ch);
		return -1;
	}
	return 0;
}

/* The set as its rules read it: an absent key is the table's default. */
struct with_defaults {
	const struct wl_kind_desc *k;
	wl_param_get_fn get;
	const void *ctx;
};

static const char *get_or_default(const void *ctx, const char *key)
{
	const struct with_defaults *d = ctx;
	const char *v = d->get(d->ctx, key);
	const struct wl_param_spec *s = v ? NULL : wl_param_find(d->k, key);

	return v ? v : s && s->dflt ? s->dflt : "";
}

int wl_params_check(const struct wl_kind_desc *k, wl_param_get_fn get, const void *ctx,
		    char *why, size_t len)
{
	struct with_defaults d = { k, get, ctx };

	for (const struct wl_param_spec *s = k->params; s->key; s++) {
		const char *v = get(ctx, s->key);

		if (!v && !s->dflt)
			return why_fail(why, len, "key '%s' is required", s->key);
		if (v && wl_param_check(s, v, why, len))
			return -1;
	}
	return k->check ? k->check(get_or_default, &d, why, len) : 0;
}
