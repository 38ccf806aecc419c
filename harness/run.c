// SPDX-License-Identifier: GPL-2.0
/*
 * The main job: variants x workloads. Build each kernel (cached), assemble
 * the guest image (cached), boot each variant once with a plan covering its
 * workloads, then harvest the agent's JSON and classify the console.
 */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <sys/wait.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "classify.h"
#include "harvest.h"
#include "image.h"
#include "ksrc.h"
#include "machine.h"
#include "metric.h"
#include "stats.h"
#include "util.h"
#include "verdict.h"
#include "wlkind.h"

struct json_object *plan_json(const struct zd_config *c, const struct backend_ops *be,
			      const char *run_id, const char *variant, const struct kfacts *kf)
{
	struct json_object *p = json_object_new_object();
	struct json_object *wa = json_object_new_array();

	json_object_object_add(p, "schema", json_object_new_string("zdbench.plan/1"));
	json_object_object_add(p, "run_id", json_object_new_string(run_id));
	json_object_object_add(p, "variant", json_object_new_string(variant));
	be->plan_fields(c, p); /* pmem_mode and what the agent may touch */
	json_object_object_add(p, "dax_mode", json_object_new_string(c->dax_mode));
	json_object_object_add(p, "fs", json_object_new_string(c->fs));
	json_object_object_add(p, "step_timeout", json_object_new_int(c->step_timeout));
	/* The agent gives up a little before the host kills the guest. */
	json_object_object_add(p, "teardown_timeout",
			       json_object_new_int(c->teardown_timeout * 3 / 4 + 1));
	json_object_object_add(p, "teardown", json_object_new_boolean(c->teardown));
	for (size_t i = 0; i < c->run_workloads.n; i++) {
		const struct zd_workload *w = config_workload(c, c->run_workloads.v[i]);
		struct json_object *wo = json_object_new_object();
		struct json_object *pa = json_object_new_object();

		json_object_object_add(wo, "name", json_object_new_string(w->name));
		json_object_object_add(wo, "kind", json_object_new_string(w->kind));
		json_object_object_add(wo, "dax_mode", json_object_new_string(wl_dax_mode(c, w)));
		if (wl_fs(c, w))
			json_object_object_add(wo, "fs", json_object_new_string(wl_fs(c, w)));
		json_object_object_add(wo, "reps", json_object_new_int(c->reps));
		wl_plan_params(c, w, pa);
		json_object_object_add(wo, "params", pa);
		json_object_array_add(wa, wo);
	}
	json_object_object_add(p, "workloads", wa);
	/* what the kernel does that the workloads' proofs depend on */
	if (kf)
		json_object_object_add(p, "kernel", kfacts_json(kf));
	return p;
}

static char *make_run_id(void)
{
	char buf[64];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &tm);
	return xasprintf("%s-%d", buf, (int)getpid());
}

void print_summary(FILE *f, struct zd_result *res, size_t n)
{
	const struct zd_metric *m = &zd_metrics[0]; /* the headline metric */

	fprintf(f, "\n%-12s %-22s %-10s %4s %12s %8s %10s %10s  %s\n", "variant",
		"workload", "medium", "n", "ns/page(med)", "cv%", "pins+", "pins-", "verdict");
	for (size_t i = 0; i < n; i++) {
		struct zd_result *r = &res[i];
		struct zd_summary sm;
		size_t nv;
		double *v = metric_values(m, r, &nv);
		int64_t acq = 0, rel = 0;

		for (size_t j = 0; j < r->nr_samples; j++) {
			acq += r->samples[j].pin_acquired;
			rel += r->samples[j].pin_released;
		}
		summarize(v, nv, &sm);
		fprintf(f, "%-12s %-22s %-10s %4zu %12.1f %8.2f %10lld %10lld  %s%s%s\n",
			r->variant, r->workload, r->medium ? r->medium : "-", r->nr_samples,
			nv ? sm.median : 0, nv > 1 && sm.mean > 0 ? 100 * sm.cv : 0,
			(long long)acq, (long long)rel, r->verdict,
			r->timeout ? " timeout=" : "", r->timeout ? r->timeout : "");
		free(v);
	}
}

/*
 * The host (uname, CPUs) and the machine's identity (machine.h): the id
 * each result carries is vc's machine.
 */
