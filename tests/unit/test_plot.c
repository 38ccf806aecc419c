// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench plot RUN -o DIR writes plots/ and index.html into DIR and leaves
 * the run folder as it was; unknown metrics and -o with several runs are
 * usage errors. Needs gnuplot (scripts/install-deps.sh installs it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "builtin.h"
#include "plot.h"
#include "runset.h"
#include "util.h"

#include "full-disk.h"

#define A "tests/data/results/icount-a"

static void test_plot_out_dir(void **state)
{
	char *dir = xstrdup("/tmp/zd-plot-XXXXXX"), *out, *index, *plots, *png;
	char *argv[] = { "plot", A, "-o", NULL, NULL };
	char *html;

	assert_non_null(mkdtemp(dir));
	out = path_join(dir, "report");
	argv[3] = out;
	assert_int_equal(run_builtin(&builtin_plot, 4, argv), 0);
	index = path_join(out, "index.html");
	plots = path_join(out, "plots");
	png = path_join(plots, "odirect-read-pte-bars.png");
	assert_true(path_exists(index));
	assert_true(is_dir(plots));
	assert_true(path_exists(png));
	html = read_file(index, NULL);
	assert_non_null(strstr(html, "median ns_per_page (ns)"));
	/* the run folder untouched */
	assert_false(path_exists(A "/plots"));
	assert_false(path_exists(A "/index.html"));
	free(html);
	rm_rf(dir);
	free(dir);
	free(out);
	free(index);
	free(plots);
	free(png);
}

/* A variant name that, eval'd by gnuplot, would run a shell command. */
#define GP_INJECT "\" 1); system \"touch %s\"; set xtics (\"y"
#define HTML_INJECT "<script>alert(1)</script><img src=x onerror=alert(2)>\"'"

/*
 * html-check.py says "ok" for path: a browser-grade tokenizer finds no
 * element, attribute or URL the report does not write itself. Without
 * python3 the check cannot be made: the test fails, it never passes.
 */
static void assert_html_clean(const char *path, int scripts)
{
	char *cmd = xasprintf("python3 tests/tools/html-check.py '%s' %d", path, scripts);
	FILE *f = popen(cmd, "r");
	char line[512] = "";
	int rc;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strcmp(line, "ok\n"))
			fprintf(stderr, "html-check %s: %s", path, line);
	rc = pclose(f);
	if (rc == 127 << 8 || rc == -1)
		fail_msg("python3 is needed for the HTML check (scripts/install-deps.sh)");
	assert_int_equal(rc, 0);
	free(cmd);
}

/*
 * A run set read from icount-a whose variant and workload names, verdict,
 * timeout and signatures are what an attacker would write: plot_run must
 * neither run the shell command nor let markup through. The names bypass
 * the loader's identifier check on purpose: this is the layer below it.
 */
static void test_plot_hostile_in_memory(void **state)
{
	char *dir = xstrdup("/tmp/zd-plot-XXXXXX"), *marker, *index, *proj = getcwd(NULL, 0);
	struct run_set a, rs;
	struct zd_metric m = zd_metrics[0];

	assert_non_null(mkdtemp(dir));
	marker = path_join(dir, "MARKER");
	index = path_join(dir, "index.html");
	assert_int_equal(run_set_load(A, &a), 0);
	run_set_init(&rs, dir);
	for (size_t i = 0; i < a.n; i++) {
		struct zd_result *r = &a.res[i];

		free(r->variant);
		free(r->workload);
		free(r->verdict);
		free(r->timeout);
		r->variant = xasprintf(GP_INJECT HTML_INJECT, marker);
		r->workload = xasprintf(GP_INJECT "../../" HTML_INJECT, marker);
		r->verdict = xstrdup("clean\" onmouseover=\"alert(3)");
		r->timeout = xstrdup(HTML_INJECT);
		strv_push(&r->signatures, HTML_INJECT "<br>");
		run_set_take(&rs, r);
	}
	assert_int_equal(plot_run(proj, &rs, &m, dir), 0);
	assert_false(path_exists(marker));
	assert_true(path_exists(index));
	assert_html_clean(index, 1);
	/* the plots exist under whitelisted names only, inside plots/ */
	{
		char *cmd = xasprintf("ls -a '%s/plots' | grep -v '^\\.\\.\\?$' | grep -cv '^[A-Za-z0-9_-][A-Za-z0-9._-]*$'", dir);
		FILE *f = popen(cmd, "r");
		char out[32] = "";

		assert_non_null(fgets(out, sizeof(out), f));
		pclose(f);
		assert_string_equal(out, "0\n");
		free(cmd);
	}
	run_set_free(&rs);
	run_set_free(&a);
	rm_rf(dir);
	free(dir);
	free(marker);
	free(index);
	free(proj);
}

