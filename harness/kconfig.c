// SPDX-License-Identifier: GPL-2.0
/*
 * Checks of a .config the user brings: its architecture, and whether a
 * kernel built with it can run the plan (instead of booting one that
 * cannot, and reading its failure as the kernel's).
 */
#define _GNU_SOURCE
#include "kconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git.h"
#include "util.h"

/* The value of CONFIG_sym in .config text: "y", "m", ..., or NULL (unset). */
static const char *kval(const char *text, const char *sym, char *buf, size_t len)
{
	size_t n = strlen(sym);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t k;

		if (strncmp(l, sym, n) || l[n] != '=')
			continue;
		k = strcspn(l + n + 1, "\n");
		if (k >= len)
			k = len - 1;
		memcpy(buf, l + n + 1, k);
		buf[k] = '\0';
		return buf;
	}
	return NULL;
}

static bool is_y(const char *text, const char *sym)
{
	char v[16];
	const char *got = kval(text, sym, v, sizeof(v));

	return got && !strcmp(got, "y");
}

/* The "# Linux/ARCH VERSION Kernel Configuration" line at a line start, or NULL. */
static const char *header_line(const char *text)
{
	const char *h = strstr(text, "# Linux/");

	return h && (h == text || h[-1] == '\n') ? h : NULL;
}

char *kconfig_arch(const char *text)
{
	static const char *const arches[][2] = {
		{ "CONFIG_X86_64", "x86_64" }, { "CONFIG_X86_32", "x86" },
		{ "CONFIG_ARM64", "arm64" }, { "CONFIG_ARM", "arm" },
		{ "CONFIG_RISCV", "riscv" }, { "CONFIG_PPC", "powerpc" },
		{ "CONFIG_S390", "s390" }, { "CONFIG_MIPS", "mips" },
		{ "CONFIG_LOONGARCH", "loongarch" },
	};
	const char *h = header_line(text);

	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (is_y(text, arches[i][0]))
			return xstrdup(arches[i][1]);
	/* the header says x86 for both widths: only the symbols above tell them apart */
	if (h)
		return strndup(h + 8, strcspn(h + 8, " \n"));
	return xstrdup("");
}

char *kconfig_version(const char *text)
{
	const char *h = header_line(text), *v = h ? strchr(h, ' ') : NULL;

	/* after "# Linux/ARCH ": the version, up to the next space */
	if (!v || !(v = strchr(v + 1, ' ')))
		return xstrdup("");
	v++;
	return strndup(v, strcspn(v, " \n"));
}

int kconfig_check_arch(const char *path, bool built)
{
	char *text = read_file(path, NULL), *arch;
	bool ok;

	if (!text)
		return zd_error("%s: %s", path, strerror(errno));
	arch = kconfig_arch(text);
	ok = !strcmp(arch, "x86_64") || (!built && !strcmp(arch, "x86"));
	if (!ok)
		zd_err("%s: a .config for %s, not x86_64 (the guest is x86_64)%s", path,
		       *arch ? arch : "no architecture (no '# Linux/ARCH' header, no CONFIG_X86_64=y)",
		       built ? "" : ": start from an x86 .config");
	free(arch);
	free(text);
	return ok ? 0 : -1;
}

struct need {
	const char *sym;
	const char *why;
};

/*
 * Every plan: the guest boots from an initramfs, the agent reads debugfs
 * and perf. (FTRACE is the debug flavour's, for the mapping proofs: a
 * kernel without it runs, unproven, as base.config kernels do.)
 */
static const struct need all_needs[] = {
	{ "CONFIG_BLK_DEV_INITRD", "the agent's initramfs" },
	{ "CONFIG_DEVTMPFS", "/dev for the agent" },
	{ "CONFIG_DEBUG_FS", "the agent's debugfs counters" },
	{ "CONFIG_PERF_EVENTS", "the agent's tracepoint counts" },
	{ "CONFIG_ZONE_DEVICE", "ZONE_DEVICE pages" },
	{ "CONFIG_LIBNVDIMM", "the pmem namespace" },
	{ "CONFIG_BLK_DEV_PMEM", "the pmem block device" },
	{ "CONFIG_DAX", "DAX" },
	{ "CONFIG_SERIAL_8250_CONSOLE", "the console the harness reads" },
};

static const struct need fsdax_needs[] = {
	{ "CONFIG_FS_DAX", "fsdax" },
};

static const struct need devdax_needs[] = {
	{ "CONFIG_DEV_DAX", "devdax" },
	{ "CONFIG_DEV_DAX_PMEM", "devdax on pmem" },
};

