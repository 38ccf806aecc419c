// SPDX-License-Identifier: GPL-2.0
/*
 * Results from several machines: run folders fabricated from a recorded
 * icount result (tests/data/results/icount-a), written by result.c and
 * labelled as different machines, merged by zdbench merge. Merging twice
 * changes nothing; one run id from two machines is two runs; one run id
 * and machine with other content is refused; a half-uploaded folder and a
 * torn result are refused with nothing recorded. compare refuses sides of
 * two machines unless --pool; the nightly analysis finds change points on
 * each machine's series, where pooling would invent or hide them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "builtin.h"
#include "history.h"
#include "machine.h"
#include "merge.h"
#include "result.h"
#include "runset.h"
#include "util.h"

#define A "tests/data/results/icount-a"
#define WL "odirect-read-pte"

static char *tmpdir(void)
{
	char *d = xstrdup("/tmp/zd-merge-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

/*
 * root/run_id: a complete run of machine (NULL: a run.json and results
 * older than machine ids) with variant base and workload WL, A's samples
 * times factor, run.json status as given.
 */
static char *make_run(const char *root, const char *machine, const char *run_id,
		      double factor, const char *status)
{
	char *rd = path_join(root, run_id), *vd = path_join(rd, "base"), *p, *err = NULL;
	struct json_object *rj = json_object_new_object(), *ks = json_object_new_array();
	struct json_object *k = json_object_new_object(), *wa = json_object_new_array();
	struct zd_result r;

	assert_int_equal(mkdir_p(vd, 0755), 0);
	json_object_object_add(rj, "schema", json_object_new_string(ZD_RUN_SCHEMA));
	json_object_object_add(rj, "run_id", json_object_new_string(run_id));
	json_object_object_add(rj, "status", json_object_new_string(status));
	json_object_object_add(rj, "started", json_object_new_int64(1790000000));
	json_object_object_add(rj, "kernel_base", json_object_new_string("abc"));
	if (machine) {
		struct zd_machine m = { .id = xstrdup(machine), .id_from = "config",
					.hostname = xstrdup(machine), .cpu_model = xstrdup("Test CPU"),
					.pmem = xstrdup("memmap"), .backend = xstrdup("qemu") };

		json_object_object_add(rj, "machine", machine_json(&m));
		machine_free(&m);
	}
	json_object_object_add(k, "variant", json_object_new_string("base"));
	json_object_array_add(ks, k);
	json_object_object_add(rj, "kernels", ks);
	json_object_array_add(wa, json_object_new_string(WL));
	json_object_object_add(rj, "workloads", wa);
	p = path_join(rd, "run.json");
	assert_int_equal(zd_json_write(p, rj), 0);
	free(p);
	json_object_put(rj);

	assert_int_equal(result_read(A "/base/" WL ".json", &r, &err), 0);
	free(r.run_id);
	r.run_id = xstrdup(run_id);
	r.machine = machine ? xstrdup(machine) : NULL;
	for (size_t i = 0; i < r.nr_samples; i++)
		r.samples[i].ns_per_page *= factor;
	p = path_join(vd, WL ".json");
	assert_int_equal(result_write(p, &r), 0);
	free(p);
	result_free(&r);
	free(vd);
	return rd;
}

/* Run f with stdout and stderr captured into *out (caller frees); its return. */
static int captured(int (*f)(void *), void *arg, char **out)
{
	char path[] = "/tmp/zd-merge-out-XXXXXX";
	int fd = mkstemp(path), so, se, ret;

	assert_true(fd >= 0);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	ret = f(arg);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	close(fd);
	*out = read_file(path, NULL);
	unlink(path);
	assert_non_null(*out);
	return ret;
}

struct merge_call {
	const char *out;
	const char *dirs[4];
	struct merge_stats st;
};

static int do_merge(void *arg)
{
	struct merge_call *mc = arg;
	struct merge_opts o = { .out_dir = mc->out };
	struct strv dirs = { 0 };
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(mc->dirs) && mc->dirs[i]; i++)
		strv_push(&dirs, mc->dirs[i]);
	ret = merge_results(&o, &dirs, &mc->st);
	strv_free(&dirs);
	return ret;
}

/* merge_results(out, d0, d1, ...), output into *text (caller frees). */
static int merge(struct merge_call *mc, char **text)
{
	return captured(do_merge, mc, text);
}

