// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the config reader: any bytes as an ini file on top
 * of the built-in defaults, then the whole validation (kinds, backends,
 * fio jobs). Build and run: make fuzz (docs/fuzzing.md).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zd_config *c = config_new();
	char *text = xmalloc(size + 1);

	zd_set_quiet(true);
	/* config_load_file refuses a NUL byte; the text reader sees what precedes it */
	memcpy(text, data, size);
	text[size] = '\0';
	c->project_dir = xstrdup(".");
	config_load_defaults(c);
	config_load_string(c, text, "fuzz.ini");
	config_validate(c);
	config_free(c);
	free(text);
	return 0;
}
