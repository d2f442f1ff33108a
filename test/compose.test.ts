// Issue 23: docker-compose (Debian's 1.29.2, built on docker-py) drives tetherd unchanged. One
// project (test/fixtures/compose) with two networks, one internal with a static address, aliases,
// links, depends_on, ports (one on 127.0.0.1), extra_hosts and dns_search, through a whole cycle
// — up, ps, exec, run --rm, restart, scale, force-recreate, down, up — three times in a row.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { preloadBusybox } from './helpers/containers.js';
import { addNeighbour, type Neighbour } from './helpers/neighbour.js';

const COMPOSE = '/usr/bin/docker-compose';
const FILE = resolve(import.meta.dirname, '../../test/fixtures/compose/docker-compose.yml');

describe('docker-compose against tetherd', { skip: existsSync(COMPOSE) ? false : 'docker-compose is not installed (scripts/setup.sh installs it)' }, () => {
  let host: TestHost;
  let d: TestDaemon;
  let nb: Neighbour;
  const project = `cp${process.pid}`;

  const compose = (...args: string[]) => {
    const r = spawnSync(COMPOSE, ['-p', project, '-f', FILE, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: host.dir, DOCKER_HOST: `unix://${d.socket}`, COMPOSE_INTERACTIVE_NO_CLI: '1' },
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const ok = (...args: string[]): string => {
    const r = compose(...args);
    assert.equal(r.code, 0, `docker-compose ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const inService = (service: string, argv: string[]) => compose('exec', '-T', service, ...argv);
  const running = async (): Promise<Array<{ Id: string; Names: string[] }>> =>
    (await d.api('GET', `/v1.41/containers/json?filters=${encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }))}`)).json;
  const networks = async (): Promise<string[]> =>
    ((await d.api('GET', '/v1.41/networks')).json as Array<{ Name: string }>).map((n) => n.Name).filter((n) => n.startsWith(`${project}_`)).sort();

  before(async () => {
    host = createTestHost('cp');
    await preloadBusybox(host);
    d = await startDaemon(host);
    nb = addNeighbour(host);
  });

  after(async () => {
    if (d) compose('down', '--remove-orphans', '-t', '1');
    nb?.dispose();
    await d?.stop();
    host?.dispose();
  });

  for (const round of [1, 2, 3]) {
    it(`full cycle, round ${round}: up, ps, exec, run --rm, restart, scale, force-recreate, down`, async () => {
      ok('up', '-d');
      const ps = ok('ps');
      for (const s of ['db', 'web', 'worker']) assert.match(ps, new RegExp(`${project}_${s}_1 .* Up`), ps);
      assert.deepEqual(await networks(), [`${project}_back`, `${project}_front`]);

      // Names: service, alias and link resolve; the static address is the one asked for.
      for (const name of ['db', 'database', 'dblink']) assert.equal(inService('web', ['ping', '-c', '1', '-W', '2', name]).code, 0, `web resolves ${name}`);
      assert.match(inService('web', ['ping', '-c', '1', '-W', '2', 'database']).stdout, /10\.77\.0\.10/);
      assert.match(inService('web', ['cat', '/etc/hosts']).stdout, /^10\.1\.2\.3\tgw\.test$/m, 'extra_hosts');
      assert.match(inService('web', ['cat', '/etc/resolv.conf']).stdout, /^search corp\.test$/m, 'dns_search');
      // The internal network reaches nothing outside: not the neighbour, not the front network.
      assert.equal(inService('worker', ['ping', '-c', '1', '-W', '1', nb.ip]).code !== 0, true, 'internal → outside refused');
      assert.equal(inService('web', ['ping', '-c', '1', '-W', '1', nb.ip]).code, 0, 'web (front) reaches the neighbour');

      // Ports: the published one answers the neighbour; the 127.0.0.1 one only the host.
      const webHostname = inService('web', ['hostname']).stdout.trim();
      assert.equal(nb.try(['curl', '-sf', '-m', '3', `http://${nb.hostIp}:18080/hostname`]).stdout.trim(), webHostname);
      assert.equal(host.try(['curl', '-sf', '-m', '3', 'http://127.0.0.1:18081/hostname']).stdout.trim(), webHostname);
      assert.notEqual(nb.try(['curl', '-sf', '-m', '2', `http://${nb.hostIp}:18081/hostname`]).code, 0, '127.0.0.1 port unreachable from the neighbour');

      // run --rm passes the exit code through and leaves no container.
      const before = (await running()).length;
      assert.equal(compose('run', '--rm', '-T', 'worker', 'sh', '-c', 'ping -c 1 -W 2 db >/dev/null && exit 3').code, 3);
      assert.equal((await running()).length, before);

      ok('restart', '-t', '1');
      assert.equal(inService('web', ['ping', '-c', '1', '-W', '2', 'db']).code, 0, 'names after restart');

      ok('up', '-d', '--scale', 'worker=2');
      const workers = (await running()).filter((c) => c.Names.some((n) => n.includes(`${project}_worker_`)));
      assert.equal(workers.length, 2);

      const ids = new Set((await running()).map((c) => c.Id));
      ok('up', '-d', '--force-recreate', '--scale', 'worker=2', '-t', '1');
      const after = await running();
      assert.equal(after.length, ids.size);
      assert.ok(after.every((c) => !ids.has(c.Id)), 'every container recreated');
      assert.equal(inService('web', ['ping', '-c', '1', '-W', '2', 'database']).code, 0, 'names after recreate');

      ok('down', '-t', '1');
      assert.deepEqual(await running(), []);
      assert.deepEqual(await networks(), [], 'networks gone');
    });
  }

  it('up again after down', async () => {
    ok('up', '-d');
    assert.equal(inService('web', ['ping', '-c', '1', '-W', '2', 'db']).code, 0);
    ok('down', '-t', '1');
    assert.deepEqual(await networks(), []);
  });
});
