// SPDX-License-Identifier: GPL-2.0
/*
 * The main job: variants x workloads. Build each kernel (cached), assemble
 * the guest image (cached), boot each variant once with a plan covering its
 * workloads, then harvest the agent's JSON and classify the console.
 */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
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
#include "proc.h"
#include "util.h"
#include "wlkind.h"

struct json_object *plan_json(const struct zd_config *c, const char *run_id,
			      const char *variant, bool host)
{
	struct json_object *p = json_object_new_object();
	struct json_object *wa = json_object_new_array();

	json_object_object_add(p, "schema", json_object_new_string("zdbench.plan/1"));
	json_object_object_add(p, "run_id", json_object_new_string(run_id));
	json_object_object_add(p, "variant", json_object_new_string(variant));
	json_object_object_add(p, "pmem_mode", json_object_new_string(host ? "host" : c->pmem));
	json_object_object_add(p, "dax_mode", json_object_new_string(c->dax_mode));
	json_object_object_add(p, "fs", json_object_new_string(c->fs));
	if (host) {
		/* a real machine: its namespace only, its sysctls left alone */
		json_object_object_add(p, "namespace", json_object_new_string(c->host_ns));
		json_object_object_add(p, "mountpoint", json_object_new_string(c->host_mountpoint));
		json_object_object_add(p, "nvdimm_init_labels", json_object_new_boolean(false));
	} else {
		json_object_object_add(p, "mountpoint", json_object_new_string("/mnt/dax"));
		json_object_object_add(p, "hung_task_timeout",
				       json_object_new_int(c->hung_task_timeout));
	}
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
		for (size_t j = 0; j < w->nr_params; j++) {
			const struct zd_param *pp = &w->params[j];

			json_object_object_add(pa, pp->key,
					       wl_param_is_uint(w->kind, pp->key) ?
					       json_object_new_int64(strtoull(pp->val, NULL, 10)) :
					       json_object_new_string(pp->val));
		}
		if (!strcmp(w->kind, "fio")) {
			/* the job travels in the plan: the agent needs no project tree */
			char *jp = wl_fio_job_path(c, w), *jt = read_file(jp, NULL);

			json_object_object_add(pa, "job_text", json_object_new_string(jt ? jt : ""));
			free(jt);
			free(jp);
		}
		json_object_object_add(wo, "params", pa);
		json_object_array_add(wa, wo);
	}
	json_object_object_add(p, "workloads", wa);
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void print_summary(FILE *f, struct zd_result *res, size_t n)
{
	fprintf(f, "\n%-12s %-22s %-10s %4s %12s %8s %10s %10s  %s\n", "variant",
		"workload", "medium", "n", "ns/page(med)", "cv%", "pins+", "pins-", "verdict");
	for (size_t i = 0; i < n; i++) {
		struct zd_result *r = &res[i];
		double *v = xcalloc(r->nr_samples + 1, sizeof(double));
		double sum = 0, sq = 0, med = 0, cv = 0;
		int64_t acq = 0, rel = 0;

		for (size_t j = 0; j < r->nr_samples; j++) {
			v[j] = r->samples[j].ns_per_page;
			sum += v[j];
			acq += r->samples[j].pin_acquired;
			rel += r->samples[j].pin_released;
		}
		if (r->nr_samples) {
			double mean = sum / r->nr_samples;

			qsort(v, r->nr_samples, sizeof(double), cmp_double);
			med = r->nr_samples % 2 ? v[r->nr_samples / 2] :
			      (v[r->nr_samples / 2 - 1] + v[r->nr_samples / 2]) / 2;
			for (size_t j = 0; j < r->nr_samples; j++)
				sq += (v[j] - mean) * (v[j] - mean);
			if (r->nr_samples > 1 && mean > 0)
				cv = 100 * sqrt(sq / (r->nr_samples - 1)) / mean;
		}
		fprintf(f, "%-12s %-22s %-10s %4zu %12.1f %8.2f %10lld %10lld  %s%s%s\n",
			r->variant, r->workload, r->medium ? r->medium : "-", r->nr_samples, med, cv,
			(long long)acq, (long long)rel, r->verdict,
			r->timeout ? " timeout=" : "", r->timeout ? r->timeout : "");
		free(v);
	}
}

