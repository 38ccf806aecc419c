// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the history reader: any bytes as the newest night
 * of a history that also holds one good night, then the whole analysis
 * (load, shape check, new failures, series, report). gnuplot is kept off
 * PATH: the plots are not what is fuzzed, and exec fails fast.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"
#include "util.h"

static char dir[] = "/tmp/zd-fuzz-history-XXXXXX";

static const char good[] =
	"{\"schema\": \"zdbench.history/1\", \"run_id\": \"a\", \"time\": 1790000000, "
	"\"series\": {\"base/w/ns_per_page\": {\"median\": 1.5, \"n\": 3}}, "
	"\"runs\": [{\"signatures\": [\"s\"]}]}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *p;

	if (!mkdtemp(dir))
		abort();
	setenv("PATH", "/nonexistent", 1);
	zd_set_quiet(true);
	p = path_join(dir, "a.json");
	if (write_file_atomic(p, good, strlen(good)))
		abort();
	free(p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = path_join(dir, "b.json");
	struct hist_report rep;

	if (!write_file_atomic(p, data, size)) {
		history_analyse("/nonexistent", dir, false, &rep); /* an error is an answer too */
		hist_report_free(&rep);
	}
	free(p);
	return 0;
}
