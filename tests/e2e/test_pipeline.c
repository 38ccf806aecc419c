// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: really import and build Linux 6.12 (base), boot it in QEMU on
 * emulated pmem, run the O_DIRECT-into-DAX workload and check the JSON the
 * harness wrote. Then the bad-input cases: each must end in a clear error or
 * a recorded verdict, never a hang or a harness crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "classify.h"
#include "e2e.h"
#include "proc.h"
#include "result.h"
#include "util.h"

static char tmp[64];

E2E_DEFINE_ZD(tmp)

static void expect_text(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("text lacks '%s':\n%s", needle, text);
}

static int setup(void **state)
{
	strcpy(tmp, "/tmp/zd-e2e-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	return e2e_ready();
}

static int teardown(void **state)
{
	return rm_rf(tmp);
}

/* The main job: base on memmap pmem, KVM probed (falls back to TCG here). */
static void test_base_end_to_end(void **state)
{
	char *dir = xasprintf("%s/run-base", tmp);
	char *con = xasprintf("%s/base/console.log", dir);
	char *runj = xasprintf("%s/run.json", dir);
	struct out o = zd("run", "-o", dir, "--reps", "3", "--accel", "auto", NULL);
	struct zd_result r;
	struct classification cl;
	struct json_object *rj;

	if (o.code != 0)
		fail_msg("zdbench run failed:\n%s", o.text);
	expect_in(&o, "odirect-read-pte");
	r = read_result(dir, "base", "odirect-read-pte");
	assert_string_equal(r.verdict, "clean");
	assert_true(r.ok);
	assert_null(r.timeout);
	assert_int_equal(r.nr_samples, 3);
	for (size_t i = 0; i < r.nr_samples; i++) {
		const struct zd_sample *s = &r.samples[i];

		assert_true(s->pin_acquired > 0);
		assert_int_equal(s->pin_acquired, s->pin_released);
		/* 2000 reads of 64 KiB into a DAX buffer: one pin per page. */
		assert_true(s->pin_acquired >= (int64_t)s->pages);
		assert_int_equal(s->pages, 2000 * 16);
		assert_true(s->ns_per_page > 0);
	}
	assert_true(check_ok(&r, "namespace_mode"));
	assert_true(check_ok(&r, "queue_dax"));
	assert_true(check_ok(&r, "statx_dax"));
	assert_true(check_ok(&r, "struct_pages"));
	assert_non_null(r.commit);
	assert_int_equal(strlen(r.config_hash), 64);
	assert_non_null(strstr(r.kernel_cmdline, "memmap=512M!1024M"));
	/* Probed, never assumed: TCG here (KVM stalls), KVM where it works. */
	assert_true(!strcmp(r.accel, "tcg") || !strcmp(r.accel, "kvm"));
	/* The console, classified on its own, agrees: clean, phases marked. */
	assert_int_equal(classify_file(con, &cl), 0);
	classify_finish(&cl, NULL);
	assert_string_equal(verdict_name(cl.verdict), "clean");
	assert_true(cl.reached_init);
	classification_free(&cl);
	{
		char *text = read_file(con, NULL);

		assert_non_null(strstr(text, "zdbench: phase teardown begin"));
		free(text);
	}
	rj = zd_json_read(runj);
	assert_non_null(rj);
	assert_string_equal(jstr(rj, "status"), "complete");
	assert_string_equal(jstr(rj, "schema"), "zdbench.run/1");
	assert_non_null(strstr(jstr(rj, "reproducer"), "zdbench run"));
	{
		struct json_object *boot;

		assert_true(json_object_object_get_ex(rj, "boot", &boot));
		assert_true(strlen(jstr(boot, "accel_note")) > 0);
	}
	json_object_put(rj);
	result_free(&r);
	free(dir);
	free(con);
	free(runj);
	free(o.text);
}

/* The other pmem option: an emulated NVDIMM, converted to fsdax by ndctl. */
static void test_nvdimm(void **state)
{
	char *dir = xasprintf("%s/run-nvdimm", tmp);
	struct out o = zd("run", "-o", dir, "--reps", "2", "--accel", "tcg",
			  "--pmem", "nvdimm", NULL);
	struct zd_result r;
	char *img = xasprintf("%s/base/nvdimm0.img", dir);

	if (o.code != 0)
		fail_msg("zdbench run --pmem nvdimm failed:\n%s", o.text);
	r = read_result(dir, "base", "odirect-read-pte");
	assert_string_equal(r.verdict, "clean");
	assert_true(check_ok(&r, "namespace_mode"));
	assert_true(check_ok(&r, "statx_dax"));
	assert_true(check_ok(&r, "struct_pages"));
	assert_non_null(strstr(r.qemu_cmdline, "nvdimm,id=nvdimm0"));
	assert_null(strstr(r.kernel_cmdline, "memmap="));
	assert_true(r.samples[0].pin_acquired > 0);
	assert_int_equal(r.samples[0].pin_acquired, r.samples[0].pin_released);
	assert_false(path_exists(img)); /* emulated media removed after the boot */
	result_free(&r);
	free(img);
	free(dir);
	free(o.text);
}

/*
 * The guest NVDIMM on media the user names ([qemu] pmem = file): here a
 * preallocated file stands in for a file on a DAX fs. It is used, and
 * kept: zdbench deletes only its own scratch media.
 */
static void test_pmem_file(void **state)
{
	char *dir = xasprintf("%s/run-file", tmp), *media = xasprintf("%s/media.img", tmp);
	char *setp = xasprintf("qemu.pmem_path=%s", media);
	char *want = xasprintf("mem-path=%s,size=512M,align=2M", media);
	char *fa[] = { "fallocate", "-l", "512M", media, NULL };
	struct proc_opts po = { .timeout = 60 };
	struct proc_result pr;
	struct out o;
	struct zd_result r;

	assert_int_equal(proc_run(fa, &po, &pr), 0);
	assert_int_equal(pr.exit_code, 0);
	o = zd("run", "-o", dir, "--reps", "2", "--accel", "tcg", "--pmem", "file", "-s", setp,
	       NULL);
	if (o.code != 0)
		fail_msg("zdbench run --pmem file failed:\n%s", o.text);
	r = read_result(dir, "base", "odirect-read-pte");
	assert_string_equal(r.verdict, "clean");
	assert_true(check_ok(&r, "statx_dax"));
	assert_non_null(strstr(r.qemu_cmdline, want));
	assert_true(r.samples[0].pin_acquired > 0);
	assert_true(path_exists(media));
	result_free(&r);
	free(want);
	free(setp);
	free(media);
	free(dir);
	free(o.text);
}

static bool has_check(const struct zd_result *r, const char *name)
{
	for (size_t i = 0; i < r->nr_checks; i++)
		if (!strcmp(r->checks[i].name, name))
			return true;
	return false;
}

static const struct zd_phase *phase_named(const struct zd_result *r, const char *name)
{
	for (size_t i = 0; i < r->nr_phases; i++)
		if (!strcmp(r->phases[i].name, name))
			return &r->phases[i];
	return NULL;
}

/*
 * One plan over two media in one boot: a workload with its own dax_mode =
 * devdax beside the fsdax/ext4 default. Each medium is set up, checked and
 * torn down in phases named after it; each workload gets only its own
 * medium's checks. PMD on the 4 KiB-aligned devdax is refused. fio's
 * splice (FOLL_GET) on devdax proves its buffer by the device marker.
 */
static void test_media(void **state)
{
	char *dir = xasprintf("%s/run-media", tmp);
	struct out o = zd("run", "-o", dir, "--reps", "2", "--accel", "tcg", "-c",
			  "tests/data/e2e-workloads.ini", "--workload", "gup-pin-fast-pte",
			  "--workload", "gup-devdax", "--workload", "gup-devdax-pmd",
			  "--workload", "fio-splice-devdax", NULL);
	struct zd_result fs, dev, pmd, spl;
	static const char *const phases[] = { "setup:fsdax/ext4", "checks:fsdax/ext4",
					       "teardown:fsdax/ext4", "setup:devdax",
					       "checks:devdax", "teardown:devdax" };

	/* exit 1: gup-devdax-pmd fails, as it must */
	if (o.code != 1)
		fail_msg("zdbench run (two media) exit %d, expected 1:\n%s", o.code, o.text);
	fs = read_result(dir, "base", "gup-pin-fast-pte");
	dev = read_result(dir, "base", "gup-devdax");
	assert_string_equal(fs.verdict, "clean");
	assert_string_equal(dev.verdict, "clean");
	assert_string_equal(fs.medium, "fsdax/ext4");
	assert_string_equal(dev.medium, "devdax");
	assert_true(check_ok(&fs, "statx_dax"));
	assert_true(check_ok(&fs, "namespace_mode"));
	assert_false(has_check(&fs, "devdax_chardev"));
	assert_true(check_ok(&dev, "devdax_chardev"));
	assert_true(check_ok(&dev, "namespace_mode"));
	assert_false(has_check(&dev, "statx_dax"));
	assert_true(dev.samples[0].pin_acquired > 0);
	for (size_t i = 0; i < ARRAY_SIZE(phases); i++) {
		const struct zd_phase *p = phase_named(&dev, phases[i]);

		if (!p || !p->ended || !p->ok)
			fail_msg("phase %s missing or failed", phases[i]);
	}
	assert_null(phase_named(&dev, "setup"));
	/* PMD on a 4 KiB-aligned devdax would silently be PTEs: refused */
	pmd = read_result(dir, "base", "gup-devdax-pmd");
	assert_string_equal(pmd.verdict, "fail");
	if (!pmd.msg || !strstr(pmd.msg, "mapping pmd needs a devdax aligned to 2097152 bytes, "
				   "dax0.0 has 4096 (a PMD fault would fall back to PTEs)"))
		fail_msg("gup-devdax-pmd: %s", pmd.msg ? pmd.msg : "(no message)");
	assert_int_equal(pmd.nr_samples, 0);
	/* gets on devdax: the marker on the device proves fio's buffers were DAX */
	spl = read_result(dir, "base", "fio-splice-devdax");
	if (strcmp(spl.verdict, "clean") || spl.nr_samples != 2)
		fail_msg("fio-splice-devdax: %s, %zu samples: %s", spl.verdict, spl.nr_samples,
			 spl.msg ? spl.msg : "");
	assert_int_equal(spl.samples[0].pin_acquired, 0);
	result_free(&spl);
	result_free(&pmd);
	result_free(&fs);
	result_free(&dev);
	free(dir);
	free(o.text);
}

/*
 * fio in the guest, on DAX buffers: three engines pin, splice only gets,
 * fixedbufs is refused by fsdax (the negative control passes). (The
 * mem=mmap trap is refused by the config check: tests/unit/test_kinds.c.)
 * In the same boot: futex (gets, no pins), the anonymous-memory control,
 * and the gup kind beside its peer, the kernel's own gup_test selftest.
 */
static void test_kinds(void **state)
{
	static const char *const pinning[] = { "fio-odirect-psync", "fio-odirect-libaio",
					       "fio-odirect-io_uring" };
	char *dir = xasprintf("%s/run-fio", tmp);
	struct out o = zd("run", "-o", dir, "--reps", "2", "--accel", "tcg",
			  "-c", "tests/data/e2e-workloads.ini",
			  "--workload", "fio-odirect-psync", "--workload", "fio-odirect-libaio",
			  "--workload", "fio-odirect-io_uring", "--workload", "fio-splice",
			  "--workload", "fio-fixedbufs-refused",
			  "--workload", "futex-wake-pte", "--workload", "odirect-read-pte-anon",
			  "--workload", "gup-pin-fast-pte", "--workload", "gup-pin-fast-pte-selftest",
			  "--workload", "gup-t4", "--workload", "gup-t2s", NULL);
	struct zd_result r;

	if (o.code != 0)
		fail_msg("zdbench run (fio) exit %d, expected 0:\n%s", o.code, o.text);
	for (size_t i = 0; i < ARRAY_SIZE(pinning); i++) {
		r = read_result(dir, "base", pinning[i]);
		if (strcmp(r.verdict, "clean"))
			fail_msg("%s: %s (%s)", pinning[i], r.verdict, r.msg ? r.msg : "");
		assert_int_equal(r.nr_samples, 2);
		for (size_t j = 0; j < r.nr_samples; j++) {
			/* 2000 reads of 64 KiB: at least one pin per page */
			assert_int_equal(r.samples[j].pages, 2000 * 16);
			assert_true(r.samples[j].pin_acquired >= (int64_t)r.samples[j].pages);
			assert_true(r.samples[j].ns_per_page > 0);
		}
		result_free(&r);
	}
	r = read_result(dir, "base", "fio-splice");
	if (strcmp(r.verdict, "clean"))
		fail_msg("fio-splice: %s (%s)", r.verdict, r.msg ? r.msg : "");
	assert_int_equal(r.nr_samples, 2);
	assert_int_equal(r.samples[0].pin_acquired, 0);
	assert_int_equal(r.samples[0].pages, 2000 * 16);
	result_free(&r);
	r = read_result(dir, "base", "fio-fixedbufs-refused");
	assert_string_equal(r.verdict, "clean");
	assert_int_equal(r.nr_samples, 0);
	assert_non_null(strstr(r.msg, "refused as expected: fio error 95"));
	result_free(&r);
	/* threads share the buffer: 4 x 2 ioctls x 512 pages, each pinned */
	r = read_result(dir, "base", "gup-t4");
	assert_string_equal(r.verdict, "clean");
	assert_int_equal(r.samples[0].pages, 4 * 2 * 512);
	assert_int_equal(r.samples[0].pin_acquired, 4 * 2 * 512);
	result_free(&r);
	r = read_result(dir, "base", "gup-t2s"); /* the selftest's -j 2 */
	assert_string_equal(r.verdict, "clean");
	assert_int_equal(r.samples[0].pages, 2 * 2 * 512);
	result_free(&r);
	r = read_result(dir, "base", "futex-wake-pte");
	assert_string_equal(r.verdict, "clean");
	assert_int_equal(r.nr_samples, 2);
	assert_int_equal(r.samples[0].pages, 100000);
	assert_int_equal(r.samples[0].pin_acquired, 0);
	result_free(&r);
	r = read_result(dir, "base", "odirect-read-pte-anon");
	assert_string_equal(r.verdict, "clean");
	assert_int_equal(r.samples[0].pin_acquired, 2000 * 16);
	result_free(&r);
	{
		/* the agent and the selftest time the same ioctl on the same
		 * pages: the same pins, and per-page costs of one magnitude
		 * (wall clock under TCG: the bench compares them in icount) */
		struct zd_result a = read_result(dir, "base", "gup-pin-fast-pte");
		struct zd_result p = read_result(dir, "base", "gup-pin-fast-pte-selftest");
		double ratio;

		assert_string_equal(a.verdict, "clean");
		assert_string_equal(p.verdict, "clean");
		assert_int_equal(a.samples[0].pages, 2048 * 10);
		assert_int_equal(p.samples[0].pages, 2048 * 10);
		assert_int_equal(a.samples[0].pin_acquired, p.samples[0].pin_acquired);
		ratio = a.samples[1].ns_per_page / p.samples[1].ns_per_page;
		print_message("gup agent/selftest ns per page: %.3f\n", ratio);
		assert_true(ratio > 0.33 && ratio < 3.0);
		result_free(&a);
		result_free(&p);
	}
	free(dir);
	free(o.text);
}

static const struct zd_counter *counter(const struct zd_sample *s, const char *name)
{
	for (size_t i = 0; i < s->nr_counters; i++)
		if (!strcmp(s->counters[i].name, name))
			return &s->counters[i];
	return NULL;
}

/*
 * The debug flavour (fragments/debug.config): its own kernel, page_ref
 * tracepoints counted per phase, each buffer's mapping proven by the
 * fs_dax fault tracepoints (a PTE buffer: no PMD fault; PMD: only PMD), and
 * a buffer left unfaulted caught by its faults in the measured phase.
 */
static void test_debug_flavour(void **state)
{
	char *dir = xasprintf("%s/run-debug", tmp);
	struct out o = zd("run", "-o", dir, "--reps", "2", "--accel", "tcg",
			  "-s", "kernel.fragments=fragments/base.config fragments/debug.config",
			  "-c", "tests/data/e2e-workloads.ini", "--workload", "gup-pin-fast-pte",
			  "--workload", "gup-pmd", "--workload", "gup-nopf", NULL);
	struct zd_result pte, pmd, base;
	const struct zd_counter *c;

	/* exit 1: gup-nopf fails, as it must */
	if (o.code != 1)
		fail_msg("zdbench run (debug flavour) exit %d, expected 1:\n%s", o.code, o.text);
	pte = read_result(dir, "base", "gup-pin-fast-pte");
	pmd = read_result(dir, "base", "gup-pmd");
	assert_string_equal(pte.verdict, "clean");
	assert_string_equal(pmd.verdict, "clean");
	assert_true(check_ok(&pte, "dax_mapping"));
	assert_true(check_ok(&pmd, "dax_mapping"));
	/* pin-fast on 2048 PTE-mapped pages x 10: at least a refcount op each */
	c = counter(&pte.samples[0], "page_ref/page_ref_mod");
	assert_non_null(c);
	assert_true(c->counted);
	assert_true(c->value >= 2048 * 10);
	/* a kernel of its own, apart from the performance flavour's (the
	 * main job's run, earlier in this group), which has no tracepoints */
	base = read_result(tmp, "run-base/base", "odirect-read-pte");
	assert_string_not_equal(base.kernel_key, pte.kernel_key);
	assert_null(counter(&base.samples[0], "page_ref/page_ref_mod"));
	result_free(&base);
	/* a buffer left unfaulted: GUP's slow path faults in the measured
	 * phase, seen by the fs_dax fault counters, fail the workload */
	base = read_result(dir, "base", "gup-nopf");
	assert_string_equal(base.verdict, "fail");
	assert_non_null(strstr(base.msg, "DAX faults inside the measured phase"));
	c = counter(&base.samples[0], "fs_dax/dax_pte_fault_done");
	assert_non_null(c);
	assert_true(c->value > 0);
	result_free(&base);
	result_free(&pte);
	result_free(&pmd);
	free(dir);
	free(o.text);
}

/*
 * fsdax on xfs ([run] fs = xfs): the harness adds fragments/xfs.config (a
 * kernel of its own), the image carries mkfs.xfs, the agent makes xfs with
 * a 2 MiB stripe unit and mounts it -o dax. In the debug flavour, so the
 * fs_dax tracepoints prove that the PMD buffer really took PMD faults on
 * xfs's extents and the PTE buffers only PTE faults. One more workload with
 * fs = ext4 follows in the same boot, on the same namespace made ext4.
 */
static char *file_in(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name), *t = read_file(p, NULL);

	if (!t)
		fail_msg("cannot read %s", p);
	free(p);
	return t;
}

