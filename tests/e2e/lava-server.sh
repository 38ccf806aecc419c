#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A real LAVA lab on this machine for tests/e2e/test_lava.c: Debian 12's
# lava-server (2023.01) on PostgreSQL, its API under gunicorn, the
# scheduler and one lava-worker with one qemu device, each started by hand
# (PID 1 here is not systemd, so the packaged units do not run).
#
#   lava-server.sh start DIR   writes DIR/lavacli.yaml (the lavacli
#                              identity zdbench-test: URL, user, token; use
#                              XDG_CONFIG_HOME=DIR), DIR/pids
#   lava-server.sh stop DIR    stops what start started (DIR/pids)
#
# Needs root (the packages' users and files). docs/lab.md, "LAVA".
set -eu

cmd=$1
dir=$2
port=18080

stop() {
	[ -f "$dir/pids" ] || return 0
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$dir/pids"
	rm -f "$dir/pids"
}

if [ "$cmd" = stop ]; then
	stop
	exit 0
fi

for t in lava-server lava-worker gunicorn3 pg_ctlcluster pg_isready lavacli; do
	command -v "$t" >/dev/null || {
		echo "lava-server.sh: $t missing (scripts/install-deps.sh: lava-server postgresql)" >&2
		exit 1
	}
done
mkdir -p "$dir"
: >"$dir/pids"

# PostgreSQL: Debian's one cluster, started if it is down.
pg_isready -q || pg_ctlcluster 15 main start
for i in $(seq 30); do pg_isready -q && break; sleep 1; done

# Settings, database, migrations (the package's own postinst step).
/usr/bin/python3 /usr/share/lava-server/postinst.py --config --db >"$dir/postinst.log" 2>&1

# The API, the scheduler, the worker: as the systemd units would.
# Their logs where the lavaserver user may write (DIR may be a 0700 mkdtemp).
logs=/var/log/lava-server
mkdir -p $logs
chown lavaserver: $logs
setsid /usr/bin/gunicorn3 lava_server.wsgi -u lavaserver -g lavaserver --workers 1 \
	--bind "127.0.0.1:$port" --log-file $logs/zdbench-gunicorn.log >/dev/null 2>&1 &
echo $! >>"$dir/pids"
setsid lava-server manage lava-scheduler --level INFO --log-file $logs/zdbench-scheduler.log \
	>/dev/null 2>&1 &
echo $! >>"$dir/pids"

# The admin's token (lavacli), the worker, the device and its dictionary.
lava-server manage users details admin >/dev/null 2>&1 ||
	lava-server manage users add --superuser --staff --passwd "zd-$(date +%s)" admin
token=$(lava-server manage tokens add --user admin | tail -n 1)
lava-server manage device-types details qemu >/dev/null 2>&1 ||
	lava-server manage device-types add qemu
wtoken=$(lava-server manage workers add zdbench-worker 2>/dev/null | sed -n 's/^Token: //p')
if [ -z "$wtoken" ]; then # added before: a new token
	wtoken=$(lava-server manage workers details zdbench-worker 2>/dev/null |
		 sed -n 's/^token *: *//p')
fi
lava-server manage devices details zdbench-qemu >/dev/null 2>&1 ||
	lava-server manage devices add --device-type qemu --worker zdbench-worker zdbench-qemu
cat >/etc/lava-server/dispatcher-config/devices/zdbench-qemu.jinja2 <<'EOF'
{% extends 'qemu.jinja2' %}
{% set memory = 2048 %}
{% set machine = 'q35' %}
{% set cpu = 'max' %}
{% set no_kvm = True %}
{% set extra_options = ['-smp 1', '-no-reboot'] %}
EOF
chown lavaserver: /etc/lava-server/dispatcher-config/devices/zdbench-qemu.jinja2

for i in $(seq 60); do
	curl -sf "http://127.0.0.1:$port/api/v0.2/system/version/" >/dev/null && break
	sleep 1
done
setsid lava-worker --name zdbench-worker --url "http://127.0.0.1:$port/" \
	--token "$wtoken" --worker-dir "$dir/worker" --ping-interval 5 \
	--log-file "$dir/worker.log" >/dev/null 2>&1 &
echo $! >>"$dir/pids"

cat >"$dir/lavacli.yaml" <<EOF
zdbench-test:
  uri: http://127.0.0.1:$port/RPC2
  username: admin
  token: $token
EOF
