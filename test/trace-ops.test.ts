// Issue 19: `tetherd --trace-ops` says where each API operation's time goes, phase by phase, so a
// benchmark can print the breakdown beside its figure. Without the flag nothing is logged.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { preloadBusybox, runDetached } from './helpers/containers.js';

interface OpLine {
  msg: string;
  op: string;
  ms: number;
  phases: Record<string, { ms: number; calls: number }>;
}

const ops = (d: TestDaemon): OpLine[] =>
  d
    .log()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as OpLine)
    .filter((l) => l.msg === 'op');

describe('tetherd --trace-ops', () => {
  let host: TestHost;
  let traced: TestDaemon;

  before(async () => {
    host = createTestHost('tr');
    await preloadBusybox(host);
    traced = await startDaemon(host, ['--trace-ops']);
  });

  after(async () => {
    await traced?.stop();
    host?.dispose();
  });

  it('logs each operation with its kernel, nft, store and runtime phases', async () => {
    assert.equal((await traced.api('POST', '/v1.43/networks/create', { Name: 'traced' })).status, 201);
    const create = ops(traced).find((o) => o.op === 'POST /networks/create');
    assert.ok(create, traced.log());
    for (const p of ['ip.batch', 'nft.session', 'store.tx']) assert.ok(create.phases[p]?.calls, `${p} in ${JSON.stringify(create)}`);
    const inPhases = Object.values(create.phases).reduce((s, p) => s + p.ms, 0);
    assert.ok(create.ms > 0 && inPhases > 0, JSON.stringify(create));

    await runDetached(traced, 'tc', { HostConfig: { NetworkMode: 'traced' } });
    const start = ops(traced).find((o) => o.op === 'POST /containers/:id/start');
    assert.ok(start, traced.log());
    for (const p of ['runtime.create', 'runtime.start', 'ip.oneshot', 'ip.netns']) assert.ok(start.phases[p]?.calls, `${p} in ${JSON.stringify(start)}`);
    await traced.api('DELETE', '/v1.43/containers/tc?force=1');
  });

  it('logs nothing without the flag', async () => {
    const other = createTestHost('tq');
    let plain: TestDaemon | undefined;
    try {
      plain = await startDaemon(other);
      assert.equal((await plain.api('POST', '/v1.43/networks/create', { Name: 'plain' })).status, 201);
      assert.deepEqual(ops(plain), []);
    } finally {
      await plain?.stop();
      other.dispose();
    }
  });
});
