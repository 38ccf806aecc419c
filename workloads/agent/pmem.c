// SPDX-License-Identifier: GPL-2.0
/*
 * pmem: find (or create) the fsdax or devdax namespace, mkfs (ext4 or
 * xfs) and mount -o dax (fsdax), check that DAX is really in effect, and tear it
 * down again. On a real machine (plan pmem_mode "host") only the named
 * namespace is touched, never reconfigured: the harness checked it and
 * the owner's opt-in before this runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "agent.h"
#include "media.h"
#include "ndctl.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif


/* `ndctl list <what> [extra...]` as a json array (ndctl unwraps one item). */
static struct json_object *ndctl_list(const struct plan *p, const char *what, const char *x1,
				      const char *x2)
{
	char *argv[] = {"ndctl", "list", (char *)what, (char *)x1, (char *)x2, NULL};
	struct json_object *o, *arr;
	struct cmd_result r;

	if (run_cmd(argv, p->step_timeout, true, &r)) {
		emit_error("ndctl list %s: %s", what, r.msg);
		cmd_result_free(&r);
		return NULL;
	}
	o = r.out ? json_tokener_parse(r.out) : NULL;
	cmd_result_free(&r);
	if (o && json_object_is_type(o, json_type_array))
		return o;
	arr = json_object_new_array();
	if (o && json_object_is_type(o, json_type_object))
		json_object_array_add(arr, o);
	else if (o)
		json_object_put(o);
	return arr;
}

/* One ndctl command under the step timeout; soft failures only warn. */
static int ndctl_run(const struct plan *p, char *const argv[], bool soft)
{
	struct cmd_result r;
	char cmd[256];
	size_t i, n = 0;
	int ret;

	for (i = 0; argv[i] && n < sizeof(cmd); i++)
		n += snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i ? " " : "", argv[i]);
	logmsg("%s", cmd);
	ret = run_cmd(argv, p->step_timeout, false, &r);
	if (ret && soft)
		emit_warning("%s: %s", cmd, r.msg);
	else if (ret)
		emit_error("%s: %s", cmd, r.msg);
	return ret;
}

static int ndctl(const struct plan *p, char *const argv[])
{
	return ndctl_run(p, argv, false);
}

static bool devdax(const struct plan *p)
{
	return !strcmp(p->dax_mode, "devdax");
}


/* The plan's namespace, else the first one (with its device if asked). */
static struct json_object *pick_ns(const struct plan *p, struct json_object *arr, bool need_dev)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		struct json_object *ns = json_object_array_get_idx(arr, i);
		const char *dev = ndctl_str(ns, "dev");

		if (!dev)
			continue;
		if (p->namespace && strcmp(dev, p->namespace))
			continue;
		if (need_dev && !(devdax(p) ? ndctl_chardev(ns) : ndctl_str(ns, "blockdev")))
			continue;
		return ns;
	}
	return NULL;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void pmem_fill(const struct plan *p, struct pmem *pm, struct json_object *ns)
{
	struct json_object *o = msg_new("pmem");
	struct json_object *v;

	copy_str(pm->ns, sizeof(pm->ns), ndctl_str(ns, "dev"));
	copy_str(pm->blockdev, sizeof(pm->blockdev), ndctl_str(ns, "blockdev"));
	copy_str(pm->mode, sizeof(pm->mode), ndctl_str(ns, "mode"));
	copy_str(pm->map, sizeof(pm->map), ndctl_str(ns, "map"));
	copy_str(pm->chardev, sizeof(pm->chardev), ndctl_chardev(ns));
	pm->devdax = !strcmp(pm->mode, "devdax");
	snprintf(pm->devpath, sizeof(pm->devpath), "/dev/%s",
		 pm->devdax ? pm->chardev : pm->blockdev);
	if (json_object_object_get_ex(ns, "size", &v))
		pm->size = (uint64_t)json_object_get_int64(v);
	pm->found = true;

	jadd_str(o, "namespace", pm->ns);
	jadd_str(o, "blockdev", pm->blockdev[0] ? pm->blockdev : NULL);
	jadd_str(o, "chardev", pm->chardev[0] ? pm->chardev : NULL);
	jadd_str(o, "mode", pm->mode);
	jadd_int(o, "size", (int64_t)pm->size);
	jadd_str(o, "map", pm->map[0] ? pm->map : NULL);
	jadd_str(o, "fs", pm->devdax ? NULL : p->fs);
	json_object_object_add(o, "ndctl", json_object_get(ns));
	emit(o);
	logmsg("pmem: %s (%s) mode %s map %s size %llu", pm->ns, pm->devpath, pm->mode, pm->map,
	       (unsigned long long)pm->size);
}

