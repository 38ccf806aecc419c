// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel console classifier (PCRE2). Streams the log line by line, so memory
 * stays flat however long it is; tolerates CRLF, NULs and binary garbage.
 * Signatures are lkp-style keys with addresses, numbers and PIDs dropped;
 * each finding also carries the key lkp-tests would give its line.
 *
 * The shapes come from the kernel's own report printers (Linux 6.12 unless
 * said otherwise): kernel/panic.c, lib/dump_stack.c, arch/x86/kernel/
 * dumpstack.c + traps.c + mm/fault.c, arch/arm64/kernel/traps.c + mm/fault.c,
 * arch/powerpc/kernel/traps.c + mm/fault.c, arch/s390/kernel/dumpstack.c,
 * arch/riscv/kernel/traps.c + process.c, kernel/locking/lockdep.c,
 * kernel/sched/core.c, lib/ubsan.c, mm/kasan/report.c, mm/kfence/report.c,
 * mm/kmsan/report.c, mm/kmemleak.c, lib/list_debug.c, kernel/watchdog.c,
 * kernel/hung_task.c, kernel/rcu/tree_stall.h, mm/oom_kill.c, mm/slub.c.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#define _GNU_SOURCE
#include "classify.h"
#include "nmisample.h"

#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 4096
#define BLOCK (1 << 16)
#define HEAD_LINES 40	/* an oops header and its die() line are this close */
#define PC_LINES 60	/* ... and the faulting pc follows within this */

enum sev { S_FAIL, S_HANG, S_CRASH, S_NOTE, S_SKIP, S_OOM };

/* What a finding's key still waits for (finding.want). */
enum want {
	W_NONE,
	W_PC,		/* the faulting pc; else the first reliable frame */
	W_GUILTY,	/* the first reliable frame that is not a helper */
	W_SITE,		/* lockdep: the "at:" site or file; else as W_GUILTY */
	W_VICTIM,	/* OOM: the killed process */
};

enum pat_id {
	P_PANIC_END, P_USER, P_PANIC, P_KASAN, P_KFENCE, P_KMSAN, P_KCSAN,
	P_UBSAN, P_LOCKDEP, P_SLEEP, P_SCHED_ATOMIC, P_NULL, P_PAGE_FAULT,
	P_KBUG, P_DIE, P_LIST, P_PCPU, P_PCPU2, P_WARNING, P_HUNG,
	P_SOFTLOCKUP, P_HARDLOCKUP, P_WQ_LOCKUP, P_RCU, P_BADPAGE, P_BADMAP,
	P_BADRSS, P_REFCOUNT, P_VMBUG, P_KMEMLEAK, P_KMEMLEAK_SUM, P_OOM,
	P_OOM_KILL, P_SLUB, P_BUG,
	/* not findings of their own */
	P_PC, P_FRAME, P_SITE, P_RCU_FILE, P_PHASE, P_INIT, P_LINUX, P_NR
};

/*
 * Matched against the message, after the printk prefix (time stamp, caller
 * id, syslog level, journal or dmesg -x prefix) is cut off. The first that
 * matches wins, so specific shapes come before general ones; "^" anchors
 * the words BUG and WARNING to the start of a message, where the kernel's
 * report printers put them (the same words inside ordinary messages are no
 * report).
 */
