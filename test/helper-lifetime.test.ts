// Issue 22: every helper of tetherd (process helper, IPC broker, resolver socket children, nft
// watchers, namespace holders) dies with the daemon in every order of events — including a
// daemon killed before a helper it started has even run its first line.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ownedProcesses } from '../src/kernel/owner.js';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { spawnDaemon, waitFor } from './helpers/daemon.js';
import { heavy } from './helpers/heavy.js';

const KILLS = 50;

describe('helpers die with their daemon', () => {
  let host: TestHost;

  before(() => {
    host = createTestHost('hl');
  });

  after(() => {
    host?.dispose();
  });

  it(`SIGKILL at ${KILLS} random moments of start-up leaves no process of the daemon behind`, heavy, async () => {
    // How long a start-up takes here, until the ready-sandbox pool (and so the broker and the
    // socket children) is busy: the kills are spread over 1.5 times that span.
    const roots = (i: number) => ({ dataRoot: join(host.dir, `k${i}`, 'data'), execRoot: join(host.dir, `k${i}`, 'exec'), socket: join(host.dir, `k${i}.sock`) });
    const probe = spawnDaemon(host, [], roots(-1));
    // Read what it says: a pipe nobody reads fills, and a daemon writing its log to it stops.
    let said = '';
    for (const s of [probe.child.stdout, probe.child.stderr]) s?.on('data', (b: Buffer) => (said = (said + b.toString()).slice(-4000)));
    const began = Date.now();
    const status = (): string => `exit ${probe.child.exitCode ?? probe.child.signalCode ?? 'none yet'}; it said: ${said || 'nothing'}`;
    await waitFor(() => `the probe daemon never started a socket child (${status()})`, () => ownedProcesses(probe.execRoot).some((p) => p.cmdline.includes('socket-child')), 20_000);
    const span = (Date.now() - began) * 1.5;
    probe.child.kill('SIGKILL');

    const killedAt: number[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < KILLS; i++) {
      const d = spawnDaemon(host, [], roots(i));
      for (const s of [d.child.stdout, d.child.stderr]) s?.resume();
      const delay = Math.random() * span;
      killedAt.push(Math.round(delay));
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        d.child.once('exit', () => (clearTimeout(t), r()));
      });
      // What it had started by then: proof that the kills land among the helpers' start-ups.
      for (const p of ownedProcesses(d.execRoot)) seen.add(p.comm === 'node' ? (p.cmdline.match(/[\w-]+\.js/g) ?? []).at(-1) ?? 'node' : p.comm);
      d.child.kill('SIGKILL');
      await new Promise((r) => (d.child.exitCode !== null || d.child.signalCode !== null ? r(undefined) : d.child.once('exit', r)));
    }
    const left = (): string[] => [-1, ...Array.from({ length: KILLS }, (_, i) => i)].flatMap((i) => ownedProcesses(roots(i).execRoot).map((p) => `${p.pid} ${p.cmdline}`));
    await waitFor(() => `left behind: ${left().join('; ')}`, () => left().length === 0);
    for (const helper of ['perl', 'ipc-broker-child.js', 'socket-child.js', 'nft']) {
      assert.ok(seen.has(helper), `no kill landed while ${helper} was running (saw ${[...seen].join(', ')}; kills at ${killedAt.join(' ')} ms)`);
    }
  });
});