/* The first region, or the region of namespaceX.Y (regionX). */
static int region_of(const struct plan *p, const char *ns, char *region, size_t len)
{
	struct json_object *arr;
	const char *dev;

	if (ns && !strncmp(ns, "namespace", 9)) {
		snprintf(region, len, "region%.*s", (int)strcspn(ns + 9, "."), ns + 9);
		return 0;
	}
	arr = ndctl_list(p, "-R", NULL, NULL);
	if (!arr)
		return -1;
	dev = json_object_array_length(arr) ? ndctl_str(json_object_array_get_idx(arr, 0), "dev")
					    : NULL;
	copy_str(region, len, dev);
	json_object_put(arr);
	if (!region[0]) {
		emit_error("no nvdimm region (ndctl list -R is empty)");
		return -1;
	}
	return 0;
}

/* init-labels on every DIMM of the region (it must be disabled). */
static int init_labels(const struct plan *p, const char *region)
{
	char *argv[12] = {"ndctl", "init-labels", "-f"};
	struct json_object *arr;
	size_t i, n;
	int argc = 3, ret = -1;

	arr = ndctl_list(p, "-D", "-r", region);
	if (!arr)
		return -1;
	n = json_object_array_length(arr);
	for (i = 0; i < n && argc < (int)ARRAY_SIZE(argv) - 1; i++) {
		const char *dev = ndctl_str(json_object_array_get_idx(arr, i), "dev");

		if (dev)
			argv[argc++] = (char *)dev;
	}
	argv[argc] = NULL;
	if (argc == 3)
		emit_error("%s has no DIMMs to label", region);
	else
		ret = ndctl(p, argv);
	json_object_put(arr);
	return ret;
}

/*
 * A label-less NFIT region holds one namespace of the whole region, and
 * a region size that is not a multiple of its alignment (QEMU: 512M
 * minus the label area) cannot become fsdax. With labels, ndctl sizes
 * the namespace to fit. The emulated DIMM's labels are ours to rewrite.
 */
static int nvdimm_label_and_create(const struct plan *p, const char *ns)
{
	char *create[] = {"ndctl", "create-namespace", "-r", NULL, "-m", (char *)p->dax_mode, "-M",
			  "mem", devdax(p) ? "-a" : NULL, "4K", NULL};
	char *disable[] = {"ndctl", "disable-region", NULL, NULL};
	char *enable[] = {"ndctl", "enable-region", NULL, NULL};
	char region[32];

	if (!p->nvdimm_init_labels) {
		emit_error("not initialising labels (plan: nvdimm_init_labels "
			   "is false)");
		return -1;
	}
	if (region_of(p, ns, region, sizeof(region)))
		return -1;
	emit_warning("initialising namespace labels on %s", region);
	disable[2] = enable[2] = create[3] = region;
	if (ndctl(p, disable) || init_labels(p, region) || ndctl(p, enable))
		return -1;
	return ndctl(p, create);
}

/*
 * NFIT namespaces have no struct pages until they are (re)made fsdax or
 * devdax (devdax with 4K alignment, so PTE mappings are possible too).
 * Reconfigure the existing namespace; if there is none or that fails,
 * initialise labels and create one (NVDIMM only: a legacy memmap region
 * has no labels).
 */
