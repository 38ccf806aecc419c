/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_NMISAMPLE_H
#define ZD_NMISAMPLE_H

/*
 * Where a stuck step spins: the NMI backtraces (sysrq-l) the agent asks
 * for when a workload stops making progress (workloads/agent/stuck.c),
 * read from the console by the classifier.
 */
struct nmi_samples;

/*
 * Feed one console message (the printk prefix removed). Nothing is kept
 * before the agent's "zdbench: stuck: ... sysrq-l" marker; *ns is
 * allocated at the marker.
 */
void nmi_samples_line(struct nmi_samples **ns, const char *m);
/*
 * The innermost frame that every sample of the spinning task holds
 * ("NMI backtrace for cpu N" blocks of x86 6.x layout: the RIP, then the
 * reliable frames of the <TASK> part; idle CPUs, kernel threads and the
 * sysrq writer's own CPU left out), clone suffixes dropped; NULL if no
 * sample qualifies or they share no frame. Allocated.
 */
char *nmi_samples_spin(const struct nmi_samples *ns);
/* How many samples of a spinning task were read (for tests and reports). */
unsigned int nmi_samples_count(const struct nmi_samples *ns);
void nmi_samples_free(struct nmi_samples *ns);

#endif
