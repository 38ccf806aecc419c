// SPDX-License-Identifier: GPL-2.0
/*
 * A workload that stops making progress is about to be killed, with its
 * guest, by the harness's step timeout: no kernel detector speaks for a
 * task that loops in the kernel and calls cond_resched() (no soft
 * lockup, no hung task: it is running). Before that happens, have the
 * kernel say where the CPUs are: a marker in kmsg, then STUCK_SAMPLES
 * sysrq-l (NMI backtraces of all active CPUs, drivers/tty/sysrq.c)
 * STUCK_GAP_MS apart. harness/nmisample.c names the innermost frame all
 * samples of the spinning task share, and the timeout's key carries it.
 *
 * Progress is any result line (emit()); the watch fires after 2/3 of the
 * step timeout without one, once per silence, and only in workload
 * phases: setup and teardown have the hung-task detector and their own
 * timeouts. The watch is a child process sharing one page with the agent,
 * not a thread: a thread would keep PID 1's thread group alive after an
 * oops killed its main thread, and the guest would wait for the step
 * timeout instead of panicking ("Attempted to kill init!") at once. /proc/sysrq-trigger takes every key whatever kernel.sysrq
 * says; a kernel without CONFIG_MAGIC_SYSRQ just gets the marker.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "agent.h"

#define STUCK_SAMPLES 8
#define STUCK_GAP_MS 250
#define STUCK_POLL_MS 500

/* One shared page: the agent writes, the watch process reads. */
struct watch_page {
	_Atomic uint64_t last_progress_ns;
	_Atomic bool armed, fired;
	_Atomic unsigned int phase_seq; /* odd while phase is written */
	char phase[160];
};

static struct watch_page *wp;
static uint64_t limit_ns;

static void nap_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

static void read_phase(char *name, size_t len)
{
	unsigned int seq;

	do {
		seq = atomic_load(&wp->phase_seq);
		snprintf(name, len, "%.*s", (int)sizeof(wp->phase) - 1, wp->phase);
	} while ((seq & 1) || seq != atomic_load(&wp->phase_seq));
}

static void dump(uint64_t silent_ns)
{
	char name[160];
	int i, ret = 0;

	read_phase(name, sizeof(name));
	kmsg("stuck: no progress for %llu s in %s: sysrq-l x%d",
	     (unsigned long long)(silent_ns / 1000000000ULL), name, STUCK_SAMPLES);
	for (i = 0; i < STUCK_SAMPLES && !ret; i++) {
		ret = write_file("/proc/sysrq-trigger", "l");
		nap_ms(STUCK_GAP_MS);
	}
	if (ret)
		kmsg("stuck: /proc/sysrq-trigger: %s", strerror(-ret));
}

static void __attribute__((noreturn)) watch(pid_t agent)
{
	for (;;) {
		uint64_t silent;

		nap_ms(STUCK_POLL_MS);
		if (getppid() != agent)
			_exit(0);
		silent = now_ns() - atomic_load(&wp->last_progress_ns);
		if (atomic_load(&wp->armed) && !atomic_load(&wp->fired) && silent >= limit_ns) {
			atomic_store(&wp->fired, true);
			dump(silent);
		}
	}
}

void stuck_watch_start(int step_timeout_s)
{
	pid_t agent = getpid(), pid;

	limit_ns = (uint64_t)(step_timeout_s > 1 ? step_timeout_s : 1) * 2000000000ULL / 3;
	wp = mmap(NULL, sizeof(*wp), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (wp == MAP_FAILED) {
		wp = NULL;
		emit_warning("stuck watch: mmap: %s: no sysrq dump on a stuck step", strerror(errno));
		return;
	}
	stuck_progress();
	pid = fork();
	if (pid < 0) {
		emit_warning("stuck watch: fork: %s: no sysrq dump on a stuck step", strerror(errno));
		return;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		watch(agent);
	}
}

void stuck_progress(void)
{
	if (!wp)
		return;
	atomic_store(&wp->last_progress_ns, now_ns());
	atomic_store(&wp->fired, false);
}

void stuck_arm(const char *name)
{
	if (!wp)
		return;
	atomic_fetch_add(&wp->phase_seq, 1);
	snprintf(wp->phase, sizeof(wp->phase), "%s", name ? name : "");
	atomic_fetch_add(&wp->phase_seq, 1);
	stuck_progress();
	atomic_store(&wp->armed, name != NULL);
}
