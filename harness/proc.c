// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXEC_FAIL_CODE 127

static void child_setup(const struct proc_opts *o, int pfd[2])
{
	int fd;

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (o->cwd && chdir(o->cwd))
		_exit(EXEC_FAIL_CODE);
	for (char *const *e = o->env; e && *e; e++)
		putenv(*e);
	fd = open(o->in_path ? o->in_path : "/dev/null", O_RDONLY);
	if (fd < 0)
		_exit(EXEC_FAIL_CODE);
	dup2(fd, 0);
	close(fd);
	if (pfd) {
		dup2(pfd[1], 1);
		if (o->quiet_stderr) {
			fd = open("/dev/null", O_WRONLY);
			dup2(fd, 2);
			close(fd);
		} else if (!o->capture || o->merge_stderr) {
			dup2(pfd[1], 2);
		}
		close(pfd[0]);
		close(pfd[1]);
	} else if (o->out_path) {
		fd = open(o->out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0)
			_exit(EXEC_FAIL_CODE);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
}

int proc_spawn(char *const argv[], const struct proc_opts *o, int *pipe_out)
{
	int pfd[2] = { -1, -1 };
	int efd[2];
	pid_t pid;
	int err = 0;

	if (pipe_out && pipe2(pfd, O_CLOEXEC))
		return -1;
	/* A CLOEXEC pipe tells the parent whether execvp itself failed. */
	if (pipe2(efd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(efd[0]);
		child_setup(o, pipe_out ? pfd : NULL);
		execvp(argv[0], argv);
		err = errno;
		if (write(efd[1], &err, sizeof(err)) < 0)
			_exit(EXEC_FAIL_CODE);
		_exit(EXEC_FAIL_CODE);
	}
	setpgid(pid, pid);
	close(efd[1]);
	if (read(efd[0], &err, sizeof(err)) == sizeof(err)) {
		close(efd[0]);
		waitpid(pid, NULL, 0);
		if (pipe_out) {
			close(pfd[0]);
			close(pfd[1]);
		}
		errno = err;
		return -2;
	}
	close(efd[0]);
	if (pipe_out) {
		close(pfd[1]);
		*pipe_out = pfd[0];
	}
	return pid;
}

void proc_status(int status, struct proc_result *r)
{
	if (WIFEXITED(status)) {
		r->exit_code = WEXITSTATUS(status);
		r->signal = 0;
	} else if (WIFSIGNALED(status)) {
		r->exit_code = -1;
		r->signal = WTERMSIG(status);
	}
}

#define KILL_REAP_WAIT 30.0

void proc_kill_group(pid_t pid, double grace, int *status)
{
	double end;

	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);
	end = now_mono() + grace;
	while (now_mono() < end) {
		if (waitpid(pid, status, WNOHANG) == pid)
			goto reap_group;
		usleep(20000);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	/*
	 * Bounded: a process in D state (a hung kernel on the host backend)
	 * cannot be reaped, and the harness must not hang with it.
	 */
	end = now_mono() + KILL_REAP_WAIT;
	while (now_mono() < end) {
		if (waitpid(pid, status, WNOHANG) == pid)
			goto reap_group;
		usleep(20000);
	}
	*status = SIGKILL; /* as if killed: WIFSIGNALED */
	zd_err("pid %d not reapable %.0fs after SIGKILL (uninterruptible sleep?): left behind",
	       (int)pid, KILL_REAP_WAIT);
reap_group:
	kill(-pid, SIGKILL); /* stragglers in the group */
}

static void feed_lines(const struct proc_opts *o, struct sbuf *pend,
		       const char *buf, ssize_t n)
{
	if (o->capture) {
		sbuf_add(o->capture, buf, n);
		return;
	}
	sbuf_add(pend, buf, n);
	for (;;) {
		char *nl = memchr(pend->buf, '\n', pend->len);
		size_t used;

		if (!nl)
			break;
		*nl = '\0';
		o->line_cb(o->ctx, pend->buf);
		used = nl - pend->buf + 1;
		memmove(pend->buf, nl + 1, pend->len - used);
		pend->len -= used;
		pend->buf[pend->len] = '\0';
	}
}

int proc_run(char *const argv[], const struct proc_opts *o,
	     struct proc_result *r)
{
	bool piped = o->capture || o->line_cb;
	struct sbuf pend = { 0 };
	int fd = -1, status = 0;
	bool exited = false;
	double deadline = o->timeout > 0 ? now_mono() + o->timeout : 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	pid = proc_spawn(argv, o, piped ? &fd : NULL);
	if (pid == -2) {
		r->exec_failed = true;
		r->exit_code = EXEC_FAIL_CODE;
		return -1;
	}
	if (pid < 0)
		return -1;
	for (;;) {
		int ms = 100;

		if (fd >= 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			char buf[8192];

			if (poll(&p, 1, ms) > 0) {
				ssize_t n = read(fd, buf, sizeof(buf));

				if (n > 0) {
					feed_lines(o, &pend, buf, n);
					continue;
				}
				close(fd);
				fd = -1;
			}
		} else {
			usleep(ms * 1000 / 4);
		}
		if (!exited && waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
		if (exited && fd < 0)
			break;
		if (deadline && now_mono() > deadline) {
			r->timed_out = true;
			if (exited)
				kill(-pid, SIGKILL);
			else
				proc_kill_group(pid, 5.0, &status);
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	if (pend.len && o->line_cb)
		o->line_cb(o->ctx, pend.buf);
	sbuf_free(&pend);
	proc_status(status, r);
	return 0;
}

char *which(const char *name)
{
	const char *path = getenv("PATH");
	char *dup, *tok, *save;

	if (strchr(name, '/'))
		return access(name, X_OK) ? NULL : xstrdup(name);
	dup = xstrdup(path ? path : "/usr/bin:/bin:/usr/sbin:/sbin");
	for (tok = strtok_r(dup, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		char *p = path_join(tok, name);

		if (!access(p, X_OK)) {
			free(dup);
			return p;
		}
		free(p);
	}
	free(dup);
	return NULL;
}
