#!/bin/sh
# Run cmocka test binaries; print one closing line "N passed, N failed".
# A test binary that cannot run (missing tool) fails: it never passes silently.
set -u
passed=0
failed=0
for t in "$@"; do
	echo "=== $t"
	t0=$(date +%s)
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	# where a slow make check spends its time (fresh machine: the kernel builds)
	echo "--- $t: $(($(date +%s) - t0)) s"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" != 0 ] && [ -z "$f" ]; then
		failed=$((failed + 1)) # crashed or exited before cmocka's summary
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