/*
 * The same names in result files on disk, as `zdbench plot` reads them:
 * refused (names are identifiers) or plotted, the marker never appears.
 */
static void test_plot_hostile_files(void **state)
{
	char *dir = xstrdup("/tmp/zd-plot-XXXXXX"), *marker, *vd, *src, *json, *hostile, *path;
	char *argv[] = { "plot", NULL, "-o", NULL, NULL };
	struct sbuf sb = { 0 };
	const char *p;

	assert_non_null(mkdtemp(dir));
	marker = path_join(dir, "MARKER");
	vd = path_join(dir, "run/base");
	assert_int_equal(mkdir_p(vd, 0755), 0);
	src = read_file(A "/base/odirect-read-pte.json", NULL);
	assert_non_null(src);
	/* the JSON string of the hostile name: quotes and backslashes escaped */
	hostile = xasprintf(GP_INJECT, marker);
	sbuf_addstr(&sb, "\"");
	for (p = hostile; *p; p++)
		sbuf_addstr(&sb, *p == '"' ? "\\\"" : *p == '\\' ? "\\\\" : (char[]){ *p, 0 });
	sbuf_addstr(&sb, "\"");
	json = xstrdup(src);
	{
		char *v = strstr(json, "\"variant\": \"base\"");
		struct sbuf o = { 0 };

		assert_non_null(v);
		sbuf_add(&o, json, v - json);
		sbuf_addf(&o, "\"variant\": %s", sb.buf);
		sbuf_addstr(&o, v + strlen("\"variant\": \"base\""));
		free(json);
		json = sbuf_detach(&o, NULL);
	}
	path = path_join(vd, "odirect-read-pte.json");
	assert_int_equal(write_file_atomic(path, json, strlen(json)), 0);
	argv[1] = path_join(dir, "run");
	argv[3] = path_join(dir, "out");
	assert_int_not_equal(run_builtin(&builtin_plot, 4, argv), 0);
	assert_false(path_exists(marker));
	free(argv[1]);
	free(argv[3]);
	sbuf_free(&sb);
	rm_rf(dir);
	free(dir);
	free(marker);
	free(vd);
	free(src);
	free(json);
	free(hostile);
	free(path);
}

/* gnuplot variables with a newline would end the -e command: refused. */
static void test_gnuplot_control_chars(void **state)
{
	struct strv vars = { 0 };
	char *proj = getcwd(NULL, 0);

	strv_push(&vars, "title");
	strv_push(&vars, "x'\nsystem 'touch /tmp/zd-never");
	assert_int_equal(gnuplot(proj, "trend", &vars), -1);
	strv_free(&vars);
	free(proj);
}

