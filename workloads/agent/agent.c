// SPDX-License-Identifier: GPL-2.0
/*
 * zdbench-agent: PID 1 of the guest. Mounts the API filesystems, reads
 * the plan, runs the phases (setup, checks, one per workload, teardown),
 * reports JSON lines on the results channel and powers off by reboot
 * (QEMU runs with -no-reboot). PID 1 must never exit: every path ends
 * in finish().
 *
 * With --host PLAN RESULTS it runs instead as a child of zdbench on a real
 * machine (the host backend): the same phases on the running kernel, the
 * results written to a file, and it exits; it never mounts the API
 * filesystems and never reboots.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>

#include "agent.h"
#include "media.h"

#define SYNC_TIMEOUT 30

struct api_mount {
	const char *src, *dst, *type;
	unsigned long flags;
};

static const struct api_mount api_mounts[] = {
	{"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC},
	{"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC},
	{"devtmpfs", "/dev", "devtmpfs", MS_NOSUID},
	{"debugfs", "/sys/kernel/debug", "debugfs", MS_NOSUID | MS_NODEV},
	{"tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV},
};

static char mount_errs[512];
static bool host_mode;

static void mount_api(void)
{
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(api_mounts); i++) {
		const struct api_mount *m = &api_mounts[i];

		mkdir(m->dst, 0755);
		if (!mount(m->src, m->dst, m->type, m->flags, NULL) || errno == EBUSY)
			continue;
		/* Reported once the results channel is up. */
		n += snprintf(mount_errs + n, sizeof(mount_errs) - n, "%s%s on %s: %s",
			      n ? "; " : "", m->type, m->dst, strerror(errno));
		if (n >= sizeof(mount_errs))
			n = sizeof(mount_errs) - 1;
	}
}

