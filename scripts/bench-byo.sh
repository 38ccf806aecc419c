#!/bin/bash
# make bench: bring-your-own-kernel figures for docs/bench-byo.md.
#  - `zdbench compare --tree T A B` on a user tree where B changes one .c
#    file of A: wall time from the command to the verdict (B's kernel is
#    new; ccache holds everything but the changed file), against a cold
#    build of a kernel of the same tree (ccache off);
#  - 6.1 (Debian linux-source-6.1) and 6.12 side by side: the same
#    workloads under the icount clock, medians, spreads and the ratio
#    6.1/6.12.
# The user tree is tests/e2e/test_byo.c's clone (cache/e2e-byo/linux, made
# by that test). Every figure carries the machine, clock and repetitions.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
OUT=docs/bench-byo.md
REPS=${REPS:-5}

machine=$(bench_machine)
load0=$(bench_load)
cache=$($ZD kernels | sed -n 's/^cache //p')
clone=$cache/e2e-byo/linux
[ -d "$clone" ] || { echo "bench-byo: $clone missing: run build/tests/test_byo first" >&2; exit 1; }

# A branch of zd-a changing one .c file, new each time (its kernel is never cached).
stamp=$(date +%s)
g() { git -C "$clone" -c user.name=zdbench -c user.email=zdbench@localhost "$@"; }
one_change() {
	g branch -f "$1" zd-a
	g worktree add -q "$WORK/wt" "$1"
	printf '\n/* zdbench bench %s */\nint zd_bench_%s;\n' "$1" "${1//-/_}" >> "$WORK/wt/mm/memremap.c"
	git -C "$WORK/wt" -c user.name=zdbench -c user.email=zdbench@localhost commit -qam "bench: one changed .c file"
	g worktree remove --force "$WORK/wt"
}
one_change "zd-bench-$stamp"

t0=$(date +%s.%N)
code=0
$ZD compare -q --tree "$clone" zd-a "zd-bench-$stamp" --workload gup-pin-fast-pte \
	--reps "$REPS" --clock icount -o "$WORK/cmp" > "$WORK/cmp.txt" || code=$?
t1=$(date +%s.%N)
incr=$(echo "$t1 - $t0" | bc)
build_secs=$(jq -r '.kernels[] | select(.variant == "zd-bench-'"$stamp"'") | .build_seconds // empty' "$WORK/cmp/run.json" 2>/dev/null || true)
[ -n "$build_secs" ] || build_secs=-

# Cold: a kernel of the same tree with the same kind of change, ccache off.
one_change "zd-cold-$stamp"
t0=$(date +%s.%N)
$ZD build -q --tree "$clone" -s kernel.ccache=false "zd-cold-$stamp" > /dev/null
t1=$(date +%s.%N)
cold=$(echo "$t1 - $t0" | bc)
g branch -D -q "zd-bench-$stamp" "zd-cold-$stamp"

# 6.1 beside 6.12: the same plan, icount.
versions() {
	local tarball=$1 dir=$2
	# one vCPU: 6.1 does not bring up a second one under TCG -icount (docs/byo-kernel.md)
	$ZD run -q -s "kernel.tarball=$tarball" -s qemu.cpus=1 --variant base --workload odirect-read-pte \
		--workload gup-pin-fast-pte --reps "$REPS" --accel tcg \
		--clock icount -o "$dir" > /dev/null
}
versions /usr/src/linux-source-6.1.tar.xz "$WORK/v61"
versions /usr/src/linux-source-6.12.tar.xz "$WORK/v612"

{
	echo "# Bring your own kernel: benchmark"
	echo
	echo "Measured $(date -u +%Y-%m-%d) by \`make bench\` (scripts/bench-byo.sh)."
	bench_load_line "$load0"
	echo "Machine: $machine; QEMU TCG (no usable KVM here), make -j$(nproc)."
	echo
	echo "## compare on a user tree with one changed .c file"
	echo
	echo "\`zdbench compare --tree T zd-a zd-bench\` where zd-bench adds two lines to"
	echo "mm/memremap.c: build the new kernel (zd-a's is cached), boot both, run"
	echo "gup-pin-fast-pte $REPS times each under icount, compare (exit $code)."
	echo
	echo "| case | wall seconds |"
	echo "|---|---|"
	echo "| the whole compare, command to verdict | $incr |"
	echo "| of which the build of the changed kernel (ccache) | $build_secs |"
	echo "| a cold build of the same kernel (ccache off) | $cold |"
	echo
	echo "Incremental/cold build: $(ratio "$build_secs" "$cold")."
	echo
	echo "## 6.1 beside 6.12 (icount, one vCPU, $REPS repetitions, base variant)"
	echo
	for wl in odirect-read-pte gup-pin-fast-pte; do
		echo "### $wl"
		echo
		printf '6.12 %s %s\n6.1 %s %s\n' "$wl" "$WORK/v612/base/results.jsonl" \
			"$wl" "$WORK/v61/base/results.jsonl" | stats_table kernel 6.12 ns_per_page
		echo
	done
	echo "The ratio column is 6.1/6.12. On 6.1, odirect's block layer takes FOLL_GET"
	echo "page references (iov_iter_get_pages2) where 6.12 pins (iov_iter_extract_pages,"
	echo "v6.4): the same loop measures a different reference path."
} > "$OUT"
cat "$OUT"
