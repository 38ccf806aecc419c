// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "result.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict.h"

const char *result_param(const struct zd_result *r, const char *key)
{
	for (size_t i = 0; i < r->param_keys.n; i++)
		if (!strcmp(r->param_keys.v[i], key))
			return r->param_vals.v[i];
	return NULL;
}

static const char *const reserved[] = { "plan", "boot", "run" };

bool result_reserved_name(const char *workload)
{
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		if (!strcmp(workload, reserved[i]))
			return true;
	return false;
}

bool result_file_name(const char *name)
{
	size_t n = strlen(name);
	bool res;
	char *stem;

	if (name[0] == '.' || !str_ends(name, ".json"))
		return false;
	stem = xasprintf("%.*s", (int)(n - 5), name);
	res = !result_reserved_name(stem);
	free(stem);
	return res;
}

void result_init(struct zd_result *r)
{
	memset(r, 0, sizeof(*r));
}

static void counters_free(struct zd_sample *s)
{
	for (size_t i = 0; i < s->nr_counters; i++) {
		free(s->counters[i].name);
		free(s->counters[i].type);
		free(s->counters[i].error);
	}
	for (size_t i = 0; i < s->nr_extras; i++)
		free(s->extras[i].name);
	free(s->extras);
}

void result_free(struct zd_result *r)
{
	char **strs[] = {
		&r->run_id, &r->variant, &r->workload, &r->machine, &r->kind, &r->commit, &r->kernel_key, &r->config_hash,
		&r->compiler, &r->patches_hash, &r->backend, &r->accel, &r->clock,
		&r->kernel_cmdline, &r->qemu_cmdline, &r->pmem, &r->medium, &r->guest_kernel,
		&r->verdict, &r->timeout, &r->msg, &r->reproducer,
	};

	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		free(*strs[i]);
	for (size_t i = 0; i < r->nr_samples; i++)
		counters_free(&r->samples[i]);
	free(r->samples);
	for (size_t i = 0; i < r->nr_checks; i++) {
		free(r->checks[i].name);
		free(r->checks[i].value);
		free(r->checks[i].medium);
	}
	strv_free(&r->signatures);
	free(r->sig_boots);
	strv_free(&r->pgmap_refs);
	if (r->kernel_facts)
		json_object_put(r->kernel_facts);
	strv_free(&r->holds);
	strv_free(&r->param_keys);
	strv_free(&r->param_vals);
	for (size_t i = 0; i < r->nr_findings; i++) {
		struct zd_finding *f = &r->findings[i];

		free(f->cls);
		free(f->key);
		free(f->phase);
		free(f->text);
		free(f->msg);
		free(f->stack);
		free(f->lkp_key);
	}
	free(r->findings);
	for (size_t i = 0; i < r->nr_phases; i++)
		free(r->phases[i].name);
	free(r->phases);
	memset(r, 0, sizeof(*r));
}

struct zd_finding *result_add_finding(struct zd_result *r)
{
	struct zd_finding *f;

	r->findings = grow_array(r->findings, r->nr_findings, sizeof(*f));
	f = &r->findings[r->nr_findings++];
	memset(f, 0, sizeof(*f));
	return f;
}

struct zd_phase *result_add_phase(struct zd_result *r, const char *name)
{
	struct zd_phase *p;

	r->phases = grow_array(r->phases, r->nr_phases, sizeof(*p));
	p = &r->phases[r->nr_phases++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->taint_begin = p->taint_end = -1;
	return p;
}

struct zd_sample *result_add_sample(struct zd_result *r)
{
	struct zd_sample *s;

