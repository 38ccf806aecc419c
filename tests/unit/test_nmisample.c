// SPDX-License-Identifier: GPL-2.0
/*
 * harness/nmisample.c: where a stuck step spins, from the agent's sysrq-l
 * samples (x86 6.12 layout of lib/nmi_backtrace.c and dumpstack.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nmisample.h"

static const char *const writer[] = {
	"NMI backtrace for cpu 1",
	"CPU: 1 UID: 0 PID: 80 Comm: zdbench-agent Not tainted 6.12.117 #1",
	"Call Trace:",
	" <TASK>",
	" dump_stack_lvl+0x4a/0x60",
	" nmi_cpu_backtrace+0x88/0xd0",
	" nmi_trigger_cpumask_backtrace+0x6c/0x100",
	" __handle_sysrq+0x8e/0x180",
	" write_sysrq_trigger+0x4f/0x60",
	" vfs_write+0xd2/0x3f0",
	" </TASK>",
	NULL
};

/* the spinning task, sampled where it is in the loop body (inner) */
static void spin(struct nmi_samples **ns, const char *rip, const char *inner)
{
	char buf[160];
	const char *const head[] = {
		"Sending NMI from CPU 1 to CPUs 0:",
		"NMI backtrace for cpu 0",
		"CPU: 0 UID: 0 PID: 79 Comm: zdbench-agent Not tainted 6.12.117 #1",
		NULL
	};
	const char *const tail[] = {
		"Call Trace:",
		" <NMI>",
		" ? nmi_cpu_backtrace+0x88/0xd0",
		" nmi_handle+0x5a/0x150",
		" default_do_nmi+0x40/0x120",
		" </NMI>",
		" <TASK>",
		" ? follow_page_mask+0x2c/0x3f0",
		NULL
	};
	const char *const outer[] = {
		" __get_user_pages+0x10c/0x6b0",
		" __gup_longterm_locked+0x2a1/0x9b0",
		" gup_test_ioctl+0x2f0/0x9c0",
		" __x64_sys_ioctl+0x8f/0xd0",
		" do_syscall_64+0x4b/0x110",
		" entry_SYSCALL_64_after_hwframe+0x76/0x7e",
		" </TASK>",
		NULL
	};

	for (const char *const *l = writer; *l; l++)
		nmi_samples_line(ns, *l);
	for (const char *const *l = head; *l; l++)
		nmi_samples_line(ns, *l);
	snprintf(buf, sizeof(buf), "RIP: 0010:%s+0x1a/0x2f0", rip);
	nmi_samples_line(ns, buf);
	for (const char *const *l = tail; *l; l++)
		nmi_samples_line(ns, *l);
	if (inner) {
		snprintf(buf, sizeof(buf), " %s+0x44/0x90", inner);
		nmi_samples_line(ns, buf);
	}
	for (const char *const *l = outer; *l; l++)
		nmi_samples_line(ns, *l);
}

static void check(struct nmi_samples *ns, const char *want, unsigned int n)
{
	char *got = nmi_samples_spin(ns);

	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
	assert_int_equal(nmi_samples_count(ns), n);
	free(got);
	nmi_samples_free(ns);
}

static void test_no_marker_no_samples(void **state)
{
	struct nmi_samples *ns = NULL;

	/* a hard lockup's own NMI backtraces are not the agent's samples */
	spin(&ns, "follow_page_mask", "follow_page_pte");
	assert_null(ns);
	check(ns, NULL, 0);
}

static void test_innermost_common_frame(void **state)
{
	struct nmi_samples *ns = NULL;

	nmi_samples_line(&ns, "zdbench: stuck: no progress for 40 s in workload:gup-slow-pte: sysrq-l x8");
	assert_non_null(ns);
	spin(&ns, "follow_page_mask", "follow_page_pte.constprop.0");
	spin(&ns, "handle_mm_fault", "faultin_page");
	spin(&ns, "_raw_spin_lock", "follow_page_pte");
	/* the writer's CPU, the NMI handler and "?" frames are left out */
	check(ns, "__get_user_pages", 3);
}

static void test_one_place(void **state)
{
	struct nmi_samples *ns = NULL;

	nmi_samples_line(&ns, "zdbench: stuck: no progress for 40 s in workload:x: sysrq-l x8");
	spin(&ns, "follow_page_mask", "follow_page_pte.isra.0");
	spin(&ns, "vm_normal_page", "follow_page_pte");
	/* both samples in follow_page_pte: that is the innermost shared */
	check(ns, "follow_page_pte", 2);
}

/* The NMI hit the timer interrupt: the task's registers come later. */
static void irq_sample(struct nmi_samples **ns)
{
	static const char *const l[] = {
		"NMI backtrace for cpu 0",
		"CPU: 0 UID: 0 PID: 1 Comm: init Not tainted 6.12.117+ #1",
		"RIP: 0010:lapic_next_event+0x10/0x13",
		"Call Trace:",
		" <IRQ>",
		" clockevents_program_event+0xb2/0xd6",
		" hrtimer_interrupt+0xbc/0x162",
		" sysvec_apic_timer_interrupt+0x5a/0x74",
		" </IRQ>",
		" <TASK>",
		" asm_sysvec_apic_timer_interrupt+0x1a/0x20",
		"RIP: 0010:__get_user_pages+0x4b8/0x9ac",
		"RSP: 0018:ffa0000000013d10 EFLAGS: 00000202",
		" get_user_pages+0xbe/0x2a4",
		" gup_test_ioctl+0x485/0x717",
		" do_syscall_64+0x4e/0xa4",
		" entry_SYSCALL_64_after_hwframe+0x4b/0x53",
		"RIP: 0033:0x7f3e08649d6b",
		" </TASK>",
		NULL
	};

	for (const char *const *p = l; *p; p++)
		nmi_samples_line(ns, *p);
}

static void test_interrupted_task(void **state)
{
	struct nmi_samples *ns = NULL;

	nmi_samples_line(&ns, "zdbench: stuck: no progress for 40 s in workload:x: sysrq-l x8");
	spin(&ns, "follow_page_mask", "follow_page_pte");
	irq_sample(&ns);
	spin(&ns, "handle_mm_fault", "faultin_page");
	/* seen in a bisection step: the interrupt's frames would have made
	 * the shared frame get_user_pages */
	check(ns, "__get_user_pages", 3);
}

static void test_idle_and_kthreads_ignored(void **state)
{
	struct nmi_samples *ns = NULL;
	static const char *const idle[] = {
		"NMI backtrace for cpu 0 skipped: idling at default_idle+0xf/0x20",
		"NMI backtrace for cpu 0",
		"CPU: 0 UID: 0 PID: 0 Comm: swapper/0 Not tainted 6.12.117 #1",
		"RIP: 0010:default_idle+0xf/0x20",
		"Call Trace:",
		" <TASK>",
		" do_idle+0x1d4/0x220",
		" </TASK>",
		NULL
	};

	nmi_samples_line(&ns, "zdbench: stuck: no progress for 40 s in workload:x: sysrq-l x8");
	for (const char *const *l = idle; *l; l++)
		nmi_samples_line(&ns, *l);
	spin(&ns, "follow_page_mask", "follow_page_pte");
	spin(&ns, "handle_mm_fault", "faultin_page");
	check(ns, "__get_user_pages", 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_marker_no_samples),
		cmocka_unit_test(test_innermost_common_frame),
		cmocka_unit_test(test_one_place),
		cmocka_unit_test(test_interrupted_task),
		cmocka_unit_test(test_idle_and_kthreads_ignored),
	};

	return cmocka_run_group_tests_name("nmisample", tests, NULL, NULL);
}
