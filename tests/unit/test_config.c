// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "util.h"

static struct zd_config *defaults(void)
{
	struct zd_config *c = config_new();

	assert_int_equal(config_load_defaults(c), 0);
	return c;
}

static void test_builtin_defaults_valid(void **state)
{
	struct zd_config *c = defaults();

	assert_int_equal(config_validate(c), 0);
	assert_string_equal(c->source, "debian");
	assert_string_equal(c->clock, "wall");
	assert_int_equal(c->reps, 10);
	assert_int_equal(c->variants.n, 1);
	assert_string_equal(c->variants.v[0], "base");
	assert_non_null(config_workload(c, "odirect-read-pte"));
	assert_string_equal(workload_param(config_workload(c, "odirect-read-pte"), "bs_kib"), "64");
	config_free(c);
}

/* The shipped config.example must be exactly what the binary embeds. */
static void test_example_file_matches_builtin(void **state)
{
	struct zd_config *c = config_new();

	assert_int_equal(config_load_file(c, "config.example"), 0);
	assert_int_equal(config_validate(c), 0);
	assert_int_equal(c->pmem_size_mib, 512);
	config_free(c);
}

static void expect_error(const char *text, const char *needle)
{
	struct zd_config *c = defaults();
	int ret = config_load_string(c, text, "test.ini");

	if (!ret)
		ret = config_validate(c);
	assert_int_not_equal(ret, 0);
	assert_non_null(c->err);
	if (!strstr(c->err, needle))
		fail_msg("error '%s' lacks '%s'", c->err, needle);
	config_free(c);
}

static void test_unknown_key_names_file_line_key(void **state)
{
	expect_error("[qemu]\n\n# comment\nbogus = 1\n", "test.ini:4: unknown key 'bogus' in [qemu]");
}

static void test_unknown_section(void **state)
{
	expect_error("[nope]\nx = 1\n", "test.ini:2: unknown section [nope]");
}

static void test_bad_values(void **state)
{
	expect_error("[qemu]\ncpus = many\n", "test.ini:2: key 'cpus'");
	expect_error("[qemu]\nclock = sundial\n", "'sundial' is not one of: wall, icount");
	expect_error("[kernel]\nccache = maybe\n", "key 'ccache'");
	expect_error("[run]\nreps = 0\n", "key 'reps'");
	expect_error("[qemu]\nmemory_mib = -5\n", "key 'memory_mib'");
}

static void test_duplicate_key(void **state)
{
	expect_error("[run]\nreps = 3\nreps = 4\n", "test.ini:3: key 'reps' set twice");
}

static void test_syntax_error(void **state)
{
	expect_error("[run\nreps = 3\n", "test.ini:1: syntax error");
}

static void test_pmem_checked_against_ram(void **state)
{
	expect_error("[qemu]\nmemory_mib = 1024\n", "must lie inside guest RAM");
	expect_error("[qemu]\npmem_start_mib = 1000\n", "multiples of 128");
}

static void test_pmem_file_and_host_keys(void **state)
{
	expect_error("[qemu]\npmem = file\n", "[qemu] pmem = file needs pmem_path");
	/* a device behind the guest is destroyed: only with the owner's opt-in */
	expect_error("[qemu]\npmem = file\npmem_path = /dev/dax0.0\n",
		     "[qemu] pmem_path = /dev/dax0.0: the guest destroys its data");
	expect_error("[run]\ndax_mode = pmem\n", "test.ini:2");
	expect_error("[run]\n\nfs = btrfs\n", "test.ini:3: key 'fs': 'btrfs' is not one of: ext4, xfs");
	expect_error("[host]\nmountpoint = rel/dir\n", "[host] mountpoint must be an absolute path");
	expect_error("[host]\ndestructive = maybe\n", "test.ini:2");
}

static void test_missing_workload_section(void **state)
{
	expect_error("[run]\nworkloads = nope\n", "no [workload nope] section");
}

static void test_override_beats_file(void **state)
{
	struct zd_config *c = defaults();

	assert_int_equal(config_load_string(c, "[run]\nreps = 3\n", "f.ini"), 0);
	assert_int_equal(config_set_override(c, "run.reps=7"), 0);
	assert_int_equal(c->reps, 7);
	assert_int_equal(config_set_override(c, "workload odirect-read-pte.iters=5"), 0);
	assert_int_equal(config_validate(c), 0);
	assert_string_equal(workload_param(config_workload(c, "odirect-read-pte"), "iters"), "5");
	assert_int_not_equal(config_set_override(c, "run.nokey=1"), 0);
	assert_non_null(strstr(c->err, "command line: unknown key 'nokey'"));
	config_free(c);
}

