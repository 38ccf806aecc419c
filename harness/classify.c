// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel console classifier (PCRE2). Streams the log line by line, so memory
 * stays flat however long it is; tolerates CRLF, NULs and binary garbage.
 * Signatures are lkp-style keys with addresses, numbers and PIDs dropped.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#define _GNU_SOURCE
#include "classify.h"

#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 4096
#define BLOCK (1 << 16)

enum sev { S_FAIL, S_HANG, S_CRASH, S_NOTE };

enum pat_id {
	P_PANIC, P_OOPS, P_PAGE_FAULT, P_NULL, P_GPF, P_KBUG, P_KASAN,
	P_PCPU, P_PCPU2, P_WARNING, P_HUNG, P_SOFTLOCKUP, P_RCU, P_BADPAGE,
	P_BADMAP, P_BADRSS, P_REFCOUNT, P_VMBUG, P_RIP, P_FRAME, P_PHASE,
	P_INIT, P_LINUX, P_NR
};

static const struct {
	const char *re;
	const char *cls;
	enum sev sev;
} pats[P_NR] = {
	[P_PANIC] = { "Kernel panic - not syncing: (?<msg>.*)", "PANIC", S_CRASH },
	[P_OOPS] = { "Oops: (?<msg>.*?): [0-9a-f]{4} \\[#\\d+\\]", "OOPS", S_CRASH },
	[P_PAGE_FAULT] = { "BUG: unable to handle page fault for address", "PAGE_FAULT", S_CRASH },
	[P_NULL] = { "BUG: kernel NULL pointer dereference", "NULL_DEREF", S_CRASH },
	[P_GPF] = { "general protection fault", "GPF", S_CRASH },
	[P_KBUG] = { "kernel BUG at (?<file>[^:]+):\\d+!", "KERNEL_BUG", S_CRASH },
	[P_KASAN] = { "BUG: KASAN: (?<msg>[\\w-]+) in (?<func>[\\w.]+)", "KASAN", S_CRASH },
	[P_PCPU] = { "percpu ref \\((?<func>[^)]*)\\) <= 0 \\(-?\\d+\\) after switching to atomic", "PCPU_UNDERFLOW", S_FAIL },
	[P_PCPU2] = { "percpu_ref_switch_to_atomic_rcu\\(\\): percpu_ref underflow", "PCPU_UNDERFLOW_LINE", S_NOTE },
	[P_WARNING] = { "WARNING: CPU: \\d+ PID: \\d+ at (?<file>[^\\s:]+):\\d+(?: (?<func>[\\w.]+)\\+0x)?", "WARNING", S_FAIL },
	[P_HUNG] = { "INFO: task (?<msg>.+?):\\d+ blocked for more than \\d+ seconds", "HUNG_TASK", S_HANG },
	[P_SOFTLOCKUP] = { "BUG: soft lockup - CPU#\\d+ stuck for \\d+s! \\[(?<msg>.+?):\\d+\\]", "SOFT_LOCKUP", S_HANG },
	[P_RCU] = { "rcu: INFO: (?<msg>\\w+) (?:detected stalls|self-detected stall)", "RCU_STALL", S_HANG },
	[P_BADPAGE] = { "BUG: Bad page state in process (?<msg>\\S+)", "BAD_PAGE_STATE", S_FAIL },
	[P_BADMAP] = { "BUG: Bad page map in process (?<msg>\\S+)", "BAD_PAGE_MAP", S_FAIL },
	[P_BADRSS] = { "BUG: Bad rss-counter state mm:\\S+ type:(?<msg>\\S+)", "BAD_RSS_COUNTER", S_FAIL },
	[P_REFCOUNT] = { "refcount_t: (?<msg>[a-z ;-]+)", "REFCOUNT_T", S_FAIL },
	[P_VMBUG] = { "page dumped because: (?<msg>VM_(?:BUG|WARN)_ON\\w*)", "VM_BUG_ON", S_FAIL },
	[P_RIP] = { "RIP: 00\\d\\d:(?<func>[\\w.]+)\\+0x", NULL, S_NOTE },
	[P_FRAME] = { "^(?:\\[\\s*\\d+\\.\\d+\\])?(?:\\[\\s*[CT]\\d+\\])?\\s*(?:\\? )?(?<func>[\\w.]+)\\+0x[0-9a-f]+/0x[0-9a-f]+", NULL, S_NOTE },
	[P_PHASE] = { "zdbench: phase (?<msg>\\S+) begin", NULL, S_NOTE },
	[P_INIT] = { "Run /init as init process|Run \\S+ as init process", NULL, S_NOTE },
	[P_LINUX] = { "Linux version \\d", NULL, S_NOTE },
};