	r->samples = grow_array(r->samples, r->nr_samples, sizeof(*s));
	s = &r->samples[r->nr_samples++];
	memset(s, 0, sizeof(*s));
	s->get_ns_per_page = s->put_ns_per_page = NAN;
	return s;
}

void zd_check_add(struct zd_check *checks, size_t *n, const char *name, bool ok,
		  const char *value, const char *medium)
{
	struct zd_check *c = &checks[ZD_MAX_CHECKS - 1];
	unsigned int dropped = 0, failed = 0;

	if (*n < ZD_MAX_CHECKS) {
		c = &checks[(*n)++];
		c->name = xstrdup(name);
		c->value = xstrdup(value ? value : "");
		c->medium = medium ? xstrdup(medium) : NULL;
		c->ok = ok;
		return;
	}
	/* Full: the last slot counts what did not fit, itself included. */
	if (strcmp(c->name, ZD_CHECKS_DROPPED)) {
		dropped = 1;
		failed = !c->ok;
		free(c->name);
		c->name = xstrdup(ZD_CHECKS_DROPPED);
	} else if (sscanf(c->value, "%u checks past the first %*d not kept, %u", &dropped,
			  &failed) != 2) {
		dropped = failed = 0;
	}
	dropped++;
	failed += !ok;
	/* about one medium only while everything folded in was */
	if (c->medium && (!medium || strcmp(c->medium, medium))) {
		free(c->medium);
		c->medium = NULL;
	}
	free(c->value);
	c->value = xasprintf("%u checks past the first %d not kept, %u of them failed",
			     dropped, ZD_MAX_CHECKS - 1, failed);
	c->ok = !failed;
}

void result_add_check(struct zd_result *r, const char *name, bool ok,
		      const char *value)
{
	zd_check_add(r->checks, &r->nr_checks, name, ok, value, NULL);
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static struct json_object *sample_to_json(const struct zd_sample *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ca = json_object_new_array();

	add_int(o, "rep", s->rep);
	add_int(o, "pages", s->pages);
	add_int(o, "elapsed_ns", s->elapsed_ns);
	json_object_object_add(o, "ns_per_page", json_object_new_double(s->ns_per_page));
	add_int(o, "pin_acquired", s->pin_acquired);
	add_int(o, "pin_released", s->pin_released);
	if (isfinite(s->get_ns_per_page))
		json_object_object_add(o, "get_ns_per_page", json_object_new_double(s->get_ns_per_page));
	if (isfinite(s->put_ns_per_page))
		json_object_object_add(o, "put_ns_per_page", json_object_new_double(s->put_ns_per_page));
	for (size_t i = 0; i < s->nr_counters; i++) {
		const struct zd_counter *c = &s->counters[i];
		struct json_object *co = json_object_new_object();

		add_str(co, "name", c->name);
		if (c->type)
			add_str(co, "type", c->type);
		if (c->error)
			add_str(co, "error", c->error);
		json_object_object_add(co, "counted", json_object_new_boolean(c->counted));
		add_int(co, "value", c->value);
		add_int(co, "enabled", c->enabled);
		add_int(co, "running", c->running);
		json_object_array_add(ca, co);
	}
	json_object_object_add(o, "counters", ca);
	/* extras beside the known fields, as the agent wrote them */
	for (size_t i = 0; i < s->nr_extras; i++)
		json_object_object_add(o, s->extras[i].name,
				       json_object_new_double(s->extras[i].value));
	return o;
}

struct json_object *result_to_json(const struct zd_result *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *wl = json_object_new_object();
	struct json_object *params = json_object_new_object();
	struct json_object *k = json_object_new_object();
	struct json_object *b = json_object_new_object();
	struct json_object *sa = json_object_new_array();
	struct json_object *ch = json_object_new_array();
	struct json_object *sig = json_object_new_array();

	add_str(o, "schema", ZD_RESULT_SCHEMA);
	add_str(o, "run_id", r->run_id);
	add_str(o, "variant", r->variant);
	if (r->machine)
		add_str(o, "machine", r->machine);
	add_str(wl, "name", r->workload);
	add_str(wl, "kind", r->kind);
	for (size_t i = 0; i < r->param_keys.n; i++) {
		uint64_t u;

		/* Numbers stay numbers in JSON; everything else is a string. */
		if (!parse_u64(r->param_vals.v[i], &u))
			add_int(params, r->param_keys.v[i], (int64_t)u);
		else
			add_str(params, r->param_keys.v[i], r->param_vals.v[i]);
	}
	json_object_object_add(wl, "params", params);
	json_object_object_add(o, "workload", wl);
	add_str(k, "commit", r->commit);
	add_str(k, "key", r->kernel_key);
	add_str(k, "config_sha256", r->config_hash);
	add_str(k, "compiler", r->compiler);
	add_str(k, "patches_sha256", r->patches_hash);
	add_str(k, "release", r->guest_kernel);
	if (r->kernel_facts)
		json_object_object_add(k, "facts", json_object_get(r->kernel_facts));
	json_object_object_add(o, "kernel", k);
	add_str(b, "backend", r->backend);
	add_str(b, "accel", r->accel);
	add_str(b, "clock", r->clock);
	add_str(b, "kernel_cmdline", r->kernel_cmdline);
	add_str(b, "qemu_cmdline", r->qemu_cmdline);
	add_str(b, "pmem", r->pmem);
	add_str(b, "medium", r->medium);
	/* under the wall clock, guests sharing the machine share its noise too */
	add_int(b, "guests", r->guests ? r->guests : 1);
	json_object_object_add(o, "boot", b);
	for (size_t i = 0; i < r->nr_samples; i++)
		json_object_array_add(sa, sample_to_json(&r->samples[i]));
	json_object_object_add(o, "samples", sa);
	for (size_t i = 0; i < r->nr_checks; i++) {
		struct json_object *c = json_object_new_object();

		add_str(c, "name", r->checks[i].name);
		json_object_object_add(c, "ok", json_object_new_boolean(r->checks[i].ok));
		add_str(c, "value", r->checks[i].value);
		json_object_array_add(ch, c);
	}
	json_object_object_add(o, "checks", ch);
	json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
	add_str(o, "verdict", r->verdict);
	add_str(o, "timeout", r->timeout);
	add_str(o, "msg", r->msg);
	for (size_t i = 0; i < r->signatures.n; i++)
		json_object_array_add(sig, json_object_new_string(r->signatures.v[i]));
	json_object_object_add(o, "signatures", sig);
	if (r->boots > 1) {
		/* a merge of --interleave boots: fail:runs per boot for compare */
		struct json_object *bo = json_object_new_object(), *sb = json_object_new_array();

		json_object_object_add(bo, "n", json_object_new_int(r->boots));
		json_object_object_add(bo, "failed", json_object_new_int(r->failed_boots));
		for (size_t i = 0; i < r->signatures.n; i++)
			json_object_array_add(sb, json_object_new_int(result_sig_boots(r, i)));
		json_object_object_add(bo, "signatures", sb);
		json_object_object_add(o, "boots", bo);
	}
	{
		struct json_object *fa = json_object_new_array();
		struct json_object *pa = json_object_new_array();

		for (size_t i = 0; i < r->nr_findings; i++) {
			const struct zd_finding *f = &r->findings[i];
			struct json_object *fo = json_object_new_object();

			add_str(fo, "class", f->cls);
			add_str(fo, "key", f->key);
			add_str(fo, "phase", f->phase);
			add_int(fo, "line", f->line);
			add_str(fo, "text", f->text);
			add_str(fo, "message", f->msg);
			add_str(fo, "stack", f->stack);
			add_str(fo, "lkp_key", f->lkp_key);
			json_object_array_add(fa, fo);
		}
		json_object_object_add(o, "findings", fa);
		for (size_t i = 0; i < r->nr_phases; i++) {
			const struct zd_phase *p = &r->phases[i];
			struct json_object *po = json_object_new_object();

			add_str(po, "name", p->name);
			json_object_object_add(po, "ok", json_object_new_boolean(p->ok));
			json_object_object_add(po, "ended", json_object_new_boolean(p->ended));
			add_int(po, "taint_begin", p->taint_begin);
			add_int(po, "taint_end", p->taint_end);
			add_int(po, "t_begin_ns", p->t_begin_ns);
			add_int(po, "t_end_ns", p->t_end_ns);
			json_object_array_add(pa, po);
		}
		json_object_object_add(o, "phases", pa);
		pa = json_object_new_array();
		for (size_t i = 0; i < r->pgmap_refs.n; i++) {
			struct json_object *pr = json_tokener_parse(r->pgmap_refs.v[i]);

			json_object_array_add(pa, pr ? pr : json_object_new_string(r->pgmap_refs.v[i]));
		}
		json_object_object_add(o, "pgmap_refs", pa);
		json_object_object_add(o, "proofs", result_proofs(r));
		/* only where a workload held pages: other results stay as they were */
		if (r->holds.n) {
			pa = json_object_new_array();
			for (size_t i = 0; i < r->holds.n; i++) {
				struct json_object *ho = json_tokener_parse(r->holds.v[i]);

				json_object_array_add(pa, ho ? ho : json_object_new_string(r->holds.v[i]));
			}
			json_object_object_add(o, "holds", pa);
		}
	}
	add_str(o, "reproducer", r->reproducer);
	return o;
}

/*
 * What the result could prove and what it could not, in words: derived from
 * the result (never read back), so an older result gets them too. A proof
 * not made is not a failure: a kernel without fs_dax tracepoints, FOLL_GET
 * references (6.1's O_DIRECT, GUP-fast), a kernel without zdbench's
 * pgmap_refs file (any kernel but the shipped variants).
 */
struct json_object *result_proofs(const struct zd_result *r)
{
	struct json_object *o = json_object_new_object();
	const struct zd_check *map = NULL;
	int64_t acq = 0, rel = 0;

	for (size_t i = 0; i < r->nr_checks; i++)
		if (!strcmp(r->checks[i].name, "dax_mapping"))
			map = &r->checks[i];
	for (size_t i = 0; i < r->nr_samples; i++) {
		acq += r->samples[i].pin_acquired;
		rel += r->samples[i].pin_released;
	}
	add_str(o, "mapping", map ? (map->ok ? "made: the fs_dax fault tracepoints show it"
					     : "failed: the fs_dax fault tracepoints contradict it")
				  : "not made: the fs_dax fault tracepoints were not read (devdax, anon, or a kernel built without ftrace: the debug fragment has it)");
	if (acq) {
		char *t = xasprintf("made: %llu pins acquired, %llu released (FOLL_PIN, /proc/vmstat)",
				    (unsigned long long)acq, (unsigned long long)rel);

		add_str(o, "references", t);
		free(t);
	} else {
		add_str(o, "references",
			r->nr_samples ? "not made: no pins taken; FOLL_GET page references are not counted by the kernel"
				      : "not made: no sample");
	}
	add_str(o, "pgmap_refs", r->pgmap_refs.n ? "made: the kernel's pgmap_refs file was read"
						 : "not measured: no /sys/kernel/debug/pgmap_refs in this kernel (only zdbench's variant kernels have it)");
	return o;
}

static char *dupj(struct json_object *o, const char *key)
{
	const char *s = jstr(o, key);

	return s ? xstrdup(s) : NULL;
}

/* Sample fields with a home of their own in struct zd_sample. */
static bool sample_field_known(const char *k)
{
	static const char *const known[] = {
		"rep", "pages", "elapsed_ns", "ns_per_page", "pin_acquired",
		"pin_released", "get_ns_per_page", "put_ns_per_page",
	};

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(k, known[i]))
			return true;
	return false;
}

double sample_extra(const struct zd_sample *s, const char *name)
{
	for (size_t i = 0; i < s->nr_extras; i++)
		if (!strcmp(s->extras[i].name, name))
			return s->extras[i].value;
	return NAN;
}

double sample_counter(const struct zd_sample *s, const char *name)
{
	for (size_t i = 0; i < s->nr_counters; i++)
		if (s->counters[i].name && !strcmp(s->counters[i].name, name))
			return s->counters[i].counted ? (double)s->counters[i].value : NAN;
	return NAN;
}

void sample_from_json(struct json_object *so, struct zd_sample *s)
{
	struct json_object *ca;

	if (!json_object_is_type(so, json_type_object))
		return; /* result_from_json refuses it; other callers get zeros */
	/* numbers the kind adds (fio: ios, bytes, ...) are kept by name */
	json_object_object_foreach(so, k, v) {
		enum json_type t = json_object_get_type(v);

		if ((t != json_type_int && t != json_type_double) || sample_field_known(k))
			continue;
		s->extras = xrealloc(s->extras, (s->nr_extras + 1) * sizeof(*s->extras));
		s->extras[s->nr_extras].name = xstrdup(k);
		s->extras[s->nr_extras++].value = json_object_get_double(v);
	}

	s->rep = jint(so, "rep", 0);
	s->pages = jint(so, "pages", 0);
	s->elapsed_ns = jint(so, "elapsed_ns", 0);
	s->ns_per_page = jdouble(so, "ns_per_page", 0);
	s->pin_acquired = jint(so, "pin_acquired", 0);
	s->pin_released = jint(so, "pin_released", 0);
	s->get_ns_per_page = jdouble(so, "get_ns_per_page", NAN);
	s->put_ns_per_page = jdouble(so, "put_ns_per_page", NAN);
	if (!json_object_object_get_ex(so, "counters", &ca) ||
	    !json_object_is_type(ca, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(ca) && i < ZD_MAX_COUNTERS; i++) {
		struct json_object *co = json_object_array_get_idx(ca, i);
		struct zd_counter *c = &s->counters[s->nr_counters++];

		c->name = dupj(co, "name");
		c->type = dupj(co, "type");
		c->error = dupj(co, "error");
		c->counted = jbool(co, "counted", false);
		c->value = jint(co, "value", 0);
		c->enabled = jint(co, "enabled", 0);
		c->running = jint(co, "running", 0);
	}
}

int result_from_json(struct json_object *o, struct zd_result *r, char **err)
{
	struct json_object *wl = NULL, *params = NULL, *k = NULL, *b = NULL, *a;
	const char *schema = jstr(o, "schema");

	result_init(r);
	if (!schema || strcmp(schema, ZD_RESULT_SCHEMA)) {
		*err = xasprintf("schema is '%s', expected '%s'",
				 schema ? schema : "(missing)", ZD_RESULT_SCHEMA);
		return -1;
	}
	r->run_id = dupj(o, "run_id");
	r->variant = dupj(o, "variant");
	r->machine = dupj(o, "machine");
	json_object_object_get_ex(o, "workload", &wl);
	json_object_object_get_ex(wl, "params", &params);
	r->workload = dupj(wl, "name");
	r->kind = dupj(wl, "kind");
	if (params && json_object_is_type(params, json_type_object)) {
		json_object_object_foreach(params, pk, pv) {
			strv_push(&r->param_keys, pk);
			strv_push(&r->param_vals, json_object_get_string(pv));
		}
	}
	json_object_object_get_ex(o, "kernel", &k);
	r->commit = dupj(k, "commit");
	r->kernel_key = dupj(k, "key");
	r->config_hash = dupj(k, "config_sha256");
	r->compiler = dupj(k, "compiler");
	r->patches_hash = dupj(k, "patches_sha256");
	r->guest_kernel = dupj(k, "release");
	{
		struct json_object *kf;

		if (json_object_object_get_ex(k, "facts", &kf) && json_object_is_type(kf, json_type_object))
			r->kernel_facts = json_object_get(kf);
	}
	json_object_object_get_ex(o, "boot", &b);
	r->backend = dupj(b, "backend");
	r->accel = dupj(b, "accel");
	r->clock = dupj(b, "clock");
	r->kernel_cmdline = dupj(b, "kernel_cmdline");
	r->qemu_cmdline = dupj(b, "qemu_cmdline");
	r->pmem = dupj(b, "pmem");
	{
		struct json_object *g;

		if (json_object_object_get_ex(b, "guests", &g) && json_object_get_int64(g) > 1)
			r->guests = (unsigned int)json_object_get_int64(g);
	}
	r->medium = dupj(b, "medium");
	if (json_object_object_get_ex(o, "samples", &a) && json_object_is_type(a, json_type_array)) {
		/* NaN or inf would poison every statistic downstream: refuse */
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			struct json_object *so = json_object_array_get_idx(a, i);

			/* an ill-typed sample is an error, never a sample of zeros */
			if (!json_object_is_type(so, json_type_object)) {
				*err = xasprintf("sample %zu is not an object", i);
				result_free(r);
				return -1;
			}
			json_object_object_foreach(so, sk, sv) {
				bool num = json_object_is_type(sv, json_type_double) ||
					   json_object_is_type(sv, json_type_int);

				if ((num && !isfinite(json_object_get_double(sv))) ||
				    (!num && sample_field_known(sk))) {
					*err = xasprintf("sample %zu: %s is not a finite number", i, sk);
					result_free(r);
					return -1;
				}
			}
		}
		for (size_t i = 0; i < json_object_array_length(a); i++)
			sample_from_json(json_object_array_get_idx(a, i), result_add_sample(r));
	}
	if (json_object_object_get_ex(o, "checks", &a) && json_object_is_type(a, json_type_array))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			struct json_object *c = json_object_array_get_idx(a, i);

			result_add_check(r, jstr(c, "name") ? jstr(c, "name") : "",
					 jbool(c, "ok", false), jstr(c, "value"));
		}
	r->ok = jbool(o, "ok", false);
	r->verdict = dupj(o, "verdict");
	r->timeout = dupj(o, "timeout");
	r->msg = dupj(o, "msg");
	if (json_object_object_get_ex(o, "signatures", &a) && json_object_is_type(a, json_type_array))
		for (size_t i = 0; i < json_object_array_length(a); i++)
			strv_push(&r->signatures,
				  json_object_get_string(json_object_array_get_idx(a, i)));
	if (json_object_object_get_ex(o, "boots", &a) && json_object_is_type(a, json_type_object)) {
		struct json_object *sb;
		int64_t n = jint(a, "n", 1), f = jint(a, "failed", 0);

		if (n < 1 || f < 0 || f > n) {
			*err = xasprintf("boots: n = %lld, failed = %lld: expected 0 <= failed <= n, n >= 1",
					 (long long)n, (long long)f);
			return -1;
		}
		r->boots = n;
		r->failed_boots = f;
		if (json_object_object_get_ex(a, "signatures", &sb) &&
		    json_object_is_type(sb, json_type_array))
			for (size_t i = 0; i < json_object_array_length(sb) && i < r->signatures.n; i++) {
				int64_t cnt = json_object_get_int64(json_object_array_get_idx(sb, i));

				result_set_sig_boots(r, i, cnt < 0 ? 0 : cnt > n ? n : cnt);
			}
	}
	if (json_object_object_get_ex(o, "findings", &a) && json_object_is_type(a, json_type_array))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			struct json_object *fo = json_object_array_get_idx(a, i);
			struct zd_finding *f = result_add_finding(r);

