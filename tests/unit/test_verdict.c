// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts on the corpus in tests/data/verdict: each case is one boot
 * (plan.json, console.log, results.jsonl, boot.json: what the backend
 * saw) with expected.json (the console's verdict and, per workload, the
 * verdict and what else the case is about). Every case goes through
 * verdict_boot(), the run's own classify + harvest + judge. The interleave
 * merge is tested on results judged from the corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "classify.h"
#include "harvest.h"
#include "media.h"
#include "result.h"
#include "util.h"
#include "exitcode.h"
#include "verdict.h"

#define CORPUS "tests/data/verdict"

/* One judged boot of the corpus. */
struct judged {
	struct zd_result *res;
	size_t n;
	struct classification cl;
	struct agent_report rep;
};

static struct json_object *case_json(const char *name, const char *file)
{
	char *p = xasprintf("%s/%s/%s", CORPUS, name, file);
	struct json_object *o = zd_json_read(p);

	if (!o)
		fail_msg("%s: missing or not JSON", p);
	free(p);
	return o;
}

static const char *plan_str(struct json_object *wo, struct json_object *plan, const char *key)
{
	return jstr(wo, key) ? jstr(wo, key) : jstr(plan, key);
}

/* The results a run sets up before the boot (run.c init_results), from the plan. */
static void results_from_plan(const char *name, struct judged *j)
{
	struct json_object *plan = case_json(name, "plan.json"), *wa, *params;

	assert_true(json_object_object_get_ex(plan, "workloads", &wa));
	j->n = json_object_array_length(wa);
	j->res = xcalloc(j->n, sizeof(*j->res));
	for (size_t i = 0; i < j->n; i++) {
		struct json_object *wo = json_object_array_get_idx(wa, i);
		struct zd_result *r = &j->res[i];
		const char *mode = plan_str(wo, plan, "dax_mode");
		char medium[32];

		result_init(r);
		r->run_id = xstrdup(jstr(plan, "run_id"));
		r->variant = xstrdup(jstr(plan, "variant"));
		r->workload = xstrdup(jstr(wo, "name"));
		r->kind = xstrdup(jstr(wo, "kind"));
		/* a devdax workload names no fs: media_name ignores it */
		media_name(medium, sizeof(medium), mode, plan_str(wo, plan, "fs"));
		r->medium = xstrdup(medium);
		if (json_object_object_get_ex(wo, "params", &params)) {
			json_object_object_foreach(params, k, v) {
				strv_push(&r->param_keys, k);
				strv_push(&r->param_vals, json_object_get_string(v));
			}
		}
	}
	json_object_put(plan);
}

static void judge_case(const char *name, struct judged *j)
{
	struct json_object *boot = case_json(name, "boot.json");
	struct boot_out bo = { 0 };
	char *con = xasprintf("%s/%s/console.log", CORPUS, name);
	char *resl = xasprintf("%s/%s/results.jsonl", CORPUS, name);

	memset(j, 0, sizeof(*j));
	results_from_plan(name, j);
	if (jstr(boot, "timeout"))
		bo.timeout = xstrdup(jstr(boot, "timeout"));
	bo.saw_hello = jbool(boot, "saw_hello", false);
	bo.kernel_running = jbool(boot, "kernel_running", false);
	if (jstr(boot, "infra"))
		bo.infra = xstrdup(jstr(boot, "infra"));
	bo.console_partial = jbool(boot, "console_partial", false);
	assert_int_equal(verdict_boot(con, resl, &bo, j->res, j->n, &j->cl, &j->rep, false), 0);
	boot_out_free(&bo);
	json_object_put(boot);
	free(con);
	free(resl);
}

static void judged_free(struct judged *j)
{
	for (size_t i = 0; i < j->n; i++)
		result_free(&j->res[i]);
	free(j->res);
	classification_free(&j->cl);
	agent_report_free(&j->rep);
}

static struct zd_result *result_named(struct judged *j, const char *wl)
{
	for (size_t i = 0; i < j->n; i++)
		if (!strcmp(j->res[i].workload, wl))
			return &j->res[i];
	return NULL;
}

static bool has_signature(const struct zd_result *r, const char *sig)
{
	for (size_t i = 0; i < r->signatures.n; i++)
		if (!strcmp(r->signatures.v[i], sig))
			return true;
	return false;
}

static void print_result(const char *name, const struct zd_result *r)
{
	print_message("  %s/%s: %s ok=%d timeout=%s samples=%zu checks=%zu holds=%zu msg=%s\n", name,
		      r->workload, r->verdict, r->ok, r->timeout ? r->timeout : "-", r->nr_samples,
		      r->nr_checks, r->holds.n, r->msg ? r->msg : "-");
	for (size_t i = 0; i < r->signatures.n; i++)
		print_message("    %s\n", r->signatures.v[i]);
}

