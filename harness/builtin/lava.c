// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "builtin.h"
#include "image.h"
#include "kbuild.h"
#include "ksrc.h"
#include "run.h"

static const char usage[] =
	"usage: zdbench lava (--write DIR | --run | --submit) [options]\n"
	"\n"
	"One LAVA job per variant of the plan: deploy the variant's kernel and\n"
	"zdbench's guest initramfs (the plan in it), boot with pmem from memmap=,\n"
	"the agent's results framed on the one serial console (zdbench.console=1).\n"
	"--write DIR: the job definitions DIR/<variant>/job.yaml (with device.yaml,\n"
	"a qemu device dictionary, and initrd.cpio), nothing run.\n"
	"--run: each job through lava-run on this machine, one at a time.\n"
	"--submit: each job to [lava] url with lavacli, waited for at most\n"
	"[lava] timeout. --run and --submit file the jobs' logs into\n"
	"results/<run-id>/ as zdbench run does (console.log, results.jsonl,\n"
	"<workload>.json with the classifier's verdict), lava.log beside them.\n";

static const char *write_dir, *out_dir;
static bool do_run, do_submit;

static const struct option_desc options[] = {
	OPT__CONFIG,
	OPT__VARIANT,
	OPT__WORKLOAD,
	OPT__BOOT,
	OPT_STRING(0, "write", &write_dir, "DIR", "write the job definitions into DIR, run nothing"),
	OPT_BOOL(0, "run", &do_run, "run each job here with lava-run"),
	OPT_BOOL(0, "submit", &do_submit, "submit each job to [lava] url with lavacli"),
	OPT_STRING('o', "output", &out_dir, "DIR", "the run folder (default results/<run-id>)"),
	OPT_END(),
};

/* DIR/<variant>/: initrd.cpio (image + plan), job.yaml, device.yaml. */
static int write_variant(const struct zd_config *c, const struct zd_image *img,
			 const struct zd_kernel *k, const char *dir)
{
	char *vdir = path_join(dir, k->variant);
	char *initrd = path_join(vdir, "initrd.cpio"), *job = path_join(vdir, "job.yaml");
	char *dev = path_join(vdir, "device.yaml"), *planp = path_join(vdir, "plan.json");
	char *abs = NULL, *cmdline = NULL;
	struct json_object *plan = plan_json(c, &lava_backend, "lava", k->variant, &k->facts);
	struct boot_req req = { .cfg = c, .variant = k->variant, .bzimage = k->bzimage,
				.accel = "tcg" };
	int ret = -1;

	if (mkdir_p(vdir, 0755)) {
		zd_err("cannot create %s: %s", vdir, strerror(errno));
		goto out;
	}
	if (zd_json_write(planp, plan) || image_with_plan(img, plan, initrd))
		goto out;
	abs = path_abs(initrd); /* the job's file:// URL */
	req.initrd = abs;
	req.scratch_dir = vdir;
	if (lava_job_files(&req, job, dev, &cmdline))
		goto out;
	printf("%s\n", job);
	ret = 0;
out:
	json_object_put(plan);
	free(vdir);
	free(initrd);
	free(job);
	free(dev);
	free(planp);
	free(abs);
	free(cmdline);
	return ret;
}

static int write_jobs(const struct zd_config *c, const char *dir)
{
	struct run_opts o = { 0 };
	struct zd_ksrc src = { 0 };
	struct zd_image img = { 0 };
	struct zd_kernel *ks = xcalloc(c->variants.n, sizeof(*ks));
	size_t nv = c->variants.n;
	char *note = NULL;
	int ret = ZD_EXIT_INFRA;

	if (run_prepare(c, &lava_backend, &o, &src, ks, &nv, &img, &note)) {
		if (o.fail_exit)
			ret = o.fail_exit;
		goto out;
	}
	ret = ZD_EXIT_CLEAN;
	for (size_t v = 0; v < nv; v++)
		if (write_variant(c, &img, &ks[v], dir))
			ret = ZD_EXIT_INFRA;
out:
	for (size_t i = 0; i < c->variants.n; i++)
		kernel_free(&ks[i]);
	free(ks);
	ksrc_free(&src);
	image_free(&img);
	free(note);
	return ret;
}

static int cmd_lava(struct cmd_ctx *ctx)
{
	/* one job at a time: one guest here; a lab's queue is its own business */
	struct run_opts o = { .backend = "lava", .out_dir = out_dir, .jobs = 1,
			      .reproducer = ctx->reproducer };

	if (ctx->args.n) {
		fprintf(stderr, "zdbench lava: unexpected argument '%s'\n", ctx->args.v[0]);
		return ZD_EXIT_USAGE;
	}
	if (!!write_dir + do_run + do_submit != 1) {
		fprintf(stderr, "zdbench lava: one of --write DIR, --run or --submit\n");
		return ZD_EXIT_USAGE;
	}
	ctx->cfg->lava_submit = do_submit;
	if (write_dir)
		return write_jobs(ctx->cfg, write_dir);
	return run_matrix(ctx->cfg, &o, NULL);
}

const struct builtin builtin_lava = {
	.name = "lava", .fn = cmd_lava, .options = options, .usage = usage,
	.flags = NEED_CONFIG,
	.summary = "LAVA jobs of the matrix: write them, run them with lava-run, or submit them",
};
