/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_NDCTL_H
#define ZD_NDCTL_H

#include <json-c/json.h>

/* Reading `ndctl list` JSON, shared by zdbench (hostsafe.c) and the agent. */
const char *ndctl_str(struct json_object *o, const char *key);
/* A devdax namespace's character device (daxN.M), or NULL. */
const char *ndctl_chardev(struct json_object *ns);

#endif
