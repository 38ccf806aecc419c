#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bisect the regression history with the zdbench pipeline:
#
#   kernels/history/bisect.sh [-- extra zdbench run args]
#
# Builds make-history.sh's branch, then `git bisect run`s over
# zdbench-base..zdbench-history. Each step builds the commit as a
# temporary variant kernels/hist-NN (the first NN patches of
# kernels/history/series; removed on exit), boots it with a PTE-mapped
# GUP-fast workload and teardown, and judges:
#   good  verdict clean
#   bad   a percpu_ref underflow on the pgmap, a task blocked in
#         memunmap_pages, a teardown timeout, or pgmap_refs net < 1
#   skip  build failure or infra trouble (exit 125)
# Expected result: 0008 "mm/gup: take GUP-fast PTE references with the
# speculative get" is the first bad commit. The history's other culprits,
# 0011 (slow GUP loops on FS-DAX PTEs; fixed by 0013) and 0014 (slow GUP
# keeps the pgmap in page->mapping), are out of this GUP-fast workload's
# reach; bisect each with zdbench bisect by its own signature and a
# slow-GUP workload (docs/bisect.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
proj=$(cd "$here/../.." && pwd)
cache=${ZDBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zdbench}
wt=$cache/history

if [ "${1:-}" = --step ]; then
	shift
	n=$(git -C "$wt" rev-list --count zdbench-base..HEAD)
	v=$(printf 'hist-%02d' "$n")
	mkdir -p "$proj/kernels/$v"
	{
		echo "# temporary: first $n commits of the history (kernels/history/bisect.sh)"
		grep -v '^[[:space:]]*\(#\|$\)' "$here/series" | head -n "$n" | sed 's|^|../history/|'
	} >"$proj/kernels/$v/series"
	out=$(mktemp -d /tmp/zd-bisect-XXXXXX)
	cat >"$out/cfg.ini" <<CFG
[workload gup-fast-pte]
kind = gup
op = gup-fast
mapping = pte
buf_kib = 4096
iters = 2
CFG
	cd "$proj"
	build/zdbench build "$v" -q >&2 || { rm -rf "$out"; exit 125; }
	rc=0
	build/zdbench run -q --accel tcg --variant "$v" --workload gup-fast-pte --reps 1 \
		-c "$out/cfg.ini" -o "$out" -s qemu.teardown_timeout=60 \
		-s qemu.hung_task_timeout=10 "$@" >&2 || rc=$?
	r=$out/$v/gup-fast-pte.json
	[ -f "$r" ] || { rm -rf "$out"; exit 125; }
	verdict=$(jq -r .verdict "$r")
	sigs=$(jq -r '.signatures[]' "$r" | tr '\n' ' ')
	net=$(jq -r 'select(.type == "pgmap_refs") | .pgmaps[]? | select(.type == "fsdax") | .net' \
		"$out/$v/results.jsonl" 2>/dev/null | head -1)
	echo "bisect: $v (rc $rc): verdict $verdict, net ${net:-n/a}, signatures: ${sigs:-none}" >&2
	rm -rf "$out"
	case "$verdict" in infra) exit 125 ;; esac
	if [[ "$sigs" == *percpu_ref_underflow* || "$sigs" == *memunmap_pages* ]] ||
	   [ "$(jq -r '.timeout // ""' "$r" 2>/dev/null)" = teardown ] ||
	   { [ -n "$net" ] && [ "$net" -lt 1 ]; }; then
		exit 1
	fi
	[ "$verdict" = clean ] && exit 0
	exit 1
fi

cleanup() {
	rm -rf "$proj"/kernels/hist-[0-9][0-9]
	git -C "$wt" bisect reset >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$here/make-history.sh" "$wt"
git -C "$wt" bisect start zdbench-history zdbench-base
git -C "$wt" bisect run "$here/bisect.sh" --step "$@"
git -C "$wt" bisect log | tail -n 3
