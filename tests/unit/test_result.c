// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "result.h"
#include "util.h"

static void fill(struct zd_result *r)
{
	struct zd_sample *s;

	result_init(r);
	r->run_id = xstrdup("20261122-000000-1");
	r->variant = xstrdup("base");
	r->workload = xstrdup("odirect-read-pte");
	r->kind = xstrdup("odirect");
	strv_push(&r->param_keys, "target");
	strv_push(&r->param_vals, "/dev/nullb0");
	strv_push(&r->param_keys, "bs_kib");
	strv_push(&r->param_vals, "64");
	r->commit = xstrdup("0123456789abcdef0123456789abcdef01234567");
	r->accel = xstrdup("tcg");
	r->clock = xstrdup("icount");
	r->verdict = xstrdup("clean");
	r->ok = true;
	for (int i = 0; i < 3; i++) {
		s = result_add_sample(r);
		s->rep = i;
		s->pages = 32000;
		s->elapsed_ns = 150000000ULL + i;
		s->ns_per_page = 4786.25 + i;
		s->pin_acquired = 32000;
		s->pin_released = 32000;
		s->counters[0].name = xstrdup("task-clock");
		s->counters[0].counted = true;
		s->counters[0].value = 123456789012ULL;
		s->counters[0].enabled = 5;
		s->counters[0].running = 5;
		s->nr_counters = 1;
	}
	result_add_check(r, "queue_dax", true, "1");
	strv_push(&r->signatures, "WARNING:at_fs/dax.c:dax_disassociate_entry@teardown");
}

static void test_round_trip(void **state)
{
	struct zd_result a, b;
	char dir[] = "/tmp/zd-result-XXXXXX", *path, *err = NULL;

	assert_non_null(mkdtemp(dir));
	path = path_join(dir, "r.json");
	fill(&a);
	assert_int_equal(result_write(path, &a), 0);
	assert_int_equal(result_read(path, &b, &err), 0);
	assert_string_equal(b.variant, "base");
	assert_string_equal(b.workload, "odirect-read-pte");
	assert_string_equal(b.clock, "icount");
	assert_string_equal(result_param(&b, "bs_kib"), "64");
	assert_string_equal(result_param(&b, "target"), "/dev/nullb0");
	assert_int_equal(b.nr_samples, 3);
	assert_int_equal(b.samples[2].elapsed_ns, 150000002ULL);
	assert_true(b.samples[1].ns_per_page == 4787.25);
	assert_int_equal(b.samples[0].counters[0].value, 123456789012ULL);
	assert_true(b.samples[0].counters[0].counted);
	assert_int_equal(b.nr_checks, 1);
	assert_string_equal(b.checks[0].name, "queue_dax");
	assert_int_equal(b.signatures.n, 1);
	assert_true(b.ok);
	assert_null(b.timeout);
	result_free(&a);
	result_free(&b);
	rm_rf(dir);
	free(path);
}

static void test_wrong_schema_rejected(void **state)
{
	struct zd_result r;
	char dir[] = "/tmp/zd-result-XXXXXX", *path, *err = NULL;
	const char *doc = "{\"schema\":\"zdbench.result/99\",\"variant\":\"x\"}";

	assert_non_null(mkdtemp(dir));
	path = path_join(dir, "r.json");
	assert_int_equal(write_file_atomic(path, doc, strlen(doc)), 0);
	assert_int_not_equal(result_read(path, &r, &err), 0);
	assert_non_null(strstr(err, "zdbench.result/99"));
	free(err);
	err = NULL;
	assert_int_equal(write_file_atomic(path, "{not json", 9), 0);
	assert_int_not_equal(result_read(path, &r, &err), 0);
	assert_non_null(strstr(err, "not JSON"));
	free(err);
	result_free(&r);
	rm_rf(dir);
	free(path);
}

/* A sample that is not an object, or a known field that is not a number: refused. */
static void test_ill_typed_samples_refused(void **state)
{
	static const char *const samples[] = { "[1]", "[null]", "[{\"ns_per_page\": \"5\"}]",
					       "[{\"rep\": true}]", "[{\"pages\": null}]" };

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char *doc = xasprintf("{\"schema\": \"%s\", \"variant\": \"base\", \"workload\": "
				      "{\"name\": \"w\"}, \"verdict\": \"clean\", \"samples\": %s}",
				      ZD_RESULT_SCHEMA, samples[i]);
		struct json_object *o = json_tokener_parse(doc);
		struct zd_result r;
		char *err = NULL;

		assert_non_null(o);
		assert_int_not_equal(result_from_json(o, &r, &err), 0);
		assert_non_null(strstr(err, "sample 0"));
		free(err);
		result_free(&r);
		json_object_put(o);
		free(doc);
	}
}

/* Samples grow geometrically: room for 1024 after 1001 appends. */
static void test_samples_grow_geometrically(void **state)
{
	struct zd_result r;

	result_init(&r);
	for (int i = 0; i < 1001; i++)
		result_add_sample(&r)->rep = i;
	assert_int_equal(r.nr_samples, 1001);
	assert_int_equal(r.samples[1000].rep, 1000);
	assert_true(malloc_usable_size(r.samples) >= 1024 * sizeof(*r.samples));
	for (int i = 0; i < 70; i++)
		result_add_finding(&r);
	assert_true(malloc_usable_size(r.findings) >= 128 * sizeof(*r.findings));
	result_free(&r);
}

