// SPDX-License-Identifier: GPL-2.0
/*
 * The bisection logic, driven by a fake build-and-test step on a small
 * generated git repository: each commit's "state" file says how the fake
 * step behaves there (good, bad, nobuild, flaky bad, a metric value).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include <cmocka.h>

#include "bisect.h"
#include "ksrc.h"
#include "util.h"

static char repo[64];
static char *commits[32];
static int ncommits;

static void git5(const char *a, const char *b, const char *c, const char *d,
		 const char *e)
{
	char *args[] = { (char *)a, (char *)b, (char *)c, (char *)d, (char *)e, NULL };

	assert_int_equal(git_run(repo, args, NULL, 60), 0);
}

/* Build a linear history: one commit per state string. */
static void make_repo(const char *const *states, int n)
{
	char *hargs[] = { "rev-parse", "HEAD", NULL };

	rm_rf(repo);
	strcpy(repo, "/tmp/zd-bisect-XXXXXX");
	assert_non_null(mkdtemp(repo));
	git5("init", "-q", "-b", "main", NULL);
	for (int i = 0; i < n; i++) {
		char *p = path_join(repo, "state"), *msg = xasprintf("commit %d: %s", i, states[i]);

		assert_int_equal(write_file_atomic(p, states[i], strlen(states[i])), 0);
		git5("add", "state", NULL, NULL, NULL);
		git5("commit", "-q", "--allow-empty", "-m", msg);
		free(commits[i]);
		assert_int_equal(git_run(repo, hargs, &commits[i], 60), 0);
		free(p);
		free(msg);
	}
	ncommits = n;
}

struct fake {
	const char *want;	/* "has" states: the failure bisected for */
	bool disjoint;		/* its workload never reaches the others */
	unsigned int calls;
	unsigned int abort_after; /* 0: never */
	uint64_t rng;
};

static double uniform(struct fake *f)
{
	f->rng = f->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (f->rng >> 11) / 9007199254740992.0;
}

static int fake_run(void *ctx, const char *tree, const char *commit,
		    struct step_result *out)
{
	struct fake *f = ctx;
	char *spec = xasprintf("%s:state", commit), *state = NULL;
	char *args[] = { "show", spec, NULL };

	memset(out, 0, sizeof(*out));
	f->calls++;
	if (f->abort_after && f->calls > f->abort_after) {
		out->kind = STEP_ABORT;
		out->note = xstrdup("simulated interruption");
		free(spec);
		return 0;
	}
	assert_int_equal(git_run(tree, args, &state, 60), 0);
	if (!strcmp(state, "good")) {
		out->kind = STEP_CLEAN;
	} else if (!strcmp(state, "bad")) {
		out->kind = STEP_REPRO;
	} else if (!strcmp(state, "nobuild")) {
		out->kind = STEP_NOBUILD;
	} else if (str_starts(state, "flaky ")) {
		out->kind = uniform(f) < atof(state + 6) ? STEP_REPRO : STEP_CLEAN;
	} else if (str_starts(state, "infra-then-good")) {
		out->kind = f->calls % 2 ? STEP_INFRA : STEP_CLEAN;
	} else if (f->want && str_starts(state, "has ")) {
		/* "has a b": this commit shows the failures a and b (when the
		 * workload reaches them); the bisection looks for f->want */
		bool mine = false, other = false;
		char *save, *tok, *list = xstrdup(state + 4);

		for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (!strcmp(tok, f->want))
				mine = true;
			else if (!f->disjoint)
				other = true;
		}
		free(list);
		out->kind = mine ? STEP_REPRO : other ? STEP_OTHER : STEP_CLEAN;
	} else if (str_starts(state, "perf ")) {
		out->kind = STEP_CLEAN;
		out->nr_samples = 5;
		out->samples = xmalloc(5 * sizeof(double));
		for (int i = 0; i < 5; i++)
			out->samples[i] = atof(state + 5) * (1 + 0.004 * (uniform(f) - 0.5));
	}
	free(state);
	free(spec);
	return 0;
}

static const struct bisect_rule correctness = { .max_runs = 3, .max_infra = 4 };

static char *state_file(void)
{
	return xasprintf("%s.state.json", repo);
}

