// Issue 4 through a real tetherd: the seeds' name-resolution scenario, names from several
// networks, names gone at once after disconnect, aliases, links, DNS options.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';
import { inContainer, preloadBusybox, runDetached } from './helpers/containers.js';
import { startDnsStub } from './helpers/dns-stub.js';
import type { ChildProcess } from 'node:child_process';

describe('embedded DNS and links', () => {
  let host: TestHost;
  let d: TestDaemon;
  let stub: ChildProcess;

  before(async () => {
    host = createTestHost('dn');
    stub = await startDnsStub(host); // the daemon's --dns 127.0.0.1: unknown names get NXDOMAIN at once
    await preloadBusybox(host);
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    stub?.kill();
    host?.dispose();
  });

  /** The A answers of busybox nslookup against the embedded resolver ([] for NXDOMAIN). */
  const lookup = (pid: number, name: string): string[] => {
    const out = inContainer(host, pid, ['nslookup', '-type=a', name, '127.0.0.11']).stdout;
    return [...out.split('Non-authoritative answer:')[1]?.matchAll(/Address: ([0-9.]+)/g) ?? []].map((m) => m[1]!);
  };

  it("the seeds' scenario: names on a user network, none on the default bridge, --link there", async () => {
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'custom_network' })).status, 201);
    const b1 = await runDetached(d, 'custombox1', { HostConfig: { NetworkMode: 'custom_network' } });
    const b2 = await runDetached(d, 'custombox2', { HostConfig: { NetworkMode: 'custom_network' } });
    const ping = inContainer(host, b1.State.Pid, ['ping', '-c1', '-W2', 'custombox2']);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    assert.match(ping.stdout, new RegExp(`PING custombox2 \\(${b2.NetworkSettings.Networks.custom_network.IPAddress}\\)`));
    assert.equal(readFileSync(b1.ResolvConfPath, 'utf8'), 'nameserver 127.0.0.11\noptions ndots:0\n');

    const d1 = await runDetached(d, 'defbox1');
    await runDetached(d, 'defbox2');
    const bad = inContainer(host, d1.State.Pid, ['ping', '-c1', '-W1', 'defbox2']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /bad address 'defbox2'/);

    await d.api('POST', '/v1.43/containers/defbox2/kill', undefined);
    await d.api('DELETE', '/v1.43/containers/defbox2?force=1');
    const target = await runDetached(d, 'linked', { Env: ['SECRET=s3cr3t'], ExposedPorts: { '80/tcp': {} } });
    const linker = await runDetached(d, 'linker', { HostConfig: { Links: ['linked:dalias'] } });
    const tip = target.NetworkSettings.IPAddress as string;
    assert.match(readFileSync(linker.HostsPath, 'utf8'), new RegExp(`${tip}\\tdalias ${target.Id.slice(0, 12)} linked\\n`));
    assert.equal(inContainer(host, linker.State.Pid, ['ping', '-c1', '-W2', 'dalias']).code, 0);
    // `start` returns when the runtime released the process; it may not have exec'd the image's
    // command yet (its environ is still the runtime's): wait for the container's own.
    const environ = (): string[] => readFileSync(`/proc/${linker.State.Pid}/environ`, 'utf8').split('\0');
    await waitFor(() => `environ: ${environ().join(' ')}`, () => environ().some((e) => e.startsWith('DALIAS_')));
    const env = environ();
    for (const e of [`DALIAS_PORT=tcp://${tip}:80`, `DALIAS_PORT_80_TCP_ADDR=${tip}`, 'DALIAS_NAME=/linker/dalias', 'DALIAS_ENV_SECRET=s3cr3t']) assert.ok(env.includes(e), `${e} not in ${env.join(' ')}`);
    const dead = await d.api('POST', '/v1.43/containers/create?name=lk2', { Image: 'busybox:latest', Cmd: ['true'], HostConfig: { Links: ['nosuch:x'] } });
    assert.equal(dead.status, 400);
    assert.equal(dead.json.message, 'could not get container for nosuch: No such container: nosuch');
    for (const n of ['custombox1', 'custombox2', 'defbox1', 'linked', 'linker']) await d.api('DELETE', `/v1.43/containers/${n}?force=1`);
  });

  it('names from two networks; the left network stops resolving as soon as disconnect returns', async () => {
    for (const Name of ['neta', 'netb']) assert.equal((await d.api('POST', '/v1.43/networks/create', { Name })).status, 201);
    const both = await runDetached(d, 'both', { HostConfig: { NetworkMode: 'neta' } });
    assert.equal((await d.api('POST', '/v1.43/networks/netb/connect', { Container: 'both' })).status, 200);
    const a = await runDetached(d, 'ona', { HostConfig: { NetworkMode: 'neta' } });
    const b = await runDetached(d, 'onb', { HostConfig: { NetworkMode: 'netb' }, NetworkingConfig: { EndpointsConfig: { netb: { Aliases: ['svc'] } } } });
    assert.deepEqual(lookup(both.State.Pid, 'ona'), [a.NetworkSettings.Networks.neta.IPAddress]);
    assert.deepEqual(lookup(both.State.Pid, 'onb'), [b.NetworkSettings.Networks.netb.IPAddress]);
    assert.deepEqual(lookup(both.State.Pid, 'svc'), [b.NetworkSettings.Networks.netb.IPAddress], 'network alias');
    assert.deepEqual(lookup(both.State.Pid, `${b.Id.slice(0, 12)}`), [b.NetworkSettings.Networks.netb.IPAddress], 'short id');
    assert.deepEqual(lookup(both.State.Pid, 'onb.netb'), [b.NetworkSettings.Networks.netb.IPAddress], 'name.network');
    assert.deepEqual(lookup(a.State.Pid, 'onb'), [], 'not across networks');

    assert.equal((await d.api('POST', '/v1.43/networks/netb/disconnect', { Container: 'both' })).status, 200);
    const t0 = Date.now();
    assert.deepEqual(lookup(both.State.Pid, 'onb'), [], 'gone after disconnect');
    assert.ok(Date.now() - t0 < 2000, 'answered by the upstream at once, not after a timeout');
    assert.deepEqual(lookup(both.State.Pid, 'ona'), [a.NetworkSettings.Networks.neta.IPAddress], 'the other network still answers');
    // A rename answers at once: the new name resolves, the old one is gone.
    assert.equal((await d.api('POST', '/v1.43/containers/ona/rename?name=renamed')).status, 204);
    assert.deepEqual(lookup(both.State.Pid, 'renamed'), [a.NetworkSettings.Networks.neta.IPAddress]);
    assert.deepEqual(lookup(both.State.Pid, 'ona'), []);
    for (const n of ['both', 'renamed', 'onb']) await d.api('DELETE', `/v1.43/containers/${n}?force=1`);
  });

  it('shared aliases answer every address; hostname and --dns options land in the files', async () => {
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'rr' })).status, 201);
    const ips: string[] = [];
    for (const n of ['rr1', 'rr2']) {
      const c = await runDetached(d, n, { HostConfig: { NetworkMode: 'rr' }, NetworkingConfig: { EndpointsConfig: { rr: { Aliases: ['svc'] } } } });
      ips.push(c.NetworkSettings.Networks.rr.IPAddress);
    }
    const client = await runDetached(d, 'rrc', {
      Hostname: 'myhost',
      Domainname: 'example.test',
      HostConfig: { NetworkMode: 'rr', Dns: ['198.18.0.53'], DnsSearch: ['corp.test'], DnsOptions: ['timeout:1'], ExtraHosts: ['gw:host-gateway', 'db:10.0.0.9'] },
    });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const got = lookup(client.State.Pid, 'svc');
      assert.deepEqual([...got].sort(), [...ips].sort());
      seen.add(got.join(','));
    }
    assert.equal(seen.size, 2, 'the order rotates between queries');
    assert.deepEqual(lookup(client.State.Pid, 'myhost'), [client.NetworkSettings.Networks.rr.IPAddress], 'own hostname');
    // libnetwork's order (resolvconf.Build): search, nameserver, options.
    assert.equal(readFileSync(client.ResolvConfPath, 'utf8'), 'search corp.test\nnameserver 127.0.0.11\noptions ndots:0 timeout:1\n');
    const hosts = readFileSync(client.HostsPath, 'utf8');
    assert.match(hosts, /\n172\.17\.0\.1\tgw\n/);
    assert.match(hosts, /\n10\.0\.0\.9\tdb\n/);
    assert.match(hosts, new RegExp(`\\n${client.NetworkSettings.Networks.rr.IPAddress}\\tmyhost\\.example\\.test myhost\\n$`));
    assert.equal(readFileSync(client.HostnamePath, 'utf8'), 'myhost\n');
    for (const n of ['rr1', 'rr2', 'rrc']) await d.api('DELETE', `/v1.43/containers/${n}?force=1`);
  });
});
