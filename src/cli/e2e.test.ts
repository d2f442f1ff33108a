// End to end: the whole CLI (main) against the fake Engine API on a temporary unix socket,
// asserting stdout, stderr and exit codes against the reference transcripts.

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, beforeEach, test } from 'node:test';
import { resolveHost } from './client.js';
import { main } from './main.js';
import { FakeEngine } from './testing/fake-engine.js';

let engine: FakeEngine;

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

async function tether(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    env: opts.env ?? { TETHER_HOST: engine.host },
  });
  return { stdout, stderr, code };
}

before(async () => {
  engine = await new FakeEngine().start();
});
after(async () => {
  await engine.stop();
});
beforeEach(() => {
  engine.networks = engine.networks.filter((n) => ['bridge', 'host', 'none'].includes(n.Name));
  engine.requests.length = 0;
  engine.apiVersion = '1.41';
  engine.headPing = true;
  engine.add('custom_network', {
    Id: '48dcdf6662e76498199b54121a8f86fd15b0c9055c453507a3354a33b1979e16',
    Created: '2026-11-23T01:35:23.813392712Z',
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] },
  });
});

test('network ls, --no-trunc, -q, filters and templates (01-network-ls-inspect)', async () => {
  assert.deepEqual(await tether(['network', 'ls']), {
    stdout:
      'NETWORK ID     NAME             DRIVER    SCOPE\n' +
      'c48056864c90   bridge           bridge    local\n' +
      '48dcdf6662e7   custom_network   bridge    local\n' +
      '899a42ab0660   host             host      local\n' +
      'd88de5682cef   none             null      local\n',
    stderr: '',
    code: 0,
  });
  assert.equal(
    (await tether(['network', 'ls', '--no-trunc'])).stdout.split('\n')[0],
    'NETWORK ID                                                         NAME             DRIVER    SCOPE',
  );
  assert.equal((await tether(['network', 'ls', '-q'])).stdout, 'c48056864c90\n48dcdf6662e7\n899a42ab0660\nd88de5682cef\n');
  assert.equal(
    (await tether(['network', 'ls', '--filter', 'type=builtin'])).stdout,
    'NETWORK ID     NAME      DRIVER    SCOPE\n' +
      'c48056864c90   bridge    bridge    local\n' +
      '899a42ab0660   host      host      local\n' +
      'd88de5682cef   none      null      local\n',
  );
  assert.ok(engine.requests.some((r) => r.url === '/v1.41/networks?filters=%7B%22type%22%3A%7B%22builtin%22%3Atrue%7D%7D'));
  const t = await tether(['network', 'ls', '--format', '{{.ID}}|{{.Name}}|{{.Driver}}|{{.Scope}}|{{.IPv6}}|{{.Internal}}|{{.Labels}}|{{.CreatedAt}}']);
  assert.equal(
    t.stdout.split('\n')[0],
    'c48056864c90|bridge|bridge|local|false|false||2026-11-23 01:35:12.117002694 +0000 UTC',
  );
  assert.equal((await tether(['network', 'ls', '--filter', 'name=zzz'])).stdout, 'NETWORK ID   NAME      DRIVER    SCOPE\n');
});

test('network ls sorts names naturally', async () => {
  for (const n of ['ref-net-aux', 'ref-net2', 'ref-net']) engine.add(n);
  const names = (await tether(['network', 'ls', '--format', '{{.Name}}', '-f', 'name=ref'])).stdout;
  assert.equal(names, 'ref-net\nref-net2\nref-net-aux\n');
});

test('network inspect: indented raw JSON, templates, missing networks', async () => {
  const r = await tether(['network', 'inspect', 'host']);
  assert.equal(
    r.stdout,
    `[
    {
        "Name": "host",
        "Id": "899a42ab0660c16f7ab4d68d5bee62c60ccfd49bd94244cc50eba334fde04a99",
        "Created": "2026-11-23T01:35:12.104676441Z",
        "Scope": "local",
        "Driver": "host",
        "EnableIPv6": false,
        "IPAM": {
            "Driver": "default",
            "Options": null,
            "Config": []
        },
        "Internal": false,
        "Attachable": false,
        "Ingress": false,
        "ConfigFrom": {
            "Network": ""
        },
        "ConfigOnly": false,
        "Containers": {},
        "Options": {},
        "Labels": {}
    }
]
`,
  );
  const f = await tether(['network', 'inspect', '-f', '{{.Name}} {{.Id}} {{.Driver}} {{json .IPAM}} {{json .Options}}', 'bridge', 'host', 'none']);
  assert.equal(
    f.stdout,
    'bridge c48056864c901d057ebad6a8e6bf719f979917544c3512f9455c6c1331960c78 bridge {"Config":[{"Subnet":"172.17.0.0/16"}],"Driver":"default","Options":null} {"com.docker.network.bridge.default_bridge":"true","com.docker.network.bridge.enable_icc":"true","com.docker.network.bridge.enable_ip_masquerade":"true","com.docker.network.bridge.host_binding_ipv4":"0.0.0.0","com.docker.network.bridge.name":"docker0","com.docker.network.driver.mtu":"1500"}\n' +
      'host 899a42ab0660c16f7ab4d68d5bee62c60ccfd49bd94244cc50eba334fde04a99 host {"Config":[],"Driver":"default","Options":null} {}\n' +
      'none d88de5682cefd7f981c22665d39c48c94a18789ad9480294456ce59aaf0767df null {"Config":[],"Driver":"default","Options":null} {}\n',
  );
  assert.deepEqual(await tether(['network', 'inspect', 'ref-e-nosuch']), {
    stdout: '[]\n',
    stderr: 'Error response from daemon: network ref-e-nosuch not found\n',
    code: 1,
  });
  const mixed = await tether(['network', 'inspect', '-f', '{{.Attachable}} {{.Scope}}', 'host', 'nosuch']);
  assert.deepEqual(mixed, { stdout: 'false local\n', stderr: 'Error response from daemon: network nosuch not found\n', code: 1 });
});

