// SPDX-License-Identifier: GPL-2.0
/*
 * The metric table: names are unique and found, directions and units are
 * right, values come from the sample (NAN when it lacks them), counters
 * and the agent's extra numbers are reachable by name, extras survive a
 * write and read of the result, and non-finite samples are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metric.h"
#include "result.h"
#include "util.h"

static void test_table_names_unique_and_found(void **state)
{
	struct zd_metric m;

	assert_true(zd_nr_metrics >= 9);
	for (size_t i = 0; i < zd_nr_metrics; i++) {
		for (size_t j = i + 1; j < zd_nr_metrics; j++)
			assert_string_not_equal(zd_metrics[i].name, zd_metrics[j].name);
		assert_int_equal(metric_find(zd_metrics[i].name, &m), 0);
		assert_string_equal(m.name, zd_metrics[i].name);
		assert_non_null(m.unit);
		assert_non_null(m.get);
	}
	assert_string_equal(zd_metrics[0].name, "ns_per_page"); /* the headline */
	assert_int_equal(metric_find("nope", &m), -1);
	assert_int_equal(metric_find("counter.", &m), -1);
	assert_non_null(strstr(metric_names(), "fio_iops"));
}

static void test_directions(void **state)
{
	struct zd_metric m;

	assert_int_equal(metric_find("ns_per_page", &m), 0);
	assert_false(m.higher_is_better);
	assert_string_equal(m.unit, "ns");
	assert_int_equal(metric_find("fio_bw", &m), 0);
	assert_true(m.higher_is_better);
	assert_int_equal(metric_find("fio_iops", &m), 0);
	assert_true(m.higher_is_better);
	assert_int_equal(metric_find("fio_lat_p99_ns", &m), 0);
	assert_false(m.higher_is_better);
}

/* An fio-like sample line as the agent writes it. */
static const char fio_line[] =
	"{\"type\":\"sample\",\"workload\":\"fio-randread\",\"kind\":\"fio\",\"rep\":2,"
	"\"pages\":25600,\"elapsed_ns\":2000000000,\"ns_per_page\":78125.0,"
	"\"pin_acquired\":25600,\"pin_released\":25600,\"ios\":100000,\"bytes\":104857600,"
	"\"fio_runtime_ms\":4000,\"lat_p50_ns\":18000.0,\"lat_p99_ns\":42000.5,"
	"\"counters\":[{\"name\":\"cycles\",\"counted\":true,\"value\":123456,"
	"\"enabled\":1,\"running\":1},{\"name\":\"instructions\",\"counted\":false,"
	"\"error\":\"no PMU\",\"value\":0,\"enabled\":0,\"running\":0}]}";

static void check_fio(const struct zd_sample *s)
{
	struct zd_metric m;

	assert_int_equal(metric_find("ns_per_page", &m), 0);
	assert_true(metric_value(&m, s) == 78125.0);
	assert_int_equal(metric_find("fio_bw", &m), 0);
	assert_true(fabs(metric_value(&m, s) - 104857600 / 4.0) < 1e-6);
	assert_int_equal(metric_find("fio_iops", &m), 0);
	assert_true(fabs(metric_value(&m, s) - 25000) < 1e-9);
	assert_int_equal(metric_find("fio_lat_mean_ns", &m), 0);
	assert_true(fabs(metric_value(&m, s) - 20000) < 1e-9);
	assert_int_equal(metric_find("fio_lat_p50_ns", &m), 0);
	assert_true(metric_value(&m, s) == 18000.0);
	assert_int_equal(metric_find("fio_lat_p99_ns", &m), 0);
	assert_true(metric_value(&m, s) == 42000.5);
	assert_int_equal(metric_find("counter.cycles", &m), 0);
	assert_true(metric_value(&m, s) == 123456);
	assert_false(m.higher_is_better);
	/* not counted (no PMU) and absent: NAN, not 0 */
	assert_int_equal(metric_find("counter.instructions", &m), 0);
	assert_true(isnan(metric_value(&m, s)));
	assert_int_equal(metric_find("counter.bogus", &m), 0);
	assert_true(isnan(metric_value(&m, s)));
	assert_int_equal(metric_find("extra.ios", &m), 0);
	assert_true(metric_value(&m, s) == 100000);
	/* a gup-only metric on an fio sample */
	assert_int_equal(metric_find("get_ns_per_page", &m), 0);
	assert_true(isnan(metric_value(&m, s)));
}

