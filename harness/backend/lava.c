// SPDX-License-Identifier: GPL-2.0
/*
 * The LAVA backend (`zdbench lava`, `zdbench run --backend lava`): each
 * boot is a LAVA job. The job and the qemu device dictionary come from
 * harness/lava.c; QEMU's options are the qemu backend's own
 * (qemu_build_args) with the console on LAVA's one serial line, where the
 * agent frames its results (zdbench.console=1). The job runs here under
 * lava-run, or on the server of [lava] url through lavacli; its log is
 * split back into console.log and results.jsonl, so the verdict and the
 * results are made exactly as for a local boot (run.c, verdict.c).
 */
#define _GNU_SOURCE
#include "backend.h"

#include <errno.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agentmsg.h"
#include "json.h"
#include "harvest.h"
#include "kbuild.h"
#include "lava.h"
#include "frame.h"
#include "proc.h"

#define C(f) offsetof(struct zd_config, f)

/* [lava]: where a lab's jobs go (docs/lab.md, "LAVA"). */
static const struct config_key lava_keys[] = {
	{ "lava", "url", K_STR, C(lava_url) },
	{ "lava", "identity", K_STR, C(lava_identity) },
	{ "lava", "device_type", K_STR, C(lava_device_type) },
	{ "lava", "timeout", K_UINT, C(lava_timeout), NULL, 60, 86400 },
	{ NULL },
};

/*
 * The server's URL for messages and run.json: without the "user:token@"
 * that lavacli's --uri may carry (a credential never lands in results).
 */
static char *url_shown(const char *url)
{
	const char *s = url ? strstr(url, "://") : NULL, *at, *slash;

	if (!url)
		return xstrdup("");
	if (!s)
		return xstrdup(url);
	s += 3;
	at = strchr(s, '@');
	slash = strchr(s, '/');
	if (!at || (slash && slash < at))
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(s - url), url, at + 1);
}

/* The server as messages name it: the identity, or the URL shown. */
static char *server_shown(const struct zd_config *c)
{
	if (c->lava_identity && *c->lava_identity)
		return xasprintf("identity %s", c->lava_identity);
	return url_shown(c->lava_url);
}

/* Seconds past the job's own timeout before zdbench kills the dispatcher. */
#define LAVA_GRACE 60

static int lava_validate(struct zd_config *c)
{
	if (c->lava_device_type && !is_name(c->lava_device_type))
		return config_fail(c, "[lava] device_type = %s: a LAVA device type is a plain name",
				   c->lava_device_type);
	return 0;
}

static int lava_preflight(const struct zd_config *c)
{
	const char *tool = c->lava_submit ? "lavacli" : "lava-run";
	char *p = which(tool);

	if (strcmp(c->pmem, "memmap")) {
		zd_err("lava: [qemu] pmem = %s: a LAVA job's pmem is memmap= on the kernel command line",
		       c->pmem);
		return ZD_EXIT_USAGE;
	}
	if (c->lava_submit && (!c->lava_url || !*c->lava_url) &&
	    (!c->lava_identity || !*c->lava_identity)) {
		zd_err("lava: --submit needs [lava] url (the server's XML-RPC endpoint) or identity (lavacli's)");
		return ZD_EXIT_USAGE;
	}
	if (!p) {
		zd_err("%s not found: install %s (scripts/install-deps.sh)", tool,
		       c->lava_submit ? "lavacli" : "lava-dispatcher");
		return ZD_EXIT_INFRA;
	}
	free(p);
	return 0;
}

/*
 * The qemu backend's argv without what LAVA supplies or must not get:
 * the binary (the device's command), -kernel/-initrd/-append (the job's
 * image_arg) and the file serial ports (the console is LAVA's stdio).
 */
