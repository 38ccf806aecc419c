// SPDX-License-Identifier: GPL-2.0
/*
 * Safety of the host backend: a real machine's pmem holds data. Before the
 * agent may format or write anything, the one namespace the config names
 * must exist, be in the configured mode and size, be neither mounted nor
 * open, and the owner must have opted in to losing its data. Each refusal
 * names the namespace and the reason. The decision (host_ns_check) is a
 * pure function of what ndctl, mountinfo and the process report, so every
 * refusal is unit-tested on recorded inputs; host_preflight gathers them.
 */
#define _GNU_SOURCE
#include "hostsafe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "media.h"
#include "ndctl.h"
#include "proc.h"
#include "result.h"

void host_ns_free(struct host_ns *ns)
{
	free(ns->name);
	free(ns->mode);
	free(ns->blockdev);
	free(ns->chardev);
	memset(ns, 0, sizeof(*ns));
}

/* "534773760", "510M", "16G": bytes; -1 if malformed. */
int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	unsigned int shift = 0;

	/* digits first: strtoull would take "-1" (wrapping) and spaces */
	if (!s || !(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	/* a shift that overflows would wrap to some other size */
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	v <<= shift;
	*out = v;
	return 0;
}


/*
 * The namespace called name anywhere in what ndctl printed: one namespace
 * as an object, several as an array, and nested under buses and regions
 * (-NR, -BNR, -vvv: {"regions": [{"namespaces": [...]}]}, a bus object with
 * "regions"). Only objects whose dev is namespaceX.Y are namespaces: a bus
 * or region is never taken for one, nor listed in seen.
 */
static struct json_object *find_ns(struct json_object *o, const char *name, struct sbuf *seen,
				   int depth)
{
	static const char *const nests[] = { "buses", "regions", "namespaces" };
	const char *dev;

	if (depth > 8)
		return NULL;
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			struct json_object *hit = find_ns(json_object_array_get_idx(o, i), name,
							  seen, depth + 1);

			if (hit)
				return hit;
		}
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	dev = jstr(o, "dev");
	if (dev && str_starts(dev, "namespace")) {
		sbuf_addf(seen, "%s%s", seen->len ? ", " : "", dev);
		return strcmp(dev, name) ? NULL : o;
	}
	for (size_t i = 0; i < ARRAY_SIZE(nests); i++) {
		struct json_object *sub, *hit;

		if (json_object_object_get_ex(o, nests[i], &sub) &&
		    (hit = find_ns(sub, name, seen, depth + 1)))
			return hit;
	}
	return NULL;
}

/*
 * A devdax namespace whose dax device was handed to the page allocator
 * (daxctl reconfigure-device --mode=system-ram) still lists as devdax: its
 * daxregion's devices say system-ram. The name of such a device, or NULL.
 */
static const char *system_ram_dev(struct json_object *ns)
{
	struct json_object *r, *devs;

	if (!json_object_object_get_ex(ns, "daxregion", &r) ||
	    !json_object_object_get_ex(r, "devices", &devs) ||
	    !json_object_is_type(devs, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);
		const char *m = jstr(d, "mode");

		if (m && !strcmp(m, "system-ram"))
			return jstr(d, "chardev") ? jstr(d, "chardev") : "?";
	}
	return NULL;
}

/*
 * Is /dev/<dev> (or a partition of it) the source of a mount? mountinfo
 * fields: id parent maj:min root mountpoint opts [tags] - fstype source opts.
 */
bool mountinfo_has(const char *mountinfo, const char *dev, const char *majmin, char **where)
{
	char *copy = xstrdup(mountinfo ? mountinfo : ""), *line, *save;
	/*
	 * Fields of any length (%ms): fixed buffers cut a long source short
	 * and the compare below read past them.
	 */
	char *path = xasprintf("/dev/%s", dev);
	size_t plen = strlen(path);
	bool hit = false;

	for (line = strtok_r(copy, "\n", &save); line && !hit; line = strtok_r(NULL, "\n", &save)) {
		char *mm = NULL, *mnt = NULL, *src = NULL, *dash = strstr(line, " - ");

		if (sscanf(line, "%*s %*s %ms %*s %ms", &mm, &mnt) != 2)
			goto next;
		if (dash && sscanf(dash + 3, "%*s %ms", &src) != 1)
			src = NULL;
		if (majmin && !strcmp(mm, majmin))
			hit = true;
		/* /dev/pmem0 and its partitions /dev/pmem0p1..., not /dev/pmem01 */
		if (src && !strncmp(src, path, plen) && (!src[plen] || src[plen] == 'p'))
			hit = true;
		if (hit && where)
			*where = xstrdup(mnt);
next:
		free(mm);
		free(mnt);
		free(src);
	}
	free(path);
	free(copy);
	return hit;
}