/* Names read back are identifiers, the verdict one of the five. */
static void test_names_and_verdict_checked(void **state)
{
	static const char *const bad[][3] = {
		{ "../../x", "w", "clean" },
		{ ".hidden", "w", "clean" },
		{ "base", "a/b", "clean" },
		{ "base", "w\" 1); system \"id", "clean" },
		{ "base", "w", "clean\" onload=\"x" },
		{ "base", "w", "" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *o = json_object_new_object(), *wl = json_object_new_object();
		struct zd_result r;
		char *err = NULL;

		json_object_object_add(o, "schema", json_object_new_string(ZD_RESULT_SCHEMA));
		json_object_object_add(o, "variant", json_object_new_string(bad[i][0]));
		json_object_object_add(wl, "name", json_object_new_string(bad[i][1]));
		json_object_object_add(o, "workload", wl);
		json_object_object_add(o, "verdict", json_object_new_string(bad[i][2]));
		assert_int_not_equal(result_from_json(o, &r, &err), 0);
		assert_non_null(err);
		result_free(&r);
		free(err);
		json_object_put(o);
	}
}

/* A full disk fails the write loudly and leaves no torn file behind. */
static void test_full_disk(void **state)
{
	char dir[] = "/tmp/zd-full-XXXXXX", *path;
	struct zd_result r;
	struct stat st;

	if (geteuid() != 0)
		fail_msg("test_full_disk needs root to mount a tiny tmpfs (CI runs as root)");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mount("zdtest", dir, "tmpfs", 0, "size=8k"), 0);
	path = path_join(dir, "r.json");
	fill(&r);
	for (int i = 0; i < 200; i++) {
		struct zd_sample *s = result_add_sample(&r);

		s->rep = i;
	}
	assert_int_not_equal(result_write(path, &r), 0);
	assert_int_not_equal(stat(path, &st), 0); /* nothing half-written */
	umount(dir);
	rmdir(dir);
	result_free(&r);
	free(path);
}

/* Checks past ZD_MAX_CHECKS are counted in a last checks_dropped check. */
static void test_checks_past_limit_counted(void **state)
{
	struct zd_check ch[ZD_MAX_CHECKS] = { 0 };
	size_t n = 0;
	struct zd_result r;

	for (int i = 0; i < ZD_MAX_CHECKS; i++) {
		char *name = xasprintf("c%d", i);

		zd_check_add(ch, &n, name, true, "1", "devdax");
		free(name);
	}
	assert_int_equal(n, ZD_MAX_CHECKS);
	assert_string_equal(ch[ZD_MAX_CHECKS - 1].name, "c31");
	assert_true(ch[ZD_MAX_CHECKS - 1].ok);
	/* the 33rd displaces c31 into the count: both ok, the count ok */
	zd_check_add(ch, &n, "c32", true, "1", "devdax");
	assert_int_equal(n, ZD_MAX_CHECKS);
	assert_string_equal(ch[ZD_MAX_CHECKS - 1].name, ZD_CHECKS_DROPPED);
	assert_string_equal(ch[ZD_MAX_CHECKS - 1].value,
			    "2 checks past the first 31 not kept, 0 of them failed");
	assert_true(ch[ZD_MAX_CHECKS - 1].ok);
	assert_string_equal(ch[ZD_MAX_CHECKS - 1].medium, "devdax");
	/* a failure past the limit is not lost; another medium: about all */
	zd_check_add(ch, &n, "c33", false, "0", "fsdax/ext4");
	zd_check_add(ch, &n, "c34", true, NULL, NULL);
	assert_string_equal(ch[ZD_MAX_CHECKS - 1].value,
			    "4 checks past the first 31 not kept, 1 of them failed");
	assert_false(ch[ZD_MAX_CHECKS - 1].ok);
	assert_null(ch[ZD_MAX_CHECKS - 1].medium);
	assert_string_equal(ch[0].name, "c0");
	for (size_t i = 0; i < n; i++) {
		free(ch[i].name);
		free(ch[i].value);
		free(ch[i].medium);
	}

	/* the same through result_add_check */
	result_init(&r);
	for (int i = 0; i < ZD_MAX_CHECKS + 3; i++)
		result_add_check(&r, "x", i != ZD_MAX_CHECKS, "v");
	assert_int_equal(r.nr_checks, ZD_MAX_CHECKS);
	assert_string_equal(r.checks[ZD_MAX_CHECKS - 1].value,
			    "4 checks past the first 31 not kept, 1 of them failed");
	result_free(&r);
}

/* What a variant folder's loader and merge take for a result: one rule. */
static void test_result_file_names(void **state)
{
	assert_true(result_file_name("odirect-read-pte.json"));
	assert_true(result_file_name("booted.json"));
	assert_false(result_file_name("boot.json"));
	assert_false(result_file_name("plan.json"));
	assert_false(result_file_name("run.json"));
	assert_false(result_file_name(".x.json"));
	assert_false(result_file_name("console.log"));
	assert_false(result_file_name(".json"));
	assert_true(result_reserved_name("boot"));
	assert_false(result_reserved_name("boot2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_schema_rejected),
		cmocka_unit_test(test_names_and_verdict_checked),
		cmocka_unit_test(test_samples_grow_geometrically),
		cmocka_unit_test(test_ill_typed_samples_refused),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_checks_past_limit_counted),
		cmocka_unit_test(test_result_file_names),
	};

	return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}
