// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the result reader: any bytes as a result file,
 * parsed, checked (schema, names, verdict, finite samples) and, when
 * accepted, every metric of the table extracted from it.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "metric.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	struct zd_result r;
	char *err = NULL;

	if (o && !result_from_json(o, &r, &err)) {
		for (size_t m = 0; m < zd_nr_metrics; m++) {
			size_t n;

			free(metric_values(&zd_metrics[m], &r, &n));
		}
	}
	if (o)
		result_free(&r);
	free(err);
	json_object_put(o);
	json_tokener_free(tok);
	return 0;
}