static int make_mode(const struct plan *p, bool labels)
{
	char *argv[] = {"ndctl", "create-namespace", "-f", "-e", NULL, "-m", (char *)p->dax_mode,
			"-M", "mem", devdax(p) ? "-a" : NULL, "4K", NULL};
	struct json_object *arr, *ns;
	char name[64] = "";

	arr = ndctl_list(p, "-N", "-i", NULL);
	if (!arr)
		return -1;
	ns = pick_ns(p, arr, false);
	if (ns)
		copy_str(name, sizeof(name), ndctl_str(ns, "dev"));
	if (ns && json_object_get_int64(json_object_object_get(ns, "size"))) {
		argv[4] = name;
		if (!ndctl_run(p, argv, true)) {
			json_object_put(arr);
			return 0;
		}
	}
	json_object_put(arr);
	if (!labels) {
		emit_error("cannot make %s %s", name[0] ? name : "a namespace", p->dax_mode);
		return -1;
	}
	return nvdimm_label_and_create(p, name[0] ? name : NULL);
}

/* Is fs in /proc/filesystems? A missing one would only say ENODEV later. */
static bool kernel_has_fs(const char *fs)
{
	static char buf[4096];

	if (read_file("/proc/filesystems", buf, sizeof(buf)) < 0)
		return true; /* cannot tell: let mount(2) answer */
	return media_fs_listed(buf, fs);
}

/*
 * xfs: a 2 MiB stripe unit makes the allocator align large files' extents
 * to 2 MiB, without which no PMD fault can map them (ext4's allocator
 * aligns a fresh filesystem's large fallocations by itself). Below 1 GiB
 * (QEMU's 512 MiB) mkfs.xfs would cut 4 AGs too small for its 64 MiB
 * log once aligned, and refuse: 2 AGs hold it.
 */
static int mkfs(const struct plan *p, const struct pmem *pm)
{
	char *ext4[] = {"mkfs.ext4", "-q", "-F", "-b", "4096", (char *)pm->devpath, NULL};
	char *xfs[] = {"mkfs.xfs", "-q", "-f", "-b", "size=4096", "-d",
		       pm->size < (1ULL << 30) ? "su=2m,sw=1,agcount=2" : "su=2m,sw=1",
		       (char *)pm->devpath, NULL};
	bool is_xfs = !strcmp(p->fs, "xfs");
	char **argv = is_xfs ? xfs : ext4;
	struct cmd_result r;

	if (!kernel_has_fs(p->fs)) {
		emit_error("the kernel has no %s (not in /proc/filesystems)%s", p->fs,
			   is_xfs ? ": build it with CONFIG_XFS_FS (kernels/fragments/xfs.config)"
				  : "");
		return -1;
	}
	logmsg("%s %s", argv[0], pm->devpath);
	if (run_cmd(argv, p->step_timeout, false, &r)) {
		emit_error("%s %s: %s", argv[0], pm->devpath, r.msg);
		return -1;
	}
	return 0;
}

struct mount_arg {
	const char *src;
	const char *dst;
	const char *fs;
};

static int do_mount(void *arg)
{
	struct mount_arg *ma = arg;

	if (mount(ma->src, ma->dst, ma->fs, 0, "dax") < 0)
		return errno;
	return 0;
}

static int do_umount(void *arg)
{
	struct mount_arg *ma = arg;

	if (umount(ma->dst) < 0)
		return errno;
	return 0;
}