static void test_fio_sample_metrics(void **state)
{
	struct json_object *o = json_tokener_parse(fio_line);
	struct zd_result r, back;
	char *dir = xstrdup("/tmp/zd-metric-XXXXXX"), *p, *err = NULL;
	struct zd_metric m;
	size_t n;
	double *v;

	assert_non_null(o);
	result_init(&r);
	r.variant = xstrdup("base");
	r.workload = xstrdup("fio-randread");
	r.verdict = xstrdup("clean");
	sample_from_json(o, result_add_sample(&r));
	check_fio(&r.samples[0]);
	/* extras survive a result write and read */
	assert_non_null(mkdtemp(dir));
	p = path_join(dir, "fio-randread.json");
	assert_int_equal(result_write(p, &r), 0);
	assert_int_equal(result_read(p, &back, &err), 0);
	assert_int_equal(back.nr_samples, 1);
	check_fio(&back.samples[0]);
	/* metric_values keeps only the finite ones */
	sample_from_json(o, result_add_sample(&back));
	back.samples[1].get_ns_per_page = 12.5;
	assert_int_equal(metric_find("get_ns_per_page", &m), 0);
	v = metric_values(&m, &back, &n);
	assert_int_equal(n, 1);
	assert_true(v[0] == 12.5);
	free(v);
	result_free(&r);
	result_free(&back);
	json_object_put(o);
	rm_rf(dir);
	free(dir);
	free(p);
}

/* mapcycle's per-page fault-in and zap times are metrics of the table. */
static void test_mapcycle_metrics(void **state)
{
	struct json_object *o = json_tokener_parse(
		"{\"type\":\"sample\",\"workload\":\"mc\",\"kind\":\"mapcycle\",\"rep\":0,"
		"\"pages\":20480,\"elapsed_ns\":20480000,\"ns_per_page\":1000.0,"
		"\"fault_ns_per_page\":1000.0,\"zap_ns_per_page\":250.5,\"page_faults\":20480,"
		"\"mapping\":\"pte\",\"touch\":\"write\"}");
	struct zd_result r;
	struct zd_sample *s;
	struct zd_metric m;

	assert_non_null(o);
	result_init(&r);
	s = result_add_sample(&r);
	sample_from_json(o, s);
	assert_int_equal(metric_find("fault_ns_per_page", &m), 0);
	assert_false(m.higher_is_better);
	assert_string_equal(m.unit, "ns");
	assert_true(metric_value(&m, s) == 1000.0);
	assert_int_equal(metric_find("zap_ns_per_page", &m), 0);
	assert_false(m.higher_is_better);
	assert_true(metric_value(&m, s) == 250.5);
	/* absent on other kinds: NAN, so compare and plot skip it */
	assert_int_equal(metric_find("get_ns_per_page", &m), 0);
	assert_true(isnan(metric_value(&m, s)));
	result_free(&r);
	json_object_put(o);
}

static void test_non_finite_refused(void **state)
{
	struct json_object *o = json_tokener_parse(
		"{\"schema\":\"zdbench.result/1\",\"variant\":\"base\",\"verdict\":\"clean\","
		"\"workload\":{\"name\":\"w\"},\"samples\":[{\"rep\":0,\"pages\":1,"
		"\"elapsed_ns\":1,\"ns_per_page\":1.0}]}");
	struct json_object *samples, *s0;
	struct zd_result r;
	char *err = NULL;

	assert_non_null(o);
	assert_int_equal(result_from_json(o, &r, &err), 0);
	result_free(&r);
	json_object_object_get_ex(o, "samples", &samples);
	s0 = json_object_array_get_idx(samples, 0);
	json_object_object_add(s0, "ns_per_page", json_object_new_double(NAN));
	assert_int_equal(result_from_json(o, &r, &err), -1);
	assert_non_null(strstr(err, "ns_per_page"));
	free(err);
	json_object_object_add(s0, "ns_per_page", json_object_new_double(INFINITY));
	assert_int_equal(result_from_json(o, &r, &err), -1);
	free(err);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_names_unique_and_found),
		cmocka_unit_test(test_directions),
		cmocka_unit_test(test_fio_sample_metrics),
		cmocka_unit_test(test_mapcycle_metrics),
		cmocka_unit_test(test_non_finite_refused),
	};

	return cmocka_run_group_tests_name("metric", tests, NULL, NULL);
}
