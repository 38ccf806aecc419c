// SPDX-License-Identifier: GPL-2.0
/* The kind table (workloads/kinds.c) and the one parameter checker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "config.h"
#include "kinds.h"
#include "wlkind.h"

/* The names of WL_KINDS, in enum order. */
#define NAME(n) #n,
static const char *const names[] = { WL_KINDS(NAME) };
#undef NAME

/* Every kind of the list has its row, in its enum slot; the table ends. */
static void test_every_kind_has_its_row(void **state)
{
	assert_int_equal(sizeof(names) / sizeof(names[0]), WK_NR);
	for (size_t i = 0; i < WK_NR; i++) {
		const struct wl_kind_desc *k = &wl_kinds[i];

		if (!k->name)
			fail_msg("kind %s has no row in workloads/kinds.c", names[i]);
		assert_string_equal(k->name, names[i]);
		assert_ptr_equal(wl_kind_find(names[i]), k);
		assert_ptr_equal(wl_kind_at(i), k);
		assert_non_null(k->summary);
		assert_non_null(k->params);
		assert_non_null(k->modes);
	}
	assert_null(wl_kinds[WK_NR].name);
	assert_null(wl_kind_at(WK_NR));
	assert_ptr_equal(wl_kind_find("gup"), &wl_kinds[WK_gup]);
}

static void test_unknown_kind(void **state)
{
	assert_null(wl_kind_find("nope"));
	assert_null(wl_kind_find(NULL));
	assert_null(wl_kind_find(""));
}

/* A row's own parameters are consistent: its defaults pass its own checker. */
static void test_rows_are_consistent(void **state)
{
	char why[256];

	for (size_t i = 0; i < WK_NR; i++) {
		for (const struct wl_param_spec *s = wl_kinds[i].params; s->key; s++) {
			assert_non_null(s->help);
			assert_ptr_equal(wl_param_find(&wl_kinds[i], s->key), s);
			if (s->type == WP_ENUM)
				assert_non_null(s->choices);
			if (s->type == WP_UINT)
				assert_true(s->min <= s->max);
			if (s->dflt && wl_param_check(s, s->dflt, why, sizeof(why)))
				fail_msg("%s: default fails: %s", wl_kinds[i].name, why);
		}
	}
}

static void test_param_check_values(void **state)
{
	const struct wl_kind_desc *k = wl_kind_find("odirect");
	const struct wl_param_spec *iters = wl_param_find(k, "iters");
	const struct wl_param_spec *map = wl_param_find(k, "mapping");
	const struct wl_param_spec *target = wl_param_find(k, "target");
	char why[256];

	assert_int_equal(wl_param_check(iters, "5", why, sizeof(why)), 0);
	assert_int_equal(wl_param_check(iters, "0", why, sizeof(why)), -1);
	assert_string_equal(why, "key 'iters': not an integer in [1, 1073741824]");
	assert_int_equal(wl_param_check(iters, "-5", why, sizeof(why)), -1);
	assert_int_equal(wl_param_check(iters, "", why, sizeof(why)), -1);
	assert_int_equal(wl_param_check(iters, "5x", why, sizeof(why)), -1);
	assert_int_equal(wl_param_check(iters, "99999999999999999999999", why, sizeof(why)), -1);
	assert_int_equal(wl_param_check(map, "pmd", why, sizeof(why)), 0);
	assert_int_equal(wl_param_check(map, "huge", why, sizeof(why)), -1);
	assert_string_equal(why, "key 'mapping': 'huge' is not one of: pte pmd default");
	assert_int_equal(wl_param_check(target, "anything", why, sizeof(why)), 0);
	/* a short buffer truncates, never overflows */
	assert_int_equal(wl_param_check(map, "huge", why, 8), -1);
	assert_int_equal(strlen(why), 7);
}

/* A parameter set as the agent and zdbench-micro hand it over: key=value pairs. */
static const char *pairs_get(const void *ctx, const char *key)
{
	const char *const *kv = ctx;

	for (; *kv; kv += 2)
		if (!strcmp(kv[0], key))
			return kv[1];
	return NULL;
}

static int check(const char *kind, const char *const *kv, char *why, size_t len)
{
	return wl_params_check(wl_kind_find(kind), pairs_get, kv, why, len);
}

