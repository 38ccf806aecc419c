/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_VERDICT_H
#define ZD_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The verdict, one home: its names, its severity order, the judgement that
 * turns one boot's console, agent report and timeouts into each workload's
 * verdict, and the merge of interleaved boots.
 *
 * The enum's values are the classifier's (classify.c compares them with
 * '>' among clean, fail, hang, crash and sets infra last); the severity
 * order the rest of zdbench uses is verdict_rank()'s.
 */
enum zd_verdict { V_CLEAN, V_FAIL, V_HANG, V_CRASH, V_INFRA, V_NR };

/* "clean", "fail", "hang", "crash", "infra" (as results carry it). */
const char *verdict_name(enum zd_verdict v);
/* The name back to the enum: 0, or -1 for NULL or an unknown name. */
int verdict_parse(const char *name, enum zd_verdict *v);
/*
 * Severity: clean 0 < infra 1 < fail 2 < hang 3 < crash 4. Infra sits
 * just above clean: trouble, but nothing said about the kernel.
 */
int verdict_rank(enum zd_verdict v);
/* The exit status a verdict means (exitcode.h): clean 0, infra 3, else 1. */
int verdict_exit(enum zd_verdict v);
/* The more severe of a and b (a when equal). */
enum zd_verdict verdict_worse(enum zd_verdict a, enum zd_verdict b);

struct zd_result;
struct boot_out;
struct classification;
struct agent_report;

/*
 * Judge every workload of one boot: res[0..n) were set up by the run
 * (workload, kind, params, medium) and harvested (samples, ok, msg);
 * cl is the classified console with the boot's timeout folded in
 * (classify_finish), rep the agent's report (harvest), bo the backend's
 * account of the boot (timeout, saw_hello). Fills each result's verdict,
 * ok, msg, timeout, checks of its medium, findings and signatures,
 * phases, pgmap_refs and guest_kernel. The rules, in order:
 *  - the console's verdict (crash > hang > fail; infra when the kernel
 *    printed nothing or a boot timeout came after init);
 *  - no hello from the agent on a clean console: infra;
 *  - clean, but the workload said not ok, or measured nothing (except a
 *    negative control, expect = refused): fail, msg from the agent;
 *  - clean, but no done line, or done not ok for a reason that is this
 *    workload's (its own phase, its medium's setup or checks, teardown,
 *    plan, init): fail.
 */
void verdict_judge(struct zd_result *res, size_t n, const struct boot_out *bo,
		   const struct classification *cl, const struct agent_report *rep);

/*
 * One boot from its files to its verdicts, as a run does it: classify
 * console_log (a missing file is an empty console), fold in bo's timeout
 * (a host backend's console starts mid-life: bo->kernel_running counts as
 * booted), harvest results_log (a missing file: the agent said nothing)
 * into res and rep, then verdict_judge(). cl and rep are the caller's to
 * free. Returns 0, or -1 if the console exists but cannot be read
 * (reported); an unreadable results_log is reported and judged as silent.
 * The console is the harness's own boot (a console without the banner is
 * infra), unless bo->console_partial (judged as a posted log); oom_fails: an OOM kill fails the workloads ([run] oom_fails).
 */
int verdict_boot(const char *console_log, const char *results_log, const struct boot_out *bo,
		 struct zd_result *res, size_t n, struct classification *cl,
		 struct agent_report *rep, bool oom_fails);

/*
 * --interleave: fold result r of one boot into acc, the variant's result
 * so far (zeroed before the first boot: then r is moved into it whole).
 * Samples are appended with their rep shifted past acc's; the verdict is
 * the worse; ok is the and; timeout and msg the first seen; signatures
 * unique, findings and holds appended. What is moved out of r is cleared
 * there; r still needs result_free().
 */
void verdict_merge(struct zd_result *acc, struct zd_result *r);

#endif