/* Every file under dir with its content, one listing (caller frees). */
static void listing(const char *dir, struct sbuf *sb)
{
	struct strv names = { 0 };
	char *cmd = xasprintf("find %s -type f | LC_ALL=C sort", dir);
	FILE *f = popen(cmd, "r");
	char line[4096];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *text;

		line[strcspn(line, "\n")] = '\0';
		strv_push(&names, line);
		text = read_file(line, NULL);
		sbuf_addf(sb, "== %s\n%s", line, text ? text : "(unreadable)");
		free(text);
	}
	pclose(f);
	strv_free(&names);
	free(cmd);
}

static size_t history_docs(const char *out)
{
	char *h = path_join(out, "history");
	struct json_object **docs;
	size_t n;

	assert_int_equal(history_load(h, &docs, &n), 0);
	history_free(docs, n);
	free(h);
	return n;
}

static void test_machine_probe(void **state)
{
	struct zd_machine m;
	char *cpu = cpu_model_of("processor\t: 0\nvendor_id\t: GenuineIntel\n"
				 "model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\nflags\t: fpu\n");

	assert_string_equal(cpu, "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz");
	free(cpu);
	assert_null(cpu_model_of("processor : 0\nBogoMIPS : 50.00\n"));
	/* a lab's label wins */
	machine_probe("lab3", "host", "host", &m);
	assert_string_equal(m.id, "lab3");
	assert_string_equal(m.id_from, "config");
	assert_string_equal(m.pmem, "host");
	machine_free(&m);
	/* otherwise a name made of the host name (and machine-id's hash) */
	machine_probe(NULL, "qemu", "memmap", &m);
	assert_true(is_name(m.id));
	assert_non_null(m.cpu_model);
	if (m.machine_id) {
		assert_int_equal(strlen(m.machine_id), 16);
		assert_string_equal(m.id_from, "machine-id");
	}
	machine_free(&m);
}

/* Results older than machine ids read as "unknown"; a machine that is no name is refused. */
static void test_result_machine(void **state)
{
	struct run_set rs;
	struct zd_result r;
	char *err = NULL, *d = tmpdir(), *p = path_join(d, "r.json");

	assert_int_equal(run_set_load(A, &rs), 0);
	assert_string_equal(run_set_machine(&rs), ZD_MACHINE_UNKNOWN);
	run_set_free(&rs);
	assert_int_equal(result_read(A "/base/" WL ".json", &r, &err), 0);
	r.machine = xstrdup("../evil");
	assert_int_equal(result_write(p, &r), 0);
	result_free(&r);
	assert_int_not_equal(result_read(p, &r, &err), 0);
	assert_non_null(strstr(err, "machine '../evil'"));
	free(err);
	result_free(&r);
	free(p);
	rm_rf(d);
	free(d);
}

static void test_merge_machines_twice(void **state)
{
	char *root = tmpdir(), *out = path_join(root, "out"), *text;
	char *m1 = path_join(root, "m1"), *m2 = path_join(root, "m2");
	struct merge_call mc = { .out = out, .dirs = { m1, m2 } };
	struct sbuf before = { 0 }, after = { 0 };
	struct run_set rs;
	char *r1 = make_run(m1, "lab1", "20261201-010000-1", 1.0, "complete");
	char *r2 = make_run(m1, "lab1", "20261202-010000-1", 1.01, "complete");
	char *r3 = make_run(m2, "lab2", "20261201-010500-7", 0.9, "complete");
	char *dst;

	assert_int_equal(merge(&mc, &text), 0);
	assert_int_equal(mc.st.merged, 3);
	free(text);
	assert_int_equal(history_docs(out), 3);
	/* the layout compare reads: OUT/<machine>/<run-id> */
	dst = xasprintf("%s/lab2/20261201-010500-7", out);
	assert_int_equal(run_set_load(dst, &rs), 0);
	assert_string_equal(run_set_machine(&rs), "lab2");
	run_set_free(&rs);
	free(dst);

	/* twice: nothing changes, every run recognised */
	listing(out, &before);
	assert_int_equal(merge(&mc, &text), 0);
	assert_int_equal(mc.st.merged, 0);
	assert_int_equal(mc.st.skipped, 3);
	assert_non_null(strstr(text, "merged already"));
	free(text);
	listing(out, &after);
	assert_string_equal(sbuf_str(&before), sbuf_str(&after));
	/* a run folder named directly is the same run */
	mc.dirs[0] = r1;
	mc.dirs[1] = NULL;
	assert_int_equal(merge(&mc, &text), 0);
	assert_int_equal(mc.st.skipped, 1);
	free(text);
	assert_int_equal(history_docs(out), 3);

	sbuf_free(&before);
	sbuf_free(&after);
	free(r1);
	free(r2);
	free(r3);
	free(m1);
	free(m2);
	free(out);
	rm_rf(root);
	free(root);
}