static void test_params_check_sets(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const od_ok[] = { "buf_kib", "1024", "bs_kib", "64", NULL };
	static const char *const od_big_bs[] = { "buf_kib", "64", "bs_kib", "128", NULL };
	static const char *const od_ragged[] = { "buf_kib", "96", "bs_kib", "64", NULL };
	static const char *const od_rel[] = { "target", "nullb0", NULL };
	static const char *const gup_pmd[] = { "mapping", "pmd", "buf_kib", "1024", NULL };
	static const char *const gup_bad[] = { "op", "pin-slow", NULL };
	static const char *const gup_peer[] = { "impl", "selftest", "op", "pin-basic", NULL };
	static const char *const gup_peer_ok[] = { "impl", "selftest", "op", "pin-fast", NULL };
	static const char *const fio_ok[] = { "job", "pin-read", NULL };
	static const char *const fio_bad[] = { "job", "Pin.fio", NULL };
	static const char *const fio_path[] = { "job", "/srv/x.fio", "target", "nullb0", NULL };
	char why[256];

	assert_int_equal(check("odirect", none, why, sizeof(why)), 0); /* all defaults */
	assert_int_equal(check("odirect", od_ok, why, sizeof(why)), 0);
	assert_int_equal(check("odirect", od_big_bs, why, sizeof(why)), -1);
	assert_string_equal(why, "bs_kib and buf_kib must be multiples of 4 and bs_kib <= buf_kib");
	assert_int_equal(check("odirect", od_ragged, why, sizeof(why)), -1);
	assert_string_equal(why, "buf_kib must be a multiple of bs_kib");
	assert_int_equal(check("odirect", od_rel, why, sizeof(why)), -1);
	assert_string_equal(why, "target must be a device path in the guest");
	assert_int_equal(check("gup", gup_pmd, why, sizeof(why)), -1);
	assert_string_equal(why, "buf_kib must be a multiple of 2048 for mapping = pmd");
	assert_int_equal(check("gup", gup_bad, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "key 'op': 'pin-slow' is not one of: gup-fast"));
	assert_int_equal(check("gup", gup_peer, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "impl selftest: gup_test times only gup-fast and pin-fast"));
	assert_int_equal(check("gup", gup_peer_ok, why, sizeof(why)), 0);
	assert_int_equal(check("futex", none, why, sizeof(why)), 0);
	assert_int_equal(check("fio", none, why, sizeof(why)), -1);
	assert_string_equal(why, "key 'job' is required");
	assert_int_equal(check("fio", fio_ok, why, sizeof(why)), 0);
	assert_int_equal(check("fio", fio_bad, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "job 'Pin.fio': a name in workloads/fio"));
	assert_int_equal(check("fio", fio_path, why, sizeof(why)), -1);
	assert_string_equal(why, "target must be a device path");
}

static void expect_config_error(const char *text, const char *err);

