#!/usr/bin/env node
// The `tether` command-line client (docker-compatible syntax); all logic is in src/cli/.

import { main } from '../cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