static void host_info(struct json_object *run, const struct zd_machine *m)
{
	struct utsname u;
	struct json_object *h = json_object_new_object();

	if (!uname(&u)) {
		json_object_object_add(h, "release", json_object_new_string(u.release));
		json_object_object_add(h, "machine", json_object_new_string(u.machine));
	}
	json_object_object_add(h, "cpus", json_object_new_int(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(run, "host", h);
	json_object_object_add(run, "machine", machine_json(m));
}

struct variant_ctx {
	const struct zd_config *c;
	unsigned int rounds;	/* --interleave: boots per variant, alternating */
	const struct run_opts *o;
	const struct backend_ops *be;
	const char *run_id, *run_dir, *accel;
	const struct zd_image *img;
	struct json_object *run_json;
	unsigned int jobs;	/* guests booted at once (-j), >= 1 */
	struct zd_machine machine;	/* where this run measures */
};

static void init_results(const struct variant_ctx *vc, const struct zd_kernel *k,
			 struct zd_result *res)
{
	const struct zd_config *c = vc->c;

	for (size_t i = 0; i < c->run_workloads.n; i++) {
		const struct zd_workload *w = config_workload(c, c->run_workloads.v[i]);
		struct zd_result *r = &res[i];
		char *medium = wl_medium(c, w);

		result_init(r);
		r->run_id = xstrdup(vc->run_id);
		r->machine = xstrdup(vc->machine.id);
		r->variant = xstrdup(k->variant);
		r->workload = xstrdup(w->name);
		r->kind = xstrdup(w->kind);
		for (size_t j = 0; j < w->nr_params; j++) {
			strv_push(&r->param_keys, w->params[j].key);
			strv_push(&r->param_vals, w->params[j].val);
		}
		r->commit = xstrdup(k->commit);
		r->kernel_key = xstrdup(k->key);
		r->config_hash = xstrdup(k->config_hash);
		r->compiler = xstrdup(k->compiler);
		r->patches_hash = xstrdup(k->patches_hash);
		r->kernel_facts = kfacts_json(&k->facts);
		r->guests = vc->jobs;
		r->backend = xstrdup(vc->be->name);
		r->accel = xstrdup(vc->accel);
		r->clock = xstrdup(c->clock);
		r->pmem = vc->be->describe_pmem(c, medium);
		r->medium = medium;
		r->reproducer = xstrdup(vc->o->reproducer ? vc->o->reproducer : "");
	}
}

static int write_results(const char *dir, struct zd_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s.json", dir, res[i].workload);
		int e = result_write(p, &res[i]);

		free(p);
		if (e)
			return -1;
	}
	return 0;
}

static int write_run_json(const struct variant_ctx *vc);

/* The folder of one boot: the variant's, or with --interleave its boot<round>/. */
static char *boot_dir(const struct variant_ctx *vc, const struct zd_kernel *k, unsigned int round)
{
	char *vdir = path_join(vc->run_dir, k->variant);
	char *dir;

	if (vc->rounds == 1)
		return vdir;
	dir = xasprintf("%s/boot%u", vdir, round);
	free(vdir);
	return dir;
}

/*
 * One boot of one variant: plan, image, boot, verdict; its results go to
 * the boot's folder as <workload>.json and what run.json keeps of the boot
 * to boot.json there. Nothing else is touched, so boots can run in child
 * processes side by side (-j) and collect_variant() reads them back.
 * 0, or -1 when the boot could not start or its results not be written.
 */
static int boot_variant(const struct variant_ctx *vc, const struct zd_kernel *k, unsigned int round)
{
	const struct zd_config *c = vc->c;
	size_t n = c->run_workloads.n;
	char *dir = boot_dir(vc, k, round);
	struct zd_result *res = xcalloc(n, sizeof(*res));
	char *initrd = path_join(dir, "initrd.cpio"), *planp = path_join(dir, "plan.json");
	char *con = path_join(dir, "console.log"), *resl = path_join(dir, "results.jsonl");
	char *qlog = path_join(dir, vc->be->log_name), *bj = path_join(dir, "boot.json");
	struct json_object *plan = plan_json(c, vc->be, vc->run_id, k->variant, &k->facts);
	struct boot_req req = {
		.cfg = c, .variant = k->variant, .bzimage = k->bzimage, .initrd = initrd, .plan = planp,
		.console_log = con, .results_log = resl, .qemu_log = qlog,
		.scratch_dir = dir, .accel = vc->accel,
	};
	struct boot_out bo = { 0 };
	struct classification cl = { 0 };
	struct agent_report rep = { 0 };
	struct json_object *b = NULL;
	double started = 0; /* epoch seconds: -j boots overlap, run.json shows it */
	int ret = -1;

	if (mkdir_p(dir, 0755)) {
		zd_err("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	unlink(bj); /* a boot.json left from before would pass for this boot's */
	init_results(vc, k, res);
	if (vc->rounds > 1) {
		/* each of the alternating boots does its share of repetitions */
		struct json_object *wa;
		unsigned int per = (c->reps + vc->rounds - 1) / vc->rounds;

		json_object_object_get_ex(plan, "workloads", &wa);
		for (size_t i = 0; i < json_object_array_length(wa); i++)
			json_object_object_add(json_object_array_get_idx(wa, i), "reps",
					       json_object_new_int(per));
	}
	if (zd_json_write(planp, plan) ||
	    ((vc->be->flags & BE_NEEDS_IMAGE) && image_with_plan(vc->img, plan, initrd)))
		goto out;
	{
		char rbuf[48] = "", *line;

		if (vc->rounds > 1)
			snprintf(rbuf, sizeof(rbuf), " round %u/%u", round + 1, vc->rounds);
		line = vc->be->announce(c, k, rbuf, vc->accel);
		zd_info("%s", line);
		free(line);
	}
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		started = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	}
	if (vc->be->boot(&req, &bo) && bo.start_failed)
		goto out;
	unlink(initrd); /* a copy of the cached image: plan.json is kept */
	if (verdict_boot(con, resl, &bo, res, n, &cl, &rep, c->oom_fails))
		goto out;
	for (size_t i = 0; i < n; i++) {
		res[i].kernel_cmdline = xstrdup(bo.cmdline ? bo.cmdline : "");
		res[i].qemu_cmdline = strv_join_quoted(&bo.argv);
	}
	if (write_results(dir, res, n))
		goto out;
	b = json_object_new_object();
	json_object_object_add(b, "variant", json_object_new_string(k->variant));
	json_object_object_add(b, "round", json_object_new_int(round));
	json_object_object_add(b, "verdict", json_object_new_string(verdict_name(cl.verdict)));
	json_object_object_add(b, "timeout", bo.timeout ? json_object_new_string(bo.timeout) : NULL);
	json_object_object_add(b, "started", json_object_new_double(started));
	json_object_object_add(b, "wall_secs", json_object_new_double(bo.wall_secs));
	json_object_object_add(b, "boot_to_agent_secs", json_object_new_double(bo.boot_secs));
	json_object_object_add(b, "qemu_exit", json_object_new_int(bo.exit_code));
	json_object_object_add(b, "guests", json_object_new_int(vc->jobs));
	if (zd_json_write(bj, b))
		goto out;
	zd_info("%s: %s in %.1fs (boot to agent %.1fs)%s%s", k->variant,
		verdict_name(cl.verdict), bo.wall_secs, bo.boot_secs,
		bo.timeout ? ", timeout: " : "", bo.timeout ? bo.timeout : "");
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		result_free(&res[i]);
	free(res);
	json_object_put(b);
	json_object_put(plan);
	boot_out_free(&bo);
	classification_free(&cl);
	agent_report_free(&rep);
	free(dir);
	free(initrd);
	free(planp);
	free(con);
	free(resl);
	free(qlog);
	free(bj);
	return ret;
}

/*
 * The boot's results, read back from its folder into acc (n workloads),
 * merged with the earlier rounds' under --interleave (and the merge
 * written to the variant folder: a killed run keeps what it measured);
 * its boot.json appended to run.json's boots. 0, or -1 (reported).
 */
static int collect_variant(const struct variant_ctx *vc, const struct zd_kernel *k,
			   struct zd_result *acc, unsigned int round)
{
	size_t n = vc->c->run_workloads.n;
	char *dir = boot_dir(vc, k, round), *bj = path_join(dir, "boot.json");
	struct json_object *b = zd_json_read(bj), *boots;
	int ret = -1;

	if (!b) {
		zd_err("%s: the boot of %s left no record", bj, k->variant);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *wl = vc->c->run_workloads.v[i];
		char *p = xasprintf("%s/%s.json", dir, wl), *err = NULL;
		struct zd_result r;
		int e = result_read(p, &r, &err);

		if (e)
			zd_err("%s: %s", p, err ? err : "unreadable");
		free(err);
		free(p);
		if (e)
			goto out;
		if (vc->rounds > 1) {
			verdict_merge(&acc[i], &r);
			result_free(&r);
		} else {
			result_free(&acc[i]);
			acc[i] = r;
		}
	}
	if (vc->rounds > 1) {
		char *vdir = path_join(vc->run_dir, k->variant);
		int e = write_results(vdir, acc, n);

		free(vdir);
		if (e)
			goto out;
	}
	if (!json_object_object_get_ex(vc->run_json, "boots", &boots)) {
		boots = json_object_new_array();
		json_object_object_add(vc->run_json, "boots", boots);
	}
	json_object_array_add(boots, json_object_get(b));
	ret = 0;
out:
	json_object_put(b);
	free(dir);
	free(bj);
	return ret;
}

/*
 * One round: every variant booted once, up to vc->jobs at a time, each
 * boot in a child process of its own (a guest is a process anyway; the
 * child only writes into its boot folder), then collected in variant
 * order so the results and run.json do not depend on which finished
 * first. With one job nothing is forked. 0, or -1: a boot could not start
 * or be collected (the others still run to their end, and are recorded).
 */
static int run_round(struct variant_ctx *vc, const struct zd_kernel *ks, size_t nv,
		     struct zd_result *res, unsigned int round)
{
	size_t nw = vc->c->run_workloads.n, next = 0, running = 0;
	int ret = 0;

	if (vc->jobs <= 1) {
		for (size_t v = 0; v < nv; v++) {
			if (boot_variant(vc, &ks[v], round) || collect_variant(vc, &ks[v], &res[v * nw], round))
				return -1;
			write_run_json(vc); /* after each boot: a killed run keeps it */
		}
		return 0;
	}
	fflush(stdout);
	fflush(stderr);
	while (next < nv || running) {
		int st;
		pid_t pid;

		if (next < nv && running < vc->jobs) {
			pid = fork();
			if (pid < 0) {
				zd_err("fork: %s", strerror(errno));
				ret = -1;
				next = nv; /* start no more; wait for the running ones */
				continue;
			}
			if (!pid)
				_exit(boot_variant(vc, &ks[next], round) ? 1 : 0);
			next++;
			running++;
			continue;
		}
		pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		running--;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			ret = -1; /* the boot said why; collected below as far as it got */
	}
	for (size_t v = 0; v < nv; v++)
		if (collect_variant(vc, &ks[v], &res[v * nw], round))
			ret = -1;
	write_run_json(vc);
	return ret;
}

static struct json_object *kernel_json(const struct zd_kernel *k)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "variant", json_object_new_string(k->variant));
	json_object_object_add(o, "commit", json_object_new_string(k->commit));
	json_object_object_add(o, "key", json_object_new_string(k->key));
	json_object_object_add(o, "config_sha256", json_object_new_string(k->config_hash));
	json_object_object_add(o, "patches_sha256", json_object_new_string(k->patches_hash));
	json_object_object_add(o, "compiler", json_object_new_string(k->compiler));
	json_object_object_add(o, "cached", json_object_new_boolean(k->cached));
	/* this run's make, or the one that filled the cache */
	json_object_object_add(o, "build_seconds", json_object_new_double(k->build_secs));
	json_object_object_add(o, "kind", json_object_new_string(k->kind ? k->kind : "build"));
	json_object_object_add(o, "facts", kfacts_json(&k->facts));
	return o;
}