/*
 * path with "//", "/./" and "a/.." folded, without the file system: for the
 * part of a path that does not exist yet. Relative paths stay relative.
 */
static char *path_fold(const char *path)
{
	struct strv parts = { 0 };
	char *copy = xstrdup(path), *tok, *save, *out;
	struct sbuf sb = { 0 };

	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..") && parts.n && strcmp(parts.v[parts.n - 1], "..")) {
			free(parts.v[--parts.n]);
			continue;
		}
		if (!strcmp(tok, "..") && path[0] == '/')
			continue; /* /.. is / */
		strv_push(&parts, tok);
	}
	if (path[0] == '/')
		sbuf_addstr(&sb, "/");
	for (size_t i = 0; i < parts.n; i++)
		sbuf_addf(&sb, "%s%s", i ? "/" : "", parts.v[i]);
	out = sbuf_detach(&sb, NULL);
	strv_free(&parts);
	free(copy);
	return out;
}

/* Where path leads: realpath of the file, else of its folder plus the name, else folded. */
static char *path_resolve(const char *path)
{
	char *r = realpath(path, NULL), *folded, *slash, *dir;

	if (r)
		return r;
	folded = path_fold(path);
	slash = strrchr(folded, '/');
	if (!slash || slash == folded)
		return folded;
	*slash = '\0';
	dir = realpath(folded, NULL);
	*slash = '/';
	if (!dir)
		return folded;
	r = xasprintf("%s%s", strcmp(dir, "/") ? dir : "", slash);
	free(dir);
	free(folded);
	return r;
}

static bool is_dax_chardev(dev_t rdev, const char *sysfs)
{
	char *link = xasprintf("%s/dev/char/%u:%u/subsystem", sysfs, major(rdev), minor(rdev));
	char target[4096];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	const char *base;

	free(link);
	if (n <= 0)
		return false;
	target[n] = '\0';
	base = strrchr(target, '/');
	return !strcmp(base ? base + 1 : target, "dax");
}

enum pmem_target pmem_target(const char *path, const char *sysfs, char **resolved)
{
	char *r = path_resolve(path);
	struct statx stx;
	enum pmem_target t;

	/* statx follows the symlinks that realpath could not (a dangling one is PT_NEW) */
	if (statx(AT_FDCWD, r, 0, STATX_TYPE | STATX_MODE, &stx))
		t = !strcmp(r, "/dev") || str_starts(r, "/dev/") ? PT_DEV_DIR : PT_NEW;
	else if (S_ISCHR(stx.stx_mode))
		t = is_dax_chardev(makedev(stx.stx_rdev_major, stx.stx_rdev_minor), sysfs) ?
			    PT_DAX_CHAR : PT_CHAR;
	else if (S_ISBLK(stx.stx_mode))
		t = PT_BLOCK;
	else if (S_ISREG(stx.stx_mode))
		t = (stx.stx_attributes_mask & STATX_ATTR_DAX) &&
			    (stx.stx_attributes & STATX_ATTR_DAX) ? PT_DAX_FILE : PT_FILE;
	else
		t = PT_OTHER;
	if (resolved)
		*resolved = r;
	else
		free(r);
	return t;
}

bool pmem_target_is_device(enum pmem_target t)
{
	return t == PT_DEV_DIR || t == PT_DAX_CHAR || t == PT_BLOCK || t == PT_CHAR ||
	       t == PT_OTHER;
}

const char *pmem_target_name(enum pmem_target t)
{
	switch (t) {
	case PT_NEW: return "a new file";
	case PT_FILE: return "a file";
	case PT_DAX_FILE: return "a file on a DAX filesystem";
	case PT_DEV_DIR: return "a path under /dev";
	case PT_DAX_CHAR: return "a dax device (real persistent memory)";
	case PT_BLOCK: return "a block device";
	case PT_CHAR: return "a character device";
	case PT_OTHER: return "not a file (a folder, FIFO or socket)";
	}
	return "?";
}

static int refuse(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(why, fmt, ap) < 0)
		*why = NULL;
	va_end(ap);
	return -1;
}

static int check_found(const struct host_facts *f, const char *name, struct json_object **ns,
		       char **why)
{
	struct sbuf seen = { 0 };
	int ret = 0;

	*ns = f->ndctl ? find_ns(f->ndctl, name, &seen, 0) : NULL;
	if (!*ns)
		ret = refuse(why, "namespace %s not found (ndctl list -N shows: %s)", name,
			     seen.len ? seen.buf : "none");
	sbuf_free(&seen);
	return ret;
}

