#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lay the regression history (kernels/history/series) on top of the
# imported base as a real, linear git branch, for `git bisect` or reading:
#
#   kernels/history/make-history.sh [WORKTREE [BRANCH]]
#
# WORKTREE defaults to $CACHE/history, a git worktree of the imported tree
# (the one `zdbench source` names, tag zdbench-base) on the branch BRANCH (default
# zdbench-history; another name leaves the shared one alone). Commits
# get fixed committer identity and dates, so the same series always gives
# the same commit ids. Prints the history, oldest first, with the first
# bad commit of each regression marked (see the series file).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${ZDBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zdbench}
zd=${ZDBENCH:-$here/../../build/zdbench}
wt=${1:-$cache/history}
branch=${2:-zdbench-history}
first_bad='0008 0011 0014'

[ -x "$zd" ] || { echo "no $zd (run: make)" >&2; exit 2; }
# the imported tree of the configured tarball (imported now if it is not yet)
repo=$("$zd" source -q) || { echo "$zd source failed: no imported tree" >&2; exit 2; }
[ -d "$repo/.git" ] || { echo "no imported tree at $repo" >&2; exit 2; }
git -C "$repo" rev-parse -q --verify zdbench-base >/dev/null ||
	{ echo "$repo has no tag zdbench-base" >&2; exit 2; }
if [ -e "$wt" ]; then
	git -C "$repo" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
	git -C "$repo" worktree prune
fi
git -C "$repo" worktree add -q --force -B "$branch" "$wt" zdbench-base
export GIT_COMMITTER_NAME=zdbench GIT_COMMITTER_EMAIL=zdbench@localhost
export GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
grep -v '^[[:space:]]*\(#\|$\)' "$here/series" | while read -r p; do
	git -C "$wt" am -q --committer-date-is-author-date "$here/$p" ||
		{ git -C "$wt" am --abort; echo "patch $p does not apply" >&2; exit 1; }
done
echo "history on branch $branch in $wt:"
n=0
git -C "$wt" log --reverse --format='%h %s' zdbench-base..HEAD | while read -r h s; do
	n=$((n + 1))
	mark=
	case " $first_bad " in *" $(printf %04d $n) "*) mark="   <-- first bad" ;; esac
	printf '%04d %s %s%s\n' "$n" "$h" "$s" "$mark"
done
