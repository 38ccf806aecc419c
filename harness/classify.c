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
	[P_WARNING] = { "WARNING: CPU: \\d+ PID: \\d+ at (?<file>\\S+):\\d+ (?<func>[\\w.]+)\\+0x", "WARNING", S_FAIL },
	[P_HUNG] = { "INFO: task (?<msg>.+?):\\d+ blocked for more than \\d+ seconds", "HUNG_TASK", S_HANG },
	[P_SOFTLOCKUP] = { "BUG: soft lockup - CPU#\\d+ stuck", "SOFT_LOCKUP", S_HANG },
	[P_RCU] = { "rcu: INFO: (?<msg>\\w+) (?:detected stalls|self-detected stall)", "RCU_STALL", S_HANG },
	[P_BADPAGE] = { "BUG: Bad page state in process", "BAD_PAGE_STATE", S_FAIL },
	[P_BADMAP] = { "BUG: Bad page map in process", "BAD_PAGE_MAP", S_FAIL },
	[P_BADRSS] = { "BUG: Bad rss-counter state", "BAD_RSS_COUNTER", S_FAIL },
	[P_REFCOUNT] = { "refcount_t: (?<msg>[a-z ;-]+)", "REFCOUNT_T", S_FAIL },
	[P_VMBUG] = { "page dumped because: (?<msg>VM_(?:BUG|WARN)_ON\\w*)", "VM_BUG_ON", S_FAIL },
	[P_RIP] = { "RIP: 00\\d\\d:(?<func>[\\w.]+)\\+0x", NULL, S_NOTE },
	[P_FRAME] = { "^\\s*(?:\\? )?(?<func>[\\w.]+)\\+0x[0-9a-f]+/0x[0-9a-f]+", NULL, S_NOTE },
	[P_PHASE] = { "zdbench: phase (?<msg>\\S+) begin", NULL, S_NOTE },
	[P_INIT] = { "Run /init as init process|Run \\S+ as init process", NULL, S_NOTE },
	[P_LINUX] = { "Linux version \\d", NULL, S_NOTE },
};

static pcre2_code *re[P_NR];
static pcre2_match_data *md;

const char *verdict_name(enum zd_verdict v)
{
	static const char *const names[] = { "clean", "fail", "hang", "crash", "infra" };

	return names[v];
}