static int check_shape(const struct zd_config *c, struct json_object *ns, struct host_ns *out,
		       char **why)
{
	uint64_t want;
	json_object *v;

	out->mode = xstrdup(jstr(ns, "mode") ? jstr(ns, "mode") : "unknown");
	if (json_object_object_get_ex(ns, "size", &v) && json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > 0)
		out->size = (uint64_t)json_object_get_int64(v);
	/* no size, or 0: nothing to run on, and nothing "size = 0" could confirm */
	if (!out->size)
		return refuse(why, "namespace %s reports no size (0 bytes): refused", out->name);
	if (system_ram_dev(ns))
		return refuse(why,
			      "namespace %s: its dax device %s is in system-ram mode (the kernel's own memory now): refused",
			      out->name, system_ram_dev(ns));
	if (jstr(ns, "blockdev"))
		out->blockdev = xstrdup(jstr(ns, "blockdev"));
	if (ndctl_chardev(ns))
		out->chardev = xstrdup(ndctl_chardev(ns));
	if (strcmp(out->mode, c->dax_mode))
		return refuse(why,
			      "namespace %s is in mode %s, the config says %s ([run] dax_mode); zdbench does not reconfigure it",
			      out->name, out->mode, c->dax_mode);
	if (!c->host_size || !*c->host_size)
		return refuse(why,
			      "namespace %s: [host] size is not set; set it to %llu (its size as ndctl reports it) to confirm it is the right one",
			      out->name, (unsigned long long)out->size);
	if (parse_size(c->host_size, &want) || !want)
		return refuse(why, "[host] size = %s: not a size (bytes above 0, or with K/M/G/T)",
			      c->host_size);
	if (want != out->size)
		return refuse(why, "namespace %s has %llu bytes, the config says %s (%llu bytes)",
			      out->name, (unsigned long long)out->size, c->host_size,
			      (unsigned long long)want);
	if (!strcmp(out->mode, "devdax") ? !out->chardev : !out->blockdev)
		return refuse(why, "namespace %s (%s) has no %s device", out->name, out->mode,
			      !strcmp(out->mode, "devdax") ? "dax character" : "block");
	return 0;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

/*
 * Each workload runs on the namespace's mode (a real machine's namespace is
 * never reconfigured), and for each fs the fsdax workloads use, the running
 * kernel has it and the host has its mkfs.
 */
static int check_media(const struct zd_config *c, const struct host_facts *f,
		       const struct host_ns *ns, char **why)
{
	for (size_t i = 0; i < c->run_workloads.n; i++) {
		const struct zd_workload *w = config_workload(c, c->run_workloads.v[i]);

		if (w && strcmp(wl_dax_mode(c, w), ns->mode))
			return refuse(why,
				      "namespace %s is in mode %s, [workload %s] runs on %s; zdbench does not reconfigure it",
				      ns->name, ns->mode, w->name, wl_dax_mode(c, w));
	}
	for (const struct media_fs *fs = media_fss; fs->name; fs++) {
		if (!run_uses_fs(c, fs->name))
			continue;
		if (f->filesystems && !media_fs_listed(f->filesystems, fs->name))
			return refuse(why,
				      "namespace %s: workloads run on fs = %s, but the running kernel has no %s (not in /proc/filesystems)%s",
				      ns->name, fs->name, fs->name,
				      !strcmp(fs->name, "xfs") ? "; boot one built with CONFIG_XFS_FS" : "");
		if (!word_in(f->mkfs, fs->mkfs))
			return refuse(why, "namespace %s: workloads run on fs = %s, but %s is not installed (%s)",
				      ns->name, fs->name, fs->mkfs, fs->package);
	}
	return 0;
}

int host_ns_check(const struct zd_config *c, const struct host_facts *f, struct host_ns *out,
		  char **why)
{
	const char *name = c->host_ns;
	struct json_object *ns;
	char *where = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (f->euid != 0)
		return refuse(why,
			      "the host backend needs root: it formats and re-enables pmem namespace %s (QEMU mode needs no root)",
			      name && *name ? name : "([host] namespace)");
	if (!name || !*name)
		return refuse(why,
			      "no namespace named in [host] namespace: the host backend touches only a namespace the config names");
	if (check_found(f, name, &ns, why))
		return -1;
	out->name = xstrdup(name);
	if (check_shape(c, ns, out, why))
		return -1;
	if (out->blockdev && mountinfo_has(f->mountinfo, out->blockdev, f->majmin, &where)) {
		ret = refuse(why, "namespace %s (/dev/%s) is mounted on %s: unmount it first", name,
			     out->blockdev, where);
		free(where);
		return ret;
	}
	if (f->busy)
		return refuse(why, "namespace %s (%s) is in use: %s", name, f->busy_dev, f->busy);
	if (check_media(c, f, out, why))
		return -1;
	if (!c->host_destructive)
		return refuse(why,
			      "namespace %s: [host] destructive is not set; zdbench would %s%s and destroy its data (set destructive = yes if it holds nothing you need)",
			      name, !strcmp(out->mode, "devdax") ? "write over its dax device" : "mkfs",
			      !strcmp(out->mode, "devdax") ? "" : " its block device");
	return 0;
}

/* Who holds the device open: a process with it among its fds or maps. */
static char *holder_of(const char *devpath)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char *who = NULL;

	while (d && !who && (e = readdir(d))) {
		char fddir[300], link[600], tgt[512];
		DIR *fds;
		struct dirent *fe;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%s/fd", e->d_name);
		fds = opendir(fddir);
		while (fds && !who && (fe = readdir(fds))) {
			ssize_t n;

			snprintf(link, sizeof(link), "%s/%s", fddir, fe->d_name);
			n = readlink(link, tgt, sizeof(tgt) - 1);
			if (n > 0 && (tgt[n] = '\0', !strcmp(tgt, devpath)))
				who = xasprintf("open by pid %s", e->d_name);
		}
		if (fds)
			closedir(fds);
	}
	if (d)
		closedir(d);
	return who;
}

