// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of boot backends. A new backend is one file (its ops table,
 * its config keys) and one row here; run.c and config.c find it by name or
 * by walking this table, and test_backend.c checks its mandatory hooks.
 */
#include "backend.h"

#include <stdlib.h>
#include <string.h>

/* The first is the default (run_opts.backend "qemu"). */
static const struct backend_ops *const backends[] = {
	&qemu_backend,
	&host_backend,
	&lava_backend,
};

const struct backend_ops *backend_at(size_t i)
{
	return i < ARRAY_SIZE(backends) ? backends[i] : NULL;
}

const struct backend_ops *backend_find(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(backends); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

char *backend_names(void)
{
	struct sbuf sb = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(backends); i++)
		sbuf_addf(&sb, "%s%s", i ? ", " : "", backends[i]->name);
	return sb.buf;
}

void boot_out_free(struct boot_out *o)
{
	free(o->timeout);
	free(o->last_phase);
	free(o->cmdline);
	free(o->infra);
	strv_free(&o->argv);
	memset(o, 0, sizeof(*o));
}
