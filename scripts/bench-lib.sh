# SPDX-License-Identifier: GPL-2.0
# Shared by the bench scripts (sourced from the project root): zdbench, the
# repetitions, a scratch folder removed on exit, the machine line and the
# sample statistics every figure carries.

ZD=build/zdbench
REPS=${REPS:-10}
WORK=$(mktemp -d /tmp/zd-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# bench_load: the 1/5/15-minute load averages now (the lines the wall-clock
# benches print before and after their runs: other jobs slow wall times)
bench_load() { cut -d" " -f1-3 /proc/loadavg; }
# bench_load_line BEFORE: the sentence those benches write
bench_load_line() {
	echo "Load average before and after: $1 / $(bench_load) (above 0:"
	echo "other jobs shared the 2 cores, which slows wall times but not icount figures)."
}

bench_machine() {
	echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
}

# stats FIELD WORKLOAD RESULTS.JSONL -> "median min max cv% n" over the
# agent's sample lines of that workload ("- - - - 0" when there are none)
stats() {
	jq -rs --arg f "$1" --arg w "$2" '
		[.[] | select(.type == "sample" and .workload == $w) | .[$f]] |
		if length == 0 then "- - - - 0" else
		sort as $v | length as $n | (add / $n) as $m |
		(if $n > 1 then ((map((. - $m) * (. - $m)) | add) / ($n - 1) | sqrt) else 0 end) as $sd |
		(if $n % 2 == 1 then $v[($n-1)/2] else ($v[$n/2-1] + $v[$n/2]) / 2 end) as $med |
		"\($med) \($v[0]) \($v[-1]) \(if $m > 0 then 100 * $sd / $m else 0 end) \($n)" end' \
		"$3" 2>/dev/null || echo "- - - - 0"
}

fmt() { awk -v x="$1" 'BEGIN { if (x == "-") print "-"; else printf "%.1f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.3f", a / b }'; }

# stats_table ROW_HEADER REF_LABEL FIELD: a markdown table of FIELD's
# median, min, max and CV, and the ratio to the REF_LABEL row's median
# ("-" for rows before it); rows "LABEL WORKLOAD RESULTS.JSONL" on stdin.
stats_table() {
	local ref= label w file med min max cv n
	echo "| $1 | n | median ns/page | min | max | CV % | ratio to $2 |"
	echo "|---|---|---|---|---|---|---|"
	while read -r label w file; do
		read -r med min max cv n < <(stats "$3" "$w" "$file")
		[ "$label" = "$2" ] && ref=$med
		echo "| $label | $n | $(fmt "$med") | $(fmt "$min") | $(fmt "$max") | $(fmt "$cv") | $(ratio "$med" "${ref:--}") |"
	done
}