static pcre2_code *re[P_NR];
static pcre2_match_data *md;
/* Every PCRE2 allocation goes through these, so a test can count what is live. */
static pcre2_general_context *gctx;
static pcre2_compile_context *cctx;
static size_t live_blocks;
static const char *test_override[P_NR];

static void *pc_malloc(PCRE2_SIZE n, void *data)
{
	void *p = malloc(n);

	if (p)
		live_blocks++;
	return p;
}

static void pc_free(void *p, void *data)
{
	if (p)
		live_blocks--;
	free(p);
}

void classify_fini(void)
{
	pcre2_match_data_free(md);
	md = NULL;
	for (int i = 0; i < P_NR; i++) {
		pcre2_code_free(re[i]);
		re[i] = NULL;
	}
	pcre2_compile_context_free(cctx);
	cctx = NULL;
	pcre2_general_context_free(gctx);
	gctx = NULL;
}

int classify_init(void)
{
	int err;
	PCRE2_SIZE off;

	if (md)
		return 0;
	gctx = pcre2_general_context_create(pc_malloc, pc_free, NULL);
	cctx = gctx ? pcre2_compile_context_create(gctx) : NULL;
	if (!cctx) {
		classify_fini();
		return zd_error("classifier: out of memory");
	}
	for (int i = 0; i < P_NR; i++) {
		const char *pat = test_override[i] ? test_override[i] : pats[i].re;

		re[i] = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err, &off, cctx);
		if (!re[i]) {
			/* The patterns compiled so far would leak (and md stays NULL: retried). */
			classify_fini();
			return zd_error("classifier pattern %d does not compile at %zu", i, (size_t)off);
		}
		pcre2_jit_compile(re[i], PCRE2_JIT_COMPLETE);
	}
	md = pcre2_match_data_create(16, gctx);
	if (!md) {
		classify_fini();
		return zd_error("classifier: out of memory");
	}
	return 0;
}

void classify_test_override(unsigned int id, const char *pattern)
{
	if (id < P_NR)
		test_override[id] = pattern;
}

size_t classify_live_blocks(void)
{
	return live_blocks;
}

static bool match(int id, const char *s, size_t len)
{
	return pcre2_match(re[id], (PCRE2_SPTR)s, len, 0, 0, md, NULL) >= 0;
}

static char *group(int id, const char *s, const char *name)
{
	PCRE2_UCHAR *buf;
	PCRE2_SIZE len;
	char *out;

	(void)id;
	(void)s;
	if (pcre2_substring_get_byname(md, (PCRE2_SPTR)name, &buf, &len))
		return NULL;
	out = xstrdup((char *)buf);
	pcre2_substring_free(buf);
	return out;
}

/* Drop hex, digits and PIDs so the same failure always gives the same key. */
static void normalise(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '0' && r[1] == 'x') {
			r++;
			while (isxdigit((unsigned char)r[1]))
				r++;
			continue;
		}
		if (isdigit((unsigned char)*r))
			continue;
		*w++ = isspace((unsigned char)*r) ? '_' : *r;
	}
	*w = '\0';
	while (w > s && (w[-1] == '_' || w[-1] == ':'))
		*--w = '\0';
}