static const struct {
	const char *re;
	const char *cls;
	enum sev sev;
} pats[P_NR] = {
	/* kernel/panic.c closes a panic with its message again */
	[P_PANIC_END] = { "^---\\[ end Kernel panic", NULL, S_SKIP },
	/*
	 * User-space faults the kernel merely logs: x86 traps.c show_signal
	 * ("traps: PROG[PID] general protection fault ip:..", "trap divide
	 * error"), x86 mm/fault.c ("PROG[PID]: segfault at"), arm64 traps.c
	 * ("PROG[PID]: unhandled exception"), riscv ("unhandled signal").
	 */
	[P_USER] = { "^(?:traps: )?\\S+\\[\\d+\\]:? (?:trap |general protection|segfault|unhandled |potentially unexpected)", NULL, S_SKIP },
	[P_PANIC] = { "Kernel panic - not syncing: ?(?<msg>.*)", "PANIC", S_CRASH },
	/* mm/kasan/report.c; a mail client may wrap before "in FUNC" */
	/* 4.x said "BUG: KASan: use after free in FUNC+off/len at addr ..." */
	[P_KASAN] = { "BUG: KAS(?:AN|an):(?: (?<msg>use after free|[\\w-]+)(?: (?:in|on) (?<func>[\\w.]+))?)?",
		      "KASAN", S_CRASH },
	[P_KFENCE] = { "BUG: KFENCE:(?: (?<msg>[\\w -]+?)(?: in (?<func>[\\w.]+)|\\s*$))?", "KFENCE", S_CRASH },
	[P_KMSAN] = { "BUG: KMSAN:(?: (?<msg>[\\w-]+)(?: in (?<func>[\\w.]+))?)?", "KMSAN", S_CRASH },
	[P_KCSAN] = { "BUG: KCSAN: (?<msg>[\\w-]+)(?: in (?<func>[\\w.]+(?: / [\\w.]+)?))?", "KCSAN", S_FAIL },
	/* lib/ubsan.c: 6.x "UBSAN: KIND in FILE:L:C", 4.x/5.x "Undefined behaviour" */
	[P_UBSAN] = { "UBSAN: (?<msg>[\\w -]+?) in (?<file>[^\\s:]+)", "UBSAN", S_FAIL },
	/* kernel/locking/lockdep.c report titles; 4.x "[ INFO: ... ]" */
	[P_LOCKDEP] = { "(?:^|\\[ )(?:WARNING|INFO|BUG): (?<msg>possible circular locking dependency|possible recursive locking|inconsistent lock state|suspicious RCU usage|possible irq lock inversion dependency|\\S+-safe -> \\S+-unsafe lock order|bad unlock balance|held lock freed|lock held when returning to user space|lock held at task exit time|Nested lock was not taken|bad contention|Invalid wait context|chain_key collision|trying to register non-static key|\\S+ still has locks held|MAX_\\w+ too low|looking up invalid subclass)", "LOCKDEP", S_FAIL },
	/* kernel/sched/core.c __might_resched, __schedule_bug */
	[P_SLEEP] = { "BUG: sleeping function called from invalid context(?: at (?<file>[^\\s:]+))?", "SLEEP_IN_ATOMIC", S_FAIL },
	[P_SCHED_ATOMIC] = { "BUG: scheduling while atomic", "SCHED_ATOMIC", S_FAIL },
	/* x86 5.x+/4.x, powerpc, arm64/riscv/arm die_kernel_fault, mips */
	[P_NULL] = { "BUG: (?:unable to handle )?[Kk]ernel NULL pointer dereference|Unable to handle kernel NULL pointer dereference", "NULL_DEREF", S_CRASH },
	[P_PAGE_FAULT] = { "BUG: [Uu]nable to handle |^(?:CPU \\d+ )?Unable to handle kernel ", "PAGE_FAULT", S_CRASH },
	[P_KBUG] = { "kernel BUG at (?<file>[^:]+):\\d+!", "KERNEL_BUG", S_CRASH },
	/*
	 * die() on every architecture, with its counter "[#N]": x86 6.x
	 * "Oops: STR: ERR [#N]", x86 4.x/5.x "STR: ERR [#N]", arm64/arm
	 * "Internal error: STR: ESR [#N]", powerpc "Oops: STR, sig: N [#N]",
	 * s390 "STR: CODE ilc:N [#N]", riscv "STR [#N]", mips "STR[#N]:".
	 */
	[P_DIE] = { "^(?:Internal error: |Oops: )?(?<msg>[A-Za-z][^\\[]*?)(?:: [0-9a-f]{1,16}(?: ilc:\\d)?|, sig: \\d+) \\[#\\d+\\]|^(?<msg>Oops(?: - [^\\[]+?)?|Kernel BUG) \\[#\\d+\\]|^(?<msg>[A-Z][\\w -]*?)\\[#\\d+\\]:$", "OOPS", S_CRASH },
	/* lib/list_debug.c, through CHECK_DATA_CORRUPTION (a WARN or a BUG) */
	[P_LIST] = { "(?<msg>list_(?:add|del)) corruption", "LIST_CORRUPTION", S_FAIL },
	[P_PCPU] = { "percpu ref \\((?<func>[^)]*)\\) <= 0 \\(-?\\d+\\) after switching to atomic", "PCPU_UNDERFLOW", S_FAIL },
	[P_PCPU2] = { "percpu_ref_switch_to_atomic_rcu\\(\\): percpu_ref underflow", "PCPU_UNDERFLOW_LINE", S_NOTE },
	/*
	 * kernel/panic.c __warn: "WARNING: CPU: N PID: N at FILE:LINE FUNC+off"
	 * (FILE absent without CONFIG_DEBUG_BUGVERBOSE), 2.6/3.x "WARNING: at
	 * FILE:LINE FUNC()", and the later "WARNING: FILE:LINE at FUNC, CPU#N".
	 */
	[P_WARNING] = { "WARNING: (?:CPU: \\d+ PID: \\d+ at |at )(?:(?<file>[^\\s:]+):\\d+(?: (?<func>[\\w.]+)\\+0x)?|(?<func>[\\w.]+)\\+0x|0x[0-9a-f]+|\\S+$)|WARNING: (?<file>[^\\s:]+):\\d+ at (?<func>[\\w.]+)\\+0x", "WARNING", S_FAIL },
	[P_HUNG] = { "INFO: task (?<msg>.+?):\\d+ blocked for more than \\d+ seconds", "HUNG_TASK", S_HANG },
	[P_SOFTLOCKUP] = { "BUG: soft lockup - CPU#\\d+ stuck for \\d+s! \\[(?<msg>.+?):\\d+\\]", "SOFT_LOCKUP", S_HANG },
	[P_HARDLOCKUP] = { "Watchdog detected hard LOCKUP on cpu", "HARD_LOCKUP", S_HANG },
	[P_WQ_LOCKUP] = { "BUG: workqueue lockup - pool", "WQ_LOCKUP", S_HANG },
	/* 4.x "INFO: rcu_sched ...", 5.x+ "rcu: INFO: rcu_sched ..." */
	[P_RCU] = { "INFO: (?<msg>\\w+) (?:detected stalls|detected expedited stalls|self-detected stall)", "RCU_STALL", S_HANG },
	[P_BADPAGE] = { "BUG: Bad page state in process (?<msg>\\S+)", "BAD_PAGE_STATE", S_FAIL },
	[P_BADMAP] = { "BUG: Bad page map in process (?<msg>\\S+)", "BAD_PAGE_MAP", S_FAIL },
	/* kernel/fork.c check_mm: 6.x "type:MM_ANONPAGES", 4.x/5.x "idx:1" */
	[P_BADRSS] = { "BUG: Bad rss-counter state mm:\\S+ (?:type|idx):(?<msg>\\S+)", "BAD_RSS_COUNTER", S_FAIL },
	[P_REFCOUNT] = { "refcount_t: (?<msg>[a-z ;-]+)", "REFCOUNT_T", S_FAIL },
	[P_VMBUG] = { "page dumped because: (?<msg>VM_(?:BUG|WARN)_ON\\w*)", "VM_BUG_ON", S_FAIL },
	[P_KMEMLEAK] = { "^unreferenced object 0x[0-9a-f]+ \\(size \\d+\\):", "KMEMLEAK", S_FAIL },
	[P_KMEMLEAK_SUM] = { "kmemleak: \\d+ new suspected memory leaks", "KMEMLEAK", S_FAIL },
	/* mm/oom_kill.c */
	[P_OOM] = { "invoked oom-killer: ", "OOM", S_OOM },
	[P_OOM_KILL] = { "[Oo]ut of memory(?: \\(oom_kill_allocating_task\\))?: Kill(?:ed)? process \\d+ \\((?<msg>[^)]*)\\)|Out of memory and no killable processes", "OOM", S_OOM },
	/* mm/slub.c slab_bug: "BUG CACHE (Not tainted): MESSAGE" */
	[P_SLUB] = { "^BUG (?<file>[\\w-]+) \\((?:Not tainted|Tainted: [^)]*)\\): (?<msg>.+)", "SLUB", S_FAIL },
	/* any other report a kernel printer starts with "BUG: " */
	[P_BUG] = { "^BUG: (?<msg>[^:\\[]+?)(?: at |:|\\[|$)", "BUG", S_FAIL },
	/*
	 * The faulting pc: x86 "RIP: 0010:FUNC" (4.x "RIP: 0010:[<a>] [<a>]
	 * FUNC"), i386 "EIP: FUNC", arm64 and riscv "pc : FUNC" / "epc : FUNC",
	 * arm "PC is at FUNC", powerpc "NIP [a] FUNC", s390 "Krnl PSW : m a
	 * (FUNC", mips "epc   : a FUNC"; 3.x "IP: [<a>] FUNC"; Xen PV's "RIP:
	 * e030:"; decode_stacktrace.sh's "FUNC (FILE:LINE)" for "FUNC+off/len".
	 */
	[P_PC] = { "(?:^\\s*e?pc\\s*: (?:[0-9a-f]{8,16} )?|RIP: [0-9a-f]{4}:(?:\\[<[0-9a-f]+>\\]\\s+\\[<[0-9a-f]+>\\]\\s+)?|^IP: (?:\\[<[0-9a-f]+>\\] )?|EIP: (?:[0-9a-f]{4}:\\[<[0-9a-f]+>\\] )?|EIP is at |PC is at |^NIP \\[[0-9a-f]+\\] |Krnl PSW : [0-9a-f]+ [0-9a-f]+ \\()\\.?(?<func>[\\w.]+)(?:\\+0x| \\([\\w./-]+\\.[chS]:\\d+)", NULL, S_NOTE },
	/*
	 * A stack frame: "FUNC+off/len", after "[<addr>]" (x86 4.x, arm64
	 * 4.x, riscv, s390, kmemleak) or "[sp] [addr]" (powerpc); "? " and
	 * powerpc's "(unreliable)" mark frames the unwinder is not sure of;
	 * arm's "[<a>] (FUNC+off/len) from [<a>] (CALLER...)" (6.x: "FUNC from
	 * CALLER+off/len") is FUNC's frame;
	 * decode_stacktrace.sh prints "FUNC (FILE:LINE)" instead of offsets.
	 */
	[P_FRAME] = { "^\\s*(?:\\(?\\[<?[0-9a-f]+>?\\]\\s*){0,2}(?<q>\\? )?\\.?(?<func>[\\w.]+)\\+0x[0-9a-f]+/0x[0-9a-f]+(?<tail>.*)|^\\s*\\[<[0-9a-f]+>\\] \\((?<func>[\\w.]+)[^)]*\\) from |^\\s*(?<q>\\? )?(?<func>[\\w.]+) \\([\\w./-]+\\.[chS]:\\d+(?<tail>.*)|^\\s*(?<func>[\\w.]+) from [\\w.]+\\+0x", NULL, S_NOTE },
	/* lockdep: "ADDR (LOCK){....}, at: FUNC+off/len" */
	[P_SITE] = { ", at: (?:\\[<[0-9a-f]+>\\] )?(?<func>[\\w.]+)\\+0x", NULL, S_NOTE },
	/* lockdep_rcu_suspicious: "FILE:LINE MESSAGE!" */
	[P_RCU_FILE] = { "^(?:\\./)?(?<file>[\\w./+-]+\\.[chS]):\\d+ ", NULL, S_NOTE },
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

static void needles_init(void);

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
	needles_init();
	for (int i = 0; i < P_NR; i++) {
		const char *pat = test_override[i] ? test_override[i] : pats[i].re;

		re[i] = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_DUPNAMES,
				      &err, &off, cctx);
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

/* A named group of the last match (the first set one of duplicate names). */
static char *group(int id, const char *s, const char *name)
{
	PCRE2_UCHAR *buf;
	PCRE2_SIZE len;
	char *out;

	(void)id;
	(void)s;
	if (pcre2_substring_get_byname(md, (PCRE2_SPTR)name, &buf, &len))
		return NULL;
	out = len ? xstrdup((char *)buf) : NULL;
	pcre2_substring_free(buf);
	return out;
}

/* Drop hex, digits and PIDs so the same failure always gives the same key. */
static void normalise(char *s)
{
	char *w = s;
	bool name_digits = false;	/* in a run of digits that ends a name */

	for (char *r = s; *r; r++) {
		if (r[0] == '0' && r[1] == 'x') {
			r++;
			while (isxdigit((unsigned char)r[1]))
				r++;
			name_digits = false;
			continue;
		}
		/*
		 * Numbers go (line numbers, CPUs, PIDs, counts); digits in a
		 * name stay: bch2_trans_init is not bch_trans_init, nor x86 x.
		 */
		if (isdigit((unsigned char)*r)) {
			if (name_digits || (w > s && (isalpha((unsigned char)w[-1]) || w[-1] == '_'))) {
				*w++ = *r;
				name_digits = true;
			}
			continue;
		}
		name_digits = false;
		*w++ = isspace((unsigned char)*r) ? '_' : *r;
	}
	*w = '\0';
	while (w > s && (w[-1] == '_' || w[-1] == ':'))
		*--w = '\0';
}

/* A message part of a key: bare hex words (addresses printed with %px,
 * "mm:000000000fb13173") go too, then as normalise(). */
static char *msg_part(const char *m)
{
	char *out = xstrdup(m ? m : ""), *w = out;

	for (const char *r = out; *r;) {
		size_t n = 0;
		bool digit = false;

		while (isxdigit((unsigned char)r[n])) {
			digit |= isdigit((unsigned char)r[n]);
			n++;
		}
		if (n >= 8 && digit && (r == out || !isalnum((unsigned char)r[-1])) &&
		    !isalnum((unsigned char)r[n]) && r[n] != '_') {
			r += n;
			continue;
		}
		if (!n)
			n = 1;
		memmove(w, r, n);
		w += n;
		r += n;
	}
	*w = '\0';
	normalise(out);
	return out;
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
	if (str_starts(f, "./"))
		memmove(f, f + 2, strlen(f + 2) + 1);
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
		/* the same waits under their 4.x/5.x names, and decoded
		 * stacks' inlined frames: one key across versions */
		"wait_for_common", "do_wait_for_common", "__mutex_lock_common",
		"__schedule_loop", "context_switch", "io_schedule_timeout",
		"schedule_timeout_uninterruptible", "rwsem_down_read_failed",
		"rwsem_down_write_failed", "mutex_lock_killable",
		"mutex_lock_interruptible", "__down", "__down_common", "down",
		"wait_for_completion_timeout", "wait_for_completion_io",
		"wait_for_completion_interruptible", "bit_wait", "bit_wait_io",
		"__wait_on_bit", "out_of_line_wait_on_bit", "folio_wait_bit_common",
		"__folio_lock", "__lock_page", "wait_on_page_bit_common",
		"percpu_rwsem_wait", "__percpu_down_read",
	};

	for (size_t i = 0; i < ARRAY_SIZE(boring); i++)
		if (!strcmp(f, boring[i]))
			return true;
	return false;
}

