#!/usr/bin/env bash
# The whole test suite, as CI runs it: set the machine up, build, lint (the layering rules of
# eslint.config.js; they need the node_modules setup installs), run every test (root: kernel
# tests build their own network namespaces and remove them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent lint
node scripts/run-tests.mjs "$@"
