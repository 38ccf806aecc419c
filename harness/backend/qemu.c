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
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "watch.h"


void boot_out_free(struct boot_out *o)
{
	free(o->timeout);
	free(o->last_phase);
	free(o->cmdline);
	strv_free(&o->argv);
	memset(o, 0, sizeof(*o));
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
	strv_pushf(av, "zdbench-%s", req->variant ? req->variant : "probe");
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
		strv_push(av, "-object");
		if (file)
			strv_pushf(av, "memory-backend-file,id=nv0,share=on,mem-path=%s,size=%uM,align=2M%s",
				   c->pmem_path, c->pmem_size_mib, c->pmem_on ? ",pmem=on" : "");
		else
			strv_pushf(av, "memory-backend-file,id=nv0,share=on,mem-path=%s/nvdimm0.img,size=%uM,align=2M",
				   req->scratch_dir, c->pmem_size_mib);
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

const struct backend_ops qemu_backend = {
	.name = "qemu",
	.log_name = "qemu.log",
	.probe = qemu_probe,
	.boot = qemu_boot,
};

const struct backend_ops *backend_find(const char *name)
{
	if (!strcmp(name, "qemu"))
		return &qemu_backend;
	if (!strcmp(name, "host"))
		return &host_backend;
	return NULL;
}
