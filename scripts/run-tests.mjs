#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's built-in runner. Node 20 has no
// glob support in `--test`, so the files are listed here. Kernel tests need root; each builds its
// own network namespace, so files may run two at a time on a 2-core machine.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

// --quick skips the kernel-heavy tests (test/helpers/heavy.ts); CI runs everything.
// --unit runs only the tests that need no root and no kernel: those under src/ not named
// *.kernel.test / *.netns.test (they run on fakes: memory store, fake kernel).
const args = process.argv.slice(2);
if (args.includes('--quick')) process.env.TETHER_TEST_QUICK = '1';
const unit = args.includes('--unit');
const only = args.filter((a) => a !== '--quick' && a !== '--unit');
const isUnit = (f) => f.startsWith(join('dist', 'src')) && !/\.(kernel|netns)\.test\.js$/.test(f);
const files = find('dist')
  .filter((f) => !unit || isUnit(f))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
