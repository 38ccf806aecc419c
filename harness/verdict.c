// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts: what a workload's boot amounted to. The console classifier
 * (classify.c) says what the kernel printed, the agent (harvest.c) what
 * it did, the backend (boot_out) whether a deadline killed the boot;
 * verdict_judge() fuses the three per workload, verdict_merge() folds
 * interleaved boots of one variant together.
 */
#define _GNU_SOURCE
#include "verdict.h"

#include "exitcode.h"

#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "classify.h"
#include "harvest.h"
#include "result.h"
#include "util.h"

static const char *const names[V_NR] = {
	[V_CLEAN] = "clean", [V_FAIL] = "fail", [V_HANG] = "hang",
	[V_CRASH] = "crash", [V_INFRA] = "infra",
};

static const int ranks[V_NR] = {
	[V_CLEAN] = 0, [V_INFRA] = 1, [V_FAIL] = 2, [V_HANG] = 3, [V_CRASH] = 4,
};

const char *verdict_name(enum zd_verdict v)
{
	return (unsigned int)v < V_NR ? names[v] : "?";
}

int verdict_parse(const char *name, enum zd_verdict *v)
{
	for (int i = 0; name && i < V_NR; i++) {
		if (!strcmp(name, names[i])) {
			*v = i;
			return 0;
		}
	}
	return -1;
}

int verdict_exit(enum zd_verdict v)
{
	return v == V_CLEAN ? ZD_EXIT_CLEAN : v == V_INFRA ? ZD_EXIT_INFRA : ZD_EXIT_KERNEL;
}

int verdict_rank(enum zd_verdict v)
{
	return (unsigned int)v < V_NR ? ranks[v] : 0;
}

enum zd_verdict verdict_worse(enum zd_verdict a, enum zd_verdict b)
{
	return verdict_rank(b) > verdict_rank(a) ? b : a;
}

/* A result's verdict string by rank; unknown or absent ranks as clean. */
static int rank_of(const char *name)
{
	enum zd_verdict v;

	return verdict_parse(name, &v) ? 0 : verdict_rank(v);
}

/* A setup or checks phase of another medium ("setup:devdax"): not ours. */
static bool other_medium(const char *phase, const struct zd_result *r)
{
	const char *colon = strchr(phase, ':');

	if (!colon || (strncmp(phase, "setup:", 6) && strncmp(phase, "checks:", 7)))
		return false;
	return strcmp(colon + 1, r->medium);
}

/*
 * The agent finished not ok only because other workloads failed, or the
 * setup or checks of another medium: each keeps its own verdict. A failed
 * setup or check of its own medium, or any teardown, fails it.
 */
static bool failed_elsewhere(const struct agent_report *rep, const struct zd_result *r)
{
	char *mine = xasprintf("workload:%s", r->workload);
	bool elsewhere = rep->error_phases.n > 0;

	for (size_t i = 0; i < rep->error_phases.n; i++) {
		const char *ph = rep->error_phases.v[i];

		if (other_medium(ph, r))
			continue;
		if (strncmp(ph, "workload:", 9) || !strcmp(ph, mine))
			elsewhere = false;
	}
	free(mine);
	return elsewhere;
}

/* A negative control (fio's expect = refused) measures nothing by design. */
static bool expects_refusal(const struct zd_result *r)
{
	for (size_t i = 0; i < r->param_keys.n; i++)
		if (!strcmp(r->param_keys.v[i], "expect"))
			return !strcmp(r->param_vals.v[i], "refused");
	return false;
}

/* What the boot saw, shared by all its workloads, copied into one result. */
static void copy_boot_facts(struct zd_result *r, const struct classification *cl,
			    const struct agent_report *rep)
{
	for (size_t j = 0; j < rep->nr_checks; j++)
		if (!rep->checks[j].medium || !strcmp(rep->checks[j].medium, r->medium))
			result_add_check(r, rep->checks[j].name, rep->checks[j].ok,
					 rep->checks[j].value);
	for (size_t j = 0; j < cl->n; j++) {
		const struct finding *cf = &cl->f[j];
		struct zd_finding *f = result_add_finding(r);

		strv_pushf(&r->signatures, "%s@%s", cf->key, cf->phase);
		f->cls = xstrdup(cf->cls);
		f->key = xstrdup(cf->key);
		f->phase = xstrdup(cf->phase);
		f->text = xstrdup(cf->detail ? cf->detail : "");
		f->msg = cf->msg ? xstrdup(cf->msg) : NULL;
		f->stack = cf->stack ? xstrdup(cf->stack) : NULL;
		f->lkp_key = cf->lkp_key ? xstrdup(cf->lkp_key) : NULL;
		f->line = cf->line;
	}
	for (size_t j = 0; j < rep->pgmap_refs.n; j++)
		strv_push(&r->pgmap_refs, rep->pgmap_refs.v[j]);
	for (size_t j = 0; j < rep->phases.nr_phases; j++) {
		const struct zd_phase *sp = &rep->phases.phases[j];
		struct zd_phase *p = result_add_phase(r, sp->name);
		char *nm = p->name;

		*p = *sp;
		p->name = nm;
	}
}

