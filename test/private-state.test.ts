// Issue 24: state is private as Docker keeps it. A container's `-e` values are in the records
// and in its OCI bundle; no unprivileged user may read them from any file under the data and
// exec roots (data root 0710, exec root 0700, database and bundles 0600).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { preloadBusybox, runDetached } from './helpers/containers.js';

/** Files below the roots whose content contains text, as uid/gid 65534 (nobody) would find them. */
function grepAs(uid: number | undefined, text: string, dirs: string[]): string[] {
  const argv = ['grep', '-rlsF', '--', text, ...dirs];
  const r = uid === undefined
    ? spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
    : spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...argv], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('private state', () => {
  let host: TestHost;
  let d: TestDaemon;

  before(async () => {
    host = createTestHost('ps');
    // The test host's directory is made 0700 (mkdtemp): open it, so only the roots' own modes
    // stand between an unprivileged user and the files.
    chmodSync(host.dir, 0o755);
    await preloadBusybox(host);
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  it('an unprivileged user finds a container\'s -e SECRET in no file under the data and exec roots', async () => {
    const secret = `SECRET=${randomBytes(12).toString('hex')}`;
    await runDetached(d, 'holder', { Env: [secret] });
    const roots = [d.dataRoot, d.execRoot];
    assert.ok(grepAs(undefined, secret, roots).length > 0, 'the value is in some file (root finds it)');
    assert.deepEqual(grepAs(65534, secret, roots), [], 'nobody finds it');
    assert.equal(statSync(d.dataRoot).mode & 0o777, 0o710);
    assert.equal(statSync(d.execRoot).mode & 0o777, 0o700);
    for (const f of ['tether.db', 'tether.db-wal', 'tether.db-shm']) assert.equal(statSync(join(d.dataRoot, f)).mode & 0o777, 0o600, f);
    assert.equal((await d.api('DELETE', '/v1.43/containers/holder?force=1')).status, 204);
  });

  it('tightens roots an older version left open', async () => {
    await d.stop();
    chmodSync(d.dataRoot, 0o755);
    chmodSync(join(d.dataRoot, 'tether.db'), 0o644);
    d = await startDaemon(host, [], { dataRoot: d.dataRoot, execRoot: d.execRoot });
    assert.equal(statSync(d.dataRoot).mode & 0o777, 0o710);
    assert.equal(statSync(join(d.dataRoot, 'tether.db')).mode & 0o777, 0o600);
  });
});
