#!/usr/bin/env bash
# Installs what the comparison harness needs, without letting any service start in the root
# network namespace (policy-rc.d answers 101 = "action not allowed" during the install).
# Usage: compare/lib/install.sh [--with-podman]
set -euo pipefail
want=(docker.io dnsperf iperf3 busybox-static curl iproute2 util-linux)
[ "${1:-}" = --with-podman ] && want+=(podman netavark aardvark-dns)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "install: ${missing[*]}" >&2
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
