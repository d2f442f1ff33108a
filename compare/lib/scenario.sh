# Sourced by every compare/scenarios/*.sh. The runner sets DOCKER_HOST (one engine), PATH (a
# `docker` that is the chosen CLI), TRANSCRIPT (where blocks go) and ENGINE_SOCK (for curl).
# The same script runs unchanged against every engine; it must clean up what it creates.
#
#   rec [flags] 'shell command'    run it, record stdout / stderr / exit code as one block
#       --sort    sort stdout and stderr lines (where Docker's order is random)
#       --name N  a stable label for the block (default: the command itself)
#   api METHOD PATH [json]         rec of a raw curl exchange with the engine's socket (v1.41)
#   x 'shell command'              run without recording (setup / cleanup), output discarded
#   note 'text'                    a comment line in the transcript
set -u
export DOCKER_CLI_HINTS=false
: "${TRANSCRIPT:?TRANSCRIPT not set (run scenarios through compare/run-conformance.sh)}"
: "${CMD_TIMEOUT:=60}"
: > "$TRANSCRIPT"

_dump() { # file label
  echo "--- $2" >> "$TRANSCRIPT"
  cat "$1" >> "$TRANSCRIPT"
  if [ -s "$1" ] && [ "$(tail -c1 "$1" | od -An -c | tr -d ' ')" != '\n' ]; then
    printf '\n[no newline at end of %s]\n' "$2" >> "$TRANSCRIPT"
  fi
}

rec() {
  local sort=0 name=""
  while [ $# -gt 1 ]; do
    case $1 in --sort) sort=1; shift ;; --name) name=$2; shift 2 ;; *) break ;; esac
  done
  local cmd=$1 so se rc
  so=$(mktemp); se=$(mktemp)
  {
    echo "=================================================================="
    echo "### ${name:-$cmd}"
    echo "\$ $cmd"
  } >> "$TRANSCRIPT"
  timeout -k 5 "$CMD_TIMEOUT" bash -c "$cmd" >"$so" 2>"$se" </dev/null; rc=$?
  [ $rc = 124 ] && echo "[harness: timed out after ${CMD_TIMEOUT}s]" >> "$se"
  if [ $sort = 1 ]; then sort -o "$so" "$so"; sort -o "$se" "$se"; echo "--- (lines sorted)" >> "$TRANSCRIPT"; fi
  _dump "$so" stdout
  _dump "$se" stderr
  echo "--- exit code: $rc" >> "$TRANSCRIPT"
  rm -f "$so" "$se"
  return 0
}

x() { timeout -k 5 "$CMD_TIMEOUT" bash -c "$1" >/dev/null 2>&1 </dev/null; return 0; }

note() { { echo "=================================================================="; echo "### NOTE: $*"; } >> "$TRANSCRIPT"; }

api() { # METHOD PATH [json-body]
  local m=$1 p=$2 b=${3:-} c
  if [ -n "$b" ]; then
    c="curl -s -i --unix-socket \"\$ENGINE_SOCK\" -X $m -H 'Content-Type: application/json' -d '$b' 'http://localhost/v1.41$p'"
  else
    c="curl -s -i --unix-socket \"\$ENGINE_SOCK\" -X $m 'http://localhost/v1.41$p'"
  fi
  rec --name "API $m $p${b:+ body=$b}" "$c"
}

# Remove containers and networks by name (silently); use at the start and at the end.
cleanup() { # names...
  local n
  for n in "$@"; do x "docker rm -f $(printf %q "$n")"; done
  for n in "$@"; do x "docker network rm $(printf %q "$n")"; done
}

# Wait (unrecorded) until a container is running, up to 10 s.
wait_running() {
  local i
  for ((i = 0; i < 50; i++)); do
    [ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] && return 0
    sleep 0.2
  done
  return 0
}

# Put the pool cursor in the same place on every engine (unrecorded). Pool-assigned subnets depend
# on every create that ran before on the daemon (earlier scenarios, and failed creates that do or
# do not move the cursor), so without this a scenario inherits the differences of the ones before
# it. Docker's default pools are 172.17-31.0.0/16 then 192.168.0-240.0/20, next-fit with
# wrap-around: create pool-assigned networks until the last one (192.168.240.0/20) is handed out,
# then remove them; the next pool-assigned create wraps to the first free pool (172.18.0.0/16 when
# only the default bridge holds one). Engines with other pools (podman: 10.89.x) stop after 31.
sync_pool_cursor() {
  local i s names=()
  for ((i = 0; i < 31; i++)); do
    x "docker network rm cf-sync-$i"
    s=$(timeout -k 5 "$CMD_TIMEOUT" bash -c "docker network create cf-sync-$i >/dev/null && docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' cf-sync-$i" 2>/dev/null </dev/null)
    names+=("cf-sync-$i")
    [ -z "$s" ] && break
    [ "$s" = 192.168.240.0/20 ] && break
  done
  x "docker network rm ${names[*]}"
}