/* GCC clones: "__mutex_lock.constprop.0" is __mutex_lock. */
static void strip_clone_suffix(char *fn)
{
	static const char *const sfx[] = { ".constprop.", ".isra.", ".part.", ".cold", ".llvm." };

	for (size_t i = 0; fn && i < ARRAY_SIZE(sfx); i++) {
		char *p = strstr(fn, sfx[i]);

		if (p)
			*p = '\0';
	}
}

/*
 * Out-of-tree and worktree builds print source paths such as
 * "../../trees/spec-gup/lib/percpu-refcount.c": keep the path from the
 * kernel's top-level directory on, so every build gives the same key.
 */
static void normalise_path(char *f)
{
	static const char *const top[] = {
		"arch/", "block/", "certs/", "crypto/", "drivers/", "fs/", "include/",
		"init/", "io_uring/", "ipc/", "kernel/", "lib/", "mm/", "net/",
		"rust/", "samples/", "security/", "sound/", "usr/", "virt/",
	};

	if (!f)
		return;
	for (char *p = f; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p)) {
		for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
			if (str_starts(p, top[i])) {
				memmove(f, p, strlen(p) + 1);
				return;
			}
		}
	}
}

/* Scheduler and wait frames say nothing about who is stuck. */
static bool boring_frame(const char *f)
{
	static const char *const boring[] = {
		"__schedule", "schedule", "schedule_timeout", "__wait_for_common",
		"wait_for_completion", "io_schedule", "schedule_preempt_disabled",
		"__mutex_lock", "mutex_lock", "__switch_to", "__switch_to_asm",
		"__mutex_lock_slowpath", "mutex_lock_nested", "down_write", "down_read",
		"wait_for_completion_killable", "rwsem_down_write_slowpath",
		"rwsem_down_read_slowpath", "__flush_work", "flush_work",
		"__wait_rcu_gp", "synchronize_rcu", "do_wait", "kernel_wait4",
	};

	for (size_t i = 0; i < ARRAY_SIZE(boring); i++)
		if (!strcmp(f, boring[i]))
			return true;
	return false;
}

struct state {
	char *phase;
	ssize_t collect;	/* finding whose stack is being read, or -1 */
	unsigned int frames, collect_lines;
	bool top_set;		/* hung task key got its first real frame */
	ssize_t pending_oops;	/* crash finding awaiting its RIP */
	ssize_t await_msg;	/* 4.x layout: WARNING first, message next */
	ssize_t await_func;	/* WARNING line wrapped before its function */
	struct sbuf cut_msg;	/* 6.x layout: message between cut and WARNING */
	bool in_cut;
};

/*
 * (key, phase) -> findings, so that spotting a repeated report costs O(1)
 * a line instead of a scan of every finding (50,000 distinct warnings took
 * 10 s): chained buckets of finding indices, re-linked when set_key
 * changes a key and when the last finding is dropped, rebuilt from the
 * current keys when the table doubles.
 */
struct cl_index {
	size_t nb;	/* buckets, a power of two */
	size_t *head;	/* bucket -> 1 + index of its first finding, 0: none */
	size_t *next;	/* finding -> 1 + index of the next in its bucket */
};

static size_t idx_bucket(const struct cl_index *x, const char *key, const char *phase)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0x1f) * 1099511628211ull;
	for (const char *p = phase; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h & (x->nb - 1);
}

static void idx_link(struct classification *cl, size_t i)
{
	struct cl_index *x = cl->index;
	size_t b;

	if (!x)
		x = cl->index = xcalloc(1, sizeof(*x));
	if (cl->n > x->nb) { /* double, and link every finding again */
		x->nb = x->nb ? 2 * x->nb : 64;
		free(x->head);
		x->head = xcalloc(x->nb, sizeof(size_t));
		x->next = xrealloc(x->next, x->nb * sizeof(size_t));
		for (size_t j = 0; j < cl->n; j++) {
			if (j == i)
				continue;
			b = idx_bucket(x, cl->f[j].key, cl->f[j].phase);
			x->next[j] = x->head[b];
			x->head[b] = j + 1;
		}
	}
	b = idx_bucket(x, cl->f[i].key, cl->f[i].phase);
	x->next[i] = x->head[b];
	x->head[b] = i + 1;
}

