// SPDX-License-Identifier: GPL-2.0
/*
 * A second real kernel version: Debian's linux-source-6.1 tarball through
 * the main job beside the 6.12 import (issue 14, item 4). Real import, real
 * build (tinyconfig + the fragments on 6.1; cached after the first run),
 * real boots under TCG with the icount clock.
 *
 * On 6.1 the block layer's O_DIRECT takes FOLL_GET page references
 * (block/bio.c iov_iter_get_pages2; pins only since v6.4), so odirect must
 * be clean with no pin counted and say that it could not count the
 * references; gup pin-fast pins on both. On 6.12 the same odirect pins, and
 * balances. The 6.12 import must still be in the cache afterwards.
 *
 *   ZD_TEST=test_61_beside_612 build/tests/test_versions
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
#include <json-c/json.h>

#include "e2e.h"
#include "result.h"
#include "util.h"

#define TARBALL_61 "/usr/src/linux-source-6.1.tar.xz"

static char tmp[64];

E2E_DEFINE_ZD(tmp)

static int setup(void **state)
{
	strcpy(tmp, "/tmp/zd-e2e-ver-XXXXXX");
	if (!mkdtemp(tmp) || e2e_ready())
		return -1;
	if (!path_exists(TARBALL_61)) {
		fprintf(stderr, "%s missing: scripts/install-deps.sh installs linux-source-6.1\n",
			TARBALL_61);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	return rm_rf(tmp);
}

static const char *fact(const struct zd_result *r, const char *key)
{
	struct json_object *v;

	if (!r->kernel_facts || !json_object_object_get_ex(r->kernel_facts, key, &v))
		fail_msg("%s: no kernel.facts.%s", r->workload, key);
	return json_object_get_string(v);
}

static const char *proof(const struct zd_result *r, const char *key)
{
	struct json_object *p = result_proofs(r), *v;
	static char buf[256];

	assert_true(json_object_object_get_ex(p, key, &v));
	snprintf(buf, sizeof(buf), "%s", json_object_get_string(v));
	json_object_put(p);
	return buf;
}

/* Every sample's pins: acquired == released, and > 0 exactly when pins_expected. */
static void expect_pins(const struct zd_result *r, bool pins_expected)
{
	assert_true(r->nr_samples >= 2);
	for (size_t i = 0; i < r->nr_samples; i++) {
		const struct zd_sample *s = &r->samples[i];

		if (s->pin_acquired != s->pin_released)
			fail_msg("%s rep %zu: pins acquired %lld, released %lld", r->workload, i,
				 (long long)s->pin_acquired, (long long)s->pin_released);
		if ((s->pin_acquired > 0) != pins_expected)
			fail_msg("%s rep %zu: %lld pins, expected %s", r->workload, i,
				 (long long)s->pin_acquired, pins_expected ? "some" : "none");
	}
}

static struct out run_on(const char *tarball, const char *dir)
{
	char *set = xasprintf("kernel.tarball=%s", tarball);
	/*
	 * One vCPU: 6.1.192 never brings up its second CPU under QEMU 7.2's
	 * TCG with -icount ("x86: Booting SMP configuration:" is its last
	 * line; 6.12 boots), so both versions run with one, alike.
	 */
	struct out o = zd("run", "-s", set, "-s", "qemu.cpus=1", "--variant", "base",
			  "--workload", "odirect-read-pte", "--workload", "gup-pin-fast-pte",
			  "--reps", "3", "--accel", "tcg", "--clock", "icount", "-o", dir, NULL);

	free(set);
	return o;
}

static void test_61_beside_612(void **state)
{
	char *d61 = xasprintf("%s/v61", tmp), *d612 = xasprintf("%s/v612", tmp);
	struct zd_result od, gup;
	struct out o;

	/* 6.1: clean, odirect with FOLL_GET references, gup with pins */
	o = run_on(TARBALL_61, d61);
	if (o.code)
		fail_msg("run on 6.1: exit %d:\n%s", o.code, o.text);
	free(o.text);
	od = read_result(d61, "base", "odirect-read-pte");
	gup = read_result(d61, "base", "gup-pin-fast-pte");
	assert_string_equal(od.verdict, "clean");
	assert_string_equal(gup.verdict, "clean");
	assert_true(str_starts(od.guest_kernel, "6.1."));
	assert_true(str_starts(fact(&od, "version"), "6.1."));
	assert_string_equal(fact(&od, "from"), "source");
	assert_string_equal(fact(&od, "dio_refs"), "gets");
	assert_string_equal(fact(&od, "gup_test_abi"), "ok");
	expect_pins(&od, false);
	expect_pins(&gup, true);
	assert_true(str_starts(proof(&od, "references"), "not made"));
	assert_true(str_starts(proof(&gup, "references"), "made"));
	assert_true(str_starts(proof(&od, "pgmap_refs"), "not measured"));
	result_free(&od);
	result_free(&gup);

	/* 6.12, in the same cache: its import untouched, odirect pins */
	o = run_on("/usr/src/linux-source-6.12.tar.xz", d612);
	if (o.code)
		fail_msg("run on 6.12: exit %d:\n%s", o.code, o.text);
	if (strstr(o.text, "importing"))
		fail_msg("6.12 was imported again after 6.1:\n%s", o.text);
	free(o.text);
	od = read_result(d612, "base", "odirect-read-pte");
	assert_string_equal(od.verdict, "clean");
	assert_true(str_starts(fact(&od, "version"), "6.12."));
	assert_string_equal(fact(&od, "dio_refs"), "pins");
	expect_pins(&od, true);
	assert_true(str_starts(proof(&od, "references"), "made"));
	result_free(&od);

	/* both trees listed by the cache */
	o = zd("kernels", NULL);
	assert_int_equal(o.code, 0);
	expect_in(&o, TARBALL_61);
	expect_in(&o, "linux-source-6.12.tar.xz");
	free(o.text);
	free(d61);
	free(d612);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_61_beside_612),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
