// SPDX-License-Identifier: GPL-2.0
/* The backend registry: lookup, flags, and what every backend must provide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "backend.h"
#include "config.h"
#include "kbuild.h"
#include "run.h"

static struct zd_config *cfg(void)
{
	struct zd_config *c = config_new();

	assert_int_equal(config_load_defaults(c), 0);
	assert_int_equal(config_validate(c), 0);
	return c;
}

static void test_find_by_name(void **state)
{
	assert_ptr_equal(backend_find("qemu"), &qemu_backend);
	assert_ptr_equal(backend_find("host"), &host_backend);
	/* the first row is the default backend */
	assert_ptr_equal(backend_at(0), &qemu_backend);
}

static void test_unknown_name(void **state)
{
	char *names = backend_names();

	assert_null(backend_find("xen"));
	assert_null(backend_find(""));
	assert_null(backend_find(NULL));
	assert_null(backend_find("QEMU"));
	/* run.c's "unknown backend 'x' (qemu, host, lava)" lists the registry */
	assert_string_equal(names, "qemu, host, lava");
	free(names);
}

static void test_flags(void **state)
{
	assert_true(qemu_backend.flags & BE_BUILDS_KERNEL);
	assert_true(qemu_backend.flags & BE_NEEDS_IMAGE);
	assert_false(host_backend.flags & BE_BUILDS_KERNEL);
	assert_false(host_backend.flags & BE_NEEDS_IMAGE);
}

/* What run.c calls without asking: a new backend without it would crash a run. */
static void test_every_backend_has_mandatory_hooks(void **state)
{
	const struct backend_ops *be;
	size_t n = 0;

	for (size_t i = 0; (be = backend_at(i)); i++, n++) {
		assert_non_null(be->name);
		assert_non_null(be->log_name);
		assert_non_null(be->probe);
		assert_non_null(be->boot);
		assert_non_null(be->describe_pmem);
		assert_non_null(be->plan_fields);
		assert_non_null(be->boot_json);
		assert_non_null(be->announce);
		/* no build: the backend itself must name the kernel */
		if (!(be->flags & BE_BUILDS_KERNEL))
			assert_non_null(be->prepare);
		/* an image is built only from built kernels' runs */
		if (be->flags & BE_NEEDS_IMAGE)
			assert_true(be->flags & BE_BUILDS_KERNEL);
		assert_ptr_equal(backend_find(be->name), be);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(backend_at(j)->name, be->name);
	}
	assert_int_equal(n, 3);
}

/* Each config section has one owner: config.c, or exactly one backend. */
static void test_backend_keys_own_their_section(void **state)
{
	const struct backend_ops *be, *other;

	for (size_t i = 0; (be = backend_at(i)); i++) {
		assert_non_null(be->keys);
		assert_non_null(be->keys[0].key);
		for (const struct config_key *k = be->keys; k->key; k++) {
			assert_string_equal(k->section, be->keys[0].section);
			for (size_t j = 0; (other = backend_at(j)); j++) {
				if (j == i)
					continue;
				for (const struct config_key *o = other->keys; o->key; o++)
					assert_string_not_equal(o->section, k->section);
			}
		}
	}
	assert_string_equal(qemu_backend.keys[0].section, "qemu");
	assert_string_equal(host_backend.keys[0].section, "host");
	assert_string_equal(lava_backend.keys[0].section, "lava");
}

/* Keys declared beside a backend are read, checked and freed by config.c. */
static void test_backend_keys_reach_the_config(void **state)
{
	struct zd_config *c = cfg();

	assert_int_equal(config_set_override(c, "host.namespace=namespace1.0"), 0);
	assert_string_equal(c->host_ns, "namespace1.0");
	assert_int_equal(config_set_override(c, "qemu.cpus=3"), 0);
	assert_int_equal(c->cpus, 3);
	assert_int_not_equal(config_set_override(c, "host.bogus=1"), 0);
	assert_non_null(strstr(c->err, "unknown key 'bogus' in [host]"));
	config_free(c);

	c = cfg();
	assert_int_equal(config_set_override(c, "host.mountpoint=rel"), 0);
	assert_int_not_equal(config_validate(c), 0);
	assert_string_equal(c->err, "[host] mountpoint must be an absolute path");
	config_free(c);
}

static void test_describe_pmem(void **state)
{
	struct zd_config *c = cfg();
	char *q, *h;

	assert_int_equal(config_set_override(c, "host.namespace=namespace0.0"), 0);
	assert_int_equal(config_set_override(c, "host.size=536870912"), 0);
	q = qemu_backend.describe_pmem(c, "fsdax/ext4");
	h = host_backend.describe_pmem(c, "devdax");
	assert_string_equal(q, "memmap fsdax/ext4 512M@1024M");
	assert_string_equal(h, "host namespace0.0 devdax 536870912");
	free(q);
	free(h);
	config_free(c);
}

static const char *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* The guest's plan lets the agent set sysctls; the machine's names its namespace. */
static void test_plan_fields(void **state)
{
	struct zd_config *c = cfg();
	struct json_object *q, *h;

	assert_int_equal(config_set_override(c, "host.namespace=namespace0.0"), 0);
	struct kfacts kf;
	struct json_object *kobj;

	kfacts_from_version("6.1.192", &kf);
	q = plan_json(c, &qemu_backend, "r1", "base", &kf);
	h = plan_json(c, &host_backend, "r1", "host", NULL);
	/* the kernel's facts travel to the agent, whose proofs follow them */
	assert_true(json_object_object_get_ex(q, "kernel", &kobj));
	assert_string_equal(get(kobj, "dio_refs"), "gets");
	assert_string_equal(get(kobj, "version"), "6.1.192");
	assert_false(json_object_object_get_ex(h, "kernel", NULL));
	assert_string_equal(get(q, "pmem_mode"), "memmap");
	assert_string_equal(get(q, "mountpoint"), "/mnt/dax");
	assert_non_null(get(q, "hung_task_timeout"));
	assert_null(get(q, "namespace"));
	assert_string_equal(get(h, "pmem_mode"), "host");
	assert_string_equal(get(h, "namespace"), "namespace0.0");
	assert_string_equal(get(h, "nvdimm_init_labels"), "false");
	assert_null(get(h, "hung_task_timeout"));
	json_object_put(q);
	json_object_put(h);
	config_free(c);
}

static void test_announce(void **state)
{
	struct zd_config *c = cfg();
	struct zd_kernel k = { .variant = "base", .commit = "6.12.0 #1" };
	char *q = qemu_backend.announce(c, &k, " round 1/2", "tcg");
	char *h = host_backend.announce(c, &k, "", "host");

	assert_string_equal(q, "booting base round 1/2 (tcg, clock wall)");
	assert_string_equal(h, "running base on this machine (6.12.0 #1)");
	free(q);
	free(h);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_by_name),
		cmocka_unit_test(test_unknown_name),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_every_backend_has_mandatory_hooks),
		cmocka_unit_test(test_backend_keys_own_their_section),
		cmocka_unit_test(test_backend_keys_reach_the_config),
		cmocka_unit_test(test_describe_pmem),
		cmocka_unit_test(test_plan_fields),
		cmocka_unit_test(test_announce),
	};

	return cmocka_run_group_tests_name("backend", tests, NULL, NULL);
}