static void device_options(const struct strv *qargv, struct strv *opts)
{
	for (size_t i = 1; i < qargv->n; i++) {
		const char *a = qargv->v[i];

		if (i + 1 < qargv->n && (!strcmp(a, "-serial") || !strcmp(a, "-kernel") ||
					 !strcmp(a, "-initrd") || !strcmp(a, "-append"))) {
			i++;
			continue;
		}
		strv_push(opts, a);
	}
	strv_push(opts, "-serial");
	strv_push(opts, "stdio");
}

struct agent_seen {
	struct boot_out *out;
	bool teardown_failed;	/* the agent gave up on teardown (watch.c's rule) */
};

static void seen_hello(void *ctx, const struct agent_msg *m)
{
	struct boot_out *o = ((struct agent_seen *)ctx)->out;

	o->saw_hello = true;
	/* the guest's clock since boot: LAVA's log has no host time of QEMU's start */
	o->boot_secs = jint(m->o, "t_ns", 0) / 1e9;
}

static void seen_phase(void *ctx, const struct agent_msg *m)
{
	struct boot_out *o = ((struct agent_seen *)ctx)->out;
	const char *ph = jstr(m->o, "phase"), *st = jstr(m->o, "state");

	if (ph && st && !strcmp(st, "begin")) {
		free(o->last_phase);
		o->last_phase = xstrdup(ph);
	} else if (ph && !strncmp(ph, "teardown", 8) && !jbool(m->o, "ok", true)) {
		((struct agent_seen *)ctx)->teardown_failed = true;
	}
}

static void seen_done(void *ctx, const struct agent_msg *m)
{
	struct boot_out *o = ((struct agent_seen *)ctx)->out;

	o->saw_done = true;
	o->agent_ok = jbool(m->o, "ok", false);
}

/* What the agent's lines say of the boot: hello, last phase, done; returns
 * whether teardown failed. */
static bool agent_facts(const struct sbuf *jsonl, struct boot_out *out)
{
	static const agentmsg_fn on[AM_NR] = {
		[AM_HELLO] = seen_hello, [AM_PHASE] = seen_phase, [AM_DONE] = seen_done,
	};
	struct agent_seen s = { out };
	struct agentmsg_reader r = { .on = on, .ctx = &s };
	char *copy = xstrdup(sbuf_str(jsonl)), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		agentmsg_feed(&r, l);
	agentmsg_reader_free(&r);
	free(copy);
	return s.teardown_failed;
}

/*
 * A job that timed out in LAVA is the deadline the qemu backend's watcher
 * (watch.c) would have fired: before the agent (boot), in teardown or a
 * step; after the done line the reboot that never came: "teardown" if
 * the agent gave up on teardown (the reboot blocks behind it), else
 * "shutdown".
 */
static void judge_timeout(struct boot_out *out, bool teardown_failed)
{
	const char *t = !out->saw_hello ? "boot" :
			out->saw_done ? (teardown_failed ? "teardown" : "shutdown") :
			out->last_phase && !strncmp(out->last_phase, "teardown", 8) ? "teardown" :
			"step";

	out->timeout = xstrdup(t);
}

/* Run the job with lava-run here; its log (stderr) into log. */
static int run_local(const struct boot_req *req, const char *job, const char *dev,
		     const char *outdir, struct boot_out *out, struct proc_result *pr)
{
	const struct zd_config *c = req->cfg;
	char id[32];
	struct proc_opts po = {
		.out_path = req->qemu_log,
		.timeout = c->lava_timeout + LAVA_GRACE,
	};

	snprintf(id, sizeof(id), "%ld", (long)getpid());
	strv_push(&out->argv, "lava-run");
	strv_push(&out->argv, "--job-id");
	strv_push(&out->argv, id);
	strv_push(&out->argv, "--output-dir");
	strv_push(&out->argv, outdir);
	strv_push(&out->argv, "--device");
	strv_push(&out->argv, dev);
	strv_push(&out->argv, job);
	unlink(req->qemu_log);
	return proc_run(out->argv.v, &po, pr);
}

