// SPDX-License-Identifier: GPL-2.0
/*
 * Watching one boot (a QEMU guest, or the agent on the host): start the
 * command, follow the agent's JSON lines as they arrive, and move one
 * deadline along with them: boot until hello, a step per phase or sample,
 * teardown, shutdown. When the deadline passes the process group is
 * killed and the name of the deadline is recorded.
 */
#define _GNU_SOURCE
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agentmsg.h"
#include "proc.h"
#include "result.h"

#define SHUTDOWN_GRACE 60.0 /* agent said done; QEMU should exit by itself */
#define STUCK_GRACE 10.0    /* ... unless teardown already failed */

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
	const char *variant;	/* for the progress lines: several guests may be running */
	struct boot_out *out;
	double start, deadline;
	const char *waiting; /* which timeout the deadline belongs to */
};

/* "teardown", or "teardown:devdax" in a plan of several media */
static bool is_teardown(const char *phase)
{
	return !strncmp(phase, "teardown", 8) && (!phase[8] || phase[8] == ':');
}

static void on_hello(void *ctx, const struct agent_msg *m)
{
	struct watch *w = ctx;
	double now = now_mono();

	w->out->saw_hello = true;
	w->out->boot_secs = now - w->start;
	w->waiting = "step";
	w->deadline = now + w->c->step_timeout;
}

static void on_phase(void *ctx, const struct agent_msg *m)
{
	struct watch *w = ctx;
	const char *phase = jstr(m->o, "phase"), *state = jstr(m->o, "state");
	double now = now_mono();

	if (!phase || !state)
		return;
	free(w->out->last_phase);
	w->out->last_phase = xstrdup(phase);
	if (!strcmp(state, "begin") && is_teardown(phase)) {
		w->waiting = "teardown";
		w->deadline = now + w->c->teardown_timeout;
	} else if (is_teardown(phase) && !jbool(m->o, "ok", true)) {
		/* still stuck in teardown (e.g. ndctl in D state): what
		 * kills the guest later is the teardown hang */
		w->teardown_failed = true;
	} else {
		w->waiting = "step";
		w->deadline = now + w->c->step_timeout;
	}
}

/* progress within a step: a long workload is not a stuck one */
static void on_sample(void *ctx, const struct agent_msg *m)
{
	struct watch *w = ctx;
	const char *wl = jstr(m->o, "workload");

	w->deadline = now_mono() + w->c->step_timeout;
	/* with -j several guests report at once: each line names its guest */
	zd_info("%s: %s rep %lld", w->variant ? w->variant : "?", wl ? wl : "?",
		(long long)jint(m->o, "rep", -1) + 1);
}

static void on_done(void *ctx, const struct agent_msg *m)
{
	struct watch *w = ctx;

	w->out->saw_done = true;
	w->out->agent_ok = jbool(m->o, "ok", false);
	w->waiting = w->teardown_failed ? "teardown" : "shutdown";
	/* after a failed teardown the reboot blocks behind it: no use waiting long */
	w->deadline = now_mono() + (w->teardown_failed ? STUCK_GRACE : SHUTDOWN_GRACE);
}

/*
 * The lines that move the deadline; the rest (and torn or unknown lines)
 * are the harvester's business once the boot is over.
 */
static const agentmsg_fn watch_on[AM_NR] = {
	[AM_HELLO] = on_hello,
	[AM_PHASE] = on_phase,
	[AM_SAMPLE] = on_sample,
	[AM_DONE] = on_done,
};

static void on_result_line(void *ctx, const char *line)
{
	agentmsg_feed(ctx, line);
}

int watch_boot(const struct boot_req *req, struct boot_out *out, double boot_timeout,
	       const char *stop_line, const struct watch_pump *pump)
{
	struct proc_opts po = { .out_path = req->qemu_log };
	struct tail res = { .fd = -1 }, con = { .fd = -1 };
	struct watch w = { .c = req->cfg, .variant = req->variant, .out = out };
	struct agentmsg_reader rd = { .on = watch_on, .ctx = &w };
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

		if (pump)
			pump->fn(pump->ctx);
		tail_lines(&res, req->results_log, on_result_line, &rd);
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
	if (pump)
		pump->fn(pump->ctx);
	tail_lines(&res, req->results_log, on_result_line, &rd);
	if (res.fd >= 0)
		close(res.fd);
	if (con.fd >= 0)
		close(con.fd);
	sbuf_free(&res.pend);
	sbuf_free(&con.pend);
	agentmsg_reader_free(&rd);
	out->wall_secs = now_mono() - w.start;
	if (WIFEXITED(status))
		out->exit_code = WEXITSTATUS(status);
	else
		out->exit_code = -1;
	return 0;
}