			f->cls = dupj(fo, "class");
			f->key = dupj(fo, "key");
			f->phase = dupj(fo, "phase");
			f->text = dupj(fo, "text");
			f->msg = dupj(fo, "message");
			f->stack = dupj(fo, "stack");
			f->lkp_key = dupj(fo, "lkp_key");
			f->line = jint(fo, "line", 0);
		}
	if (json_object_object_get_ex(o, "phases", &a) && json_object_is_type(a, json_type_array))
		for (size_t i = 0; i < json_object_array_length(a); i++) {
			struct json_object *po = json_object_array_get_idx(a, i);
			struct zd_phase *p = result_add_phase(r, jstr(po, "name") ? jstr(po, "name") : "?");

			p->ok = jbool(po, "ok", false);
			p->ended = jbool(po, "ended", false);
			p->taint_begin = jint(po, "taint_begin", -1);
			p->taint_end = jint(po, "taint_end", -1);
			p->t_begin_ns = jint(po, "t_begin_ns", 0);
			p->t_end_ns = jint(po, "t_end_ns", 0);
		}
	if (json_object_object_get_ex(o, "pgmap_refs", &a) && json_object_is_type(a, json_type_array))
		for (size_t i = 0; i < json_object_array_length(a); i++)
			strv_push(&r->pgmap_refs, json_object_to_json_string(json_object_array_get_idx(a, i)));
	if (json_object_object_get_ex(o, "holds", &a) && json_object_is_type(a, json_type_array))
		for (size_t i = 0; i < json_object_array_length(a); i++)
			strv_push(&r->holds, json_object_to_json_string(json_object_array_get_idx(a, i)));
	r->reproducer = dupj(o, "reproducer");
	if (!r->variant || !r->workload || !r->verdict) {
		*err = xstrdup("missing one of: variant, workload.name, verdict");
		return -1;
	}
	/*
	 * Names become file names and plot labels downstream, the verdict a
	 * report's class: what was written by zdbench passes, anything else
	 * is not a result of ours.
	 */
	if (!is_name(r->variant) || !is_name(r->workload)) {
		*err = xasprintf("variant '%s', workload '%s': %s", r->variant, r->workload,
				 ZD_NAME_RULE);
		return -1;
	}
	/* merge makes a folder of it */
	if (r->machine && !is_name(r->machine)) {
		*err = xasprintf("machine '%s': %s", r->machine, ZD_NAME_RULE);
		return -1;
	}
	{
		enum zd_verdict v;

		if (verdict_parse(r->verdict, &v)) {
			*err = xasprintf("verdict '%s' is not one of clean, fail, hang, crash, infra",
					 r->verdict);
			return -1;
		}
	}
	return 0;
}