static void idx_unlink(struct classification *cl, size_t i)
{
	struct cl_index *x = cl->index;
	size_t *p = &x->head[idx_bucket(x, cl->f[i].key, cl->f[i].phase)];

	while (*p && *p != i + 1)
		p = &x->next[*p - 1];
	if (*p)
		*p = x->next[i];
}

/* A finding other than skip with this key and phase: its index, or -1. */
static ssize_t idx_find(const struct classification *cl, const char *key, const char *phase,
			size_t skip)
{
	const struct cl_index *x = cl->index;

	if (!x)
		return -1;
	for (size_t j = x->head[idx_bucket(x, key, phase)]; j; j = x->next[j - 1])
		if (j - 1 != skip && !strcmp(cl->f[j - 1].key, key) &&
		    !strcmp(cl->f[j - 1].phase, phase))
			return (ssize_t)(j - 1);
	return -1;
}

static struct finding *add(struct classification *cl, const char *cls,
			   const char *key, const struct state *st,
			   const char *line)
{
	struct finding *f;

	if (idx_find(cl, key, st->phase, SIZE_MAX) >= 0)
		return NULL; /* repeated report of the same thing */
	cl->f = grow_array(cl->f, cl->n, sizeof(*cl->f));
	f = &cl->f[cl->n++];
	memset(f, 0, sizeof(*f));
	f->cls = xstrdup(cls);
	f->key = xstrdup(key);
	f->phase = xstrdup(st->phase);
	f->detail = strndup(line, 300);
	f->line = cl->lines;
	idx_link(cl, cl->n - 1);
	return f;
}

static void set_key(struct classification *cl, struct finding *f, const char *key)
{
	idx_unlink(cl, f - cl->f);
	free(f->key);
	f->key = xstrdup(key);
	idx_link(cl, f - cl->f);
}

static void stop_collect(struct state *st)
{
	st->collect = -1;
	st->frames = 0;
	st->collect_lines = 0;
	st->top_set = false;
}

/* Frames after a finding form its stack; a hung task's key names the first
 * frame that is not the scheduler or a generic wait. */
static bool on_frame(struct classification *cl, struct state *st, const char *s,
		     size_t len)
{
	struct finding *f;
	char *fn, *tmp;

	if (st->collect < 0)
		return false;
	if (++st->collect_lines > 80 || strstr(s, "---[ end trace") || strstr(s, "</TASK>")) {
		stop_collect(st);
		return false;
	}
	if (!match(P_FRAME, s, len))
		return false;
	f = &cl->f[st->collect];
	fn = group(P_FRAME, s, "func");
	if (!fn)
		return true;
	strip_clone_suffix(fn);
	if (st->frames++ < 12) {
		tmp = f->stack ? xasprintf("%s<%s", f->stack, fn) : xstrdup(fn);
		free(f->stack);
		f->stack = tmp;
	}
	if (!strcmp(f->cls, "HUNG_TASK") && !st->top_set && !boring_frame(fn) &&
	    !strstr(s, "? ")) {
		tmp = xasprintf("INFO:task_blocked:%s", fn);
		st->top_set = true;
		/* several tasks blocked in the same place: one finding */
		if ((size_t)st->collect == cl->n - 1 &&
		    idx_find(cl, tmp, f->phase, st->collect) >= 0) {
			idx_unlink(cl, cl->n - 1);
			free(f->cls);
			free(f->key);
			free(f->phase);
			free(f->detail);
			free(f->stack);
			free(f->msg);
			cl->n--;
			stop_collect(st);
			free(tmp);
			free(fn);
			return true;
		}
		set_key(cl, f, tmp);
		free(tmp);
	}
	free(fn);
	return true;
}