static void test_same_run_id_two_machines(void **state)
{
	char *root = tmpdir(), *out = path_join(root, "out"), *text;
	char *m1 = path_join(root, "m1"), *m2 = path_join(root, "m2");
	struct merge_call mc = { .out = out, .dirs = { m1, m2 } };
	char *r1 = make_run(m1, "lab1", "20261201-010000-1", 1.0, "complete");
	char *r2 = make_run(m2, "lab2", "20261201-010000-1", 1.2, "complete");
	char *d1 = xasprintf("%s/lab1/20261201-010000-1/run.json", out);
	char *d2 = xasprintf("%s/lab2/20261201-010000-1/run.json", out);

	assert_int_equal(merge(&mc, &text), 0);
	assert_int_equal(mc.st.merged, 2);
	/* said so, naming both machines */
	assert_non_null(strstr(text, "came from machines lab1 and lab2"));
	free(text);
	assert_true(path_exists(d1));
	assert_true(path_exists(d2));
	assert_int_equal(history_docs(out), 2);
	free(d1);
	free(d2);
	free(r1);
	free(r2);
	free(m1);
	free(m2);
	free(out);
	rm_rf(root);
	free(root);
}

static void test_same_run_id_other_content(void **state)
{
	char *root = tmpdir(), *out = path_join(root, "out"), *text;
	char *a = path_join(root, "a"), *b = path_join(root, "b");
	struct merge_call mc = { .out = out, .dirs = { a } };
	char *ra = make_run(a, "lab1", "20261201-010000-1", 1.0, "complete");
	char *rb = make_run(b, "lab1", "20261201-010000-1", 1.3, "complete");
	struct run_set rs;
	char *dst = xasprintf("%s/lab1/20261201-010000-1", out);
	double first;

	assert_int_equal(merge(&mc, &text), 0);
	free(text);
	assert_int_equal(run_set_load(dst, &rs), 0);
	first = rs.res[0].samples[0].ns_per_page;
	run_set_free(&rs);
	mc.dirs[0] = b;
	assert_int_equal(merge(&mc, &text), 3);
	assert_int_equal(mc.st.conflicts, 1);
	/* an error naming both folders */
	assert_non_null(strstr(text, rb));
	assert_non_null(strstr(text, "other content"));
	{
		char *abs = path_abs(a);

		assert_non_null(strstr(text, abs));
		free(abs);
	}
	free(text);
	/* the first run is what stays, recorded once */
	assert_int_equal(history_docs(out), 1);
	assert_int_equal(run_set_load(dst, &rs), 0);
	assert_true(rs.res[0].samples[0].ns_per_page == first);
	run_set_free(&rs);
	free(dst);
	free(ra);
	free(rb);
	free(a);
	free(b);
	free(out);
	rm_rf(root);
	free(root);
}

/* Refused with a message naming want, exit 3, and nothing of run_id recorded. */
static void expect_refused(const char *out, const char *dir, const char *want)
{
	struct merge_call mc = { .out = out, .dirs = { dir } };
	char *text, *ls;
	size_t docs = history_docs(out);

	assert_int_equal(merge(&mc, &text), 3);
	assert_int_equal(mc.st.refused, 1);
	assert_int_equal(mc.st.merged, 0);
	if (!strstr(text, want))
		fail_msg("expected '%s' in:\n%s", want, text);
	assert_non_null(strstr(text, "nothing of it recorded"));
	free(text);
	assert_int_equal(history_docs(out), docs);
	/* no copy either, not even a temporary one */
	ls = xasprintf("%s/lab1", out);
	if (is_dir(ls)) {
		struct sbuf sb = { 0 };

		listing(ls, &sb);
		if (sbuf_str(&sb)[0])
			fail_msg("left in %s:\n%s", ls, sbuf_str(&sb));
		sbuf_free(&sb);
	}
	free(ls);
}