/* `zdbench build -s FRAGS [-s run.fs=xfs] base`: the cached kernel's folder. */
static char *kernel_dir(const char *frags, const char *fs)
{
	struct out o = fs ? zd("build", "-s", frags, "-s", fs, "base", NULL)
			  : zd("build", "-s", frags, "base", NULL);
	char *kdir;

	assert_int_equal(o.code, 0);
	expect_in(&o, "no make");
	expect_in(&o, "base cached /");
	kdir = xstrdup(strstr(o.text, "base cached /") + strlen("base cached "));
	kdir[strcspn(kdir, "\n")] = '\0';
	*strrchr(kdir, '/') = '\0'; /* .../kernels/KEY/bzImage */
	free(o.text);
	return kdir;
}

static void test_xfs(void **state)
{
	static const char *const wls[] = { "gup-pin-fast-pte", "gup-pmd", "odirect-read-pte" };
	static const char frags[] = "kernel.fragments=fragments/base.config fragments/debug.config";
	char *dir = xasprintf("%s/run-xfs", tmp), *t, *kxfs, *kext4;
	struct out o = zd("run", "-o", dir, "--reps", "2", "--accel", "tcg", "-s", frags, "-s",
			  "run.fs=xfs", "-c", "tests/data/e2e-workloads.ini", "--workload", wls[0],
			  "--workload", wls[1], "--workload", wls[2], "--workload", "odirect-ext4",
			  NULL);
	struct zd_result r;

	if (o.code != 0)
		fail_msg("zdbench run (fs = xfs) exit %d:\n%s", o.code, o.text);
	free(o.text);
	for (size_t i = 0; i < ARRAY_SIZE(wls); i++) {
		r = read_result(dir, "base", wls[i]);
		if (strcmp(r.verdict, "clean"))
			fail_msg("%s on xfs: %s (%s)", wls[i], r.verdict, r.msg ? r.msg : "");
		assert_true(check_ok(&r, "statx_dax"));
		assert_true(check_ok(&r, "queue_dax"));
		assert_true(check_ok(&r, "dax_mapping"));
		assert_non_null(strstr(r.pmem, "fsdax/xfs"));
		assert_int_equal(r.nr_samples, 2);
		result_free(&r);
	}
	/* the same plan, the same boot: one workload on ext4 after xfs */
	r = read_result(dir, "base", "odirect-ext4");
	assert_string_equal(r.verdict, "clean");
	assert_string_equal(r.medium, "fsdax/ext4");
	assert_true(check_ok(&r, "statx_dax"));
	assert_non_null(phase_named(&r, "setup:fsdax/xfs"));
	assert_non_null(phase_named(&r, "teardown:fsdax/ext4"));
	result_free(&r);
	/* a kernel of its own, with XFS; the ext4 one has none */
	r = read_result(dir, "base", "gup-pmd");
	kxfs = kernel_dir(frags, "run.fs=xfs");
	kext4 = kernel_dir(frags, NULL);
	assert_non_null(strstr(kxfs, r.kernel_key));
	assert_string_not_equal(kxfs, kext4);
	t = file_in(kxfs, "config");
	expect_text(t, "\nCONFIG_XFS_FS=y\n");
	free(t);
	t = file_in(kext4, "config");
	assert_null(strstr(t, "\nCONFIG_XFS_FS=y\n"));
	free(t);
	free(kxfs);
	free(kext4);
	result_free(&r);
	/* the agent made xfs, the kernel mounted it, then ext4 (the agent's
	 * log lines are on the console too) */
	t = file_in(dir, "base/console.log");
	expect_text(t, "zdbench-agent: mkfs.xfs /dev/pmem0");
	expect_text(t, "XFS (pmem0): Mounting V5 Filesystem");
	expect_text(strstr(t, "zdbench-agent: mkfs.xfs /dev/pmem0"),
		    "zdbench-agent: mkfs.ext4 /dev/pmem0");
	free(t);
	free(dir);
}

