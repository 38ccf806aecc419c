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
#include "result.h"

#define SHUTDOWN_GRACE 60.0 /* agent said done; QEMU should exit by itself */
#define STUCK_GRACE 10.0    /* ... unless teardown already failed */

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
	return sb.buf;
}

int qemu_build_args(const struct boot_req *req, struct strv *av, char **cmdline)
{
	const struct zd_config *c = req->cfg;
	bool nvdimm = !strcmp(c->pmem, "nvdimm");
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

/* Reads what the guest appended to a file since last time, line by line. */
struct tail {
	int fd;
	struct sbuf pend;
};

static int tail_lines(struct tail *t, const char *path,
		      void (*cb)(void *, const char *), void *ctx)
{
	char buf[8192];
	ssize_t n;

	if (t->fd < 0) {
		t->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (t->fd < 0)
			return 0;
	}
	while ((n = read(t->fd, buf, sizeof(buf))) > 0) {
		char *nl;

		sbuf_add(&t->pend, buf, n);
		while (t->pend.buf && (nl = memchr(t->pend.buf, '\n', t->pend.len))) {
			size_t used = nl - t->pend.buf + 1;

			*nl = '\0';
			cb(ctx, t->pend.buf);
			memmove(t->pend.buf, nl + 1, t->pend.len - used);
			t->pend.len -= used;
			t->pend.buf[t->pend.len] = '\0';
		}
	}
	return 0;
}

struct watch {
	bool teardown_failed;	/* the agent gave up on teardown: a hang */
	const struct zd_config *c;
	struct boot_out *out;
	double start, deadline;
	const char *waiting; /* which timeout the deadline belongs to */
};

static void on_result_line(void *ctx, const char *line)
{
	struct watch *w = ctx;
	struct json_object *o = json_tokener_parse(line);
	const char *type, *phase, *state;
	double now = now_mono();

	if (!o)
		return; /* a torn or foreign line: the harvester reports it */
	type = jstr(o, "type");
	if (!type)
		goto out;
	if (!strcmp(type, "hello")) {
		w->out->saw_hello = true;
		w->out->boot_secs = now - w->start;
		w->waiting = "step";
		w->deadline = now + w->c->step_timeout;
	} else if (!strcmp(type, "phase")) {
		phase = jstr(o, "phase");
		state = jstr(o, "state");
		if (!phase || !state)
			goto out;
		free(w->out->last_phase);
		w->out->last_phase = xstrdup(phase);
		if (!strcmp(state, "begin") && !strcmp(phase, "teardown")) {
			w->waiting = "teardown";
			w->deadline = now + w->c->teardown_timeout;
		} else if (!strcmp(phase, "teardown") && !jbool(o, "ok", true)) {
			/* still stuck in teardown (e.g. ndctl in D state): what
			 * kills the guest later is the teardown hang */
			w->teardown_failed = true;
		} else {
			w->waiting = "step";
			w->deadline = now + w->c->step_timeout;
		}
	} else if (!strcmp(type, "sample")) {
		/* progress within a step: a long workload is not a stuck one */
		w->deadline = now + w->c->step_timeout;
	} else if (!strcmp(type, "done")) {
		w->out->saw_done = true;
		w->out->agent_ok = jbool(o, "ok", false);
		w->waiting = w->teardown_failed ? "teardown" : "shutdown";
		/* after a failed teardown the reboot blocks behind it: no use waiting long */
		w->deadline = now + (w->teardown_failed ? STUCK_GRACE : SHUTDOWN_GRACE);
	}
out:
	json_object_put(o);
}

static int run_and_watch(const struct boot_req *req, struct boot_out *out,
			 double boot_timeout, const char *stop_line)
{
	struct proc_opts po = { .out_path = req->qemu_log };
	struct tail res = { .fd = -1 }, con = { .fd = -1 };
	struct watch w = { .c = req->cfg, .out = out };
	int status = 0;
	pid_t pid;

	/* Fresh outputs: QEMU's file: chardev truncates, but be explicit. */
	unlink(req->console_log);
	unlink(req->results_log);
	pid = proc_spawn(out->argv.v, &po, NULL);
	if (pid < 0) {
		out->start_failed = true;
		zd_err("cannot start %s: %s", out->argv.v[0], strerror(errno));
		return -1;
	}
	w.start = now_mono();
	w.deadline = w.start + boot_timeout;
	w.waiting = "boot";
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		tail_lines(&res, req->results_log, on_result_line, &w);
		if (r == pid)
			break;
		if (stop_line && con.fd < 0)
			con.fd = open(req->console_log, O_RDONLY | O_CLOEXEC);
		if (stop_line && con.fd >= 0) {
			char *text = read_file(req->console_log, NULL);
			bool hit = text && strstr(text, stop_line);

			free(text);
			if (hit) {
				out->saw_hello = true;
				out->boot_secs = now_mono() - w.start;
				proc_kill_group(pid, 2.0, &status);
				break;
			}
		}
		if (now_mono() > w.deadline) {
			out->timeout = xstrdup(w.waiting);
			proc_kill_group(pid, 5.0, &status);
			break;
		}
		usleep(100000);
	}
	tail_lines(&res, req->results_log, on_result_line, &w);
	if (res.fd >= 0)
		close(res.fd);
	if (con.fd >= 0)
		close(con.fd);
	sbuf_free(&res.pend);
	sbuf_free(&con.pend);
	out->wall_secs = now_mono() - w.start;
	if (WIFEXITED(status))
		out->exit_code = WEXITSTATUS(status);
	else
		out->exit_code = -1;
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
	ret = run_and_watch(req, out, req->cfg->boot_timeout, NULL);
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
	    run_and_watch(&req, &out, c->kvm_probe_timeout, "Run /init as init process")) {
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
	.probe = qemu_probe,
	.boot = qemu_boot,
};

const struct backend_ops *backend_find(const char *name)
{
	if (!strcmp(name, "qemu"))
		return &qemu_backend;
	return NULL;
}
