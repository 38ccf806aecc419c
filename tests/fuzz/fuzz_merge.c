// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for merge's run folder check (merge_check_run): the
 * first byte picks the file, the rest are its bytes; an even byte makes
 * them run.json beside a good result, an odd one the result beside a good
 * run.json. A refusal is an answer; a crash or a sanitizer report is not.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "merge.h"
#include "util.h"

static char dir[] = "/tmp/zd-fuzz-merge-XXXXXX";
static char *run_json, *result;

static const char good_run[] =
	"{\"schema\": \"zdbench.run/1\", \"run_id\": \"r1\", \"status\": \"complete\", "
	"\"machine\": {\"id\": \"lab1\"}, \"kernels\": [{\"variant\": \"base\"}], "
	"\"workloads\": [\"w\"]}";
static const char good_result[] =
	"{\"schema\": \"zdbench.result/1\", \"run_id\": \"r1\", \"variant\": \"base\", "
	"\"machine\": \"lab1\", \"workload\": {\"name\": \"w\", \"kind\": \"odirect\"}, "
	"\"samples\": [{\"rep\": 0, \"ns_per_page\": 1.5}], \"verdict\": \"clean\"}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *vd;

	if (!mkdtemp(dir))
		abort();
	zd_set_quiet(true);
	vd = path_join(dir, "base");
	if (mkdir_p(vd, 0755))
		abort();
	run_json = path_join(dir, "run.json");
	result = path_join(vd, "w.json");
	free(vd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *run_id, *machine, *why, hash[65];
	bool as_run = !size || !(data[0] & 1);

	if (size)
		data++, size--;
	if (write_file_atomic(run_json, as_run ? (const void *)data : good_run,
			      as_run ? size : strlen(good_run)) ||
	    write_file_atomic(result, as_run ? good_result : (const void *)data,
			      as_run ? strlen(good_result) : size))
		return 0;
	if (merge_check_run(dir, NULL, &run_id, &machine, hash, &why)) {
		free(why);
	} else {
		if (!is_name(run_id) || !is_name(machine) || strlen(hash) != 64)
			abort(); /* what merge makes folders of is always a name */
		free(run_id);
		free(machine);
	}
	return 0;
}
