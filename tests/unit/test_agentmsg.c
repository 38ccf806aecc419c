// SPDX-License-Identifier: GPL-2.0
/*
 * The agent protocol table (harness/agentmsg.c) on its own: every type
 * the agent emits is known and dispatched, torn, non-object, untyped and
 * unknown lines are counted and never handled, and a hold line reaches
 * the report and its workload's result through the harvester.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agentmsg.h"
#include "harvest.h"
#include "result.h"
#include "util.h"

/* One line of each type, as the agent writes them (docs/agent-protocol.md). */
static const char *const lines[AM_NR] = {
	[AM_HELLO] = "{\"type\":\"hello\",\"agent\":\"zdbench-agent/1\",\"uname\":{\"release\":\"6.12.117+\",\"version\":\"#1 SMP @0\",\"machine\":\"x86_64\"},\"cmdline\":\"console=ttyS0,115200\",\"t_ns\":8873668269}",
	[AM_PLAN] = "{\"type\":\"plan\",\"run_id\":\"test-1\",\"variant\":\"base\",\"pmem_mode\":\"memmap\",\"workloads\":2}",
	[AM_PHASE] = "{\"type\":\"phase\",\"phase\":\"setup\",\"state\":\"begin\",\"ok\":true,\"t_ns\":8950811452,\"taint\":0}",
	[AM_PMEM] = "{\"type\":\"pmem\",\"namespace\":\"namespace0.0\",\"blockdev\":\"pmem0\",\"mode\":\"fsdax\",\"size\":536870912,\"map\":\"mem\",\"ndctl\":{\"dev\":\"namespace0.0\"}}",
	[AM_CHECK] = "{\"type\":\"check\",\"name\":\"queue_dax\",\"ok\":true,\"value\":\"1\"}",
	[AM_SAMPLE] = "{\"type\":\"sample\",\"workload\":\"w\",\"kind\":\"odirect\",\"rep\":0,\"pages\":32000,\"elapsed_ns\":58172334,\"ns_per_page\":1817.885,\"pin_acquired\":32000,\"pin_released\":32000,\"counters\":[]}",
	[AM_WORKLOAD] = "{\"type\":\"workload\",\"workload\":\"w\",\"kind\":\"odirect\",\"ok\":true,\"msg\":\"1 reps\"}",
	[AM_MAPPING] = "{\"type\":\"mapping\",\"workload\":\"w\",\"wanted\":\"pte\",\"proven\":true,\"pte_faults\":256,\"pmd_faults\":0,\"ok\":true}",
	[AM_ERROR] = "{\"type\":\"error\",\"phase\":\"workload:w\",\"msg\":\"no pins\"}",
	[AM_WARNING] = "{\"type\":\"warning\",\"phase\":\"plan\",\"msg\":\"hung_task_timeout not set\"}",
	[AM_PGMAP_REFS] = "{\"type\":\"pgmap_refs\",\"when\":\"workload:w\",\"pgmaps\":[{\"type\":\"fsdax\",\"start\":1073741824,\"end\":1610612735,\"pages\":131072,\"mode\":\"percpu\",\"net\":1}]}",
	[AM_HOLD] = "{\"type\":\"hold\",\"workload\":\"hold-pte\",\"pid\":61,\"pages\":256,\"hold_s\":20,\"t_spliced_ns\":12186706000,\"t_release_ns\":32195471000,\"t_closed_ns\":32201000000,\"exited\":true,\"exit_status\":0}",
	[AM_DONE] = "{\"type\":\"done\",\"ok\":true,\"t_ns\":12238106090}",
};

struct seen {
	unsigned int calls[AM_NR];
};

static void record(void *ctx, const struct agent_msg *m)
{
	struct seen *s = ctx;

	s->calls[m->type]++;
	assert_string_equal(m->name, agentmsg_type_name(m->type));
	assert_string_equal(jstr(m->o, "type"), m->name);
}

static agentmsg_fn all[AM_NR];

static void setup_all(void)
{
	for (int i = 0; i < AM_NR; i++)
		all[i] = record;
}

static void test_every_type(void **state)
{
	struct seen s = { 0 };
	struct agentmsg_reader rd = { .on = all, .ctx = &s };

	setup_all();
	for (int t = 0; t < AM_NR; t++) {
		enum agentmsg_type back;

		assert_non_null(lines[t]);
		assert_non_null(agentmsg_type_name(t));
		assert_int_equal(agentmsg_type_of(agentmsg_type_name(t), &back), 0);
		assert_int_equal(back, t);
		assert_int_equal(agentmsg_feed(&rd, lines[t]), t);
		assert_int_equal(s.calls[t], 1);
		assert_int_equal(rd.n.by_type[t], 1);
	}
	assert_int_equal(rd.n.lines, AM_NR);
	assert_int_equal(rd.n.bad + rd.n.untyped + rd.n.unknown, 0);
	assert_null(agentmsg_type_name(AM_NR));
	agentmsg_reader_free(&rd);
}

