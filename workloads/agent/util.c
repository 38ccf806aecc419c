// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers: run a command (or a function) in a child under a timeout,
 * small file reads and writes, /proc counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "agent.h"

#define OUT_MAX (1 << 20)
#define POLL_MS 20
#define REAP_GRACE_MS 3000

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Append what is readable now; returns 0 at EOF, 1 if more may come. */
static int drain(int fd, struct cmd_result *r, size_t *len, size_t *cap)
{
	char tmp[4096];

	for (;;) {
		ssize_t n = read(fd, tmp, sizeof(tmp));

		if (n == 0)
			return 0;
		if (n < 0)
			return errno == EINTR || errno == EAGAIN ? 1 : 0;
		if (*len + n + 1 > *cap && *len + n + 1 <= OUT_MAX) {
			size_t ncap = (*len + n + 1) * 2;
			char *p = realloc(r->out, ncap);

			if (!p)
				continue;
			r->out = p;
			*cap = ncap;
		}
		if (*len + n + 1 > *cap)
			continue; /* over OUT_MAX: drop, keep draining */
		memcpy(r->out + *len, tmp, n);
		*len += n;
		r->out[*len] = '\0';
	}
}

/* Wait for pid until the deadline; 1 = reaped, 0 = still running. */
static int wait_until(pid_t pid, uint64_t deadline, int fd, struct cmd_result *r, size_t *len,
		      size_t *cap)
{
	for (;;) {
		pid_t w = waitpid(pid, &r->status, WNOHANG);

		if (w == pid)
			return 1;
		if (w < 0 && errno != EINTR)
			return 1; /* ECHILD: nothing left to wait for */
		if (now_ns() >= deadline)
			return 0;
		if (fd >= 0) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};

			if (poll(&pfd, 1, POLL_MS) > 0 && drain(fd, r, len, cap) == 0)
				fd = -1;
		} else {
			sleep_ms(POLL_MS);
		}
	}
}

struct exec_arg {
	char *const *argv;
	int out_fd;
};

static int exec_child(void *arg)
{
	struct exec_arg *ea = arg;

	if (ea->out_fd >= 0 && dup2(ea->out_fd, STDOUT_FILENO) < 0)
		return 126;
	execvp(ea->argv[0], ea->argv);
	fprintf(stderr, "zdbench-agent: exec %s: %s\n", ea->argv[0], strerror(errno));
	return 127;
}

static int run_child(int (*fn)(void *), void *arg, int timeout_s, int out_rd, int out_wr,
		     struct cmd_result *r)
{
	size_t len = 0, cap = 0;
	uint64_t deadline;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		snprintf(r->msg, sizeof(r->msg), "fork: %s", strerror(errno));
		if (out_wr >= 0)
			close(out_wr);
		return -1;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		_exit(fn(arg));
	}
	/* Only the child writes: lets the reader see EOF. */
	if (out_wr >= 0)
		close(out_wr);
	deadline = now_ns() + (uint64_t)(timeout_s > 0 ? timeout_s : 1) * 1000000000ULL;
	if (wait_until(pid, deadline, out_rd, r, &len, &cap))
		goto reaped;

	r->timed_out = true;
	kill(pid, SIGKILL);
	if (wait_until(pid, now_ns() + REAP_GRACE_MS * 1000000ULL, out_rd, r, &len, &cap))
		goto reaped;
	/* SIGKILL pending but not delivered: uninterruptible sleep. */
	r->stuck = true;
	snprintf(r->msg, sizeof(r->msg),
		 "timed out after %d s; pid %d not reapable after SIGKILL (D state?)", timeout_s,
		 (int)pid);
	return -1;

reaped:
	if (out_rd >= 0)
		drain(out_rd, r, &len, &cap);
	if (r->timed_out) {
		snprintf(r->msg, sizeof(r->msg), "timed out after %d s, killed", timeout_s);
		return -1;
	}
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
		return 0;
	if (WIFEXITED(r->status))
		snprintf(r->msg, sizeof(r->msg), "exit status %d", WEXITSTATUS(r->status));
	else if (WIFSIGNALED(r->status))
		snprintf(r->msg, sizeof(r->msg), "killed by signal %d", WTERMSIG(r->status));
	return -1;
}

/*
 * Run argv (PATH lookup, no shell) with a timeout. On timeout the child
 * is SIGKILLed; a child stuck in D state is left behind and reported.
 * Returns 0 if it exited with status 0.
 */
int run_cmd(char *const argv[], int timeout_s, bool capture, struct cmd_result *r)
{
	struct exec_arg ea = {.argv = argv, .out_fd = -1};
	int pfd[2] = {-1, -1};
	int ret;

	memset(r, 0, sizeof(*r));
	if (capture) {
		if (pipe2(pfd, O_CLOEXEC) < 0) {
			snprintf(r->msg, sizeof(r->msg), "pipe: %s", strerror(errno));
			return -1;
		}
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
		ea.out_fd = pfd[1];
	}
	ret = run_child(exec_child, &ea, timeout_s, pfd[0], pfd[1], r);
	if (capture)
		close(pfd[0]);
	return ret;
}

/* The same guard for a syscall that may block forever (umount, sync). */
int run_fn(int (*fn)(void *), void *arg, int timeout_s, struct cmd_result *r)
{
	memset(r, 0, sizeof(*r));
	return run_child(fn, arg, timeout_s, -1, -1, r);
}

void cmd_result_free(struct cmd_result *r)
{
	free(r->out);
	r->out = NULL;
}

/* As PID 1 we inherit orphans; collect them so they do not pile up. */
void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

ssize_t read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, tot = 0;
	int fd;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)tot < len - 1) {
		n = read(fd, buf + tot, len - 1 - tot);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		tot += n;
	}
	close(fd);
	buf[tot] = '\0';
	while (tot > 0 && (buf[tot - 1] == '\n' || buf[tot - 1] == ' '))
		buf[--tot] = '\0';
	return tot;
}

int read_u64_file(const char *path, uint64_t *val)
{
	char buf[64], *end;
	ssize_t n = read_file(path, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

int mkdir_p(const char *path, mode_t mode)
{
	char tmp[256];
	size_t i, len;

	len = snprintf(tmp, sizeof(tmp), "%s", path);
	if (len >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		if (i < len)
			tmp[i] = '/';
	}
	return 0;
}

uint64_t read_taint(void)
{
	uint64_t t = 0;

	read_u64_file("/proc/sys/kernel/tainted", &t);
	return t;
}

/* Read several /proc/vmstat counters at once; -ENOENT if one is missing. */
int vmstat_read(const char *const keys[], uint64_t *vals, size_t n)
{
	static char buf[32768];
	size_t i, found = 0;
	char *line, *save;
	ssize_t ret;

	ret = read_file("/proc/vmstat", buf, sizeof(buf));
	if (ret < 0)
		return (int)ret;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		for (i = 0; i < n; i++) {
			if (strcmp(line, keys[i]))
				continue;
			vals[i] = strtoull(sp + 1, NULL, 10);
			found++;
		}
	}
	return found == n ? 0 : -ENOENT;
}
