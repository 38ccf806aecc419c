// SPDX-License-Identifier: GPL-2.0
/*
 * NMI backtrace samples of a stuck step (see nmisample.h). The layout is
 * the x86 one of lib/nmi_backtrace.c and arch/x86/kernel/dumpstack.c in
 * Linux 6.12:
 *
 *   NMI backtrace for cpu 0
 *   CPU: 0 UID: 0 PID: 79 Comm: zdbench-agent Not tainted 6.12.117 #1
 *   RIP: 0010:follow_page_mask+0x1a/0x2f0
 *   Call Trace:
 *    <NMI>
 *    ? nmi_cpu_backtrace+0x88/0xd0          (the NMI handler: not the task)
 *    </NMI>
 *    <TASK>
 *    __get_user_pages+0x10c/0x6b0
 *    ...
 *    </TASK>
 *
 * When the NMI lands in an interrupt, the first RIP is the interrupt's
 * and the task's own registers follow inside <TASK>, after the entry
 * frame (asm_sysvec_apic_timer_interrupt, then "RIP: 0010:FUNC+...").
 * ("NMI backtrace for cpu 1 skipped: idling at ..." for an idle CPU;
 * 5.x prints "CPU: 0 PID: 79 Comm: ..." without UID.)
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nmisample.h"
#include "util.h"

#define MAX_SAMPLES 64
#define MAX_FRAMES 48

struct sample {
	char *frames[MAX_FRAMES]; /* innermost first: the RIP, then <TASK> */
	unsigned int n;
	bool ignore;	/* idle, a kernel thread, the sysrq writer */
};

struct nmi_samples {
	struct sample s[MAX_SAMPLES];
	unsigned int n;
	bool open;	/* a block is being read */
	int section;	/* 0 none yet, 1 <NMI>/<IRQ>/<SOFTIRQ>, 2 <TASK>, 3 done */
};

static void add_frame(struct sample *s, const char *fn, size_t len)
{
	char *f;

	if (s->n >= MAX_FRAMES || !len)
		return;
	f = xmalloc(len + 1);
	memcpy(f, fn, len);
	f[len] = '\0';
	/* GCC clones: follow_page_pte.constprop.0 is follow_page_pte */
	f[strcspn(f, ".")] = '\0';
	if (!*f) {
		free(f);
		return;
	}
	s->frames[s->n++] = f;
	/* the CPU that wrote to /proc/sysrq-trigger shows itself doing so */
	if (!strcmp(f, "write_sysrq_trigger") || !strcmp(f, "__handle_sysrq") ||
	    !strcmp(f, "nmi_trigger_cpumask_backtrace"))
		s->ignore = true;
}

/* "FUNC+0xOFF/0xLEN..." at p: the length of FUNC, or 0. */
static size_t func_len(const char *p)
{
	size_t n = 0;

	while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.')
		n++;
	return n && !strncmp(p + n, "+0x", 3) ? n : 0;
}

static void frame_line(struct nmi_samples *ns, const char *m)
{
	struct sample *s = &ns->s[ns->n - 1];
	const char *p = m + strspn(m, " \t");
	size_t n;

	if (!strncmp(p, "RIP: ", 5)) {
		const char *c = strchr(p + 5, ':');

		if (!c || !(n = func_len(c + 1)))
			return; /* a user-mode RIP (0033:0x...) names no function */
		/*
		 * In the <TASK> part, the registers of an interrupted task:
		 * its innermost frame. What came before (the IRQ's RIP, the
		 * interrupt entry) is not where the task spins.
		 */
		if (ns->section == 2) {
			while (s->n)
				free(s->frames[--s->n]);
		}
		if (s->n == 0)
			add_frame(s, c + 1, n);
		return;
	}
	if (!strncmp(p, "<NMI>", 5) || !strncmp(p, "<IRQ>", 5) || !strncmp(p, "<SOFTIRQ>", 9)) {
		ns->section = 1;
		return;
	}
	if (!strncmp(p, "<TASK>", 6)) {
		ns->section = 2;
		return;
	}
	if (!strncmp(p, "</TASK>", 7)) {
		ns->section = 3;
		return;
	}
	if (!strncmp(p, "</", 2)) {
		ns->section = 0;
		return;
	}
	/* "? func": a stale return address, never part of a stack */
	if (ns->section == 1 || ns->section == 3 || *p == '?')
		return;
	if ((n = func_len(p)))
		add_frame(s, p, n);
}

void nmi_samples_line(struct nmi_samples **nsp, const char *m)
{
	struct nmi_samples *ns = *nsp;
	const char *p;

	if (!strncmp(m, "zdbench: stuck: ", 16) && strstr(m, "sysrq-l")) {
		if (!ns)
			*nsp = ns = xcalloc(1, sizeof(*ns));
		ns->open = false;
		return;
	}
	if (!ns)
		return;
	if (!strncmp(m, "NMI backtrace for cpu ", 22)) {
		if (ns->n >= MAX_SAMPLES) {
			ns->open = false;
			return;
		}
		ns->n++;
		ns->open = true;
		ns->section = 0;
		/* "... skipped: idling at default_idle+0x..." */
		ns->s[ns->n - 1].ignore = strstr(m, "skipped") != NULL;
		return;
	}
	if (!ns->open)
		return;
	if (!strncmp(m, "CPU: ", 5) && (p = strstr(m, " Comm: "))) {
		p += 7;
		/* the idle task and kernel threads are not the stuck workload */
		if (!strncmp(p, "swapper", 7) || !strncmp(p, "kworker", 7) ||
		    !strncmp(p, "ksoftirqd", 9) || !strncmp(p, "rcu_", 4) ||
		    !strncmp(p, "migration", 9))
			ns->s[ns->n - 1].ignore = true;
		return;
	}
	frame_line(ns, m);
}

static bool has_frame(const struct sample *s, const char *f)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (!strcmp(s->frames[i], f))
			return true;
	return false;
}

char *nmi_samples_spin(const struct nmi_samples *ns)
{
	const struct sample *first = NULL;

	if (!ns)
		return NULL;
	for (unsigned int i = 0; i < ns->n && !first; i++)
		if (!ns->s[i].ignore && ns->s[i].n)
			first = &ns->s[i];
	if (!first)
		return NULL;
	for (unsigned int f = 0; f < first->n; f++) {
		bool all = true;

		for (unsigned int i = 0; i < ns->n && all; i++)
			if (!ns->s[i].ignore && ns->s[i].n)
				all = has_frame(&ns->s[i], first->frames[f]);
		if (all)
			return xstrdup(first->frames[f]);
	}
	return NULL;
}

unsigned int nmi_samples_count(const struct nmi_samples *ns)
{
	unsigned int c = 0;

	for (unsigned int i = 0; ns && i < ns->n; i++)
		c += !ns->s[i].ignore && ns->s[i].n;
	return c;
}

void nmi_samples_free(struct nmi_samples *ns)
{
	if (!ns)
		return;
	for (unsigned int i = 0; i < ns->n; i++)
		for (unsigned int f = 0; f < ns->s[i].n; f++)
			free(ns->s[i].frames[f]);
	free(ns);
}
