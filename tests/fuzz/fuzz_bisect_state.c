// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the bisect state reader: any bytes as the state
 * file; bisect_state_load reads it, checks its schema and every
 * evaluation's shape, or refuses it with a message.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bisect.h"
#include "util.h"

static char dir[] = "/tmp/zd-fuzz-bisect-XXXXXX";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!mkdtemp(dir))
		abort();
	zd_set_quiet(true);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = path_join(dir, "state.json");
	struct json_object *d = NULL;

	if (!write_file_atomic(p, data, size) && !bisect_state_load(p, &d))
		json_object_put(d);
	free(p);
	return 0;
}