static void check(struct sbuf *out, const char *text, const struct need *n, size_t nr,
		  const char *who)
{
	for (size_t i = 0; i < nr; i++) {
		char line[256];

		if (is_y(text, n[i].sym))
			continue;
		snprintf(line, sizeof(line), "%s (%s: %s)\n", n[i].sym, who, n[i].why);
		if (!strstr(sbuf_str(out), line)) /* one line per option and workload */
			sbuf_addstr(out, line);
	}
}

/* What one workload needs besides its medium: its kind, its job, its target. */
static void workload_needs(struct sbuf *out, const struct zd_config *c, const char *text,
			   const struct zd_workload *w)
{
	char who[128], *medium = wl_medium(c, w);
	const char *fs = wl_fs(c, w), *job = workload_param(w, "job");
	const char *target = workload_param(w, "target"), *mapping = workload_param(w, "mapping");
	const char *kind = w->kind ? w->kind : "";

	snprintf(who, sizeof(who), "workload %s", w->name);
	check(out, text, all_needs, ARRAY_SIZE(all_needs), who);
	if (!strcmp(wl_dax_mode(c, w), "devdax")) {
		check(out, text, devdax_needs, ARRAY_SIZE(devdax_needs), who);
	} else {
		check(out, text, fsdax_needs, ARRAY_SIZE(fsdax_needs), who);
		if (fs && !strcmp(fs, "xfs")) {
			const struct need x = { "CONFIG_XFS_FS", medium };

			check(out, text, &x, 1, who);
		} else if (fs) {
			const struct need e = { "CONFIG_EXT4_FS", medium };

			check(out, text, &e, 1, who);
		}
	}
	if (!strcmp(kind, "gup")) {
		const struct need g = { "CONFIG_GUP_TEST", "the gup_test ioctl (/sys/kernel/debug/gup_test)" };

		check(out, text, &g, 1, who);
	}
	if ((!strcmp(kind, "odirect") || !strcmp(kind, "fio")) &&
	    (!target || str_starts(target, "/dev/nullb"))) {
		const struct need nb = { "CONFIG_BLK_DEV_NULL_BLK", "its target /dev/nullb0" };

		check(out, text, &nb, 1, who);
	}
	if (!strcmp(kind, "truncpin")) {
		const struct need t[] = {
			{ "CONFIG_BLK_DEV_NULL_BLK", "the slow device that holds the pin" },
			{ "CONFIG_CONFIGFS_FS", "null_blk's configfs (/sys/kernel/config/nullb)" },
		};

		check(out, text, t, ARRAY_SIZE(t), who);
	}
	if (!strcmp(kind, "futex")) {
		const struct need f = { "CONFIG_FUTEX", "futex(2)" };

		check(out, text, &f, 1, who);
	}
	if (job && strstr(job, "io_uring")) {
		const struct need u = { "CONFIG_IO_URING", "fio's io_uring engine" };

		check(out, text, &u, 1, who);
	}
	if (job && strstr(job, "libaio")) {
		const struct need a = { "CONFIG_AIO", "fio's libaio engine" };

		check(out, text, &a, 1, who);
	}
	if (mapping && !strcmp(mapping, "pmd")) {
		const struct need t = { "CONFIG_TRANSPARENT_HUGEPAGE", "PMD mappings" };

		check(out, text, &t, 1, who);
	}
	free(medium);
}

char *kconfig_missing(const struct zd_config *c, const char *text)
{
	struct sbuf out = { 0 };

	for (size_t i = 0; i < c->run_workloads.n; i++) {
		const struct zd_workload *w = config_workload(c, c->run_workloads.v[i]);

		if (w)
			workload_needs(&out, c, text, w);
	}
	/* the pmem the qemu backend gives the guest */
	if (c->pmem && !strcmp(c->pmem, "memmap")) {
		const struct need m = { "CONFIG_X86_PMEM_LEGACY", "memmap=SIZE!START pmem" };

		check(&out, text, &m, 1, "[qemu] pmem = memmap");
	} else if (c->pmem) {
		const struct need n = { "CONFIG_ACPI_NFIT", "QEMU's NVDIMM (ACPI NFIT)" };

		check(&out, text, &n, 1, "[qemu] pmem = nvdimm/file");
	}
	return out.len ? sbuf_detach(&out, NULL) : NULL;
}

int kconfig_declares(const char *src, const char *sym)
{
	char *re = xasprintf("^[[:space:]]*(menu)?config[[:space:]]+%s[[:space:]]*$", sym);
	char *args[] = { "grep", "-q", "-E", re, "--", "*Kconfig*", NULL };
	char *top = NULL;
	char *targs[] = { "rev-parse", "--show-toplevel", NULL };
	int ret;

	/* git grep exits 1 both for "no match" and "not a repository": ask first */
	if (git_run(src, targs, &top, 60)) {
		free(re);
		return -1;
	}
	free(top);
	ret = git_run(src, args, NULL, 120) ? 0 : 1;
	free(re);
	return ret;
}