/* mount(2) in a child: a broken kernel must not wedge PID 1. */
static int mount_dax(const struct plan *p, struct pmem *pm)
{
	struct mount_arg ma = {pm->devpath, p->mountpoint, p->fs};
	struct cmd_result r;
	int ret;

	ret = mkdir_p(p->mountpoint, 0755);
	if (ret) {
		emit_error("mkdir %s: %s", p->mountpoint, strerror(-ret));
		return -1;
	}
	if (run_fn(do_mount, &ma, p->step_timeout, &r)) {
		if (!r.timed_out && WIFEXITED(r.status))
			snprintf(r.msg, sizeof(r.msg), "%s", strerror(WEXITSTATUS(r.status)));
		emit_error("mount -t %s -o dax %s %s: %s", p->fs, pm->devpath, p->mountpoint,
			   r.msg);
		return -1;
	}
	pm->mounted = true;
	return 0;
}

/* The namespace's mode now ("" if there is none). */
static void current_mode(const struct plan *p, char *mode, size_t len)
{
	struct json_object *arr = ndctl_list(p, "-N", NULL, NULL);
	struct json_object *ns = arr ? pick_ns(p, arr, false) : NULL;

	copy_str(mode, len, ns ? ndctl_str(ns, "mode") : NULL);
	json_object_put(arr);
}

/* What the emulated media needs before it can be used in dax_mode. */
static int prepare_emulated(const struct plan *p)
{
	char mode[16];

	if (!strcmp(p->pmem_mode, "nvdimm") || !strcmp(p->pmem_mode, "file"))
		return make_mode(p, true);
	if (strcmp(p->pmem_mode, "memmap"))
		return 0;
	/* legacy memmap pmem comes up usable as fsdax (map mem); an earlier
	 * medium of the plan may have made it devdax, or the other way round */
	current_mode(p, mode, sizeof(mode));
	return strcmp(mode, p->dax_mode) ? make_mode(p, false) : 0;
}

int pmem_setup(const struct plan *p, struct pmem *pm)
{
	struct json_object *arr, *ns;

	memset(pm, 0, sizeof(*pm));
	if (prepare_emulated(p))
		return -1;
	arr = ndctl_list(p, "-N", NULL, NULL);
	if (!arr)
		return -1;
	ns = pick_ns(p, arr, true);
	if (!ns) {
		emit_error("no pmem namespace%s%s with a %s "
			   "(ndctl list -N found %zu)",
			   p->namespace ? " " : "", p->namespace ? p->namespace : "",
			   devdax(p) ? "devdax character device" : "block device",
			   json_object_array_length(arr));
		json_object_put(arr);
		return -1;
	}
	pmem_fill(p, pm, ns);
	json_object_put(arr);
	if (pm->devdax)
		return 0;
	if (mkfs(p, pm))
		return -1;
	return mount_dax(p, pm);
}

static bool check_mode(const struct plan *p, const struct pmem *pm)
{
	bool ok = !strcmp(pm->mode, p->dax_mode);

	emit_check("namespace_mode", ok, json_object_new_string(pm->mode));
	return ok;
}

static bool check_queue_dax(const struct pmem *pm)
{
	char path[128], val[16];
	ssize_t n;
	bool ok;

	snprintf(path, sizeof(path), "/sys/block/%s/queue/dax", pm->blockdev);
	n = read_file(path, val, sizeof(val));
	ok = n > 0 && !strcmp(val, "1");
	emit_check("queue_dax", ok,
		   n >= 0 ? json_object_new_string(val)
			  : json_object_new_string(strerror((int)-n)));
	return ok;
}

/* The inode flag is what decides: mount options can silently fall back. */
static bool check_statx_dax(const struct plan *p)
{
	struct statx stx;
	char path[256];
	bool ok = false;
	int fd;

	snprintf(path, sizeof(path), "%s/.zdbench-daxcheck", p->mountpoint);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		emit_check("statx_dax", false, json_object_new_string(strerror(errno)));
		return false;
	}
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0) {
		ok = stx.stx_attributes & STATX_ATTR_DAX;
		emit_check("statx_dax", ok, json_object_new_boolean(ok));
	} else {
		emit_check("statx_dax", false, json_object_new_string(strerror(errno)));
	}
	close(fd);
	unlink(path);
	return ok;
}