static void test_half_uploaded(void **state)
{
	char *root = tmpdir(), *out = path_join(root, "out");
	char *up = path_join(root, "up"), *p;
	char *r = make_run(up, "lab1", "20261201-010000-1", 1.0, "running");

	/* the run had not finished when it was copied */
	p = path_join(r, "run.json");
	expect_refused(out, r, p);
	expect_refused(out, r, "status is 'running'");
	free(p);
	rm_rf(r);
	free(r);
	/* a result the run lists never arrived */
	r = make_run(up, "lab1", "20261201-010000-1", 1.0, "complete");
	p = xasprintf("%s/base/%s.json", r, WL);
	unlink(p);
	expect_refused(out, r, p);
	free(p);
	rm_rf(r);
	free(r);
	/* a result that is a link (to anything) is not the run's own file */
	r = make_run(up, "lab1", "20261201-010000-1", 1.0, "complete");
	p = xasprintf("%s/base/%s.json", r, WL);
	{
		char *elsewhere = path_join(root, "elsewhere.json");

		assert_int_equal(rename(p, elsewhere), 0);
		assert_int_equal(symlink(elsewhere, p), 0);
		free(elsewhere);
	}
	expect_refused(out, r, "not a regular file");
	free(p);
	rm_rf(r);
	free(r);
	/* run.json never arrived: the parent folder's scan still finds the run */
	r = make_run(up, "lab1", "20261201-010000-1", 1.0, "complete");
	p = path_join(r, "run.json");
	unlink(p);
	expect_refused(out, up, p);
	free(p);
	free(r);
	free(up);
	free(out);
	rm_rf(root);
	free(root);
}

static void test_torn_result(void **state)
{
	char *root = tmpdir(), *out = path_join(root, "out"), *up = path_join(root, "up");
	char *r = make_run(up, "lab1", "20261201-010000-1", 1.0, "complete");
	char *p = xasprintf("%s/base/%s.json", r, WL), *text, *rj;
	size_t len;

	/* cut in half, as an interrupted upload leaves it */
	text = read_file(p, &len);
	assert_int_equal(write_file_atomic(p, text, len / 2), 0);
	free(text);
	expect_refused(out, r, p);
	expect_refused(out, r, "not JSON");
	/* a torn run.json too */
	rm_rf(r);
	free(r);
	r = make_run(up, "lab1", "20261201-010000-1", 1.0, "complete");
	rj = path_join(r, "run.json");
	text = read_file(rj, &len);
	assert_int_equal(write_file_atomic(rj, text, len / 3), 0);
	free(text);
	expect_refused(out, r, rj);
	/* whole again: merged */
	rm_rf(r);
	free(r);
	r = make_run(up, "lab1", "20261201-010000-1", 1.0, "complete");
	{
		struct merge_call mc = { .out = out, .dirs = { r } };

		assert_int_equal(merge(&mc, &text), 0);
		assert_int_equal(mc.st.merged, 1);
		free(text);
	}
	free(rj);
	free(p);
	free(r);
	free(up);
	free(out);
	rm_rf(root);
	free(root);
}

static int do_compare(void *arg)
{
	char **argv = arg;
	int argc = 0;

	while (argv[argc])
		argc++;
	return run_builtin(&builtin_compare, argc, argv);
}

static void test_compare_refuses_machines(void **state)
{
	char *root = tmpdir(), *m1 = path_join(root, "m1"), *m2 = path_join(root, "m2"), *text;
	char *a = make_run(m1, "lab1", "20261201-010000-1", 1.0, "complete");
	char *b = make_run(m1, "lab1", "20261202-010000-1", 1.0, "complete");
	char *c = make_run(m2, "lab2", "20261201-010000-1", 1.0, "complete");
	char *same[] = { "compare", a, b, NULL };
	char *cross[] = { "compare", a, c, NULL };
	char *pooled[] = { "compare", a, c, "--pool", NULL };
	char *old[] = { "compare", A, c, NULL };
	char *vd = path_join(c, "base");
	char *variant[] = { "compare", a, vd, NULL };

	assert_int_equal(captured(do_compare, same, &text), 0);
	free(text);
	assert_int_equal(captured(do_compare, cross, &text), 2);
	assert_non_null(strstr(text, "machine lab1"));
	assert_non_null(strstr(text, "machine lab2"));
	assert_non_null(strstr(text, "--pool"));
	free(text);
	/* a variant folder: its results name the machine */
	assert_int_equal(captured(do_compare, variant, &text), 2);
	free(text);
	assert_int_equal(captured(do_compare, pooled, &text), 0);
	assert_non_null(strstr(text, "--pool: comparing across machines"));
	free(text);
	/* results older than machine ids: compared, with a note */
	assert_int_equal(captured(do_compare, old, &text), 0);
	assert_non_null(strstr(text, "names no machine"));
	free(text);
	free(vd);
	free(a);
	free(b);
	free(c);
	free(m1);
	free(m2);
	rm_rf(root);
	free(root);
}


