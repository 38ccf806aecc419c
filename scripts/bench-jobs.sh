#!/bin/bash
# make bench: run -j figures for docs/bench-jobs.md. The same 4-variant
# icount plan (base, zone-hook, spec-gup, single-ref; gup-pin-fast-pte;
# teardown off, since spec-gup's teardown hangs by design) with -j 1 and
# -j 2 in one session: wall time of each, the ratio, and that the icount
# medians did not move.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
OUT=docs/bench-jobs.md
REPS=${REPS:-5}
machine=$(bench_machine)
load0=$(bench_load)
V="--variant base --variant zone-hook --variant spec-gup --variant single-ref"

wall() {
	local j=$1 t0 t1
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	$ZD run -q -j "$j" $V --workload gup-pin-fast-pte --reps "$REPS" --accel tcg \
		--clock icount -s run.teardown=false -o "$WORK/j$j" > /dev/null || true
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc
}
# builds (if any) outside the timed runs
$ZD build -q base zone-hook spec-gup single-ref > /dev/null
# and the guest image (a new agent makes a new one): one short boot
$ZD run -q --variant base --workload gup-pin-fast-pte --reps 1 --accel tcg \
	-s run.teardown=false -o "$WORK/warm" > /dev/null || true
w1=$(wall 1)
w2=$(wall 2)

{
	echo "# run -j: benchmark"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`make bench\` (scripts/bench-jobs.sh)."
	bench_load_line "$load0"
	echo "Machine: $machine; QEMU TCG (one host thread per guest), icount clock."
	echo "Plan: 4 variants (kernels cached), gup-pin-fast-pte, $REPS repetitions, no teardown."
	echo
	echo "| -j | wall seconds |"
	echo "|---|---|"
	echo "| 1 | $w1 |"
	echo "| 2 | $w2 |"
	echo
	echo "Ratio -j 2 / -j 1: $(ratio "$w2" "$w1")."
	echo
	echo "### icount medians (ns/page) with -j 1 and -j 2"
	echo
	for v in base zone-hook spec-gup single-ref; do
		printf '%s-j1 gup-pin-fast-pte %s\n%s-j2 gup-pin-fast-pte %s\n' \
			"$v" "$WORK/j1/$v/results.jsonl" "$v" "$WORK/j2/$v/results.jsonl"
	done | stats_table run base-j1 ns_per_page
	echo
	echo "Each -j 2 row should read 1.000 against its own -j 1 row's median (the"
	echo "ratio column is against base-j1): icount time does not depend on how many"
	echo "guests share the host."
} > "$OUT"
cat "$OUT"
