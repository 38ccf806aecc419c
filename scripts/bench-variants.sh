#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench (variants): per-page GUP-fast and PIN-fast cost on FS-DAX pages
# for base, zone-hook, spec-gup, single-ref and zero-idle, in one run, QEMU icount
# clock, REPS repetitions each, written to docs/bench-variants.md:
#  - gup_test GUP_FAST_BENCHMARK and PIN_FAST_BENCHMARK on a PTE-mapped
#    16 MiB MAP_SHARED DAX buffer: the kernel's own get and put times
#    (ktime, so virtual time under icount) per page;
#  - the O_DIRECT loop (odirect kind: pin_user_pages_fast via the block
#    layer, null_blk target): wall time per page;
#  - map/fault/unmap cycles (mapcycle kind), where zero-idle moved cost:
#    fresh = punch, PTE: fault-in (with ext4's allocation), zap and
#    hole-punch time per page; fresh = window, PTE and PMD: fault-in of
#    written blocks never mapped before (the entry insertion alone) and
#    zap. (PMD with fresh = punch fails its mapping proof after a few
#    repetitions on every variant: ext4 stops handing out 2 MiB-aligned
#    extents after repeated hole punches; window allocates once, and goes
#    before the PTE cycles, whose punched and deleted files leave ext4's
#    free space unaligned: after them it found 0 of 32 windows aligned.)
# Medians, spreads (min..max and CV) and ratios to base.
# spec-gup underflows its pgmap ref and hangs at teardown by design: the
# run kills it at a short teardown timeout after its samples are in.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
OUT=${OUT:-docs/bench-variants.md}
VARIANTS=${VARIANTS:-"base zone-hook spec-gup single-ref zero-idle"}

cp scripts/bench-gup.ini "$WORK/bench.ini"

machine=$(bench_machine)
vargs=()
for v in $VARIANTS; do
	vargs+=(--variant "$v")
	$ZD build -q "$v" >/dev/null
done
t0=$(date +%s)
# -j 2: icount figures do not depend on it (docs/lab.md, tests/e2e/test_jobs.c)
$ZD run -q -j 2 --accel tcg --clock icount --reps "$REPS" -c "$WORK/bench.ini" -o "$WORK/run" \
	"${vargs[@]}" --workload bench-gup-fast-pte --workload bench-pin-fast-pte \
	--workload bench-odirect-pte --workload bench-mapcycle-pmd-window \
	--workload bench-mapcycle-pte --workload bench-mapcycle-pte-window \
	-s qemu.teardown_timeout=30 >/dev/null || true
t1=$(date +%s)

table() { # title workload field
	echo "### $1"
	echo
	for v in $VARIANTS; do echo "$v $2 $WORK/run/$v/results.jsonl"; done |
		stats_table variant base "$3"
	echo
}

verdicts() {
	for v in $VARIANTS; do
		for w in bench-gup-fast-pte bench-pin-fast-pte bench-odirect-pte bench-mapcycle-pte \
			bench-mapcycle-pte-window bench-mapcycle-pmd-window; do
			f=$WORK/run/$v/$w.json
			[ -f "$f" ] && echo "| $v | $w | $(jq -r .verdict "$f") | $(jq -r '.timeout // "-"' "$f") | $(jq -r '[.signatures[]] | join(" ")' "$f") |"
		done
	done
}