/*
 * lavacli with the config's server: argv prefix. An identity (lavacli.yaml
 * holds its URL and token) excludes --uri (lavacli takes one of them);
 * shown: the URL without credentials, for messages and provenance.
 */
static void lavacli_argv(const struct zd_config *c, struct strv *av, bool shown)
{
	strv_push(av, "lavacli");
	if (c->lava_identity && *c->lava_identity) {
		strv_push(av, "-i");
		strv_push(av, c->lava_identity);
		return;
	}
	strv_push(av, "--uri");
	if (shown) {
		char *u = url_shown(c->lava_url);

		strv_push(av, u);
		free(u);
	} else {
		strv_push(av, c->lava_url);
	}
}

static int lavacli(const struct zd_config *c, const char *const *args, struct sbuf *cap,
		   double timeout, struct proc_result *pr)
{
	struct strv av = { 0 };
	struct proc_opts po = { .capture = cap, .timeout = timeout ? timeout : 120 };
	int ret;

	struct strv shown = { 0 };

	lavacli_argv(c, &av, false);
	lavacli_argv(c, &shown, true);
	for (; *args; args++) {
		strv_push(&av, *args);
		strv_push(&shown, *args);
	}
	ret = proc_run(av.v, &po, pr);
	if (ret || pr->exit_code || pr->timed_out) {
		char *q = strv_join_quoted(&shown);

		zd_err("lava: `%s` %s", q, pr->exec_failed ? "could not be started" :
		       pr->timed_out ? "timed out" : "failed");
		free(q);
		ret = -1;
	}
	strv_free(&av);
	strv_free(&shown);
	return ret;
}

/*
 * Submit the job to [lava] url, wait for it with the job's bound, fetch
 * its log into the backend log. The image URLs must reach the lab's
 * dispatcher (a shared filesystem or an artefact server: docs/lab.md).
 */
static int run_submit(const struct boot_req *req, const char *job, struct boot_out *out,
		      struct proc_result *pr)
{
	const struct zd_config *c = req->cfg;
	struct sbuf idb = SBUF_INIT, log = SBUF_INIT, st = SBUF_INIT;
	char *id;
	char tmo[24];
	bool waited_out = false;
	int ret = -1;