static void test_plot_file_name(void **state)
{
	char *a = plot_file_name("a/b"), *b = plot_file_name("a_b"), *c = plot_file_name("../x");
	char *d = plot_file_name(""), *e = plot_file_name("base-1_x");

	assert_string_equal(b, "a_b");
	assert_string_not_equal(a, b); /* renamed names never collide with kept ones */
	assert_true(c[0] != '.');
	assert_null(strchr(c, '/'));
	assert_true(*d && *d != '.');
	assert_string_equal(e, "base-1_x");
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

/* Names in dir that are plots or temporaries of plots: none must be left. */
/*
 * plots/ as a symlink is refused; a plot file that is a symlink is
 * replaced, never written through.
 */
static void test_plot_symlinks(void **state)
{
	char *dir = xstrdup("/tmp/zd-plot-XXXXXX"), *out, *victim, *pl, *png;
	char *argv[] = { "plot", A, "-o", NULL, NULL };
	struct stat st;

	assert_non_null(mkdtemp(dir));
	out = path_join(dir, "out");
	victim = path_join(dir, "victim");
	pl = path_join(out, "plots");
	argv[3] = out;
	assert_int_equal(mkdir_p(out, 0755), 0);
	assert_int_equal(mkdir_p(victim, 0755), 0);
	assert_int_equal(symlink(victim, pl), 0);
	assert_int_not_equal(run_builtin(&builtin_plot, 4, argv), 0);
	assert_int_equal(count_plot_files(victim), 0);
	unlink(pl);
	assert_int_equal(mkdir_p(pl, 0755), 0);
	png = path_join(pl, "odirect-read-pte-bars.png");
	free(victim);
	victim = path_join(dir, "victim.png");
	assert_int_equal(write_file_atomic(victim, "keep", 4), 0);
	assert_int_equal(symlink(victim, png), 0);
	assert_int_equal(run_builtin(&builtin_plot, 4, argv), 0);
	assert_int_equal(lstat(png, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 4);
	rm_rf(dir);
	free(dir);
	free(out);
	free(victim);
	free(pl);
	free(png);
}

static int plot_argv(void *argv)
{
	return run_builtin(&builtin_plot, 4, argv);
}

/*
 * A disk that fills up while plotting (RLIMIT_FSIZE stands in: writes past
 * 4 KiB fail, in gnuplot too): plot fails, says which file, and leaves no
 * PNG, SVG or temporary behind.
 */
static void test_plot_full_disk(void **state)
{
	char *dir = xstrdup("/tmp/zd-plot-XXXXXX"), *out, *pl, *errp;
	char *argv[] = { "plot", A, "-o", NULL, NULL };

	assert_non_null(mkdtemp(dir));
	out = path_join(dir, "out");
	pl = path_join(out, "plots");
	errp = path_join(dir, "stderr");
	argv[3] = out;
	assert_int_not_equal(run_on_full_disk(plot_argv, argv, errp), 0);
	assert_int_equal(count_plot_files(pl), 0);
	{
		char *err = read_file(errp, NULL);

		assert_non_null(err);
		if (!strstr(err, "cannot write ") || !strstr(err, "/plots/"))
			fail_msg("no message naming the file: %s", err);
		free(err);
	}
	rm_rf(dir);
	free(dir);
	free(out);
	free(pl);
	free(errp);
}

static void test_plot_usage(void **state)
{
	char *two[] = { "plot", A, A, "-o", "/tmp/x", NULL };
	char *metric[] = { "plot", A, "--metric", "bogus", NULL };

	assert_int_equal(run_builtin(&builtin_plot, 5, two), 2);
	assert_int_equal(run_builtin(&builtin_plot, 4, metric), 2);
}

int main(void)
{
	char cwd[4096];

	/* the binary lives in build/tests: the gnuplot scripts are in the source tree */
	if (getcwd(cwd, sizeof(cwd)))
		setenv("ZDBENCH_HOME", cwd, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plot_out_dir),
		cmocka_unit_test(test_plot_usage),
		cmocka_unit_test(test_plot_hostile_in_memory),
		cmocka_unit_test(test_plot_hostile_files),
		cmocka_unit_test(test_gnuplot_control_chars),
		cmocka_unit_test(test_plot_file_name),
		cmocka_unit_test(test_plot_symlinks),
		cmocka_unit_test(test_plot_full_disk),
	};

	return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}
