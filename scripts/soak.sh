#!/usr/bin/env bash
# Runs the whole test suite N times in a row (default 10) and, after each run, lists anything it
# left on the machine (scripts/leftovers.mjs). Stops at the first failing run or leftover, exit 1.
#   bash scripts/soak.sh [N] [run-tests.mjs args, e.g. --quick]
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
shift || true
bash scripts/setup.sh >/dev/null || { echo "soak: setup failed"; exit 1; }
summary=()
for i in $(seq 1 "$n"); do
  log=$(mktemp /tmp/tether-soak-XXXXXX.log)
  start=$(date +%s)
  node scripts/run-tests.mjs "$@" >"$log" 2>&1
  code=$?
  secs=$(( $(date +%s) - start ))
  counts=$(grep -E '^ℹ (tests|pass|fail|skipped) ' "$log" | awk '{printf "%s %s  ", $2, $3}')
  left=$(node scripts/leftovers.mjs)
  line="run $i/$n: exit $code, ${secs}s, $counts"
  if [ -n "$left" ]; then line+="LEFT BEHIND"; else line+="nothing left"; fi
  summary+=("$line")
  echo "$line"
  if [ "$code" -ne 0 ] || [ -n "$left" ]; then
    [ "$code" -ne 0 ] && { grep -E '^✖|not ok' "$log" | head -20; echo "soak: full log in $log"; }
    [ -n "$left" ] && echo "$left"
    echo "soak: stopped at run $i of $n"
    exit 1
  fi
  rm -f "$log"
done
echo "soak: $n of $n runs green, nothing left after any run"
printf '%s\n' "${summary[@]}"