test('network create: prints the id, sends docker\'s body, checks IPAM client-side', async () => {
  const r = await tether(['network', 'create', '--subnet', '10.1.1.0/24', '--gateway', '10.1.1.1', '-o', 'a=b', '--label', 'x', 'mynet']);
  assert.equal(r.code, 0);
  const created = engine.networks.find((n) => n.Name === 'mynet');
  assert.equal(r.stdout, `${created?.Id}\n`);
  const req = engine.requests.find((q) => q.method === 'POST');
  assert.equal(req?.url, '/v1.41/networks/create');
  assert.equal(req?.headers['content-type'], 'application/json');
  assert.equal(
    req?.body,
    '{"Driver":"bridge","Scope":"","IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.1.1.0/24","Gateway":"10.1.1.1"}]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{"a":"b"},"Labels":{"x":""},"Name":"mynet","CheckDuplicate":true}\n',
  );
  assert.deepEqual(await tether(['network', 'create', 'mynet']), {
    stdout: '',
    stderr: 'Error response from daemon: network with name mynet already exists\n',
    code: 1,
  });
  engine.requests.length = 0;
  assert.deepEqual(await tether(['network', 'create', '--subnet', '10.60.0.0/24', '--gateway', '10.61.0.1', 'ref-e-gw']), {
    stdout: '',
    stderr: 'no matching subnet for gateway 10.61.0.1\n',
    code: 1,
  });
  assert.equal(engine.requests.length, 0, 'client-side errors never reach the daemon');
});

test('usage and flag errors', async () => {
  assert.deepEqual(await tether(['network', 'create']), {
    stdout: '',
    stderr:
      "tether: 'tether network create' requires 1 argument\n\nUsage:  tether network create [OPTIONS] NETWORK\n\nRun 'tether network create --help' for more information\n",
    code: 1,
  });
  assert.deepEqual(await tether(['network', 'create', '--bogus', 'x']), {
    stdout: '',
    stderr: "unknown flag: --bogus\n\nUsage:  tether network create [OPTIONS] NETWORK\n\nRun 'tether network create --help' for more information\n",
    code: 125,
  });
  assert.equal((await tether(['network', 'inspect'])).stderr.split('\n').pop(), '');
  assert.match((await tether(['network', 'inspect'])).stderr, /See 'tether network inspect --help' for more information\n$/);
  assert.equal((await tether(['frobnicate'])).code, 1);
  const help = await tether(['network', 'rm', '--help']);
  assert.equal(
    help.stdout,
    'Usage:  tether network rm NETWORK [NETWORK...]\n\nRemove one or more networks\n\nAliases:\n  tether network rm, tether network remove\n\nOptions:\n  -f, --force   Do not error if the network does not exist\n',
  );
});

test('network rm: removes what it can, reports the rest, exit status 1 (06-errors)', async () => {
  engine.add('ref-e-a');
  assert.deepEqual(await tether(['network', 'rm', 'ref-e-a', 'ref-e-nosuch']), {
    stdout: 'ref-e-a\n',
    stderr: 'Error response from daemon: network ref-e-nosuch not found\nexit status 1\n',
    code: 1,
  });
  assert.deepEqual(await tether(['network', 'rm', 'bridge']), {
    stdout: '',
    stderr: 'Error response from daemon: bridge is a pre-defined network and cannot be removed\nexit status 1\n',
    code: 1,
  });
  assert.deepEqual(await tether(['network', 'rm', '-f', 'gone']), { stdout: '', stderr: '', code: 0 });
});

test('network prune: -f output and the prompt', async () => {
  engine.add('ref-e-p1', { Labels: { 'ref-prune': '1' } });
  engine.add('ref-e-p2', { Labels: { 'ref-prune': '1' } });
  assert.deepEqual(await tether(['network', 'prune', '--filter', 'label=ref-prune=1'], { stdin: 'n\n' }), {
    stdout: 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ',
    stderr: '',
    code: 0,
  });
  assert.deepEqual(await tether(['network', 'prune', '-f', '--filter', 'label=ref-prune=1']), {
    stdout: 'Deleted Networks:\nref-e-p2\nref-e-p1\n\n',
    stderr: '',
    code: 0,
  });
  assert.deepEqual(await tether(['network', 'prune', '-f', '--filter', 'label=ref-prune=1']), { stdout: '', stderr: '', code: 0 });
});

