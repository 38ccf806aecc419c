/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_KINDS_H
#define ZD_KINDS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The workload kinds, by name: the one list every table is indexed by.
 * A kind NAME has its descriptor row wl_kinds[WK_NAME] in kinds.c and its
 * code in workloads/agent/wl_NAME.c, which defines wl_NAME_ops; the agent's
 * ops table is generated from this list, so a kind without that file does
 * not link, and test_kinds.c fails a kind without its row.
 */
#define WL_KINDS(X) X(odirect) X(gup) X(vmsplice) X(futex) X(fio) X(mapcycle) X(truncpin)

enum wl_kind_id {
#define WL_KIND_ID(name) WK_##name,
	WL_KINDS(WL_KIND_ID)
#undef WL_KIND_ID
	WK_NR
};

enum wl_ptype { WP_STR, WP_UINT, WP_ENUM };

struct wl_param_spec {
	const char *key;
	enum wl_ptype type;
	const char *const *choices;
	unsigned int min, max;
	const char *dflt;	/* NULL: required */
	const char *help;
};

/*
 * A parameter's value as text (an integer in decimal), or NULL when the
 * set does not name it: how the checker reads a config section, a plan's
 * JSON object or zdbench-micro's options alike.
 */
typedef const char *(*wl_param_get_fn)(const void *ctx, const char *key);

struct wl_kind_desc {
	const char *name;
	const char *summary;
	const struct wl_param_spec *params; /* ends with a NULL key */
	const char *modes;	/* the dax_modes it runs on: "fsdax devdax" */
	/*
	 * Rules across parameters, on a set whose values passed their specs
	 * (absent ones read as the default): 0, or -1 with why. NULL: none.
	 */
	int (*check)(wl_param_get_fn get, const void *ctx, char *why, size_t len);
};

extern const struct wl_kind_desc wl_kinds[WK_NR + 1]; /* in enum order; then a NULL name */
const struct wl_kind_desc *wl_kind_find(const char *name);
const struct wl_param_spec *wl_param_find(const struct wl_kind_desc *k, const char *key);

/*
 * The one parameter checker, for zdbench (config), the agent (plan) and
 * zdbench-micro (options). wl_param_check: one value against its spec,
 * 0 or -1 with why ("key 'iters': not an integer in [1, 1073741824]",
 * "key 'mapping': 'huge' is not one of: pte pmd").
 */
int wl_param_check(const struct wl_param_spec *s, const char *val, char *why, size_t len);
/*
 * A whole set for kind k: each value the set names by its spec, the
 * required ones present, then the kind's cross-parameter rules (k->check).
 * Keys outside the table are the caller's business (zdbench rejects them
 * with file and line; a plan carries fio's job_text). 0, or -1 with why.
 */
int wl_params_check(const struct wl_kind_desc *k, wl_param_get_fn get, const void *ctx,
		    char *why, size_t len);
/* A mapped buffer's size rule (whole pages; whole PMDs for pmd): NULL or why not. */
const char *wl_buf_kib_check(long long buf_kib, bool pmd);

#endif