int result_write(const char *path, const struct zd_result *r)
{
	struct json_object *o = result_to_json(r);
	int ret = zd_json_write(path, o);

	json_object_put(o);
	return ret;
}

int result_read(const char *path, struct zd_result *r, char **err)
{
	struct json_object *o = zd_json_read(path);
	int ret;

	if (!o) {
		result_init(r);
		/* the caller names the file: *err says what is wrong with it */
		*err = errno == EBADMSG ? xstrdup("not JSON") :
		       errno == EFBIG ? xasprintf("larger than %u bytes", ZD_MAX_JSON_BYTES) :
		       xasprintf("cannot read: %s", read_file_strerror(errno));
		return -1;
	}
	ret = result_from_json(o, r, err);
	json_object_put(o);
	return ret;
}

unsigned int result_boots(const struct zd_result *r)
{
	return r->boots ? r->boots : 1;
}

unsigned int result_failed_boots(const struct zd_result *r)
{
	if (r->boots)
		return r->failed_boots;
	return r->verdict && strcmp(r->verdict, "clean") ? 1 : 0;
}

unsigned int result_sig_boots(const struct zd_result *r, size_t i)
{
	return r->sig_boots && i < r->nr_sig_boots ? r->sig_boots[i] : 1;
}

void result_set_sig_boots(struct zd_result *r, size_t i, unsigned int n)
{
	if (i >= r->nr_sig_boots) {
		r->sig_boots = xrealloc(r->sig_boots, (i + 1) * sizeof(*r->sig_boots));
		for (size_t j = r->nr_sig_boots; j <= i; j++)
			r->sig_boots[j] = 1;
		r->nr_sig_boots = i + 1;
	}
	r->sig_boots[i] = n;
}
