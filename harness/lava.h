/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_LAVA_H
#define ZD_LAVA_H

#include <json-c/json.h>
#include <stdbool.h>

#include "util.h"

/*
 * LAVA (https://docs.lavasoftware.org): the job definitions zdbench hands
 * to a lab, the device dictionary of a local qemu device, and the job log
 * read back. The formats are LAVA 2023.01's (Debian 12 lava-dispatcher):
 * the job schema is lava_common/schemas/job.py and boot/qemu.py, the
 * device keys lava_dispatcher/actions/boot/qemu.py reads, the log what
 * lava_common/log.py's YAMLLogger writes (one YAML flow mapping per line,
 * "dt", "lvl", "msg"; a server's log is the same entries as a sequence).
 */

/*
 * A json-c tree as YAML (libyaml's emitter: block style, libyaml quotes
 * and escapes every scalar that needs it; strings that would read as
 * another type are quoted). Malloc'd, or NULL after an error message.
 */
char *lava_yaml_string(struct json_object *o);
/* The same into path, atomically. 0, or -1 after an error naming path. */
int lava_yaml_write(const char *path, struct json_object *o);

/* What one job boots. */
struct lava_job_spec {
	const char *name;	 /* job_name */
	const char *device_type; /* [lava] device_type */
	const char *kernel;	 /* bzImage path (a file:// URL is made of it) */
	const char *ramdisk;	 /* the guest initramfs with the plan */
	const char *cmdline;	 /* the kernel command line, without the console switch */
	unsigned int timeout;	 /* seconds for the whole job ([lava] timeout) */
};

/*
 * The job definition: deploy to tmpfs (kernel, ramdisk), boot with qemu
 * until the guest reboots after the agent's done line, the kernel command line with
 * zdbench.console=1 (workloads/frame.h) in the kernel's image_arg (the
 * qemu device type takes it only there). The boot action may take the job
 * timeout less a minute for deploy and teardown. NULL after an error: a
 * command line or path LAVA would split or substitute (quotes, braces,
 * backslashes; blanks in a path) is refused, naming it.
 */
struct json_object *lava_job(const struct lava_job_spec *s);

/*
 * The device dictionary of a qemu device as lava-run --device reads it
 * (written in full: the jinja2 device-type templates ship with
 * lava-server): QEMU binary and options (the console on stdio), the
 * constants the qemu boot needs, timeouts in seconds.
 */
struct json_object *lava_device(const char *qemu, const struct strv *options,
				unsigned int timeout);

/* A LAVA job log, read back. */
struct lava_log {
	struct sbuf console;	/* the "target" lines: the serial console */
	unsigned int entries;	/* log entries read */
	unsigned int bad;	/* lines that are no YAML mapping with lvl */
	bool cut;		/* the last line was cut, or no job result */
	char *result;		/* the "job" case: pass | fail; NULL: none */
	char *error_type;	/* Infrastructure, Job, Bug, Configuration, Test */
	char *error_msg;
	bool timed_out;		/* an action hit its LAVA timeout */
};

/*
 * Parse a log (lava-run's stderr, or a server's log: "- " before each
 * entry) with libyaml, one entry per line. Always fills l (what could be
 * read); 0, or -1 if nothing in it was a LAVA log entry.
 */
int lava_log_parse(const char *buf, size_t len, struct lava_log *l);
/* The same from a file; -1 also when it cannot be read (reported). */
int lava_log_read(const char *path, struct lava_log *l);
void lava_log_free(struct lava_log *l);

#endif