/* Unchanged inputs: the second build runs no make at all. */
static void test_build_cached(void **state)
{
	struct out o = zd("build", "base", NULL);

	assert_int_equal(o.code, 0);
	expect_in(&o, "base cached ");
	expect_in(&o, "no make");
	assert_true(o.secs < 60);
	free(o.text);
}

static void test_missing_kernel_source(void **state)
{
	char *cache = xasprintf("general.cache_dir=%s/emptycache", tmp);
	struct out o = zd("build", "-s", cache, "-s", "kernel.tarball=/nonexistent/linux.tar.xz", NULL);

	/* exitcode.h: a missing install is infrastructure (3), not the kernel */
	assert_int_equal(o.code, 3);
	expect_in(&o, "kernel source tarball /nonexistent/linux.tar.xz not found");
	free(o.text);
	free(cache);
}

static void test_qemu_missing(void **state)
{
	struct out o = zd("run", "-s", "qemu.binary=/nonexistent/qemu-system-x86_64",
			  "-o", tmp, NULL);

	assert_int_equal(o.code, 3); /* QEMU missing: infrastructure */
	expect_in(&o, "/nonexistent/qemu-system-x86_64 not found");
	free(o.text);
}

static void test_broken_fragment(void **state)
{
	char *frag = xasprintf("%s/broken.config", tmp);
	char *set = xasprintf("kernel.fragments=fragments/base.config %s", frag);
	const char *text = "CONFIG_ZONE_DEVICE=y\nthis is not kconfig\n";
	struct out o;

	assert_int_equal(write_file_atomic(frag, text, strlen(text)), 0);
	o = zd("build", "-s", set, NULL);
	assert_int_equal(o.code, 2);
	expect_in(&o, "broken.config:2: not a Kconfig assignment");
	free(o.text);
	free(frag);
	free(set);
}

