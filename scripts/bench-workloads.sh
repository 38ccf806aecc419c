#!/bin/bash
# Workload benchmark: every named workload of config.example on base, in
# one boot, icount clock (deterministic), REPS repetitions; per workload
# the median cost per page, its coefficient of variation, the pins per
# repetition and the median software counters; the gup kind beside its
# selftest peer. Writes docs/bench-workloads.md. Target (issue 4): CV below
# 0.5% for every microbenchmark in icount mode.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
OUT=docs/bench-workloads.md

machine=$(bench_machine)
wls=$($ZD workloads | awk '{print $1}')
args=()
for w in $wls; do args+=(--workload "$w"); done
t0=$(date +%s)
$ZD run -q --accel tcg --clock icount --reps "$REPS" -o "$WORK/run" "${args[@]}" >/dev/null || true
t1=$(date +%s)

row() { # workload
	jq -r --arg w "$1" '
	def med: sort as $v | ($v|length) as $n | if $n == 0 then 0 elif $n % 2 == 1
		then $v[($n-1)/2] else ($v[$n/2-1] + $v[$n/2]) / 2 end;
	def cnt($n): [.samples[].counters[]? | select(.name == $n and .counted) | .value] |
		if length == 0 then "-" else med end;
	[.samples[].ns_per_page] as $x | ($x|length) as $n |
	(if $n > 1 then ($x|add/$n) as $m | (($x | map((.-$m)*(.-$m)) | add) / ($n-1) | sqrt) / $m * 100
	 else 0 end) as $cv |
	"| \($w) | \(.workload.kind) | \(.verdict) | \($n) | \(if $n > 0 then $x|med*10|round/10 else "-" end) | " +
	"\(if $n > 1 then $cv*1000|round/1000 else "-" end) | " +
	"\(if $n > 0 then ([.samples[].pin_acquired]|med) else "-" end) | \(cnt("task-clock") | if . == "-" then . else ./1e6*100|round/100 end) | " +
	"\(cnt("page-faults")) | \(cnt("context-switches")) |"' "$WORK/run/base/$1.json"
}

{
	echo "# Workload benchmark"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`scripts/bench-workloads.sh\` (in \`make bench\`)."
	echo "Machine: $machine. Kernel: base. QEMU TCG, clock **icount** (1 ns per guest"
	echo "instruction: deterministic), $REPS repetitions per workload, all in one boot"
	echo "($((t1 - t0)) s wall). Counters: the agent's task (fio and the selftest run"
	echo "as children, so theirs are not in them); hardware counters do not open"
	echo "under TCG (no PMU) and are recorded so."
	echo
	echo "A negative control (expect = refused) has no samples by design; \"-\": not measured."
	echo
	echo "| workload | kind | verdict | n | median ns/page | CV % | pins/rep | task-clock ms | page-faults | ctx switches |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for w in $wls; do row "$w"; done
	echo
	a=$(jq '[.samples[].ns_per_page] | sort | .[length/2|floor]' "$WORK/run/base/gup-pin-fast-pte.json")
	p=$(jq '[.samples[].ns_per_page] | sort | .[length/2|floor]' "$WORK/run/base/gup-pin-fast-pte-selftest.json")
	echo "gup kind vs the kernel's gup_test selftest (pin-fast, PTE, 8 MiB):"
	echo "agent $a ns/page, selftest $p ns/page, ratio $(echo "scale=3; $a / $p" | bc)."
	echo
	over=$(for w in $wls; do jq -r --arg w "$w" '[.samples[].ns_per_page] as $x | ($x|length) as $n |
		if $n > 1 then ($x|add/$n) as $m | ((($x | map((.-$m)*(.-$m)) | add) / ($n-1) | sqrt) / $m * 100) as $cv |
		select($cv >= 0.5) | "\($w) (\($cv*1000|round/1000)%)" else empty end' "$WORK/run/base/$w.json"; done)
	if [ -z "$over" ]; then
		echo "Every workload with samples stays below 0.5% CV."
	else
		echo "At or above 0.5% CV: $(echo $over)."
	fi
} > "$OUT"
cat "$OUT"
