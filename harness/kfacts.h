/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZD_KFACTS_H
#define ZD_KFACTS_H

#include <stdbool.h>

struct json_object;

/*
 * What the kernel under test does differently from 6.12, where zdbench's
 * workloads and proofs were first written: read from the kernel's own
 * sources at the commit that was built (or, for a kernel the user built,
 * guessed from the version its .config names, and said so). Workloads adapt
 * to these facts instead of judging a healthy kernel failed, and every
 * result records them (docs/byo-kernel.md, "Other kernel versions").
 */
enum kf_refs {
	KF_REFS_UNKNOWN,
	KF_REFS_PINS, /* FOLL_PIN: counted in /proc/vmstat nr_foll_pin_* */
	KF_REFS_GETS, /* FOLL_GET: page references no counter shows */
};

struct kfacts {
	char version[32];  /* "6.1.192"; "" when unknown */
	const char *from;  /* "source", "version" (a prebuilt kernel) or "none" */
	/*
	 * What block-device O_DIRECT takes on user pages: pins since v6.4
	 * (a7e689dd1c06 "block: Convert bio_iov_iter_get_pages to use
	 * iov_iter_extract_pages"; BIO_PAGE_PINNED in block/bio.c), page
	 * references (iov_iter_get_pages2, FOLL_GET) before.
	 */
	enum kf_refs dio_refs;
	/*
	 * "" when mm/gup_test.h has the struct gup_test and the ioctl numbers
	 * the agent's wl_gup.c uses (unchanged from v5.11 to v6.12), else why
	 * not: then the gup workloads are refused before booting.
	 */
	char gup_abi_why[160];
	bool gup_longterm; /* PIN_LONGTERM_TEST_START (v6.4+) */
	bool pte_devmap;   /* x86 selects ARCH_HAS_PTE_DEVMAP: devmap PTEs, pgmap refs at GUP */
	bool dax_fault_tp; /* fs_dax dax_pte_fault_done/dax_pmd_fault_done: the mapping proofs */
};

/*
 * Facts of the tree at revision rev of the git repository repo (rev NULL:
 * the files of the work tree as they are, for the HEAD variant). Never
 * fails: a file that cannot be read leaves its fact unknown (and is named
 * on stderr only with ZDBENCH_DEBUG).
 */
void kfacts_from_tree(const char *repo, const char *rev, struct kfacts *kf);
/*
 * Facts guessed from a kernel's .config header ("# Linux/x86 6.1.192 Kernel
 * Configuration") for a kernel built elsewhere: from = "version", or
 * "none" when the header names no version.
 */
void kfacts_from_config(const char *dotconfig, struct kfacts *kf);
/*
 * The same guess from a release string ("6.1.0-28-amd64", uname -r of the
 * running kernel for the host backend): from = "version", or "none".
 */
void kfacts_from_version(const char *release, struct kfacts *kf);
/* Parse "6.1.192" / "6.12.0-rc1": major*65536 + minor*256 + patch (capped at 255); 0 if not a version. */
unsigned int kfacts_version_code(const char *v);
/* The facts as JSON (plan "kernel" object, run.json, results): a new object. */
struct json_object *kfacts_json(const struct kfacts *kf);
const char *kf_refs_name(enum kf_refs r);

#endif