/* The map/fault/unmap kind and the truncate-while-pinned kind: their rules. */
static void test_params_check_mapcycle_truncpin(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const mc_pmd[] = { "mapping", "pmd", "buf_kib", "4096", NULL };
	static const char *const mc_pmd_ragged[] = { "mapping", "pmd", "buf_kib", "3072", NULL };
	static const char *const mc_read_anon[] = { "touch", "read", "memory", "anon", NULL };
	static const char *const mc_touch[] = { "touch", "exec", NULL };
	static const char *const mc_prefault[] = { "prefault", "1", NULL };
	static const char *const tp_pmd[] = { "mapping", "pmd", "buf_kib", "2048", NULL };
	static const char *const tp_pmd_small[] = { "mapping", "pmd", NULL };
	static const char *const tp_wait[] = { "hold_ms", "3000", "wait_ms", "3000", NULL };
	static const char *const tp_hold[] = { "hold_ms", "9000", "wait_ms", "20000", NULL };
	static const char *const tp_big[] = { "buf_kib", "8192", NULL };
	char why[256];

	assert_int_equal(check("mapcycle", none, why, sizeof(why)), 0);
	assert_int_equal(check("mapcycle", mc_pmd, why, sizeof(why)), 0);
	assert_int_equal(check("mapcycle", mc_pmd_ragged, why, sizeof(why)), -1);
	assert_string_equal(why, "buf_kib must be a multiple of 2048 for mapping = pmd");
	assert_int_equal(check("mapcycle", mc_read_anon, why, sizeof(why)), 0);
	assert_int_equal(check("mapcycle", mc_touch, why, sizeof(why)), -1);
	assert_string_equal(why, "key 'touch': 'exec' is not one of: read write");
	/* no prefault: the faults are what mapcycle measures */
	assert_null(wl_param_find(wl_kind_find("mapcycle"), "prefault"));
	assert_int_equal(check("mapcycle", mc_prefault, why, sizeof(why)), 0); /* caller's key */
	assert_string_equal(wl_kind_find("mapcycle")->modes, "fsdax devdax");

	assert_int_equal(check("truncpin", none, why, sizeof(why)), 0);
	assert_int_equal(check("truncpin", tp_pmd, why, sizeof(why)), 0);
	assert_int_equal(check("truncpin", tp_pmd_small, why, sizeof(why)), -1);
	assert_string_equal(why, "buf_kib must be a multiple of 2048 for mapping = pmd");
	assert_int_equal(check("truncpin", tp_wait, why, sizeof(why)), -1);
	assert_string_equal(why, "wait_ms must exceed hold_ms (the bound must outlast the pin)");
	assert_int_equal(check("truncpin", tp_hold, why, sizeof(why)), -1);
	assert_string_equal(why, "key 'hold_ms': not an integer in [100, 8000]");
	assert_int_equal(check("truncpin", tp_big, why, sizeof(why)), -1);
	assert_string_equal(why, "key 'buf_kib': not an integer in [4, 4096]");
	/* truncate needs a file: no devdax */
	assert_string_equal(wl_kind_find("truncpin")->modes, "fsdax");

	/* the same rules at config time, with file and line */
	expect_config_error("[workload tp]\nkind = truncpin\nhold_ms = 5000\nwait_ms = 4000\n",
			    "t.ini:2: [workload tp]: wait_ms must exceed hold_ms (the bound must outlast the pin)");
	expect_config_error("[workload mc]\nkind = mapcycle\ntouch = poke\n",
			    "t.ini:3: key 'touch': 'poke' is not one of: read write");
	/* how entries are made fresh is named, not yes/no */
	expect_config_error("[workload mc]\nkind = mapcycle\nfresh = yes\n",
			    "t.ini:3: key 'fresh': 'yes' is not one of: no punch window");
	expect_config_error("[workload mc]\nkind = mapcycle\nfresh = window\nmemory = anon\n",
			    "t.ini:2: [workload mc]: fresh = window makes file blocks fresh: memory = dax only");
	expect_config_error("[workload mc]\nkind = mapcycle\nfresh = punch\ntouch = read\n",
			    "t.ini:2: [workload mc]: fresh = punch with touch = read faults holes in "
			    "(the zero page, no DAX page): touch = write, or fresh = window");
	expect_config_error("[workload mc]\nkind = mapcycle\nfresh = punch\nmapping = pmd\n",
			    "t.ini:2: [workload mc]: fresh = punch with mapping = pmd: ext4 stops "
			    "giving 2 MiB-aligned extents after a few punches and the faults fall "
			    "back; fresh = window");
	expect_config_error("[workload tp]\nkind = truncpin\nunmap = later\n",
			    "t.ini:3: key 'unmap': 'later' is not one of: no yes");
}

static void expect_config_error(const char *text, const char *err)
{
	struct zd_config *c = config_new();
	int ret;

	assert_int_equal(config_load_defaults(c), 0);
	ret = config_load_string(c, text, "t.ini");
	if (!ret)
		ret = config_validate(c);
	assert_int_not_equal(ret, 0);
	assert_string_equal(c->err, err);
	config_free(c);
}

/* A section name is data: % in it is printed, never read as a format. */
static void test_percent_in_workload_name(void **state)
{
	/* (such a name is refused: the refusal prints it as it is) */
	expect_config_error("[workload x%s%s%s]\nkind = odirect\nbogus = 1\n",
			    "t.ini:2: [workload x%s%s%s]: " ZD_NAME_RULE);
	expect_config_error("[workload y%n%d]\nkind = odirect\nbs_kib = 8\nbuf_kib = 4\n",
			    "t.ini:2: [workload y%n%d]: " ZD_NAME_RULE);
	expect_config_error("[workload %s]\nbuf_kib = 4\n",
			    "t.ini:2: [workload %s]: " ZD_NAME_RULE);
	expect_config_error("[workload %s]\nkind = fio\n",
			    "t.ini:2: [workload %s]: " ZD_NAME_RULE);
}

/*
 * A fio job must put its buffer on the DAX mapping, touch only what the
 * agent sets up and fit the step timeout: refused at config time, naming
 * the line, before any kernel is built.
 */