static void test_finds_culprit_skipping_unbuildable(void **state)
{
	static const char *const s[] = {
		"good", "good", "good", "good", "nobuild", "good", "good", "good",
		"bad", "bad", "nobuild", "bad", "bad", "bad", "bad", "bad",
	};
	struct fake f = { .rng = 1 };
	struct step_ops ops = { fake_run, &f };
	struct bisect_report rep;
	char *sf;

	make_repo(s, 16);
	sf = state_file(); /* beside this repo, never in the cwd */
	unlink(sf);
	assert_int_equal(bisect(repo, commits[0], commits[15], &ops, &correctness, sf, &rep), 0);
	assert_true(rep.found);
	assert_string_equal(rep.culprit, commits[8]);
	assert_string_equal(rep.parent, commits[7]);
	assert_string_equal(rep.subject, "commit 8: bad");
	assert_true(rep.confirmed);
	/* ceil(log2 15) = 4, a skip may cost one more */
	assert_true(rep.steps <= 6);
	/* 3/3 at the bad end: the rate's 95% lower bound is 0.05^(1/3) = 0.368,
	 * so each good verdict after 3 clean runs is right with 1-0.632^3 */
	assert_true(fabs(rep.repro_lo - pow(0.05, 1.0 / 3)) < 1e-6);
	{
		double want = 1;

		for (size_t i = 0; i < rep.nr_evals; i++)
			if (rep.evals[i].verdict == REV_GOOD)
				want *= 1 - pow(1 - rep.repro_lo, rep.evals[i].runs);
		assert_true(fabs(rep.confidence - want) < 1e-9);
		assert_true(rep.confidence > 0.05 && rep.confidence < 0.99);
	}
	{
		char *txt = bisect_report_text(&rep, &correctness);

		assert_non_null(strstr(txt, "first bad commit"));
		free(txt);
	}
	bisect_report_free(&rep);
	free(sf);
}

static void test_bad_end_must_reproduce(void **state)
{
	static const char *const s[] = { "good", "good", "good", "good" };
	struct fake f = { .rng = 1 };
	struct step_ops ops = { fake_run, &f };
	struct bisect_report rep;
	char *sf;

	make_repo(s, 4);
	sf = state_file(); /* beside this repo, never in the cwd */
	unlink(sf);
	assert_int_not_equal(bisect(repo, commits[0], commits[3], &ops, &correctness, sf, &rep), 0);
	assert_false(rep.found);
	assert_non_null(strstr(rep.message, "does not reproduce"));
	bisect_report_free(&rep);
	free(sf);
}

static void test_good_end_must_be_good(void **state)
{
	static const char *const s[] = { "bad", "bad", "bad", "bad" };
	struct fake f = { .rng = 1 };
	struct step_ops ops = { fake_run, &f };
	struct bisect_report rep;
	char *sf;

	make_repo(s, 4);
	sf = state_file(); /* beside this repo, never in the cwd */
	unlink(sf);
	assert_int_not_equal(bisect(repo, commits[0], commits[3], &ops, &correctness, sf, &rep), 0);
	assert_non_null(strstr(rep.message, "is not good"));
	bisect_report_free(&rep);
	free(sf);
}

/* A failure that reproduces half the time is still pinned down. */
static void test_flaky(void **state)
{
	static const char *const s[] = {
		"good", "good", "good", "good", "good", "good", "good", "flaky 0.5",
		"flaky 0.5", "flaky 0.5", "flaky 0.5", "flaky 0.5", "flaky 0.5",
	};
	const struct bisect_rule rule = { .max_runs = 10, .max_infra = 4 };
	struct fake f = { .rng = 42 };
	struct step_ops ops = { fake_run, &f };
	struct bisect_report rep;
	char *sf;

	make_repo(s, 13);
	sf = state_file(); /* beside this repo, never in the cwd */
	unlink(sf);
	assert_int_equal(bisect(repo, commits[0], commits[12], &ops, &rule, sf, &rep), 0);
	assert_string_equal(rep.culprit, commits[7]);
	assert_true(rep.repro_rate > 0.2 && rep.repro_rate < 0.9);
	/* (1-p)^10 per good verdict: the stated confidence is high, not 1 */
	assert_true(rep.confidence > 0.9 && rep.confidence < 1.0);
	bisect_report_free(&rep);
	free(sf);
}

/* Infrastructure failures are counted apart and never decide. */
static void test_infra_never_decides(void **state)
{
	const struct bisect_rule rule = { .max_runs = 3, .max_infra = 5 };
	struct fake f = { .rng = 1 };
	struct step_ops ops = { fake_run, &f };
	struct rev_eval ev;

	make_repo((const char *const[]){ "infra-then-good" }, 1);
	rev_evaluate(&ops, &rule, repo, commits[0], NULL, 0, &ev);
	assert_int_equal(ev.verdict, REV_GOOD);
	assert_int_equal(ev.runs, 3);
	assert_true(ev.infra >= 2);
	rev_eval_free(&ev);
}

