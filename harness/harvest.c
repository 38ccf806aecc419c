// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "harvest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentmsg.h"
#include "frame.h"

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

struct harvest {
	struct zd_result *res;
	size_t n;
	struct agent_report *rep;
};

static void on_hello(void *ctx, const struct agent_msg *m)
{
	struct harvest *h = ctx;
	struct json_object *u;

	h->rep->hello = true;
	if (json_object_object_get_ex(m->o, "uname", &u) && jstr(u, "release")) {
		free(h->rep->release);
		h->rep->release = xstrdup(jstr(u, "release"));
	}
}

static void on_check(void *ctx, const struct agent_msg *m)
{
	struct agent_report *rep = ((struct harvest *)ctx)->rep;
	struct json_object *o = m->o, *v;

	/* past ZD_MAX_CHECKS: counted in a checks_dropped check, not lost */
	zd_check_add(rep->checks, &rep->nr_checks, jstr(o, "name") ? jstr(o, "name") : "?",
		     jbool(o, "ok", false),
		     json_object_object_get_ex(o, "value", &v) && v ?
		     json_object_get_string(v) : "", jstr(o, "medium"));
}

static void on_pgmap_refs(void *ctx, const struct agent_msg *m)
{
	strv_push(&((struct harvest *)ctx)->rep->pgmap_refs, json_object_to_json_string(m->o));
}

static void on_pmem(void *ctx, const struct agent_msg *m)
{
	strv_push(&((struct harvest *)ctx)->rep->pmem, json_object_to_json_string(m->o));
}

static void on_phase(void *ctx, const struct agent_msg *m)
{
	struct agent_report *rep = ((struct harvest *)ctx)->rep;
	struct json_object *o = m->o;
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
}

static void on_sample(void *ctx, const struct agent_msg *m)
{
	struct harvest *h = ctx;
	struct zd_result *r = find(h->res, h->n, jstr(m->o, "workload"));

	if (r)
		take_sample(m->o, r);
}

static void on_workload(void *ctx, const struct agent_msg *m)
{
	struct harvest *h = ctx;
	struct zd_result *r = find(h->res, h->n, jstr(m->o, "workload"));

	if (!r)
		return;
	r->ok = jbool(m->o, "ok", false);
	free(r->msg);
	r->msg = jstr(m->o, "msg") ? xstrdup(jstr(m->o, "msg")) : NULL;
}

/* this workload's PTE/PMD proof, judged by the agent, as a check */
static void on_mapping(void *ctx, const struct agent_msg *m)
{
	struct harvest *h = ctx;
	struct json_object *o = m->o;
	struct zd_result *r = find(h->res, h->n, jstr(o, "workload"));
	char *v;

	if (!r || !json_object_object_get_ex(o, "ok", NULL))
		return;
	v = xasprintf("wanted %s: %lld PTE, %lld PMD faults",
		      jstr(o, "wanted") ? jstr(o, "wanted") : "?",
		      (long long)jint(o, "pte_faults", 0), (long long)jint(o, "pmd_faults", 0));
	result_add_check(r, "dax_mapping", jbool(o, "ok", false), v);
	free(v);
}

static void on_error(void *ctx, const struct agent_msg *m)
{
	struct agent_report *rep = ((struct harvest *)ctx)->rep;
	const char *phase = jstr(m->o, "phase");

	strv_pushf(&rep->errors, "%s: %s", phase ? phase : "?",
		   jstr(m->o, "msg") ? jstr(m->o, "msg") : "?");
	strv_push(&rep->error_phases, phase ? phase : "?");
}

/*
 * A vmsplice holder's account (pages, when spliced, released, closed),
 * reported after teardown: kept in the report and in its workload's
 * result, where t_release_ns against teardown's end shows whether
 * teardown waited for the references.
 */
static void on_hold(void *ctx, const struct agent_msg *m)
{
	struct harvest *h = ctx;
	const char *json = json_object_to_json_string(m->o);
	struct zd_result *r = find(h->res, h->n, jstr(m->o, "workload"));

	strv_push(&h->rep->holds, json);
	if (r)
		strv_push(&r->holds, json);
}

static void on_done(void *ctx, const struct agent_msg *m)
{
	struct agent_report *rep = ((struct harvest *)ctx)->rep;

	rep->done = true;
	rep->done_ok = jbool(m->o, "ok", false);
}

/*
 * What the harvest keeps of each line type. plan and warning: nothing a
 * result carries (the plan is the run's own, warnings are not failures).
 */
static const agentmsg_fn harvest_on[AM_NR] = {
	[AM_HELLO] = on_hello,
	[AM_PHASE] = on_phase,
	[AM_PMEM] = on_pmem,
	[AM_CHECK] = on_check,
	[AM_SAMPLE] = on_sample,
	[AM_WORKLOAD] = on_workload,
	[AM_MAPPING] = on_mapping,
	[AM_ERROR] = on_error,
	[AM_PGMAP_REFS] = on_pgmap_refs,
	[AM_HOLD] = on_hold,
	[AM_DONE] = on_done,
};

