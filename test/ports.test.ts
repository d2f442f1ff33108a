// Issues 5 and 12 through a real tetherd: published ports from a neighbour, from the host and
// from another container; refusal after stop; isolation between networks; internal networks;
// self-healing after `nft flush ruleset`; Docker 28's exposure rules.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { httpInContainer, inContainer, preloadBusybox, runDetached } from './helpers/containers.js';
import { addNeighbour, type Neighbour } from './helpers/neighbour.js';

const HTTPD = ['httpd', '-f', '-p', '80', '-h', '/etc'];

describe('published ports and isolation', () => {
  let host: TestHost;
  let nb: Neighbour;
  let d: TestDaemon;

  before(async () => {
    host = createTestHost('pt');
    nb = addNeighbour(host);
    await preloadBusybox(host);
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    nb?.dispose();
    host?.dispose();
  });

  const curlFrom = (run: (argv: string[]) => { code: number; stdout: string }, url: string): string | undefined => {
    const r = run(['curl', '-s', '--max-time', '2', url]);
    return r.code === 0 ? r.stdout : undefined;
  };

  it('-p 8080:80 answers the neighbour, the host and another container; refuses after stop', async () => {
    const web = await runDetached(d, 'web', { HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } } }, HTTPD);
    assert.deepEqual(web.NetworkSettings.Ports['80/tcp'], [{ HostIp: '0.0.0.0', HostPort: '8080' }]);
    const hostname = `${web.Id.slice(0, 12)}\n`;
    assert.equal(curlFrom((a) => nb.try(a), 'http://198.18.0.1:8080/hostname'), hostname, 'from the neighbour');
    assert.equal(curlFrom((a) => host.try(a), 'http://127.0.0.1:8080/hostname'), hostname, 'from the host via 127.0.0.1');
    assert.equal(curlFrom((a) => host.try(a), 'http://198.18.0.1:8080/hostname'), hostname, "from the host via its own address");
    const peer = await runDetached(d, 'peer');
    assert.equal(httpInContainer(host, peer.State.Pid, '198.18.0.1', 8080, '/hostname'), hostname, 'from another container through the host address');
    assert.equal(httpInContainer(host, web.State.Pid, '198.18.0.1', 8080, '/hostname'), hostname, 'hairpin: the container through its own published port');

    const taken = await d.api('POST', '/v1.43/containers/create?name=web2', { Image: 'busybox:latest', Cmd: HTTPD, HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } } });
    assert.equal(taken.status, 201);
    const start2 = await d.api('POST', '/v1.43/containers/web2/start');
    assert.equal(start2.status, 409);
    assert.match(start2.json.message, /^driver failed programming external connectivity on endpoint web2 \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:8080 failed: port is already allocated$/);

    assert.equal((await d.api('POST', '/v1.43/containers/web/stop?t=1')).status, 204);
    assert.equal(curlFrom((a) => nb.try(a), 'http://198.18.0.1:8080/hostname'), undefined, 'refused after stop');
    assert.equal(curlFrom((a) => host.try(a), 'http://127.0.0.1:8080/hostname'), undefined, 'refused on loopback after stop');
    for (const n of ['web', 'web2', 'peer']) await d.api('DELETE', `/v1.43/containers/${n}?force=1`);
  });

  it('a flushed ruleset comes back within 2 s without a restart', async () => {
    const web = await runDetached(d, 'heal', { HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8090' }] } } }, HTTPD);
    const url = 'http://198.18.0.1:8090/hostname';
    assert.ok(curlFrom((a) => nb.try(a), url));
    host.sh(['nft', 'flush', 'ruleset']);
    const t0 = Date.now();
    let answer: string | undefined;
    while (Date.now() - t0 < 2000 && answer === undefined) {
      const r = nb.try(['curl', '-s', '--max-time', '0.3', url]);
      if (r.code === 0) answer = r.stdout;
    }
    assert.equal(answer, `${web.Id.slice(0, 12)}\n`, 'the port answers again');
    await d.waitForLog(/our table was removed; recreating it/, 1000); // it was really gone, and we said so
    assert.ok(Date.now() - t0 < 2500);
    await d.api('DELETE', '/v1.43/containers/heal?force=1');
  });

  it('a neighbour routed to the bridge reaches published ports only, never 127.0.0.1 ones', async () => {
    // As Docker's ACCEPT per published port: the container port is open to routing too, the
    // unpublished one and the one published on 127.0.0.1 only are not.
    const web = await runDetached(
      d,
      'exposed',
      { HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8100' }], '8081/tcp': [{ HostIp: '127.0.0.1', HostPort: '8101' }] } } },
      ['sh', '-c', 'httpd -p 80 -h /etc; httpd -p 8081 -h /etc; httpd -f -p 9000 -h /etc'],
    );
    const ip = web.NetworkSettings.IPAddress as string;
    nb.try(['ip', 'route', 'add', '172.17.0.0/16', 'via', '198.18.0.1']);
    assert.ok(curlFrom((a) => nb.try(a), 'http://198.18.0.1:8100/hostname'), 'published port answers');
    assert.equal(curlFrom((a) => nb.try(a), `http://${ip}:9000/hostname`), undefined, 'unpublished port refused');
    assert.ok(curlFrom((a) => nb.try(a), `http://${ip}:80/hostname`), 'published container port by direct routing');
    assert.equal(curlFrom((a) => nb.try(a), `http://${ip}:8081/hostname`), undefined, 'container port published on 127.0.0.1 refused by routing');
    assert.equal(curlFrom((a) => nb.try(a), 'http://198.18.0.1:8101/hostname'), undefined, '127.0.0.1 publish refused from outside');
    assert.ok(curlFrom((a) => host.try(a), 'http://127.0.0.1:8101/hostname'), '127.0.0.1 publish works from the host');
    nb.try(['ip', 'route', 'del', '172.17.0.0/16']);
    await d.api('DELETE', '/v1.43/containers/exposed?force=1');
  });

  it('user networks are isolated from each other; internal networks have no way out', async () => {
    for (const [Name, extra] of [['isoa', {}], ['isob', {}], ['inner', { Internal: true }]] as const) {
      assert.equal((await d.api('POST', '/v1.43/networks/create', { Name, ...extra })).status, 201);
    }
    const a = await runDetached(d, 'ca', { HostConfig: { NetworkMode: 'isoa' } });
    const b = await runDetached(d, 'cb', { HostConfig: { NetworkMode: 'isob' } });
    const i1 = await runDetached(d, 'ci1', { HostConfig: { NetworkMode: 'inner' } });
    const i2 = await runDetached(d, 'ci2', { HostConfig: { NetworkMode: 'inner' } });
    const ipOf = (c: any, net: string): string => c.NetworkSettings.Networks[net].IPAddress;
    assert.notEqual(inContainer(host, a.State.Pid, ['ping', '-c1', '-W1', ipOf(b, 'isob')]).code, 0, 'isoa cannot reach isob');
    assert.equal(inContainer(host, i1.State.Pid, ['ping', '-c1', '-W1', ipOf(i2, 'inner')]).code, 0, 'inside the internal network');
    assert.notEqual(inContainer(host, i1.State.Pid, ['ping', '-c1', '-W1', '198.18.0.2']).code, 0, 'no way out of an internal network');
    assert.equal(inContainer(host, a.State.Pid, ['ping', '-c1', '-W1', '198.18.0.2']).code, 0, 'a normal network reaches the neighbour (masquerade)');
    assert.doesNotMatch(inContainer(host, i1.State.Pid, ['ip', 'route']).stdout, /default/, 'no default route on an internal-only container');
    for (const n of ['ca', 'cb', 'ci1', 'ci2']) await d.api('DELETE', `/v1.43/containers/${n}?force=1`);
    for (const n of ['isoa', 'isob', 'inner']) assert.equal((await d.api('DELETE', `/v1.43/networks/${n}`)).status, 204);
  });
});