static bool on_rip(struct classification *cl, struct state *st, const char *s,
		   size_t len)
{
	struct finding *f;
	char *fn, *key;

	if (st->pending_oops < 0 || !match(P_RIP, s, len))
		return false;
	fn = group(P_RIP, s, "func");
	strip_clone_suffix(fn);
	/* One RIP line serves the whole oops: "BUG: ...", "Oops: ...". */
	for (size_t i = st->pending_oops; i < cl->n; i++) {
		f = &cl->f[i];
		if (strcmp(f->cls, "OOPS") && strcmp(f->cls, "PAGE_FAULT") &&
		    strcmp(f->cls, "NULL_DEREF") && strcmp(f->cls, "GPF"))
			continue;
		key = xasprintf("%s:%s", f->key, fn ? fn : "?");
		set_key(cl, f, key);
		free(key);
	}
	free(fn);
	st->pending_oops = -1;
	return true;
}

static bool boilerplate(const char *s)
{
	static const char *const skip[] = {
		"Modules linked in", "CPU:", "Hardware name", "RIP:", "Call Trace",
		"Tainted:", "---[", "RSP:", "Code:",
	};
	const char *p = s;

	if (*p == '[') /* printk time stamp */
		p = strchr(p, ']') ? strchr(p, ']') + 1 : p;
	while (*p == ' ')
		p++;
	for (size_t i = 0; i < ARRAY_SIZE(skip); i++)
		if (str_starts(p, skip[i]))
			return true;
	return !*p;
}

static char *strip_ts(const char *s)
{
	const char *p = s;

	if (*p == '[' && strchr(p, ']'))
		p = strchr(p, ']') + 1;
	while (*p == ' ')
		p++;
	return xstrdup(p);
}

static char *finding_key(int id, char *a, char *b)
{
	char *key;

	strip_clone_suffix(a);
	if (id == P_WARNING || id == P_KBUG)
		normalise_path(b);
	if (id == P_PANIC && b && strchr(b, '.'))
		*strchr(b, '.') = '\0'; /* first sentence: hints vary */
	if (id == P_PCPU && a && strchr(a, ' '))
		*strchr(a, ' ') = '\0'; /* "dax_pmem_percpu_release [dax_pmem]" */
	if (id == P_WARNING && a)
		key = xasprintf("WARNING:at_%s:%s", b ? b : "?", a);
	else if (id == P_WARNING)
		key = xasprintf("WARNING:at_%s", b ? b : "?"); /* func follows */
	else if (id == P_PCPU)
		key = xasprintf("percpu_ref_underflow:%s", a ? a : "?");
	else if (id == P_KASAN)
		key = xasprintf("KASAN:%s_in_%s", b ? b : "?", a ? a : "?");
	else
		key = xasprintf("%s:%s", pats[id].cls, b ? b : (a ? a : ""));
	normalise(key);
	return key;
}

static void on_finding(struct classification *cl, struct state *st, int id,
		       const char *s)
{
	char *a = group(id, s, "func"), *b = group(id, s, "file"), *key;
	struct finding *f;

	if (!b)
		b = group(id, s, "msg");
	key = finding_key(id, a, b);
	f = add(cl, pats[id].cls, key, st, s);
	stop_collect(st);
	if (f) {
		st->collect = f - cl->f;
		if (id == P_WARNING && !a)
			st->await_func = f - cl->f;
		if (id == P_WARNING && st->in_cut && st->cut_msg.len)
			f->msg = xstrdup(st->cut_msg.buf);
		else if (id == P_WARNING)
			st->await_msg = f - cl->f;
		if ((id == P_OOPS || id == P_PAGE_FAULT || id == P_NULL || id == P_GPF) &&
		    st->pending_oops < 0)
			st->pending_oops = f - cl->f;
	}
	if (id == P_WARNING)
		st->in_cut = false;
	free(key);
	free(a);
	free(b);
}

