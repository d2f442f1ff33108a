// Differential test: run the real docker CLI (v28, if installed) and tether against identical fake
// engines and require identical stdout, stderr, exit code and HTTP requests, after renaming
// docker's own program name. Skipped when no docker binary is available.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeEngine } from './testing/fake-engine.js';

const DOCKER = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => fs.existsSync(p));
const TETHER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cmd/tether.js');

interface Result {
  stdout: string;
  stderr: string;
  code: number | null;
  requests: string[];
}

async function setup(engine: FakeEngine): Promise<void> {
  engine.add('ref-net2', { IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.1.1.0/24', Gateway: '10.1.1.1' }] } });
  engine.add('ref-net', { Labels: { env: 'test' } });
  engine.add('ref-net-aux', {
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.3.0.0/24', AuxiliaryAddresses: { host1: '10.3.0.2' } }] },
  });
  engine.add('p1', { Labels: { p: '1' } });
  engine.add('odd<&>', { Labels: { 'a&b': '<x>' } });
  // Containers for the container commands: a published web server, a logger, an exited one.
  engine.containers.add(
    'web',
    { Cmd: ['httpd', '-f'], ExposedPorts: { '80/tcp': {} }, Labels: { a: 'b' } },
    { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
  );
  engine.containers.add('logger', { Cmd: ['sh', '-c', 'echo out1; echo err1 >&2; echo out2; sleep 300'] });
  engine.containers.add('done', { Cmd: ['sh', '-c', 'echo bye; exit 3'] });
  await new Promise((resolve) => setTimeout(resolve, 30)); // let the fixtures' output and exits happen
}

/** A file for load/import: the fake engine only looks at its size. */
const TARBALL = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tether-parity-')), 'image.tar');
fs.writeFileSync(TARBALL, 'not really a tar\n');
after(() => fs.rmSync(path.dirname(TARBALL), { recursive: true, force: true }));

async function run(bin: string[], args: string[], stdin = ''): Promise<Result> {
  const engine = await new FakeEngine().start();
  await setup(engine);
  try {
    const child = spawn(bin[0] as string, [...bin.slice(1), '-H', engine.host, ...args], {
      env: { PATH: process.env.PATH, HOME: '/nonexistent', DOCKER_CLI_HINTS: 'false', DOCKER_CONFIG: '/nonexistent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // docker pings eagerly (even for --help); only the API calls themselves must match.
    const requests = engine.requests.filter((r) => r.url !== '/_ping').map((r) => `${r.method} ${r.url} ${r.body}`);
    return { stdout, stderr, code, requests };
  } finally {
    await engine.stop();
  }
}

/** docker's output with its own name replaced by tether's. */
function rename(r: Result, host: string): Result {
  const fix = (s: string): string =>
    s
      .replaceAll(host, '<host>')
      .replace(/(?<![./])\bdocker\b(?![.-])/g, 'tether')
      .replace('Cannot connect to the Docker daemon', 'Cannot connect to the Tether daemon');
  return { ...r, stdout: fix(r.stdout), stderr: fix(r.stderr) };
}

/** `sorted`: docker sends these requests in parallel, so only the set of requests is compared. */
const CASES: Array<{ args: string[]; stdin?: string; sorted?: boolean }> = [
  { args: ['network', 'ls'] },
  { args: ['network', 'ls', '--no-trunc'] },
  { args: ['network', 'ls', '-q'] },
  { args: ['network', 'ls', '--format', '{{.ID}}|{{.Name}}|{{.Driver}}|{{.Scope}}|{{.IPv6}}|{{.Internal}}|{{.Labels}}|{{.CreatedAt}}'] },
  { args: ['network', 'ls', '--format', 'json'] },
  { args: ['network', 'ls', '--format', 'table {{.Name}}\t{{.Labels}}\t{{.Label "env"}}'] },
  { args: ['network', 'ls', '--format', 'table {{.Name | upper}}\t{{json .Driver}}'] },
  { args: ['network', 'ls', '--filter', 'driver=bridge', '-f', 'name=ref'] },
  { args: ['network', 'ls', '-f', 'bogus'] },
  { args: ['network', 'ls', 'extra'] },
  { args: ['network', 'inspect', 'bridge', 'host', 'none'] },
  { args: ['network', 'inspect', 'ref-net-aux', 'odd<&>'] },
  { args: ['network', 'inspect', '-f', '{{.Name}} {{.Id}} {{.Driver}} {{json .IPAM}} {{json .Options}}', 'bridge', 'host'] },
  { args: ['network', 'inspect', '-f', '{{.Id}} {{.IPAM.Config}}', 'ref-net2'] },
  { args: ['network', 'inspect', '-f', '{{.IPAM.Config}} {{.Created}} {{.Containers}} {{.Labels}}', 'ref-net2', 'ref-net'] },
  { args: ['network', 'inspect', '-f', '{{json .}}', 'ref-net-aux'] },
  { args: ['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{end}}{{.EnableIPv6}} {{json .IPAM.Config}}', 'ref-net2'] },
  { args: ['network', 'inspect', '-f', 'json', 'bridge', 'ref-net'] },
  { args: ['network', 'inspect', 'nosuch'] },
  { args: ['network', 'inspect', 'bridge', 'nosuch'] },
  { args: ['network', 'inspect', '-f', '{{.Name}}', 'nosuch'] },
  { args: ['network', 'inspect'] },
  { args: ['network', 'create', '--subnet', '10.1.1.0/24', '--gateway', '10.1.1.1', '-o', 'a=b', '--label', 'x', 'mynet'] },
  {
    args: [
      'network', 'create', '--subnet', '10.231.0.0/24', '--gateway', '10.231.0.1', '--ip-range', '10.231.0.128/25',
      '-o', 'com.docker.network.bridge.name=trace-br3', '--label', 'trace=1', '--ipv6', '--internal', '--attachable',
      '--aux-address', 'h=10.231.0.5', '--ipam-opt', 'k=v', '--scope', 'local', '--config-from', 'x', 'n3',
    ],
  },
  { args: ['network', 'create', '--ipv4=false', '-d', 'macvlan', '--subnet', 'fd00::/64', 'n6'] },
  { args: ['network', 'create', 'ref-net'] },
  { args: ['network', 'create', 'host'] },
  { args: ['network', 'create', '--subnet', '10.60.0.0/24', '--gateway', '10.61.0.1', 'x'] },
  { args: ['network', 'create', '--gateway', '10.60.0.1', 'x'] },
  { args: ['network', 'create', '--subnet', '10.60.0.0/24', '--ip-range', '10.62.0.0/24', 'x'] },
  { args: ['network', 'create', '--subnet', '10.60.0.0/24', '--aux-address', 'a=10.63.0.5', 'x'] },
  { args: ['network', 'create', '--subnet', '10.60.0.0/24', '--subnet', '10.60.0.0/16', 'x'] },
  { args: ['network', 'create', '--subnet', 'foo', '--subnet', '10.0.0.0/8', 'x'] },
  { args: ['network', 'create', '--label', '', 'x'] },
  { args: ['network', 'create'] },
  { args: ['network', 'create', '--bogus', 'x'] },
  { args: ['network', 'create', '-o'] },
  { args: ['network', 'create', '--ipv6=maybe', 'x'] },
  { args: ['network', 'rm', 'ref-net', 'nosuch', 'ref-net2'] },
  { args: ['network', 'rm', 'bridge'] },
  { args: ['network', 'rm', '-f', 'nosuch'] },
  { args: ['network', 'remove', 'ref-net'] },
  { args: ['network', 'prune', '-f', '--filter', 'label=p=1'] },
  { args: ['network', 'prune', '-f', '--filter', 'label=none=1'] },
  { args: ['network', 'prune', '--filter', 'label=p=1'], stdin: 'n\n' },
  { args: ['network', 'prune', '--filter', 'label=p=1'], stdin: 'y\n' },
  { args: ['network', 'connect', '--alias', 'ca', '--alias', 'cb', '--ip', '10.1.1.50', 'ref-net2', 'ref-cd-box'] },
  { args: ['network', 'connect', '--link', 'a:b', '--driver-opt', 'k=v', '--link-local-ip', '169.254.0.9', 'ref-net2', 'ref-cd-box'] },
  { args: ['network', 'connect', 'ref-net2', 'nosuch'] },
  { args: ['network', 'connect', 'ref-net2'] },
  { args: ['network', 'disconnect', 'ref-net2', 'ref-cd-box'] },
  { args: ['network', 'disconnect', '-f', 'ref-net2', 'ref-cd-box'] },
  { args: ['network'] },
  { args: ['network', 'foo'] },
  { args: ['network', '--help'] },
  ...['ls', 'create', 'inspect', 'rm', 'prune', 'connect', 'disconnect'].map((c) => ({ args: ['network', c, '--help'] })),
  { args: ['network', 'ls', '-h'] },
  { args: ['info'] },
  { args: ['version'] },
  { args: ['info', '--format', '{{.Name}} {{json .Plugins.Network}}'] },
  { args: ['version', '--format', '{{.Server.Version}} {{.Client.Context}}'] },
  { args: ['version', 'x'] },
  { args: ['nosuchcommand'] },
  ...CONTAINER_CASES(),
];

function CONTAINER_CASES(): Array<{ args: string[]; stdin?: string; sorted?: boolean }> {
  const traceRun = ['-p', '8080:80', '--network', 'ref-net', '--network-alias', 'a', '--hostname', 'h', '--dns', '1.1.1.1'];
  return [
    // run: the create body must be docker's, byte for byte (03-run.log), and the flow's requests too
    { args: ['run', '-d', '--name', 'trace-x', 'busybox:latest', 'sleep', '300'] },
    { args: ['run', '-d', ...traceRun, '--add-host', 'foo:1.2.3.4', '--name', 'trace-web', 'busybox:latest', 'httpd', '-f', '-p', '80', '-h', '/www'] },
    { args: ['run', '--rm', '--name', 'trace-rm1', 'busybox:latest', 'echo', 'hi'] },
    { args: ['run', '--rm', '-t', 'busybox:latest', 'echo', 'hi'] },
    { args: ['run', '-i', '--rm', 'busybox:latest', 'cat'], stdin: 'hello-stdin\n' },
    { args: ['run', '--name', 'trace-rm4', 'busybox:latest', 'sh', '-c', 'echo out; echo err >&2; exit 3'] },
    {
      args: [
        'run', '-d', '-p', '127.0.0.1:8000-8002:80-82/udp', '-p', '[::1]:90:90', '-P', '--expose', '70-72', '-e', 'A=1',
        '-l', 'x=y', '--entrypoint', 'sh', '-w', '/tmp', '-u', '1:2', '--runtime', 'runc', '--dns-search', 'example.com',
        '--dns-option', 'ndots:2', '--domainname', 'd', '--link', 'a:b', '--ip', '1.2.3.4', 'busybox', '-c', 'true',
      ],
    },
    { args: ['run', '-d', '--network', 'name=ref-net,alias=x,ip=10.0.0.9', '--network', 'ref-net2', '--dns', '127.0.0.1', 'busybox'] },
    { args: ['run', '-p', '99999:80', 'busybox'] },
    { args: ['run', '-p', '80/sctpx', 'busybox'] },
    { args: ['run', '-p', '80-82:8087-8088', 'busybox'] },
    { args: ['run', '-p', '300.1.1.1:80:80', 'busybox'] },
    { args: ['run', '--expose', '1:2', 'busybox'] },
    { args: ['run', 'busybox', 'nosuchcmd'] },
    { args: ['run', '-d', '--network', 'nosuchnet', 'busybox'] },
    { args: ['run', '--network-alias', 'x', 'busybox'] },
    { args: ['run', '--mac-address', 'zz', 'busybox'] },
    { args: ['run', '-it', 'busybox'] },
    { args: ['run', '-d', '-a', 'stdout', 'busybox'] },
    { args: ['run', '--rm', '--restart', 'always', 'busybox'] },
    { args: ['run', '--network', 'host', '--network', 'ref-net', 'busybox'] },
    { args: ['run', '-e', '=x', 'busybox'] },
    { args: ['run'] },
    { args: ['create', '--name', 'web', 'busybox'] },
    { args: ['create', '--name', 'c1', '-p', '8080:80', '--network', 'host', 'busybox'] },
    // ps
    { args: ['ps'] },
    { args: ['ps', '-a', '--format', 'json'] },
    { args: ['ps', '-a', '--format', '{{json .}}'] },
    { args: ['ps', '-a', '--format', 'table {{.Names}}\t{{.Size}}\t{{.Label "a"}}\t{{.Ports}}'] },
    { args: ['ps', '-a', '--format', '{{.CreatedAt}}|{{.Networks}}|{{.LocalVolumes}}|{{.State}}|{{.Labels}}'] },
    { args: ['ps', '-q', '--no-trunc'] },
    { args: ['ps', '-a', '--no-trunc', '-s'] },
    { args: ['ps', '-f', 'name=web', '-f', 'label=a=b'] },
    { args: ['ps', '-q', '--format', '{{.Names}}'] },
    { args: ['ps', '--format', '{{.Foo}}'] },
    { args: ['container', 'ls', '-a', '-n', '1'] },
    // inspect, port, logs
    { args: ['inspect', 'web'] },
    { args: ['inspect', '-f', '{{.State.Status}} {{.NetworkSettings.IPAddress}} {{json .Config.Labels}}', 'web', 'done'] },
    { args: ['inspect', 'nosuch'] },
    { args: ['inspect', 'busybox', 'bridge'] },
    { args: ['inspect', '--type', 'bogus', 'web'] },
    { args: ['container', 'inspect', '-f', '{{.Name}}', 'web', 'nosuch'] },
    { args: ['port', 'web'] },
    { args: ['port', 'web', '80/tcp'] },
    { args: ['port', 'web', '81'] },
    { args: ['port', 'web', 'abc'] },
    { args: ['logs', 'logger'] },
    { args: ['logs', '-t', '--tail', '1', 'logger'] },
    { args: ['logs', 'nosuch'] },
    // lifecycle
    { args: ['stop', '-t', '1', 'web', 'done', 'nosuch'], sorted: true },
    { args: ['stop', '-s', 'HUP', 'web'] },
    { args: ['start', 'done', 'nosuch'] },
    { args: ['start', '-a', 'done'] },
    { args: ['restart', '-t', '1', 'web'] },
    { args: ['kill', '-s', 'HUP', 'web', 'done'], sorted: true },
    { args: ['wait', 'done', 'nosuch'] },
    { args: ['rm', 'web', 'done', 'nosuch'], sorted: true },
    { args: ['rm', '-f', 'web', 'nosuch'], sorted: true },
    { args: ['rename', 'web', 'done'] },
    { args: ['rename', 'web', 'web2'] },
    { args: ['container', 'prune', '-f'] },
    { args: ['container', 'prune'], stdin: 'n\n' },
    // exec
    { args: ['exec', 'web', 'sh', '-c', 'echo o; echo e >&2; exit 7'] },
    { args: ['exec', '-i', 'web', 'cat'], stdin: 'piped\n' },
    { args: ['exec', '-d', 'web', 'sleep', '1'] },
    { args: ['exec', '-t', '-e', 'A=1', '-w', '/tmp', '-u', '0', 'web', 'echo', 'hi'] },
    { args: ['exec', 'done', 'echo', 'hi'] },
    // images
    { args: ['images'] },
    { args: ['images', '-q', '--no-trunc'] },
    { args: ['images', '--format', 'json'] },
    { args: ['image', 'ls', 'busybox'] },
    { args: ['rmi', 'busybox', 'nosuch'] },
    { args: ['rmi', '-f', 'nosuch'] },
    { args: ['load', '-i', TARBALL] },
    { args: ['load'], stdin: 'tarball' },
    { args: ['import', TARBALL, 'myimg:v1'] },
    { args: ['import', '-c', 'ENV A=1', '-m', 'msg', '-', 'x'], stdin: 'abc' },
    // help texts
    ...['stop', 'rm', 'exec', 'logs', 'port', 'wait', 'kill', 'start', 'load', 'rmi'].map((c) => ({ args: [c, '--help'] })),
    { args: ['container', 'prune', '--help'] },
  ];
}

for (const c of CASES) {
  test(`docker parity: ${c.args.join(' ')}`, { skip: DOCKER ? false : 'no docker CLI installed' }, async () => {
    const docker = await run([DOCKER as string], c.args, c.stdin);
    const tether = await run([process.execPath, TETHER], c.args, c.stdin);
    // Both ran against their own engine; hosts differ only in the temp path.
    const norm = (r: Result): Result => ({ ...r, stdout: r.stdout.replace(/unix:\/\/\S+\.sock/g, '<host>'), stderr: r.stderr.replace(/unix:\/\/\S+\.sock/g, '<host>') });
    const d = norm(rename(docker, '\0'));
    const t = norm(tether);
    if (c.args.length === 1 && (c.args[0] === 'info' || c.args[0] === 'version')) {
      // The Client section describes each CLI itself; only the Server part must match.
      d.stdout = d.stdout.slice(d.stdout.indexOf('Server:'));
      // docker lists runtimes in Go's random map order; tether sorts them.
      d.stdout = d.stdout.replace(/^ Runtimes: (.*)$/m, (_m, names: string) => ` Runtimes: ${names.split(' ').sort().join(' ')}`);
      t.stdout = t.stdout.slice(t.stdout.indexOf('Server:'));
    }
    assert.equal(t.stdout, d.stdout, 'stdout');
    assert.equal(t.stderr, d.stderr, 'stderr');
    assert.equal(t.code, d.code, 'exit code');
    if (c.sorted) {
      d.requests.sort();
      t.requests.sort();
    }
    assert.deepEqual(t.requests, d.requests, 'requests');
  });
}
