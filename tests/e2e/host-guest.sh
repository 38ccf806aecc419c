#!/bin/sh
# PID 1 of the guest that plays a lab machine with real pmem for
# tests/e2e/test_host.c: zdbench runs here with --backend host against the
# running kernel. Each case reports on ttyS1 as
#   CASE <name> rc=<exit code>
#   | <output line>...
# and the result files of the real runs follow as FILE <path> ... END.
# Everything an assertion needs goes to ttyS1; the test decides.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
R=/dev/ttyS1
ZD=/zdbench/build/zdbench

say() { echo "$*" > $R; }

# case NAME CMD...: run it, report its exit code and output.
case_() {
	name=$1
	shift
	"$@" > /tmp/$name.out 2>&1
	rc=$?
	say "CASE $name rc=$rc"
	sed 's/^/| /' /tmp/$name.out > $R
}

send_files() {
	for f in "$@"; do
		[ -f "$f" ] || continue
		say "FILE $f"
		cat "$f" > $R
		say "END"
	done
}

ns_size() {
	ndctl list -n namespace0.0 | tr ',' '\n' | sed -n 's/.*"size":\([0-9]*\).*/\1/p' | head -1
}

cat > /tmp/host.ini <<'EOF'
[general]
results_dir = /tmp/results
[run]
workloads = odirect-read-pte, gup-pin-fast-pte
reps = 3
[host]
namespace = namespace0.0
variant = base-on-host
kernel_config = /zdbench/kernel.config
[workload odirect-read-pte]
kind = odirect
target = /dev/nullb0
mapping = pte
buf_kib = 1024
bs_kib = 64
iters = 200
[workload gup-pin-fast-pte]
kind = gup
op = pin-fast
mapping = pte
buf_kib = 1024
iters = 20
EOF
H="-c /tmp/host.ini"

# The administrator's part: the namespace starts out fsdax.
ndctl create-namespace -f -e namespace0.0 -m fsdax -M mem > /tmp/ndctl-fsdax.json 2>&1
say "NDCTL fsdax $(tr -d '\n' < /tmp/ndctl-fsdax.json)"
SIZE=$(ns_size)
say "SIZE $SIZE"

# Refusals: nothing may be formatted in any of them.
case_ unnamed $ZD run --backend host $H -s host.namespace= -s host.size=$SIZE -s host.destructive=yes
case_ unknown $ZD run --backend host $H -s host.namespace=namespace9.0 -s host.size=$SIZE -s host.destructive=yes
case_ no-optin $ZD run --backend host $H -s host.size=$SIZE
case_ not-root /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups \
	$ZD run --backend host $H -s host.size=$SIZE -s host.destructive=yes
case_ wrong-size $ZD run --backend host $H -s host.size=$((SIZE + 4096)) -s host.destructive=yes
case_ wrong-mode $ZD run --backend host $H -s host.size=$SIZE -s host.destructive=yes -s run.dax_mode=devdax
# base has no XFS: fs = xfs is refused before anything is formatted.
sed 's/^/FILESYSTEMS /' /proc/filesystems > $R
case_ no-xfs $ZD run --backend host $H -s host.size=$SIZE -s host.destructive=yes -s run.fs=xfs
mkdir -p /mnt/mine
mkfs.ext4 -q -F /dev/pmem0 && mount /dev/pmem0 /mnt/mine && echo precious > /mnt/mine/data
sed 's/^/MOUNTINFO /' /proc/self/mountinfo > $R
case_ mounted $ZD run --backend host $H -s host.size=$SIZE -s host.destructive=yes
say "KEPT $(cat /mnt/mine/data)"
umount /mnt/mine
# Held open by another process (a database, say): refused too.
sleep 600 < /dev/pmem0 &
holder=$!
case_ in-use $ZD run --backend host $H -s host.size=$SIZE -s host.destructive=yes
kill $holder

# The real runs: fsdax, then devdax after the administrator reconfigures.
case_ fsdax $ZD run --backend host $H -s host.size=$SIZE -s host.destructive=yes -o /tmp/fsdax
send_files /tmp/fsdax/run.json /tmp/fsdax/base-on-host/*.json /tmp/fsdax/base-on-host/console.log /tmp/fsdax/base-on-host/agent.log
say "MODE-AFTER $(ndctl list -n namespace0.0 | tr -d '\n')"
# zdbench-micro by hand on the same media: a DAX mount of ours, then devdax below.
M=/zdbench/build/agent/zdbench-micro
mkdir -p /mnt/dax2
mkfs.ext4 -q -F /dev/pmem0 && mount -o dax /dev/pmem0 /mnt/dax2
case_ micro-fsdax $M odirect --dir /mnt/dax2 --reps 2 --iters 100
umount /mnt/dax2
ndctl create-namespace -f -e namespace0.0 -m devdax -M mem -a 4K > /tmp/ndctl-devdax.json 2>&1
say "NDCTL devdax $(tr -d '\n' < /tmp/ndctl-devdax.json)"
DSIZE=$(ns_size)
case_ devdax $ZD run --backend host $H -s host.size=$DSIZE -s host.destructive=yes \
	-s run.dax_mode=devdax -o /tmp/devdax
case_ micro-devdax $M gup --devdax /dev/dax0.0 --op pin-fast --buf_kib 2048 --iters 2 --reps 2
send_files /tmp/devdax/run.json /tmp/devdax/base-on-host/*.json /tmp/devdax/base-on-host/agent.log
say "ALL-DONE"
sync
poweroff -f
