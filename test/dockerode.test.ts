// Issue 23: dockerode (the Node SDK) drives tetherd unchanged: network and container lifecycle,
// exec, attach and logs streams, and the events of all of it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';
import { preloadBusybox } from './helpers/containers.js';

/** Everything a demultiplexed stream carries, split into stdout and stderr text. */
function demux(docker: Docker, stream: Readable): { out: () => string; err: () => string; ended: Promise<void> } {
  let out = '';
  let err = '';
  const o = new PassThrough().on('data', (b: Buffer) => (out += b.toString()));
  const e = new PassThrough().on('data', (b: Buffer) => (err += b.toString()));
  docker.modem.demuxStream(stream, o, e);
  const ended = new Promise<void>((r) => stream.once('end', () => r()).once('close', () => r()));
  return { out: () => out, err: () => err, ended };
}

describe('dockerode against tetherd', () => {
  let host: TestHost;
  let d: TestDaemon;
  let docker: Docker;

  before(async () => {
    host = createTestHost('do');
    await preloadBusybox(host);
    d = await startDaemon(host);
    docker = new Docker({ socketPath: d.socket });
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  it('network and container lifecycle, exec, attach, logs, and their events', async () => {
    const events: Array<{ Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } }> = [];
    const eventStream = (await docker.getEvents({ filters: { type: ['container', 'network'] } })) as unknown as Readable;
    let buffered = '';
    eventStream.on('data', (b: Buffer) => {
      buffered += b.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        events.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
      }
    });
    try {
      const net = await docker.createNetwork({ Name: 'dnet', IPAM: { Config: [{ Subnet: '10.55.0.0/24' }] } });
      assert.equal((await net.inspect()).IPAM?.Config?.[0]?.Subnet, '10.55.0.0/24');

      const box = await docker.createContainer({ name: 'dbox', Image: 'busybox:latest', Cmd: ['sh', '-c', 'echo hello; echo oops >&2; sleep 1000'], HostConfig: { NetworkMode: 'dnet' } });
      await box.start();
      const info = await box.inspect();
      assert.equal(info.State.Running, true);
      assert.match(info.NetworkSettings.Networks['dnet']!.IPAddress, /^10\.55\.0\.\d+$/);

      // logs, demultiplexed by the SDK
      let logs = { out: '', err: '' };
      for (const until = Date.now() + 5000; !logs.out.includes('hello') && Date.now() < until; ) {
        const s = (await box.logs({ stdout: true, stderr: true, follow: true })) as unknown as Readable;
        const got = demux(docker, s);
        await waitFor(() => 'no log lines', () => got.out().includes('hello') && got.err().includes('oops'), 3000).catch(() => undefined);
        logs = { out: got.out(), err: got.err() };
        s.destroy();
      }
      assert.equal(logs.out, 'hello\n');
      assert.equal(logs.err, 'oops\n');

      // exec: output streams and the exit code
      const ex = await box.exec({ Cmd: ['sh', '-c', 'echo out; echo err >&2; ping -c 1 -W 2 dbox >/dev/null; exit 4'], AttachStdout: true, AttachStderr: true });
      const run = demux(docker, (await ex.start({})) as unknown as Readable);
      await run.ended;
      assert.equal(run.out(), 'out\n');
      assert.equal(run.err(), 'err\n');
      assert.equal((await ex.inspect()).ExitCode, 4);

      // attach: stdin in, output back
      const echo = await docker.createContainer({ name: 'decho', Image: 'busybox:latest', Cmd: ['sh', '-c', 'read x; echo "got $x"'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, HostConfig: { NetworkMode: 'dnet' } });
      const attached = (await echo.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as NodeJS.ReadWriteStream & Readable;
      const io = demux(docker, attached);
      await echo.start();
      attached.write('abc\n');
      await waitFor(() => `attach output: ${JSON.stringify(io.out())}`, () => io.out() === 'got abc\n', 10_000);
      assert.equal((await echo.wait()).StatusCode, 0);

      // connect / disconnect a second network live
      const other = await docker.createNetwork({ Name: 'dnet2' });
      await other.connect({ Container: 'dbox', EndpointConfig: { Aliases: ['second'] } });
      assert.ok((await box.inspect()).NetworkSettings.Networks['dnet2']!.Aliases?.includes('second'));
      await other.disconnect({ Container: 'dbox' });
      assert.equal((await box.inspect()).NetworkSettings.Networks['dnet2'], undefined);

      await box.stop({ t: 1 });
      await box.remove();
      await echo.remove();
      await other.remove();
      await net.remove();

      const seen = (type: string, action: string, id: string): boolean => events.some((e) => e.Type === type && e.Action === action && e.Actor.ID === id);
      await waitFor(() => `events: ${events.map((e) => `${e.Type}/${e.Action}`).join(' ')}`, () => seen('network', 'destroy', net.id));
      for (const action of ['create', 'start', 'die', 'stop', 'destroy']) assert.ok(seen('container', action, box.id), `container ${action}`);
      for (const action of ['create', 'connect', 'disconnect', 'destroy']) assert.ok(seen('network', action, other.id), `network ${action}`);
      assert.equal(events.find((e) => e.Type === 'container' && e.Action === 'die' && e.Actor.ID === echo.id)?.Actor.Attributes['exitCode'], '0');
    } finally {
      eventStream.destroy();
    }
  });
});