/*
 * Lines that are no message, or of a type this zdbench does not know (a
 * newer agent): ignored, as the protocol says, but said so once per boot.
 */
static void report_strays(const char *path, const struct agent_report *rep)
{
	if (rep->unknown_lines) {
		char *names = strv_join(&rep->unknown_types, ", ");

		zd_info("%s: %u line%s of unknown type (%s) ignored", path, rep->unknown_lines,
			rep->unknown_lines == 1 ? "" : "s", names);
		free(names);
	}
	if (rep->bad_lines)
		zd_info("%s: %u line%s not a typed JSON object (torn or foreign) ignored", path,
			rep->bad_lines, rep->bad_lines == 1 ? "" : "s");
}

int harvest(const char *path, struct zd_result *res, size_t nres,
	    struct agent_report *rep)
{
	struct harvest h = { .res = res, .n = nres, .rep = rep };
	struct agentmsg_reader rd = { .on = harvest_on, .ctx = &h };
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	memset(rep, 0, sizeof(*rep));
	rep->taint_first = rep->taint_last = -1;
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1; /* no line at all: nothing booted */
	while (getline(&line, &cap, f) > 0)
		agentmsg_feed(&rd, line);
	free(line);
	fclose(f);
	rep->bad_lines = rd.n.bad + rd.n.untyped;
	rep->unknown_lines = rd.n.unknown;
	rep->unknown_types = rd.unknown_types; /* moved: rd is not freed */
	report_strays(path, rep);
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
	strv_free(&rep->unknown_types);
	strv_free(&rep->holds);
	result_free(&rep->phases);
	memset(rep, 0, sizeof(*rep));
}

/*
 * One console line (no '\n'; a trailing '\r' already cut): a frame goes to
 * jsonl, the text around it stays on the console. A frame whose JSON is not
 * exactly as long as it says was cut (a kernel message inside it, the log
 * ending mid-line): it stays on the console as text and is counted.
 */
static void unframe_line(const char *l, size_t n, struct sbuf *con, struct sbuf *jsonl,
			 unsigned int *torn)
{
	const size_t fl = strlen(ZD_FRAME);
	const char *f = memmem(l, n, ZD_FRAME, fl);
	const char *num, *colon, *end = l + n;
	size_t len = 0;

	if (!f) {
		sbuf_add(con, l, n);
		sbuf_addstr(con, "\n");
		return;
	}
	num = f + fl;
	for (colon = num; colon < end && *colon >= '0' && *colon <= '9' && colon - num < 9; colon++)
		len = len * 10 + (size_t)(*colon - '0');
	if (colon == num || colon >= end || *colon != ':' || (size_t)(end - colon - 1) != len) {
		(*torn)++;
		sbuf_add(con, l, n);
		sbuf_addstr(con, "\n");
		return;
	}
	if (f > l) { /* text before the frame: a line the agent wrote into */
		sbuf_add(con, l, f - l);
		sbuf_addstr(con, "\n");
	}
	sbuf_add(jsonl, colon + 1, len);
	sbuf_addstr(jsonl, "\n");
}

void harvest_unframe_buf(const char *in, size_t len, struct sbuf *con, struct sbuf *jsonl,
			 unsigned int *torn)
{
	const char *p = in, *end = in + len;

	*torn = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *le = nl ? nl : end;
		size_t n = le - p;

		if (n && p[n - 1] == '\r') /* the console's onlcr */
			n--;
		unframe_line(p, n, con, jsonl, torn);
		p = nl ? nl + 1 : end;
	}
}

int harvest_unframe(const char *console, const char *con_out, const char *jsonl_out,
		    unsigned int *torn)
{
	size_t len;
	char *in = read_file_max(console, ZD_MAX_JSON_BYTES, &len);
	struct sbuf con = SBUF_INIT, jl = SBUF_INIT;
	int ret = -1;

	*torn = 0;
	if (!in) {
		zd_err("%s: %s", console, read_file_strerror(errno));
		return -1;
	}
	harvest_unframe_buf(in, len, &con, &jl, torn);
	if (write_file_atomic(con_out, sbuf_str(&con), con.len))
		zd_err("cannot write %s: %s", con_out, strerror(errno));
	else if (write_file_atomic(jsonl_out, sbuf_str(&jl), jl.len))
		zd_err("cannot write %s: %s", jsonl_out, strerror(errno));
	else
		ret = 0;
	if (*torn)
		fprintf(stderr, "%s: %u agent line%s cut on the console (refused)\n", console,
			*torn, *torn == 1 ? "" : "s");
	free(in);
	sbuf_free(&con);
	sbuf_free(&jl);
	return ret;
}