static void test_option_kconfig_drops(void **state)
{
	char *frag = xasprintf("%s/dropped.config", tmp);
	char *set = xasprintf("kernel.fragments=fragments/base.config %s", frag);
	const char *text = "CONFIG_ZDBENCH_NO_SUCH_OPTION=y\nCONFIG_KASAN=y\n";
	struct out o;

	assert_int_equal(write_file_atomic(frag, text, strlen(text)), 0);
	o = zd("build", "-s", set, NULL);
	assert_int_equal(o.code, 2);
	/* each option named with why: not in this Kconfig at all, or its dependencies unmet */
	expect_in(&o, "this kernel's Kconfig has no CONFIG_ZDBENCH_NO_SUCH_OPTION");
	expect_in(&o, "Kconfig dropped requested options (their dependencies are not met): CONFIG_KASAN");
	free(o.text);
	free(frag);
	free(set);
}

/*
 * exitcode.h: a variant whose series does not apply is the kernel under
 * test failing to build (1), with the patch named; no make runs.
 */
static void test_series_does_not_apply(void **state)
{
	char *dir = xasprintf("kernels/zd-e2e-noapply-%d", (int)getpid());
	char *series = path_join(dir, "series"), *patch = path_join(dir, "0001-bogus.patch");
	const char *p = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
			"From: zdbench <zdbench@example.org>\nSubject: [PATCH] bogus\n\n---\n"
			"--- a/mm/no-such-file.c\n+++ b/mm/no-such-file.c\n@@ -1,1 +1,1 @@\n-a\n+b\n";
	char *variant = strrchr(dir, '/') + 1;
	struct out o;

	assert_int_equal(mkdir_p(dir, 0755), 0);
	assert_int_equal(write_file_atomic(series, "0001-bogus.patch\n", 17), 0);
	assert_int_equal(write_file_atomic(patch, p, strlen(p)), 0);
	o = zd("build", variant, NULL);
	rm_rf(dir);
	assert_int_equal(o.code, 1);
	expect_in(&o, "0001-bogus.patch does not apply");
	free(o.text);
	free(series);
	free(patch);
	free(dir);
}

