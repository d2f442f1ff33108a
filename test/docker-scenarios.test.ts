// Issues 3 and 4's must-show scenarios typed as a user would, with the unmodified docker CLI:
// the default bridge, none/host/container modes, live connect/disconnect, and the seeds'
// name-resolution scenario (user network vs default bridge vs --link).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { dockerClients, runClient, type CliResult } from './helpers/cli.js';
import { preloadBusybox } from './helpers/containers.js';

const DOCKER = dockerClients()[0];

describe('docker CLI scenarios', { skip: DOCKER ? false : 'no docker CLI on this machine' }, () => {
  let host: TestHost;
  let d: TestDaemon;
  const docker = (...args: string[]): CliResult => runClient([DOCKER!, ...args], d.socket);
  const ok = (...args: string[]): string => {
    const r = docker(...args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** Interface name → IPv4 CIDRs, from `ip -o addr` run by busybox in the container. */
  const addrs = (out: string): Record<string, string[]> => {
    const m: Record<string, string[]> = {};
    for (const l of out.split('\n')) {
      const f = /^\d+: ([^ ]+)\s+inet ([0-9./]+)/.exec(l);
      if (f) (m[f[1]!] ??= []).push(f[2]!);
    }
    return m;
  };

  before(async () => {
    host = createTestHost('sc');
    await preloadBusybox(host);
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  it('issue 3: bridge, none, host and container modes; connect and disconnect live', () => {
    ok('run', '-d', '--name', 'box', 'busybox', 'sleep', '1000');
    ok('run', '-d', '--name', 'other', 'busybox', 'sleep', '1000');
    const otherIp = ok('inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'other').trim();
    assert.match(ok('exec', 'box', 'ping', '-c1', otherIp), /1 packets received/);
    const boxAddrs = addrs(ok('exec', 'box', 'ip', '-o', 'addr'));
    assert.match(boxAddrs['eth0']?.[0] ?? '', /^172\.17\.0\.\d+\/16$/);
    assert.deepEqual(Object.keys(addrs(ok('run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'addr'))), ['lo']);
    const hostLinks = (JSON.parse(host.sh(['ip', '-j', 'link'])) as Array<{ ifname: string }>).map((l) => l.ifname).sort();
    const seen = ok('run', '--rm', '--network', 'host', 'busybox', 'ip', '-o', 'link').split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split('@')[0]!).sort();
    assert.deepEqual(seen, hostLinks);
    assert.deepEqual(addrs(ok('run', '--rm', '--network', 'container:box', 'busybox', 'ip', '-o', 'addr'))['eth0'], boxAddrs['eth0']);

    ok('network', 'create', 'custom');
    ok('network', 'connect', 'custom', 'box');
    assert.match(addrs(ok('exec', 'box', 'ip', '-o', 'addr'))['eth1']?.[0] ?? '', /^172\.\d+\.0\.2\/16$/);
    const nets = JSON.parse(ok('inspect', '-f', '{{json .NetworkSettings.Networks}}', 'box')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(nets).sort(), ['bridge', 'custom']);
    ok('network', 'disconnect', 'custom', 'box');
    assert.equal(addrs(ok('exec', 'box', 'ip', '-o', 'addr'))['eth1'], undefined);
    assert.deepEqual(Object.keys(JSON.parse(ok('inspect', '-f', '{{json .NetworkSettings.Networks}}', 'box'))), ['bridge']);
    const busy = docker('network', 'rm', 'custom');
    assert.equal(busy.code, 0, 'nothing attached any more');
    ok('rm', '-f', 'box', 'other');
  });

  it("issue 4: the seeds' name resolution", () => {
    ok('network', 'create', 'custom_network');
    ok('run', '-d', '--name', 'custombox1', '--network', 'custom_network', 'busybox', 'sleep', '1000');
    ok('run', '-d', '--name', 'custombox2', '--network', 'custom_network', 'busybox', 'sleep', '1000');
    assert.match(ok('exec', 'custombox1', 'ping', '-c1', 'custombox2'), /^PING custombox2 \(172\.\d+\.0\.3\)/);
    const rm = docker('network', 'rm', 'custom_network');
    assert.equal(rm.code, 1);
    assert.match(rm.stderr, /error while removing network: network custom_network id [0-9a-f]{64} has active endpoints/);

    ok('run', '-d', '--name', 'defbox1', 'busybox', 'sleep', '1000');
    ok('run', '-d', '--name', 'defbox2', 'busybox', 'sleep', '1000');
    const noName = docker('exec', 'defbox1', 'ping', '-c1', 'defbox2');
    assert.equal(noName.code, 1);
    assert.match(noName.stderr, /bad address 'defbox2'/);
    assert.match(ok('run', '--rm', '--link', 'defbox2:peer', 'busybox', 'ping', '-c1', 'peer'), /1 packets received/);
    ok('rm', '-f', 'custombox1', 'custombox2', 'defbox1', 'defbox2');
    ok('network', 'rm', 'custom_network');
  });
});
