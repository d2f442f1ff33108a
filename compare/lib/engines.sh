# Test hosts and engines for the comparison harness (sourced by compare/run-conformance.sh and
# bench/run.sh). Every engine gets its OWN network namespace (a "test host"), its own data root,
# exec root and socket under one run directory, and the same busybox image.
#
#   tcmp_init                 run id, run dir, stale cleanup, traps (call once)
#   tcmp_engine_up E          E ∈ docker | tetherd | podman; sets TCMP_SOCK[E] (or returns 1);
#                             TCMP_TETHERD_ARGS adds flags to tetherd's command line
#   tcmp_client_up E          a client netns wired to E's test host by a veth (198.18.0.2 → .1)
#   tcmp_teardown             stops everything this run started (also runs from the traps)
#
# Names: netns `tcmp-<run>-<engine>`, run dir /tmp/tcmp-<run>. A leftover from a killed run is
# recognised by that prefix and removed by the next tcmp_init (its owner pid is gone).
# Safety: no uplink in any test host; the only "outside" address is a stub DNS server
# (NXDOMAIN for everything) on the loopback of each test host.

TCMP_PREFIX=tcmp
TCMP_REPO=${TCMP_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TCMP_DOCKER_CLI=${TCMP_DOCKER_CLI:-/usr/local/bin/docker}   # v28 (the references use it); /usr/bin/docker = 20.10
[ -x "$TCMP_DOCKER_CLI" ] || TCMP_DOCKER_CLI=/usr/bin/docker
TCMP_STUB_IP=198.18.0.53   # stub upstream DNS, on a dummy link inside every test host
declare -gA TCMP_SOCK=() TCMP_PID=() TCMP_NS=()
TCMP_TORN=0

tcmp_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

tcmp_init() {
  [ "$(id -u)" = 0 ] || { echo "must run as root (network namespaces, daemons)" >&2; exit 2; }
  tcmp_cleanup_stale
  TCMP_RUN=$(date +%H%M%S)$$
  TCMP_DIR=/tmp/$TCMP_PREFIX-$TCMP_RUN
  mkdir -p "$TCMP_DIR"
  echo $$ > "$TCMP_DIR/owner.pid"
  export DOCKER_CONFIG=$TCMP_DIR/docker-cli-config DOCKER_CLI_HINTS=false
  mkdir -p "$DOCKER_CONFIG"
  trap 'tcmp_teardown' EXIT
  trap 'tcmp_log "interrupted"; exit 130' INT TERM HUP
}

# The inode of a netns file / of a process's netns.
_ns_ino() { stat -L -c %i "$1" 2>/dev/null; }

# Kill every process whose netns is one of the given inodes (daemons' helpers, shims, containers).
_kill_in_netns() {
  local want=" $* " p ino
  [ -n "${*}" ] || return 0
  for sig in TERM KILL; do
    for p in /proc/[0-9]*; do
      ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
      case "$want" in *" $ino "*) kill -s $sig "${p#/proc/}" 2>/dev/null ;; esac
    done
    [ $sig = TERM ] && sleep 1
  done
}

# Mount points under a directory, deepest first (from our own mountinfo).
_mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | uniq
}
# nsfs mounts under a directory (container sandboxes) → their inodes.
_nsfs_inos_under() {
  awk -v d="$1" 'index($5, d "/") == 1 { for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "nsfs") print $5; break } }' /proc/self/mountinfo |
    while read -r m; do _ns_ino "$m"; done
}