/* Interrupted half way, a second call resumes from the state file. */
static void test_resume(void **state)
{
	static const char *const s[] = {
		"good", "good", "good", "good", "good", "good", "good", "good",
		"good", "good", "good", "bad", "bad", "bad", "bad", "bad",
		"bad", "bad", "bad", "bad", "bad", "bad", "bad", "bad",
	};
	struct fake f = { .rng = 1, .abort_after = 9 };
	struct step_ops ops = { fake_run, &f };
	struct bisect_report rep;
	char *sf;
	unsigned int first;

	make_repo(s, 24);
	sf = state_file(); /* beside this repo, never in the cwd */
	unlink(sf);
	assert_int_not_equal(bisect(repo, commits[0], commits[23], &ops, &correctness, sf, &rep), 0);
	assert_false(rep.found);
	bisect_report_free(&rep);
	first = f.calls;
	f.abort_after = 0;
	f.calls = 0;
	assert_int_equal(bisect(repo, commits[0], commits[23], &ops, &correctness, sf, &rep), 0);
	assert_string_equal(rep.culprit, commits[11]);
	/* the ends and the revisions done before were not run again */
	assert_true(first >= 9);
	assert_true(f.calls < first + 12);
	bisect_report_free(&rep);
	free(sf);
}

/* Performance: a 6% slowdown against a 5% threshold, decided by Welch. */
static void test_performance(void **state)
{
	static const char *const s[] = {
		"perf 100", "perf 100", "perf 100", "perf 100", "perf 100", "perf 100",
		"perf 106", "perf 106", "perf 106", "perf 106", "perf 106",
	};
	const struct bisect_rule rule = { .max_runs = 2, .max_infra = 2, .metric = true,
					  .threshold = 0.05, .alpha = 0.01 };
	struct fake f = { .rng = 7 };
	struct step_ops ops = { fake_run, &f };
	struct bisect_report rep;
	char *sf;

	make_repo(s, 11);
	sf = state_file(); /* beside this repo, never in the cwd */
	unlink(sf);
	assert_int_equal(bisect(repo, commits[0], commits[10], &ops, &rule, sf, &rep), 0);
	assert_string_equal(rep.culprit, commits[6]);
	assert_true(rep.confirmed);
	bisect_report_free(&rep);
	free(sf);
}

/*
 * A state file that exists but is torn, empty, of another schema or of
 * the wrong shape stops the bisection before any run, names the file, and
 * is left exactly as it was (it may be the only record of hours of runs).
 */
static void test_bad_state_refused_and_kept(void **state)
{
	static const char *const s[] = { "good", "good", "bad", "bad" };
	static const char *const docs[] = {
		"",
		"{\"schema\": \"zdbench.bisect-state/1\", \"good\": \"",
		"{\"schema\": \"zdbench.bisect-state/2\", \"good\": \"G\", \"bad\": \"B\", "
		"\"mode\": \"signature\", \"evals\": {}}",
		"{\"schema\": \"zdbench.bisect-state/1\", \"good\": \"G\", \"bad\": \"B\", "
		"\"mode\": \"signature\"}",
		"{\"schema\": \"zdbench.bisect-state/1\", \"good\": \"G\", \"bad\": \"B\", "
		"\"mode\": \"signature\", \"evals\": []}",
		"{\"schema\": \"zdbench.bisect-state/1\", \"good\": \"G\", \"bad\": \"B\", "
		"\"mode\": \"signature\", \"evals\": {\"X\": {\"commit\": \"X\", \"verdict\": \"maybe\", "
		"\"runs\": 1, \"reproduced\": 0, \"other_failures\": 0, \"infra_failures\": 0, \"samples\": []}}}",
		"{\"schema\": \"zdbench.bisect-state/1\", \"good\": \"G\", \"bad\": \"B\", "
		"\"mode\": \"signature\", \"evals\": {\"X\": {\"commit\": \"X\", \"verdict\": \"good\", "
		"\"runs\": \"3\", \"reproduced\": 0, \"other_failures\": 0, \"infra_failures\": 0, \"samples\": []}}}",
		"{\"schema\": \"zdbench.bisect-state/1\", \"good\": \"G\", \"bad\": \"B\", "
		"\"mode\": \"signature\", \"evals\": {\"X\": {\"commit\": \"X\", \"verdict\": \"good\", "
		"\"runs\": 3, \"reproduced\": 0, \"other_failures\": 0, \"infra_failures\": 0, \"samples\": [\"1\"]}}}",
		"{\"schema\": \"zdbench.bisect-state/1\", \"good\": \"G\", \"bad\": \"B\", "
		"\"mode\": \"signature\", \"evals\": {\"X\": null}}",
	};
	struct fake f = { .rng = 1 };
	struct step_ops ops = { fake_run, &f };
	struct bisect_report rep;
	char *sf;

	make_repo(s, 4);
	sf = state_file();
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char *back;
		size_t len;

		unlink(sf);
		assert_int_equal(write_file_atomic(sf, docs[i], strlen(docs[i])), 0);
		f.calls = 0;
		assert_int_not_equal(bisect(repo, commits[0], commits[3], &ops, &correctness, sf, &rep), 0);
		assert_int_equal(f.calls, 0);
		back = read_file(sf, &len);
		assert_non_null(back);
		assert_int_equal(len, strlen(docs[i]));
		assert_memory_equal(back, docs[i], len);
		free(back);
		bisect_report_free(&rep);
	}
	/* a folder where the file should be: refused, not replaced */
	unlink(sf);
	assert_int_equal(mkdir(sf, 0755), 0);
	assert_int_not_equal(bisect(repo, commits[0], commits[3], &ops, &correctness, sf, &rep), 0);
	assert_true(is_dir(sf));
	bisect_report_free(&rep);
	rmdir(sf);
	/* and a state written by bisect itself reads back clean */
	assert_int_equal(bisect(repo, commits[0], commits[3], &ops, &correctness, sf, &rep), 0);
	bisect_report_free(&rep);
	{
		struct json_object *d;

		assert_int_equal(bisect_state_load(sf, &d), 0);
		json_object_put(d);
	}
	unlink(sf);
	free(sf);
}