/*
 * Frames of the reporting machinery itself, never the guilty function of a
 * UBSAN, lockdep, sleep-in-atomic, kmemleak or list report: the stack
 * dumpers, the sanitizers' runtimes, lockdep, the might_sleep checks, the
 * scheduler and sleeping locks, the allocators (a leak is the caller's),
 * the list checkers and the exception entry that reports a BUG().
 */
static bool helper_frame(const char *f)
{
	static const char *const exact[] = {
		"die", "__die", "panic", "do_trap", "do_error_trap", "report_bug",
		"handle_bug", "bug_handler", "call_break_hook", "brk_handler",
		"validate_chain", "kfree", "msleep", "schedule", "cond_resched",
		"create_object", "strndup_user", "kasprintf", "kvasprintf",
		"unwind_backtrace",
	};
	static const char *const prefix[] = {
		"dump_stack", "__dump_stack", "show_stack", "dump_backtrace",
		"show_trace", "sched_show_task", "__warn", "warn_", "exc_",
		"asm_exc_", "el1_", "el1h_", "do_el1_", "__ubsan_", "ubsan_",
		"__asan_", "__hwasan_", "kasan_", "__kasan", "kmsan_", "__msan_",
		"kfence_", "__kfence", "__kcsan", "kcsan_", "lockdep_", "lock_acquire",
		"lock_release", "__lock_", "lock_acquired", "lock_contended",
		"print_", "check_", "mark_lock", "mark_usage", "mark_held_locks",
		"debug_check_", "rcu_lockdep", "__might_", "___might_", "might_",
		"__cant_", "__schedule", "schedule_", "preempt_schedule",
		"__cond_resched", "_cond_resched", "io_schedule", "usleep_range",
		"do_nanosleep", "__mutex_lock", "mutex_lock", "__down", "down_",
		"rwsem_", "_raw_", "__raw_", "do_raw_", "spin_lock", "rt_spin",
		"rt_mutex", "__rt_mutex", "kmemleak_", "__kmalloc", "kmalloc",
		"kmem_cache_alloc", "__kmem_cache_alloc", "slab_", "__slab",
		"___slab", "kzalloc", "kcalloc", "kvmalloc", "__kvmalloc",
		"kvzalloc", "kvcalloc", "krealloc", "__krealloc", "kstrdup",
		"kstrndup", "kmemdup", "__do_kmalloc", "__alloc_pages",
		"alloc_pages", "__get_free_pages", "__vmalloc", "vmalloc",
		"vzalloc", "memdup_user", "__list_add_valid", "__list_del_entry_valid",
		"list_add", "list_del", "__list_add", "__list_del",
		"stack_trace_", "arch_stack_walk", "wait_for_completion",
		"__wait_for_common", "wait_for_common", "refcount_warn",
	};

	for (size_t i = 0; i < ARRAY_SIZE(exact); i++)
		if (!strcmp(f, exact[i]))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(prefix); i++)
		if (str_starts(f, prefix[i]))
			return true;
	return false;
}

struct state {
	char *phase;
	ssize_t collect;	/* finding whose stack is being read, or -1 */
	unsigned int frames, collect_lines;
	bool top_set;		/* hung task key got its first real frame */
	bool skip_frame;	/* the next frame is a lockdep "... at:" site */
	bool site_open;		/* lockdep: no frame yet, "at:" sites count */
	bool backtrace;		/* lockdep: "stack backtrace:" seen, frames count */
	ssize_t head;		/* oops header a die() line belongs to */
	unsigned long head_line;
	ssize_t pending_pc;	/* finding awaiting the faulting pc */
	unsigned long pc_line;
	ssize_t await_msg;	/* 4.x layout: WARNING first, message next */
	ssize_t await_func;	/* header wrapped before its function */
	ssize_t await_ubsan;	/* UBSAN "Undefined behaviour": kind next */
	unsigned long stamped;	/* lines with a printk prefix so far */
	struct sbuf cut_msg;	/* 6.x layout: message between cut and WARNING */
	ssize_t join_idx;	/* sanitizer header cut short: join the next line */
	int join_id;
	struct sbuf join;
	bool in_cut;
};

/*
 * (key, phase) -> finding, so that spotting a repeated report costs O(1)
 * a line instead of a scan of every finding (50,000 distinct warnings took
 * 10 s): open addressing over finding indices. An entry is only a hint:
 * a lookup checks the finding it names still has that key and phase and
 * is settled (want == W_NONE), so a key changed by set_key leaves a stale
 * entry behind that costs nothing; removing or moving findings marks the
 * table dirty, and the next lookup rebuilds it.
 */
struct cl_index {
	size_t cap, used;	/* cap a power of two; used counts entries */
	size_t *slot;		/* 1 + finding index, 0: empty */
	bool dirty;
};

static uint64_t idx_hash(const char *key, const char *phase)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0x1f) * 1099511628211ull;
	for (const char *p = phase; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

static void idx_insert(struct cl_index *x, const struct classification *cl, size_t i)
{
	size_t b = idx_hash(cl->f[i].key, cl->f[i].phase) & (x->cap - 1);

	while (x->slot[b])
		b = (b + 1) & (x->cap - 1);
	x->slot[b] = i + 1;
	x->used++;
}

static void idx_rebuild(struct classification *cl, size_t cap)
{
	struct cl_index *x = cl->index;

	free(x->slot);
	x->cap = cap;
	x->used = 0;
	x->slot = xcalloc(cap, sizeof(size_t));
	x->dirty = false;
	for (size_t i = 0; i < cl->n; i++)
		idx_insert(x, cl, i);
}

/* Note finding i under its current key (after add or set_key). */
static void idx_put(struct classification *cl, size_t i)
{
	struct cl_index *x = cl->index;

	if (!x)
		x = cl->index = xcalloc(1, sizeof(*x));
	if (x->dirty || 2 * (x->used + 1) > x->cap) {
		size_t cap = x->cap ? x->cap : 64;

		while (2 * (cl->n + 1) > cap)
			cap *= 2;
		idx_rebuild(cl, cap * 2);
		return; /* the rebuild took every finding, i too */
	}
	idx_insert(x, cl, i);
}

/* Findings were removed or moved: entries point at the wrong ones. */
static void idx_dirty(struct classification *cl)
{
	if (cl->index)
		cl->index->dirty = true;
}

/* A settled finding other than skip with this key and phase: its index, or -1. */
static ssize_t idx_find(struct classification *cl, const char *key, const char *phase,
			size_t skip)
{
	struct cl_index *x = cl->index;
	size_t b;

	if (!x || !x->cap)
		return -1;
	if (x->dirty)
		idx_rebuild(cl, x->cap);
	for (b = idx_hash(key, phase) & (x->cap - 1); x->slot[b]; b = (b + 1) & (x->cap - 1)) {
		size_t j = x->slot[b] - 1;

		if (j < cl->n && j != skip && !cl->f[j].want && !strcmp(cl->f[j].key, key) &&
		    !strcmp(cl->f[j].phase, phase))
			return (ssize_t)j;
	}
	return -1;
}

static void idx_free(struct classification *cl)
{
	if (cl->index)
		free(cl->index->slot);
	free(cl->index);
	cl->index = NULL;
}

static struct finding *add(struct classification *cl, const char *cls,
			   const char *key, const struct state *st,
			   const char *line, enum zd_verdict v)
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
	f->verdict = v;
	idx_put(cl, cl->n - 1);
	return f;
}

