// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench lava end to end: the job zdbench writes runs for real through
 * Debian's lava-run with the qemu device dictionary zdbench writes (TCG,
 * icount), and what zdbench harvests from LAVA's log (the agent's lines
 * framed on the one serial console) equals a direct `zdbench run` of the
 * same kernel: the verdict, the samples' pages and pins exactly, the
 * icount elapsed times within the icount clock's own noise (measured:
 * docs/lab.md, "LAVA"). spec-gup's underflow and teardown hang come back
 * through LAVA as they do from a direct run. Faults: a dispatcher that
 * never starts the job, one killed mid-boot, a log cut short: each an
 * infra verdict with its message, one result per workload, never two.
 * --submit: against an XML-RPC stub answering from a recorded job log,
 * and against a real lava-server started by tests/e2e/lava-server.sh.
 *
 * The kernels come from the cache (`zdbench build base` must say "no
 * make"; a test that would build a kernel fails instead).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2e.h"
#include "exitcode.h"

#define WL "gup-pin-fast-pte"
/* icount: 1 us steps, and the agent's console frames move the guest's
 * timer phase a little (docs/lab.md): far below any effect compare finds */
#define ICOUNT_TOL 0.005

static char tmp[] = "/tmp/zd-e2e-lava-XXXXXX";
static char *fakebin, *path0;

static struct out zdv(const char *const *args)
{
	return zd_argv(tmp, args, 1800);
}

static struct zd_result read_res(const char *dir, const char *variant)
{
	char *p = xasprintf("%s/%s/%s.json", dir, variant, WL), *err = NULL;
	struct zd_result r;

	if (result_read(p, &r, &err))
		fail_msg("%s: %s", p, err ? err : "unreadable");
	free(p);
	return r;
}

/* Exactly one result file for the workload: nothing recorded twice. */
static void one_result(const char *dir, const char *variant)
{
	char *d = xasprintf("%s/%s", dir, variant);
	DIR *dh = opendir(d);
	struct dirent *e;
	size_t json = 0;

	assert_non_null(dh);
	while ((e = readdir(dh))) {
		size_t n = strlen(e->d_name);

		/* <workload>.json: not plan.json, boot.json (run -j), results.jsonl */
		if (n > 5 && !strcmp(e->d_name + n - 5, ".json") && strcmp(e->d_name, "plan.json") &&
		    strcmp(e->d_name, "boot.json"))
			json++;
	}
	closedir(dh);
	if (json != 1)
		fail_msg("%s: %zu result files, expected 1", d, json);
	free(d);
}

static void base_is_cached(void)
{
	const char *args[] = { "build", "base", NULL };
	struct out o = zdv(args);

	if (o.code || !strstr(o.text, "no make"))
		fail_msg("zdbench build base is not a cache hit (this test never builds a kernel):\n%s",
			 o.text);
	expect_in(&o, "bzImage");
	free(o.text);
}

/* A fake lava-run first on PATH: body is the script after the #! line. */
static void fake_lava_run(const char *body)
{
	char *p = path_join(fakebin, "lava-run");
	char *s = xasprintf("#!/bin/sh\n%s\n", body);

	assert_int_equal(write_file_atomic(p, s, strlen(s)), 0);
	assert_int_equal(chmod(p, 0755), 0);
	free(p);
	free(s);
	p = xasprintf("%s:%s", fakebin, path0);
	assert_int_equal(setenv("PATH", p, 1), 0);
	free(p);
}

static void real_lava_run(void)
{
	assert_int_equal(setenv("PATH", path0, 1), 0);
}

static void test_base_matches_direct_run(void **state)
{
	char *ld = xasprintf("%s/lava", tmp), *dd = xasprintf("%s/direct", tmp);
	const char *lava[] = { "lava", "--run", "--variant", "base", "--workload", WL,
			       "--reps", "2", "--clock", "icount", "-o", ld,
			       "-s", "lava.timeout=300", NULL };
	const char *direct[] = { "run", "--variant", "base", "--workload", WL, "--reps", "2",
				 "--clock", "icount", "-o", dd, NULL };
	struct out o;
	struct zd_result a, b;

	base_is_cached();
	real_lava_run();
	o = zdv(lava);
	if (o.code)
		fail_msg("zdbench lava --run: exit %d\n%s", o.code, o.text);
	free(o.text);
	o = zdv(direct);
	if (o.code)
		fail_msg("zdbench run: exit %d\n%s", o.code, o.text);
	free(o.text);
	a = read_res(ld, "base");
	b = read_res(dd, "base");
	assert_string_equal(a.backend, "lava");
	assert_string_equal(b.backend, "qemu");
	assert_string_equal(a.verdict, b.verdict);
	assert_string_equal(a.verdict, "clean");
	assert_int_equal(a.nr_samples, 2);
	assert_int_equal(a.nr_samples, b.nr_samples);
	for (size_t i = 0; i < a.nr_samples; i++) {
		double ea = a.samples[i].elapsed_ns, eb = b.samples[i].elapsed_ns;

		print_message("rep %zu: lava %.0f ns, direct %.0f ns (%+.3f%%)\n", i, ea, eb,
			      100 * (ea - eb) / eb);
		assert_int_equal(a.samples[i].pages, b.samples[i].pages);
		assert_int_equal(a.samples[i].pin_acquired, b.samples[i].pin_acquired);
		assert_int_equal(a.samples[i].pin_released, b.samples[i].pin_released);
		if (ea < eb * (1 - ICOUNT_TOL) || ea > eb * (1 + ICOUNT_TOL))
			fail_msg("rep %zu: %.0f ns through LAVA, %.0f ns direct", i, ea, eb);
	}
	assert_true(a.ok);
	/* the lava run files what a local run files, plus LAVA's own files */
	{
		const char *files[] = { "console.log", "results.jsonl", "plan.json", "lava.log",
					"job.yaml", "device.yaml" };

		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			char *p = xasprintf("%s/base/%s", ld, files[i]);

			if (!path_exists(p))
				fail_msg("%s missing", p);
			free(p);
		}
	}
	one_result(ld, "base");
	result_free(&a);
	result_free(&b);
	free(ld);
	free(dd);
}