/* One night of machine at value factor into hdir (a history document as merge writes it). */
static void night(const char *hdir, int i, const char *machine, double factor)
{
	struct run_set rs;
	char *id = xasprintf("2026%04d-000000-1", i), *name = xasprintf("%s@%s", id, machine);
	struct json_object *doc;

	assert_int_equal(run_set_load(A, &rs), 0);
	rs.machine = xstrdup(machine);
	for (size_t s = 0; s < rs.res[0].nr_samples; s++)
		rs.res[0].samples[s].ns_per_page *= factor * (1 + 0.0002 * ((i * 7 + s) % 5));
	doc = history_doc(&rs, id, "abc", 1790000000L + 86400L * i);
	assert_int_equal(history_append(hdir, name, doc), 0);
	json_object_put(doc);
	run_set_free(&rs);
	free(id);
	free(name);
}

/* The change points of the ns_per_page series, one per line (caller frees). */
static char *cps(const char *hdir, bool pool)
{
	struct hist_report rep;
	char *proj = getcwd(NULL, 0);
	struct sbuf sb = { 0 };

	assert_int_equal(history_analyse(proj, hdir, pool, &rep), 0);
	for (size_t i = 0; i < rep.changes.n; i++)
		if (strstr(rep.changes.v[i], "/ns_per_page:"))
			sbuf_addf(&sb, "%s\n", rep.changes.v[i]);
	hist_report_free(&rep);
	free(proj);
	return sbuf_detach(&sb, NULL);
}

/*
 * Invented by pooling: lab1 alone for 20 nights, then lab2 (20% slower,
 * flat) joins. Neither machine changed; the pooled series has a step.
 */
static void test_changepoints_not_invented(void **state)
{
	char *h = tmpdir(), *per, *pooled;

	for (int i = 0; i < 40; i++)
		night(h, i, i < 20 || i % 2 ? "lab1" : "lab2", i < 20 || i % 2 ? 1.0 : 1.2);
	per = cps(h, false);
	pooled = cps(h, true);
	print_message("per machine:\n%spooled:\n%s", *per ? per : "(none)\n", pooled);
	if (*per)
		fail_msg("per machine: no change expected, got:\n%s", per);
	if (!*pooled)
		fail_msg("pooled: the fixture should show a change point made of two machines");
	free(per);
	free(pooled);
	rm_rf(h);
	free(h);
}

/*
 * Hidden by pooling: lab1 steps up 5% at its 15th night; lab2, every
 * other night, is 20% slower and flat. The pooled series only sees the
 * two machines alternate; per machine the step is found, on lab1, at its
 * own night 15.
 */
static void test_changepoints_per_machine(void **state)
{
	char *h = tmpdir(), *per, *pooled;

	for (int i = 0; i < 60; i++) {
		bool one = i % 2 == 0;

		night(h, i, one ? "lab1" : "lab2", one ? (i / 2 >= 15 ? 1.05 : 1.0) : 1.2);
	}
	per = cps(h, false);
	pooled = cps(h, true);
	print_message("per machine:\n%spooled:\n%s", per, *pooled ? pooled : "(none)\n");
	if (!strstr(per, "lab1/base/" WL "/ns_per_page: night 15 ") || strstr(per, "lab2/") ||
	    strchr(per, '\n') != per + strlen(per) - 1)
		fail_msg("per machine: expected lab1's step at its night 15 only, got:\n%s", per);
	/* pooled, lab1's step (night 30 of the pooled series) is lost in lab2's nights */
	if (*pooled)
		fail_msg("pooled: the fixture should hide the step, got:\n%s", pooled);
	free(per);
	free(pooled);
	rm_rf(h);
	free(h);
}

/*
 * A lab's nightly history from before machine ids (no machine) goes on
 * with the same machine's named nights: one series, its step found where
 * it is (night 25), not split at the upgrade (night 20).
 */