static void run_json_init(struct variant_ctx *vc, const struct zd_ksrc *s,
			  const struct zd_image *img, const char *accel_note)
{
	const struct zd_config *c = vc->c;
	struct json_object *r = json_object_new_object();
	struct json_object *tools = json_object_new_array();
	struct json_object *boot = json_object_new_object();
	char *cmdline = kernel_cmdline(c);

	json_object_object_add(r, "schema", json_object_new_string(ZD_RUN_SCHEMA));
	json_object_object_add(r, "run_id", json_object_new_string(vc->run_id));
	json_object_object_add(r, "status", json_object_new_string("running"));
	json_object_object_add(r, "started", json_object_new_int64(time(NULL)));
	host_info(r, &vc->machine);
	json_object_object_add(r, "kernel_tree", json_object_new_string(s->tree ? s->tree : ""));
	json_object_object_add(r, "kernel_base", json_object_new_string(s->base ? s->base : ""));
	json_object_object_add(r, "kernel_describe",
			       json_object_new_string(s->describe ? s->describe : ""));
	json_object_object_add(boot, "backend", json_object_new_string(vc->be->name));
	json_object_object_add(boot, "accel", json_object_new_string(vc->accel));
	json_object_object_add(boot, "accel_note", json_object_new_string(accel_note ? accel_note : ""));
	json_object_object_add(boot, "clock", json_object_new_string(c->clock));
	json_object_object_add(boot, "kernel_cmdline", json_object_new_string(cmdline));
	json_object_object_add(boot, "memory_mib", json_object_new_int(c->mem_mib));
	json_object_object_add(boot, "cpus", json_object_new_int(c->cpus));
	json_object_object_add(boot, "dax_mode", json_object_new_string(c->dax_mode));
	json_object_object_add(boot, "fs", json_object_new_string(c->fs));
	vc->be->boot_json(c, boot, tools);
	json_object_object_add(r, "boot", boot);
	for (size_t i = 0; img && i < img->tools.n; i++)
		json_object_array_add(tools, json_object_new_string(img->tools.v[i]));
	json_object_object_add(r, "tools", tools);
	json_object_object_add(r, "image_sha256", json_object_new_string(img ? img->key : ""));
	json_object_object_add(r, "reproducer",
			       json_object_new_string(vc->o->reproducer ? vc->o->reproducer : ""));
	json_object_object_add(r, "kernels", json_object_new_array());
	{ /* with kernels, what a complete run folder holds (merge checks it) */
		struct json_object *wa = json_object_new_array();

		for (size_t i = 0; i < c->run_workloads.n; i++)
			json_object_array_add(wa, json_object_new_string(c->run_workloads.v[i]));
		json_object_object_add(r, "workloads", wa);
	}
	vc->run_json = r;
	free(cmdline);
}

