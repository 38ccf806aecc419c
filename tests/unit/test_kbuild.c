// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kbuild.h"
#include "util.h"

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/zd-kbuild-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rm_rf(dir);
}

static char *put(const char *name, const char *text)
{
	char *p = path_join(dir, name);

	assert_int_equal(write_file_atomic(p, text, strlen(text)), 0);
	return p;
}

static void key_of(const char *frag_text, const char *patch_text,
		   const char *compiler, char out[65])
{
	struct kbuild_inputs in = { .base_tree = "abc123", .dirty_hash = "",
				    .compiler = compiler, .arch = "x86_64" };

	in.fragments.v[0] = put("frag.config", frag_text);
	in.fragments.n = 1;
	if (patch_text) {
		in.patches.v[0] = put("0001.patch", patch_text);
		in.patches.n = 1;
	}
	assert_int_equal(kbuild_key(&in, out), 0);
	free(in.fragments.v[0]);
	if (patch_text)
		free(in.patches.v[0]);
}

static void test_key_stable_and_sensitive(void **state)
{
	char a[65], b[65], c[65], d[65], e[65];

	key_of("CONFIG_A=y\n", NULL, "gcc 12", a);
	key_of("CONFIG_A=y\n", NULL, "gcc 12", b);
	assert_string_equal(a, b);
	key_of("CONFIG_A=n\n", NULL, "gcc 12", c);
	assert_string_not_equal(a, c);
	key_of("CONFIG_A=y\n", "diff", "gcc 12", d);
	assert_string_not_equal(a, d);
	key_of("CONFIG_A=y\n", NULL, "gcc 13", e);
	assert_string_not_equal(a, e);
	assert_int_equal(strlen(a), 64);
}

static void test_key_missing_input_fails(void **state)
{
	struct kbuild_inputs in = { .base_tree = "abc" };
	char out[65];

	in.fragments.v[0] = "/nonexistent/frag";
	in.fragments.n = 1;
	assert_int_not_equal(kbuild_key(&in, out), 0);
}

static void test_fragment_parse(void **state)
{
	struct strv s = { 0 }, v = { 0 };
	char *p = put("ok.config", "# comment\n\nCONFIG_ZONE_DEVICE=y\n# CONFIG_KASAN is not set\nCONFIG_HZ=250\n");

	assert_int_equal(fragment_parse(p, &s, &v), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0], "CONFIG_ZONE_DEVICE");
	assert_string_equal(v.v[1], "n");
	assert_string_equal(v.v[2], "250");
	strv_free(&s);
	strv_free(&v);
	free(p);
}

static void test_fragment_broken(void **state)
{
	struct strv s = { 0 }, v = { 0 };
	char *p = put("bad.config", "CONFIG_A=y\n\nZONE_DEVICE=y\n");

	/* The error (on stderr) names bad.config:3; the call fails. */
	assert_int_not_equal(fragment_parse(p, &s, &v), 0);
	strv_free(&s);
	strv_free(&v);
	free(p);
	p = put("bad2.config", "CONFIG_A\n");
	assert_int_not_equal(fragment_parse(p, &s, &v), 0);
	strv_free(&s);
	strv_free(&v);
	free(p);
}

static void test_merge_and_verify(void **state)
{
	struct strv s = { 0 }, v = { 0 };
	char *frag = put("m.config", "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\nCONFIG_GONE=y\n");
	char *dot = put(".config", "CONFIG_A=n\n# CONFIG_A is not set\nCONFIG_B=y\nCONFIG_X=y\n");
	char *missing = NULL, *text;

	assert_int_equal(fragment_parse(frag, &s, &v), 0);
	assert_int_equal(config_merge(dot, &s, &v), 0);
	text = read_file(dot, NULL);
	assert_non_null(strstr(text, "CONFIG_X=y\n"));
	assert_non_null(strstr(text, "CONFIG_A=y\n"));
	assert_null(strstr(text, "CONFIG_B=y"));
	assert_non_null(strstr(text, "# CONFIG_B is not set"));
	free(text);
	/* Kconfig drops CONFIG_GONE and CONFIG_C: verification names both. */
	put(".config", "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_X=y\n");
	{
		struct strv ms = { 0 };

		assert_int_equal(config_verify(dot, &s, &v, &missing, &ms), 1);
		/* the symbols alone too, for explain_dropped */
		assert_int_equal(ms.n, 2);
		assert_true(!strcmp(ms.v[0], "CONFIG_C") || !strcmp(ms.v[1], "CONFIG_C"));
		assert_true(!strcmp(ms.v[0], "CONFIG_GONE") || !strcmp(ms.v[1], "CONFIG_GONE"));
		strv_free(&ms);
	}
	assert_non_null(strstr(missing, "CONFIG_C=y (got unset)"));
	assert_non_null(strstr(missing, "CONFIG_GONE=y"));
	assert_null(strstr(missing, "CONFIG_A"));
	assert_null(strstr(missing, "CONFIG_B"));
	free(missing);
	strv_free(&s);
	strv_free(&v);
	free(frag);
	free(dot);
}

static void test_shipped_fragment_parses(void **state)
{
	struct strv s = { 0 }, v = { 0 };

	assert_int_equal(fragment_parse("kernels/fragments/base.config", &s, &v), 0);
	assert_true(s.n > 40);
	for (size_t i = 0; i < s.n; i++)
		if (!strcmp(s.v[i], "CONFIG_ZONE_DEVICE"))
			goto found;
	fail_msg("base fragment lacks CONFIG_ZONE_DEVICE");
found:
	strv_free(&s);
	strv_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_stable_and_sensitive),
		cmocka_unit_test(test_key_missing_input_fails),
		cmocka_unit_test(test_fragment_parse),
		cmocka_unit_test(test_fragment_broken),
		cmocka_unit_test(test_merge_and_verify),
		cmocka_unit_test(test_shipped_fragment_parses),
	};

	return cmocka_run_group_tests_name("kbuild", tests, setup, teardown);
}
