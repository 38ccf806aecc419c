// SPDX-License-Identifier: GPL-2.0
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "util.h"

#include "builtin.h"
#include "classify.h"

static const char usage[] =
	"usage: zdbench check-log FILE|- [--json] [--stats] [--timeout boot|step|teardown]\n"
	"\n"
	"Classify a kernel console log: verdict (clean, fail, hang, crash, infra)\n"
	"and one signature per finding. Exit 0 clean, 1 otherwise, 2 on error.\n";

static void print_json(const struct classification *cl)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();

	json_object_object_add(o, "verdict", json_object_new_string(verdict_name(cl->verdict)));
	json_object_object_add(o, "lines", json_object_new_int64(cl->lines));
	json_object_object_add(o, "reached_init", json_object_new_boolean(cl->reached_init));
	for (size_t i = 0; i < cl->n; i++) {
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "class", json_object_new_string(cl->f[i].cls));
		json_object_object_add(f, "key", json_object_new_string(cl->f[i].key));
		json_object_object_add(f, "phase", json_object_new_string(cl->f[i].phase));
		json_object_object_add(f, "line", json_object_new_int64(cl->f[i].line));
		json_object_object_add(f, "text", json_object_new_string(cl->f[i].detail));
		if (cl->f[i].msg)
			json_object_object_add(f, "message", json_object_new_string(cl->f[i].msg));
		if (cl->f[i].stack)
			json_object_object_add(f, "stack", json_object_new_string(cl->f[i].stack));
		json_object_array_add(a, f);
	}
	json_object_object_add(o, "findings", a);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int cmd_check_log(int argc, char **argv)
{
	struct classification cl;
	const char *file = NULL, *timeout = NULL;
	bool json = false, stats = false;
	double t0 = now_mono();
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--stats")) {
			stats = true;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s", usage);
			return 0;
		} else if (!file && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
			file = argv[i];
		} else {
			fprintf(stderr, "%s", usage);
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "%s", usage);
		return 2;
	}
	if (!strcmp(file, "-") ? classify_stream(stdin, &cl) : classify_file(file, &cl))
		return 2;
	classify_finish(&cl, timeout);
	if (json) {
		print_json(&cl);
	} else {
		printf("verdict: %s\n", verdict_name(cl.verdict));
		for (size_t i = 0; i < cl.n; i++) {
			printf("  %-16s %s (phase %s, line %lu)\n", cl.f[i].cls,
			       cl.f[i].key, cl.f[i].phase, cl.f[i].line);
			if (cl.f[i].msg)
				printf("  %-16s message: %s\n", "", cl.f[i].msg);
			if (cl.f[i].stack)
				printf("  %-16s stack: %s\n", "", cl.f[i].stack);
		}
	}
	if (stats) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "check-log: %lu lines in %.3f s, peak RSS %ld KiB\n",
			cl.lines, now_mono() - t0, ru.ru_maxrss);
	}
	ret = cl.verdict == V_CLEAN ? 0 : 1;
	classification_free(&cl);
	return ret;
}
