/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_KINDS_H
#define ZD_KINDS_H

#include <stdbool.h>

enum wl_ptype { WP_STR, WP_UINT, WP_ENUM };

struct wl_param_spec {
	const char *key;
	enum wl_ptype type;
	const char *const *choices;
	unsigned int min, max;
	const char *dflt;	/* NULL: required */
	const char *help;
};

struct wl_kind_desc {
	const char *name;
	const char *summary;
	const struct wl_param_spec *params; /* ends with a NULL key */
	const char *modes;	/* the dax_modes it runs on: "fsdax devdax" */
};

extern const struct wl_kind_desc wl_kinds[]; /* ends with a NULL name */
const struct wl_kind_desc *wl_kind_find(const char *name);
const struct wl_param_spec *wl_param_find(const struct wl_kind_desc *k, const char *key);
/* A mapped buffer's size rule (whole pages; whole PMDs for pmd): NULL or why not. */
const char *wl_buf_kib_check(long long buf_kib, bool pmd);

#endif
