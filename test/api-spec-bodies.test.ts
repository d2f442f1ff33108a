// Issue 23's property test: bodies the Engine API document (moby's swagger.yaml, API 1.43) allows
// for network create / connect / disconnect and container create, sent to a real tetherd. None
// may get a 5xx; a 4xx only with a refusal Docker documents or docs/deviations.md lists.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, uniqueName, type TestHost } from './helpers/testhost.js';
import { startDaemon, type ApiResponse, type TestDaemon } from './helpers/daemon.js';
import { preloadBusybox } from './helpers/containers.js';
import { ABSENT, BodyGenerator, loadEngineSpec, rng, type Semantic } from './helpers/spec-bodies.js';

const SEED = Number(process.env['TETHER_SPEC_SEED'] ?? 23);
const COUNTS = { networkCreate: 250, containerCreate: 5000, connect: 3000 } as const; // connect + disconnect pairs

/** Refusals that are not ours to remove: what Docker documents, or a deviation we chose. */
const ALLOWED: Array<[RegExp, string]> = [
  [/^could not find an available, non-overlapping IPv6 address pool among the defaults/, "Docker's own answer (404, 10-api-trace) to EnableIPv6 without an IPv6 subnet"],
  [/^Ingress network can only be global scope network$/, "Docker's own answer (403) to Ingress on a node outside a swarm"],
  [/is not supported by tether|are not supported by tether|not supported by tether; use/, 'docs/deviations.md: features tether refuses rather than ignore'],
];

