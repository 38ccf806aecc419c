// SPDX-License-Identifier: GPL-2.0
/*
 * The QEMU boot backend: TCG by default, KVM only when a probe guest really
 * runs in it, an optional icount clock, pmem from memmap= or an emulated
 * NVDIMM. Console and results go to separate serial ports (files); every wait
 * has a deadline that kills QEMU and records which one fired.
 */
#define _GNU_SOURCE
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostsafe.h"
#include "kbuild.h"
#include "proc.h"
#include "watch.h"

static const char *const accel_choices[] = { "auto", "tcg", "kvm", NULL };
static const char *const clock_choices[] = { "wall", "icount", NULL };
static const char *const pmem_choices[] = { "memmap", "nvdimm", "file", NULL };

#define C(f) offsetof(struct zd_config, f)

/*
 * [qemu]. The timeouts are read by every backend (the host's agent has
 * the same deadlines); they kept the section they were born in.
 */
static const struct config_key qemu_keys[] = {
	{ "qemu", "binary", K_STR, C(qemu) },
	{ "qemu", "accel", K_ENUM, C(accel), accel_choices },
	{ "qemu", "clock", K_ENUM, C(clock), clock_choices },
	{ "qemu", "pmem", K_ENUM, C(pmem), pmem_choices },
	{ "qemu", "pmem_path", K_STR, C(pmem_path) },
	{ "qemu", "pmem_on", K_BOOL, C(pmem_on) },
	{ "qemu", "memory_mib", K_UINT, C(mem_mib), NULL, 512, 1 << 20 },
	{ "qemu", "cpus", K_UINT, C(cpus), NULL, 1, 64 },
	{ "qemu", "pmem_start_mib", K_UINT, C(pmem_start_mib), NULL, 128, 1 << 20 },
	{ "qemu", "pmem_size_mib", K_UINT, C(pmem_size_mib), NULL, 128, 1 << 20 },
	{ "qemu", "boot_timeout", K_UINT, C(boot_timeout), NULL, 1, 86400 },
	{ "qemu", "step_timeout", K_UINT, C(step_timeout), NULL, 1, 86400 },
	{ "qemu", "teardown_timeout", K_UINT, C(teardown_timeout), NULL, 1, 86400 },
	{ "qemu", "kvm_probe_timeout", K_UINT, C(kvm_probe_timeout), NULL, 1, 3600 },
	{ "qemu", "hung_task_timeout", K_UINT, C(hung_task_timeout), NULL, 1, 3600 },
	{ "qemu", "extra_cmdline", K_STR, C(extra_cmdline) },
	{ NULL },
};

static int qemu_validate(struct zd_config *c)
{
	unsigned int end = c->pmem_start_mib + c->pmem_size_mib;
	int ret = 0; /* every error is collected, not only the first */

	/* memremap_pages() works in 128 MiB memory sections on x86_64. */
	if (c->pmem_start_mib % 128 || c->pmem_size_mib % 128)
		ret = config_fail(c, "[qemu] pmem_start_mib and pmem_size_mib must be multiples of 128 (the x86_64 memory section)");
	if (!strcmp(c->pmem, "memmap")) {
		/* q35 keeps RAM contiguous below 2 GiB only up to ~2.75 GiB. */
		unsigned int low = c->mem_mib > 2816 ? 2048 : c->mem_mib;

		if (end > low || c->pmem_start_mib < 256)
			ret = config_fail(c, "[qemu] memmap pmem [%u, %u) MiB must lie inside guest RAM below %u MiB (memory_mib = %u) and above 256 MiB",
					c->pmem_start_mib, end, low, c->mem_mib);
		if (c->mem_mib - c->pmem_size_mib < 384)
			ret = config_fail(c, "[qemu] memory_mib = %u leaves under 384 MiB of RAM beside %u MiB of pmem",
					c->mem_mib, c->pmem_size_mib);
	}
	if (!strcmp(c->pmem, "file") && (!c->pmem_path || !*c->pmem_path))
		ret = config_fail(c, "[qemu] pmem = file needs pmem_path (a file on a DAX filesystem or a /dev/daxX.Y)");
	if (!strcmp(c->pmem, "file") && c->pmem_path && *c->pmem_path) {
		/* on the file it resolves to: //dev/dax0.0 or a symlink are /dev/dax0.0 */
		char *res = NULL;
		enum pmem_target t = pmem_target(c->pmem_path, "/sys", &res);

		if (pmem_target_is_device(t) && !c->host_destructive)
			ret = config_fail(c, "[qemu] pmem_path = %s: the guest destroys its data (%s%s%s); set [host] destructive = yes if that is intended",
					  c->pmem_path, pmem_target_name(t),
					  strcmp(res, c->pmem_path) ? ", resolved: " : "",
					  strcmp(res, c->pmem_path) ? res : "");
		free(res);
	}
	return ret;
}

