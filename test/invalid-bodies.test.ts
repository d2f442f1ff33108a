// Issue 12: a table of invalid container-create and connect bodies. Every one is a 4xx whose
// message names the problem; nothing is created, nothing is attached, the daemon stays up.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { preloadBusybox, runDetached } from './helpers/containers.js';

describe('invalid container and connect bodies', () => {
  let host: TestHost;
  let d: TestDaemon;

  before(async () => {
    host = createTestHost('iv');
    await preloadBusybox(host);
    d = await startDaemon(host);
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'user', IPAM: { Config: [{ Subnet: '10.20.0.0/24' }] } })).status, 201);
    assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: 'pooled' })).status, 201);
    await runDetached(d, 'target', { HostConfig: { NetworkMode: 'user' } });
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  const base = { Image: 'busybox:latest', Cmd: ['sleep', '1'] };

  it('container create', async () => {
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['bad name', 'a/b', base, 400, /Invalid container name/],
      ['taken name', 'target', base, 409, /is already in use by container/],
      ['no image', 'x1', { Cmd: ['true'] }, 400, /Image/],
      ['unknown image', 'x2', { Image: 'nosuch:latest' }, 404, /nosuch/],
      ['host port too big', 'x3', { ...base, HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '99999' }] } } }, 400, /99999/],
      ['bad proto', 'x4', { ...base, HostConfig: { PortBindings: { '80/sctpx': [{ HostPort: '80' }] } } }, 400, /sctpx/],
      ['bad host ip', 'x5', { ...base, HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '300.1.1.1', HostPort: '80' }] } } }, 400, /300\.1\.1\.1/],
      ['bad extra host', 'x6', { ...base, HostConfig: { ExtraHosts: ['nocolon'] } }, 400, /ExtraHosts/],
      ['extra host injection', 'x7', { ...base, HostConfig: { ExtraHosts: ['a:1.2.3.4\n5.6.7.8 evil'] } }, 400, /ExtraHosts/],
      ['dns injection', 'x8', { ...base, HostConfig: { Dns: ['1.1.1.1\nnameserver 6.6.6.6'] } }, 400, /Dns/],
      // A 404 from create would make the docker CLI try to pull the image: other missing objects are 400.
      ['missing network', 'x9', { ...base, HostConfig: { NetworkMode: 'nosuchnet' } }, 400, /network nosuchnet not found/],
      ['static ip on default bridge', 'x10', { ...base, NetworkingConfig: { EndpointsConfig: { bridge: { IPAMConfig: { IPv4Address: '172.17.0.50' } } } } }, 400, /user defined networks only/],
      ['alias on default bridge', 'x11', { ...base, NetworkingConfig: { EndpointsConfig: { bridge: { Aliases: ['a'] } } } }, 400, /network-scoped alias/],
      ['ip on pool network', 'x12', { ...base, HostConfig: { NetworkMode: 'pooled' }, NetworkingConfig: { EndpointsConfig: { pooled: { IPAMConfig: { IPv4Address: '172.18.0.50' } } } } }, 400, /user configured subnets/],
      ['container mode with ports', 'x13', { ...base, HostConfig: { NetworkMode: 'container:target', PortBindings: { '80/tcp': [{ HostPort: '80' }] } } }, 400, /conflicting options: port publishing/],
      ['container mode with dns', 'x14', { ...base, HostConfig: { NetworkMode: 'container:target', Dns: ['1.1.1.1'] } }, 400, /conflicting options: dns/],
      ['container mode, missing target', 'x15', { ...base, HostConfig: { NetworkMode: 'container:nosuch' } }, 400, /No such container: nosuch/],
      ['bad mac', 'x16', { ...base, HostConfig: { NetworkMode: 'user' }, NetworkingConfig: { EndpointsConfig: { user: { MacAddress: 'zz:zz' } } } }, 400, /MacAddress/],
      ['wrong type', 'x17', { ...base, Cmd: 5 }, 400, /Cmd/],
      ['link to nothing', 'x18', { ...base, HostConfig: { Links: ['nosuch:x'] } }, 400, /could not get container for nosuch/],
    ];
    for (const [what, name, body, status, message] of cases) {
      const r = await d.api('POST', `/v1.43/containers/create?name=${encodeURIComponent(name)}`, body);
      assert.equal(r.status, status, `${what}: ${r.status} ${r.text}`);
      assert.match(r.json?.message ?? '', message, what);
    }
    const all = (await d.api('GET', '/v1.43/containers/json?all=1')).json as Array<{ Names: string[] }>;
    assert.deepEqual(all.map((c) => c.Names[0]), ['/target'], 'nothing was created');
  });

  it('network connect', async () => {
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['missing container', 'user', { Container: 'nosuch' }, 404, /No such container: nosuch/],
      ['missing network', 'nosuchnet', { Container: 'target' }, 404, /network nosuchnet not found/],
      ['already connected', 'user', { Container: 'target' }, 403, /already exists in network user/],
      ['ip outside subnet', 'pooled', { Container: 'target', EndpointConfig: { IPAMConfig: { IPv4Address: '10.99.0.5' } } }, 400, /user configured subnets/],
      ['host network', 'host', { Container: 'target' }, 400, /host network/],
      ['bad ip text', 'bridge', { Container: 'target', EndpointConfig: { IPAMConfig: { IPv4Address: '10.1.1.999' } } }, 400, /./],
      ['empty container', 'pooled', { Container: '' }, 400, /Container/],
      ['wrong type', 'pooled', { Container: 5 }, 400, /Container/],
      ['bad json', 'pooled', '{"Container":', 400, /invalid JSON/],
    ];
    const before = (await d.api('GET', '/v1.43/containers/target/json')).json.NetworkSettings.Networks;
    for (const [what, net, body, status, message] of cases) {
      const r = await d.api('POST', `/v1.43/networks/${net}/connect`, body);
      assert.equal(r.status, status, `${what}: ${r.status} ${r.text}`);
      assert.match(r.json?.message ?? '', message, what);
    }
    const afterNets = (await d.api('GET', '/v1.43/containers/target/json')).json.NetworkSettings.Networks;
    assert.deepEqual(Object.keys(afterNets), Object.keys(before), 'no attachment changed');
    assert.equal((await d.api('GET', '/_ping')).text, 'OK');
  });
});
