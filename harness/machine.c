// SPDX-License-Identifier: GPL-2.0
/* Machine identity of a run (see machine.h). */
#define _GNU_SOURCE
#include "machine.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

char *cpu_model_of(const char *cpuinfo)
{
	const char *p = cpuinfo;

	while (p && *p) {
		const char *eol = strchr(p, '\n'), *colon;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (str_starts(p, "model name") && (colon = memchr(p, ':', len))) {
			char *v = xasprintf("%.*s", (int)(len - (colon + 1 - p)), colon + 1);
			char *t = xstrdup(trim(v));

			free(v);
			if (*t)
				return t;
			free(t);
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* s with every character outside [A-Za-z0-9._-] made '-', no leading dot, at most 64. */
static char *name_of(const char *s)
{
	char *n = xasprintf("%.64s", s);

	for (char *c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'))
			*c = '-';
	if (*n == '.')
		*n = '-';
	return n;
}

void machine_probe(const char *configured, const char *backend, const char *pmem,
		   struct zd_machine *m)
{
	char host[HOST_NAME_MAX + 1] = "";
	char *mid = read_file_max("/etc/machine-id", 4096, NULL);
	char *cpuinfo = read_file_max("/proc/cpuinfo", 1u << 22, NULL);

	memset(m, 0, sizeof(*m));
	if (gethostname(host, sizeof(host) - 1))
		host[0] = '\0';
	m->hostname = xstrdup(host);
	if (mid && *trim(mid)) {
		struct zd_hash *h = hash_new();
		char hex[ZD_HASH_HEX];

		/* an application's own hash of the id, never the id (machine-id(5)) */
		hash_str(h, "zdbench machine", trim(mid));
		hash_final(h, hex);
		m->machine_id = xasprintf("%.16s", hex);
	}
	m->cpu_model = cpuinfo ? cpu_model_of(cpuinfo) : NULL;
	if (!m->cpu_model)
		m->cpu_model = xstrdup("unknown");
	m->pmem = xstrdup(pmem ? pmem : "unknown");
	m->backend = xstrdup(backend ? backend : "unknown");
	if (configured && *configured) {
		m->id = xstrdup(configured);
		m->id_from = "config";
	} else {
		char *h = name_of(*host ? host : "host");

		if (m->machine_id) {
			m->id = xasprintf("%s-%.8s", h, m->machine_id);
			m->id_from = "machine-id";
			free(h);
		} else {
			m->id = h;
			m->id_from = "hostname";
		}
	}
	free(mid);
	free(cpuinfo);
}

struct json_object *machine_json(const struct zd_machine *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(m->id));
	json_object_object_add(o, "id_from", json_object_new_string(m->id_from));
	json_object_object_add(o, "hostname", json_object_new_string(m->hostname));
	json_object_object_add(o, "machine_id_sha256",
			       m->machine_id ? json_object_new_string(m->machine_id) : NULL);
	json_object_object_add(o, "cpu_model", json_object_new_string(m->cpu_model));
	json_object_object_add(o, "pmem", json_object_new_string(m->pmem));
	json_object_object_add(o, "backend", json_object_new_string(m->backend));
	return o;
}

void machine_free(struct zd_machine *m)
{
	free(m->id);
	free(m->hostname);
	free(m->machine_id);
	free(m->cpu_model);
	free(m->pmem);
	free(m->backend);
	memset(m, 0, sizeof(*m));
}

const char *run_json_machine(struct json_object *run)
{
	struct json_object *mo;
	const char *id;

	if (!json_object_object_get_ex(run, "machine", &mo) ||
	    !json_object_is_type(mo, json_type_object))
		return NULL;
	id = jstr(mo, "id");
	return id && is_name(id) ? id : NULL;
}
