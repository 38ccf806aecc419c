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
 * timeouts. /proc/sysrq-trigger takes every key whatever kernel.sysrq
 * says; a kernel without CONFIG_MAGIC_SYSRQ just gets the marker.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"

#define STUCK_SAMPLES 8
#define STUCK_GAP_MS 250
#define STUCK_POLL_MS 500

static _Atomic uint64_t last_progress_ns;
static _Atomic bool armed, fired;
static uint64_t limit_ns;
static char phase[160];
static pthread_mutex_t phase_mu = PTHREAD_MUTEX_INITIALIZER;

static void nap_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

static void dump(uint64_t silent_ns)
{
	char name[160];
	int i, ret = 0;

	pthread_mutex_lock(&phase_mu);
	snprintf(name, sizeof(name), "%s", phase);
	pthread_mutex_unlock(&phase_mu);
	kmsg("stuck: no progress for %llu s in %s: sysrq-l x%d",
	     (unsigned long long)(silent_ns / 1000000000ULL), name, STUCK_SAMPLES);
	for (i = 0; i < STUCK_SAMPLES && !ret; i++) {
		ret = write_file("/proc/sysrq-trigger", "l");
		nap_ms(STUCK_GAP_MS);
	}
	if (ret)
		kmsg("stuck: /proc/sysrq-trigger: %s", strerror(-ret));
}

static void *watch(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t silent;

		nap_ms(STUCK_POLL_MS);
		silent = now_ns() - atomic_load(&last_progress_ns);
		if (atomic_load(&armed) && !atomic_load(&fired) && silent >= limit_ns) {
			atomic_store(&fired, true);
			dump(silent);
		}
	}
	return NULL;
}

void stuck_watch_start(int step_timeout_s)
{
	pthread_t t;

	limit_ns = (uint64_t)(step_timeout_s > 1 ? step_timeout_s : 1) * 2000000000ULL / 3;
	stuck_progress();
	if (pthread_create(&t, NULL, watch, NULL)) {
		emit_warning("stuck watch: cannot start its thread: no sysrq dump on a stuck step");
		return;
	}
	pthread_detach(t);
}

void stuck_progress(void)
{
	atomic_store(&last_progress_ns, now_ns());
	atomic_store(&fired, false);
}

void stuck_arm(const char *name)
{
	pthread_mutex_lock(&phase_mu);
	snprintf(phase, sizeof(phase), "%s", name ? name : "");
	pthread_mutex_unlock(&phase_mu);
	stuck_progress();
	atomic_store(&armed, name != NULL);
}