static void set_key(struct classification *cl, struct finding *f, const char *key)
{
	free(f->key);
	f->key = xstrdup(key);
	idx_put(cl, f - cl->f);
}

static void set_str(char **p, const char *s)
{
	free(*p);
	*p = s ? xstrdup(s) : NULL;
}

/* The key is BASE + a function found later, or FALLBACK without one. */
static void defer_key(struct finding *f, int want, const char *base,
		      const char *fallback)
{
	f->want = want;
	set_str(&f->base, base);
	set_str(&f->fallback, fallback);
}

static void stop_collect(struct state *st)
{
	st->collect = -1;
	st->frames = 0;
	st->collect_lines = 0;
	st->top_set = false;
	st->skip_frame = false;
	st->site_open = false;
	st->backtrace = false;
}

static void free_finding(struct finding *f)
{
	free(f->cls);
	free(f->key);
	free(f->lkp_key);
	free(f->phase);
	free(f->detail);
	free(f->stack);
	free(f->msg);
	free(f->base);
	free(f->fallback);
	free(f->fn);
	free(f->guilty);
}

/* Frames after a finding form its stack; a hung task's key names the first
 * frame that is not the scheduler or a generic wait. */
static bool on_frame(struct classification *cl, struct state *st, const char *s,
		     size_t len)
{
	struct finding *f;
	char *fn, *tmp, *tail, *q;
	bool unreliable;

	if (st->collect < 0)
		return false;
	f = &cl->f[st->collect];
	/* lockdep's dependency chains can run to hundreds of lines before
	 * its "stack backtrace:"; other reports' stacks follow at once */
	if (++st->collect_lines > (f->want == W_SITE ? 1000U : 80U) ||
	    strstr(s, "---[ end trace") || strstr(s, "</TASK>")) {
		stop_collect(st);
		return false;
	}
	if (!match(P_FRAME, s, len))
		return false;
	fn = group(P_FRAME, s, "func");
	tail = group(P_FRAME, s, "tail");
	q = group(P_FRAME, s, "q");
	unreliable = q || (tail && strstr(tail, "(unreliable)")) || s[strspn(s, " ")] == '(';
	free(tail);
	free(q);
	if (!fn)
		return true;
	strip_clone_suffix(fn);
	st->site_open = false;
	if (st->skip_frame) {
		/* "Preemption disabled at:", "is trying to release lock at:" */
		st->skip_frame = false;
		free(fn);
		return true;
	}
	if (unreliable) {
		/* "? func": a stale return address, not part of the stack */
		free(fn);
		return true;
	}
	if (st->frames++ < 12) {
		tmp = f->stack ? xasprintf("%s<%s", f->stack, fn) : xstrdup(fn);
		free(f->stack);
		f->stack = tmp;
	}
	/* lockdep prints other tasks' dependency chains before its own
	 * "stack backtrace:"; only that one is the reporting task's */
	if (!f->guilty && !helper_frame(fn) && (f->want != W_SITE || st->backtrace))
		f->guilty = xstrdup(fn);
	if (!strcmp(f->cls, "HUNG_TASK") && !st->top_set && !boring_frame(fn)) {
		tmp = xasprintf("INFO:task_blocked:%s", fn);
		st->top_set = true;
		/* several tasks blocked in the same place: one finding */
		if ((size_t)st->collect == cl->n - 1 &&
		    idx_find(cl, tmp, f->phase, st->collect) >= 0) {
			free_finding(f);
			cl->n--;
			idx_dirty(cl);
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

/* The faulting pc names the function of an oops on every architecture. */
static bool on_pc(struct classification *cl, struct state *st, const char *s,
		  size_t len)
{
	char *fn;

	if (st->pending_pc < 0)
		return false;
	if (cl->lines - st->pc_line > PC_LINES) {
		st->pending_pc = -1;
		return false;
	}
	if (!match(P_PC, s, len))
		return false;
	fn = group(P_PC, s, "func");
	strip_clone_suffix(fn);
	if (fn)
		set_str(&cl->f[st->pending_pc].fn, fn);
	free(fn);
	st->pending_pc = -1;
	return true;
}

static bool boilerplate(const char *s)
{
	static const char *const skip[] = {
		"Modules linked in", "CPU:", "Hardware name", "RIP:", "Call Trace",
		"Call trace:", "Tainted:", "---[", "RSP:", "Code:",
	};
	const char *p = s;

	while (*p == ' ')
		p++;
	for (size_t i = 0; i < ARRAY_SIZE(skip); i++)
		if (str_starts(p, skip[i]))
			return true;
	return !*p;
}

/*
 * The printk prefix of a console line: "<4>", "[  12.345678]" (also
 * "[Mon Dec  1 ...]" from dmesg -T), a caller id "[    T1]" / "[ C0]",
 * "kern  :err   : " (dmesg -x), "Mon DD HH:MM:SS host kernel: " (the
 * journal). Returns where the message starts; *kern says a prefix was seen.
 */
/* The end of a "[...]" printk prefix at P, or NULL: a time stamp
 * "[   12.345678]" (or a serial logger's date and time), a caller id
 * "[    T1]" / "[  C0]", or dmesg -T's "[Mon Dec  1 00:00:00 2025]". */
static const char *bracket_prefix(const char *p)
{
	const char *q = p + 1, *e = memchr(p, ']', strnlen(p, 40));

	if (*p != '[' || !e)
		return NULL;
	if (e - q == 24 && q[13] == ':' && q[16] == ':')
		return e + 1;
	q += strspn(q, " ");
	if (*q == 'T' || *q == 'C') {
		q++;
		if (!isdigit((unsigned char)*q))
			return NULL;
		q += strspn(q, "0123456789");
		return q == e ? e + 1 : NULL;
	}
	/* "[   12.345678]", and loggers' "[2021/07/05, 13:43:52.334]" */
	if (!isdigit((unsigned char)*q))
		return NULL;
	q += strspn(q, "0123456789 .:/,-");
	return q == e ? e + 1 : NULL;
}

/*
 * The printk prefix of a console line: "<4>", "[  12.345678]" (also
 * dmesg -T's date), a caller id "[    T1]" / "[ C0]", "kern  :err   : "
 * (dmesg -x), "Mon DD HH:MM:SS host kernel: " (the journal). Returns where
 * the message starts; *kern says a prefix was seen.
 */
static const char *msg_start(const char *s, bool *kern)
{
	const char *p = s + strspn(s, " \t"), *k, *c, *e;

	*kern = false;
	/* a console pasted with an indent: "        [  12.3] ..." */
	if (*p != '[' && *p != '<')
		p = s;
	/*
	 * A logger's own prefix before the printk one: "16:56:35 [   82.6] "
	 * (a CI job's time), "... vcpu-5 - Guest: <6>[   3.2] " (VMware's
	 * vmware.log). Only a printk time stamp "[ SECONDS.USEC]" is taken as
	 * the start, within the first 120 bytes.
	 */
	if (*p != '[' && *p != '<') {
		const char *lim = p + strnlen(p, 120);

		for (const char *q = p; (q = memchr(q, '[', lim - q)); q++) {
			const char *t = q + 1 + strspn(q + 1, " "), *d;

			if (!isdigit((unsigned char)*t))
				continue;
			d = t + strspn(t, "0123456789");
			if (*d != '.' || !isdigit((unsigned char)d[1]) ||
			    d[1 + strspn(d + 1, "0123456789")] != ']')
				continue;
			p = q - p >= 3 && q[-3] == '<' && isdigit((unsigned char)q[-2]) &&
			    q[-1] == '>' ? q - 3 : q;
			break;
		}
	}
	if (p[0] == '<' && isdigit((unsigned char)p[1]) && p[2] == '>') {
		p += 3;
		*kern = true;
	}
	if (!strncmp(p, "kern  :", 7) && strlen(p) >= 15 && p[13] == ':') {
		p += 14;
		*kern = true;
		while (*p == ' ')
			p++;
	}
	/* the journal: a date in any language, "HH:MM:SS", a host, "kernel: " */
	if (*p != '[' && (k = memmem(p, strnlen(p, 96), " kernel: ", 9))) {
		for (c = p; (c = memchr(c, ':', k - c)); c++) {
			if (c - p >= 2 && isdigit((unsigned char)c[-1]) &&
			    isdigit((unsigned char)c[-2]) && isdigit((unsigned char)c[1])) {
				p = k + 9;
				*kern = true;
				break;
			}
		}
	}
	/* /dev/kmsg records: "LEVEL,SEQ,USEC,FLAGS;MESSAGE" */
	if (isdigit((unsigned char)p[0]) && p[1] == ',') {
		const char *q = p + 2 + strspn(p + 2, "0123456789");

		if (*q == ',') {
			q++;
			q += strspn(q, "0123456789");
			if (*q == ',' && (e = memchr(q, ';', strnlen(q, 8)))) {
				p = e + 1;
				*kern = true;
			}
		}
	}
	for (int i = 0; i < 2 && (e = bracket_prefix(p)); i++) {
		p = e;
		*kern = true;
		if (*p == ' ')
			p++;
	}
	/* a journal exported with its own time stamps: "[ 1.2] kernel: " */
	if (*kern && !strncmp(p, "kernel: ", 8))
		p += 8;
	/* kmemleak.verbose=1 prints its reports through pr_warn, so behind
	 * its pr_fmt (mm/kmemleak.c): "kmemleak: unreferenced object",
	 * "kmemleak:     FUNC+off/len" */
	if (!strncmp(p, "kmemleak: ", 10) && (p[10] == ' ' || !strncmp(p + 10, "unreferenced", 12)))
		p += 10;
	return p;
}

static char *strip_ts(const char *s)
{
	bool kern;
	const char *p = msg_start(s, &kern);

	while (*p == ' ')
		p++;
	return xstrdup(p);
}

/* UBSAN's 4.x/5.x "Undefined behaviour in FILE" says the kind on the next
 * line; name it as 6.x does (lib/ubsan.c), so the key survives versions. */
static const char *ubsan_kind(const char *s)
{
	static const struct {
		const char *text, *kind;
	} kinds[] = {
		{ "shift exponent", "shift-out-of-bounds" },
		{ "left shift of", "shift-out-of-bounds" },
		{ "is out of range for type", "array-index-out-of-bounds" },
		{ "load of value", "invalid-load" },
		{ "negation of", "negation-overflow" },
		{ "division", "division-overflow" },
		{ "null pointer", "null-ptr-deref" },
		{ "misaligned address", "misaligned-access" },
		{ "insufficient space", "object-size-mismatch" },
		{ "__builtin_unreachable", "unreachable" },
		{ "unreachable program point", "unreachable" },
		{ "byte alignment", "alignment-assumption" },
		{ "signed integer overflow", "signed-integer-overflow" },
		{ "cannot be represented in type", "signed-integer-overflow" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strstr(s, kinds[i].text))
			return kinds[i].kind;
	return NULL;
}

/* kernel/fork.c check_mm printed the counter's index before 5.x names it
 * (include/linux/mm_types_task.h: FILE, ANON, SWAP, SHMEM). */
static const char *rss_type(const char *m)
{
	static const char *const names[] = {
		"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES",
	};

	if (m && isdigit((unsigned char)m[0]) && !m[1] && m[0] - '0' < 4)
		return names[m[0] - '0'];
	return m;
}

/* die() message to class: the same fault gets the same key whether 6.x
 * printed "Oops: " before it or 5.x did not. */
static const char *die_class(const char *m)
{
	if (strstr(m, "general protection fault"))
		return "GPF";
	return "OOPS";
}

static void on_finding(struct classification *cl, struct state *st, int id,
		       const char *s)
{
	char *a = group(id, s, "func"), *b = group(id, s, "file"), *m = group(id, s, "msg");
	char *key = NULL, *base = NULL, *fb = NULL, *mp;
	const char *cls = pats[id].cls;
	enum zd_verdict v = pats[id].sev == S_CRASH ? V_CRASH : pats[id].sev == S_HANG ? V_HANG : V_FAIL;
	int want = W_NONE;
	struct finding *f;

	strip_clone_suffix(a);
	normalise_path(b);
	if (id == P_PANIC && m && strchr(m, '.'))
		*strchr(m, '.') = '\0'; /* first sentence: hints vary */
	if (id == P_PCPU && a && strchr(a, ' '))
		*strchr(a, ' ') = '\0'; /* "dax_pmem_percpu_release [dax_pmem]" */
	if (id == P_LOCKDEP && m && strstr(m, " still has locks held"))
		memmove(m, strstr(m, "still"), strlen(strstr(m, "still")) + 1);
	if (id == P_BADRSS) {
		char *t = xstrdup(rss_type(m));

		free(m);
		m = t;
	}
	mp = msg_part(m);

	switch (id) {
	case P_WARNING:
		if (b && a)
			key = xasprintf("WARNING:at_%s:%s", b, a);
		else if (a)
			key = xasprintf("WARNING:at_%s", a);
		else if (b) {
			/* the function follows: wrapped onto the next line
			 * (4.x), or only in the pc (x86 RIP, arm64 pc) */
			key = xasprintf("WARNING:at_%s", b);
			base = xasprintf("WARNING:at_%s:", b);
			want = W_PC;
		} else {
			/* no file, no symbol: the pc names it */
			key = xstrdup("WARNING");
			base = xstrdup("WARNING:at_");
			want = W_PC;
		}
		break;
	case P_PCPU:
		key = xasprintf("percpu_ref_underflow:%s", a ? a : "?");
		break;
	case P_KASAN:
	case P_KFENCE:
	case P_KMSAN:
	case P_KCSAN:
		/* 4.x "use after free" is 6.x "use-after-free" (mm/kasan/report.c) */
		for (char *sp = mp; id == P_KASAN && (sp = strpbrk(sp, " _"));)
			*sp = '-';
		base = xasprintf("%s:%s_in_", cls, mp);
		for (char *sp = a; sp && (sp = strchr(sp, ' '));)
			*sp = '_'; /* KCSAN: "f / g" */
		if (a) {
			key = xasprintf("%s%s", base, a);
			free(base);
			base = NULL;
		} else {
			key = *mp ? xasprintf("%s:%s", cls, mp) : xstrdup(cls);
			want = W_GUILTY;
		}
		break;
	case P_UBSAN:
		if (!strcmp(mp, "Undefined_behaviour"))
			st->await_ubsan = cl->n;
		base = xasprintf("UBSAN:%s_in_", mp);
		key = xasprintf("UBSAN:%s_in_%s", mp, b ? b : "?");
		want = W_GUILTY;
		break;
	case P_LOCKDEP:
		base = xasprintf("LOCKDEP:%s:", mp);
		key = xasprintf("LOCKDEP:%s", mp);
		want = W_SITE;
		break;
	case P_SLEEP:
	case P_SCHED_ATOMIC:
	case P_KMEMLEAK:
	case P_LIST:
		base = m ? xasprintf("%s:%s:", cls, mp) : xasprintf("%s:", cls);
		key = b ? xasprintf("%s:%s", cls, b) : m ? xasprintf("%s:%s", cls, mp) : xstrdup(cls);
		want = W_GUILTY;
		break;
	case P_NULL:
	case P_PAGE_FAULT:
	case P_HARDLOCKUP:
		base = xasprintf("%s:", cls);
		key = xstrdup(cls);
		want = W_PC;
		break;
	case P_DIE:
		cls = die_class(m);
		if (!strcmp(cls, "GPF"))
			base = xstrdup("GPF:");
		else
			base = xasprintf("OOPS:%s:", mp);
		key = strndup(base, strlen(base) - 1);
		want = W_PC;
		break;
	case P_KMEMLEAK_SUM:
		key = xstrdup("KMEMLEAK:suspected_memory_leaks");
		break;
	case P_OOM:
	case P_OOM_KILL:
		key = xstrdup("OOM");
		base = xstrdup("OOM:");
		want = W_VICTIM;
		break;
	case P_SLUB:
		key = xasprintf("SLUB:%s", mp);
		break;
	default:
		/* message parts are normalised; paths and functions stay */
		if (b || a)
			key = xasprintf("%s:%s", cls, b ? b : a);
		else
			key = *mp ? xasprintf("%s:%s", cls, mp) : xstrdup(cls);
		break;
	}
	fb = key;
	f = add(cl, cls, key, st, s, v);
	stop_collect(st);
	if (f) {
		ssize_t idx = f - cl->f;

		if (want)
			defer_key(f, want, base, fb);
		if (id == P_OOM_KILL && m)
			set_str(&f->fn, m);
		st->collect = idx;
		st->site_open = id == P_LOCKDEP;
		if (id == P_WARNING && !a && b)
			st->await_func = idx;
		if ((id == P_KASAN || id == P_KFENCE || id == P_KMSAN) && !a) {
			/* a mail client wrapped the header: join the next line */
			const char *h = strstr(s, "BUG: K");

			st->join_idx = idx;
			st->join_id = id;
			sbuf_free(&st->join);
			sbuf_addstr(&st->join, h ? h : s);
		}
		if (id == P_WARNING && st->in_cut && st->cut_msg.len)
			f->msg = xstrdup(st->cut_msg.buf);
		else if (id == P_WARNING)
			st->await_msg = idx;
		if (want == W_PC) {
			st->pending_pc = idx;
			st->pc_line = cl->lines;
		} else {
			st->pending_pc = -1;
		}
		if (id == P_NULL || id == P_PAGE_FAULT || id == P_KBUG || id == P_LIST) {
			st->head = idx;
			st->head_line = cl->lines;
		} else {
			st->head = -1;
		}
	}
	if (id == P_WARNING)
		st->in_cut = false;
	free(key);
	free(base);
	free(mp);
	free(a);
	free(b);
	free(m);
}

/*
 * One failure, one finding: the die() line of an oops whose header was
 * just printed ("BUG: unable to handle page fault" then "Oops: Oops:",
 * "kernel BUG at" then "invalid opcode"), and the WARN or BUG that
 * CHECK_DATA_CORRUPTION prints for a list corruption, belong to that
 * header's finding. Returns true when the line was taken.
 */
static bool absorb(struct classification *cl, struct state *st, int id)
{
	struct finding *h;

	if (id == P_OOM_KILL) {
		/* "Killed process N (comm)" completes the oom-killer report */
		for (size_t i = cl->n; i-- > 0;) {
			if (!strcmp(cl->f[i].cls, "OOM") && !strcmp(cl->f[i].phase, st->phase)) {
				if (!cl->f[i].fn) {
					char *m = group(id, "", "msg");

					set_str(&cl->f[i].fn, m);
					free(m);
				}
				return true;
			}
		}
		return false;
	}
	if (id == P_LIST && cl->n && st->head < 0) {
		/* 4.x layout: the WARNING at lib/list_debug.c came first */
		h = &cl->f[cl->n - 1];
		if (cl->lines - h->line <= 10 && (!strcmp(h->cls, "WARNING") ||
		    !strcmp(h->cls, "KERNEL_BUG")) && strstr(h->key, "lib/list_debug.c")) {
			free(h->cls);
			h->cls = xstrdup("LIST_CORRUPTION");
			return false; /* the caller makes it the list finding */
		}
	}
	if (st->head < 0 || cl->lines - st->head_line > HEAD_LINES)
		return false;
	h = &cl->f[st->head];
	if (id == P_DIE) {
		h->verdict = V_CRASH;
		st->head = -1;
		return true;
	}
	if (!strcmp(h->cls, "LIST_CORRUPTION") && (id == P_WARNING || id == P_KBUG)) {
		if (id == P_KBUG)
			h->verdict = V_CRASH;
		st->in_cut = false;
		return true;
	}
	return false;
}

/* The 4.x list report whose WARNING came first: turn that finding into the
 * list corruption finding instead of adding a second one. */
static bool list_after_warning(struct classification *cl, struct state *st,
			       const char *s)
{
	struct finding *h;
	char *m, *base;

	if (!cl->n || strcmp(cl->f[cl->n - 1].cls, "LIST_CORRUPTION") || cl->f[cl->n - 1].want)
		return false;
	h = &cl->f[cl->n - 1];
	m = group(P_LIST, s, "msg");
	base = xasprintf("LIST_CORRUPTION:%s:", m ? m : "list");
	/* 4.x warned at the list user itself: "at lib/list_debug.c:62 FUNC" */
	if (strrchr(h->key, ':') && !helper_frame(strrchr(h->key, ':') + 1) &&
	    !strstr(strrchr(h->key, ':'), ".c"))
		set_str(&h->fn, strrchr(h->key, ':') + 1);
	free(h->fallback);
	h->fallback = strndup(base, strlen(base) - 1);
	set_key(cl, h, h->fallback);
	h->want = W_GUILTY;
	set_str(&h->base, base);
	st->head = h - cl->f;
	st->head_line = cl->lines;
	free(base);
	free(m);
	return true;
}

/*
 * Most console lines are none of our business: a cheap literal prefilter
 * keeps the regular expressions for lines that contain a trigger word.
 * Every pattern above contains one of these words. One pass over the line,
 * indexed by each word's first byte, instead of a strstr per word.
 */
static const char *const needles[] = {
	"BUG", "WARNING", "INFO:", "[#", "panic", "percpu", "UBSAN",
	"nable to handle", "corruption", "refcount_t", "page dumped",
	"zdbench:", "Run ", "Linux version", "cut here", "---[ end",
	"Freeing unused", "LOCKUP", "unreferenced object", "kmemleak:",
	"oom-killer", "ut of memory",
};
static signed char needle_at[256][4];	/* needles by first byte, -1 ends */
static unsigned char needle_len[ARRAY_SIZE(needles)];

static void needles_init(void)
{
	memset(needle_at, -1, sizeof(needle_at));
	for (size_t i = 0; i < ARRAY_SIZE(needles); i++) {
		signed char *l = needle_at[(unsigned char)needles[i][0]];

		while (*l >= 0)
			l++;
		*l = (signed char)i;
		needle_len[i] = strlen(needles[i]);
	}
}

static bool interesting(const struct state *st, const char *s)
{
	if (st->await_msg >= 0 || st->in_cut || st->collect >= 0 ||
	    st->await_func >= 0 || st->pending_pc >= 0 || st->await_ubsan >= 0 ||
	    st->join_idx >= 0)
		return true;
	for (const char *p = s; *p; p++) {
		const signed char *l = needle_at[(unsigned char)*p];

		for (; *l >= 0; l++)
			if (!strncmp(p, needles[*l], needle_len[*l]))
				return true;
	}
	return false;
}

/* A header a mail client wrapped: its function starts the next line,
 * alone ("FUNC+off/len") or after "in". */
static bool on_wrapped(struct classification *cl, ssize_t idx, const char *s,
		       size_t len)
{
	struct finding *f = &cl->f[idx];
	char *fn, *key;
	const char *p = s;

	while (*p == ' ')
		p++;
	if (str_starts(p, "in ") || str_starts(p, "on "))
		p += 3;
	if (!match(P_FRAME, p, len - (p - s)))
		return false;
	fn = group(P_FRAME, p, "func");
	strip_clone_suffix(fn);
	if (f->want) {
		/* KASAN/KFENCE/KMSAN "KIND in", WARNING "at FILE:LINE" */
		set_str(&f->fn, fn);
		free(fn);
		return true;
	} else {
		key = xasprintf("%s:%s", f->key, fn ? fn : "?");
	}
	set_key(cl, f, key);
	free(key);
	free(fn);
	return true;
}

/*
 * A KASAN/KFENCE/KMSAN header a mail client wrapped ("BUG: KASAN:" /
 * "use-after-free in FUNC", or "... in" / "FUNC+off/len"): read it with
 * the next line joined on. Returns true when the next line completed it.
 */
static bool rejoin(struct classification *cl, struct state *st, ssize_t idx,
		   const char *s)
{
	struct finding *f = &cl->f[idx];
	const char *p = s;
	char *m0, *m, *fn, *mp;
	bool took;

	if (!match(st->join_id, st->join.buf, st->join.len))
		return false;
	m0 = group(st->join_id, st->join.buf, "msg");
	while (*p == ' ')
		p++;
	sbuf_addf(&st->join, " %s", p);
	if (!match(st->join_id, st->join.buf, st->join.len)) {
		free(m0);
		return false;
	}
	m = group(st->join_id, st->join.buf, "msg");
	fn = group(st->join_id, st->join.buf, "func");
	/* the line belongs to the header if it brought the kind or the function */
	took = fn || (m && !m0);
	if (took && m) {
		mp = msg_part(m);
		free(f->base);
		f->base = xasprintf("%s:%s_in_", f->cls, mp);
		free(f->fallback);
		f->fallback = xasprintf("%s:%s", f->cls, mp);
		set_key(cl, f, f->fallback);
		free(mp);
	}
	if (fn) {
		strip_clone_suffix(fn);
		set_str(&f->fn, fn);
	} else if (took) {
		st->join_idx = idx; /* "BUG: KASAN:" / "KIND in" / "FUNC" */
	}
	free(m0);
	free(m);
	free(fn);
	return took;
}

static void on_line(struct classification *cl, struct state *st, const char *raw,
		    char *s, size_t len)
{
	ssize_t await = st->await_msg, await_func = st->await_func;
	ssize_t await_ubsan = st->await_ubsan;

	st->await_msg = -1;
	st->await_func = -1;
	st->await_ubsan = -1;
	if (st->join_idx >= 0) {
		ssize_t idx = st->join_idx;

		st->join_idx = -1;
		if (rejoin(cl, st, idx, s))
			return;
	}
	if (await_func >= 0 && on_wrapped(cl, await_func, s, len)) {
		st->await_msg = await;
		return;
	}
	if (await_ubsan >= 0 && ubsan_kind(s)) {
		struct finding *f = &cl->f[await_ubsan];
		char *base = xasprintf("UBSAN:%s_in_", ubsan_kind(s));
		char *fb = xasprintf("%s%s", base, strstr(f->fallback, "_in_") + 4);

		set_str(&f->base, base);
		set_str(&f->fallback, fb);
		set_key(cl, f, fb);
		free(base);
		free(fb);
	}
	if (match(P_LINUX, s, len)) {
		/* firmware lines (SeaBIOS, iPXE) may come first: only a
		 * printk-stamped line before the banner makes an excerpt */
		if (!cl->kernel_started && st->stamped <= 1 && !cl->n)
			cl->banner_first = true;
		cl->kernel_started = true;
	}
	if (match(P_INIT, s, len))
		cl->reached_init = true;
	/* kernel_init frees initmem just before it runs init; kernels before
	 * 5.7 print no "Run /init as init process" (init/main.c) */
	if (str_starts(s, "Freeing unused kernel"))
		cl->userspace_started = true;
	if (match(P_PHASE, s, len)) {
		free(st->phase);
		st->phase = group(P_PHASE, s, "msg");
		stop_collect(st);
		st->pending_pc = -1;
		st->head = -1;
		return;
	}
	if (strstr(s, "------------[ cut here ]------------")) {
		st->in_cut = true;
		sbuf_reset(&st->cut_msg);
		return;
	}
	if (str_starts(s, "---[ end trace")) {
		st->in_cut = false;
		st->head = -1;
		st->pending_pc = -1;
	}
	if (on_pc(cl, st, s, len))
		return;
	if (st->collect >= 0 && cl->f[st->collect].want == W_SITE && st->site_open &&
	    !cl->f[st->collect].fn) {
		struct finding *f = &cl->f[st->collect];

		if (match(P_SITE, s, len) || match(P_RCU_FILE, s, len)) {
			char *fn = group(P_SITE, s, "func"), *file = group(P_RCU_FILE, s, "file");

			strip_clone_suffix(fn);
			normalise_path(file);
			/* a lock wrapper (_raw_spin_lock, __might_fault) as the
			 * site: the reporting task's stack names the caller */
			if (fn && helper_frame(fn))
				st->site_open = false;
			else
				set_str(&f->fn, fn ? fn : file);
			free(fn);
			free(file);
			return;
		}
	}
	for (int id = 0; id < P_PC; id++) {
		if (!match(id, s, len))
			continue;
		if (pats[id].sev == S_NOTE || pats[id].sev == S_SKIP)
			break; /* a known line, but not a failure of its own */
		if (st->in_cut && id != P_WARNING && st->cut_msg.len < 512) {
			char *m = strip_ts(s);

			sbuf_addf(&st->cut_msg, "%s%s", st->cut_msg.len ? " / " : "", m);
			free(m);
		}
		if (absorb(cl, st, id))
			return;
		if (id == P_LIST && list_after_warning(cl, st, s))
			return;
		on_finding(cl, st, id, raw == s ? s : raw);
		return;
	}
	if (st->collect >= 0 && str_starts(s, "stack backtrace:")) {
		/* the stack is the reporting task's, not the chains above */
		st->backtrace = true;
		st->frames = 0;
		set_str(&cl->f[st->collect].stack, NULL);
	}
	if (st->collect >= 0) {
		const char *e = s + len;

		/* lockdep's print_ip_sym sites: "... at:" then a frame line */
		while (e > s && e[-1] == ' ')
			e--;
		if (e - s >= 3 && !memcmp(e - 3, "at:", 3)) {
			st->skip_frame = true;
			return;
		}
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

/*
 * Make a line safe to match: drop CR, turn other control bytes into spaces.
 * Consoles copied from web pages and mail carry U+00A0 (no-break space) for
 * spaces, in time stamps too: a space is what the kernel printed.
 */
static size_t sanitize(char *s, size_t len)
{
	size_t w = 0;

	for (size_t r = 0; r < len; r++) {
		unsigned char ch = s[r];

		if (ch == '\r' || ch == '\n')
			continue;
		if (ch == 0xc2 && r + 1 < len && (unsigned char)s[r + 1] == 0xa0) {
			s[w++] = ' ';
			r++;
			continue;
		}
		s[w++] = (ch < 0x20 && ch != '\t') ? ' ' : (char)ch;
	}
	s[w] = '\0';
	return w;
}

/*
 * A kernel message without a printk prefix (dmesg -t, a pasted excerpt):
 * "subsystem: text" or "driver 0000:00:1f.0: text" at the start, all of
 * it printable. Random bytes or a harness's empty console have none.
 */
static bool kernel_like(const char *m)
{
	const char *p = m, *c;

	if (!isalpha((unsigned char)*p))
		return false;
	c = strstr(p, ": ");
	if (!c || c - p > 40 || !c[2] || isspace((unsigned char)c[2]))
		return false;
	for (; *p; p++)
		if ((unsigned char)*p >= 0x7f || (*p < 0x20 && *p != '\t'))
			return false;
	return true;
}

static void end_line(struct classification *cl, struct state *st, char *buf,
		     size_t n)
{
	bool kern;
	char *m;

	cl->lines++;
	n = sanitize(buf, n);
	m = (char *)msg_start(buf, &kern);
	if (kern)
		st->stamped++;
	if (kern || kernel_like(m))
		cl->kernel_lines++;
	/* every line: frames are not among the prefilter's needles */
	nmi_samples_line(&cl->nmi, m);
	if (interesting(st, m))
		on_line(cl, st, buf, m, n - (m - buf));
}

/* lkp-tests' error id of a line (its lib/dmesg.rb conventions): offsets,
 * hex, addresses and numbers become "#", spaces next to punctuation go,
 * the rest become "_", trailing punctuation goes. */
static void lkp_normalise(struct sbuf *out, const char *s)
{
	struct sbuf t = { 0 };
	size_t n;

	sbuf_addstr(&t, "");
	for (const char *r = s; *r;) {
		if ((r[0] == '+' || r[0] == '/') && r[1] == '0' && r[2] == 'x') {
			r += 3;
			while (isxdigit((unsigned char)*r))
				r++;
			continue;
		}
		if (r[0] == '0' && r[1] == 'x' && (r == s || !isalnum((unsigned char)r[-1]))) {
			r += 2;
			while (isxdigit((unsigned char)*r))
				r++;
			sbuf_addstr(&t, "#");
			continue;
		}
		n = strspn(r, "0123456789abcdef");
		if ((n == 8 || n == 16) && (r == s || !isalnum((unsigned char)r[-1])) &&
		    !isalnum((unsigned char)r[n])) {
			r += n;
			sbuf_addstr(&t, "#");
			continue;
		}
		if (isdigit((unsigned char)*r) && (r == s || !isalnum((unsigned char)r[-1]) ||
		    r[-1] == '#')) {
			while (isdigit((unsigned char)*r) || *r == '.')
				r++;
			sbuf_addstr(&t, "#");
			continue;
		}
		sbuf_add(&t, r, 1);
		r++;
	}
	for (size_t i = 0; i < t.len; i++) {
		char c = t.buf[i];

		if (c == ' ' || c == '\t') {
			char prev = out->len ? out->buf[out->len - 1] : ' ';
			size_t j = i;

			while (t.buf[j] == ' ' || t.buf[j] == '\t')
				j++;
			i = j - 1;
			if (!out->len || !isalnum((unsigned char)prev) || !t.buf[j] ||
			    !isalpha((unsigned char)t.buf[j]))
				continue;
			sbuf_addstr(out, "_");
			continue;
		}
		sbuf_add(out, &c, 1);
	}
	while (out->len && strchr("-_.,;:#!*[(", out->buf[out->len - 1]))
		out->buf[--out->len] = '\0';
	sbuf_free(&t);
}

static char *lkp_key(const struct finding *f)
{
	struct sbuf out = { 0 };
	char *line = strip_ts(f->detail), *p, *e;

	sbuf_addstr(&out, "dmesg.");
	/* lkp's WARNING id: "WARNING:at_FILE:#FUNC" (the line number is "#") */
	if (!strcmp(f->cls, "WARNING") && str_starts(f->key, "WARNING:at_")) {
		const char *k = f->key + 11, *c = strrchr(k, ':');

		free(out.buf);
		free(line);
		if (c)
			return xasprintf("dmesg.WARNING:at_%.*s:#%s", (int)(c - k), k, c + 1);
		return xasprintf("dmesg.WARNING:at_%s", k);
	} else if (strcmp(f->cls, "WARNING") && (p = strstr(line, "BUG: ")) && p > line) {
		/* "watchdog: BUG: soft lockup": lkp's patterns start at BUG */
		memmove(line, p, strlen(p) + 1);
	}
	if (str_starts(line, "BUG: scheduling while atomic")) {
		line[strlen("BUG: scheduling while atomic")] = '\0';
	} else if (!strcmp(f->cls, "HUNG_TASK")) {
		set_str(&line, "INFO: task blocked for more than 1 seconds");
	} else if (!strcmp(f->cls, "RCU_STALL") && (p = strstr(line, "INFO:"))) {
		memmove(line, p, strlen(p) + 1);
		if ((e = strstr(line, " on CPU")))
			e[7] = '\0';
	} else if ((p = strstr(line, " [#")) && p - line >= 6 && p[-5] == ' ' && p[-6] == ':') {
		/* lkp keeps the capitalised words before "ERR [#N]" */
		e = p - 6;
		while (e > line && (isalpha((unsigned char)e[-1]) || e[-1] == ' '))
			e--;
		while (*e && !isupper((unsigned char)*e) && e < p - 6)
			e++;
		if (e < p - 6) {
			memmove(line, e, p - 6 - e);
			line[p - 6 - e] = '\0';
		}
	}
	/* lkp drops what precedes the first letter, and a closing " ]" */
	for (p = line; *p && !isalpha((unsigned char)*p); p++)
		;
	memmove(line, p, strlen(p) + 1);
	if (str_ends(line, " ]"))
		line[strlen(line) - 2] = '\0';
	if ((e = strstr(line, " (Tainted:")) && strchr(e, ')'))
		memmove(e, strchr(e, ')') + 1, strlen(strchr(e, ')') + 1) + 1);
	for (;;) {
		/* lkp drops GCC's clone suffixes too */
		p = strstr(line, ".constprop.");
		if (!p)
			p = strstr(line, ".isra.");
		if (!p)
			p = strstr(line, ".part.");
		if (!p)
			break;
		e = p + 1 + strcspn(p + 1, ".") + 1;
		e += strspn(e, "0123456789");
		memmove(p, e, strlen(e) + 1);
	}
	lkp_normalise(&out, line);
	free(line);
	return out.buf;
}

/* Keys that waited for a function get it now, or their fallback. */
static void complete_keys(struct classification *cl)
{
	for (size_t i = 0; i < cl->n; i++) {
		struct finding *f = &cl->f[i];
		const char *fn = NULL;
		char *key;

		switch (f->want) {
		case W_PC:
		case W_SITE:
		case W_VICTIM:
			fn = f->fn ? f->fn : f->want == W_VICTIM ? NULL : f->guilty;
			break;
		case W_GUILTY:
			fn = f->fn ? f->fn : f->guilty;
			break;
		default:
			break;
		}
		if (f->want) {
			if (fn && f->want == W_VICTIM) {
				char *m = msg_part(fn);

				key = xasprintf("%s%s", f->base, m);
				free(m);
			} else {
				key = fn ? xasprintf("%s%s", f->base, fn) : xstrdup(f->fallback);
			}
			set_key(cl, f, key);
			free(key);
			f->want = W_NONE;
		}
		if (!f->lkp_key)
			f->lkp_key = lkp_key(f);
		/* the classes the project has recorded keys of keep their
		 * normalisation (digits dropped, path and function too); the
		 * lkp key above keeps them, as lkp does */
		if (!strcmp(f->cls, "WARNING") || !strcmp(f->cls, "KERNEL_BUG") ||
		    !strcmp(f->cls, "KASAN") || !strcmp(f->cls, "PCPU_UNDERFLOW"))
			normalise(f->key);
	}
	/* kmemleak's summary says no more than its objects do */
	for (size_t i = 0; i < cl->n; i++) {
		if (!strcmp(cl->f[i].key, "KMEMLEAK:suspected_memory_leaks")) {
			for (size_t j = 0; j < cl->n; j++) {
				if (j != i && !strcmp(cl->f[j].cls, "KMEMLEAK")) {
					free_finding(&cl->f[i]);
					memmove(&cl->f[i], &cl->f[i + 1], (cl->n - i - 1) * sizeof(*cl->f));
					cl->n--;
					idx_dirty(cl);
					i--;
					break;
				}
			}
		}
	}
	/*
	 * The same report twice, in the same phase: one finding, the first,
	 * with the heavier verdict. One pass with a table of its own (keys are
	 * final here), keeping the order: O(n), not a scan per finding.
	 */
	{
		size_t cap = 64, kept = 0, *slot;

		while (cap < 2 * cl->n)
			cap *= 2;
		slot = xcalloc(cap, sizeof(size_t));
		for (size_t i = 0; i < cl->n; i++) {
			size_t b = idx_hash(cl->f[i].key, cl->f[i].phase) & (cap - 1);
			bool dup = false;

			for (; slot[b]; b = (b + 1) & (cap - 1)) {
				struct finding *k = &cl->f[slot[b] - 1];

				if (!strcmp(k->key, cl->f[i].key) && !strcmp(k->phase, cl->f[i].phase)) {
					if (cl->f[i].verdict > k->verdict)
						k->verdict = cl->f[i].verdict;
					dup = true;
					break;
				}
			}
			if (dup) {
				free_finding(&cl->f[i]);
				continue;
			}
			cl->f[kept] = cl->f[i];
			slot[b] = ++kept;
		}
		cl->n = kept;
		free(slot);
		idx_dirty(cl);
	}
}

int classify_stream(FILE *in, struct classification *cl)
{
	struct state st = { .collect = -1, .pending_pc = -1, .await_msg = -1,
			    .await_func = -1, .await_ubsan = -1, .head = -1,
			    .join_idx = -1 };
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
	complete_keys(cl);
	cl->last_phase = st.phase;
	sbuf_free(&st.cut_msg);
	sbuf_free(&st.join);
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

static bool has_class(const struct classification *cl, const char *cls)
{
	for (size_t i = 0; i < cl->n; i++)
		if (!strcmp(cl->f[i].cls, cls))
			return true;
	return false;
}

static void synthetic(struct classification *cl, const char *cls, const char *key,
		      enum zd_verdict v)
{
	struct state st = { .phase = cl->last_phase ? cl->last_phase : "boot" };
	struct finding *f = add(cl, cls, key, &st, key, v);

	if (f)
		f->lkp_key = xasprintf("zdbench.%s", key);
}

/*
 * The verdict: the heaviest finding (crash > hang > fail > clean; an OOM
 * kill weighs nothing unless cl->oom_fails). A boot (cl->own_boot, or a log
 * that starts with the boot banner) that never reached init crashed when
 * the harness ran it (own_boot, a timeout) or it ends in a panic (a posted
 * log cut before init says nothing of why it stops there); one
 * that printed nothing, or timed out at boot with a clean console, is
 * infra. Any other log is an excerpt, judged by what it contains; infra
 * only when it holds no kernel line at all.
 */
void classify_finish(struct classification *cl, const char *timeout)
{
	enum zd_verdict v = V_CLEAN;
	bool boot_timeout = timeout && !strcmp(timeout, "boot");
	bool boot = cl->own_boot || cl->banner_first;

	cl->excerpt = !boot;
	/* a posted boot log of a kernel older than 5.7 has only the initmem
	 * line before init; the run path (own_boot) keeps to init's own */
	/*
	 * A posted boot log that stops before init was usually cut where the
	 * poster stopped copying: only a panic says the boot itself died.
	 * The harness's own boot (own_boot, or a timeout it recorded) ran to
	 * its end: no init is a crash.
	 */
	if (boot && cl->kernel_started && !cl->reached_init &&
	    (cl->own_boot || timeout || (!cl->userspace_started && has_class(cl, "PANIC"))))
		synthetic(cl, "BOOT", "BOOT:never_reached_init", V_CRASH);
	if (timeout) {
		char *spin = boot_timeout ? NULL : nmi_samples_spin(cl->nmi);
		/* a step that spun: the agent's sysrq-l samples say where */
		char *key = spin ? xasprintf("TIMEOUT:%s:%s", timeout, spin) :
				   xasprintf("TIMEOUT:%s", timeout);

		free(spin);

		/* A boot timeout is the harness's business unless the kernel
		 * itself failed to get to init (counted above). */
		synthetic(cl, boot_timeout ? "TIMEOUT_BOOT" : "TIMEOUT", key,
			  boot_timeout ? V_CLEAN : V_HANG);
		free(key);
	}
	for (size_t i = 0; i < cl->n; i++) {
		enum zd_verdict fv = cl->f[i].verdict;

		if (!strcmp(cl->f[i].cls, "OOM"))
			fv = cl->oom_fails ? V_FAIL : V_CLEAN;
		if (fv > v)
			v = fv;
	}
	/* No kernel output, or a boot timeout after init with nothing wrong
	 * on the console: QEMU's or the agent's trouble, not the kernel's. */
	if (v == V_CLEAN && (boot_timeout || (boot ? !cl->kernel_started :
	    !cl->kernel_lines && !cl->kernel_started && !cl->n)))
		v = V_INFRA;
	cl->verdict = v;
}

void classification_free(struct classification *cl)
{
	idx_free(cl);
	nmi_samples_free(cl->nmi);
	for (size_t i = 0; i < cl->n; i++)
		free_finding(&cl->f[i]);
	free(cl->last_phase);
	free(cl->f);
	memset(cl, 0, sizeof(*cl));
}