/* A fault: lava-run replaced; infra, the message, one result. */
static void fault(const char *name, const char *body, const char *msg)
{
	char *d = xasprintf("%s/%s", tmp, name);
	const char *args[] = { "lava", "--run", "--variant", "base", "--workload", WL,
			       "--reps", "2", "--clock", "icount", "-o", d,
			       "-s", "lava.timeout=300", NULL };
	struct out o;
	struct zd_result r;

	fake_lava_run(body);
	o = zdv(args);
	real_lava_run();
	if (o.code != ZD_EXIT_INFRA)
		fail_msg("%s: exit %d, expected %d (infra)\n%s", name, o.code, ZD_EXIT_INFRA, o.text);
	expect_in(&o, msg);
	r = read_res(d, "base");
	assert_string_equal(r.verdict, "infra");
	assert_false(r.ok);
	one_result(d, "base");
	result_free(&r);
	free(o.text);
	free(d);
}

static void test_job_never_starts(void **state)
{
	fault("never", "echo 'lava-run: cannot reach the device' >&2; exit 1",
	      "ends before any entry");
}

static void test_dispatcher_dies_mid_boot(void **state)
{
	/* killed 8 s in: LAVA's deploy is done, the guest is booting */
	fault("killed", "exec timeout -s KILL 8 /usr/bin/lava-run \"$@\"",
	      "without the job's result");
}

static void test_log_cut_short(void **state)
{
	/* the whole job runs; its log stops after 250 lines (mid-boot) */
	char *body = xasprintf("/usr/bin/lava-run \"$@\" 2>'%s/full.log'; head -n 250 '%s/full.log' >&2",
			       tmp, tmp);

	fault("cut", body, "without the job's result");
	free(body);
}

/*
 * spec-gup through LAVA: the pgmap underflow and the teardown hang, as a
 * direct run records them (test_variants.c, S1).
 */
