#!/usr/bin/env bash
# The whole test suite, as CI runs it: set the machine up, build, run every test (root: kernel
# tests build their own network namespaces and remove them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/run-tests.mjs "$@"
