import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerEnv, ociConfig, type BundleSpec } from './bundle.js';

const base: BundleSpec = {
  rootfs: '/c/rootfs',
  hostname: 'box',
  process: { args: ['sh'], env: [], cwd: '', terminal: false, uid: 0, gid: 0 },
  network: { kind: 'netns', path: '/run/tether/netns/abc' },
  etcFiles: { hosts: '/c/hosts', resolvConf: '/c/resolv.conf', hostname: '/c/hostname' },
  cgroupsPath: '/tether/abc',
};

type Config = {
  process: { cwd: string; capabilities: { bounding: string[]; effective: string[] } };
  mounts: { destination: string; type: string; source: string; options?: string[] }[];
  linux: { namespaces: { type: string; path?: string }[] };
};

describe('OCI bundle', () => {
  it('joins the sandbox netns by path and binds the engine’s etc files', () => {
    const c = ociConfig(base) as Config;
    assert.deepEqual(c.linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/run/tether/netns/abc' });
    const binds = c.mounts.filter((m) => m.type === 'bind').map((m) => [m.destination, m.source]);
    assert.deepEqual(binds.sort(), [['/etc/hostname', '/c/hostname'], ['/etc/hosts', '/c/hosts'], ['/etc/resolv.conf', '/c/resolv.conf']]);
    assert.equal(c.process.cwd, '/');
    assert.ok(c.mounts.some((m) => m.destination === '/sys' && m.options?.includes('ro')));
  });

  it('has no network namespace entry for --network host', () => {
    const c = ociConfig({ ...base, network: { kind: 'host' } }) as Config;
    assert.deepEqual(c.linux.namespaces.map((n) => n.type).sort(), ['ipc', 'mount', 'pid', 'uts']);
  });

  it('grants Docker’s default capabilities including NET_RAW and NET_BIND_SERVICE', () => {
    const caps = (ociConfig(base) as Config).process.capabilities;
    for (const cap of ['CAP_NET_RAW', 'CAP_NET_BIND_SERVICE', 'CAP_CHOWN']) assert.ok(caps.effective.includes(cap), cap);
    assert.ok(!caps.bounding.includes('CAP_SYS_ADMIN'));
    assert.ok(!caps.bounding.includes('CAP_NET_ADMIN'));
  });

  it('merges env in Docker’s order', () => {
    assert.deepEqual(containerEnv('h', ['PATH=/img', 'A=1'], ['A=2', 'HOME=/x']), ['PATH=/img', 'HOSTNAME=h', 'A=2', 'HOME=/x']);
    assert.ok(containerEnv('h', [], []).includes('HOME=/root'));
  });
});