static void test_override_syntax(void **state)
{
	struct zd_config *c = defaults();

	assert_int_not_equal(config_set_override(c, "noequals"), 0);
	assert_non_null(strstr(c->err, "expected section.key=value"));
	config_free(c);
}

static void test_new_workload_section(void **state)
{
	struct zd_config *c = defaults();

	assert_int_equal(config_load_string(c,
		"[workload w2]\nkind = odirect\ntarget = /dev/pmem1\nbuf_kib = 2048\n"
		"bs_kib = 128\niters = 10\nmapping = pmd\n[run]\nworkloads = w2 odirect-read-pte\n",
		"w.ini"), 0);
	assert_int_equal(config_validate(c), 0);
	assert_int_equal(c->run_workloads.n, 2);
	assert_string_equal(workload_param(config_workload(c, "w2"), "mapping"), "pmd");
	/* defaults filled in for what the section left out */
	assert_string_equal(workload_param(config_workload(c, "w2"), "rw"), "read");
	config_free(c);
}

static void test_workload_params_checked(void **state)
{
	expect_error("[workload w]\nkind = odirect\nbogus = 1\n",
		     "test.ini:3: unknown key 'bogus' for kind odirect in [workload w]");
	expect_error("[workload w]\nkind = odirect\nmapping = huge\n",
		     "test.ini:3: key 'mapping': 'huge' is not one of: pte pmd");
	expect_error("[workload w]\nkind = odirect\n\niters = x\n", "test.ini:4: key 'iters'");
	expect_error("[workload w]\nkind = nope\n", "test.ini:2: [workload w]: unknown kind 'nope'");
	/* its result would be boot.json, the name of run.c's boot record */
	expect_error("[workload boot]\nkind = odirect\n",
		     "test.ini:2: [workload boot]: the name of a file its variant folder holds");
	expect_error("[workload w]\nbuf_kib = 4\n", "[workload w]: key 'kind' is required");
	expect_error("[workload w]\nkind = odirect\nbuf_kib = 64\nbs_kib = 128\n", "bs_kib <= buf_kib");
	expect_error("[workload w]\nkind = gup\nmapping = pmd\nbuf_kib = 1024\n",
		     "buf_kib must be a multiple of 2048 for mapping = pmd");
	expect_error("[workload w]\nkind = vmsplice\nbuf_kib = 6\n", "buf_kib must be a multiple of 4");
	/* the medium keys every workload has */
	expect_error("[workload w]\nkind = gup\ndax_mode = pmem\n",
		     "test.ini:3: key 'dax_mode': 'pmem' is not one of: fsdax, devdax");
	expect_error("[workload w]\nkind = gup\nfs = btrfs\n",
		     "test.ini:3: key 'fs': 'btrfs' is not one of: ext4, xfs");
	expect_error("[run]\nworkloads = w\n[workload w]\nkind = gup\ndax_mode = devdax\nfs = xfs\n",
		     "[workload w]: fs = xfs needs dax_mode = fsdax");
}

/* A workload's own medium, else [run]'s; xfs anywhere in the run is seen. */
static void test_workload_medium(void **state)
{
	struct zd_config *c = defaults();
	char *m;

	assert_int_equal(config_set(c, "workload g", "kind", "gup", "t", 1), 0);
	assert_int_equal(config_set(c, "workload g", "dax_mode", "devdax", "t", 2), 0);
	assert_int_equal(config_set(c, "workload x", "kind", "gup", "t", 3), 0);
	assert_int_equal(config_set(c, "workload x", "fs", "xfs", "t", 4), 0);
	assert_int_equal(config_set(c, "run", "workloads", "odirect-read-pte g", "t", 5), 0);
	assert_int_equal(config_validate(c), 0);
	m = wl_medium(c, config_workload(c, "g"));
	assert_string_equal(m, "devdax");
	free(m);
	m = wl_medium(c, config_workload(c, "odirect-read-pte"));
	assert_string_equal(m, "fsdax/ext4");
	free(m);
	m = wl_medium(c, config_workload(c, "x"));
	assert_string_equal(m, "fsdax/xfs");
	free(m);
	assert_null(wl_fs(c, config_workload(c, "g")));
	/* x is not in [run] workloads: the run needs no xfs */
	assert_false(run_uses_fs(c, "xfs"));
	assert_int_equal(config_set(c, "run", "workloads", "g x", "t", 6), 0);
	assert_true(run_uses_fs(c, "xfs"));
	assert_false(run_uses_fs(c, "ext4"));
	config_free(c);
	(void)state;
}

