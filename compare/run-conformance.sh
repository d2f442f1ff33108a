#!/usr/bin/env bash
# Side-by-side conformance: runs every compare/scenarios/*.sh against dockerd (the reference),
# tetherd and podman, each in its own test host (netns), and diffs the normalised transcripts.
#
#   compare/run-conformance.sh [--engines docker,tetherd,podman] [--only REGEX] [--out DIR]
#                              [--cli /usr/bin/docker] [--no-build] [--serial] [--timeout S]
#
# Needs root. Installs docker.io / podman / busybox-static on demand (no service starts).
# Results: bench/results/conformance-<stamp>/ (summary.md, summary.json, per-engine transcripts,
# .norm.txt and .diff files) and a table on stdout.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ENGINES=docker,tetherd,podman
ONLY=.
OUT=""
BUILD=1
PARALLEL=1
export CMD_TIMEOUT=${CMD_TIMEOUT:-60}
while [ $# -gt 0 ]; do
  case $1 in
    --engines) ENGINES=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --cli) export TCMP_DOCKER_CLI=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --serial) PARALLEL=0; shift ;;
    --timeout) CMD_TIMEOUT=$2; shift 2 ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a ENG <<< "$ENGINES"
[ "${ENG[0]}" = docker ] || { echo "the first engine must be docker (the reference)" >&2; exit 2; }

want_podman=""; [[ ",$ENGINES," == *,podman,* ]] && want_podman=--with-podman
"$HERE/lib/install.sh" $want_podman || { echo "install failed" >&2; exit 1; }
if [ $BUILD = 1 ] && [[ ",$ENGINES," == *,tetherd,* ]]; then
  echo "building tetherd (tsc; errors in others' half-written files are printed but JS is emitted)" >&2
  (cd "$REPO" && npx tsc -p tsconfig.json >/dev/null 2>&1) || echo "tsc reported errors (continuing with emitted JS)" >&2
fi

source "$HERE/lib/engines.sh"
tcmp_init
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$REPO/bench/results/conformance-$STAMP}
mkdir -p "$OUT"
ln -sfn "$OUT" "$REPO/bench/results/conformance-latest" 2>/dev/null
export TCMP_KEEP_LOGS=$OUT/daemon-logs

mkdir -p "$TCMP_DIR/bin"
ln -sf "$TCMP_DOCKER_CLI" "$TCMP_DIR/bin/docker"

UP=()
for e in "${ENG[@]}"; do
  if tcmp_engine_up "$e"; then UP+=("$e"); else tcmp_log "$e: not available — its column will say skipped"; fi
done
[[ " ${UP[*]} " == *" docker "* ]] || { echo "dockerd did not come up; nothing to compare against" >&2; exit 1; }

{
  echo "cli: $TCMP_DOCKER_CLI ($("$TCMP_DOCKER_CLI" --version))"
  for e in "${UP[@]}"; do echo "$e: $(tcmp_dk "$e" version --format '{{.Server.Version}} API {{.Server.APIVersion}}' 2>&1 | head -1)"; done
  echo "kernel: $(uname -r)"
} > "$OUT/versions.txt"

run_one() { # engine scenario-file
  local e=$1 f=$2 s; s=$(basename "$f" .sh)
  mkdir -p "$OUT/$e"
  echo "$TCMP_DIR/$e" > "$OUT/$e/ROOT"
  (
    cd "$(dirname "$f")" &&
    PATH=$TCMP_DIR/bin:$PATH DOCKER_HOST=unix://${TCMP_SOCK[$e]} ENGINE_SOCK=${TCMP_SOCK[$e]} ENGINE=$e \
      TRANSCRIPT=$OUT/$e/$s.txt SCENARIO_LIB=$HERE/lib/scenario.sh \
      timeout -k 10 900 bash "$f" >"$OUT/$e/$s.log" 2>&1
  ) || echo "[harness: scenario script exited $?]" >> "$OUT/$e/$s.log"
}

for f in "$HERE"/scenarios/*.sh; do
  s=$(basename "$f" .sh)
  [[ $s =~ $ONLY ]] || continue
  t0=$(date +%s.%N)
  if [ $PARALLEL = 1 ]; then
    pids=()
    for e in "${UP[@]}"; do run_one "$e" "$f" & pids+=($!); done
    wait "${pids[@]}"
  else
    for e in "${UP[@]}"; do run_one "$e" "$f"; done
  fi
  tcmp_log "scenario $s done ($(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s)"
done

others=()
for e in "${ENG[@]:1}"; do others+=("$e"); done
node "$HERE/lib/compare.mjs" "$OUT" docker "${others[@]}" | tee "$OUT/report.txt"
echo
echo "results: $OUT"
