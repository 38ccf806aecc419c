// SPDX-License-Identifier: GPL-2.0
/*
 * The three outputs of the agent:
 *  - the results channel (a raw serial port): JSON lines only;
 *  - stderr (the console, ttyS0): human-readable progress;
 *  - /dev/kmsg: phase markers, so console lines can be attributed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#include "agent.h"

static int res_fd = -1;
static int con_fd = -1; /* zdbench.console=1: every line framed here too */
static char cur_phase[96] = "init";
static char cur_medium[32]; /* "" unless the plan covers several media */

int emit_open(const char *tty)
{
	struct termios t;

	res_fd = open(tty, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (res_fd < 0)
		return -errno;
	/* Raw: no \r insertion, no echo, no line discipline surprises. */
	if (tcgetattr(res_fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetispeed(&t, B115200);
		cfsetospeed(&t, B115200);
		if (tcsetattr(res_fd, TCSANOW, &t) < 0)
			logmsg("tcsetattr %s: %s", tty, strerror(errno));
	} else {
		logmsg("tcgetattr %s: %s", tty, strerror(errno));
	}
	return 0;
}

/* zdbench-micro: lines to an fd it already has (stdout). */
void emit_use_fd(int fd)
{
	res_fd = fd;
}

/* Host mode: a regular file the harness tails (created, truncated). */
int emit_open_file(const char *path)
{
	res_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	return res_fd < 0 ? -errno : 0;
}

/*
 * zdbench.console=1 on the kernel command line (LAVA, a lab board with one
 * serial line): every results line is also written to the console, framed
 * as ZD_FRAME "<len>:" + the JSON, in one write() so printk interleaves
 * at worst between frames; the length lets the harness (harvest.c) refuse
 * a frame a kernel message cut into. Returns whether the mode is on.
 */
bool emit_console_from_cmdline(void)
{
	char cmdline[4096] = "";
	const char *p = cmdline;
	size_t n = strlen(ZD_CONSOLE_ARG);

	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	while ((p = strstr(p, ZD_CONSOLE_ARG))) {
		/* a whole word: not xzdbench.console=1 nor zdbench.console=10 */
		bool start = p == cmdline || p[-1] == ' ';
		bool end = !p[n] || p[n] == ' ' || p[n] == '\n';

		if (start && end) {
			con_fd = STDERR_FILENO;
			return true;
		}
		p += n;
	}
	return false;
}

void emit_close(void)
{
	/* the console's frames, too, must leave the UART before the reboot */
	if (con_fd >= 0 && isatty(con_fd))
		tcdrain(con_fd);
	if (res_fd < 0)
		return;
	/* Wait for the UART to drain, or the tail is lost at reboot. */
	if (isatty(res_fd))
		tcdrain(res_fd);
	close(res_fd);
	res_fd = -1;
}

int emit_fd(void)
{
	return res_fd;
}

int emit_console_fd(void)
{
	return con_fd;
}

void emit_set_phase(const char *phase)
{
	snprintf(cur_phase, sizeof(cur_phase), "%s", phase);
}

/* Checks then say which medium they are about (a plan with several). */
void emit_set_medium(const char *medium)
{
	snprintf(cur_medium, sizeof(cur_medium), "%s", medium ? medium : "");
}

const char *emit_phase_name(void)
{
	return cur_phase;
}

static void write_all(int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t n = writev(fd, iov, cnt);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
}

void jadd_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

void jadd_int(struct json_object *o, const char *key, int64_t val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

void jadd_bool(struct json_object *o, const char *key, bool val)
{
	json_object_object_add(o, key, json_object_new_boolean(val));
}

void jadd_double(struct json_object *o, const char *key, double val)
{
	char buf[64];

	/* Fixed precision: json-c's default %.17g prints noise digits. */
	snprintf(buf, sizeof(buf), "%.3f", val);
	json_object_object_add(o, key, json_object_new_double_s(val, buf));
}

struct json_object *msg_new(const char *type)
{
	struct json_object *o = json_object_new_object();

	jadd_str(o, "type", type);
	return o;
}

void emit(struct json_object *msg)
{
	const char *s;
	struct iovec iov[2];

	s = json_object_to_json_string_ext(msg,
					   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (res_fd >= 0 && s) {
		iov[0].iov_base = (void *)s;
		iov[0].iov_len = strlen(s);
		iov[1].iov_base = "\n";
		iov[1].iov_len = 1;
		write_all(res_fd, iov, 2);
	}
	if (con_fd >= 0 && s) {
		size_t len = strlen(s);
		char *f = malloc(len + 64);

		if (f) {
			int h = snprintf(f, 64, "%s%zu:", ZD_FRAME, len);

			memcpy(f + h, s, len);
			f[h + len] = '\n';
			iov[0].iov_base = f;
			iov[0].iov_len = h + len + 1;
			write_all(con_fd, iov, 1);
			/*
			 * The tty drains the frame behind the agent's back; a
			 * kmsg written next goes to the UART at once and would
			 * land inside it (seen with 2 vCPUs): wait for the frame.
			 */
			if (isatty(con_fd))
				tcdrain(con_fd);
			free(f);
		}
	}
	/* what the harness counts as progress (watch.c) is a result line */
	stuck_progress();
	json_object_put(msg);
}

void emit_hello(void)
{
	struct json_object *o = msg_new("hello");
	struct json_object *u = json_object_new_object();
	struct utsname un;
	char cmdline[4096] = "";

	if (uname(&un) == 0) {
		jadd_str(u, "release", un.release);
		jadd_str(u, "version", un.version);
		jadd_str(u, "machine", un.machine);
	}
	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	jadd_str(o, "agent", AGENT_NAME);
	json_object_object_add(o, "uname", u);
	jadd_str(o, "cmdline", cmdline);
	jadd_int(o, "t_ns", (int64_t)now_ns());
	emit(o);
}

static void emit_msg(const char *type, const char *fmt, va_list ap)
{
	struct json_object *o = msg_new(type);
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	jadd_str(o, "phase", cur_phase);
	jadd_str(o, "msg", buf);
	emit(o);
	logmsg("%s (%s): %s", type, cur_phase, buf);
}

void emit_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_msg("error", fmt, ap);
	va_end(ap);
}

void emit_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_msg("warning", fmt, ap);
	va_end(ap);
}

void emit_check(const char *name, bool ok, struct json_object *value)
{
	struct json_object *o = msg_new("check");

	jadd_str(o, "name", name);
	jadd_bool(o, "ok", ok);
	json_object_object_add(o, "value", value);
	if (cur_medium[0])
		jadd_str(o, "medium", cur_medium);
	logmsg("check %s: %s (%s)", name, ok ? "ok" : "FAILED",
	       value ? json_object_to_json_string(value) : "null");
	emit(o);
}

void emit_phase(const char *phase, const char *state, bool ok, uint64_t taint)
{
	struct json_object *o = msg_new("phase");

	jadd_str(o, "phase", phase);
	jadd_str(o, "state", state);
	jadd_bool(o, "ok", ok);
	jadd_int(o, "t_ns", (int64_t)now_ns());
	jadd_int(o, "taint", (int64_t)taint);
	emit(o);
}

void emit_done(bool ok)
{
	struct json_object *o = msg_new("done");

	jadd_bool(o, "ok", ok);
	jadd_int(o, "t_ns", (int64_t)now_ns());
	emit(o);
}

void logmsg(const char *fmt, ...)
{
	char buf[1200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	fputs("zdbench-agent: ", stderr);
	fwrite(buf, 1, n, stderr);
	fflush(stderr);
}

void kmsg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int fd, n;

	/* <5> = notice: shown on the console at the usual log levels. */
	n = snprintf(buf, sizeof(buf), "<5>zdbench: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		logmsg("%s", buf + 3);
		return;
	}
	if (write(fd, buf, n) < 0)
		logmsg("%s", buf + 3);
	close(fd);
}