/* Busy: a block device that O_EXCL cannot open, or any device with a holder. */
static void probe_busy(const char *dev, struct host_facts *f)
{
	char *path = xasprintf("/dev/%s", dev);
	struct stat st;
	int fd;

	f->busy_dev = path;
	if (!stat(path, &st) && S_ISBLK(st.st_mode)) {
		char *sys = xasprintf("/sys/class/block/%s/dev", dev);
		char *mm = read_file(sys, NULL);

		free(sys);
		if (mm)
			f->majmin = xstrdup(trim(mm));
		free(mm);
		fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);
		if (fd < 0 && errno == EBUSY)
			f->busy = xstrdup("held exclusively (mounted, or claimed by a filesystem, md or dm)");
		if (fd >= 0)
			close(fd);
	}
	if (!f->busy)
		f->busy = holder_of(path);
}

static struct json_object *ndctl_namespaces(void)
{
	char *argv[] = { "ndctl", "list", "-N", NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .quiet_stderr = true, .timeout = 60 };
	struct proc_result r;
	struct json_object *j = NULL;

	if (proc_run(argv, &o, &r) || r.exec_failed)
		zd_err("ndctl not found: install Debian package ndctl");
	else
		j = json_tokener_parse(out.len ? out.buf : "[]");
	sbuf_free(&out);
	return j ? j : json_object_new_array();
}

void host_facts_free(struct host_facts *f)
{
	json_object_put(f->ndctl);
	free(f->mountinfo);
	free(f->majmin);
	free(f->busy);
	free(f->busy_dev);
	free(f->filesystems);
	free(f->mkfs);
	memset(f, 0, sizeof(*f));
}

/* The mkfs programs on PATH, space-separated ("mkfs.ext4 mkfs.xfs"). */
static char *mkfs_found(void)
{
	struct sbuf sb = { 0 };

	for (const struct media_fs *fs = media_fss; fs->name; fs++) {
		char *p = which(fs->mkfs);

		if (p)
			sbuf_addf(&sb, "%s%s", sb.len ? " " : "", fs->mkfs);
		free(p);
	}
	return sbuf_detach(&sb, NULL);
}

int host_preflight(const struct zd_config *c, struct host_ns *out, char **why)
{
	struct host_facts f = { .euid = geteuid() };
	struct host_ns tmp;
	int ret;

	/* Look only once root and a name are there: the pure check says why not. */
	if (f.euid == 0 && c->host_ns && *c->host_ns) {
		f.ndctl = ndctl_namespaces();
		f.mountinfo = read_file("/proc/self/mountinfo", NULL);
		f.filesystems = read_file("/proc/filesystems", NULL);
		f.mkfs = mkfs_found();
		if (!host_ns_check(c, &f, &tmp, why) || tmp.name) {
			const char *dev = tmp.blockdev ? tmp.blockdev : tmp.chardev;

			if (dev)
				probe_busy(dev, &f);
		}
		host_ns_free(&tmp);
		free(*why);
	}
	ret = host_ns_check(c, &f, out, why);
	host_facts_free(&f);
	return ret;
}