static void test_missing_file(void **state)
{
	struct zd_config *c = defaults();

	assert_int_not_equal(config_load_file(c, "/nonexistent/zd.ini"), 0);
	assert_non_null(strstr(c->err, "/nonexistent/zd.ini: cannot read"));
	config_free(c);
}

/* Past ZD_MAX_LIST entries a list is refused, not cut to the first 32. */
static void test_list_too_long_refused(void **state)
{
	struct sbuf sb = SBUF_INIT;
	struct zd_config *c;

	sbuf_addstr(&sb, "[run]\n\nvariants =");
	for (int i = 0; i < ZD_MAX_LIST; i++)
		sbuf_addf(&sb, " v%d", i);
	sbuf_addstr(&sb, "\n");
	/* exactly ZD_MAX_LIST loads (validate then wants kernels/v0: not loaded here) */
	c = defaults();
	assert_int_equal(config_load_string(c, sbuf_str(&sb), "test.ini"), 0);
	assert_int_equal(c->variants.n, ZD_MAX_LIST);
	config_free(c);
	sb.len--;
	sbuf_addstr(&sb, ",v32\n");
	expect_error(sbuf_str(&sb), "test.ini:3: key 'variants': more than 32 entries");
	sbuf_release(&sb);

	/* list_set itself says so to callers outside the config reader */
	c = defaults();
	assert_int_equal(list_set(&c->variants, "a b,c"), 0);
	assert_int_equal(c->variants.n, 3);
	assert_int_not_equal(list_set(&c->variants,
		"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33"), 0);
	/* as --variant does: validation refuses what list_set could not hold */
	assert_int_not_equal(config_validate(c), 0);
	assert_non_null(strstr(c->err, "[run] variants: more than 32 entries"));
	config_free(c);
}

/* A 25th parameter in one [workload] is refused where it is set. */
static void test_too_many_params_refused(void **state)
{
	struct sbuf sb = SBUF_INIT;
	struct zd_config *c = defaults();

	sbuf_addstr(&sb, "[workload many]\n");
	for (int i = 0; i < ZD_MAX_PARAMS; i++)
		sbuf_addf(&sb, "p%d = %d\n", i, i);
	assert_int_equal(config_load_string(c, sbuf_str(&sb), "test.ini"), 0);
	assert_int_equal(config_workload(c, "many")->nr_params, ZD_MAX_PARAMS);
	/* replacing one of the 24 needs no new slot: an -s override still works */
	assert_int_equal(config_set_override(c, "workload many.p3=33"), 0);
	assert_string_equal(workload_param(config_workload(c, "many"), "p3"), "33");
	config_free(c);
	sbuf_addstr(&sb, "p24 = 24\n");
	expect_error(sbuf_str(&sb), "test.ini:26: key 'p24': too many keys in [workload many] (at most 24)");
	sbuf_release(&sb);
}

/* A line longer than the parser's buffer is refused, not split in two. */
static void test_overlong_key_refused(void **state)
{
	char key[301];

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	{
		char *text = xasprintf("[workload w]\nkind = gup\n%s = 1\n", key);

		expect_error(text, "test.ini:3: key 'kkkkkkkkkk");
		expect_error(text, "line longer than");
		free(text);
	}
	/* a long value is cut the same way: refused too */
	{
		char *text = xasprintf("[qemu]\nextra_cmdline = %s a=b\n", key);

		expect_error(text, "test.ini:2: key 'extra_cmdline': line longer than");
		free(text);
	}
}

/*
 * "set twice" compares whole keys (two long keys with a common prefix are
 * two keys) and keeps checking past 256 keys.
 */