	memset(pr, 0, sizeof(*pr));
	lavacli_argv(c, &out->argv, true);
	strv_push(&out->argv, "jobs");
	strv_push(&out->argv, "submit");
	strv_push(&out->argv, job);
	/* without --follow lavacli prints the id only: the wait below is bounded */
	if (lavacli(c, (const char *const[]){ "jobs", "submit", job, NULL }, &idb, 0, pr)) {
		out->start_failed = true;
		goto out;
	}
	id = trim(idb.buf);
	if (!*id || strspn(id, "0123456789.") != strlen(id)) {
		zd_err("lava: the server answered the submission with \"%s\", not a job id", id);
		out->start_failed = true;
		goto out;
	}
	{
		char *u = server_shown(c);

		zd_info("lava: job %s on %s", id, u);
		free(u);
	}
	snprintf(tmo, sizeof(tmo), "%u", c->lava_timeout + LAVA_GRACE);
	if (lavacli(c, (const char *const[]){ "jobs", "wait", id, "--timeout", tmo, NULL },
		    &st, c->lava_timeout + 2 * LAVA_GRACE, pr)) {
		waited_out = true;
		/* a job that outlives its bound is cancelled, never left running */
		lavacli(c, (const char *const[]){ "jobs", "cancel", id, NULL }, NULL, 0, pr);
	}
	/* what it logged so far: --no-follow, a cancelled job may never finish */
	if (lavacli(c, (const char *const[]){ "jobs", "logs", "--no-follow", "--raw", id, NULL },
		    &log, 0, pr))
		goto out;
	pr->timed_out = waited_out; /* the bound, not the log fetch, decides */
	if (write_file_atomic(req->qemu_log, sbuf_str(&log), log.len)) {
		zd_err("cannot write %s: %s", req->qemu_log, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	sbuf_free(&idb);
	sbuf_free(&log);
	sbuf_free(&st);
	return ret;
}

/*
 * The log split into the run folder's console.log and results.jsonl,
 * and what it says of the boot. The verdict is not made here: a kernel
 * finding on the console is judged as for any boot; what only LAVA knows
 * (its dispatcher died, its log was cut, it never ran the job) is infra.
 */
static int lava_collect(const struct boot_req *req, const struct proc_result *pr,
			struct boot_out *out)
{
	struct lava_log l;
	struct sbuf con = SBUF_INIT, jl = SBUF_INIT;
	unsigned int torn;
	bool tfail;
	int ret = -1;

	if (lava_log_read(req->qemu_log, &l) && !pr->exec_failed)
		zd_err("lava: %s holds no LAVA log entry", req->qemu_log);
	harvest_unframe_buf(l.console.buf, l.console.len, &con, &jl, &torn);
	if (torn)
		zd_info("lava: warning: %u agent line%s cut on the console (refused)", torn,
			torn == 1 ? "" : "s");
	if (write_file_atomic(req->console_log, sbuf_str(&con), con.len) ||
	    write_file_atomic(req->results_log, sbuf_str(&jl), jl.len)) {
		zd_err("cannot write %s: %s", req->console_log, strerror(errno));
		goto out;
	}
	tfail = agent_facts(&jl, out);
	if (pr->exec_failed)
		out->infra = xstrdup("lava: the dispatcher (lava-run) could not be started");
	else if (pr->timed_out)
		out->infra = xasprintf("lava: the job did not end within %u s and was killed",
				       req->cfg->lava_timeout + LAVA_GRACE);
	else if (l.timed_out)
		judge_timeout(out, tfail); /* the guest outlived LAVA's boot timeout */
	else if (l.cut && !out->saw_done)
		out->infra = xasprintf("lava: the job log %s ends %s, without the job's result (the dispatcher died?)",
				       req->qemu_log, l.entries ? "early" : "before any entry");
	else if (l.result && strcmp(l.result, "pass") && !out->saw_done)
		out->infra = xasprintf("lava: job failed (%s): %s",
				       l.error_type ? l.error_type : "?",
				       l.error_msg ? l.error_msg : "no message");
	if (l.cut && !out->infra && !out->timeout)
		zd_info("lava: warning: the job log %s was cut after the agent's last line", req->qemu_log);
	/* the console stops where the log or the dispatcher did, not the guest */
	out->console_partial = pr->exec_failed || pr->timed_out || (l.cut && !out->saw_done);
	if (out->infra)
		zd_err("%s", out->infra);
	out->exit_code = pr->exit_code;
	ret = 0;
out:
	lava_log_free(&l);
	sbuf_free(&con);
	sbuf_free(&jl);
	return ret;
}

int lava_job_files(const struct boot_req *req, const char *job, const char *dev, char **cmdline)
{
	const struct zd_config *c = req->cfg;
	struct strv qargv = { 0 }, opts = { 0 };
	char *name = xasprintf("zdbench %s %s", c->clock, req->variant);
	struct json_object *jo = NULL, *dobj = NULL;
	char *qcmd = NULL;
	int ret = -1;

	*cmdline = NULL;
	if (qemu_build_args(req, &qargv, &qcmd))
		goto out;
	device_options(&qargv, &opts);
	{
		struct lava_job_spec s = {
			.name = name, .device_type = c->lava_device_type,
			.kernel = req->bzimage, .ramdisk = req->initrd,
			.cmdline = qcmd, .timeout = c->lava_timeout,
		};

		jo = lava_job(&s);
	}
	dobj = lava_device(qargv.v[0], &opts, c->lava_timeout);
	if (!jo || lava_yaml_write(job, jo) || lava_yaml_write(dev, dobj))
		goto out;
	*cmdline = xasprintf("%s %s", qcmd, ZD_CONSOLE_ARG);
	ret = 0;
out:
	json_object_put(jo);
	json_object_put(dobj);
	strv_free(&qargv);
	strv_free(&opts);
	free(qcmd);
	free(name);
	return ret;
}

static int lava_boot(const struct boot_req *req, struct boot_out *out)
{
	const struct zd_config *c = req->cfg;
	char *job = path_join(req->scratch_dir, "job.yaml");
	char *dev = path_join(req->scratch_dir, "device.yaml");
	char *outdir = path_join(req->scratch_dir, "lava-run");
	struct proc_result pr = { 0 };
	struct timespec t0, t1;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (lava_job_files(req, job, dev, &out->cmdline)) {
		out->start_failed = true;
		goto out;
	}
	if (c->lava_submit ? run_submit(req, job, out, &pr) :
			     run_local(req, job, dev, outdir, out, &pr)) {
		if (!pr.exec_failed) {
			out->start_failed = true;
			goto out;
		}
	}
	if (pr.exec_failed)
		zd_err("lava: %s could not be started", out->argv.v[0]);
	ret = lava_collect(req, &pr, out);
out:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->wall_secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	rm_rf(outdir); /* lava-run's copies of the kernel and image */
	free(job);
	free(dev);
	free(outdir);
	return ret;
}

static int lava_probe(const struct zd_config *c, const char *bzimage, const char *initrd,
		      const char *scratch, char **accel, char **note)
{
	/* the job runs on a lab's dispatcher: no KVM probe from here */
	char *u = server_shown(c);

	*accel = xstrdup(!strcmp(c->accel, "kvm") ? "kvm" : "tcg");
	*note = xasprintf("LAVA: %s (%s)", c->lava_submit ? u : "lava-run on this machine", *accel);
	free(u);
	return 0;
}

static char *lava_describe_pmem(const struct zd_config *c, const char *medium)
{
	return xasprintf("memmap %s %uM@%uM", medium, c->pmem_size_mib, c->pmem_start_mib);
}

static void lava_plan_fields(const struct zd_config *c, struct json_object *p)
{
	json_object_object_add(p, "pmem_mode", json_object_new_string("memmap"));
	json_object_object_add(p, "mountpoint", json_object_new_string("/mnt/dax"));
	json_object_object_add(p, "hung_task_timeout", json_object_new_int(c->hung_task_timeout));
}

static void lava_boot_json(const struct zd_config *c, struct json_object *boot,
			   struct json_object *tools)
{
	json_object_object_add(boot, "pmem", json_object_new_string("memmap"));
	json_object_object_add(boot, "pmem_start_mib", json_object_new_int(c->pmem_start_mib));
	json_object_object_add(boot, "pmem_size_mib", json_object_new_int(c->pmem_size_mib));
	json_object_object_add(boot, "lava_device_type", json_object_new_string(c->lava_device_type));
	char *u = server_shown(c);

	json_object_object_add(boot, "lava_server", json_object_new_string(c->lava_submit ? u : ""));
	free(u);
	json_object_array_add(tools, json_object_new_string("lava-dispatcher"));
}

static char *lava_announce(const struct zd_config *c, const struct zd_kernel *k,
			   const char *round, const char *accel)
{
	char *u = server_shown(c);
	char *s = xasprintf("LAVA job for %s%s (%s, clock %s, %s)", k->variant, round, accel,
			    c->clock, c->lava_submit ? u : "lava-run");

	free(u);
	return s;
}

const struct backend_ops lava_backend = {
	.name = "lava",
	.log_name = "lava.log",
	.flags = BE_BUILDS_KERNEL | BE_NEEDS_IMAGE,
	.keys = lava_keys,
	.validate = lava_validate,
	.preflight = lava_preflight,
	.probe = lava_probe,
	.boot = lava_boot,
	.describe_pmem = lava_describe_pmem,
	.plan_fields = lava_plan_fields,
	.boot_json = lava_boot_json,
	.announce = lava_announce,
};
