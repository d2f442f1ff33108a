#!/usr/bin/env bash
# Side-by-side benchmarks: tetherd, dockerd and podman, each in its own test host (netns), driven
# by bench/bench.mjs in one invocation (alternating engines run by run), ratios to tetherd.
#
#   bench/run.sh [--engines docker,tetherd,podman] [--reps N] [--many N] [--only REGEX]
#                [--cli /usr/bin/docker] [--no-build] [--dns-seconds S]
#     --only selects benchmarks: network | run | connect | dns | many  (regex)
#     --many defaults to 40 for a quick run; the anchor figure is --many 200.
# Results: bench/results/bench-<stamp>.{json,md} (+ bench-latest.md); the table is printed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ENGINES=docker,tetherd,podman
BUILD=1
ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --engines) ENGINES=$2; shift 2 ;;
    --cli) export TCMP_DOCKER_CLI=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --reps|--many|--only|--dns-seconds) ARGS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
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
mkdir -p "$HERE/results"
socks="{" vers="{" sep=""
for e in "${ENG[@]}"; do
  if tcmp_engine_up "$e"; then
    socks+="$sep\"$e\":\"${TCMP_SOCK[$e]}\""
    vers+="$sep\"$e\":\"$(tcmp_dk "$e" version --format '{{.Server.Version}} API {{.Server.APIVersion}}' 2>/dev/null | head -1)\""
    export "BENCH_PID_$e=${TCMP_PID[$e]}"
    sep=,
  else
    tcmp_log "$e: not available, left out"
  fi
done
export BENCH_ENGINES="$socks}" BENCH_VERSIONS="$vers}" BENCH_CLI=$TCMP_DOCKER_CLI
node "$HERE/bench.mjs" --out "$HERE/results" "${ARGS[@]}"