{
	echo "# Variant benchmark: per-page GUP cost on FS-DAX pages"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`scripts/bench-variants.sh\` in one run of $((t1 - t0)) s."
	echo "Machine: $machine; QEMU TCG, \`--clock icount\` (instruction-counted virtual"
	echo "time: deterministic, not host time), 2 vCPUs, memmap pmem, ext4 -o dax."
	echo "$REPS repetitions per variant and workload. Kernels: stock 6.12.117 (base) and"
	echo "the kernels/ variants, same .config; see docs/variants.md."
	echo
	echo "gup_test rows: the kernel's own ktime deltas around the get and the put loops"
	echo "(4 passes over a 16 MiB PTE-mapped buffer = 16384 pages per repetition,"
	echo "512 pages per call). O_DIRECT row: guest CLOCK_MONOTONIC time per page of 2000"
	echo "64 KiB reads from null_blk into a 1 MiB PTE-mapped DAX buffer (one PIN-fast +"
	echo "unpin per page). Under icount (shift=0) guest time advances 1 ns per guest"
	echo "instruction, so ns/page here counts instructions per page: it says nothing about"
	echo "cache misses or the cost of LOCK'd RMWs. Analysis: docs/variants.md."
	echo
	table "GUP-fast (get_user_pages_fast + put_page), get+put" bench-gup-fast-pte ns_per_page
	table "GUP-fast, get only" bench-gup-fast-pte get_ns_per_page
	table "GUP-fast, put only" bench-gup-fast-pte put_ns_per_page
	table "PIN-fast (pin_user_pages_fast + unpin_user_pages), pin+unpin" bench-pin-fast-pte ns_per_page
	table "PIN-fast, pin only" bench-pin-fast-pte get_ns_per_page
	table "PIN-fast, unpin only" bench-pin-fast-pte put_ns_per_page
	table "O_DIRECT read loop (PIN-fast via bio), whole I/O" bench-odirect-pte ns_per_page
	table "map/fault/unmap, PTE: fault-in per page (a new DAX entry each fault)" bench-mapcycle-pte fault_ns_per_page
	table "map/fault/unmap, PTE: zap (munmap) per page" bench-mapcycle-pte zap_ns_per_page
	table "map/fault/unmap, PTE: hole punch per page (entries removed)" bench-mapcycle-pte punch_ns_per_page
	table "map/fault/unmap, PTE window: fault-in per page (a new entry, the block already written)" bench-mapcycle-pte-window fault_ns_per_page
	table "map/fault/unmap, PTE window: zap per page" bench-mapcycle-pte-window zap_ns_per_page
	table "map/fault/unmap, PMD window: fault-in per 4 KiB page (a new 2 MiB entry)" bench-mapcycle-pmd-window fault_ns_per_page
	table "map/fault/unmap, PMD window: zap per 4 KiB page" bench-mapcycle-pmd-window zap_ns_per_page
	echo "### Verdicts"
	echo
	echo "| variant | workload | verdict | timeout | signatures |"
	echo "|---|---|---|---|---|"
	verdicts
	echo
	echo "spec-gup's hang is its expected teardown failure (docs/variants.md), not a"
	echo "benchmark problem: its samples were all taken before teardown."
} >"$OUT"
# the reading of the figures (they are icount, so they repeat): kept with them
cat >> "$OUT" <<'PARA'
## Where zero-idle moved the cost, and why

zero-idle (kernels/zero-idle: FS-DAX pages idle at refcount 0, the DAX
mapping's xarray entry holds one page reference, GUP takes plain references
with no pgmap lookup) makes GUP cheaper and truncation dearer:

- GUP-fast, PIN-fast and O_DIRECT cost 1-2% fewer instructions per page
  than base (get and pin: about -4 instructions, the per-PTE
  `get_dev_pagemap()` lookup gone; put and unpin: +1, the check for the
  final put to 0). zone-hook pays +16% on the same loops for its
  percpu_ref op per reference delta.
- Zap does not change (PTE and PMD, to the instruction): the reference
  belongs to the page-cache entry, not to the PTE (unlike v6.15, where
  the PTE holds it and zap pays).
- A fault that inserts a new entry takes the page reference there (and,
  on 0->1, a pgmap reference). Where the block is already written (the
  window rows) that is all the fault adds: about +21 instructions per PTE
  fault (x1.004 of ~5950; but the file's layout moves this figure by as
  much from run to run on any variant, so one run does not settle it)
  and +11 per 4 KiB page of a PMD fault, i.e. ~5700 per 2 MiB entry
  (x1.31: a PMD fault is cheap per page, and zero-idle takes a reference
  on each of its 512 pages). Where the fault also allocates and zeroes
  the block (the punch rows) the ~36000 instructions per page of ext4's
  allocation hide it: that figure has two modes (CV 7%) on every variant.
- Removing entries (the hole punch after each cycle) costs +27%, about
  +230 instructions per page, in two parts not measured apart here: the
  scan zero-idle's 0003 adds (`dax_layout_busy_page_range()` no longer
  skips a file nothing maps, so every punch walks the range's entries),
  and the final puts (every entry's page reference is dropped to 0, which
  calls `free_zone_device_folio()`, wakes idle waiters (`wake_up_var`)
  and puts the page's pgmap reference). Base keeps its static per-page
  pgmap references and does none of it.

So the cost moved from GUP time to truncate/punch/eviction time, and the
wait moved with it: eviction now waits for pinned pages instead of warning
(docs/variants.md, zero-idle, S2).
PARA
if [ -n "${KEEP:-}" ]; then cp -r "$WORK/run" "$KEEP"; fi
echo "wrote $OUT"