void verdict_judge(struct zd_result *res, size_t n, const struct boot_out *bo,
		   const struct classification *cl, const struct agent_report *rep)
{
	for (size_t i = 0; i < n; i++) {
		struct zd_result *r = &res[i];
		enum zd_verdict v = cl->verdict;

		copy_boot_facts(r, cl, rep);
		if (bo->timeout)
			r->timeout = xstrdup(bo->timeout);
		if (!bo->saw_hello && v == V_CLEAN)
			v = V_INFRA;
		/* verdict_boot made a clean console infra: the backend's reason is the message */
		if (bo->infra && v == V_INFRA) {
			free(r->msg);
			r->msg = xstrdup(bo->infra);
		}
		/* The kernel was fine but the workload was not what it claimed. */
		if (v == V_CLEAN && (!r->ok || (!r->nr_samples && !expects_refusal(r)))) {
			v = V_FAIL;
			if (!r->msg)
				r->msg = xstrdup(rep->errors.n ? rep->errors.v[0] :
						 "the agent reported no result for this workload");
		}
		if (v == V_CLEAN && (!rep->done || (!rep->done_ok && !failed_elsewhere(rep, r)))) {
			v = V_FAIL;
			free(r->msg);
			r->msg = xstrdup(rep->errors.n ? rep->errors.v[0] :
					 "the agent did not finish cleanly");
		}
		if (v != V_CLEAN)
			r->ok = false;
		r->verdict = xstrdup(verdict_name(v));
		if (rep->release)
			r->guest_kernel = xstrdup(rep->release);
	}
}

int verdict_boot(const char *console_log, const char *results_log, const struct boot_out *bo,
		 struct zd_result *res, size_t n, struct classification *cl,
		 struct agent_report *rep, bool oom_fails)
{
	if (classify_file(console_log, cl) && path_exists(console_log))
		return -1;
	/* a boot the harness started: no banner is infra; unless the
	 * backend lost the end of its console (then it is a posted log) */
	cl->own_boot = !bo->console_partial;
	cl->oom_fails = oom_fails;
	/* kmsg from a running kernel has no boot banner, and needs none */
	if (bo->kernel_running)
		cl->kernel_started = cl->reached_init = true;
	classify_finish(cl, bo->timeout);
	/* the boot's own verdict (run.json's boots) agrees with its results' */
	if (bo->infra && cl->verdict == V_CLEAN)
		cl->verdict = V_INFRA;
	if (harvest(results_log, res, n, rep))
		zd_err("cannot read %s", results_log);
	verdict_judge(res, n, bo, cl, rep);
	return 0;
}

void verdict_merge(struct zd_result *acc, struct zd_result *r)
{
	unsigned int base_rep = acc->nr_samples;
	unsigned int boots, failed;

	if (!acc->verdict) {
		*acc = *r;
		memset(r, 0, sizeof(*r));
		return;
	}
	/* before the verdict below moves: acc's own count of failed boots */
	boots = result_boots(acc) + result_boots(r);
	failed = result_failed_boots(acc) + result_failed_boots(r);
	for (size_t i = 0; i < r->nr_samples; i++) {
		struct zd_sample *s = result_add_sample(acc);

		*s = r->samples[i];
		s->rep += base_rep;
		memset(&r->samples[i], 0, sizeof(r->samples[i]));
	}
	r->nr_samples = 0;
	if (rank_of(r->verdict) > rank_of(acc->verdict)) {
		free(acc->verdict);
		acc->verdict = xstrdup(r->verdict);
	}
	acc->ok = acc->ok && r->ok;
	if (!acc->timeout && r->timeout)
		acc->timeout = xstrdup(r->timeout);
	if (!acc->msg && r->msg)
		acc->msg = xstrdup(r->msg);
	for (size_t i = 0; i < r->signatures.n; i++) {
		size_t j;

		for (j = 0; j < acc->signatures.n; j++)
			if (!strcmp(acc->signatures.v[j], r->signatures.v[i]))
				break;
		if (j == acc->signatures.n) {
			strv_push(&acc->signatures, r->signatures.v[i]);
			result_set_sig_boots(acc, j, result_sig_boots(r, i));
		} else {
			result_set_sig_boots(acc, j, result_sig_boots(acc, j) + result_sig_boots(r, i));
		}
	}
	acc->boots = boots;
	acc->failed_boots = failed;
	for (size_t i = 0; i < r->nr_findings; i++) {
		struct zd_finding *f = result_add_finding(acc);

		*f = r->findings[i];
		memset(&r->findings[i], 0, sizeof(r->findings[i]));
	}
	/* every boot's holders: each held its own pages */
	for (size_t i = 0; i < r->holds.n; i++)
		strv_push(&acc->holds, r->holds.v[i]);
}