int classify_init(void)
{
	int err;
	PCRE2_SIZE off;

	if (md)
		return 0;
	for (int i = 0; i < P_NR; i++) {
		re[i] = pcre2_compile((PCRE2_SPTR)pats[i].re, PCRE2_ZERO_TERMINATED,
				      0, &err, &off, NULL);
		if (!re[i]) {
			zd_err("classifier pattern %d does not compile at %zu", i, (size_t)off);
			return -1;
		}
		pcre2_jit_compile(re[i], PCRE2_JIT_COMPLETE);
	}
	md = pcre2_match_data_create(16, NULL);
	return 0;
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

/* Scheduler and wait frames say nothing about who is stuck. */
static bool boring_frame(const char *f)
{
	static const char *const boring[] = {
		"__schedule", "schedule", "schedule_timeout", "__wait_for_common",
		"wait_for_completion", "io_schedule", "schedule_preempt_disabled",
		"__mutex_lock", "mutex_lock", "__switch_to", "__switch_to_asm",
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
	ssize_t pending_hung;	/* finding index awaiting its stack */
	ssize_t pending_oops;	/* crash finding awaiting RIP */
	unsigned int hung_frames;
};

static struct finding *add(struct classification *cl, int id, const char *key,
			   const struct state *st, const char *line)
{
	struct finding *f;

	for (size_t i = 0; i < cl->n; i++)
		if (!strcmp(cl->f[i].key, key) && !strcmp(cl->f[i].phase, st->phase))
			return NULL; /* repeated report of the same thing */
	cl->f = xrealloc(cl->f, (cl->n + 1) * sizeof(*cl->f));
	f = &cl->f[cl->n++];
	f->cls = xstrdup(pats[id].cls);
	f->key = xstrdup(key);
	f->phase = xstrdup(st->phase);
	f->detail = strndup(line, 300);
	f->line = cl->lines;
	return f;
}

static void set_key(struct finding *f, const char *key)
{
	free(f->key);
	f->key = xstrdup(key);
}

static void on_line(struct classification *cl, struct state *st, char *s,
		    size_t len)
{
	char *a, *b, *key;

	if (match(P_LINUX, s, len))
		cl->kernel_started = true;
	if (match(P_INIT, s, len))
		cl->reached_init = true;
	if (match(P_PHASE, s, len)) {
		free(st->phase);
		st->phase = group(P_PHASE, s, "msg");
		return;
	}
	if (st->pending_hung >= 0 && match(P_FRAME, s, len)) {
		a = group(P_FRAME, s, "func");
		if (a && !boring_frame(a) && st->hung_frames++ == 0) {
			struct finding *f = &cl->f[st->pending_hung];

			key = xasprintf("INFO:task_blocked:%s", a);
			set_key(f, key);
			free(key);
			st->pending_hung = -1;
		}
		free(a);
		return;
	}
	if (st->pending_oops >= 0 && match(P_RIP, s, len)) {
		struct finding *f = &cl->f[st->pending_oops];

		a = group(P_RIP, s, "func");
		key = xasprintf("%s:%s", f->key, a ? a : "?");
		set_key(f, key);
		free(key);
		free(a);
		st->pending_oops = -1;
		return;
	}
	for (int id = 0; id < P_RIP; id++) {
		struct finding *f;

		if (!pats[id].cls || pats[id].sev == S_NOTE || !match(id, s, len))
			continue;
		a = group(id, s, "func");
		b = group(id, s, "file");
		if (!b)
			b = group(id, s, "msg");
		if (id == P_PANIC && b && strchr(b, '.'))
			*strchr(b, '.') = '\0'; /* first sentence: hints vary */
		if (id == P_WARNING)
			key = xasprintf("WARNING:at_%s:%s", b ? b : "?", a ? a : "?");
		else if (id == P_PCPU)
			key = xasprintf("percpu_ref_underflow:%s", a ? a : "?");
		else
			key = xasprintf("%s:%s", pats[id].cls, b ? b : (a ? a : ""));
		normalise(key);
		f = add(cl, id, key, st, s);
		if (f && id == P_HUNG) {
			st->pending_hung = f - cl->f;
			st->hung_frames = 0;
		}
		if (f && (id == P_OOPS || id == P_PAGE_FAULT || id == P_NULL || id == P_GPF))
			st->pending_oops = f - cl->f;
		free(key);
		free(a);
		free(b);
		return;
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

int classify_stream(FILE *in, struct classification *cl)
{
	struct state st = { .pending_hung = -1, .pending_oops = -1 };
	char *buf = xmalloc(MAX_LINE + 1);
	int ch;
	size_t n = 0;

	memset(cl, 0, sizeof(*cl));
	if (classify_init()) {
		free(buf);
		return -1;
	}
	st.phase = xstrdup("boot");
	/* Byte loop with a bounded line: a line of gigabytes cannot grow memory. */
	while ((ch = getc_unlocked(in)) != EOF) {
		if (ch != '\n' && n < MAX_LINE) {
			buf[n++] = (char)ch;
			continue;
		}
		if (ch != '\n')
			continue; /* overlong: rest of the line is dropped */
		cl->lines++;
		n = sanitize(buf, n);
		on_line(cl, &st, buf, n);
		n = 0;
	}
	if (n) {
		cl->lines++;
		n = sanitize(buf, n);
		on_line(cl, &st, buf, n);
	}
	free(buf);
	free(st.phase);
	return 0;
}

int classify_file(const char *path, struct classification *cl)
{
	FILE *f = fopen(path, "rb");
	int ret;

	if (!f) {
		memset(cl, 0, sizeof(*cl));
		zd_err("cannot read console log %s: %s", path, strerror(errno));
		return -1;
	}
	ret = classify_stream(f, cl);
	fclose(f);
	return ret;
}

void classify_finish(struct classification *cl, const char *timeout)
{
	enum zd_verdict v = V_CLEAN;

	for (size_t i = 0; i < cl->n; i++) {
		const char *c = cl->f[i].cls;
		enum zd_verdict fv = V_FAIL;

		for (int id = 0; id < P_NR; id++)
			if (pats[id].cls && !strcmp(pats[id].cls, c))
				fv = pats[id].sev == S_CRASH ? V_CRASH :
				     pats[id].sev == S_HANG ? V_HANG : V_FAIL;
		if (fv > v || (v == V_INFRA))
			v = fv;
	}
	if (v == V_CLEAN && timeout) {
		/* No kernel output at all is QEMU's problem, not the kernel's. */
		if (!cl->kernel_started)
			v = V_INFRA;
		else if (!strcmp(timeout, "boot") && !cl->reached_init)
			v = V_CRASH;
		else if (!strcmp(timeout, "boot"))
			v = V_INFRA;
		else
			v = V_HANG;
	} else if (v < V_HANG && timeout && strcmp(timeout, "boot")) {
		v = V_HANG;
	}
	if (v == V_CLEAN && cl->kernel_started && !cl->reached_init)
		v = V_CRASH; /* a boot that never reached init */
	if (v == V_CLEAN && !cl->kernel_started)
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
	}
	free(cl->f);
	memset(cl, 0, sizeof(*cl));
}
