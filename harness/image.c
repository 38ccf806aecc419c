// SPDX-License-Identifier: GPL-2.0
/*
 * Guest image: an initramfs assembled from host binaries and their shared
 * libraries (found with ldd), cached by the hash of every byte that goes in.
 */
#define _GNU_SOURCE
#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "ksrc.h"
#include "proc.h"
#include "util.h"

#define IMAGE_LAYOUT "zdbench-image/1"

struct tool {
	const char *name;	/* looked up on PATH (+ sbin) */
	const char *dest;	/* path in the guest */
	const char *package;	/* Debian package, for the error message */
	const char *for_fs;	/* needed only if a workload of the run is on this fs */
};

static const struct tool tools[] = {
	{ "busybox", "/bin/busybox", "busybox-static", NULL },
	{ "ndctl", "/usr/bin/ndctl", "ndctl", NULL },
	{ "mke2fs", "/sbin/mke2fs", "e2fsprogs", NULL },
	{ "fio", "/usr/bin/fio", "fio", NULL },
	{ "mkfs.xfs", "/sbin/mkfs.xfs", "xfsprogs", "xfs" },
};

char *agent_path(const struct zd_config *c)
{
	return xasprintf("%s/build/agent/zdbench-agent", c->project_dir);
}

void image_free(struct zd_image *img)
{
	free(img->path);
	free(img->key);
	strv_free(&img->tools);
	memset(img, 0, sizeof(*img));
}

static char *find_tool(const char *name)
{
	static const char *const extra[] = { "/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/" };
	char *p = which(name);

	for (size_t i = 0; !p && i < ARRAY_SIZE(extra); i++) {
		char *q = xasprintf("%s%s", extra[i], name);

		if (!access(q, X_OK))
			p = q;
		else
			free(q);
	}
	return p;
}

/* Shared libraries of an ELF file, as absolute paths ldd reports. */
static int ldd_libs(const char *bin, struct strv *libs)
{
	char *argv[] = { "ldd", (char *)bin, NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .quiet_stderr = true, .timeout = 60 };
	struct proc_result r;
	char *line, *save;

	if (proc_run(argv, &o, &r) || r.exec_failed) {
		sbuf_free(&out);
		return zd_error("ldd not found (libc-bin)");
	}
	/* Static binaries make ldd exit 1 with "not a dynamic executable". */
	if (!out.len)
		return 0;
	for (line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "=> ");
		char path[4096];

		if (strstr(line, "not found")) {
			zd_err("%s: shared library missing: %s", bin, trim(line));
			sbuf_free(&out);
			return -1;
		}
		p = p ? p + 3 : line;
		if (sscanf(p, " %4095s", path) == 1 && path[0] == '/') {
			bool dup = false;

			for (size_t i = 0; i < libs->n; i++)
				dup |= !strcmp(libs->v[i], path);
			if (!dup)
				strv_push(libs, path);
		}
	}
	sbuf_free(&out);
	return 0;
}

static int add_host_file(struct cpio *c, struct zd_hash *h, const char *src,
			 const char *dest, unsigned int mode)
{
	size_t len;
	char *data = read_file(src, &len);

	if (!data)
		return zd_error("cannot read %s for the guest image: %s", src, strerror(errno));
	hash_str(h, "path", dest);
	hash_update(h, data, len);
	cpio_file(c, dest, mode, data, len);
	free(data);
	return 0;
}

static void busybox_links(struct cpio *c, const char *bb)
{
	char *argv[] = { (char *)bb, "--list", NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .timeout = 30 };
	struct proc_result r;
	char *line, *save;

	if (proc_run(argv, &o, &r) || !out.len)
		goto out;
	for (line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *dst = xasprintf("/bin/%s", trim(line));

		if (strcmp(line, "busybox"))
			cpio_symlink(c, dst, "busybox");
		free(dst);
	}
out:
	sbuf_free(&out);
}

static char *tool_version(const char *path, const char *name)
{
	char *argv[] = { (char *)path, "--version", NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .quiet_stderr = true, .timeout = 30 };
	struct proc_result r;
	char *v;

	if (!strcmp(name, "mke2fs") || !strcmp(name, "mkfs.xfs")) /* no --version */
		argv[1] = "-V";
	if (!strcmp(name, "busybox"))
		argv[1] = "--help";
	if (!strcmp(name, "mke2fs"))
		o.merge_stderr = true, o.quiet_stderr = false;
	proc_run(argv, &o, &r);
	v = out.len ? strtok(out.buf, "\n") : NULL;
	v = xasprintf("%s %s", name, v ? trim(v) : "unknown");
	sbuf_free(&out);
	return v;
}

static int assemble(const struct zd_config *c, struct cpio *cp,
		    struct zd_hash *h, struct zd_image *img)
{
	static const char *const dirs[] = {
		"/dev", "/proc", "/sys", "/tmp", "/mnt/dax", "/etc", "/root",
		"/zdbench", "/run", "/var/tmp",
	};
	struct strv libs = { 0 };
	char *agent = agent_path(c);
	int ret = -1;

