#!/bin/bash
# make bench: pipeline figures for docs/bench-pipeline.md.
#  - `zdbench build base` cold (empty cache and ccache) and cached
#  - boot to first result, TCG wall clock and TCG icount
#  - per-page cost and its coefficient of variation over 10 repetitions,
#    in each clock mode, in one session
# Figures carry the machine, clock mode, repetitions and spread.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
OUT=docs/bench-pipeline.md

machine=$(bench_machine)

# Cold: a cache of its own (no kernel, no ccache), tree imported fresh.
t0=$(date +%s.%N)
ZDBENCH_CACHE="$WORK/cache" $ZD build -q base >/dev/null
t1=$(date +%s.%N)
ZDBENCH_CACHE="$WORK/cache" $ZD build -q base >/dev/null
t2=$(date +%s.%N)
cold=$(echo "$t1 - $t0" | bc)
cached=$(echo "$t2 - $t1" | bc)
rm -rf "$WORK/cache"

run_mode() {
	local clock=$1 dir=$WORK/run-$clock
	$ZD run -q --accel tcg --clock "$clock" --reps "$REPS" -o "$dir" >/dev/null || true
	local boot wall stats
	boot=$(jq -r '.boots[0].boot_to_agent_secs | . * 10 | round / 10' "$dir/run.json")
	wall=$(jq -r '.boots[0].wall_secs | . * 10 | round / 10' "$dir/run.json")
	# median, min, max, CV% of ns_per_page over the repetitions
	stats=$(jq -r '[.samples[].ns_per_page] | sort as $v | ($v|length) as $n |
		(add / $n) as $m | ((map((. - $m) * (. - $m)) | add) / ($n - 1) | sqrt) as $sd |
		(if $n % 2 == 1 then $v[($n-1)/2] else ($v[$n/2-1] + $v[$n/2]) / 2 end) as $med |
		"\($med*10|round/10) | \($v[0]*10|round/10) | \($v[-1]*10|round/10) | \(100*$sd/$m*1000|round/1000)"' \
		"$dir/base/odirect-read-pte.json")
	echo "$boot | $wall | $stats"
}
wall=$(run_mode wall)
icount=$(run_mode icount)

{
	echo "# Pipeline benchmark"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`make bench\` (scripts/bench.sh)."
	echo "Machine: $machine; QEMU TCG (no usable KVM here)."
	echo
	echo "## Kernel build (\`zdbench build base\`, make -j2)"
	echo
	echo "| case | wall seconds |"
	echo "|---|---|"
	echo "| cold: import + build, empty ccache | $cold |"
	echo "| cached: unchanged inputs, no make | $cached |"
	echo
	echo "Cold includes importing the source tarball into git (about 85 s)."
	echo
	echo "## Boot and per-page cost (workload odirect-read-pte, $REPS repetitions)"
	echo
	echo "| clock | boot to agent (s) | run wall (s) | median ns/page | min | max | CV % |"
	echo "|---|---|---|---|---|---|---|"
	echo "| wall | $wall |"
	echo "| icount | $icount |"
	echo
	echo "icount time is instruction-based (-icount shift=0,sleep=off): 1 ns per"
	echo "guest instruction, deterministic; wall-clock figures carry host noise."
} > "$OUT"
cat "$OUT"