/*
 * Most console lines are none of our business: a cheap literal prefilter
 * keeps the regular expressions for lines that contain a trigger word.
 * Every pattern above contains one of these words.
 */
static bool interesting(const struct state *st, const char *s)
{
	static const char *const needles[] = {
		"WARNING", "BUG", "Oops", "panic", "percpu", "INFO:", "rcu:",
		"refcount_t", "page dumped", "general protection", "zdbench:",
		"Run ", "Linux version", "cut here", "RIP:",
	};

	if ((st->collect >= 0 || st->await_func >= 0) && strstr(s, "+0x"))
		return true;
	if (st->await_msg >= 0 || st->in_cut || st->collect >= 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(needles); i++)
		if (strstr(s, needles[i]))
			return true;
	return false;
}

static void on_line(struct classification *cl, struct state *st, char *s,
		    size_t len)
{
	ssize_t await = st->await_msg, await_func = st->await_func;

	st->await_msg = -1;
	st->await_func = -1;
	if (await_func >= 0 && match(P_FRAME, s, len)) {
		char *fn = group(P_FRAME, s, "func");
		char *key = xasprintf("%s:%s", cl->f[await_func].key, fn ? fn : "?");

		set_key(cl, &cl->f[await_func], key);
		free(key);
		free(fn);
		st->await_msg = await;
		return;
	}
	if (match(P_LINUX, s, len))
		cl->kernel_started = true;
	if (match(P_INIT, s, len))
		cl->reached_init = true;
	if (match(P_PHASE, s, len)) {
		free(st->phase);
		st->phase = group(P_PHASE, s, "msg");
		stop_collect(st);
		return;
	}
	if (strstr(s, "------------[ cut here ]------------")) {
		st->in_cut = true;
		sbuf_reset(&st->cut_msg);
		return;
	}
	if (on_rip(cl, st, s, len))
		return;
	for (int id = 0; id < P_RIP; id++) {
		if (!pats[id].cls || !match(id, s, len))
			continue;
		if (pats[id].sev == S_NOTE)
			break; /* a known line, but not a failure of its own */
		if (st->in_cut && id != P_WARNING && st->cut_msg.len < 512) {
			char *m = strip_ts(s);

			sbuf_addf(&st->cut_msg, "%s%s", st->cut_msg.len ? " / " : "", m);
			free(m);
		}
		on_finding(cl, st, id, s);
		return;
	}
	if (on_frame(cl, st, s, len))
		return;
	if (await >= 0 && !boilerplate(s)) {
		cl->f[await].msg = strip_ts(s);
		return;
	}
	if (st->in_cut && st->cut_msg.len < 512 && !boilerplate(s)) {
		char *m = strip_ts(s);

		if (st->cut_msg.len)
			sbuf_addstr(&st->cut_msg, " / ");
		sbuf_addstr(&st->cut_msg, m);
		free(m);
	}
}

/* Make a line safe to match: stop at NUL, drop CR and other control bytes. */
static size_t sanitize(char *s, size_t len)
{
	size_t w = 0;

	for (size_t r = 0; r < len; r++) {
		unsigned char ch = s[r];

		if (ch == '\r' || ch == '\n')
			continue;
		s[w++] = (ch < 0x20 && ch != '\t') ? ' ' : (char)ch;
	}
	s[w] = '\0';
	return w;
}

static void end_line(struct classification *cl, struct state *st, char *buf,
		     size_t n)
{
	cl->lines++;
	n = sanitize(buf, n);
	if (interesting(st, buf))
		on_line(cl, st, buf, n);
}

