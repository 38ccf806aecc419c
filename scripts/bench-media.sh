#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench (media): the same GUP workloads on fsdax/ext4, fsdax/xfs and
# devdax, in one plan and one boot of one kernel (base + fragments/xfs.config),
# QEMU icount clock, REPS repetitions each; medians, spreads and ratios to
# fsdax/ext4, written to docs/bench-media.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
OUT=${OUT:-docs/bench-media.md}
MEDIA="ext4 xfs devdax"
WLS="gup-fast-pte pin-fast-pte pin-fast-pmd odirect-pte"

# The agent makes QEMU's devdax 4 KiB-aligned (PTE workloads need that); a
# PMD fault on it falls back to PTEs, so it refuses mapping = pmd there.
has() { [ "$1" != pin-fast-pmd-devdax ]; }

# Each shared section once per medium (bench-X -> X-MEDIUM), its medium key
# right under the header.
for m in $MEDIA; do
	case $m in
	devdax) key="dax_mode = devdax" ;;
	*) key="fs = $m" ;;
	esac
	sed -e "s/^\[workload bench-\(.*\)\]\$/[workload \1-$m]\n$key/" scripts/bench-gup.ini >>"$WORK/bench.ini"
done

args=()
list=
for m in $MEDIA; do
	for w in $WLS; do
		has "$w-$m" || continue
		args+=(--workload "$w-$m")
		list="$list $w-$m"
	done
done
machine=$(bench_machine)
# the kernel first (with XFS: workloads run on it), so the run time is the run's
$ZD build -q -c "$WORK/bench.ini" -s "run.workloads=$list" base >/dev/null
t0=$(date +%s)
$ZD run -q --accel tcg --clock icount --reps "$REPS" -c "$WORK/bench.ini" -o "$WORK/run" \
	"${args[@]}" >/dev/null || true
t1=$(date +%s)
R=$WORK/run/base/results.jsonl

table() { # title workload field
	echo "### $1"
	echo
	for m in $MEDIA; do
		has "$2-$m" || continue
		echo "$(jq -r .boot.medium "$WORK/run/base/$2-$m.json") $2-$m $R"
	done | stats_table medium fsdax/ext4 "$3"
	echo
}

{
	echo "# Media benchmark: the same GUP workloads on fsdax/ext4, fsdax/xfs and devdax"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`scripts/bench-media.sh\` in one run of $((t1 - t0)) s."
	echo "Machine: $machine; QEMU TCG, \`--clock icount\` (1 ns of guest time per guest"
	echo "instruction: deterministic, it counts instructions, not cache misses or LOCK'd"
	echo "RMWs), 2 vCPUs, memmap pmem (512 MiB). $REPS repetitions per workload."
	echo
	echo "One plan, one boot, one kernel: base with kernels/fragments/xfs.config (the"
	echo "harness adds it because workloads run on xfs; kernel key $(jq -r .kernel.key "$WORK/run/base/gup-fast-pte-ext4.json" | cut -c1-12))."
	echo "The agent sets up each medium in turn: ext4 (\`mkfs.ext4 -b 4096\`), xfs"
	echo "(\`mkfs.xfs -b size=4096 -d su=2m,sw=1\`), each mounted \`-o dax\`, then the"
	echo "namespace reconfigured devdax with 4 KiB alignment; each is torn down"
	echo "(umount, \`ndctl disable-namespace\`) before the next. Buffers: 16 MiB files on"
	echo "the filesystem, or the first 16 MiB of /dev/daxX.Y; PTE-placed or 2 MiB-aligned"
	echo "for PMD (docs/agent-protocol.md). gup_test rows: the kernel's own ktime deltas"
	echo "around the get and put loops (4 passes = 16384 pages per repetition, 512 per"
	echo "call); O_DIRECT: guest time per page of 2000 64 KiB reads from null_blk into a"
	echo "1 MiB buffer."
	echo
	table "GUP-fast, PTE (get_user_pages_fast + put_page), get+put" gup-fast-pte ns_per_page
	table "PIN-fast, PTE (pin_user_pages_fast + unpin_user_pages), pin+unpin" pin-fast-pte ns_per_page
	table "PIN-fast, PMD, pin+unpin" pin-fast-pmd ns_per_page
	echo "devdax has no PMD row: the agent makes QEMU's devdax 4 KiB-aligned so that PTE"
	echo "workloads can run, and on such a device a PMD fault falls back to PTEs"
	echo "(drivers/dax/device.c); the agent refuses mapping = pmd there rather than report"
	echo "PTE figures as PMD. A 2 MiB-aligned devdax (\`ndctl create-namespace -m devdax -a 2M\`,"
	echo "\`--backend host\`) measures it."
	echo
	table "O_DIRECT read loop (PIN-fast via bio), whole I/O" odirect-pte ns_per_page
	echo "Reading: ext4 and xfs are the same to GUP (the pages are the same pmem, mapped"
	echo "the same way; the filesystem only placed the extents). devdax takes fewer"
	echo "instructions per page; where they go was not traced here. One known difference"
	echo "on this kernel: put_page() of an fsdax page goes through"
	echo "__put_devmap_managed_folio_refs() (1-based refcount, the wakeup truncate waits"
	echo "for), a devdax page (MEMORY_DEVICE_GENERIC) through the plain folio_put() path."
	echo "No dax_mapping check here: the performance flavour has no fs_dax tracepoints, so"
	echo "PTE and PMD are by placement (the debug flavour proves them: test_xfs)."
	echo
	echo "### Verdicts and checks"
	echo
	echo "| workload | medium | verdict | checks |"
	echo "|---|---|---|---|"
	for m in $MEDIA; do
		for w in $WLS; do
			has "$w-$m" || continue
			f=$WORK/run/base/$w-$m.json
			[ -f "$f" ] && jq -r '"| \(.workload.name) | \(.boot.medium) | \(.verdict) | \([.checks[] | "\(.name)=\(if .ok then "ok" else "FAILED" end)"] | join(" ")) |"' "$f"
		done
	done
} >"$OUT"
if [ -n "${KEEP:-}" ]; then cp -r "$WORK/run" "$KEEP"; fi
echo "wrote $OUT"
