// Issue 24: the layering is checked, not just written down. The repo's own eslint.config.js runs
// over a small throwaway tree shaped like src/: clean, it passes; with one file per kind of
// violation added (a store importing the API, a nested driver importing the engine, the engine
// importing the API, model/ importing anything of ours, runtime/ importing child_process), each
// is reported by its rule. Test files may still import child_process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const ESLINT = join(REPO, 'node_modules/eslint/bin/eslint.js');

/** A tree every rule accepts: each layer importing only what it may. */
const CLEAN: Record<string, string> = {
  'src/api/thing.ts': "import { engineThing } from '../engine/thing.js';\nexport const apiThing = engineThing + 1;\n",
  'src/engine/thing.ts': "import { storeThing } from '../store/thing.js';\nexport const engineThing = storeThing + 1;\n",
  'src/store/thing.ts': "import { id } from '../model/ids.js';\nexport const storeThing = id.length;\n",
  'src/model/ids.ts': "export const id = 'abc';\n",
  'src/drivers/bridge/bridge.ts': "import { runIt } from '../../kernel/exec.js';\nexport const bridge = runIt;\n",
  'src/kernel/exec.ts': "import { spawnSync } from 'node:child_process';\nexport const runIt = () => spawnSync('true');\n",
  'src/runtime/runtime.test.ts': "import { spawnSync } from 'node:child_process';\nexport const t = spawnSync;\n",
};

/** One file per violation, with the rule that must report it. */
const BAD: Record<string, { text: string; rule: string; message: RegExp }> = {
  'src/store/uses-api.ts': {
    text: "import { apiThing } from '../api/thing.js';\nexport const x = apiThing;\n",
    rule: 'import-x/no-restricted-paths',
    message: /src\/store\/ is below the engine and may not import src\/engine, src\/api or src\/cli/,
  },
  'src/drivers/bridge/uses-engine.ts': {
    text: "import type { engineThing } from '../../engine/thing.js';\nexport type X = typeof engineThing;\n",
    rule: 'import-x/no-restricted-paths',
    message: /src\/drivers\/ is below the engine/,
  },
  'src/engine/uses-api.ts': {
    text: "export { apiThing } from '../api/thing.js';\n",
    rule: 'import-x/no-restricted-paths',
    message: /src\/engine\/ may not import src\/api or src\/cli/,
  },
  'src/model/uses-store.ts': {
    text: "import { storeThing } from '../store/thing.js';\nexport const y = storeThing;\n",
    rule: 'import-x/no-restricted-paths',
    message: /src\/model\/ is a leaf/,
  },
  'src/runtime/spawns.ts': {
    text: "import type { ChildProcess } from 'node:child_process';\nexport type C = ChildProcess;\n",
    rule: 'no-restricted-imports',
    message: /only src\/kernel\/ starts processes/,
  },
};

interface LintResult {
  filePath: string;
  messages: Array<{ ruleId: string | null; message: string }>;
}

function lint(dir: string): { status: number | null; results: LintResult[]; stderr: string } {
  const r = spawnSync(process.execPath, [ESLINT, '--format', 'json', '.'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  let results: LintResult[] = [];
  try {
    results = JSON.parse(r.stdout) as LintResult[];
  } catch {
    assert.fail(`eslint printed no JSON (exit ${r.status}): ${r.stderr}${r.stdout}`);
  }
  return { status: r.status, results, stderr: r.stderr };
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** The repo's lint config over a fresh copy of CLEAN (plus `extra`) in a temporary directory. */
function fixture(extra: Record<string, string> = {}): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'tether-lint-')));
  try {
    copyFileSync(join(REPO, 'eslint.config.js'), join(dir, 'eslint.config.js'));
    // The config is ESM ("type": "module") and imports its plugins from the repo's node_modules.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'lint-fixture', private: true, type: 'module' }));
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    write(dir, { ...CLEAN, ...extra });
    return dir;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

describe('lint: layering rules', () => {
  it('passes a tree that keeps the layering', () => {
    const dir = fixture();
    try {
      const r = lint(dir);
      const problems = r.results.flatMap((f) => f.messages.map((m) => `${relative(dir, f.filePath)}: ${m.ruleId} ${m.message}`));
      assert.deepEqual(problems, []);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.results.length, Object.keys(CLEAN).length + 1, 'every file linted, eslint.config.js too');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails, naming the rule, on each import that breaks it', () => {
    const dir = fixture(Object.fromEntries(Object.entries(BAD).map(([rel, b]) => [rel, b.text])));
    try {
      const r = lint(dir);
      assert.equal(r.status, 1, r.stderr);
      for (const f of r.results) {
        const rel = relative(dir, f.filePath);
        const bad = BAD[rel];
        if (!bad) {
          assert.deepEqual(f.messages, [], `${rel} is clean`);
          continue;
        }
        assert.equal(f.messages.length, 1, `${rel}: ${JSON.stringify(f.messages)}`);
        const m = f.messages[0]!;
        assert.equal(m.ruleId, bad.rule, rel);
        assert.match(m.message, bad.message, rel);
      }
      const reported = r.results.filter((f) => f.messages.length > 0).map((f) => relative(dir, f.filePath));
      assert.deepEqual(reported.sort(), Object.keys(BAD).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