/* Only the keys expected.json has are checked: each case says what it is about. */
static void check_workload(const char *name, const struct zd_result *r, struct json_object *e)
{
	struct json_object *v;

	if (strcmp(r->verdict, jstr(e, "verdict")))
		fail_msg("%s/%s: verdict %s, expected %s", name, r->workload, r->verdict,
			 jstr(e, "verdict"));
	if (json_object_object_get_ex(e, "ok", &v) && json_object_get_boolean(v) != r->ok)
		fail_msg("%s/%s: ok %d, expected %d", name, r->workload, r->ok,
			 json_object_get_boolean(v));
	if (json_object_object_get_ex(e, "timeout", &v)) {
		if (!r->timeout || strcmp(r->timeout, json_object_get_string(v)))
			fail_msg("%s/%s: timeout %s, expected %s", name, r->workload,
				 r->timeout ? r->timeout : "none", json_object_get_string(v));
	} else if (r->timeout) {
		fail_msg("%s/%s: timeout %s, expected none", name, r->workload, r->timeout);
	}
	if (json_object_object_get_ex(e, "msg", &v)) {
		if (!v && r->msg)
			fail_msg("%s/%s: msg \"%s\", expected none", name, r->workload, r->msg);
		if (v && (!r->msg || strcmp(r->msg, json_object_get_string(v))))
			fail_msg("%s/%s: msg \"%s\", expected \"%s\"", name, r->workload,
				 r->msg ? r->msg : "(none)", json_object_get_string(v));
	}
	if (jint(e, "samples", -1) >= 0 && (int64_t)r->nr_samples != jint(e, "samples", -1))
		fail_msg("%s/%s: %zu samples, expected %lld", name, r->workload, r->nr_samples,
			 (long long)jint(e, "samples", -1));
	if (jint(e, "checks", -1) >= 0 && (int64_t)r->nr_checks != jint(e, "checks", -1))
		fail_msg("%s/%s: %zu checks, expected %lld", name, r->workload, r->nr_checks,
			 (long long)jint(e, "checks", -1));
	if (jint(e, "holds", 0) != (int64_t)r->holds.n)
		fail_msg("%s/%s: %zu holds, expected %lld", name, r->workload, r->holds.n,
			 (long long)jint(e, "holds", 0));
	if (json_object_object_get_ex(e, "signatures", &v)) {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++)
			if (!has_signature(r, json_object_get_string(json_object_array_get_idx(v, i))))
				fail_msg("%s/%s: no signature %s", name, r->workload,
					 json_object_get_string(json_object_array_get_idx(v, i)));
		if (n != r->signatures.n)
			fail_msg("%s/%s: %zu signatures, expected %zu", name, r->workload,
				 r->signatures.n, n);
	}
}

static void check_case(const char *name)
{
	struct json_object *exp = case_json(name, "expected.json"), *ew;
	struct judged j;
	size_t nexp = 0;

	judge_case(name, &j);
	for (size_t i = 0; i < j.n; i++)
		print_result(name, &j.res[i]);
	if (jstr(exp, "boot_verdict") && strcmp(jstr(exp, "boot_verdict"), verdict_name(j.cl.verdict)))
		fail_msg("%s: console verdict %s, expected %s", name, verdict_name(j.cl.verdict),
			 jstr(exp, "boot_verdict"));
	assert_true(json_object_object_get_ex(exp, "workloads", &ew));
	json_object_object_foreach(ew, wl, e) {
		struct zd_result *r = result_named(&j, wl);

		if (!r)
			fail_msg("%s: expected.json names %s, the plan has no such workload", name, wl);
		check_workload(name, r, e);
		nexp++;
	}
	if (nexp != j.n)
		fail_msg("%s: %zu workloads in the plan, %zu in expected.json", name, j.n, nexp);
	judged_free(&j);
	json_object_put(exp);
}

static void test_corpus(void **state)
{
	static const char *const required[] = {
		"clean-two-workloads", "pcpu-underflow-crash-in-workload", "step-timeout-hang",
		"infra-no-hello", "infra-boot-timeout", "workload-not-ok",
		"other-medium-setup-failed", "negative-control-refused", "infra-qemu-killed",
	};
	DIR *d = opendir(CORPUS);
	struct dirent *de;
	struct strv seen = { 0 };

	assert_non_null(d);
	while ((de = readdir(d))) {
		char *p = xasprintf("%s/%s", CORPUS, de->d_name);

		if (de->d_name[0] != '.' && is_dir(p)) {
			print_message("case: %s\n", de->d_name);
			check_case(de->d_name);
			strv_push(&seen, de->d_name);
		}
		free(p);
	}
	closedir(d);
	for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
		bool have = false;

		for (size_t k = 0; k < seen.n; k++)
			have |= !strcmp(seen.v[k], required[i]);
		if (!have)
			fail_msg("corpus case %s is missing", required[i]);
	}
	strv_free(&seen);
}

