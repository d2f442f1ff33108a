#!/usr/bin/env bash
# Brings up tetherd and runs the demo scenario with the tether CLI (and the docker CLI when it is
# installed). The daemon runs inside its own network namespace, `tether-demo`, so the demo never
# touches this machine's interfaces or firewall. `bash scripts/demo.sh stop` removes everything.
set -euo pipefail
cd "$(dirname "$0")/.."
NS=tether-demo
DIR=/run/tether-demo
SOCK=$DIR/tether.sock

stop() {
  if [ -f "$DIR/tetherd.pid" ]; then
    pid=$(cat "$DIR/tetherd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # What the daemon left on purpose (running containers, bridges, its table, cgroup parents).
  if [ -e "/run/netns/$NS" ] && command -v tetherd >/dev/null; then
    nsenter --net=/run/netns/$NS -- tetherd uninstall -H "unix://$SOCK" --data-root "$DIR/data" \
      --exec-root "$DIR/exec" --config-file "$DIR/daemon.json" >/dev/null || true
  fi
  ip netns del "$NS" 2>/dev/null || true
  grep -o " $DIR[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$DIR"
}
if [ "${1:-}" = stop ]; then stop; echo "demo stopped"; exit 0; fi

bash scripts/setup.sh
stop
mkdir -p "$DIR"
ip netns add "$NS"
ip -n "$NS" link set lo up
# nsenter, not `ip netns exec`: the latter remounts /sys and hides the cgroup tree from runtimes.
nsenter --net=/run/netns/$NS -- tetherd -H "unix://$SOCK" --data-root "$DIR/data" --exec-root "$DIR/exec" \
  --config-file "$DIR/daemon.json" >"$DIR/tetherd.log" 2>&1 &
echo $! >"$DIR/tetherd.pid"
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
export TETHER_HOST=unix://$SOCK DOCKER_HOST=unix://$SOCK

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
say tether version
say tether network ls
say tether network create --subnet 10.1.1.0/24 --gateway 10.1.1.1 mybridge
say tether network inspect mybridge
say tether network create custom_network
say tether network ls
if tether network create --subnet 10.1.1.0/25 clash 2>&1; then echo "unexpected: overlap accepted"; exit 1; fi
if command -v docker >/dev/null; then
  say docker network ls
  say docker network inspect custom_network --format '{{json .IPAM}}'
fi
if [ -x scripts/demo-containers.sh ]; then bash scripts/demo-containers.sh; fi
say tether network rm mybridge custom_network
echo
echo "tetherd is running in namespace $NS (log: $DIR/tetherd.log). Try:"
echo "  export DOCKER_HOST=unix://$SOCK; docker network ls"
echo "Stop it with: bash scripts/demo.sh stop"
