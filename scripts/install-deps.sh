#!/bin/sh
# Install the Debian packages zdbench needs. Used by `make run` and .ci/run.
# As root: apt-get installs what is missing. Otherwise: print the command.
set -eu

PKGS="gcc make pkg-config git ccache flex bison bc libelf-dev libssl-dev
cpio xz-utils e2fsprogs xfsprogs qemu-system-x86 fio ndctl busybox-static
linux-source-6.12 linux-source-6.1 libjson-c-dev libinih-dev libpcre2-dev libcmocka-dev
gnuplot-nox jq libgsl-dev chromium
python3 python3-junitparser python3-yaml libxml2-utils
libyaml-dev lava-dispatcher lava-common lavacli python3-voluptuous
lava-server postgresql"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

echo "install-deps: missing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root:"
	echo "  apt-get update && apt-get install -y --no-install-recommends$missing"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