/* The findings of a crash inside one workload are tied to that workload. */
static void test_crash_phase(void **state)
{
	struct judged j;
	const struct zd_result *r;

	judge_case("pcpu-underflow-crash-in-workload", &j);
	r = result_named(&j, "gup-fast-pte");
	assert_non_null(r);
	assert_true(has_signature(r, "percpu_ref_underflow:dev_pagemap_percpu_release@workload:odirect-read-pte"));
	assert_true(has_signature(r, "NULL_DEREF:percpu_ref_put_many@workload:odirect-read-pte"));
	for (size_t i = 0; i < r->signatures.n; i++)
		assert_non_null(strstr(r->signatures.v[i], "@workload:odirect-read-pte"));
	/* the agent died mid-workload: no done line, no second sample */
	assert_false(j.rep.done);
	assert_int_equal(result_named(&j, "odirect-read-pte")->nr_samples, 1);
	judged_free(&j);
}

/*
 * Each finding keeps the classifier's lkp-tests name, through a result
 * file and back (report formats print it as dmesg.KEY).
 */
static void test_findings_keep_lkp_keys(void **state)
{
	struct judged j;
	struct zd_result *r, back;
	char dir[] = "/tmp/zd-verdict-lkp-XXXXXX", *p, *err = NULL;

	judge_case("pcpu-underflow-crash-in-workload", &j);
	r = result_named(&j, "odirect-read-pte");
	assert_non_null(r);
	assert_int_equal(r->nr_findings, j.cl.n);
	assert_true(r->nr_findings > 0);
	for (size_t i = 0; i < r->nr_findings; i++) {
		assert_non_null(j.cl.f[i].lkp_key);
		assert_string_equal(r->findings[i].lkp_key, j.cl.f[i].lkp_key);
	}
	assert_non_null(mkdtemp(dir));
	p = path_join(dir, "r.json");
	assert_int_equal(result_write(p, r), 0);
	assert_int_equal(result_read(p, &back, &err), 0);
	assert_int_equal(back.nr_findings, r->nr_findings);
	for (size_t i = 0; i < r->nr_findings; i++)
		assert_string_equal(back.findings[i].lkp_key, r->findings[i].lkp_key);
	result_free(&back);
	rm_rf(dir);
	free(p);
	judged_free(&j);
}

static void test_names_and_order(void **state)
{
	static const enum zd_verdict by_severity[] = { V_CLEAN, V_INFRA, V_FAIL, V_HANG, V_CRASH };
	enum zd_verdict v;

	for (int i = 0; i < V_NR; i++) {
		assert_int_equal(verdict_parse(verdict_name(i), &v), 0);
		assert_int_equal(v, i);
	}
	assert_string_equal(verdict_name(V_CLEAN), "clean");
	assert_string_equal(verdict_name(V_INFRA), "infra");
	assert_int_equal(verdict_parse(NULL, &v), -1);
	assert_int_equal(verdict_parse("Crash", &v), -1);
	assert_int_equal(verdict_parse("", &v), -1);
	for (size_t i = 1; i < ARRAY_SIZE(by_severity); i++) {
		assert_true(verdict_rank(by_severity[i]) > verdict_rank(by_severity[i - 1]));
		assert_int_equal(verdict_worse(by_severity[i], by_severity[i - 1]), by_severity[i]);
		assert_int_equal(verdict_worse(by_severity[i - 1], by_severity[i]), by_severity[i]);
	}
	assert_int_equal(verdict_worse(V_HANG, V_HANG), V_HANG);
	/* the exit statuses: a kernel failure outranks infra, infra clean */
	assert_int_equal(verdict_exit(V_CLEAN), ZD_EXIT_CLEAN);
	assert_int_equal(verdict_exit(V_INFRA), ZD_EXIT_INFRA);
	assert_int_equal(verdict_exit(V_FAIL), ZD_EXIT_KERNEL);
	assert_int_equal(verdict_exit(V_CRASH), ZD_EXIT_KERNEL);
	assert_int_equal(zd_exit_worse(ZD_EXIT_CLEAN, ZD_EXIT_INFRA), ZD_EXIT_INFRA);
	assert_int_equal(zd_exit_worse(ZD_EXIT_KERNEL, ZD_EXIT_INFRA), ZD_EXIT_KERNEL);
	assert_int_equal(zd_exit_worse(ZD_EXIT_INFRA, ZD_EXIT_KERNEL), ZD_EXIT_KERNEL);
}