/* Spanned pages of the Device zone; 0 if there is none. */
static uint64_t device_zone_spanned(void)
{
	static char buf[1 << 16];
	uint64_t total = 0;
	bool in_dev = false;
	char *line, *save;

	if (read_file("/proc/zoneinfo", buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v;

		if (!strncmp(line, "Node ", 5)) {
			in_dev = strstr(line, "zone   Device") != NULL;
			continue;
		}
		if (in_dev && sscanf(line, " spanned %llu", &v) == 1)
			total += v;
	}
	return total;
}

static bool check_struct_pages(void)
{
	uint64_t spanned = device_zone_spanned();
	bool ok = spanned > 0;

	emit_check("struct_pages", ok, json_object_new_int64((int64_t)spanned));
	return ok;
}

static bool check_chardev(const struct pmem *pm)
{
	struct stat st;
	bool ok = !stat(pm->devpath, &st) && S_ISCHR(st.st_mode);

	emit_check("devdax_chardev", ok,
		   json_object_new_string(ok ? pm->devpath : strerror(errno)));
	return ok;
}

/* Run every check (all are reported), then say whether all passed. */
bool pmem_checks(const struct plan *p, const struct pmem *pm)
{
	bool ok = true;

	ok &= check_mode(p, pm);
	if (pm->devdax) {
		ok &= check_chardev(pm);
	} else {
		ok &= check_queue_dax(pm);
		ok &= check_statx_dax(p);
	}
	ok &= check_struct_pages();
	return ok;
}

static bool teardown_umount(const struct plan *p, struct pmem *pm)
{
	struct mount_arg ma = {.src = pm->devpath, .dst = p->mountpoint};
	struct cmd_result r;

	if (run_fn(do_umount, &ma, p->teardown_timeout, &r)) {
		if (!r.timed_out && WIFEXITED(r.status))
			snprintf(r.msg, sizeof(r.msg), "%s", strerror(WEXITSTATUS(r.status)));
		emit_error("umount %s: %s", p->mountpoint, r.msg);
		return false;
	}
	pm->mounted = false;
	return true;
}

/*
 * Disabling the namespace tears down the pgmap: it waits for every page
 * reference to drop. A refcount bug shows up here as a hang, so it runs
 * under the teardown timeout and a stuck child is reported, not waited on.
 */
static bool teardown_disable(const struct plan *p, struct pmem *pm)
{
	char *argv[] = {"ndctl", "disable-namespace", pm->ns, NULL};
	struct cmd_result r;
	uint64_t t0 = now_ns();
	int ret;

	ret = run_cmd(argv, p->teardown_timeout, false, &r);
	if (ret) {
		emit_error("ndctl disable-namespace %s: %s%s", pm->ns, r.msg,
			   r.timed_out ? " (teardown timeout)" : "");
		return false;
	}
	logmsg("namespace %s disabled in %llu ms", pm->ns,
	       (unsigned long long)((now_ns() - t0) / 1000000));
	return true;
}

/* Enable the torn-down namespace again (for the next medium, or the owner). */
bool pmem_reenable(const struct plan *p, const struct pmem *pm)
{
	char *enable[] = {"ndctl", "enable-namespace", (char *)pm->ns, NULL};

	return !pm->found || !ndctl(p, enable);
}

bool pmem_teardown(const struct plan *p, struct pmem *pm)
{
	bool ok = true;

	if (pm->mounted) {
		ok &= teardown_umount(p, pm);
		/*
		 * Between umount and disable: every inode is evicted, so what
		 * the pgmap still counts is held outside any file (pipes, DMA)
		 * or, in designs with static per-page refs, the pages.
		 */
		pgmap_refs_emit("after umount");
	}
	if (pm->found)
		ok &= teardown_disable(p, pm);
	/* A real machine is left as found: the namespace enabled again. */
	if (ok && p->host)
		ok &= pmem_reenable(p, pm);
	return ok;
}
