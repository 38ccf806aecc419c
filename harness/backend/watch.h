/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_WATCH_H
#define ZD_WATCH_H

#include "backend.h"

/* Called on every turn of the watch loop (the host backend copies kmsg). */
struct watch_pump {
	void (*fn)(void *ctx);
	void *ctx;
};

/*
 * Run out->argv (already filled) until it exits or a deadline passes;
 * stop_line ends it early once the console shows that text (KVM probe).
 * Returns -1 only if the command could not be started.
 */
int watch_boot(const struct boot_req *req, struct boot_out *out, double boot_timeout,
	       const char *stop_line, const struct watch_pump *pump);

#endif