describe('bodies generated from the Engine API document', () => {
  let host: TestHost;
  let d: TestDaemon;
  const spec = loadEngineSpec();
  const net = uniqueName('pn');
  const target = uniqueName('pt');
  const box = uniqueName('pb');

  before(async () => {
    host = createTestHost('pb');
    await preloadBusybox(host);
    d = await startDaemon(host);
    const ok = (r: ApiResponse, what: string) => assert.ok(r.status < 300, `${what}: ${r.status} ${r.text}`);
    ok(await d.api('POST', '/v1.43/networks/create', { Name: net, IPAM: { Config: [{ Subnet: '10.99.0.0/16' }] } }), 'network');
    ok(await d.api('POST', `/v1.43/containers/create?name=${target}`, { Image: 'busybox:latest', HostConfig: { NetworkMode: net } }), 'link target');
    ok(await d.api('POST', `/v1.43/containers/create?name=${box}`, { Image: 'busybox:latest' }), 'connect subject');
  });

  after(async () => {
    try {
      for (const c of [target, box]) await d?.api('DELETE', `/v1.43/containers/${c}?force=1`);
      await d?.api('DELETE', `/v1.43/networks/${net}`);
    } finally {
      await d?.stop();
      host?.dispose();
    }
  });

  it(`≥ 10,000 spec-valid bodies: no 5xx, no refusal Docker would not give (seed ${SEED})`, async () => {
    let seq = 0;
    let mode: unknown = ABSENT; // the NetworkMode of the body being generated
    const mac = () => `02:42:0a:${Array.from({ length: 3 }, () => Math.floor(g.random() * 256).toString(16).padStart(2, '0')).join(':')}`;
    const ip = () => `10.99.${1 + ((++seq >> 8) % 250)}.${1 + (seq % 250)}`;
    const pick = <T>(xs: readonly T[]) => () => g.pick(xs);
    const endsWith = (path: readonly string[], ...tail: string[]) => tail.every((t, i) => path[path.length - tail.length + i] === t);
    const semantic: Semantic = (p) => {
      const at = p.join('.');
      // Network create.
      if (at === 'Driver') return pick(['bridge', '']);
      if (at === 'IPAM.Driver') return pick(['default', '']);
      if (at === 'IPAM.Config.[]') return () => ipamConfig(++seq);
      if (at === 'Options.{key}') return pick(['com.docker.network.bridge.enable_icc', 'com.docker.network.bridge.enable_ip_masquerade', 'com.example.unknown']);
      if (at === 'Options.{}') return pick(['true', 'false']);
      if (at === 'Options' && p.length === 1) return undefined;
      // Container create.
      if (at === 'Hostname') return pick(['', 'web', 'a-b.c']);
      if (at === 'Domainname') return pick(['', 'example.com']);
      if (at === 'User') return pick(['', 'root', '1000:1000']);
      if (at === 'WorkingDir') return pick(['', '/tmp']);
      if (at === 'Env.[]') return pick(['A=b', 'EMPTY=']);
      if (at === 'ExposedPorts.{key}' || at === 'HostConfig.PortBindings.{key}') return pick(['80/tcp', '53/udp', '8080']);
      if (at === 'HostConfig.PortBindings.{}.[].HostIp') return pick(['', '127.0.0.1', '0.0.0.0', '::1']);
      if (at === 'HostConfig.PortBindings.{}.[].HostPort') return pick(['', '0', '8080', '9000-9010']);
      if (at === 'HostConfig.NetworkMode') return () => (mode = g.pick(['', 'default', 'bridge', 'none', 'host', net]));
      if (at === 'HostConfig.Links.[]') return () => `${target}:lt${seq++}`;
      if (at === 'HostConfig.Dns.[]') return pick(['9.9.9.9', '2001:db8::53']);
      if (at === 'HostConfig.DnsSearch.[]') return pick(['example.com', '.']);
      if (at === 'HostConfig.DnsOptions.[]') return pick(['ndots:2', 'rotate']);
      if (at === 'HostConfig.ExtraHosts.[]') return pick(['h:1.2.3.4', 'gw:host-gateway', 'v6:2001:db8::1']);
      if (at === 'HostConfig.Runtime') return pick(['', 'crun', 'runc']);
      if (at === 'HostConfig.IpcMode') return pick(['', 'private', 'shareable']);
      if (at === 'HostConfig.CgroupnsMode') return pick(['private', 'host']);
      if (at === 'NetworkingConfig.EndpointsConfig') return () => (mode === net ? { [net]: g.value({ $ref: '#/definitions/EndpointSettings' }, ['EP']) } : g.pick([null, {}]));
      if (at === 'MacAddress') return () => (mode === 'none' || mode === 'host' ? '' : mac());
      // An endpoint, in container create or connect.
      if (endsWith(p, 'IPAMConfig', 'IPv4Address')) return ip;
      if (endsWith(p, 'IPAMConfig', 'IPv6Address')) return () => '';
      if (endsWith(p, 'LinkLocalIPs', '[]')) return () => `169.254.7.${1 + (++seq % 250)}`;
      if (endsWith(p, 'Links', '[]')) return () => `${target}:lt${seq++}`;
      if (endsWith(p, 'Aliases', '[]')) return () => `al${seq++}`;
      if (endsWith(p, 'MacAddress')) return mac;
      return undefined;
    };
    const g = new BodyGenerator(spec, rng(SEED), semantic);
    const ipamConfig = (n: number) => {
      const base = `10.${100 + ((n >> 8) % 100)}.${n % 256}`;
      const opt = (v: unknown) => g.pick([ABSENT, null, v]);
      const c: Record<string, unknown> = { Subnet: `${base}.0/24`, IPRange: opt(`${base}.128/25`), Gateway: opt(`${base}.1`), AuxiliaryAddresses: opt({ r: `${base}.5` }) };
      return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== ABSENT));
    };

    const tally = new Map<string, number>();
    const bad: string[] = [];
    let sent = 0;
    const judge = (what: string, body: unknown, r: ApiResponse): boolean => {
      sent += 1;
      const key = `${what} ${r.status}${r.status >= 400 ? ` (${String(r.json?.message).replace(/\d+/g, 'N').slice(0, 70)})` : ''}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (r.status < 400) return true;
      const allowed = r.status < 500 && ALLOWED.some(([re]) => re.test(String(r.json?.message)));
      if (!allowed && bad.length < 15) bad.push(`${what} → ${r.status} ${r.text.trim()}\n   ${JSON.stringify(body)}`);
      return false;
    };
    const started = Date.now();
    const phases: string[] = [];
    const phase = (what: string) => phases.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (let i = 0; i < COUNTS.networkCreate; i++) {
      const body = { ...g.body('networkCreate'), Name: `${net}n${i}` };
      const r = await d.api('POST', '/v1.43/networks/create', body);
      if (judge('network create', body, r)) assert.equal((await d.api('DELETE', `/v1.43/networks/${r.json.Id}`)).status, 204);
    }
    phase('network create');
    for (let i = 0; i < COUNTS.containerCreate; i++) {
      mode = ABSENT;
      // The spec marks no field required, but Docker refuses a body without an image (400).
      const body = { ...g.body('containerCreate'), Image: 'busybox:latest' };
      const r = await d.api('POST', '/v1.43/containers/create', body);
      if (judge('container create', body, r)) assert.equal((await d.api('DELETE', `/v1.43/containers/${r.json.Id}?force=1`)).status, 204);
    }
    phase('container create');
    for (let i = 0; i < COUNTS.connect; i++) {
      const body = { ...g.body('networkConnect'), Container: box };
      if (!judge('network connect', body, await d.api('POST', `/v1.43/networks/${net}/connect`, body))) continue;
      const off = { ...g.body('networkDisconnect'), Container: box };
      judge('network disconnect', off, await d.api('POST', `/v1.43/networks/${net}/disconnect`, off));
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`spec bodies: ${sent} sent in ${seconds} s (${phases.join(', ')}; ${spec.source})\n  ${[...tally].sort().map(([k, v]) => `${k}: ${v}`).join('\n  ')}`);
    assert.deepEqual(bad, [], `refusals Docker would not give:\n${bad.join('\n')}`);
    assert.ok(sent >= 10_000, `only ${sent} bodies`);
    // Nothing generated is left: our three objects only.
    const nets = (await d.api('GET', '/v1.43/networks')).json as Array<{ Name: string }>;
    assert.deepEqual(nets.map((n) => n.Name).filter((n) => n.startsWith(net)), [net]);
    const cs = (await d.api('GET', '/v1.43/containers/json?all=1')).json as unknown[];
    assert.equal(cs.length, 2);
  });
});
