/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seed 004's two bugs (kernels/bug-gup-loop, kernels/bug-mapping; the
 * seed text is seed document 003_940a08309f293622): the
 * workloads that reach them, and the signatures zdbench gave them when
 * they were run (docs/variants.md, "Seed 004").  Shared by
 * test_seed_bugs.c and test_bisect_history.c.
 */
#ifndef ZD_E2E_SEEDBUGS_H
#define ZD_E2E_SEEDBUGS_H

/*
 * Small and slow-GUP only: gup_test GUP_BASIC on 64 PTE-mapped FS-DAX
 * pages (get_user_pages(), never GUP-fast), and O_DIRECT reads into an
 * FS-DAX buffer left unfaulted, one pass (4 reads of 64 KiB over 256 KiB),
 * so every page is pinned once, by slow GUP after GUP-fast found its PTE
 * empty. Neither takes a GUP-fast PTE reference: the history's GUP-fast
 * culprit (0008) stays out of their way.
 */
#define SEED_WL_LOOP "gup-slow-pte"
#define SEED_WL_MAP "odirect-slow-pte"
#define SEED_CFG \
	"[workload gup-slow-pte]\nkind = gup\nop = gup-basic\nmapping = pte\n" \
	"buf_kib = 256\npages_per_call = 64\niters = 1\n\n" \
	"[workload odirect-slow-pte]\nkind = odirect\nmapping = pte\nrw = read\n" \
	"buf_kib = 256\nbs_kib = 64\niters = 4\nprefault = 0\n"

/*
 * A clean step takes a few seconds under TCG; the loop never ends. 60 s:
 * with 30 s one history bisection of the loop in three failed (the stuck
 * step's sysrq samples come at 2/3 of the timeout and must catch the
 * spinning task in __get_user_pages for the signature).
 */
#define SEED_STEP_TIMEOUT "60"

#define SEED_SIG_LOOP "TIMEOUT:step:__get_user_pages"
#define SEED_SIG_MAP "NULL_DEREF:folio_mark_dirty"

#endif
