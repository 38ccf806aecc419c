// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "harvest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct zd_result *find(struct zd_result *res, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (res[i].workload && !strcmp(res[i].workload, name))
			return &res[i];
	return NULL;
}

static void take_sample(struct json_object *o, struct zd_result *r)
{
	struct zd_sample *s = result_add_sample(r);
	unsigned int rep = r->nr_samples - 1;

	sample_from_json(o, s);
	if (jint(o, "rep", -1) < 0)
		s->rep = rep;
}

static void on_line(struct json_object *o, struct zd_result *res, size_t n,
		    struct agent_report *rep)
{
	const char *type = jstr(o, "type");
	struct zd_result *r;

	if (!type)
		return;
	if (!strcmp(type, "hello")) {
		struct json_object *u;

		rep->hello = true;
		if (json_object_object_get_ex(o, "uname", &u) && jstr(u, "release"))
			rep->release = xstrdup(jstr(u, "release"));
	} else if (!strcmp(type, "check")) {
		struct json_object *v;

		/* past ZD_MAX_CHECKS: counted in a checks_dropped check, not lost */
		zd_check_add(rep->checks, &rep->nr_checks, jstr(o, "name") ? jstr(o, "name") : "?",
			     jbool(o, "ok", false),
			     json_object_object_get_ex(o, "value", &v) && v ?
			     json_object_get_string(v) : "", jstr(o, "medium"));
	} else if (!strcmp(type, "pgmap_refs")) {
		strv_push(&rep->pgmap_refs, json_object_to_json_string(o));
	} else if (!strcmp(type, "pmem")) {
		strv_push(&rep->pmem, json_object_to_json_string(o));
	} else if (!strcmp(type, "phase")) {
		long t = jint(o, "taint", -1);
		const char *name = jstr(o, "phase"), *state = jstr(o, "state");

		if (name && state && !strcmp(state, "begin")) {
			struct zd_phase *p = result_add_phase(&rep->phases, name);

			p->taint_begin = t;
			p->t_begin_ns = jint(o, "t_ns", 0);
		} else if (name && state && rep->phases.nr_phases) {
			struct zd_phase *p = &rep->phases.phases[rep->phases.nr_phases - 1];

			if (!strcmp(p->name, name)) {
				p->ended = true;
				p->ok = jbool(o, "ok", false);
				p->taint_end = t;
				p->t_end_ns = jint(o, "t_ns", 0);
			}
		}

		if (t >= 0 && rep->taint_first < 0)
			rep->taint_first = t;
		if (t >= 0)
			rep->taint_last = t;
	} else if (!strcmp(type, "sample")) {
		r = find(res, n, jstr(o, "workload"));
		if (r)
			take_sample(o, r);
	} else if (!strcmp(type, "workload")) {
		r = find(res, n, jstr(o, "workload"));
		if (r) {
			r->ok = jbool(o, "ok", false);
			free(r->msg);
			r->msg = jstr(o, "msg") ? xstrdup(jstr(o, "msg")) : NULL;
		}
	} else if (!strcmp(type, "mapping")) {
		/* this workload's PTE/PMD proof, judged by the agent, as a check */
		r = find(res, n, jstr(o, "workload"));
		if (r && json_object_object_get_ex(o, "ok", NULL)) {
			char *v = xasprintf("wanted %s: %lld PTE, %lld PMD faults",
					    jstr(o, "wanted") ? jstr(o, "wanted") : "?",
					    (long long)jint(o, "pte_faults", 0),
					    (long long)jint(o, "pmd_faults", 0));

			result_add_check(r, "dax_mapping", jbool(o, "ok", false), v);
			free(v);
		}
	} else if (!strcmp(type, "error")) {
		strv_pushf(&rep->errors, "%s: %s", jstr(o, "phase") ? jstr(o, "phase") : "?",
			   jstr(o, "msg") ? jstr(o, "msg") : "?");
		strv_push(&rep->error_phases, jstr(o, "phase") ? jstr(o, "phase") : "?");
	} else if (!strcmp(type, "done")) {
		rep->done = true;
		rep->done_ok = jbool(o, "ok", false);
	}
}

int harvest(const char *path, struct zd_result *res, size_t nres,
	    struct agent_report *rep)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(rep, 0, sizeof(*rep));
	rep->taint_first = rep->taint_last = -1;
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1; /* no line at all: nothing booted */
	while ((len = getline(&line, &cap, f)) > 0) {
		struct json_object *o;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		o = json_tokener_parse(line);
		if (!o || !json_object_is_type(o, json_type_object)) {
			rep->bad_lines++;
			json_object_put(o);
			continue;
		}
		on_line(o, res, nres, rep);
		json_object_put(o);
	}
	free(line);
	fclose(f);
	return 0;
}

void agent_report_free(struct agent_report *rep)
{
	free(rep->release);
	for (size_t i = 0; i < rep->nr_checks; i++) {
		free(rep->checks[i].name);
		free(rep->checks[i].value);
		free(rep->checks[i].medium);
	}
	strv_free(&rep->errors);
	strv_free(&rep->error_phases);
	strv_free(&rep->pmem);
	strv_free(&rep->pgmap_refs);
	result_free(&rep->phases);
	memset(rep, 0, sizeof(*rep));
}
