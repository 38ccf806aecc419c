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
#include <unistd.h>

#include <cmocka.h>

#include "builtin.h"
#include "util.h"

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
	};

	return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}