static int cleanup(void **state)
{
	char *sf = state_file();

	unlink(sf);
	free(sf);
	rm_rf(repo);
	for (int i = 0; i < 32; i++)
		free(commits[i]);
	return 0;
}

/*
 * Two regressions in one history (kernels/history: 0008 and 0011), each
 * with its own signature. A commit that fails only with the other one is
 * no evidence either way (the other failure may hide this one): the step
 * calls it "other" and bisect skips it, never calls it good. So each
 * signature is found only with a workload that does not reach the other
 * bug; with one that does, the bisection says it cannot decide instead
 * of naming a wrong culprit.
 */
static void test_two_culprits(void **state)
{
	static const char *const s[] = {
		"good", "good", "good", "good", "good", "good", "good", "good",
		"has a", "has a", "has a", "has a b", "has a b", "has a b", "has a b", "has a b",
	};
	struct fake fa = { .want = "a", .rng = 1 };
	struct fake fb = { .want = "b", .disjoint = true, .rng = 1 };
	struct fake fm = { .want = "b", .rng = 1 };
	struct step_ops oa = { fake_run, &fa }, ob = { fake_run, &fb }, om = { fake_run, &fm };
	struct bisect_report rep;
	int skips = 0;
	char *sf;

	make_repo(s, 16);
	sf = state_file();
	unlink(sf);
	/* a: the later culprit's commits reproduce a too */
	assert_int_equal(bisect(repo, commits[0], commits[15], &oa, &correctness, sf, &rep), 0);
	assert_true(rep.found);
	assert_string_equal(rep.culprit, commits[8]);
	assert_true(rep.confirmed);
	bisect_report_free(&rep);
	unlink(sf);
	/* b with a workload that never reaches a: commits 8..10 are clean */
	assert_int_equal(bisect(repo, commits[0], commits[15], &ob, &correctness, sf, &rep), 0);
	assert_true(rep.found);
	assert_string_equal(rep.culprit, commits[11]);
	assert_string_equal(rep.subject, "commit 11: has a b");
	assert_true(rep.confirmed);
	bisect_report_free(&rep);
	unlink(sf);
	/* b with a workload that also shows a: 8..10 are skipped, and the
	 * first bad commit is one of 8..11: said, not guessed */
	bisect(repo, commits[0], commits[15], &om, &correctness, sf, &rep);
	assert_false(rep.found);
	assert_null(rep.culprit);
	assert_non_null(rep.message);
	for (size_t i = 0; i < rep.nr_evals; i++)
		for (int c = 8; c <= 10; c++)
			if (!strcmp(rep.evals[i].commit, commits[c])) {
				assert_int_equal(rep.evals[i].verdict, REV_SKIP);
				skips++;
			}
	assert_true(skips >= 1);
	bisect_report_free(&rep);
	unlink(sf);
	free(sf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_culprit_skipping_unbuildable),
		cmocka_unit_test(test_bad_end_must_reproduce),
		cmocka_unit_test(test_good_end_must_be_good),
		cmocka_unit_test(test_flaky),
		cmocka_unit_test(test_infra_never_decides),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_performance),
		cmocka_unit_test(test_bad_state_refused_and_kept),
		cmocka_unit_test(test_two_culprits),
	};

	return cmocka_run_group_tests_name("bisect", tests, NULL, cleanup);
}
