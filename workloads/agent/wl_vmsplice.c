// SPDX-License-Identifier: GPL-2.0
/*
 * vmsplice: hold FOLL_GET references on FS-DAX pages across teardown.
 *
 * A child process vmsplice()s a prefaulted MAP_SHARED DAX buffer into a
 * pipe nobody reads (iter_to_pipe -> get_user_pages_fast: one page
 * reference per page, held by the pipe buffers), unmaps the buffer and
 * closes the file so that umount can proceed, tells the agent, then keeps
 * the pipe open for hold_s seconds and closes it (put_page on every page).
 * The workload returns as soon as the pages are in the pipe: the
 * teardown phase then runs while the references are held, and the agent
 * waits for the holder before "done" (holders_wait), reporting a "hold"
 * line with the release times.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "agent.h"
#include "kinds.h"

struct hold_state {
	int64_t spliced;	/* bytes in the pipe */
	uint64_t t_spliced_ns;	/* pages in the pipe, buffer unmapped */
	uint64_t t_release_ns;	/* about to close the pipe */
	uint64_t t_closed_ns;	/* pipe closed: every page put */
	int err;		/* errno of a failed step, 0 if none */
	char what[32];		/* the failed step */
};

struct holder {
	pid_t pid;
	char name[96];
	int64_t hold_s;
	struct hold_state *st;
};

#define MAX_HOLDERS 8
static struct holder holders[MAX_HOLDERS];
static size_t nr_holders;

static void sleep_s(int64_t s)
{
	struct timespec ts = {.tv_sec = s};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void child_fail(struct hold_state *st, const char *what, int notify)
{
	st->err = errno ? errno : EIO;
	snprintf(st->what, sizeof(st->what), "%s", what);
	if (write(notify, "x", 1) < 0)
		_exit(3);
	_exit(2);
}

static void __attribute__((noreturn))
holder_main(const char *name, struct daxbuf *b, int64_t hold_s, struct hold_state *st, int notify)
{
	struct iovec iov = {.iov_base = b->map, .iov_len = b->len};
	int pfd[2];

	signal(SIGTERM, SIG_DFL);
	/*
	 * fork() does not copy the page tables of a shared file mapping
	 * without anon pages, so the child starts with no DAX PTEs at all and
	 * vmsplice's get_user_pages_fast() would fall back to the slow path
	 * (which faults them in). Fault them in here, so the references are
	 * taken by GUP-fast, as in a process that mapped the buffer itself.
	 */
	for (size_t off = 0; off < b->len; off += PAGE_SZ)
		((volatile char *)b->map)[off] = (char)off;
	if (pipe(pfd))
		child_fail(st, "pipe", notify);
	if (fcntl(pfd[1], F_SETPIPE_SZ, (int)b->len) < 0)
		child_fail(st, "F_SETPIPE_SZ", notify);
	while (iov.iov_len) {
		ssize_t n = vmsplice(pfd[1], &iov, 1, 0);

		if (n <= 0)
			child_fail(st, "vmsplice", notify);
		st->spliced += n;
		iov.iov_base = (char *)iov.iov_base + n;
		iov.iov_len -= n;
	}
	/* The pipe now holds the page references; let umount proceed. */
	daxbuf_unmap(b, false);
	st->t_spliced_ns = now_ns();
	kmsg("vmsplice %s: holding %lld pages in a pipe for %lld s", name,
	     (long long)(st->spliced / PAGE_SZ), (long long)hold_s);
	if (write(notify, "k", 1) < 0)
		_exit(3);
	close(notify);
	sleep_s(hold_s);
	kmsg("vmsplice %s: closing the pipe", name);
	st->t_release_ns = now_ns();
	close(pfd[0]);
	close(pfd[1]);
	st->t_closed_ns = now_ns();
	kmsg("vmsplice %s: pipe closed", name);
	_exit(0);
}

static int vmsplice_run(const struct wl_ctx *ctx, char *msg, size_t len)
{
	const struct wl_spec *w = ctx->spec;
	struct daxbuf b = {.fd = -1};
	struct hold_state *st;
	struct sample s = {.rep = 0};
	struct pollfd pf;
	int64_t buf_kib, hold_s;
	int nfd[2];
	uint64_t t0;
	pid_t pid;
	char c = 0;

	/* whole pages, whole PMDs for pmd: kinds.c's rule, checked before */
	buf_kib = param_uint(w, "buf_kib");
	hold_s = param_uint(w, "hold_s");
	daxbuf_params(w, &b);
	if (nr_holders == MAX_HOLDERS) {
		snprintf(msg, len, "more than %d vmsplice workloads", MAX_HOLDERS);
		return -1;
	}
	b.len = (size_t)buf_kib << 10;
	/* A pipe can hold at most pipe-max-size bytes (1 MiB by default). */
	{
		char v[32];
		long max;

		if (read_file("/proc/sys/fs/pipe-max-size", v, sizeof(v)) > 0 &&
		    (max = atol(v)) > 0 && (long)b.len > max) {
			snprintf(v, sizeof(v), "%zu", b.len);
			write_file("/proc/sys/fs/pipe-max-size", v);
		}
	}
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		snprintf(msg, len, "mmap: %s", strerror(errno));
		return -1;
	}
	memset(st, 0, sizeof(*st));
	if (daxbuf_map(ctx, &b, msg, len))
		goto fail;
	if (pipe2(nfd, O_CLOEXEC)) {
		snprintf(msg, len, "pipe: %s", strerror(errno));
		goto fail;
	}
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		snprintf(msg, len, "fork: %s", strerror(errno));
		close(nfd[0]);
		close(nfd[1]);
		goto fail;
	}
	if (!pid) {
		close(nfd[0]);
		holder_main(w->name, &b, hold_s, st, nfd[1]);
	}
	close(nfd[1]);
	pf.fd = nfd[0];
	pf.events = POLLIN;
	if (poll(&pf, 1, 60000) != 1 || read(nfd[0], &c, 1) != 1 || c != 'k') {
		close(nfd[0]);
		snprintf(msg, len, "holder: %s failed: %s", st->what[0] ? st->what : "splice",
			 st->err ? strerror(st->err) : "no answer within 60 s");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	close(nfd[0]);
	daxbuf_unmap(&b, false);
	s.pages = (uint64_t)st->spliced / PAGE_SZ;
	s.elapsed_ns = st->t_spliced_ns - t0;
	sample_emit(ctx, &s);
	holders[nr_holders].pid = pid;
	snprintf(holders[nr_holders].name, sizeof(holders[0].name), "%s", w->name);
	holders[nr_holders].hold_s = hold_s;
	holders[nr_holders].st = st;
	nr_holders++;
	snprintf(msg, len, "holding %llu pages for %lld s (pid %d)", (unsigned long long)s.pages,
		 (long long)hold_s, (int)pid);
	return 0;
fail:
	daxbuf_unmap(&b, true);
	munmap(st, sizeof(*st));
	return -1;
}