/* A known type without a handler is counted, not an error. */
static void test_known_without_handler(void **state)
{
	struct seen s = { 0 };
	agentmsg_fn only_done[AM_NR] = { [AM_DONE] = record };
	struct agentmsg_reader rd = { .on = only_done, .ctx = &s };

	assert_int_equal(agentmsg_feed(&rd, lines[AM_PLAN]), AM_PLAN);
	assert_int_equal(agentmsg_feed(&rd, lines[AM_DONE]), AM_DONE);
	assert_int_equal(s.calls[AM_PLAN], 0);
	assert_int_equal(s.calls[AM_DONE], 1);
	assert_int_equal(rd.n.by_type[AM_PLAN], 1);
	agentmsg_reader_free(&rd);
}

/* A line cut where the guest was killed: counted bad, nothing handled. */
static void test_torn_line(void **state)
{
	struct seen s = { 0 };
	struct agentmsg_reader rd = { .on = all, .ctx = &s };
	size_t len = strlen(lines[AM_SAMPLE]);

	setup_all();
	for (size_t cut = 1; cut < len; cut += 7) {
		char *torn = strndup(lines[AM_SAMPLE], cut);

		assert_int_equal(agentmsg_feed(&rd, torn), -1);
		free(torn);
	}
	assert_int_equal(s.calls[AM_SAMPLE], 0);
	assert_int_equal(rd.n.bad, rd.n.lines);
	assert_int_equal(rd.n.by_type[AM_SAMPLE], 0);
	agentmsg_reader_free(&rd);
}

static void test_not_an_object(void **state)
{
	static const char *const junk[] = {
		"[1,2,3]", "\"hello\"", "42", "true", "null", "zdbench-agent: phase setup begin",
		"\x01\x02\xff", "}{",
	};
	struct seen s = { 0 };
	struct agentmsg_reader rd = { .on = all, .ctx = &s };

	setup_all();
	for (size_t i = 0; i < ARRAY_SIZE(junk); i++)
		assert_int_equal(agentmsg_feed(&rd, junk[i]), -1);
	assert_int_equal(rd.n.lines, ARRAY_SIZE(junk));
	assert_int_equal(rd.n.bad, ARRAY_SIZE(junk));
	/* an object whose type is missing or not a string is no message */
	assert_int_equal(agentmsg_feed(&rd, "{\"phase\":\"setup\"}"), -1);
	assert_int_equal(agentmsg_feed(&rd, "{\"type\":7}"), -1);
	assert_int_equal(rd.n.untyped, 2);
	for (int t = 0; t < AM_NR; t++)
		assert_int_equal(s.calls[t], 0);
	agentmsg_reader_free(&rd);
}

/* A later agent's type: ignored, but counted and named (once each). */
static void test_unknown_type(void **state)
{
	struct seen s = { 0 };
	struct agentmsg_reader rd = { .on = all, .ctx = &s };

	setup_all();
	assert_int_equal(agentmsg_feed(&rd, "{\"type\":\"thermal\",\"celsius\":71}"), -1);
	assert_int_equal(agentmsg_feed(&rd, "{\"type\":\"thermal\",\"celsius\":72}"), -1);
	assert_int_equal(agentmsg_feed(&rd, "{\"type\":\"Hello\"}"), -1); /* names are exact */
	assert_int_equal(rd.n.unknown, 3);
	assert_int_equal(rd.unknown_types.n, 2);
	assert_string_equal(rd.unknown_types.v[0], "thermal");
	assert_string_equal(rd.unknown_types.v[1], "Hello");
	for (int i = 0; i < 20; i++) {
		char *l = xasprintf("{\"type\":\"new%d\"}", i);

		agentmsg_feed(&rd, l);
		free(l);
	}
	assert_int_equal(rd.n.unknown, 23);
	assert_int_equal(rd.unknown_types.n, AGENTMSG_MAX_UNKNOWN);
	for (int t = 0; t < AM_NR; t++)
		assert_int_equal(s.calls[t], 0);
	agentmsg_reader_free(&rd);
}

/* Line ends as a file or a serial port gives them; empty lines are nothing. */
static void test_line_ends(void **state)
{
	struct seen s = { 0 };
	struct agentmsg_reader rd = { .on = all, .ctx = &s };
	char *lf = xasprintf("%s\n", lines[AM_DONE]), *crlf = xasprintf("%s\r\n", lines[AM_DONE]);

	setup_all();
	assert_int_equal(agentmsg_feed(&rd, lf), AM_DONE);
	assert_int_equal(agentmsg_feed(&rd, crlf), AM_DONE);
	assert_int_equal(agentmsg_feed(&rd, ""), -1);
	assert_int_equal(agentmsg_feed(&rd, "\r\n"), -1);
	assert_int_equal(rd.n.lines, 2);
	assert_int_equal(s.calls[AM_DONE], 2);
	free(lf);
	free(crlf);
	agentmsg_reader_free(&rd);
}