static void test_spec_gup_hang(void **state)
{
	char *ld = xasprintf("%s/spec-lava", tmp), *dd = xasprintf("%s/spec-direct", tmp);
	const char *lava[] = { "lava", "--run", "--variant", "spec-gup", "--workload", WL,
			       "--reps", "2", "--clock", "icount", "-o", ld,
			       "-s", "qemu.teardown_timeout=60", "-s", "qemu.hung_task_timeout=10",
			       "-s", "lava.timeout=240", NULL };
	const char *direct[] = { "run", "--variant", "spec-gup", "--workload", WL,
				 "--reps", "2", "--clock", "icount", "-o", dd,
				 "-s", "qemu.teardown_timeout=60", "-s", "qemu.hung_task_timeout=10",
				 NULL };
	struct out o;
	struct zd_result a, b;

	real_lava_run();
	o = zdv(lava);
	if (o.code != ZD_EXIT_KERNEL)
		fail_msg("zdbench lava --run spec-gup: exit %d, expected 1\n%s", o.code, o.text);
	free(o.text);
	o = zdv(direct);
	if (o.code != ZD_EXIT_KERNEL)
		fail_msg("zdbench run spec-gup: exit %d, expected 1\n%s", o.code, o.text);
	free(o.text);
	a = read_res(ld, "spec-gup");
	b = read_res(dd, "spec-gup");
	assert_string_equal(a.verdict, "hang");
	assert_string_equal(a.verdict, b.verdict);
	assert_non_null(a.timeout);
	assert_non_null(b.timeout);
	assert_string_equal(a.timeout, b.timeout);
	assert_int_equal(a.nr_samples, b.nr_samples);
	for (size_t i = 0; i < a.nr_samples; i++) {
		assert_int_equal(a.samples[i].pin_acquired, b.samples[i].pin_acquired);
		assert_int_equal(a.samples[i].pin_released, b.samples[i].pin_released);
	}
	/* the underflow's signature, from LAVA's console as from QEMU's file */
	for (size_t i = 0; i < b.signatures.n; i++) {
		bool found = false;

		for (size_t j = 0; j < a.signatures.n; j++)
			found |= !strcmp(a.signatures.v[j], b.signatures.v[i]);
		if (!found)
			fail_msg("signature %s of the direct run is missing through LAVA",
				 b.signatures.v[i]);
	}
	one_result(ld, "spec-gup");
	result_free(&a);
	result_free(&b);
	free(ld);
	free(dd);
}

/*
 * --submit through lavacli against tests/e2e/lava-stub.py, an XML-RPC
 * server answering as lava-server's API does, from the recorded log of a
 * real lava-run job (tests/data/lava/pass.log): lava-server cannot run on
 * this machine (docs/lab.md). No guest boots here: the results are those
 * of the recorded job.
 */
static void test_submit_recorded_api(void **state)
{
	char *portf = path_join(tmp, "stub.port"), *calls = path_join(tmp, "stub.calls");
	char *d = path_join(tmp, "submit"), *url = NULL, *port, *log, *set;
	char *argv[] = { "/usr/bin/python3", "tests/e2e/lava-stub.py", portf, calls,
			 "tests/data/lava/pass.log", NULL };
	struct proc_opts po = { 0 };
	int status;
	pid_t pid = proc_spawn(argv, &po, NULL);
	struct out o;
	struct zd_result r;

	assert_true(pid > 0);
	for (int i = 0; i < 100 && !path_exists(portf); i++)
		usleep(100000);
	port = read_file(portf, NULL);
	if (!port)
		fail_msg("lava-stub.py did not start (python3-yaml?)");
	url = xasprintf("lava.url=http://127.0.0.1:%s/RPC2", port);
	set = url;
	{
		const char *args[] = { "lava", "--submit", "--variant", "base", "--workload", WL,
				       "--reps", "2", "--clock", "icount", "-o", d, "-s", set, NULL };

		o = zdv(args);
	}
	proc_kill_group(pid, 2, &status);
	if (o.code)
		fail_msg("zdbench lava --submit: exit %d\n%s", o.code, o.text);
	expect_in(&o, "lava: job 4242 on http://127.0.0.1:");
	r = read_res(d, "base");
	assert_string_equal(r.verdict, "clean");
	assert_int_equal(r.nr_samples, 2);
	/* the recorded job's figures, harvested from the server's log format */
	assert_int_equal(r.samples[0].elapsed_ns, 8227000);
	assert_int_equal(r.samples[1].elapsed_ns, 8235000);
	log = read_file(calls, NULL);
	assert_non_null(log);
	/* what lavacli sent: the job zdbench wrote, then the bounded wait and the log */
	assert_non_null(strstr(log, "\"scheduler.jobs.submit\", \"args\": [\"job_name: \\\"zdbench icount base\\\""));
	assert_non_null(strstr(log, "\"scheduler.jobs.show\", \"args\": [\"4242\"]"));
	assert_non_null(strstr(log, "\"scheduler.jobs.logs\", \"args\": [\"4242\", \"0\""));
	assert_null(strstr(log, "scheduler.jobs.cancel"));
	one_result(d, "base");
	result_free(&r);
	free(o.text);
	free(log);
	free(port);
	free(url);
	free(portf);
	free(calls);
	free(d);
}

