/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_MACHINE_H
#define ZD_MACHINE_H

#include <json-c/json.h>

/*
 * Which machine a run measured on: the one home of machine identity.
 * run.json carries the whole record ("machine" object), each result the
 * id alone ("machine"); merge namespaces runs by the id, compare refuses
 * to read sides of different ids against each other, nightly finds change
 * points on one id's series (docs/results.md, "Machine identity").
 */
#define ZD_MACHINE_UNKNOWN "unknown"	/* a result written before ids existed */

struct zd_machine {
	char *id;		/* the label: an is_name() name */
	const char *id_from;	/* "config", "machine-id" or "hostname" */
	char *hostname;		/* gethostname(), as the kernel has it */
	char *machine_id;	/* 16 hex of sha256 of /etc/machine-id, or NULL */
	char *cpu_model;	/* /proc/cpuinfo "model name", or "unknown" */
	char *pmem;		/* memmap | nvdimm | file (QEMU) | host (real pmem) */
	char *backend;		/* qemu | host */
};

/*
 * The machine this process runs on. configured is [general] machine (NULL
 * or "" when unset): it wins, so a lab names its machines. Otherwise the
 * id is the host name (characters outside [A-Za-z0-9._-] made '-') and 8
 * hex of sha256 of /etc/machine-id (hashed with a zdbench tag, as
 * machine-id(5) asks: the raw id is never written), "lab3-1f2e3d4c"; the
 * host name alone when machine-id is unreadable. pmem and backend are the
 * run's (plan.json's pmem_mode, the backend's name).
 */
void machine_probe(const char *configured, const char *backend, const char *pmem,
		   struct zd_machine *m);
/* The "model name" of /proc/cpuinfo's text (the first), or NULL; malloc'd. */
char *cpu_model_of(const char *cpuinfo);
/* run.json's "machine" object. */
struct json_object *machine_json(const struct zd_machine *m);
void machine_free(struct zd_machine *m);
/*
 * The id a run.json names (its "machine" object's "id"), or NULL when it
 * names none (a run.json older than machine ids) or one that is no name.
 */
const char *run_json_machine(struct json_object *run);

#endif