/* Before minutes of kernel builds: is there a QEMU to boot them in? */
static int qemu_preflight(const struct zd_config *c)
{
	char *qemu = which(c->qemu);

	if (!qemu) {
		zd_err("%s not found: install qemu-system-x86 (scripts/install-deps.sh) or set [qemu] binary",
		       c->qemu);
		return ZD_EXIT_INFRA; /* an install step, not the config */
	}
	free(qemu);
	return 0;
}


char *qemu_opt_value(const char *s)
{
	struct sbuf sb = { 0 };

	for (; s && *s; s++)
		sbuf_addstr(&sb, *s == ',' ? ",," : (char[]){ *s, 0 });
	return sbuf_detach(&sb, NULL);
}

char *kernel_cmdline(const struct zd_config *c)
{
	struct sbuf sb = { 0 };

	/* Keep running after a WARN so a following hang is observed too. */
	sbuf_addstr(&sb, "console=ttyS0,115200 ignore_loglevel nokaslr panic_on_warn=0 panic=-1 rdinit=/init");
	if (!strcmp(c->pmem, "memmap"))
		sbuf_addf(&sb, " memmap=%uM!%uM", c->pmem_size_mib, c->pmem_start_mib);
	if (c->extra_cmdline && *c->extra_cmdline)
		sbuf_addf(&sb, " %s", c->extra_cmdline);
	return sbuf_detach(&sb, NULL);
}