	hash_str(h, "layout", IMAGE_LAYOUT);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		cpio_dir(cp, dirs[i]);
	if (!path_exists(agent)) {
		zd_err("agent %s not built: run make", agent);
		goto out;
	}
	if (add_host_file(cp, h, agent, "/zdbench/agent", 0755) || ldd_libs(agent, &libs))
		goto out;
	cpio_symlink(cp, "/init", "/zdbench/agent");
	/* the kernel's gup_test selftest, built static beside the agent */
	{
		char *st = xasprintf("%s/build/agent/gup_test", c->project_dir);

		if (!path_exists(st)) {
			zd_err("%s not built: run make", st);
			free(st);
			goto out;
		}
		if (add_host_file(cp, h, st, "/zdbench/gup_test", 0755)) {
			free(st);
			goto out;
		}
		free(st);
	}
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		const char *fs = tools[i].for_fs;
		char *p = find_tool(tools[i].name);

		/* an optional tool goes in when the host has it */
		if (!p && fs && !run_uses_fs(c, fs))
			continue;
		if (!p) {
			zd_err("%s not found: install Debian package %s (scripts/install-deps.sh)%s%s",
			       tools[i].name, tools[i].package, fs ? "; workloads on fsdax need it for fs = " : "",
			       fs ? fs : "");
			goto out;
		}
		strv_push(&img->tools, tool_version(p, tools[i].name));
		if (add_host_file(cp, h, p, tools[i].dest, 0755) || ldd_libs(p, &libs)) {
			free(p);
			goto out;
		}
		if (!strcmp(tools[i].name, "busybox"))
			busybox_links(cp, p);
		free(p);
	}
	cpio_symlink(cp, "/sbin/mkfs.ext4", "mke2fs");
	for (size_t i = 0; i < libs.n; i++)
		if (add_host_file(cp, h, libs.v[i], libs.v[i], 0755))
			goto out;
	if (path_exists("/etc/mke2fs.conf") &&
	    add_host_file(cp, h, "/etc/mke2fs.conf", "/etc/mke2fs.conf", 0644))
		goto out;
	ret = 0;
out:
	strv_free(&libs);
	free(agent);
	return ret;
}

int image_build(const struct zd_config *c, struct zd_image *img)
{
	struct cpio cp = { 0 };
	struct zd_hash *h = hash_new();
	char key[ZD_HASH_HEX], *cache = zd_cache_dir(c), *dir;
	int ret = -1;

	memset(img, 0, sizeof(*img));
	if (assemble(c, &cp, h, img)) {
		hash_final(h, key);
		goto out;
	}
	cpio_finish(&cp);
	hash_final(h, key);
	img->key = xstrdup(key);
	dir = path_join(cache, "images");
	mkdir_p(dir, 0755);
	img->path = xasprintf("%s/%s.cpio", dir, key);
	free(dir);
	if (path_exists(img->path)) {
		img->cached = true;
		ret = 0;
		goto out;
	}
	if (write_file_atomic(img->path, cp.out.buf, cp.out.len)) {
		zd_err("cannot write guest image %s: %s", img->path, strerror(errno));
		goto out;
	}
	zd_info("guest image %s (%.1f MiB)", img->path, cp.out.len / 1048576.0);
	ret = 0;
out:
	cpio_free(&cp);
	free(cache);
	return ret;
}

/* A binary and every shared library it needs, at dest in the guest. */
int image_add_binary(struct cpio *cp, const char *src, const char *dest)
{
	struct zd_hash *h = hash_new();
	struct strv libs = { 0 };
	char key[ZD_HASH_HEX];
	int ret = -1;

	if (add_host_file(cp, h, src, dest, 0755) || ldd_libs(src, &libs))
		goto out;
	for (size_t i = 0; i < libs.n; i++)
		if (add_host_file(cp, h, libs.v[i], libs.v[i], 0755))
			goto out;
	ret = 0;
out:
	hash_final(h, key);
	strv_free(&libs);
	return ret;
}

/* Base image + the archive extra (finished here), written to out. */
int image_append(const struct zd_image *img, struct cpio *extra, const char *out)
{
	size_t len;
	char *base = read_file(img->path, &len);
	struct sbuf all = { 0 };
	int ret;

	if (!base)
		return zd_error("cannot read guest image %s: %s", img->path, strerror(errno));
	cpio_finish(extra);
	sbuf_add(&all, base, len);
	sbuf_add(&all, extra->out.buf, extra->out.len);
	ret = write_file_atomic(out, all.buf, all.len);
	if (ret)
		zd_err("cannot write %s: %s", out, strerror(errno));
	free(base);
	sbuf_free(&all);
	return ret;
}

int image_with_plan(const struct zd_image *img, struct json_object *plan,
		    const char *out)
{
	struct cpio cp = { 0 };
	const char *js = json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PRETTY);
	int ret;

	cpio_file(&cp, "/zdbench/plan.json", 0644, js, strlen(js));
	ret = image_append(img, &cp, out);
	cpio_free(&cp);
	return ret;
}