static void host_info(struct json_object *run)
{
	struct utsname u;
	struct json_object *h = json_object_new_object();

	if (!uname(&u)) {
		json_object_object_add(h, "release", json_object_new_string(u.release));
		json_object_object_add(h, "machine", json_object_new_string(u.machine));
	}
	json_object_object_add(h, "cpus", json_object_new_int(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(run, "host", h);
}

static char *qemu_version(const struct zd_config *c)
{
	char *argv[] = { c->qemu, "--version", NULL };
	struct sbuf out = { 0 };
	struct proc_opts o = { .capture = &out, .quiet_stderr = true, .timeout = 30 };
	struct proc_result r;
	char *v;

	if (proc_run(argv, &o, &r) || !out.len) {
		sbuf_free(&out);
		return xstrdup("unknown");
	}
	v = xstrdup(trim(strtok(out.buf, "\n")));
	sbuf_free(&out);
	return v;
}

/* A setup or checks phase of another medium ("setup:devdax"): not ours. */
static bool other_medium(const char *phase, const struct zd_result *r)
{
	const char *colon = strchr(phase, ':');

	if (!colon || (strncmp(phase, "setup:", 6) && strncmp(phase, "checks:", 7)))
		return false;
	return strcmp(colon + 1, r->medium);
}

/*
 * The agent finished not ok only because other workloads failed, or the
 * setup or checks of another medium: each keeps its own verdict. A failed
 * setup or check of its own medium, or any teardown, fails it.
 */
static bool failed_elsewhere(const struct agent_report *rep, const struct zd_result *r)
{
	char *mine = xasprintf("workload:%s", r->workload);
	bool elsewhere = rep->error_phases.n > 0;

	for (size_t i = 0; i < rep->error_phases.n; i++) {
		const char *ph = rep->error_phases.v[i];

		if (other_medium(ph, r))
			continue;
		if (strncmp(ph, "workload:", 9) || !strcmp(ph, mine))
			elsewhere = false;
	}
	free(mine);
	return elsewhere;
}

static bool expects_refusal(const struct zd_result *r)
{
	for (size_t i = 0; i < r->param_keys.n; i++)
		if (!strcmp(r->param_keys.v[i], "expect"))
			return !strcmp(r->param_vals.v[i], "refused");
	return false;
}

/* Fill verdicts from console + agent for every workload of one boot. */
static void judge(struct zd_result *res, size_t n, const struct boot_out *bo,
		  const struct classification *cl, const struct agent_report *rep)
{
	for (size_t i = 0; i < n; i++) {
		struct zd_result *r = &res[i];
		enum zd_verdict v = cl->verdict;

		for (size_t j = 0; j < rep->nr_checks; j++)
			if (!rep->checks[j].medium || !strcmp(rep->checks[j].medium, r->medium))
				result_add_check(r, rep->checks[j].name, rep->checks[j].ok,
						 rep->checks[j].value);
		for (size_t j = 0; j < cl->n; j++) {
			const struct finding *cf = &cl->f[j];
			struct zd_finding *f = result_add_finding(r);

			strv_pushf(&r->signatures, "%s@%s", cf->key, cf->phase);
			f->cls = xstrdup(cf->cls);
			f->key = xstrdup(cf->key);
			f->phase = xstrdup(cf->phase);
			f->text = xstrdup(cf->detail ? cf->detail : "");
			f->msg = cf->msg ? xstrdup(cf->msg) : NULL;
			f->stack = cf->stack ? xstrdup(cf->stack) : NULL;
			f->line = cf->line;
		}
		for (size_t j = 0; j < rep->pgmap_refs.n; j++)
			strv_push(&r->pgmap_refs, rep->pgmap_refs.v[j]);
		for (size_t j = 0; j < rep->phases.nr_phases; j++) {
			const struct zd_phase *sp = &rep->phases.phases[j];
			struct zd_phase *p = result_add_phase(r, sp->name);
			char *nm = p->name;

			*p = *sp;
			p->name = nm;
		}
		if (bo->timeout)
			r->timeout = xstrdup(bo->timeout);
		if (!bo->saw_hello && v == V_CLEAN)
			v = V_INFRA;
		/* The kernel was fine but the workload was not what it claimed. */
		/* a negative control (expect = refused) measures nothing by design */
		if (v == V_CLEAN && (!r->ok || (!r->nr_samples && !expects_refusal(r)))) {
			v = V_FAIL;
			if (!r->msg)
				r->msg = xstrdup(rep->errors.n ? rep->errors.v[0] :
						 "the agent reported no result for this workload");
		}
		if (v == V_CLEAN && (!rep->done || (!rep->done_ok && !failed_elsewhere(rep, r)))) {
			v = V_FAIL;
			free(r->msg);
			r->msg = xstrdup(rep->errors.n ? rep->errors.v[0] :
					 "the agent did not finish cleanly");
		}
		if (v != V_CLEAN)
			r->ok = false;
		r->verdict = xstrdup(verdict_name(v));
		if (rep->release)
			r->guest_kernel = xstrdup(rep->release);
	}
}

struct variant_ctx {
	const struct zd_config *c;
	unsigned int rounds;	/* --interleave: boots per variant, alternating */
	const struct run_opts *o;
	const struct backend_ops *be;
	const char *run_id, *run_dir, *accel;
	const struct zd_image *img;
	struct json_object *run_json;
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
		r->backend = xstrdup(vc->be->name);
		r->accel = xstrdup(vc->accel);
		r->clock = xstrdup(c->clock);
		if (vc->be->real_machine)
			r->pmem = xasprintf("host %s %s %s", c->host_ns, medium, c->host_size);
		else
			r->pmem = xasprintf("%s %s %uM@%uM", c->pmem, medium, c->pmem_size_mib,
					    !strcmp(c->pmem, "memmap") ? c->pmem_start_mib : 0);
		r->medium = medium;
		r->reproducer = xstrdup(vc->o->reproducer ? vc->o->reproducer : "");
	}
}

static int verdict_rank(const char *v)
{
	static const char *const order[] = { "clean", "infra", "fail", "hang", "crash" };

	for (int i = 0; i < 5; i++)
		if (v && !strcmp(v, order[i]))
			return i;
	return 0;
}

/* Fold one interleaved boot's result into the variant's accumulated one. */
static void merge_result(struct zd_result *acc, struct zd_result *r)
{
	unsigned int base_rep = acc->nr_samples;

	if (!acc->verdict) {
		*acc = *r;
		memset(r, 0, sizeof(*r));
		return;
	}
	for (size_t i = 0; i < r->nr_samples; i++) {
		struct zd_sample *s = result_add_sample(acc);

		*s = r->samples[i];
		s->rep += base_rep;
		memset(&r->samples[i], 0, sizeof(r->samples[i]));
	}
	r->nr_samples = 0;
	if (verdict_rank(r->verdict) > verdict_rank(acc->verdict)) {
		free(acc->verdict);
		acc->verdict = xstrdup(r->verdict);
	}
	acc->ok = acc->ok && r->ok;
	if (!acc->timeout && r->timeout)
		acc->timeout = xstrdup(r->timeout);
	if (!acc->msg && r->msg)
		acc->msg = xstrdup(r->msg);
	for (size_t i = 0; i < r->signatures.n; i++) {
		bool have = false;

		for (size_t j = 0; j < acc->signatures.n && !have; j++)
			have = !strcmp(acc->signatures.v[j], r->signatures.v[i]);
		if (!have)
			strv_push(&acc->signatures, r->signatures.v[i]);
	}
	for (size_t i = 0; i < r->nr_findings; i++) {
		struct zd_finding *f = result_add_finding(acc);

		*f = r->findings[i];
		memset(&r->findings[i], 0, sizeof(r->findings[i]));
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

static int run_variant(const struct variant_ctx *vc, const struct zd_kernel *k,
		       struct zd_result *acc, unsigned int round)
{
	const struct zd_config *c = vc->c;
	size_t n = c->run_workloads.n;
	char *vdir = path_join(vc->run_dir, k->variant);
	char *dir = vc->rounds > 1 ? xasprintf("%s/boot%u", vdir, round) : xstrdup(vdir);
	struct zd_result *res = vc->rounds > 1 ? xcalloc(n, sizeof(*res)) : acc;
	char *initrd = path_join(dir, "initrd.cpio"), *planp = path_join(dir, "plan.json");
	char *con = path_join(dir, "console.log"), *resl = path_join(dir, "results.jsonl");
	char *qlog = path_join(dir, vc->be->log_name);
	struct json_object *plan = plan_json(c, vc->run_id, k->variant, vc->be->real_machine);
	struct boot_req req = {
		.cfg = c, .variant = k->variant, .bzimage = k->bzimage, .initrd = initrd, .plan = planp,
		.console_log = con, .results_log = resl, .qemu_log = qlog,
		.scratch_dir = dir, .accel = vc->accel,
	};
	struct boot_out bo = { 0 };
	struct classification cl = { 0 };
	struct agent_report rep = { 0 };
	int ret = 2;

	if (mkdir_p(dir, 0755)) {
		zd_err("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
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
	if (zd_json_write(planp, plan) || (vc->img && image_with_plan(vc->img, plan, initrd)))
		goto out;
	{
		char rbuf[48] = "";

		if (vc->rounds > 1)
			snprintf(rbuf, sizeof(rbuf), " round %u/%u", round + 1, vc->rounds);
		if (vc->img)
			zd_info("booting %s%s (%s, clock %s)", k->variant, rbuf, vc->accel, c->clock);
		else
			zd_info("running %s%s on this machine (%s)", k->variant, rbuf, k->commit);
	}
	if (vc->be->boot(&req, &bo) && bo.start_failed)
		goto out;
	unlink(initrd); /* a copy of the cached image: plan.json is kept */
	if (classify_file(con, &cl) && path_exists(con))
		goto out;
	/* kmsg from a running kernel has no boot banner, and needs none */
	if (bo.kernel_running)
		cl.kernel_started = cl.reached_init = true;
	classify_finish(&cl, bo.timeout);
	if (harvest(resl, res, n, &rep))
		zd_err("cannot read %s", resl);
	judge(res, n, &bo, &cl, &rep);
	for (size_t i = 0; i < n; i++) {
		res[i].kernel_cmdline = xstrdup(bo.cmdline ? bo.cmdline : "");
		res[i].qemu_cmdline = strv_join_quoted(&bo.argv);
	}
	if (write_results(dir, res, n))
		goto out;
	if (vc->rounds > 1) {
		for (size_t i = 0; i < n; i++)
			merge_result(&acc[i], &res[i]);
		/* the merged result so far: a killed run keeps what it measured */
		if (write_results(vdir, acc, n))
			goto out;
	}
	{
		struct json_object *boots, *b = json_object_new_object();

		if (!json_object_object_get_ex(vc->run_json, "boots", &boots)) {
			boots = json_object_new_array();
			json_object_object_add(vc->run_json, "boots", boots);
		}
		json_object_object_add(b, "variant", json_object_new_string(k->variant));
		json_object_object_add(b, "round", json_object_new_int(round));
		json_object_object_add(b, "verdict", json_object_new_string(verdict_name(cl.verdict)));
		json_object_object_add(b, "timeout", bo.timeout ? json_object_new_string(bo.timeout) : NULL);
		json_object_object_add(b, "wall_secs", json_object_new_double(bo.wall_secs));
		json_object_object_add(b, "boot_to_agent_secs", json_object_new_double(bo.boot_secs));
		json_object_object_add(b, "qemu_exit", json_object_new_int(bo.exit_code));
		json_object_array_add(boots, b);
	}
	zd_info("%s: %s in %.1fs (boot to agent %.1fs)%s%s", k->variant,
		verdict_name(cl.verdict), bo.wall_secs, bo.boot_secs,
		bo.timeout ? ", timeout: " : "", bo.timeout ? bo.timeout : "");
	ret = 0;
out:
	if (vc->rounds > 1) {
		for (size_t i = 0; i < n; i++)
			result_free(&res[i]);
		free(res);
	}
	free(vdir);
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
	return o;
}

static void run_json_init(struct variant_ctx *vc, const struct zd_ksrc *s,
			  const struct zd_image *img, const char *accel_note)
{
	const struct zd_config *c = vc->c;
	struct json_object *r = json_object_new_object();
	struct json_object *tools = json_object_new_array();
	struct json_object *boot = json_object_new_object();
	char *qv = qemu_version(c), *cmdline = kernel_cmdline(c);

	json_object_object_add(r, "schema", json_object_new_string(ZD_RUN_SCHEMA));
	json_object_object_add(r, "run_id", json_object_new_string(vc->run_id));
	json_object_object_add(r, "status", json_object_new_string("running"));
	json_object_object_add(r, "started", json_object_new_int64(time(NULL)));
	host_info(r);
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
	if (vc->be->real_machine) {
		json_object_object_add(boot, "namespace", json_object_new_string(c->host_ns));
		json_object_object_add(boot, "namespace_size", json_object_new_string(c->host_size));
	} else {
		json_object_object_add(boot, "pmem", json_object_new_string(c->pmem));
		json_object_object_add(boot, "pmem_start_mib", json_object_new_int(c->pmem_start_mib));
		json_object_object_add(boot, "pmem_size_mib", json_object_new_int(c->pmem_size_mib));
		json_object_array_add(tools, json_object_new_string(qv));
	}
	json_object_object_add(r, "boot", boot);
	for (size_t i = 0; img && i < img->tools.n; i++)
		json_object_array_add(tools, json_object_new_string(img->tools.v[i]));
	json_object_object_add(r, "tools", tools);
	json_object_object_add(r, "image_sha256", json_object_new_string(img ? img->key : ""));
	json_object_object_add(r, "reproducer",
			       json_object_new_string(vc->o->reproducer ? vc->o->reproducer : ""));
	json_object_object_add(r, "kernels", json_object_new_array());
	vc->run_json = r;
	free(qv);
	free(cmdline);
}

static int write_run_json(const struct variant_ctx *vc)
{
	char *p = path_join(vc->run_dir, "run.json");
	int ret = zd_json_write(p, vc->run_json);

	free(p);
	return ret;
}

/* Source, kernels and guest image for the QEMU backend (all cached). */
static int build_kernels(const struct zd_config *c, struct run_opts *o, struct zd_ksrc *src,
			 struct zd_kernel *ks, size_t *built, struct zd_image *img)
{
	char *qemu = which(c->qemu);

	if (!qemu) {
		zd_err("%s not found: install qemu-system-x86 (scripts/install-deps.sh) or set [qemu] binary",
		       c->qemu);
		return -1;
	}
	free(qemu);
	o->failed_stage = STAGE_SOURCE;
	if (ksrc_prepare(c, src))
		return -1;
	o->failed_stage = STAGE_BUILD;
	for (*built = 0; *built < c->variants.n; (*built)++)
		if (kbuild_variant(c, src, c->variants.v[*built], &ks[*built]))
			return -1;
	o->failed_stage = STAGE_IMAGE;
	return image_build(c, img);
}

/* The run folder, then the accelerator: a KVM probe boots the first kernel. */
static int probe_accel(struct variant_ctx *vc, const char *rd, const struct zd_image *img,
		       const struct zd_kernel *ks, char **accel, char **note)
{
	const struct zd_config *c = vc->c;
	char *img2 = path_join(rd, ".probe-initrd.cpio");
	struct json_object *empty = plan_json(c, vc->run_id, "kvm-probe", false);

	vc->img = img;
	if (mkdir_p(rd, 0755)) {
		zd_err("cannot create %s: %s", rd, strerror(errno));
		free(img2);
		json_object_put(empty);
		return -1;
	}
	/* without its initrd the probe fails and KVM would be judged unusable */
	if (image_with_plan(img, empty, img2)) {
		zd_err("KVM probe: cannot write its initrd %s", img2);
		free(img2);
		json_object_put(empty);
		return -1;
	}
	json_object_put(empty);
	vc->be->probe(c, ks[0].bzimage, img2, rd, accel, note);
	unlink(img2);
	free(img2);
	return 0;
}

/* The host backend: one "variant", the running kernel; no build, no image. */
static int host_kernel(const struct zd_config *c, struct variant_ctx *vc, struct zd_kernel *ks,
		       size_t *nv, char **note)
{
	if (strcmp(c->clock, "wall")) {
		zd_err("clock = %s needs QEMU; the host backend measures wall time", c->clock);
		return -1;
	}
	if (vc->be->prepare(c, &ks[0], note))
		return -1;
	*nv = 1;
	if (mkdir_p(vc->run_dir, 0755)) {
		zd_err("cannot create %s: %s", vc->run_dir, strerror(errno));
		return -1;
	}
	return 0;
}

int run_matrix(const struct zd_config *c, struct run_opts *o,
	       char **run_dir)
{
	struct variant_ctx vc = { .c = c, .o = o, .rounds = o->interleave ? o->interleave : 1 };
	struct zd_ksrc src = { 0 };
	struct zd_image img = { 0 };
	struct zd_kernel *ks = xcalloc(c->variants.n, sizeof(*ks));
	size_t nw = c->run_workloads.n, nv = c->variants.n, built = 0;
	struct zd_result *res = xcalloc(nv * nw, sizeof(*res));
	char *run_id = make_run_id(), *accel = NULL, *note = NULL, *rd = NULL;
	int ret = 2, worst = 0;

	o->failed_stage = STAGE_SETUP;
	vc.be = backend_find(o->backend ? o->backend : "qemu");
	if (!vc.be) {
		zd_err("unknown backend '%s' (qemu, host)", o->backend);
		goto out;
	}
	rd = o->out_dir ? xstrdup(o->out_dir) : xasprintf("%s/%s", c->results_dir, run_id);
	vc.run_id = run_id;
	vc.run_dir = rd;
	if (vc.be->real_machine) {
		if (host_kernel(c, &vc, ks, &nv, &note))
			goto out;
	} else if (build_kernels(c, o, &src, ks, &built, &img) ||
		   probe_accel(&vc, rd, &img, ks, &accel, &note)) {
		goto out;
	}
	o->failed_stage = STAGE_BOOT;
	if (!accel)
		accel = xstrdup(vc.be->name);
	if (note)
		zd_info("%s", note);
	vc.accel = accel;
	run_json_init(&vc, &src, vc.img, note);
	if (write_run_json(&vc))
		goto out;
	for (size_t v = 0; v < nv; v++) {
		struct json_object *kernels;

		json_object_object_get_ex(vc.run_json, "kernels", &kernels);
		json_object_array_add(kernels, kernel_json(&ks[v]));
	}
	/* --interleave: base, patched, base, patched ... so drift hits all alike */
	for (unsigned int round = 0; round < vc.rounds; round++) {
		for (size_t v = 0; v < nv; v++) {
			if (run_variant(&vc, &ks[v], &res[v * nw], round))
				goto out;
			write_run_json(&vc); /* after each boot: a killed run keeps it */
		}
	}
	for (size_t i = 0; i < nv * nw; i++)
		if (strcmp(res[i].verdict, "clean") || !res[i].ok)
			worst = 1;
	json_object_object_add(vc.run_json, "status", json_object_new_string("complete"));
	json_object_object_add(vc.run_json, "finished", json_object_new_int64(time(NULL)));
	if (write_run_json(&vc))
		goto out;
	print_summary(stdout, res, nv * nw);
	printf("\nresults: %s\n", rd);
	o->failed_stage = STAGE_NONE;
	ret = worst;
out:
	for (size_t i = 0; i < nv * nw; i++)
		result_free(&res[i]);
	free(res);
	for (size_t i = 0; i < nv; i++)
		kernel_free(&ks[i]);
	free(ks);
	ksrc_free(&src);
	image_free(&img);
	json_object_put(vc.run_json);
	free(run_id);
	free(accel);
	free(note);
	if (run_dir)
		*run_dir = rd;
	else
		free(rd);
	return ret;
}
