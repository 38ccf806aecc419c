// SPDX-License-Identifier: GPL-2.0
/*
 * The host boot backend: no boot at all. The kernel under test is the one
 * running now (the user booted it, by kexec or the boot loader); the agent
 * runs as a child with --host, on the pmem namespace the config names and
 * host_preflight cleared. The console is /dev/kmsg from the start of the
 * run, written in the serial console's format so the classifier reads it
 * unchanged; the same deadlines as for a guest apply to the agent.
 */
#define _GNU_SOURCE
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hostsafe.h"
#include "image.h"
#include "kbuild.h"
#include "kfacts.h"
#include "proc.h"
#include "watch.h"

#define C(f) offsetof(struct zd_config, f)

/* [host]: the real machine, and the one namespace of it zdbench may use. */
static const struct config_key host_keys[] = {
	{ "host", "namespace", K_STR, C(host_ns) },
	{ "host", "size", K_STR, C(host_size) },
	{ "host", "destructive", K_BOOL, C(host_destructive) },
	{ "host", "mountpoint", K_STR, C(host_mountpoint) },
	{ "host", "variant", K_STR, C(host_variant) },
	{ "host", "kernel_config", K_STR, C(host_kconfig) },
	{ NULL },
};

static int host_validate(struct zd_config *c)
{
	if (c->host_mountpoint && c->host_mountpoint[0] != '/')
		return config_fail(c, "[host] mountpoint must be an absolute path");
	return 0;
}

/* Only QEMU can count instructions: the host measures wall time. */
static int host_wall_clock(const struct zd_config *c)
{
	if (strcmp(c->clock, "wall")) {
		zd_err("clock = %s needs QEMU; the host backend measures wall time", c->clock);
		return ZD_EXIT_USAGE;
	}
	return 0;
}

/* The running kernel's .config: /proc/config.gz, else [host] kernel_config. */
static char *running_config(const struct zd_config *c, const char **from)
{
	char *argv[] = { "gzip", "-dc", "/proc/config.gz", NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .quiet_stderr = true, .timeout = 30 };
	struct proc_result r;

	if (c->host_kconfig && *c->host_kconfig) {
		*from = c->host_kconfig;
		return read_file(c->host_kconfig, NULL);
	}
	*from = "/proc/config.gz";
	if (!access("/proc/config.gz", R_OK) && !proc_run(argv, &o, &r) && !r.exit_code &&
	    out.len)
		return sbuf_detach(&out, NULL);
	sbuf_free(&out);
	*from = "unknown (no /proc/config.gz; set [host] kernel_config)";
	return NULL;
}

/* Provenance of the running kernel, in the fields a built one would have. */
static int host_prepare(const struct zd_config *c, struct zd_kernel *k, char **note)
{
	struct utsname u;
	struct zd_hash *h = hash_new();
	char key[ZD_HASH_HEX], *cfg, *ver = read_file("/proc/version", NULL);
	const char *from;
	struct host_ns ns;
	char *why = NULL;

	if (host_preflight(c, &ns, &why)) {
		zd_err("host backend refuses: %s", why);
		free(why);
		hash_final(h, key);
		free(ver);
		return -1;
	}
	host_ns_free(&ns);
	uname(&u);
	memset(k, 0, sizeof(*k));
	k->variant = xstrdup(c->host_variant && *c->host_variant ? c->host_variant : "host");
	k->commit = xasprintf("%s %s", u.release, u.version);
	k->compiler = xstrdup(ver ? trim(ver) : "unknown");
	k->patches_hash = xstrdup("");
	k->bzimage = xstrdup("");
	cfg = running_config(c, &from);
	if (cfg) {
		struct zd_hash *ch = hash_new();
		char chex[ZD_HASH_HEX];

		hash_update(ch, cfg, strlen(cfg));
		hash_final(ch, chex);
		k->config_hash = xstrdup(chex);
	} else {
		k->config_hash = xstrdup("unknown");
	}
	hash_str(h, "release", u.release);
	hash_str(h, "version", u.version);
	hash_str(h, "config", k->config_hash);
	hash_final(h, key);
	k->key = xasprintf("host-%s", key);
	k->cached = true;
	/* no sources here: what the release says (kfacts.h) */
	kfacts_from_version(u.release, &k->facts);
	*note = xasprintf("host: running kernel %s, config from %s", u.release, from);
	free(cfg);
	free(ver);
	return 0;
}