int qemu_build_args(const struct boot_req *req, struct strv *av, char **cmdline)
{
	const struct zd_config *c = req->cfg;
	/* file: an NVDIMM too, on the user's real media instead of scratch */
	bool file = !strcmp(c->pmem, "file");
	bool nvdimm = file || !strcmp(c->pmem, "nvdimm");
	bool icount = !strcmp(c->clock, "icount");

	if (icount && !strcmp(req->accel, "kvm")) {
		zd_err("clock = icount needs TCG; KVM cannot count instructions");
		return -1;
	}
	strv_push(av, c->qemu);
	strv_pushf(av, "-name");
	{
		char *v = qemu_opt_value(req->variant ? req->variant : "probe");

		strv_pushf(av, "zdbench-%s", v);
		free(v);
	}
	strv_push(av, "-M");
	strv_push(av, nvdimm ? "q35,nvdimm=on" : "q35");
	strv_push(av, "-accel");
	/* icount needs one TCG thread; multi-threaded TCG otherwise. */
	strv_push(av, !strcmp(req->accel, "kvm") ? "kvm" :
		      icount ? "tcg,thread=single" : "tcg");
	strv_push(av, "-cpu");
	strv_push(av, !strcmp(req->accel, "kvm") ? "host" : "max");
	strv_push(av, "-m");
	if (nvdimm)
		strv_pushf(av, "%u,slots=2,maxmem=%uM", c->mem_mib,
			   c->mem_mib + c->pmem_size_mib + 1024);
	else
		strv_pushf(av, "%u", c->mem_mib);
	strv_push(av, "-smp");
	strv_pushf(av, "%u", c->cpus);
	if (icount) {
		strv_push(av, "-icount");
		strv_push(av, "shift=0,sleep=off");
	}
	strv_push(av, "-nodefaults");
	strv_push(av, "-no-user-config");
	strv_push(av, "-display");
	strv_push(av, "none");
	strv_push(av, "-no-reboot");
	strv_push(av, "-serial");
	strv_pushf(av, "file:%s", req->console_log);
	strv_push(av, "-serial");
	strv_pushf(av, "file:%s", req->results_log);
	strv_push(av, "-kernel");
	strv_push(av, req->bzimage);
	strv_push(av, "-initrd");
	strv_push(av, req->initrd);
	if (nvdimm) {
		/*
		 * QEMU splits -object at commas and takes the last mem-path:
		 * a comma in a path is doubled, so it stays part of the path.
		 */
		char *mp = qemu_opt_value(file ? c->pmem_path : req->scratch_dir);

		strv_push(av, "-object");
		if (file)
			strv_pushf(av, "memory-backend-file,id=nv0,share=on,mem-path=%s,size=%uM,align=2M%s",
				   mp, c->pmem_size_mib, c->pmem_on ? ",pmem=on" : "");
		else
			strv_pushf(av, "memory-backend-file,id=nv0,share=on,mem-path=%s/nvdimm0.img,size=%uM,align=2M",
				   mp, c->pmem_size_mib);
		free(mp);
		strv_push(av, "-device");
		strv_push(av, "nvdimm,id=nvdimm0,memdev=nv0,label-size=128K");
	}
	*cmdline = kernel_cmdline(c);
	strv_push(av, "-append");
	strv_push(av, *cmdline);
	return 0;
}

static int qemu_boot(const struct boot_req *req, struct boot_out *out)
{
	char *qemu = which(req->cfg->qemu);
	int ret;

	memset(out, 0, sizeof(*out));
	if (!qemu) {
		out->start_failed = true;
		zd_err("%s not found: install qemu-system-x86 (scripts/install-deps.sh) or set [qemu] binary",
		       req->cfg->qemu);
		return -1;
	}
	free(qemu);
	if (qemu_build_args(req, &out->argv, &out->cmdline))
		return -1;
	ret = watch_boot(req, out, req->cfg->boot_timeout, NULL, NULL);
	/* a timeout is zdbench's own kill; any other signal came from outside */
	if (!out->timeout && req->qemu_log) {
		char *log = read_file(req->qemu_log, NULL);
		char *sig = log ? strstr(log, "terminating on signal") : NULL;

		if (sig) {
			/* the console stops where the signal came: nothing in it is the kernel's end */
			sig[strcspn(sig, "\n")] = 0;
			out->infra = xasprintf("QEMU was killed from outside zdbench (its log: \"%s\")", sig);
			out->console_partial = true;
		}
		free(log);
	}
	if (!strcmp(req->cfg->pmem, "nvdimm")) {
		char *img = xasprintf("%s/nvdimm0.img", req->scratch_dir);

		unlink(img); /* emulated media: nothing on it outlives the boot */
		free(img);
	}
	return ret;
}

