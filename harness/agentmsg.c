// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol table: every line type the agent emits, by name. A new
 * type in the agent gets its row here and, where a consumer needs it, a
 * handler in that consumer's table; until then it is counted as known.
 */
#define _GNU_SOURCE
#include "agentmsg.h"

#include <stdlib.h>
#include <string.h>

#include "result.h"

static const char *const type_names[AM_NR] = {
	[AM_HELLO] = "hello",
	[AM_PLAN] = "plan",
	[AM_PHASE] = "phase",
	[AM_PMEM] = "pmem",
	[AM_CHECK] = "check",
	[AM_SAMPLE] = "sample",
	[AM_WORKLOAD] = "workload",
	[AM_MAPPING] = "mapping",
	[AM_ERROR] = "error",
	[AM_WARNING] = "warning",
	[AM_PGMAP_REFS] = "pgmap_refs",
	[AM_HOLD] = "hold",
	[AM_DONE] = "done",
};

const char *agentmsg_type_name(enum agentmsg_type t)
{
	return (unsigned int)t < AM_NR ? type_names[t] : NULL;
}

int agentmsg_type_of(const char *s, enum agentmsg_type *t)
{
	for (int i = 0; s && i < AM_NR; i++) {
		if (!strcmp(s, type_names[i])) {
			*t = i;
			return 0;
		}
	}
	return -1;
}

static void note_unknown(struct agentmsg_reader *r, const char *name)
{
	r->n.unknown++;
	for (size_t i = 0; i < r->unknown_types.n; i++)
		if (!strcmp(r->unknown_types.v[i], name))
			return;
	if (r->unknown_types.n < AGENTMSG_MAX_UNKNOWN)
		strv_push(&r->unknown_types, name);
}

int agentmsg_feed(struct agentmsg_reader *r, const char *line)
{
	size_t len = strlen(line);
	char *copy = NULL;
	struct json_object *o;
	struct agent_msg m;
	int ret = -1;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len)
		return -1;
	r->n.lines++;
	if (line[len]) { /* the parser wants the line without its end */
		copy = xmalloc(len + 1);
		memcpy(copy, line, len);
		copy[len] = '\0';
		line = copy;
	}
	o = json_tokener_parse(line);
	free(copy);
	if (!o || !json_object_is_type(o, json_type_object)) {
		r->n.bad++;
		goto out;
	}
	m.o = o;
	m.name = jstr(o, "type");
	if (!m.name) {
		r->n.untyped++;
		goto out;
	}
	if (agentmsg_type_of(m.name, &m.type)) {
		note_unknown(r, m.name);
		goto out;
	}
	r->n.by_type[m.type]++;
	if (r->on && r->on[m.type])
		r->on[m.type](r->ctx, &m);
	ret = m.type;
out:
	json_object_put(o);
	return ret;
}

void agentmsg_reader_free(struct agentmsg_reader *r)
{
	strv_free(&r->unknown_types);
}