/*
 * A real lava-server (tests/e2e/lava-server.sh: PostgreSQL, the API under
 * gunicorn, the scheduler, one lava-worker and qemu device), driven through
 * lavacli with an identity: submit, wait, the log fetched and filed. The
 * device is the server's qemu template (wall clock), so the figures are
 * not compared; the verdict and pins are.
 */
static void test_submit_real_server(void **state)
{
	char *sd = path_join(tmp, "server"), *d = path_join(tmp, "server-run");
	char *start[] = { "tests/e2e/lava-server.sh", "start", sd, NULL };
	char *stop[] = { "tests/e2e/lava-server.sh", "stop", sd, NULL };
	char *log = path_join(tmp, "server.log");
	struct proc_opts po = { .out_path = log, .timeout = 600 };
	struct proc_result pr;
	const char *args[] = { "lava", "--submit", "--variant", "base", "--workload", WL,
			       "--reps", "2", "-o", d, "-s", "lava.identity=zdbench-test",
			       "-s", "lava.timeout=400", NULL };
	struct out o;
	struct zd_result r;

	assert_int_equal(proc_run(start, &po, &pr), 0);
	if (pr.exit_code || pr.timed_out) {
		char *t = read_file(log, NULL);

		proc_run(stop, &po, &pr);
		fail_msg("lava-server could not be started:\n%s", t ? t : "");
	}
	assert_int_equal(setenv("XDG_CONFIG_HOME", sd, 1), 0);
	o = zdv(args);
	unsetenv("XDG_CONFIG_HOME");
	proc_run(stop, &po, &pr);
	if (o.code)
		fail_msg("zdbench lava --submit to lava-server: exit %d\n%s", o.code, o.text);
	expect_in(&o, "lava: job ");
	expect_in(&o, "on identity zdbench-test");
	r = read_res(d, "base");
	assert_string_equal(r.verdict, "clean");
	assert_int_equal(r.nr_samples, 2);
	for (size_t i = 0; i < r.nr_samples; i++) {
		assert_int_equal(r.samples[i].pin_acquired, 20480);
		assert_int_equal(r.samples[i].pin_released, 20480);
	}
	one_result(d, "base");
	result_free(&r);
	free(o.text);
	free(log);
	free(sd);
	free(d);
}

static int setup(void **state)
{
	if (e2e_ready())
		return -1;
	if (!mkdtemp(tmp))
		return -1;
	fakebin = path_join(tmp, "bin");
	path0 = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	if (mkdir_p(fakebin, 0755))
		return -1;
	if (access("/usr/bin/lava-run", X_OK)) {
		fprintf(stderr, "lava-run missing: install lava-dispatcher (scripts/install-deps.sh)\n");
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	if (!getenv("ZD_KEEP"))
		rm_rf(tmp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit_recorded_api),
		cmocka_unit_test(test_base_matches_direct_run),
		cmocka_unit_test(test_job_never_starts),
		cmocka_unit_test(test_dispatcher_dies_mid_boot),
		cmocka_unit_test(test_log_cut_short),
		cmocka_unit_test(test_spec_gup_hang),
		cmocka_unit_test(test_submit_real_server),
	};

	e2e_filter();
	return cmocka_run_group_tests(tests, setup, teardown);
}