/* KVM counts only if a guest gets as far as starting init under it. */
static int qemu_probe(const struct zd_config *c, const char *bzimage,
		      const char *initrd, const char *scratch, char **accel,
		      char **note)
{
	struct boot_req req = {
		.cfg = c, .variant = "kvm-probe", .bzimage = bzimage,
		.initrd = initrd, .scratch_dir = scratch, .accel = "kvm",
	};
	struct boot_out out = { 0 };
	char *con = xasprintf("%s/kvm-probe.console", scratch);
	char *res = xasprintf("%s/kvm-probe.results", scratch);
	char *log = xasprintf("%s/kvm-probe.qemu", scratch);
	struct zd_config pc = *c;

	*note = NULL;
	if (strcmp(c->accel, "auto")) {
		*accel = xstrdup(c->accel);
		goto out;
	}
	if (!strcmp(c->clock, "icount")) {
		*accel = xstrdup("tcg");
		*note = xstrdup("TCG: the icount clock needs TCG");
		goto out;
	}
	if (access("/dev/kvm", R_OK | W_OK)) {
		*accel = xstrdup("tcg");
		*note = xasprintf("TCG: /dev/kvm not usable (%s)", strerror(errno));
		goto out;
	}
	req.console_log = con;
	req.results_log = res;
	req.qemu_log = log;
	pc.pmem = "memmap"; /* no NVDIMM file for a probe */
	req.cfg = &pc;
	if (qemu_build_args(&req, &out.argv, &out.cmdline) ||
	    watch_boot(&req, &out, c->kvm_probe_timeout, "Run /init as init process", NULL)) {
		*accel = xstrdup("tcg");
		*note = xstrdup("TCG: the KVM probe guest could not be started");
	} else if (out.saw_hello) {
		*accel = xstrdup("kvm");
		*note = xasprintf("KVM: probe guest reached init in %.1fs", out.boot_secs);
	} else {
		*accel = xstrdup("tcg");
		*note = xasprintf("TCG: /dev/kvm exists but a probe guest did not reach init within %us under KVM",
				  c->kvm_probe_timeout);
	}
	boot_out_free(&out);
out:
	free(con);
	free(res);
	free(log);
	return 0;
}

static char *qemu_describe_pmem(const struct zd_config *c, const char *medium)
{
	return xasprintf("%s %s %uM@%uM", c->pmem, medium, c->pmem_size_mib,
			 !strcmp(c->pmem, "memmap") ? c->pmem_start_mib : 0);
}

/* A guest: the agent owns the emulated pmem and may set its sysctls. */
static void qemu_plan_fields(const struct zd_config *c, struct json_object *p)
{
	json_object_object_add(p, "pmem_mode", json_object_new_string(c->pmem));
	json_object_object_add(p, "mountpoint", json_object_new_string("/mnt/dax"));
	json_object_object_add(p, "hung_task_timeout", json_object_new_int(c->hung_task_timeout));
}

static char *qemu_version(const struct zd_config *c)
{
	char *argv[] = { c->qemu, "--version", NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .quiet_stderr = true, .timeout = 30 };
	struct proc_result r;
	char *v, *line;

	/* a --version that printed only a newline has no first line: unknown */
	if (proc_run(argv, &o, &r) || !out.len || !(line = strtok(out.buf, "\n"))) {
		sbuf_free(&out);
		return xstrdup("unknown");
	}
	v = xstrdup(trim(line));
	sbuf_free(&out);
	return v;
}

static void qemu_boot_json(const struct zd_config *c, struct json_object *boot,
			   struct json_object *tools)
{
	char *qv = qemu_version(c);

	json_object_object_add(boot, "pmem", json_object_new_string(c->pmem));
	json_object_object_add(boot, "pmem_start_mib", json_object_new_int(c->pmem_start_mib));
	json_object_object_add(boot, "pmem_size_mib", json_object_new_int(c->pmem_size_mib));
	json_object_array_add(tools, json_object_new_string(qv));
	free(qv);
}

static char *qemu_announce(const struct zd_config *c, const struct zd_kernel *k,
			   const char *round, const char *accel)
{
	return xasprintf("booting %s%s (%s, clock %s)", k->variant, round, accel, c->clock);
}

const struct backend_ops qemu_backend = {
	.name = "qemu",
	.log_name = "qemu.log",
	.flags = BE_BUILDS_KERNEL | BE_NEEDS_IMAGE,
	.keys = qemu_keys,
	.validate = qemu_validate,
	.preflight = qemu_preflight,
	.probe = qemu_probe,
	.boot = qemu_boot,
	.describe_pmem = qemu_describe_pmem,
	.plan_fields = qemu_plan_fields,
	.boot_json = qemu_boot_json,
	.announce = qemu_announce,
};