static void test_fio_job_checked(void **state)
{
	static const char *const shipped[] = { "odirect-psync", "odirect-libaio", "odirect-io_uring",
					       "splice-write", "fixedbufs-refused" };
	static const char ok[] = "[global]\nfilename=${ZD_TARGET}\nmem=mmapshared:${ZD_BUF}\n"
				 "runtime=1m\nramp_time=10s\n[a]\nioengine=psync\n";
	static const struct { const char *text, *why; } bad[] = {
		{ "[a]\nfilename=${ZD_TARGET}\nmem=mmap\n", "line 3: mem=mmap: the buffer must be mem=mmapshared:${ZD_BUF}" },
		{ "[a]\nfilename=${ZD_TARGET}\n", "no mem=mmapshared:${ZD_BUF}" },
		{ "[a]\nmem=mmapshared:${ZD_BUF}\nfilename=/dev/sda\n", "line 3: filename=/dev/sda: only ${ZD_TARGET}" },
		{ "[a]\nmem=mmapshared:${ZD_BUF}\ndirectory=/\n", "line 3: directory=: the job may touch only" },
		{ "[a]\nmem=mmapshared:${ZD_BUF}\nexec_prerun=rm -rf /\n", "exec_prerun=: the job may touch only" },
		{ "[global]\nruntime=590\n[a]\nmem=mmapshared:${ZD_BUF}\nramp_time=20\n",
		  "line 5: ramp_time + runtime (610 s) does not fit the step timeout (600 s)" },
		{ "[a]\nmem=mmapshared:${ZD_BUF}\nruntime=1h\n", "does not fit the step timeout" },
		{ "[a]\nmem=mmapshared:${ZD_BUF}\nruntime=-5\n", "runtime=-5: not a time" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(shipped); i++) {
		char *p = xasprintf("workloads/fio/%s.fio", shipped[i]), *t = read_file(p, NULL), *why;

		assert_non_null(t);
		why = fio_job_problem(t, 600);
		if (why)
			fail_msg("%s: %s", p, why);
		free(t);
		free(p);
	}
	assert_null(fio_job_problem(ok, 600));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *why = fio_job_problem(bad[i].text, 600);

		if (!why || !strstr(why, bad[i].why))
			fail_msg("job %zu: '%s' lacks '%s'", i, why ? why : "(accepted)", bad[i].why);
		free(why);
	}
	/* the trap job of the recorded e2e run, now refused by the config */
	expect_config_error("[workload trap]\nkind = fio\njob = tests/data/fio/private-mmap.fio\n",
			    "t.ini:2: [workload trap]: job ./tests/data/fio/private-mmap.fio: line 12: mem=mmap: "
			    "the buffer must be mem=mmapshared:${ZD_BUF} (the DAX mapping zdbench measures)");
}

/* The plan types a workload's params by its kind's table; fio carries its job. */
static void test_plan_params(void **state)
{
	struct zd_config *c = config_new();
	struct json_object *od = json_object_new_object(), *fio = json_object_new_object(), *v;

	assert_int_equal(config_load_defaults(c), 0);
	assert_int_equal(config_validate(c), 0);
	wl_plan_params(c, config_workload(c, "odirect-read-pte"), od);
	assert_true(json_object_object_get_ex(od, "bs_kib", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int(v), 64);
	assert_true(json_object_object_get_ex(od, "mapping", &v));
	assert_string_equal(json_object_get_string(v), "pte");
	assert_false(json_object_object_get_ex(od, "job_text", NULL));
	wl_plan_params(c, config_workload(c, "fio-odirect-psync"), fio);
	assert_true(json_object_object_get_ex(fio, "job_text", &v));
	assert_non_null(strstr(json_object_get_string(v), "[")); /* a fio job file's text */
	json_object_put(od);
	json_object_put(fio);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_has_its_row),
		cmocka_unit_test(test_unknown_kind),
		cmocka_unit_test(test_rows_are_consistent),
		cmocka_unit_test(test_param_check_values),
		cmocka_unit_test(test_params_check_sets),
		cmocka_unit_test(test_params_check_mapcycle_truncpin),
		cmocka_unit_test(test_percent_in_workload_name),
		cmocka_unit_test(test_fio_job_checked),
		cmocka_unit_test(test_plan_params),
	};

	return cmocka_run_group_tests_name("kinds", tests, NULL, NULL);
}
