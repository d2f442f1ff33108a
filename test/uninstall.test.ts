// Issue 5: "the host's forwarding enabled only as needed, and restored by a clean uninstall".
// A real tetherd in a test host (whose ip_forward starts at 0) makes a network and publishes a
// port; `tetherd uninstall` with the daemon stopped leaves no bridge, table or container, and
// puts forwarding back; with the daemon running it refuses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { preloadBusybox, runDetached } from './helpers/containers.js';

const TETHERD = resolve(import.meta.dirname, '../src/cmd/tetherd.js');

describe('tetherd uninstall', () => {
  let host: TestHost;
  let d: TestDaemon;

  before(async () => {
    host = createTestHost('un');
    await preloadBusybox(host);
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  const uninstall = () =>
    spawnSync('nsenter', [`--net=${host.nsPath}`, '--', process.execPath, TETHERD, 'uninstall', '-H', `unix://${d.socket}`,
      '--data-root', d.dataRoot, '--exec-root', d.execRoot, '--cgroup-parent', host.name, '--config-file', join(host.dir, 'no-daemon.json')], { encoding: 'utf8' });
  const forwarding = () => host.sh(['cat', '/proc/sys/net/ipv4/ip_forward']).trim();
  const bridges = () => (JSON.parse(host.sh(['ip', '-j', 'link', 'show', 'type', 'bridge'])) as Array<{ ifname: string }>).map((l) => l.ifname);
  const processesUnder = (dir: string) => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
    } catch {
      return false;
    }
  });

  it('refuses while the daemon runs, then takes back bridges, table, containers and forwarding', async () => {
    assert.equal(forwarding(), '1', 'the daemon enabled forwarding');
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'un' })).status, 201);
    const web = await runDetached(d, 'web', { HostConfig: { NetworkMode: 'un', PortBindings: { '80/tcp': [{ HostPort: '8080' }] } } });
    assert.equal(bridges().length, 2, 'tether0 and the user network');

    const refused = uninstall();
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /tetherd is running on unix:\/\/.*: stop it first/);
    assert.equal(forwarding(), '1', 'nothing undone while it runs');

    await d.stop();
    const r = uninstall();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^container web: stopped$/m);
    assert.match(r.stdout, /^sysctl net\.ipv4\.ip_forward=0: restored$/m);
    assert.equal(forwarding(), '0');
    assert.deepEqual(bridges(), []);
    assert.notEqual(host.try(['nft', 'list', 'table', 'inet', 'tether']).code, 0, 'our table is gone');
    assert.deepEqual(processesUnder(join(d.dataRoot, 'containers')), [], 'no monitor or container left');
    assert.ok(existsSync(join(d.dataRoot, 'tether.db')), 'the data root stays');
    assert.equal(existsSync(d.execRoot), false);
    // Its cgroups are gone, and the daemon's own parent (--cgroup-parent) with them.
    assert.equal(existsSync(join('/sys/fs/cgroup/pids', host.name, web.Id)), false, 'no cgroup of the container left');
    assert.equal(existsSync(join('/sys/fs/cgroup/pids', host.name)), false, 'the empty parent is removed');
    assert.match(r.stdout, /^cgroups: removed$/m);
  });
});
