#!/bin/bash
# Classifier benchmark: time and peak memory to classify 100 MB and 400 MB
# console logs (real base console lines repeated, one spec-gup teardown
# excerpt in the middle), written to docs/bench-classify.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ZD=build/zdbench
WORK=$(mktemp -d /tmp/zd-bclass-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

make_log() { # size_mb out
	local target=$(($1 * 1048576)) out=$2
	: > "$out"
	while [ "$(stat -c %s "$out")" -lt $((target / 2)) ]; do
		cat tests/data/console/base-clean-6.12.log >> "$out"
	done
	cat tests/data/console/specgup-observed.log >> "$out"
	while [ "$(stat -c %s "$out")" -lt "$target" ]; do
		cat tests/data/console/base-clean-6.12.log >> "$out"
	done
}

row() { # size_mb
	local log=$WORK/$1.log stats best=""
	make_log "$1" "$log"
	for i in 1 2 3; do
		stats=$($ZD check-log "$log" --stats 2>&1 >/dev/null | grep '^check-log:' || true)
		best+="$stats"$'\n'
	done
	# report the fastest of three runs, and its peak RSS
	echo "$best" | awk -v mb="$1" '/check-log/ {
		t = $5; r = $9; if (min == "" || t < min) { min = t; rss = r; lines = $2 } }
		END { printf "| %d | %d | %.2f | %.0f | %d |\n", mb, lines, min, mb / min, rss }'
}

{
	echo "# Classifier benchmark"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`scripts/bench-classify.sh\` on"
	echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))."
	echo "Best of 3 runs of \`zdbench check-log FILE --stats\`; wall clock."
	echo
	echo "| log MB | lines | seconds | MB/s | peak RSS KiB |"
	echo "|---|---|---|---|---|"
	row 100
	row 400
	echo
	echo "The classifier streams in 64 KiB blocks with lines capped at 4 KiB and"
	echo "a literal prefilter before the PCRE2 patterns, so peak memory does not"
	echo "grow with the log."
} > docs/bench-classify.md
cat docs/bench-classify.md