/* A kernel that panics is a recorded verdict, not a harness failure. */
static void test_kernel_panics(void **state)
{
	char *dir = xasprintf("%s/run-panic", tmp);
	struct out o = zd("run", "-o", dir, "--accel", "tcg", "--reps", "1",
			  "-s", "qemu.extra_cmdline=rdinit=/nonexistent root=/dev/nonexistent",
			  "-s", "qemu.boot_timeout=240", NULL);
	struct zd_result r;

	assert_int_equal(o.code, 1);
	r = read_result(dir, "base", "odirect-read-pte");
	assert_string_equal(r.verdict, "crash");
	assert_false(r.ok);
	assert_true(r.signatures.n >= 1);
	assert_non_null(strstr(r.signatures.v[0], "PANIC:"));
	result_free(&r);
	free(dir);
	free(o.text);
}

/* A guest that cannot boot in time is killed and the timeout recorded. */
static void test_boot_timeout(void **state)
{
	char *dir = xasprintf("%s/run-timeout", tmp);
	struct out o = zd("run", "-o", dir, "--accel", "tcg", "--reps", "1",
			  "-s", "qemu.boot_timeout=1", NULL);
	struct zd_result r;

	assert_true(o.secs < 120);
	r = read_result(dir, "base", "odirect-read-pte");
	assert_string_equal(r.timeout, "boot");
	assert_false(r.ok);
	assert_true(!strcmp(r.verdict, "infra") || !strcmp(r.verdict, "crash"));
	/* exitcode.h: a boot that says nothing about the kernel is infra (3) */
	assert_int_equal(o.code, !strcmp(r.verdict, "infra") ? 3 : 1);
	result_free(&r);
	free(dir);
	free(o.text);
}

