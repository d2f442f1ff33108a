// Issue 23: bodies and endpoints as real clients (docker-compose, docker-py, dockerode) send and
// call them. Each case here failed before its fix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, uniqueName, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { inContainer, interfaces, preloadBusybox } from './helpers/containers.js';

describe('Docker API compatibility for real clients', () => {
  let host: TestHost;
  let d: TestDaemon;

  before(async () => {
    host = createTestHost('ac');
    await preloadBusybox(host);
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  const created: string[] = [];
  const cleanup = async () => {
    for (const c of created.splice(0)) await d.api('DELETE', `/v1.43/containers/${c}?force=1`);
  };

  it('takes JSON null as an absent field (docker-py network create, connect, container create)', async () => {
    const net = uniqueName('nn');
    try {
      const r = await d.api('POST', '/v1.43/networks/create', {
        Name: net, Driver: 'bridge', Options: null, Labels: null, Internal: null, Attachable: null, Ingress: null, Scope: null,
        CheckDuplicate: null, ConfigOnly: null, EnableIPv6: null, SomeFutureField: { x: 1 }, // unknown fields are ignored, as Docker does
        IPAM: { Driver: null, Options: null, Config: [{ Subnet: '10.123.0.0/24', IPRange: null, Gateway: null, AuxiliaryAddresses: null }] },
      });
      assert.equal(r.status, 201, r.text);
      const c = uniqueName('nc');
      created.push(c);
      const cr = await d.api('POST', `/v1.43/containers/create?name=${c}`, {
        Image: 'busybox:latest', Cmd: ['sleep', '100'], Hostname: null, Domainname: null, User: null, WorkingDir: null, MacAddress: null,
        HostConfig: { NetworkMode: null, Runtime: null, PortBindings: { '80/tcp': [{ HostIp: null, HostPort: null }] } },
        NetworkingConfig: { EndpointsConfig: { [net]: { IPAMConfig: { IPv4Address: null, IPv6Address: null, LinkLocalIPs: null }, MacAddress: null, GwPriority: null } } },
      });
      assert.equal(cr.status, 201, cr.text);
      const disc = await d.api('POST', `/v1.43/networks/${net}/disconnect`, { Container: c, Force: null });
      assert.equal(disc.status, 200, disc.text);
      const conn = await d.api('POST', `/v1.43/networks/${net}/connect`, { Container: c, Unknown: true, EndpointConfig: { IPAMConfig: { IPv4Address: null }, MacAddress: null, GwPriority: null, Unknown: 1 } });
      assert.equal(conn.status, 200, conn.text);
    } finally {
      await cleanup();
      await d.api('DELETE', `/v1.43/networks/${net}`);
    }
  });

  it('accepts a network name with a space (docker-py creates "test 01"), refuses "/" and control characters', async () => {
    const name = `${uniqueName('sp')} 01`;
    try {
      const r = await d.api('POST', '/v1.43/networks/create', { Name: name });
      assert.equal(r.status, 201, r.text);
      const i = await d.api('GET', `/v1.43/networks/${encodeURIComponent(name)}`);
      assert.equal(i.status, 200, i.text);
      assert.equal(i.json.Name, name);
      // A name may hold "%": a path with a broken escape is the client's mistake, never a crash.
      const pct = `${name}%zz`;
      assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: pct })).status, 201);
      assert.equal((await d.api('GET', `/v1.43/networks/${encodeURIComponent(pct)}`)).json.Name, pct);
      assert.equal((await d.api('DELETE', `/v1.43/networks/${encodeURIComponent(pct)}`)).status, 204);
      const doubled = await d.api('GET', '//v1.43/version'); // a base URL with a trailing slash
      assert.equal(doubled.status, 200, doubled.text);
      const broken = await d.api('GET', '/v1.43/networks/a%zz');
      assert.equal(broken.status, 400, broken.text);
      assert.equal((await d.api('GET', '/_ping')).status, 200);
      for (const bad of ['a/b', 'a\nb', 'a\u0000b']) {
        const b = await d.api('POST', '/v1.43/networks/create', { Name: bad });
        assert.equal(b.status, 400, `${JSON.stringify(bad)}: ${b.text}`);
      }
    } finally {
      assert.equal((await d.api('DELETE', `/v1.43/networks/${encodeURIComponent(name)}`)).status, 204);
    }
  });

  it('answers every swarm endpoint as a Docker node outside a swarm (503)', async () => {
    const notPart = 'This node is not part of a swarm';
    const notManager = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
    const cases: Array<[string, string, string]> = [
      ['POST', '/v1.43/swarm/leave?force=true', notPart],
      ['POST', '/swarm/leave', notPart],
      ['GET', '/v1.43/swarm', notManager],
      ['POST', '/v1.43/swarm/update?version=1', notManager],
      ['GET', '/v1.43/swarm/unlockkey', notManager],
      ['POST', '/v1.43/swarm/unlock', notManager],
      ['GET', '/v1.43/nodes', notManager],
      ['GET', '/v1.43/nodes/abc', notManager],
      ['GET', '/v1.43/services', notManager],
      ['POST', '/v1.43/services/create', notManager],
      ['GET', '/v1.43/tasks', notManager],
      ['GET', '/v1.43/secrets', notManager],
      ['GET', '/v1.43/configs', notManager],
      ['DELETE', '/v1.43/configs/x', notManager],
    ];
    for (const [method, path, message] of cases) {
      const r = await d.api(method, path, method === 'POST' ? {} : undefined);
      assert.equal(r.status, 503, `${method} ${path}: ${r.status} ${r.text}`);
      assert.deepEqual(r.json, { message }, `${method} ${path}`);
    }
  });

  it('a second quick start of a container on two networks is 304 while it runs and starts it once it exited', async () => {
    const n1 = uniqueName('s1');
    const n2 = uniqueName('s2');
    const c = uniqueName('sc');
    created.push(c);
    try {
      for (const n of [n1, n2]) assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: n })).status, 201);
      const cr = await d.api('POST', `/v1.43/containers/create?name=${c}`, { Image: 'busybox:latest', Cmd: ['true'], HostConfig: { NetworkMode: n1 } });
      assert.equal(cr.status, 201, cr.text);
      assert.equal((await d.api('POST', `/v1.43/networks/${n2}/connect`, { Container: c })).status, 200);
      for (let i = 0; i < 5; i++) {
        // compose `run`: start, the one-off exits at once, start again while its network goes down.
        const a = await d.api('POST', `/v1.43/containers/${c}/start`);
        assert.ok([204, 304].includes(a.status), `start ${i}a: ${a.status} ${a.text}`);
        assert.equal((await d.api('POST', `/v1.43/containers/${c}/wait?condition=not-running`)).status, 200);
        const b = await d.api('POST', `/v1.43/containers/${c}/start`);
        assert.ok([204, 304].includes(b.status), `start ${i}b: ${b.status} ${b.text}`);
        assert.equal((await d.api('POST', `/v1.43/containers/${c}/wait?condition=not-running`)).status, 200);
      }
      const running = await d.api('POST', `/v1.43/containers/${c}/start`);
      assert.ok([204, 304].includes(running.status), running.text);
    } finally {
      await cleanup();
      for (const n of [n1, n2]) await d.api('DELETE', `/v1.43/networks/${n}`);
    }
  });

  it('a created container shows only the user aliases on its endpoint until it starts', async () => {
    const n = uniqueName('al');
    const c = uniqueName('ac');
    created.push(c);
    try {
      assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: n })).status, 201);
      const cr = await d.api('POST', `/v1.43/containers/create?name=${c}`, {
        Image: 'busybox:latest', Cmd: ['sleep', '100'], HostConfig: { NetworkMode: n }, NetworkingConfig: { EndpointsConfig: { [n]: { Aliases: ['web'] } } },
      });
      assert.equal(cr.status, 201, cr.text);
      const before = await d.api('GET', `/v1.43/containers/${c}/json`);
      assert.deepEqual(before.json.NetworkSettings.Networks[n].Aliases, ['web']);
      assert.equal((await d.api('POST', `/v1.43/containers/${c}/start`)).status, 204);
      const after = await d.api('GET', `/v1.43/containers/${c}/json`);
      assert.deepEqual(after.json.NetworkSettings.Networks[n].Aliases, ['web', cr.json.Id.slice(0, 12)]);
    } finally {
      await cleanup();
      await d.api('DELETE', `/v1.43/networks/${n}`);
    }
  });
  it('--link-local-ip puts the address on the interface and IPAMConfig shows it', async () => {
    const n = uniqueName('ll');
    const c = uniqueName('lc');
    created.push(c);
    try {
      assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: n, IPAM: { Config: [{ Subnet: '10.124.0.0/24' }] } })).status, 201);
      const cr = await d.api('POST', `/v1.43/containers/create?name=${c}`, {
        Image: 'busybox:latest', Cmd: ['sleep', '100'], HostConfig: { NetworkMode: n },
        NetworkingConfig: { EndpointsConfig: { [n]: { IPAMConfig: { IPv4Address: '10.124.0.9', LinkLocalIPs: ['169.254.8.8'] } } } },
      });
      assert.equal(cr.status, 201, cr.text);
      const want = { IPv4Address: '10.124.0.9', LinkLocalIPs: ['169.254.8.8'] };
      assert.deepEqual((await d.api('GET', `/v1.43/containers/${c}/json`)).json.NetworkSettings.Networks[n].IPAMConfig, want);
      assert.equal((await d.api('POST', `/v1.43/containers/${c}/start`)).status, 204);
      const i = (await d.api('GET', `/v1.43/containers/${c}/json`)).json;
      assert.deepEqual(i.NetworkSettings.Networks[n].IPAMConfig, want);
      const addrs = Object.values(interfaces(host, i.State.Pid)).flat();
      assert.ok(addrs.some((a) => a.startsWith('169.254.8.8/')), `addresses: ${addrs.join(' ')}`);
    } finally {
      await cleanup();
      await d.api('DELETE', `/v1.43/networks/${n}`);
    }
  });

  it('--link on a user network to a container created after the linking one resolves once the target exists', async () => {
    const n = uniqueName('lk');
    const a = uniqueName('la');
    const later = uniqueName('lt');
    created.push(a, later);
    try {
      assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: n })).status, 201);
      const ca = await d.api('POST', `/v1.43/containers/create?name=${a}`, { Image: 'busybox:latest', Cmd: ['sleep', '100'], HostConfig: { NetworkMode: n, Links: [`${later}:db`] } });
      assert.equal(ca.status, 201, ca.text);
      assert.equal((await d.api('POST', `/v1.43/containers/${a}/start`)).status, 204);
      const cl = await d.api('POST', `/v1.43/containers/create?name=${later}`, { Image: 'busybox:latest', Cmd: ['sleep', '100'], HostConfig: { NetworkMode: n } });
      assert.equal(cl.status, 201, cl.text);
      assert.equal((await d.api('POST', `/v1.43/containers/${later}/start`)).status, 204);
      const ip = (await d.api('GET', `/v1.43/containers/${later}/json`)).json.NetworkSettings.Networks[n].IPAddress as string;
      const pid = (await d.api('GET', `/v1.43/containers/${a}/json`)).json.State.Pid as number;
      const r = inContainer(host, pid, ['nslookup', 'db', '127.0.0.11']);
      assert.ok(r.stdout.includes(ip), `db should resolve to ${ip}: ${r.stdout} ${r.stderr}`);
    } finally {
      await cleanup();
      await d.api('DELETE', `/v1.43/networks/${n}`);
    }
  });

  it('network connect with EndpointConfig.MacAddress on a created container gives that MAC at start', async () => {
    const n = uniqueName('mc');
    const c = uniqueName('mk');
    created.push(c);
    try {
      assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: n })).status, 201);
      assert.equal((await d.api('POST', `/v1.43/containers/create?name=${c}`, { Image: 'busybox:latest', Cmd: ['sleep', '100'] })).status, 201);
      const conn = await d.api('POST', `/v1.43/networks/${n}/connect`, { Container: c, EndpointConfig: { MacAddress: '02:42:0a:0b:0c:0d' } });
      assert.equal(conn.status, 200, conn.text);
      assert.equal((await d.api('POST', `/v1.43/containers/${c}/start`)).status, 204);
      const i = (await d.api('GET', `/v1.43/containers/${c}/json`)).json;
      assert.equal(i.NetworkSettings.Networks[n].MacAddress, '02:42:0a:0b:0c:0d');
      // compose's way: created on its primary network, disconnected, connected again with settings.
      const c2 = uniqueName('mk');
      created.push(c2);
      assert.equal((await d.api('POST', `/v1.43/containers/create?name=${c2}`, { Image: 'busybox:latest', Cmd: ['sleep', '100'], HostConfig: { NetworkMode: n } })).status, 201);
      assert.equal((await d.api('POST', `/v1.43/networks/${n}/disconnect`, { Container: c2 })).status, 200);
      const again = await d.api('POST', `/v1.43/networks/${n}/connect`, { Container: c2, EndpointConfig: { MacAddress: '02:42:0a:0b:0c:0e', Aliases: ['m'] } });
      assert.equal(again.status, 200, again.text);
      assert.equal((await d.api('POST', `/v1.43/containers/${c2}/start`)).status, 204);
      const i2 = (await d.api('GET', `/v1.43/containers/${c2}/json`)).json;
      assert.equal(i2.NetworkSettings.Networks[n].MacAddress, '02:42:0a:0b:0c:0e');
      for (const [pid, mac] of [[i.State.Pid, '02:42:0a:0b:0c:0d'], [i2.State.Pid, '02:42:0a:0b:0c:0e']] as const) {
        const kernel = JSON.parse(host.sh(['nsenter', '-t', String(pid), '-n', 'ip', '-j', 'link'])) as Array<{ address?: string }>;
        assert.ok(kernel.some((l) => l.address === mac), `the interface carries ${mac}: ${JSON.stringify(kernel.map((l) => l.address))}`);
      }
    } finally {
      await cleanup();
      await d.api('DELETE', `/v1.43/networks/${n}`);
    }
  });

  it('DELETE /containers/{parent}/{alias}?link=1 removes a legacy link', async () => {
    const target = uniqueName('rt');
    const parent = uniqueName('rp');
    created.push(parent, target);
    try {
      assert.equal((await d.api('POST', `/v1.43/containers/create?name=${target}`, { Image: 'busybox:latest', Cmd: ['sleep', '100'] })).status, 201);
      const cp = await d.api('POST', `/v1.43/containers/create?name=${parent}`, { Image: 'busybox:latest', Cmd: ['sleep', '100'], HostConfig: { Links: [`${target}:db`] } });
      assert.equal(cp.status, 201, cp.text);
      const r = await d.api('DELETE', `/v1.43/containers/${parent}/db?link=1`);
      assert.equal(r.status, 204, r.text);
      assert.equal((await d.api('GET', `/v1.43/containers/${parent}/json`)).json.HostConfig.Links, null);
      assert.equal((await d.api('GET', `/v1.43/containers/${target}/json`)).status, 200, 'the target itself stays');
      const gone = await d.api('DELETE', `/v1.43/containers/${parent}/db?link=1`);
      assert.equal(gone.status, 404, gone.text);
    } finally {
      await cleanup();
    }
  });
  it('version negotiation and the /version and /info fields SDKs read are Docker\'s', async () => {
    const v = await d.api('GET', '/version');
    assert.equal(v.status, 200);
    for (const k of ['ApiVersion', 'MinAPIVersion', 'Os', 'Arch', 'KernelVersion', 'Version']) assert.equal(typeof v.json[k], 'string', k);
    assert.equal(v.json.Os, 'linux');
    assert.equal(v.headers['api-version'], v.json.ApiVersion);
    const max = v.json.ApiVersion as string;
    assert.equal((await d.api('GET', `/v${max}/version`)).status, 200);
    assert.equal((await d.api('GET', '/v1.24/info')).status, 200, 'an older client is served');
    const tooNew = await d.api('GET', '/v1.99/version');
    assert.equal(tooNew.status, 400);
    assert.deepEqual(tooNew.json, { message: `client version 1.99 is too new. Maximum supported API version is ${max}` });
    const tooOld = await d.api('GET', '/v1.11/version');
    assert.equal(tooOld.status, 400);
    assert.equal(tooOld.text, `client version 1.11 is too old. Minimum supported API version is ${v.json.MinAPIVersion}, please upgrade your client to a newer version`);
    const info = (await d.api('GET', `/v${max}/info`)).json;
    for (const k of ['KernelVersion', 'OperatingSystem', 'OSType', 'Architecture', 'ServerVersion', 'Name', 'ID']) assert.equal(typeof info[k], 'string', k);
    assert.equal(info.Swarm.LocalNodeState, 'inactive');
  });

  it('removing a link from a running parent on a user network stops the alias resolving at once', async () => {
    const n = uniqueName('rl');
    const target = uniqueName('rt');
    const parent = uniqueName('rp');
    created.push(parent, target);
    try {
      assert.equal((await d.api('POST', '/v1.43/networks/create', { Name: n })).status, 201);
      for (const [c, links] of [[target, []], [parent, [`${target}:db`]]] as const) {
        assert.equal((await d.api('POST', `/v1.43/containers/create?name=${c}`, { Image: 'busybox:latest', Cmd: ['sleep', '100'], HostConfig: { NetworkMode: n, Links: links } })).status, 201);
        assert.equal((await d.api('POST', `/v1.43/containers/${c}/start`)).status, 204);
      }
      const pid = (await d.api('GET', `/v1.43/containers/${parent}/json`)).json.State.Pid as number;
      assert.equal(inContainer(host, pid, ['nslookup', 'db', '127.0.0.11']).code, 0, 'db resolves while linked');
      assert.equal((await d.api('DELETE', `/v1.43/containers/${parent}/db?link=1`)).status, 204);
      const after = inContainer(host, pid, ['nslookup', 'db', '127.0.0.11']);
      assert.notEqual(after.code, 0, `db still resolves: ${after.stdout}`);
    } finally {
      await cleanup();
      await d.api('DELETE', `/v1.43/networks/${n}`);
    }
  });

});
