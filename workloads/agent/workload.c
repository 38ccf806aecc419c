// SPDX-License-Identifier: GPL-2.0
/*
 * The workload table and what every kind shares: the parameter check,
 * FOLL_PIN accounting from /proc/vmstat and the sample line.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "agent.h"

/*
 * Indexed like kinds.c's rows and generated from the same list: a kind
 * without its wl_<kind>.c is an undefined wl_<kind>_ops at link time.
 */
static const struct workload_ops *const workloads[WK_NR] = {
#define WL_OPS_ROW(name) [WK_##name] = &wl_##name##_ops,
	WL_KINDS(WL_OPS_ROW)
#undef WL_OPS_ROW
};

const struct workload_ops *workload_find(const char *kind)
{
	const struct wl_kind_desc *k = wl_kind_find(kind);

	return k ? workloads[k - wl_kinds] : NULL;
}

/* A plan's parameter as the checker reads it: an integer in decimal. */
static const char *plan_param(const void *ctx, const char *key)
{
	const struct wl_spec *w = ctx;
	struct json_object *v;

	if (!w->params || !json_object_object_get_ex(w->params, key, &v))
		return NULL;
	return json_object_get_string(v);
}

int workload_check(const struct wl_spec *w, char *msg, size_t len)
{
	const struct wl_kind_desc *k = wl_kind_find(w->kind);
	struct json_object *v;

	if (!k) {
		snprintf(msg, len, "unknown workload kind \"%s\"", w->kind);
		return -1;
	}
	/* a wrong JSON type never silently becomes the default */
	for (const struct wl_param_spec *s = k->params; w->params && s->key; s++) {
		if (!json_object_object_get_ex(w->params, s->key, &v))
			continue;
		if (s->type == WP_UINT && !json_object_is_type(v, json_type_int)) {
			snprintf(msg, len, "param %s must be an integer", s->key);
			return -1;
		}
		if (s->type != WP_UINT && !json_object_is_type(v, json_type_string)) {
			snprintf(msg, len, "param %s must be a string", s->key);
			return -1;
		}
	}
	return wl_params_check(k, plan_param, w, msg, len);
}

int pin_stats_read(struct pin_stats *ps)
{
	static const char *const keys[] = {
		"nr_foll_pin_acquired",
		"nr_foll_pin_released",
	};
	uint64_t v[2] = {0, 0};
	int ret;

	/*
	 * Fold the per-CPU vmstat diffs first, or the deltas are off by up
	 * to the per-CPU threshold.
	 */
	write_file("/proc/sys/vm/stat_refresh", "1");
	ret = vmstat_read(keys, v, ARRAY_SIZE(keys));
	ps->acquired = v[0];
	ps->released = v[1];
	return ret;
}

static uint64_t minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : (uint64_t)ru.ru_minflt;
}

/* The pin counters before a measured phase; msg says why not. */
int pins_begin(struct pin_stats *p0, char *msg, size_t len)
{
	p0->minflt = minflt();
	if (!pin_stats_read(p0))
		return 0;
	snprintf(msg, len, "no nr_foll_pin_* in /proc/vmstat");
	return -1;
}

/* ... and after it: the sample's deltas. */
void pins_end(const struct pin_stats *p0, struct sample *s)
{
	struct pin_stats p1;

	pin_stats_read(&p1);
	s->pins.minflt = minflt() - p0->minflt;
	s->pins.acquired = p1.acquired - p0->acquired;
	s->pins.released = p1.released - p0->released;
}

/*
 * A measured phase on a prefaulted buffer takes no DAX fault; one means GUP
 * went the slow path (faultin_page) and the numbers are not those of the
 * path the workload claims. Proof needs the fs_dax fault tracepoints (the
 * debug flavour): ru_minflt (minor_faults, recorded) does not show GUP's
 * DAX faults reliably (an unfaulted 8 MiB buffer pinned via the slow path
 * showed 1, as did a first rep's incidental first touch).
 */
int no_faults(const struct sample *s, char *msg, size_t len)
{
	uint64_t faults = 0;
	bool known = false;

	for (size_t i = 0; s->cs && i < s->cs->n; i++) {
		const struct counter *c = &s->cs->c[i];

		if (c->opened && !strncmp(c->name, "fs_dax/dax_p", 12) &&
		    strstr(c->name, "_fault_done")) {
			known = true;
			faults += c->val;
		}
	}
	if (!known || !faults)
		return 0;
	snprintf(msg, len,
		 "rep %d: %llu DAX faults inside the measured phase: the buffer was not (all) "
		 "mapped, so GUP took the slow path, not the fast one measured",
		 s->rep, (unsigned long long)faults);
	return -1;
}

/* The sample line, for kinds that add their own fields before emit(). */
struct json_object *sample_json(const struct wl_ctx *ctx, const struct sample *s)
{
	struct json_object *o = msg_new("sample");

	jadd_str(o, "workload", ctx->spec->name);
	jadd_str(o, "kind", ctx->spec->kind);
	jadd_int(o, "rep", s->rep);
	jadd_int(o, "pages", (int64_t)s->pages);
	jadd_int(o, "elapsed_ns", (int64_t)s->elapsed_ns);
	jadd_double(o, "ns_per_page", s->pages ? (double)s->elapsed_ns / s->pages : 0.0);
	jadd_int(o, "pin_acquired", (int64_t)s->pins.acquired);
	jadd_int(o, "pin_released", (int64_t)s->pins.released);
	jadd_int(o, "minor_faults", (int64_t)s->pins.minflt);
	if (s->cs)
		json_object_object_add(o, "counters", counters_json(s->cs));
	return o;
}

void sample_emit(const struct wl_ctx *ctx, const struct sample *s)
{
	emit(sample_json(ctx, s));
}