/* Two real nights, each with base booted twice in alternation. */
static void test_nightly_interleaved(void **state)
{
	char *rd = xasprintf("general.results_dir=%s/nightly", tmp);
	char *hist = xasprintf("%s/nightly/history", tmp);
	char *index = xasprintf("%s/index.html", hist);
	for (int night = 0; night < 2; night++) {
		struct out o = zd("nightly", "-s", rd, "--accel", "tcg", "--reps", "2",
				  "--interleave", "2", NULL);

		if (o.code != 0)
			fail_msg("nightly failed:\n%s", o.text);
		expect_in(&o, "history: ");
		free(o.text);
		sleep(1); /* run ids carry the second */
	}
	assert_true(path_exists(index));
	{
		char *h = read_file(index, NULL);

		assert_non_null(strstr(h, "base/odirect-read-pte/ns_per_page"));
		free(h);
	}
	{
		/* every night's document, each from two alternating boots */
		int count = 0;
		DIR *d = opendir(hist);
		struct dirent *de;

		while ((de = readdir(d)))
			count += str_ends(de->d_name, ".json");
		closedir(d);
		assert_int_equal(count, 2);
	}
	free(rd);
	free(hist);
	free(index);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_end_to_end),
		cmocka_unit_test(test_nvdimm),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_pmem_file),
		cmocka_unit_test(test_media),
		cmocka_unit_test(test_debug_flavour),
		cmocka_unit_test(test_xfs),
		cmocka_unit_test(test_build_cached),
		cmocka_unit_test(test_missing_kernel_source),
		cmocka_unit_test(test_qemu_missing),
		cmocka_unit_test(test_broken_fragment),
		cmocka_unit_test(test_series_does_not_apply),
		cmocka_unit_test(test_option_kconfig_drops),
		cmocka_unit_test(test_kernel_panics),
		cmocka_unit_test(test_boot_timeout),
		cmocka_unit_test(test_nightly_interleaved),
	};

	e2e_filter();
	return cmocka_run_group_tests_name("e2e", tests, setup, teardown);
}
