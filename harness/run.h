/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_RUN_H
#define ZD_RUN_H

#include <stdio.h>

#include "config.h"
#include "exitcode.h"
#include "kbuild.h"
#include "result.h"
#include "runset.h"

struct run_opts {
	const char *backend;	/* "qemu" */
	const char *out_dir;	/* explicit run folder, else results_dir/<id> */
	const char *reproducer;	/* the command line that reproduces this run */
	unsigned int interleave; /* boots per variant, alternating (0, 1: one) */
	unsigned int jobs;	/* guests at once (-j); 0: run_default_jobs() */
	/* where the summary table goes: NULL stdout (stderr when a report takes stdout) */
	FILE *summary_out;
	/* optional out: on a finished matrix, the results (moved in) */
	struct run_set *out_set;
	/* out: the stage a non-verdict exit came from */
	enum { STAGE_NONE, STAGE_SETUP, STAGE_SOURCE, STAGE_BUILD, STAGE_IMAGE,
	       STAGE_BOOT } failed_stage;
	/* out: what a failed stage means when it knows better than infra (3) */
	int fail_exit;
};

/*
 * Exit status (exitcode.h): 0 all clean; 1 a workload failed, hung or
 * crashed, or a kernel does not build; 2 a configuration error found late
 * (unknown backend or variant, a bad fragment); 3 infrastructure (QEMU or
 * the kernel source missing, the image, a boot that produced no verdict
 * about the kernel). failed_stage says where a non-verdict exit came from.
 */
int run_matrix(const struct zd_config *c, struct run_opts *o,
	       char **run_dir);
/*
 * How many guests to boot at once when -j is not given: one per online CPU
 * (a TCG guest runs on one host thread; a KVM guest of [qemu] cpus vCPUs
 * on that many), bounded by MemAvailable / ([qemu] memory_mib + 256 MiB of
 * QEMU's own), at least 1. The host backend always runs one.
 */
unsigned int run_default_jobs(const struct zd_config *c, bool kvm);
struct backend_ops;
struct zd_ksrc;
struct zd_image;
/*
 * What run_matrix does before the first boot, for a caller that boots
 * elsewhere (zdbench lava --write): the backend's preflight, the kernels
 * into ks[0..*nv) (c->variants.n slots; built or from the cache; or the
 * backend's own), and the guest image if the backend boots one. 0, or -1
 * with o->failed_stage and o->fail_exit set as run_matrix sets them.
 */
int run_prepare(const struct zd_config *c, const struct backend_ops *be, struct run_opts *o,
		struct zd_ksrc *src, struct zd_kernel *ks, size_t *nv,
		struct zd_image *img, char **note);
struct kfacts;
/*
 * The plan the agent reads (/zdbench/plan.json); the backend adds its
 * fields. kf: the kernel's facts (the plan's "kernel" object, which the
 * workloads' proofs follow), or NULL for a plan that runs no workload.
 */
struct json_object *plan_json(const struct zd_config *c, const struct backend_ops *be,
			      const char *run_id, const char *variant, const struct kfacts *kf);
void print_summary(FILE *f, struct zd_result *res, size_t n);

#endif