static void test_changepoints_across_upgrade(void **state)
{
	char *h = tmpdir(), *per;

	for (int i = 0; i < 40; i++) {
		if (i < 20) { /* written before machine ids: no "machine" */
			struct run_set rs;
			char *id = xasprintf("2026%04d-000000-1", i);
			struct json_object *doc;

			assert_int_equal(run_set_load(A, &rs), 0);
			for (size_t s = 0; s < rs.res[0].nr_samples; s++)
				rs.res[0].samples[s].ns_per_page *= 1 + 0.0002 * ((i * 7 + s) % 5);
			doc = history_doc(&rs, id, "abc", 1790000000L + 86400L * i);
			json_object_object_del(doc, "machine");
			assert_int_equal(history_append(h, id, doc), 0);
			json_object_put(doc);
			run_set_free(&rs);
			free(id);
		} else {
			night(h, i, "lab1", i >= 25 ? 1.05 : 1.0);
		}
	}
	per = cps(h, false);
	print_message("%s", per);
	if (!strstr(per, "base/" WL "/ns_per_page: night 25 "))
		fail_msg("expected the step at night 25 on one series, got:\n%s", per);
	if (strstr(per, "lab1/") || strstr(per, "unknown/"))
		fail_msg("the series was split at the upgrade:\n%s", per);
	free(per);
	rm_rf(h);
	free(h);
}

static int do_merge_cli(void *arg)
{
	char **argv = arg;
	int argc = 0;

	while (argv[argc])
		argc++;
	return run_builtin(&builtin_merge, argc, argv);
}

static void test_merge_usage(void **state)
{
	char *root = tmpdir(), *text;
	char *none[] = { "merge", NULL };
	char *missing[] = { "merge", "/nonexistent/zd-merge", NULL };
	char *ed = path_join(root, "empty"), *od = path_join(root, "out");
	char *empty[] = { "merge", "-o", od, ed, NULL };
	char *run = make_run(root, NULL, "20261201-010000-1", 1.0, "complete");
	char *badm[] = { "merge", "--machine", "a/b", "-o", od, run, NULL };

	assert_int_equal(captured(do_merge_cli, none, &text), 2);
	free(text);
	assert_int_equal(captured(do_merge_cli, missing, &text), 2);
	assert_non_null(strstr(text, "/nonexistent/zd-merge: no such folder"));
	free(text);
	assert_int_equal(mkdir_p(ed, 0755), 0);
	assert_int_equal(captured(do_merge_cli, empty, &text), 2);
	assert_non_null(strstr(text, "no run folder in it"));
	free(text);
	assert_int_equal(captured(do_merge_cli, badm, &text), 2);
	assert_non_null(strstr(text, "--machine 'a/b'"));
	free(text);
	free(run);
	free(ed);
	free(od);
	rm_rf(root);
	free(root);
}

/* [general] machine: a name, since merge makes a folder of it */
static void test_config_machine_label(void **state)
{
	struct zd_config *c = config_new();
	char *all;

	assert_int_not_equal(config_set(c, "general", "machine", "../lab 3", "lab.ini", 4), 0);
	all = strv_join(&c->errors, "\n");
	if (!strstr(all, "lab.ini:4") || !strstr(all, "key 'machine': '../lab 3'"))
		fail_msg("expected lab.ini:4 and the key in: %s", all);
	free(all);
	assert_int_equal(config_set(c, "general", "machine", "lab3", "lab.ini", 5), 0);
	assert_string_equal(c->machine, "lab3");
	/* empty: unset, the machine's own id */
	assert_int_equal(config_set(c, "general", "machine", "", "lab.ini", 6), 0);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine_probe),
		cmocka_unit_test(test_config_machine_label),
		cmocka_unit_test(test_result_machine),
		cmocka_unit_test(test_merge_machines_twice),
		cmocka_unit_test(test_same_run_id_two_machines),
		cmocka_unit_test(test_same_run_id_other_content),
		cmocka_unit_test(test_half_uploaded),
		cmocka_unit_test(test_torn_result),
		cmocka_unit_test(test_compare_refuses_machines),
		cmocka_unit_test(test_changepoints_not_invented),
		cmocka_unit_test(test_changepoints_per_machine),
		cmocka_unit_test(test_changepoints_across_upgrade),
		cmocka_unit_test(test_merge_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