static void test_duplicates_long_and_many_keys(void **state)
{
	struct sbuf sb = SBUF_INIT;
	char pre[121];
	struct zd_config *c = defaults();
	int line = 0;

	memset(pre, 'q', sizeof(pre) - 1);
	pre[sizeof(pre) - 1] = '\0';
	sbuf_addf(&sb, "[workload long]\n%sa = 1\n%sb = 2\n", pre, pre);
	assert_int_equal(config_load_string(c, sbuf_str(&sb), "test.ini"), 0);
	assert_int_equal(config_workload(c, "long")->nr_params, 2);
	config_free(c);
	sbuf_reset(&sb);

	for (int w = 0; w < 14; w++) {
		sbuf_addf(&sb, "[workload w%d]\n", w);
		line++;
		for (int i = 0; i < 20; i++, line++)
			sbuf_addf(&sb, "p%d = 1\n", i);
	}
	/* the 280th key again: a fixed table of 256 no longer saw it */
	sbuf_addstr(&sb, "[workload w13]\np19 = 2\n");
	line += 2;
	{
		char *want = xasprintf("test.ini:%d: key 'p19' set twice in [workload w13]", line);

		expect_error(sbuf_str(&sb), want);
		free(want);
	}
	sbuf_release(&sb);
}

/*
 * A long value whose cut tail would read as a key of its own ("reps = 7"
 * past inih's buffer) is refused as a whole, and reps stays as it was.
 */
static void test_long_line_tail_is_not_a_key(void **state)
{
	struct sbuf sb = SBUF_INIT;
	struct zd_config *c = defaults();

	/* inih's buffer holds 199 characters of a line: reps starts at 200 */
	sbuf_addstr(&sb, "[run]\nvariants = base");
	while (sb.len < strlen("[run]\n") + 199)
		sbuf_addstr(&sb, " ");
	sbuf_addstr(&sb, "reps = 7\n");
	assert_int_not_equal(config_load_string(c, sbuf_str(&sb), "test.ini"), 0);
	assert_non_null(strstr(c->err, "test.ini:2: key 'variants': line longer than"));
	assert_int_equal(c->reps, 10);
	config_free(c);
	sbuf_release(&sb);
}

/* strtoull takes a sign: -18446744073709551615 would be 1. Refused. */
static void test_minus_sign_refused(void **state)
{
	uint64_t u;

	expect_error("[run]\nreps = -18446744073709551615\n", "test.ini:2: key 'reps'");
	expect_error("[run]\nreps = -1\n", "test.ini:2: key 'reps'");
	assert_int_not_equal(parse_u64("-18446744073709551615", &u), 0);
	assert_int_not_equal(parse_u64(" 5", &u), 0);
	assert_int_not_equal(parse_u64("+5", &u), 0);
	assert_int_equal(parse_u64("18446744073709551615", &u), 0);
	assert_int_not_equal(parse_u64("18446744073709551616", &u), 0);
}

/* Names become folder and file names: identifiers only, file:line: key. */
static void test_names_are_identifiers(void **state)
{
	struct zd_config *c;

	expect_error("[run]\nvariants = base ../../x\n",
		     "test.ini:2: key 'variants': '../../x': names are");
	expect_error("[run]\nworkloads = odirect-read-pte .hidden\n",
		     "test.ini:2: key 'workloads': '.hidden': names are");
	expect_error("[workload a/b]\nkind = gup\n", "test.ini:2: [workload a/b]: names are");
	expect_error("[workload ..]\nkind = gup\n", "test.ini:2: [workload ..]: names are");
	/* --variant goes through list_set: config_validate refuses it */
	c = defaults();
	list_set(&c->variants, "base,../up");
	assert_int_not_equal(config_validate(c), 0);
	assert_non_null(strstr(c->err, "[run] variants: '../up': names are"));
	config_free(c);
	assert_true(is_name("zone-hook_2.1"));
	assert_false(is_name(""));
	assert_false(is_name(".x"));
	assert_false(is_name("a b"));
	assert_false(is_name("a\nb"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_defaults_valid),
		cmocka_unit_test(test_example_file_matches_builtin),
		cmocka_unit_test(test_unknown_key_names_file_line_key),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_pmem_checked_against_ram),
		cmocka_unit_test(test_pmem_file_and_host_keys),
		cmocka_unit_test(test_missing_workload_section),
		cmocka_unit_test(test_override_beats_file),
		cmocka_unit_test(test_override_syntax),
		cmocka_unit_test(test_new_workload_section),
		cmocka_unit_test(test_workload_params_checked),
		cmocka_unit_test(test_workload_medium),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_list_too_long_refused),
		cmocka_unit_test(test_too_many_params_refused),
		cmocka_unit_test(test_overlong_key_refused),
		cmocka_unit_test(test_duplicates_long_and_many_keys),
		cmocka_unit_test(test_long_line_tail_is_not_a_key),
		cmocka_unit_test(test_minus_sign_refused),
		cmocka_unit_test(test_names_are_identifiers),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