static int host_probe(const struct zd_config *c, const char *bzimage, const char *initrd,
		      const char *scratch, char **accel, char **note)
{
	*accel = xstrdup("host");
	*note = NULL;
	return 0;
}

/* Copies /dev/kmsg records to the console log as "[secs.usecs] text". */
struct kmsg_pump {
	int fd;
	FILE *out;
	const char *path;
};

static void kmsg_copy(void *ctx)
{
	struct kmsg_pump *k = ctx;
	char rec[8192];
	ssize_t n;

	if (!k->out) {
		k->out = fopen(k->path, "w");
		if (!k->out)
			return;
	}
	/* One record per read; EPIPE means some were overwritten: go on. */
	while (k->fd >= 0) {
		unsigned long long usec;
		char *text, *nl;

		errno = 0;
		n = read(k->fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			fprintf(k->out, "[zdbench: kernel log records lost (overwritten)]\n");
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text || sscanf(rec, "%*u,%*u,%llu", &usec) != 1)
			continue;
		text++;
		nl = strchr(text, '\n'); /* after it: dictionary lines */
		if (nl)
			*nl = '\0';
		fprintf(k->out, "[%5llu.%06llu] %s\n", usec / 1000000, usec % 1000000, text);
	}
	fflush(k->out);
}

static int host_boot(const struct boot_req *req, struct boot_out *out)
{
	const struct zd_config *c = req->cfg;
	struct kmsg_pump kp = { .fd = -1, .path = req->console_log };
	struct watch_pump pump = { kmsg_copy, &kp };
	struct host_ns ns;
	char *why = NULL, *agent = agent_path(c), *cmdline;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	/* Again right before use: the machine may have changed since the start. */
	if (host_preflight(c, &ns, &why)) {
		zd_err("host backend refuses: %s", why);
		out->start_failed = true;
		goto out;
	}
	kp.fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kp.fd < 0)
		zd_err("cannot read /dev/kmsg (%s): the run has no kernel console", strerror(errno));
	else
		lseek(kp.fd, 0, SEEK_END); /* from the start of this run */
	strv_push(&out->argv, agent);
	strv_push(&out->argv, "--host");
	strv_push(&out->argv, req->plan);
	strv_push(&out->argv, req->results_log);
	cmdline = read_file("/proc/cmdline", NULL);
	out->cmdline = xstrdup(cmdline ? trim(cmdline) : "");
	free(cmdline);
	out->kernel_running = true;
	ret = watch_boot(req, out, c->boot_timeout, NULL, &pump);
	if (ret)
		out->start_failed = true;
out:
	if (kp.fd >= 0)
		close(kp.fd);
	if (kp.out)
		fclose(kp.out);
	host_ns_free(&ns);
	free(why);
	free(agent);
	return ret;
}

static char *host_describe_pmem(const struct zd_config *c, const char *medium)
{
	return xasprintf("host %s %s %s", c->host_ns, medium, c->host_size);
}

/* A real machine: its namespace only, its sysctls left alone. */
static void host_plan_fields(const struct zd_config *c, struct json_object *p)
{
	json_object_object_add(p, "pmem_mode", json_object_new_string("host"));
	json_object_object_add(p, "namespace", json_object_new_string(c->host_ns));
	json_object_object_add(p, "mountpoint", json_object_new_string(c->host_mountpoint));
	json_object_object_add(p, "nvdimm_init_labels", json_object_new_boolean(false));
}

static void host_boot_json(const struct zd_config *c, struct json_object *boot,
			   struct json_object *tools)
{
	json_object_object_add(boot, "namespace", json_object_new_string(c->host_ns));
	json_object_object_add(boot, "namespace_size", json_object_new_string(c->host_size));
}

static char *host_announce(const struct zd_config *c, const struct zd_kernel *k,
			   const char *round, const char *accel)
{
	return xasprintf("running %s%s on this machine (%s)", k->variant, round, k->commit);
}

const struct backend_ops host_backend = {
	.name = "host",
	.log_name = "agent.log",
	.keys = host_keys,
	.validate = host_validate,
	.preflight = host_wall_clock,
	.prepare = host_prepare,
	.probe = host_probe,
	.boot = host_boot,
	.describe_pmem = host_describe_pmem,
	.plan_fields = host_plan_fields,
	.boot_json = host_boot_json,
	.announce = host_announce,
};