static int write_run_json(const struct variant_ctx *vc)
{
	char *p = path_join(vc->run_dir, "run.json");
	int ret = zd_json_write(p, vc->run_json);

	free(p);
	return ret;
}

/*
 * Every workload of the plan can run on every kernel, by what its sources
 * say (kfacts.c): else ZD_EXIT_USAGE with each misfit named, before a boot.
 */
static int kernels_fit_plan(const struct zd_config *c, const struct zd_kernel *ks)
{
	int bad = 0;

	for (size_t i = 0; i < c->variants.n; i++)
		for (size_t j = 0; j < c->run_workloads.n; j++) {
			char *why = wl_kernel_check(config_workload(c, c->run_workloads.v[j]),
						    &ks[i].facts);

			if (why)
				zd_err("variant %s (%s %s): %s", ks[i].variant,
				       ks[i].facts.version[0] ? "kernel" : "kernel version",
				       ks[i].facts.version[0] ? ks[i].facts.version : "unknown", why);
			bad |= why != NULL;
			free(why);
		}
	return bad ? ZD_EXIT_USAGE : ZD_EXIT_CLEAN;
}

/*
 * The kernels to run, into ks[0..*nv): the variants built (all cached)
 * for a backend that builds them, else the backend's own (one: the
 * running kernel, note says which); then the guest image, if it boots one.
 */
