// SPDX-License-Identifier: GPL-2.0
/*
 * The CI job templates in contrib/ parse as YAML (python3-yaml) and hold
 * the matrix, the pmem runner tag, the zdbench run with its JUnit report,
 * the artifacts and the merge-and-compare job (tests/tools/ci-check.py);
 * a template broken either way is caught; the options the templates pass
 * to zdbench run exist. Without python3-yaml the test fails, saying so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

#define PY "/usr/bin/python3"

/* ci-check.py on project folder proj: its exit status, its output in *out. */
static int ci_check(const char *proj, char **out)
{
	char *cmd = xasprintf(PY " tests/tools/ci-check.py '%s' 2>&1", proj);
	FILE *f;
	struct sbuf sb = { 0 };
	char buf[1024];
	size_t n;
	int rc;

	if (access(PY, X_OK))
		fail_msg("%s is needed to check contrib/ (python3, python3-yaml: scripts/install-deps.sh)", PY);
	f = popen(cmd, "r");
	assert_non_null(f);
	sbuf_addstr(&sb, "");
	while ((n = fread(buf, 1, sizeof(buf), f)))
		sbuf_add(&sb, buf, n);
	rc = pclose(f);
	free(cmd);
	*out = sbuf_detach(&sb, NULL);
	if (strstr(*out, "No module named 'yaml'"))
		fail_msg("python3-yaml is needed to check contrib/ (scripts/install-deps.sh)");
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static void test_templates(void **state)
{
	char *out;

	if (ci_check(".", &out))
		fail_msg("contrib/ templates:\n%s", out);
	assert_string_equal(out, "ok\n");
	free(out);
}

/* A copy of the project's contrib/ and kernels/, with one template edited. */
static char *broken_copy(const char *file, const char *sed)
{
	char *dir = xstrdup("/tmp/zd-contrib-XXXXXX"), *cmd, *cwd = getcwd(NULL, 0);

	assert_non_null(mkdtemp(dir));
	cmd = xasprintf("cp -r contrib '%s/' && ln -s '%s/kernels' '%s/kernels' && "
			"sed -i '%s' '%s/contrib/%s'", dir, cwd, dir, sed, dir, file);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(cwd);
	return dir;
}

static void test_broken_templates_caught(void **state)
{
	static const char *const cases[][3] = {
		{ "gitlab-ci.yml", "s/tags: \\[pmem\\]/tags: [docker]/", "no pmem tag" },
		{ "gitlab-ci.yml", "s/zone-hook/zone-hoook/", "'zone-hoook' is not in kernels/" },
		{ "gitlab-ci.yml", "s/^stages:/stages: [/", "gitlab" }, /* not YAML */
		{ "github-actions.yml", "s/--format junit/--format ktap/", "JUnit report" },
		{ "github-actions.yml", "/merge -o merged/d", "github: no merge" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *dir = broken_copy(cases[i][0], cases[i][1]), *out;

		assert_int_not_equal(ci_check(dir, &out), 0);
		if (!strstr(out, cases[i][2]))
			fail_msg("%s edited with %s: wanted '%s' in:\n%s", cases[i][0], cases[i][1],
				 cases[i][2], out);
		free(out);
		rm_rf(dir);
		free(dir);
	}
}

/* What the templates pass to zdbench run, it takes. */
static void test_run_takes_the_options(void **state)
{
	FILE *f = popen("build/zdbench run --help", "r");
	struct sbuf sb = { 0 };
	char buf[1024];
	size_t n;

	assert_non_null(f);
	sbuf_addstr(&sb, "");
	while ((n = fread(buf, 1, sizeof(buf), f)))
		sbuf_add(&sb, buf, n);
	assert_int_equal(pclose(f), 0);
	assert_non_null(strstr(sbuf_str(&sb), "--format ktap|junit|json|lkp"));
	assert_non_null(strstr(sbuf_str(&sb), "--format-out FILE"));
	assert_non_null(strstr(sbuf_str(&sb), "--variant V"));
	assert_non_null(strstr(sbuf_str(&sb), "-o, --output DIR"));
	sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_broken_templates_caught),
		cmocka_unit_test(test_run_takes_the_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
