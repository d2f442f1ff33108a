#!/usr/bin/env bash
# Installs everything Tether needs on a fresh Debian 12 machine (as root) and builds it:
# kernel tools, the OCI runtimes and monitor, busybox for the test image, zstd (zstd-compressed
# layers of a pull), etcd (the cluster store; the tests run their own member, etcdctl probes it),
# Node dependencies,
# and the `tetherd` / `tether` commands on PATH. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(nftables iproute2 util-linux crun runc conmon busybox-static zstd curl docker-registry apache2-utils docker-compose etcd-server etcd-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules/better-sqlite3 ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build

# The bin entries of package.json, on PATH (npm link would also work; a wrapper needs no npm prefix).
# tetherd through its launcher, which carries the daemon's node flags.
printf '#!/bin/sh\nexec %q "$@"\n' "$PWD/scripts/tetherd" > /usr/local/bin/tetherd
printf '#!/bin/sh\nexec node %q "$@"\n' "$PWD/dist/src/cmd/tether.js" > /usr/local/bin/tether
chmod 755 /usr/local/bin/tetherd /usr/local/bin/tether
echo "setup: done ($(node --version), $(nft --version | head -1))"
