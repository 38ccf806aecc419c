// SPDX-License-Identifier: GPL-2.0
#include "ndctl.h"

const char *ndctl_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

/* At the top (ndctl >= 66) or in daxregion.devices[0]. */
const char *ndctl_chardev(struct json_object *ns)
{
	struct json_object *r, *devs;

	if (ndctl_str(ns, "chardev"))
		return ndctl_str(ns, "chardev");
	if (!json_object_object_get_ex(ns, "daxregion", &r) ||
	    !json_object_object_get_ex(r, "devices", &devs) ||
	    !json_object_is_type(devs, json_type_array) || !json_object_array_length(devs))
		return NULL;
	return ndctl_str(json_object_array_get_idx(devs, 0), "chardev");
}