int classify_stream(FILE *in, struct classification *cl)
{
	struct state st = { .collect = -1, .pending_oops = -1, .await_msg = -1,
			    .await_func = -1 };
	char *buf = xmalloc(MAX_LINE + 1), *blk = xmalloc(BLOCK);
	size_t n = 0;

	memset(cl, 0, sizeof(*cl));
	if (classify_init()) {
		free(buf);
		free(blk);
		return -1;
	}
	st.phase = xstrdup("boot");
	/* Block reads, bounded lines: a line of gigabytes cannot grow memory. */
	for (;;) {
		size_t got = fread(blk, 1, BLOCK, in), off = 0;

		if (!got)
			break;
		while (off < got) {
			char *nl = memchr(blk + off, '\n', got - off);
			size_t take = (nl ? (size_t)(nl - blk) : got) - off;

			if (n < MAX_LINE) {
				size_t room = MAX_LINE - n;

				memcpy(buf + n, blk + off, take < room ? take : room);
				n += take < room ? take : room;
			}
			off += take;
			if (!nl)
				break;
			off++; /* the newline */
			end_line(cl, &st, buf, n);
			n = 0;
		}
	}
	if (n)
		end_line(cl, &st, buf, n);
	cl->last_phase = st.phase;
	sbuf_free(&st.cut_msg);
	free(buf);
	free(blk);
	return 0;
}

int classify_file(const char *path, struct classification *cl)
{
	FILE *f = fopen(path, "rb");
	int ret;

	if (!f) {
		memset(cl, 0, sizeof(*cl));
		return zd_error("cannot read console log %s: %s", path, strerror(errno));
	}
	ret = classify_stream(f, cl);
	fclose(f);
	return ret;
}

static void synthetic(struct classification *cl, const char *cls, const char *key)
{
	struct state st = { .phase = cl->last_phase ? cl->last_phase : "boot" };

	add(cl, cls, key, &st, key);
}

static enum zd_verdict sev_of(const char *cls)
{
	if (!strcmp(cls, "BOOT"))
		return V_CRASH;
	if (!strcmp(cls, "TIMEOUT"))
		return V_HANG;
	for (int id = 0; id < P_NR; id++)
		if (pats[id].cls && !strcmp(pats[id].cls, cls))
			return pats[id].sev == S_CRASH ? V_CRASH :
			       pats[id].sev == S_HANG ? V_HANG : V_FAIL;
	return V_FAIL;
}

void classify_finish(struct classification *cl, const char *timeout)
{
	enum zd_verdict v = V_CLEAN;
	bool boot_timeout = timeout && !strcmp(timeout, "boot");

	if (cl->kernel_started && !cl->reached_init)
		synthetic(cl, "BOOT", "BOOT:never_reached_init");
	if (timeout) {
		char *key = xasprintf("TIMEOUT:%s", timeout);

		/* A boot timeout is the harness's business unless the kernel
		 * itself failed to get to init (counted above). */
		synthetic(cl, boot_timeout ? "TIMEOUT_BOOT" : "TIMEOUT", key);
		free(key);
	}
	for (size_t i = 0; i < cl->n; i++) {
		enum zd_verdict fv;

		if (!strcmp(cl->f[i].cls, "TIMEOUT_BOOT"))
			continue;
		fv = sev_of(cl->f[i].cls);
		if (fv > v)
			v = fv;
	}
	/* No kernel output, or a boot timeout after init with nothing wrong
	 * on the console: QEMU's or the agent's trouble, not the kernel's. */
	if (v == V_CLEAN && (!cl->kernel_started || boot_timeout))
		v = V_INFRA;
	cl->verdict = v;
}

void classification_free(struct classification *cl)
{
	for (size_t i = 0; i < cl->n; i++) {
		free(cl->f[i].cls);
		free(cl->f[i].key);
		free(cl->f[i].phase);
		free(cl->f[i].detail);
		free(cl->f[i].stack);
		free(cl->f[i].msg);
	}
	free(cl->last_phase);
	free(cl->f);
	if (cl->index) {
		free(cl->index->head);
		free(cl->index->next);
		free(cl->index);
	}
	memset(cl, 0, sizeof(*cl));
}