/* Without /dev/console in the image the kernel leaves fds 0-2 closed. */
static void fix_stdio(void)
{
	int fd;

	if (fcntl(STDERR_FILENO, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static int do_sync(void *arg)
{
	(void)arg;
	sync();
	return 0;
}

static void __attribute__((noreturn)) finish(bool ok)
{
	struct cmd_result r;

	emit_set_phase("done");
	emit_done(ok);
	kmsg("done ok=%d", ok);
	logmsg("done: %s", ok ? "ok" : "FAILED");
	emit_close();
	if (host_mode)
		exit(ok ? 0 : 1);
	/* sync in a child: a wedged filesystem must not stop the reboot. */
	if (run_fn(do_sync, NULL, SYNC_TIMEOUT, &r))
		logmsg("sync: %s", r.msg);
	for (;;) {
		reboot(RB_AUTOBOOT);
		pause();
	}
}

/* A crash in PID 1 would panic the guest with no word to the host. */
static void crash_handler(int sig)
{
	static const char err[] = "{\"type\":\"error\",\"phase\":\"agent\",\"msg\":\"agent crashed "
				  "(fatal signal)\"}\n"
				  "{\"type\":\"done\",\"ok\":false}\n";
#define CRASH_ERR "{\"type\":\"error\",\"phase\":\"agent\",\"msg\":\"agent crashed (fatal signal)\"}"
#define CRASH_DONE "{\"type\":\"done\",\"ok\":false}"
#define FRAMED(s, len) ZD_FRAME #len ":" s "\n"
	/* the frame lengths are the strings' (checked by _Static_assert) */
	static const char cerr[] = FRAMED(CRASH_ERR, 69) FRAMED(CRASH_DONE, 26);
	int fd = emit_fd();

	_Static_assert(sizeof(CRASH_ERR) - 1 == 69, "frame length of CRASH_ERR");
	_Static_assert(sizeof(CRASH_DONE) - 1 == 26, "frame length of CRASH_DONE");
	(void)sig;
	if (fd >= 0 && write(fd, err, sizeof(err) - 1) < 0)
		fd = -1;
	fd = emit_console_fd();
	if (fd >= 0 && write(fd, cerr, sizeof(cerr) - 1) < 0)
		fd = -1;
	if (!host_mode)
		reboot(RB_AUTOBOOT);
	_exit(1);
}

static void install_crash_handlers(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	struct sigaction sa = {.sa_handler = crash_handler};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void phase_begin(const char *name)
{
	emit_set_phase(name);
	/* Re-arm WARN_ONCE so each phase can show its own warnings. */
	if (access("/sys/kernel/debug/clear_warn_once", W_OK) == 0)
		write_file("/sys/kernel/debug/clear_warn_once", "1");
	kmsg("phase %s begin", name);
	logmsg("phase %s begin", name);
	emit_phase(name, "begin", true, read_taint());
}

static void phase_end(const char *name, bool ok)
{
	emit_phase(name, "end", ok, read_taint());
	kmsg("phase %s end", name);
	logmsg("phase %s end: %s", name, ok ? "ok" : "FAILED");
	reap_orphans();
}

static void emit_plan(const struct plan *p)
{
	struct json_object *o = msg_new("plan");

	jadd_str(o, "run_id", p->run_id);
	jadd_str(o, "variant", p->variant);
	jadd_str(o, "pmem_mode", p->pmem_mode);
	jadd_str(o, "dax_mode", p->dax_mode);
	jadd_str(o, "fs", p->fs);
	jadd_bool(o, "host", p->host);
	jadd_int(o, "workloads", (int64_t)p->nr_workloads);
	emit(o);
}

static void apply_sysctls(const struct plan *p)
{
	char val[16];
	int ret;

	if (p->hung_task_timeout < 0)
		return;
	snprintf(val, sizeof(val), "%d", p->hung_task_timeout);
	ret = write_file("/proc/sys/kernel/hung_task_timeout_secs", val);
	if (ret)
		emit_warning("hung_task_timeout_secs=%s: %s "
			     "(CONFIG_DETECT_HUNG_TASK off?)",
			     val, strerror(-ret));
}

static bool run_workload(const struct plan *p, const struct pmem *pm, const struct wl_spec *w)
{
	const struct workload_ops *ops = workload_find(w->kind);
	struct wl_ctx ctx = {.plan = p, .pm = pm, .spec = w};
	struct json_object *o;
	char msg[512] = "";
	char phase[160];
	bool ok;

	snprintf(phase, sizeof(phase), "workload:%s", w->name);
	phase_begin(phase);
	if (ops) {
		/* the plan's parameters by the kind's rules (kinds.c), as zdbench checked them */
		stuck_arm(phase);
		ok = !workload_check(w, msg, sizeof(msg)) && ops->run(&ctx, msg, sizeof(msg)) == 0;
		stuck_arm(NULL);
		pgmap_refs_emit(phase);
	} else {
		snprintf(msg, sizeof(msg), "unknown workload kind \"%s\"", w->kind);
		ok = false;
	}
	o = msg_new("workload");
	jadd_str(o, "workload", w->name);
	jadd_str(o, "kind", w->kind);
	jadd_bool(o, "ok", ok);
	jadd_str(o, "msg", msg);
	emit(o);
	if (!ok)
		emit_error("workload %s: %s", w->name, msg);
	phase_end(phase, ok);
	return ok;
}

/* What a group of workloads runs on; phases are named after it when a
 * plan covers several ("setup:devdax"), else plainly ("setup"). */
struct medium {
	const char *dax_mode, *fs;
	char name[32];	/* fsdax/ext4, fsdax/xfs, devdax */
	char sfx[34];	/* ":<name>" or "" */
};

static void medium_of(const struct wl_spec *w, struct medium *m)
{
	memset(m, 0, sizeof(*m));
	m->dax_mode = w->dax_mode;
	m->fs = w->fs;
	media_name(m->name, sizeof(m->name), w->dax_mode, w->fs);
}

static bool phase_step(const char *base, const struct medium *m, bool (*fn)(const struct plan *,
		       struct pmem *), const struct plan *p, struct pmem *pm)
{
	char name[64];
	bool ok;

	snprintf(name, sizeof(name), "%s%s", base, m->sfx);
	phase_begin(name);
	ok = fn(p, pm);
	phase_end(name, ok);
	return ok;
}

static bool do_setup(const struct plan *p, struct pmem *pm)
{
	return pmem_setup(p, pm) == 0;
}

static bool do_checks(const struct plan *p, struct pmem *pm)
{
	return pmem_checks(p, pm);
}

static bool run_setup_checks(const struct plan *p, const struct medium *m, struct pmem *pm)
{
	const char *on = m->sfx[0] ? " on " : "", *name = m->sfx[0] ? m->name : "";

	if (!phase_step("setup", m, do_setup, p, pm)) {
		emit_error("setup failed: skipping checks and workloads%s%s", on, name);
		return false;
	}
	if (!phase_step("checks", m, do_checks, p, pm)) {
		emit_error("precondition check failed: skipping workloads%s%s", on, name);
		return false;
	}
	return true;
}

/*
 * One medium: set up, check, run its workloads, tear down. Between media
 * the teardown is not optional (the namespace is reconfigured or
 * reformatted); [run] teardown = false skips only the last one.
 */
static bool run_medium(const struct plan *p, const struct medium *m, bool last)
{
	static struct pmem pm;
	struct plan sub = *p;
	bool ready, ok, down;
	size_t i;

	sub.dax_mode = m->dax_mode;
	sub.fs = m->fs ? m->fs : p->fs;
	emit_set_medium(m->sfx[0] ? m->name : NULL);
	ready = run_setup_checks(&sub, m, &pm);
	ok = ready;
	/* After a failed workload the others still run: errors are per workload. */
	for (i = 0; ready && i < p->nr_workloads; i++) {
		struct medium wm;

		medium_of(&p->workloads[i], &wm);
		if (strcmp(wm.name, m->name))
			continue;
		if (!run_workload(&sub, &pm, &p->workloads[i]))
			ok = false;
	}
	if (ready)
		pgmap_refs_emit("before teardown");
	if (last && !p->teardown) {
		holders_wait();
		return ok;
	}
	down = phase_step("teardown", m, pmem_teardown, &sub, &pm);
	/* vmsplice holders release their pages after (or during) teardown. */
	holders_wait();
	/* the next medium starts from an enabled namespace (host: done) */
	if (down && !last && !p->host && !pmem_reenable(&sub, &pm)) {
		emit_error("cannot enable %s again for the next medium", pm.ns);
		down = false;
	}
	return ok && down;
}

/* The media in the order the plan first names them. */
static size_t plan_media(const struct plan *p, struct medium *media, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr_workloads; i++) {
		struct medium m;
		size_t j;

		medium_of(&p->workloads[i], &m);
		for (j = 0; j < n && strcmp(media[j].name, m.name); j++)
			;
		if (j == n && n < max)
			media[n++] = m;
	}
	if (!n) { /* no workloads: still set up and tear down the plan's */
		struct wl_spec none = {.dax_mode = p->dax_mode,
				       .fs = strcmp(p->dax_mode, "fsdax") ? NULL : p->fs};

		medium_of(&none, &media[n++]);
	}
	return n;
}

static bool run_plan(const struct plan *p)
{
	struct medium media[3];
	size_t n = plan_media(p, media, ARRAY_SIZE(media));
	bool ok = true;

	apply_sysctls(p);
	/* in a guest only: sysrq on a real machine is its owner's call */
	if (!p->host)
		stuck_watch_start(p->step_timeout);
	for (size_t i = 0; i < n; i++) {
		if (n > 1)
			snprintf(media[i].sfx, sizeof(media[i].sfx), ":%s", media[i].name);
		if (!run_medium(p, &media[i], i == n - 1))
			ok = false;
	}
	return ok;
}

static const char usage[] =
	"usage: zdbench-agent            (as PID 1 of a zdbench guest)\n"
	"       zdbench-agent --host PLAN RESULTS\n"
	"\n"
	"--host: run the plan on the running kernel of this machine, write the\n"
	"JSON lines to RESULTS and exit (zdbench run --backend host does this).\n";

/* PID 1 in a guest, or --host PLAN RESULTS under zdbench on a real machine. */
static int parse_args(int argc, char **argv, const char **plan, const char **results)
{
	*plan = PLAN_PATH;
	*results = RESULTS_TTY;
	if (getpid() == 1)
		return 0; /* the kernel passes unknown cmdline words as argv */
	if (argc == 4 && !strcmp(argv[1], "--host")) {
		host_mode = true;
		*plan = argv[2];
		*results = argv[3];
		return 0;
	}
	fprintf(stderr, "%s", usage);
	return -1;
}

static void init_pid1(void)
{
	setenv("PATH", "/sbin:/usr/sbin:/bin:/usr/bin", 1);
	umask(022);
	mount_api();
	/* only kernels with tracing have it (the debug flavour): no error */
	mount("tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	fix_stdio();
}

int main(int argc, char **argv)
{
	static struct plan plan;
	const char *plan_path, *results;
	char err[512];
	bool ok, console;
	int ret;

	if (parse_args(argc, argv, &plan_path, &results))
		return 2;
	install_crash_handlers();
	if (!host_mode)
		init_pid1();
	logmsg("%s starting%s", AGENT_NAME, host_mode ? " (host)" : "");
	/* one serial line (LAVA): the console carries the results, framed */
	console = !host_mode && emit_console_from_cmdline();
	ret = host_mode ? emit_open_file(results) : emit_open(results);
	if (ret && console)
		logmsg("no results channel %s (%s): results on the console only",
		       results, strerror(-ret));
	else if (ret) {
		logmsg("cannot open results channel %s: %s", results, strerror(-ret));
		finish(false);
	}
	emit_hello();
	if (mount_errs[0])
		emit_error("mount: %s", mount_errs);
	if (plan_load(&plan, plan_path, err, sizeof(err))) {
		emit_set_phase("plan");
		emit_error("%s", err);
		finish(false);
	}
	plan.host = host_mode;
	emit_plan(&plan);
	ok = run_plan(&plan) && !mount_errs[0];
	finish(ok);
}