int run_prepare(const struct zd_config *c, const struct backend_ops *be, struct run_opts *o,
		struct zd_ksrc *src, struct zd_kernel *ks, size_t *nv,
		struct zd_image *img, char **note)
{
	if (be->preflight && (o->fail_exit = be->preflight(c)))
		return -1;
	if (!(be->flags & BE_BUILDS_KERNEL)) {
		if (be->prepare(c, &ks[0], note)) {
			o->fail_exit = ZD_EXIT_USAGE; /* a refusal: the config names the wrong thing */
			return -1;
		}
		*nv = 1;
	} else {
		o->failed_stage = STAGE_SOURCE;
		if (ksrc_prepare(c, src))
			return -1;
		o->failed_stage = STAGE_BUILD;
		/* every variant's input checked before the first build's minutes */
		if ((o->fail_exit = kbuild_check_variants(c, src)))
			return -1;
		for (size_t i = 0; i < c->variants.n; i++)
			if (kbuild_variant(c, src, c->variants.v[i], &ks[i])) {
				o->fail_exit = kbuild_exit(&ks[i]);
				return -1;
			}
		if ((o->fail_exit = kernels_fit_plan(c, ks)))
			return -1;
	}
	if (!(be->flags & BE_NEEDS_IMAGE))
		return 0;
	o->failed_stage = STAGE_IMAGE;
	return image_build(c, img);
}

