#!/usr/bin/env bash
# Side-by-side benchmarks: tetherd, dockerd and podman, each in its own test host (netns), driven
# by bench/bench.mjs in one invocation (alternating engines run by run), ratios to tetherd.
#
#   bench/run.sh [--engines docker,tetherd,podman] [--reps N] [--many N] [--only REGEX]
#                [--cli /usr/bin/docker] [--no-build] [--dns-seconds S]
#                [--iperf-seconds S] [--iperf-reps N]
#                [--scale N] [--scale-others N] [--scale-window W] [--scale-budget S]
#     --only selects benchmarks: network | run | connect | dns | many | ports | scale  (regex);
#       without it: network|run|connect|dns|many. ports and scale run only when --only names them.
#     --many defaults to 40 for a quick run; the anchor figure is --many 200.
#     ports: iperf3 through published ports (S=10 s, N=2 rounds); scale: N containers with a
#       published port each (tetherd 1000, others 300; windows of 100; stop after S=900 s).
# With tetherd: the kernel floor of each operation takes its turn in the same run (bench/lib/floor.mjs,
# a test host of its own) and the table shows tetherd / floor; tetherd runs with --trace-ops and each
# figure gets the median of its phases (bench/lib/phases.mjs).
# Results: bench/results/bench-<stamp>.{json,md} (+ bench-latest.md); the table is printed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ENGINES=docker,tetherd,podman
BUILD=1
ONLY=""
ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --engines) ENGINES=$2; shift 2 ;;
    --cli) export TCMP_DOCKER_CLI=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --only) ONLY=$2; ARGS+=("$1" "$2"); shift 2 ;;
    --reps|--many|--dns-seconds|--iperf-seconds|--iperf-reps|--scale|--scale-others|--scale-window|--scale-budget)
      ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n 2,17p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a ENG <<< "$ENGINES"
want_podman=""; [[ ",$ENGINES," == *,podman,* ]] && want_podman=--with-podman
"$REPO/compare/lib/install.sh" $want_podman || { echo "install failed" >&2; exit 1; }
if [ $BUILD = 1 ] && [[ ",$ENGINES," == *,tetherd,* ]]; then
  (cd "$REPO" && npx tsc -p tsconfig.json >/dev/null 2>&1) || echo "tsc reported errors (continuing with emitted JS)" >&2
fi
source "$REPO/compare/lib/engines.sh"
tcmp_init
export TCMP_KEEP_LOGS=$HERE/results/daemon-logs
# one log line per API operation with its phases: bench/lib/phases.mjs prints them by figure
export TCMP_TETHERD_ARGS=--trace-ops
mkdir -p "$HERE/results"
# the ports benchmark needs a client namespace next to each test host
want_clients=0; [[ "$ONLY" == *ports* ]] && [[ ports =~ $ONLY ]] && want_clients=1
socks="{" vers="{" nss="{" clients="{" logs="{" sep="" csep=""
for e in "${ENG[@]}"; do
  if tcmp_engine_up "$e"; then
    socks+="$sep\"$e\":\"${TCMP_SOCK[$e]}\""
    nss+="$sep\"$e\":\"/run/netns/${TCMP_NS[$e]}\""
    if [ $want_clients = 1 ]; then
      if tcmp_client_up "$e"; then clients+="$csep\"$e\":\"/run/netns/${TCMP_CLIENT_NS[$e]}\""; csep=,
      else tcmp_log "$e: cannot create its client netns"; fi
    fi
    vers+="$sep\"$e\":\"$(tcmp_dk "$e" version --format '{{.Server.Version}} API {{.Server.APIVersion}}' 2>/dev/null | head -1)\""
    export "BENCH_PID_$e=${TCMP_PID[$e]}"
    logs+="$sep\"$e\":\"$TCMP_DIR/$e/daemon.log\""
    sep=,
  else
    tcmp_log "$e: not available, left out"
  fi
done
# The kernel floor (bench/lib/floor.mjs): a test host of its own (the run's netns prefix, so the
# teardown removes it whatever happens), a dir in the run's, the busybox rootfs the engines got.
floor_ns=$TCMP_PREFIX-$TCMP_RUN-floor
if [[ ",$ENGINES," == *,tetherd,* ]] && ip netns add "$floor_ns" && floor_tar=$(tcmp_rootfs_tar); then
  export BENCH_FLOOR="{\"netns\":\"/run/netns/$floor_ns\",\"dir\":\"$TCMP_DIR/floor\",\"rootfsTar\":\"$floor_tar\",\"cgroup\":\"tcmp-floor-$TCMP_RUN\"}"
else
  tcmp_log "floor: left out"
fi
export BENCH_ENGINES="$socks}" BENCH_VERSIONS="$vers}" BENCH_NETNS="$nss}" BENCH_CLIENT_NETNS="$clients}" BENCH_CLI=$TCMP_DOCKER_CLI
export BENCH_TRACE_LOGS="$logs}"
node "$HERE/bench.mjs" --out "$HERE/results" "${ARGS[@]}"
