// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the console classifier: any bytes, any length.
 * Build and run: make fuzz FUZZ_SECONDS=600 (see docs/classifier.md).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>

#include "classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct classification cl;
	FILE *f;
	static const char *const timeouts[] = { NULL, "boot", "step", "teardown" };

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (!classify_stream(f, &cl)) {
		/* the caller's flags, both ways: a boot of ours or an excerpt */
		cl.own_boot = data[0] & 4;
		cl.oom_fails = data[0] & 8;
		classify_finish(&cl, timeouts[data[0] & 3]);
		classification_free(&cl);
	}
	fclose(f);
	return 0;
}