/*
 * The run folder, then the accelerator: a backend that boots an image
 * probes with the first kernel and an image of an empty plan.
 */
static int probe_accel(const struct variant_ctx *vc, const char *rd, const struct zd_kernel *ks,
		       char **accel, char **note)
{
	const struct zd_config *c = vc->c;
	bool image = vc->be->flags & BE_NEEDS_IMAGE;
	char *img2 = image ? path_join(rd, ".probe-initrd.cpio") : NULL, *pnote = NULL;

	if (mkdir_p(rd, 0755)) {
		zd_err("cannot create %s: %s", rd, strerror(errno));
		free(img2);
		return -1;
	}
	if (image) {
		struct json_object *empty = plan_json(c, vc->be, vc->run_id, "kvm-probe", NULL);

		/* without its initrd the probe fails and KVM would be judged unusable */
		if (image_with_plan(vc->img, empty, img2)) {
			zd_err("KVM probe: cannot write its initrd %s", img2);
			free(img2);
			json_object_put(empty);
			return -1;
		}
		json_object_put(empty);
	}
	vc->be->probe(c, image ? ks[0].bzimage : NULL, img2, rd, accel, &pnote);
	if (pnote) { /* why this accelerator says more than how the kernel was found */
		free(*note);
		*note = pnote;
	}
	if (img2)
		unlink(img2);
	free(img2);
	return 0;
}

unsigned int run_default_jobs(const struct zd_config *c, bool kvm)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long long avail_kib = 0;
	char *mi = read_file("/proc/meminfo", NULL), *p;
	unsigned int n = (unsigned int)(cpus > 0 ? cpus : 1);

	if (kvm && c->cpus > 1)
		n /= c->cpus;
	if (mi && (p = strstr(mi, "MemAvailable:")))
		avail_kib = strtoull(p + strlen("MemAvailable:"), NULL, 10);
	free(mi);
	if (avail_kib) {
		unsigned long long per = ((unsigned long long)c->mem_mib + 256) * 1024;

		if (avail_kib / per < n)
			n = (unsigned int)(avail_kib / per);
	}
	return n ? n : 1;
}