/*
 * Every type the agent's source emits (msg_new("..."), emit_msg("...")
 * and the literal lines of its crash handler) is in the table and the
 * table has no other: a new type in the agent without a row here fails
 * this test, not a run.
 */
static void test_agent_types_covered(void **state)
{
	static const char *const emitters[] = { "msg_new(", "emit_msg(" };
	DIR *d = opendir("workloads/agent");
	struct dirent *de;
	bool seen[AM_NR] = { false };

	assert_non_null(d);
	while ((de = readdir(d))) {
		char *path, *text;

		if (!str_ends(de->d_name, ".c"))
			continue;
		path = xasprintf("workloads/agent/%s", de->d_name);
		text = read_file(path, NULL);
		assert_non_null(text);
		for (size_t k = 0; k < ARRAY_SIZE(emitters); k++) {
			for (const char *p = text; (p = strstr(p, emitters[k])); p++) {
				const char *q = p + strlen(emitters[k]), *e;
				enum agentmsg_type t;
				char *name;

				if (*q != '"')
					continue; /* the definition, or a type passed through */
				e = strchr(q + 1, '"');
				assert_non_null(e);
				name = strndup(q + 1, e - q - 1);
				if (agentmsg_type_of(name, &t))
					fail_msg("%s emits type %s, unknown to harness/agentmsg.c", path, name);
				seen[t] = true;
				free(name);
			}
		}
		for (const char *p = text; (p = strstr(p, "{\\\"type\\\":\\\"")); p++) {
			const char *q = p + strlen("{\\\"type\\\":\\\""), *e = strstr(q, "\\\"");
			enum agentmsg_type t;
			char *name;

			assert_non_null(e);
			name = strndup(q, e - q);
			if (agentmsg_type_of(name, &t))
				fail_msg("%s writes type %s, unknown to harness/agentmsg.c", path, name);
			seen[t] = true;
			free(name);
		}
		free(text);
		free(path);
	}
	closedir(d);
	/* and the other way round: the table has no type the agent never sends */
	for (int t = 0; t < AM_NR; t++)
		if (!seen[t])
			fail_msg("agentmsg.c knows %s, the agent never emits it", agentmsg_type_name(t));
}

static char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/zd-agentmsg-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/*
 * A hold line, through the harvester: in the report and in its workload's
 * result, written as holds[] and read back; a result without one has no
 * holds key at all.
 */
static void test_hold_line(void **state)
{
	struct zd_result res[2], back;
	struct agent_report rep;
	struct json_object *o, *h;
	char *text = xasprintf("%s\n%s\n{\"type\":\"thermal\"}\n{\"type\":\"sam\n%s\n", lines[AM_HELLO],
			       lines[AM_HOLD], lines[AM_DONE]);
	char *path = write_tmp(text), *err = NULL;

	result_init(&res[0]);
	result_init(&res[1]);
	res[0].workload = xstrdup("hold-pte");
	res[1].workload = xstrdup("odirect-read-pte");
	assert_int_equal(harvest(path, res, 2, &rep), 0);
	assert_int_equal(rep.holds.n, 1);
	assert_int_equal(res[0].holds.n, 1);
	assert_int_equal(res[1].holds.n, 0);
	assert_int_equal(rep.unknown_lines, 1);
	assert_string_equal(rep.unknown_types.v[0], "thermal");
	assert_int_equal(rep.bad_lines, 1);
	assert_true(rep.done && rep.done_ok);

	res[0].variant = xstrdup("base");
	res[0].verdict = xstrdup("clean");
	o = result_to_json(&res[0]);
	assert_true(json_object_object_get_ex(o, "holds", &h));
	assert_int_equal(json_object_array_length(h), 1);
	h = json_object_array_get_idx(h, 0);
	assert_int_equal(jint(h, "t_release_ns", 0), 32195471000LL);
	assert_int_equal(jint(h, "pages", 0), 256);
	assert_int_equal(result_from_json(o, &back, &err), 0);
	assert_int_equal(back.holds.n, 1);
	json_object_put(o);
	result_free(&back);

	res[1].variant = xstrdup("base");
	res[1].verdict = xstrdup("clean");
	o = result_to_json(&res[1]);
	assert_false(json_object_object_get_ex(o, "holds", NULL));
	json_object_put(o);

	agent_report_free(&rep);
	result_free(&res[0]);
	result_free(&res[1]);
	unlink(path);
	free(path);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_known_without_handler),
		cmocka_unit_test(test_torn_line),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_agent_types_covered),
		cmocka_unit_test(test_hold_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