/*
 * --interleave: two boots of odirect-read-pte (a clean one, then one the
 * step timeout killed in the next workload) and a third that never booted.
 */
static void test_merge_interleaved(void **state)
{
	struct judged a, b, c;
	struct zd_result acc = { 0 };

	judge_case("clean-two-workloads", &a);
	judge_case("step-timeout-hang", &b);
	judge_case("infra-boot-timeout", &c);
	assert_string_equal(a.res[0].workload, "odirect-read-pte");
	assert_string_equal(b.res[0].workload, "odirect-read-pte");
	assert_string_equal(c.res[0].workload, "odirect-read-pte");

	verdict_merge(&acc, &a.res[0]);
	assert_string_equal(acc.verdict, "clean");
	assert_null(a.res[0].verdict); /* moved whole */
	verdict_merge(&acc, &b.res[0]);
	assert_int_equal(acc.nr_samples, 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(acc.samples[i].rep, i);
	assert_int_equal(b.res[0].nr_samples, 0);
	assert_string_equal(acc.verdict, "hang");
	assert_false(acc.ok);
	assert_string_equal(acc.timeout, "step");
	assert_string_equal(acc.msg, "2 reps"); /* the first boot's */
	assert_int_equal(acc.signatures.n, 1);
	assert_string_equal(acc.signatures.v[0], "TIMEOUT:step@workload:futex-wake-pte");
	assert_int_equal(acc.nr_findings, 1);

	/* fail:runs per boot: 1 of 2 boots failed, its signature in 1 */
	assert_int_equal(result_boots(&acc), 2);
	assert_int_equal(result_failed_boots(&acc), 1);
	assert_int_equal(result_sig_boots(&acc, 0), 1);

	/* infra ranks below hang: the worse verdict and the first timeout stay */
	verdict_merge(&acc, &c.res[0]);
	assert_string_equal(acc.verdict, "hang");
	assert_string_equal(acc.timeout, "step");
	assert_int_equal(acc.nr_samples, 4);
	assert_int_equal(result_boots(&acc), 3);
	assert_int_equal(result_failed_boots(&acc), 2); /* infra is not clean either */
	/* the counts survive a write and a read */
	{
		struct json_object *o = result_to_json(&acc);
		struct zd_result back;
		char *err = NULL;

		assert_int_equal(result_from_json(o, &back, &err), 0);
		assert_int_equal(result_boots(&back), 3);
		assert_int_equal(result_failed_boots(&back), 2);
		assert_int_equal(result_sig_boots(&back, 0), 1);
		result_free(&back);
		json_object_put(o);
	}
	result_free(&acc);
	judged_free(&a);
	judged_free(&b);
	judged_free(&c);

	/* the other way round: infra first, then clean; infra outranks clean */
	judge_case("infra-boot-timeout", &c);
	judge_case("clean-two-workloads", &a);
	memset(&acc, 0, sizeof(acc));
	verdict_merge(&acc, &c.res[0]);
	verdict_merge(&acc, &a.res[0]);
	assert_string_equal(acc.verdict, "infra");
	assert_false(acc.ok);
	assert_string_equal(acc.timeout, "boot");
	assert_int_equal(acc.nr_samples, 2);
	assert_int_equal(acc.samples[1].rep, 1);
	result_free(&acc);
	judged_free(&a);
	judged_free(&c);
}

/* The same boot twice: signatures stay unique, findings and holds add up. */
static void test_merge_same_boot(void **state)
{
	struct judged a, b;
	struct zd_result acc = { 0 };
	size_t sigs, findings;

	judge_case("zonehook-held-ref-hang", &a);
	judge_case("zonehook-held-ref-hang", &b);
	sigs = a.res[0].signatures.n;
	findings = a.res[0].nr_findings;
	verdict_merge(&acc, &a.res[0]);
	verdict_merge(&acc, &b.res[0]);
	assert_int_equal(acc.signatures.n, sigs);
	/* the same signature in both boots: 2 of 2 */
	for (size_t i = 0; i < sigs; i++)
		assert_int_equal(result_sig_boots(&acc, i), 2);
	assert_int_equal(result_boots(&acc), 2);
	assert_int_equal(result_failed_boots(&acc), 2);
	assert_int_equal(acc.nr_findings, 2 * findings);
	assert_int_equal(acc.holds.n, 2);
	assert_int_equal(acc.nr_samples, 2);
	assert_int_equal(acc.samples[1].rep, 1);
	assert_string_equal(acc.verdict, "hang");
	result_free(&acc);
	judged_free(&a);
	judged_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_order),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_crash_phase),
		cmocka_unit_test(test_findings_keep_lkp_keys),
		cmocka_unit_test(test_merge_interleaved),
		cmocka_unit_test(test_merge_same_boot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