int run_matrix(const struct zd_config *c, struct run_opts *o,
	       char **run_dir)
{
	struct variant_ctx vc = { .c = c, .o = o, .rounds = o->interleave ? o->interleave : 1 };
	struct zd_ksrc src = { 0 };
	struct zd_image img = { 0 };
	struct zd_kernel *ks = xcalloc(c->variants.n, sizeof(*ks));
	size_t nw = c->run_workloads.n, nv = c->variants.n;
	struct zd_result *res = xcalloc(nv * nw, sizeof(*res));
	char *run_id = make_run_id(), *accel = NULL, *note = NULL, *rd = NULL;
	int ret = ZD_EXIT_INFRA, worst = ZD_EXIT_CLEAN;

	o->failed_stage = STAGE_SETUP;
	vc.be = backend_find(o->backend ? o->backend : "qemu");
	if (!vc.be) {
		char *names = backend_names();

		zd_err("unknown backend '%s' (%s)", o->backend, names);
		free(names);
		ret = ZD_EXIT_USAGE;
		goto out;
	}
	{ /* the pmem kind is the plan's pmem_mode: the backend says it once */
		struct json_object *pf = json_object_new_object();

		vc.be->plan_fields(c, pf);
		machine_probe(c->machine, vc.be->name, jstr(pf, "pmem_mode"), &vc.machine);
		json_object_put(pf);
	}
	rd = o->out_dir ? xstrdup(o->out_dir) : xasprintf("%s/%s", c->results_dir, run_id);
	{
		/* results of two runs in one folder would read as one run's */
		char *rj = path_join(rd, "run.json");
		bool taken = path_exists(rj);

		free(rj);
		if (taken) {
			zd_err("%s holds a run already (run.json): give -o a new folder", rd);
			ret = ZD_EXIT_USAGE;
			goto out;
		}
	}
	vc.run_id = run_id;
	vc.run_dir = rd;
	if (vc.be->flags & BE_NEEDS_IMAGE)
		vc.img = &img;
	if (run_prepare(c, vc.be, o, &src, ks, &nv, &img, &note) ||
	    probe_accel(&vc, rd, ks, &accel, &note))
		goto out;
	o->failed_stage = STAGE_BOOT;
	if (note)
		zd_info("%s", note);
	vc.accel = accel;
	/* one machine's kernel for the host backend; guests only for a backend that boots images */
	vc.jobs = !(vc.be->flags & BE_NEEDS_IMAGE) ? 1
		  : o->jobs ? o->jobs : run_default_jobs(c, !strcmp(accel, "kvm"));
	if (vc.jobs > nv)
		vc.jobs = nv ? (unsigned int)nv : 1;
	if (vc.jobs > 1)
		zd_info("%u guests at once (-j)%s", vc.jobs,
			strcmp(c->clock, "icount") ? "; wall-clock figures share the machine" : "");
	run_json_init(&vc, &src, vc.img, note);
	json_object_object_add(vc.run_json, "guests", json_object_new_int(vc.jobs));
	if (write_run_json(&vc))
		goto out;
	for (size_t v = 0; v < nv; v++) {
		struct json_object *kernels;

		json_object_object_get_ex(vc.run_json, "kernels", &kernels);
		json_object_array_add(kernels, kernel_json(&ks[v]));
	}
	/* --interleave: base, patched, base, patched ... so drift hits all alike */
	for (unsigned int round = 0; round < vc.rounds; round++)
		if (run_round(&vc, ks, nv, res, round))
			goto out;
	/* a kernel failure anywhere outranks infrastructure trouble elsewhere */
	for (size_t i = 0; i < nv * nw; i++) {
		enum zd_verdict v = V_FAIL; /* an unknown verdict is no clean one */

		verdict_parse(res[i].verdict, &v);
		worst = zd_exit_worse(worst, verdict_exit(v));
		if (v == V_CLEAN && !res[i].ok)
			worst = zd_exit_worse(worst, ZD_EXIT_KERNEL);
	}
	json_object_object_add(vc.run_json, "status", json_object_new_string("complete"));
	json_object_object_add(vc.run_json, "finished", json_object_new_int64(time(NULL)));
	if (write_run_json(&vc))
		goto out;
	print_summary(o->summary_out ? o->summary_out : stdout, res, nv * nw);
	fprintf(o->summary_out ? o->summary_out : stdout, "\nresults: %s\n", rd);
	if (o->out_set) { /* hand the results over, as a loader would group them */
		run_set_init(o->out_set, rd);
		for (size_t i = 0; i < nv * nw; i++)
			run_set_take(o->out_set, &res[i]);
	}
	o->failed_stage = STAGE_NONE;
	ret = worst;
out:
	if (o->failed_stage != STAGE_NONE && o->fail_exit)
		ret = o->fail_exit;
	for (size_t i = 0; i < nv * nw; i++)
		result_free(&res[i]);
	free(res);
	for (size_t i = 0; i < nv; i++)
		kernel_free(&ks[i]);
	free(ks);
	ksrc_free(&src);
	image_free(&img);
	json_object_put(vc.run_json);
	machine_free(&vc.machine);
	free(run_id);
	free(accel);
	free(note);
	if (run_dir)
		*run_dir = rd;
	else
		free(rd);
	return ret;
}