/*
 * Wait for every holder to close its pipe and exit (at most its hold time
 * plus 30 s from now), and report each as a "hold" line. PID 1 may have
 * reaped it already (reap_orphans): then its status is unknown (-1).
 */
void holders_wait(void)
{
	size_t i;

	for (i = 0; i < nr_holders; i++) {
		struct holder *h = &holders[i];
		uint64_t end = now_ns() + (uint64_t)(h->hold_s + 30) * 1000000000ULL;
		struct json_object *o;
		int status = -1;
		bool exited = false;

		while (now_ns() < end) {
			pid_t r = waitpid(h->pid, &status, WNOHANG);

			if (r == h->pid || (r < 0 && errno == ECHILD)) {
				exited = true;
				if (r < 0)
					status = -1;
				break;
			}
			usleep(100000);
		}
		if (!exited) {
			kill(h->pid, SIGKILL);
			emit_warning("vmsplice holder %s (pid %d) did not exit", h->name,
				     (int)h->pid);
		}
		o = msg_new("hold");
		jadd_str(o, "workload", h->name);
		jadd_int(o, "pid", h->pid);
		jadd_int(o, "pages", h->st->spliced / (int64_t)PAGE_SZ);
		jadd_int(o, "hold_s", h->hold_s);
		jadd_int(o, "t_spliced_ns", (int64_t)h->st->t_spliced_ns);
		jadd_int(o, "t_release_ns", (int64_t)h->st->t_release_ns);
		jadd_int(o, "t_closed_ns", (int64_t)h->st->t_closed_ns);
		jadd_bool(o, "exited", exited);
		if (exited && status >= 0 && WIFEXITED(status))
			jadd_int(o, "exit_status", WEXITSTATUS(status));
		else if (exited && status >= 0 && WIFSIGNALED(status))
			jadd_int(o, "signal", WTERMSIG(status));
		emit(o);
	}
	nr_holders = 0;
}

const struct workload_ops wl_vmsplice_ops = {
	.run = vmsplice_run,
};