test('network connect / disconnect bodies (10-api-trace c15, c19)', async () => {
  engine.add('trace-n3');
  assert.deepEqual(await tether(['network', 'connect', '--alias', 'ca', '--alias', 'cb', '--ip', '10.231.0.50', 'trace-n3', 'ref-cd-box']), {
    stdout: '',
    stderr: '',
    code: 0,
  });
  assert.equal(
    engine.requests.at(-1)?.body,
    '{"Container":"ref-cd-box","EndpointConfig":{"IPAMConfig":{"IPv4Address":"10.231.0.50"},"Links":null,"Aliases":["ca","cb"],"MacAddress":"","DriverOpts":{},"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}\n',
  );
  assert.deepEqual(await tether(['network', 'connect', 'trace-n3', 'ref-cd-box']), {
    stdout: '',
    stderr: 'Error response from daemon: endpoint with name ref-cd-box already exists in network trace-n3\n',
    code: 1,
  });
  assert.equal((await tether(['network', 'disconnect', 'trace-n3', 'ref-cd-box'])).code, 0);
  assert.equal(engine.requests.at(-1)?.body, '{"Container":"ref-cd-box","Force":false}\n');
  const again = await tether(['network', 'disconnect', '-f', 'trace-n3', 'ref-cd-box']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^Error response from daemon: container [0-9a-f]{64} is not connected to network trace-n3\n$/);
});

test('version and info print the server parts like docker (10-api-trace/01-version.log)', async () => {
  const v = await tether(['version']);
  assert.equal(v.code, 0);
  assert.equal(
    v.stdout.slice(v.stdout.indexOf('\nServer:')),
    `
Server:
 Engine:
  Version:          20.10.24+dfsg1
  API version:      1.41 (minimum version 1.12)
  Go version:       go1.19.8
  Git commit:       5d6db84
  Built:            Thu May  7 21:09:36 2026
  OS/Arch:          linux/amd64
  Experimental:     false
 containerd:
  Version:          1.6.20~ds1
  GitCommit:        1.6.20~ds1-1+deb12u3
 runc:
  Version:          1.1.5+ds1
  GitCommit:        1.1.5+ds1-1+deb12u1
 docker-init:
  Version:          0.19.0
  GitCommit:        
`,
  );
  assert.match(v.stdout, /^Client:\n Version:           0\.1\.0\n API version:       1\.41 \(downgraded from 1\.43\)\n/);
  const i = await tether(['info']);
  assert.equal(i.code, 0);
  assert.ok(
    i.stdout.includes(
      ' Plugins:\n  Volume: local\n  Network: bridge host ipvlan macvlan null overlay\n  Log: awslogs fluentd gcplogs gelf journald json-file local logentries splunk syslog\n',
    ),
  );
  assert.ok(i.stdout.endsWith(' CPUs: 2\n Total Memory: 23.54GiB\n Name: vm\n ID: 54PT:CSWE:LNDQ:R5TN:4XZZ:2H4J:XNGE:A3S2:KAXS:IMLG:6FC7:6VC6\n Docker Root Dir: /var/lib/docker\n Debug Mode: false\n Experimental: false\n Insecure Registries:\n  127.0.0.0/8\n Live Restore Enabled: false\n\n'));
});

test('API version negotiation: min(daemon, 1.43), GET /_ping fallback', async () => {
  engine.apiVersion = '1.45';
  engine.headPing = false;
  await tether(['network', 'ls', '-q']);
  assert.deepEqual(
    engine.requests.map((r) => `${r.method} ${r.url}`),
    ['HEAD /_ping', 'GET /_ping', 'GET /v1.43/networks'],
  );
  assert.equal(engine.requests.at(-1)?.headers.host, 'api.moby.localhost');
});

test('host selection and connection failures', async () => {
  assert.equal(resolveHost(undefined, {}), 'unix:///run/tether/tether.sock');
  assert.equal(resolveHost(undefined, { DOCKER_HOST: 'unix:///d.sock' }), 'unix:///d.sock');
  assert.equal(resolveHost(undefined, { DOCKER_HOST: 'unix:///d.sock', TETHER_HOST: 'unix:///t.sock' }), 'unix:///t.sock');
  assert.equal(resolveHost('unix:///h.sock', { TETHER_HOST: 'unix:///t.sock' }), 'unix:///h.sock');
  assert.deepEqual(await tether(['network', 'ls'], { env: { TETHER_HOST: 'unix:///nonexistent/tether.sock' } }), {
    stdout: '',
    stderr: 'Cannot connect to the Tether daemon at unix:///nonexistent/tether.sock. Is the tether daemon running?\n',
    code: 1,
  });
  const viaFlag = await tether(['-H', engine.host, 'network', 'ls', '-q'], { env: { TETHER_HOST: 'unix:///nonexistent.sock' } });
  assert.equal(viaFlag.code, 0);
});
