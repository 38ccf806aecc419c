#!/bin/bash
# Bisection benchmark: builds and wall time to bisect kernels/history with
# `zdbench bisect`, (1) cold: an empty cache of its own (import, no ccache,
# no kernels), (2) ccache warm: the same cache with its kernels removed,
# (3) kernels cached: everything kept; against the ideal ceil(log2 N).
# Writes docs/bench-bisect.md. Takes about an hour on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
ZD=$PWD/build/zdbench
WORK=$(mktemp -d /tmp/zd-bbis-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export ZDBENCH_CACHE=$WORK/cache
OPTS=(--signature percpu_ref_underflow:dev_pagemap_percpu_release --runs 1 --reps 1
      --accel tcg -s qemu.teardown_timeout=40 -s qemu.hung_task_timeout=10)

$ZD source -q >/dev/null
kernels/history/make-history.sh "$ZDBENCH_CACHE/history" > "$WORK/history.txt"
n=$(git -C "$ZDBENCH_CACHE/history" rev-list --count zdbench-base..zdbench-history)
ideal=$(awk -v n="$n" 'BEGIN { c = 0; while (2 ^ c < n) c++; print c }')

one() { # label
	local t0 t1 builds
	mkdir -p "$ZDBENCH_CACHE/kernels" # with pipefail, ls of a missing dir ends the script
	before=$(ls "$ZDBENCH_CACHE/kernels" | wc -l)
	t0=$(date +%s)
	$ZD bisect --tree "$ZDBENCH_CACHE/history" --good zdbench-base --bad zdbench-history \
		"${OPTS[@]}" -o "$WORK/$1" > "$WORK/$1.txt" 2>&1 || true
	t1=$(date +%s)
	builds=$(( $(ls "$ZDBENCH_CACHE/kernels" | wc -l) - before ))
	echo "| $1 | $(jq -r .steps "$WORK/$1/report.json") | $builds | $((t1 - t0)) | $(jq -r .subject "$WORK/$1/report.json") | $(jq -r .confirmed "$WORK/$1/report.json") |"
}

{
	echo "# Bisection benchmark"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`scripts/bench-bisect.sh\` on $(nproc) cores."
	echo "History: $n commits on base (kernels/history), first bad 0008; ideal"
	echo "ceil(log2 $n) = $ideal revisions between the ends. Each case also builds"
	echo "or reuses the two ends and re-runs culprit and parent to confirm."
	echo
	echo "| case | revisions tested between the ends | kernels built | wall s | culprit | confirmed |"
	echo "|---|---|---|---|---|---|"
	one cold
	rm -rf "$ZDBENCH_CACHE/kernels"
	one ccache-warm
	one kernels-cached
	echo
	echo "\"kernels built\" counts new cache entries: the two ends and the steps; the"
	echo "confirmation (culprit and parent) reuses step kernels. Cold = this script's"
	echo "own empty cache and ccache (the tarball import is done before the clock"
	echo "starts); in the ccache-warm case the out-of-tree build folder of the cold"
	echo "case is kept too, so each kernel is an incremental make plus boots."
} > docs/bench-bisect.md
cat docs/bench-bisect.md
