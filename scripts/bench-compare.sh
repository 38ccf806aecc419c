#!/bin/bash
# compare over 10,000 samples per side, and nightly's analysis, plots and
# report over a 365-night history: wall times into docs/bench-compare.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ZD=$PWD/build/zdbench
WORK=$(mktemp -d /tmp/zd-bcmp-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# a result document with N samples around MEAN (sd 0.1%), via awk + jq
result() { # dir variant n mean seed
	mkdir -p "$1/$2"
	awk -v n="$3" -v m="$4" -v s="$5" 'BEGIN { srand(s); for (i = 0; i < n; i++) {
		u = rand(); v = rand(); z = sqrt(-2 * log(u + 1e-12)) * cos(6.283185 * v);
		printf "%d %.4f\n", i, m * (1 + 0.001 * z) } }' |
	jq -R -s --arg v "$2" '{schema: "zdbench.result/1", run_id: "bench", variant: $v,
		workload: {name: "odirect-read-pte", kind: "odirect", params: {}},
		verdict: "clean", ok: true, signatures: [],
		samples: (split("\n") | map(select(length > 0) | split(" ") |
			{rep: (.[0] | tonumber), pages: 32000, ns_per_page: (.[1] | tonumber),
			 elapsed_ns: ((.[1] | tonumber) * 32000 | floor), pin_acquired: 32000,
			 pin_released: 32000, counters: []}))}' > "$1/$2/odirect-read-pte.json"
}

result "$WORK/a" base 10000 835 1
result "$WORK/b" base 10000 843 2
t0=$(date +%s.%N)
"$ZD" compare "$WORK/a" "$WORK/b" > "$WORK/cmp.txt" || true
t1=$(date +%s.%N)
cmp_secs=$(echo "$t1 - $t0" | bc)

# 365 nights: 3 series, a 3% step at night 250, a new failure on the last
H=$WORK/history
mkdir -p "$H"
for i in $(seq 0 364); do
	awk -v i="$i" 'BEGIN { srand(i + 7); f = (i >= 250) ? 1.03 : 1.0;
		printf "%.3f %.3f %.3f\n", 835 * f * (1 + 0.001 * (rand() - 0.5)),
		2100 * (1 + 0.002 * (rand() - 0.5)), 1500 * (1 + 0.002 * (rand() - 0.5)) }' |
	jq -R --argjson i "$i" 'split(" ") | map(tonumber) as $v | {schema: "zdbench.history/1",
		run_id: ("night-" + ($i | tostring | ("000" + .)[-3:])), time: (1790000000 + 86400 * $i),
		commit: "abc", series: {"base/odirect-read-pte/ns_per_page": {median: $v[0], n: 10},
			"zone-hook/odirect-read-pte/ns_per_page": {median: $v[1], n: 10},
			"single-ref/odirect-read-pte/ns_per_page": {median: $v[2], n: 10}},
		runs: [{variant: "base", workload: "odirect-read-pte", verdict: "clean",
			signatures: (if $i == 364 then ["percpu_ref_underflow:dev_pagemap_percpu_release@teardown"] else [] end)}]}' \
		> "$H/night-$(printf %03d "$i").json"
done
t0=$(date +%s.%N)
"$ZD" nightly --report-only "$H" > "$WORK/nightly.txt" || true
t1=$(date +%s.%N)
hist_secs=$(echo "$t1 - $t0" | bc)

{
	echo "# compare and nightly benchmark"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`scripts/bench-compare.sh\` on $(nproc) cores"
	echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); wall clock, one run each."
	echo
	echo "| job | seconds |"
	echo "|---|---|"
	echo "| compare, 10,000 vs 10,000 samples (Mann-Whitney, 2000-resample bootstrap, 2 metrics) | $cmp_secs |"
	echo "| nightly --report-only, 365 nights x 3 series (E-divisive, 199 permutations; 3 trend plots PNG+SVG; index.html) | $hist_secs |"
	echo
	echo "compare said:"
	echo '```'
	cat "$WORK/cmp.txt"
	echo '```'
	echo "nightly said:"
	echo '```'
	cat "$WORK/nightly.txt"
	echo '```'
} > docs/bench-compare.md
cat docs/bench-compare.md