# Remove everything of one run dir + its netns (used for our own run and for stale ones).
_tcmp_destroy() { # dir run-id
  local dir=$1 run=$2 ns inos="" f
  # daemons by their recorded pid first (graceful), then everything left inside our namespaces
  for f in "$dir"/*/daemon.pid; do
    [ -f "$f" ] || continue
    local pid; pid=$(cat "$f")
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$TCMP_PREFIX-$run-" || true); do
    inos+=" $(_ns_ino /run/netns/$ns)"
  done
  inos+=" $(_nsfs_inos_under "$dir" | tr '\n' ' ')"
  sleep 1
  _kill_in_netns $inos
  for m in $(_mounts_under "$dir"); do umount -l "$m" 2>/dev/null; done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$TCMP_PREFIX-$run-" || true); do
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf --one-file-system "$dir" 2>/dev/null || rm -rf "$dir" 2>/dev/null
}

tcmp_cleanup_stale() {
  local d run owner ns
  for d in /tmp/$TCMP_PREFIX-*; do
    [ -d "$d" ] || continue
    run=${d#/tmp/$TCMP_PREFIX-}
    owner=$(cat "$d/owner.pid" 2>/dev/null)
    if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then continue; fi
    tcmp_log "removing leftovers of run $run"
    _tcmp_destroy "$d" "$run"
  done
  # namespaces without a run dir
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$TCMP_PREFIX-" || true); do
    run=$(echo "$ns" | cut -d- -f2)
    [ -d /tmp/$TCMP_PREFIX-$run ] && continue
    _kill_in_netns "$(_ns_ino /run/netns/$ns)"
    ip netns del "$ns" 2>/dev/null
  done
}

# A test host: netns with lo up (also carrying the stub DNS address), no uplink.
tcmp_host_up() { # engine
  local ns=$TCMP_PREFIX-$TCMP_RUN-$1
  ip netns add "$ns" || return 1
  TCMP_NS[$1]=$ns
  nsenter --net=/run/netns/$ns sh -c "
    ip link set lo up && ip addr add $TCMP_STUB_IP/32 dev lo" || return 1
  mkdir -p "$TCMP_DIR/$1"
  nsenter --net=/run/netns/$ns python3 "$TCMP_REPO/compare/lib/dns_stub.py" $TCMP_STUB_IP "$TCMP_DIR/$1/dns-stub.log" \
    >/dev/null 2>&1 &
  echo $! > "$TCMP_DIR/$1/stub.pid"
}

# A "client" next to a test host: netns `tcmp-<run>-<engine>-client` (same prefix, so teardown and
# the stale cleanup remove it), wired by a veth made inside the test host (`tcmp-client`,
# 198.18.0.1/24) whose peer is moved straight into the client (`eth0`, 198.18.0.2/24). Nothing is
# created in the root namespace. Sets TCMP_CLIENT_NS[engine].
declare -gA TCMP_CLIENT_NS=()
tcmp_client_up() { # engine
  local e=$1 host=${TCMP_NS[$1]:-} ns
  [ -n "$host" ] || return 1
  ns=$host-client
  ip netns add "$ns" || return 1
  TCMP_CLIENT_NS[$e]=$ns
  nsenter --net=/run/netns/$host sh -c "
    ip link add tcmp-client type veth peer name eth0 netns $ns &&
    ip addr add 198.18.0.1/24 dev tcmp-client && ip link set tcmp-client up" || return 1
  nsenter --net=/run/netns/$ns sh -c "
    ip link set lo up && ip addr add 198.18.0.2/24 dev eth0 && ip link set eth0 up" || return 1
}

_wait_ping() { # sock seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -s -m 2 --unix-socket "$1" http://localhost/_ping 2>/dev/null | grep -q OK && return 0
    sleep 0.1
  done
  return 1
}

tcmp_dk() { # engine args... : the docker CLI against one engine
  local e=$1; shift
  DOCKER_HOST=unix://${TCMP_SOCK[$e]:-/nonexistent/engine-$e-not-up.sock} "$TCMP_DOCKER_CLI" "$@"
}

tcmp_engine_up() { # engine
  local e=$1 d=$TCMP_DIR/$1 ns
  tcmp_host_up "$e" || { tcmp_log "$e: cannot create test host"; return 1; }
  ns=/run/netns/${TCMP_NS[$e]}
  local sock=$d/engine.sock
  mkdir -p "$d/data" "$d/exec"
  case $e in
    docker)
      echo '{}' > "$d/daemon.json"
      nsenter --net=$ns dockerd --config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/exec" \
        -H unix://$sock --pidfile "$d/dockerd.pid" --dns $TCMP_STUB_IP >"$d/daemon.log" 2>&1 &
      ;;
    tetherd)
      [ -f "$TCMP_REPO/dist/src/cmd/tetherd.js" ] || { tcmp_log "tetherd: not built"; return 1; }
      echo '{}' > "$d/daemon.json"
      # shellcheck disable=SC2086 # TCMP_TETHERD_ARGS: extra flags, word-split (bench: --trace-ops)
      nsenter --net=$ns "$TCMP_REPO/scripts/tetherd" --config-file "$d/daemon.json" -H unix://$sock \
        --data-root "$d/data" --exec-root "$d/exec" --dns $TCMP_STUB_IP ${TCMP_TETHERD_ARGS:-} >"$d/daemon.log" 2>&1 &
      ;;
    podman)
      command -v podman >/dev/null || { tcmp_log "podman: not installed"; return 1; }
      mkdir -p "$d/netconf" "$d/runroot" "$d/tmp"
      cat > "$d/containers.conf" <<EOF
[containers]
dns_servers = ["$TCMP_STUB_IP"]
# podman asks for nofile=1048576 and nproc=4194304, above this machine's hard limit (crun: setrlimit EPERM)
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=$(ulimit -Hu):$(ulimit -Hu)"]
[network]
network_backend = "netavark"
network_config_dir = "$d/netconf"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$d/tmp"
volume_path = "$d/data/volumes"
static_dir = "$d/data/libpod"
EOF
      CONTAINERS_CONF=$d/containers.conf CONTAINERS_REGISTRIES_CONF=/dev/null \
        nsenter --net=$ns podman --root "$d/data" --runroot "$d/runroot" --tmpdir "$d/tmp" \
        --network-config-dir "$d/netconf" --cgroup-manager cgroupfs --events-backend file \
        system service --time=0 unix://$sock >"$d/daemon.log" 2>&1 &
      ;;
    *) tcmp_log "unknown engine $e"; return 1 ;;
  esac
  TCMP_PID[$e]=$!
  echo "${TCMP_PID[$e]}" > "$d/daemon.pid"
  TCMP_SOCK[$e]=$sock
  if ! _wait_ping "$sock" 60; then
    tcmp_log "$e: daemon did not answer /_ping within 60 s (log: $d/daemon.log)"; tail -5 "$d/daemon.log" >&2
    return 1
  fi
  tcmp_log "$e: up (pid ${TCMP_PID[$e]}, netns ${TCMP_NS[$e]}, $(tcmp_dk "$e" version --format '{{.Server.Version}} API {{.Server.APIVersion}}' 2>&1 | head -1))"
  tcmp_image_load "$e" || tcmp_log "$e: WARNING: busybox image not loaded (container scenarios will fail)"
  return 0
}

# busybox:latest from Debian's busybox-static: /bin/busybox + one symlink per applet + passwd/group.
tcmp_rootfs_tar() {
  local tar=$TCMP_DIR/busybox-rootfs.tar r=$TCMP_DIR/rootfs
  [ -f "$tar" ] && { echo "$tar"; return 0; }
  rm -rf "$r"; mkdir -p "$r"/{bin,etc,tmp,root,proc,sys,dev,var,home}
  cp /bin/busybox "$r/bin/busybox"
  local a
  for a in $("$r/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
  chmod 1777 "$r/tmp"
  tar -C "$r" --numeric-owner --owner=0 --group=0 -cf "$tar" . && rm -rf "$r"
  echo "$tar"
}

tcmp_image_load() { # engine
  local e=$1 tar
  tar=$(tcmp_rootfs_tar) || return 1
  if tcmp_dk "$e" import "$tar" busybox:latest >"$TCMP_DIR/$e/import.log" 2>&1; then
    # podman stores it as localhost/busybox:latest; `run busybox` resolves that short name
    return 0
  fi
  # tetherd: the runtime engineer's image builder, if present
  if [ -x "$TCMP_REPO/scripts/build-busybox-image.sh" ] || [ -f "$TCMP_REPO/scripts/build-busybox-image.sh" ]; then
    DOCKER_HOST=unix://${TCMP_SOCK[$e]} bash "$TCMP_REPO/scripts/build-busybox-image.sh" >>"$TCMP_DIR/$e/import.log" 2>&1 && return 0
  fi
  return 1
}

tcmp_engine_down() { # engine
  local e=$1 pid=${TCMP_PID[$1]:-} i
  [ -n "$pid" ] || return 0
  if [ -n "${TCMP_SOCK[$e]:-}" ] && kill -0 "$pid" 2>/dev/null; then
    local ids; ids=$(timeout 30 env DOCKER_HOST=unix://${TCMP_SOCK[$e]} "$TCMP_DOCKER_CLI" ps -aq 2>/dev/null)
    [ -n "$ids" ] && timeout 60 env DOCKER_HOST=unix://${TCMP_SOCK[$e]} "$TCMP_DOCKER_CLI" rm -f $ids >/dev/null 2>&1
  fi
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  [ -f "$TCMP_DIR/$e/stub.pid" ] && kill "$(cat "$TCMP_DIR/$e/stub.pid")" 2>/dev/null
  unset "TCMP_PID[$e]"
}

tcmp_teardown() {
  [ "$TCMP_TORN" = 1 ] && return 0
  TCMP_TORN=1
  [ -n "${TCMP_DIR:-}" ] || return 0
  local e
  for e in "${!TCMP_PID[@]}"; do tcmp_engine_down "$e"; done
  if [ -n "${TCMP_KEEP_LOGS:-}" ] && [ -d "$TCMP_DIR" ]; then
    mkdir -p "$TCMP_KEEP_LOGS"
    for e in "$TCMP_DIR"/*/daemon.log; do [ -f "$e" ] && cp "$e" "$TCMP_KEEP_LOGS/$(basename "$(dirname "$e")").daemon.log"; done
  fi
  _tcmp_destroy "$TCMP_DIR" "$TCMP_RUN"
  # The engines' empty cgroup parents (/docker, /libpod_parent, /tether); rmdir refuses busy ones.
  rmdir /sys/fs/cgroup/{,*/}{docker,libpod_parent,tether} 2>/dev/null || true
  # bench/lib/floor-agent.mjs's containers (it removes them itself unless it was killed)
  rmdir /sys/fs/cgroup/{,*/}tcmp-floor-$TCMP_RUN{/*,} 2>/dev/null || true
  tcmp_log "teardown done"
}
