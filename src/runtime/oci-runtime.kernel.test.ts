// Root-only: real containers (busybox image built by scripts/build-busybox-image.sh) under conmon
// with crun and with runc, each in a fresh netns inside a throwaway test host. Asserts the
// container's view (only lo), state, exec, stop with the exit code, logs, and that delete and
// 20 create/start/delete cycles leave no mount, no process and no directory behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createTestHost, mountsUnder, type TestHost } from '../../test/helpers/testhost.js';
import { LinuxKernel, type NetnsHandle } from '../kernel/kernel.js';
import { containerEnv } from './bundle.js';
import { ImageStore } from './images.js';
import { OciRuntime, type ContainerSpec } from './oci-runtime.js';
import { detectRuntime, type RuntimeName } from './runtime-binary.js';

const PROJECT = process.cwd();
const CGROUP_PARENT = `tether-test-${process.pid}`;

let host: TestHost;
let kernel: LinuxKernel;
let images: ImageStore;
let layerDirs: string[];

before(async () => {
  host = createTestHost('rt');
  kernel = new LinuxKernel();
  const tar = join(host.dir, 'busybox.tar');
  execFileSync(join(PROJECT, 'scripts', 'build-busybox-image.sh'), [tar]);
  images = await ImageStore.open({ root: join(host.dir, 'images') });
  await images.load(tar);
  layerDirs = images.layerDirs(images.resolve('busybox'));
});

after(() => {
  kernel?.close();
  host?.dispose();
  removeTestCgroups();
});

/** Processes whose command line mentions dir: conmon (-b <dir>/…) and anything left of ours. */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) pids.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function removeTestCgroups(): void {
  for (const ctrl of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', ctrl, CGROUP_PARENT);
    if (existsSync(dir)) rmdirSync(dir);
  }
}

async function drain(gen: AsyncGenerator<{ stream: string; data: Buffer }>): Promise<{ stream: string; text: string }[]> {
  const out: { stream: string; text: string }[] = [];
  for await (const e of gen) out.push({ stream: e.stream, text: e.data.toString() });
  return out;
}

for (const runtimeName of ['crun', 'runc'] as RuntimeName[]) {
  describe(`containers with ${runtimeName}`, () => {
    let runtime: OciRuntime;
    let root: string;
    let seq = 0;
    const namespaces = new Map<string, NetnsHandle>();

    before(async () => {
      root = join(host.dir, runtimeName);
      runtime = new OciRuntime({
        kernel,
        runtimes: [await detectRuntime(runtimeName)],
        containersRoot: join(root, 'containers'),
        stateRoot: join(root, 'state'),
        cgroupParent: CGROUP_PARENT,
      });
    });

    /** A spec with its own fresh netns and etc files, as the engine would prepare them. */
    async function spec(args: string[], hostname = 'tether-box'): Promise<ContainerSpec> {
      seq += 1;
      const id = `${runtimeName}${process.pid}c${seq}`;
      const netns = await kernel.netnsCreate();
      namespaces.set(id, netns);
      const etc = join(root, 'etc', id);
      mkdirSync(etc, { recursive: true });
      writeFileSync(join(etc, 'hosts'), '127.0.0.1\tlocalhost\n');
      writeFileSync(join(etc, 'resolv.conf'), 'nameserver 127.0.0.11\n');
      writeFileSync(join(etc, 'hostname'), `${hostname}\n`);
      return {
        id,
        name: id,
        layerDirs,
        hostname,
        network: { kind: 'netns', path: netns.path },
        etcFiles: { hosts: join(etc, 'hosts'), resolvConf: join(etc, 'resolv.conf'), hostname: join(etc, 'hostname') },
        process: { args, env: containerEnv(hostname, [], []), cwd: '/', terminal: false, uid: 0, gid: 0 },
      };
    }

    async function cleanup(s: ContainerSpec): Promise<void> {
      await runtime.delete(s.id);
      namespaces.get(s.id)?.close();
    }

    it('runs `ip addr` in a fresh netns: only lo, output in the log', async () => {
      const s = await spec(['ip', 'addr']);
      try {
        await runtime.create(s);
        await runtime.start(s.id);
        assert.equal(await runtime.wait(s.id), 0);
        const out = (await drain(runtime.logs(s.id))).map((e) => e.text).join('');
        const ifaces = [...out.matchAll(/^\d+: ([^:@]+)[:@]/gm)].map((m) => m[1]);
        assert.deepEqual(ifaces, ['lo'], out);
      } finally {
        await cleanup(s);
      }
    });

    it('keeps stdout and stderr apart in the log, with tail and follow', async () => {
      const s = await spec(['sh', '-c', 'echo out1; echo err1 >&2; sleep 0.3; echo out2']);
      try {
        await runtime.create(s);
        await runtime.start(s.id);
        const followed = await drain(runtime.logs(s.id, { follow: true }));
        assert.deepEqual(followed, [
          { stream: 'stdout', text: 'out1\n' },
          { stream: 'stderr', text: 'err1\n' },
          { stream: 'stdout', text: 'out2\n' },
        ]);
        assert.deepEqual(await drain(runtime.logs(s.id, { tail: 1 })), [{ stream: 'stdout', text: 'out2\n' }]);
      } finally {
        await cleanup(s);
      }
    });

    it('runs detached, execs, stops with the exit code and deletes without leftovers', async () => {
      const s = await spec(['sleep', '1000'], 'exec-host');
      const dir = runtime.paths(s.id).dir;
      try {
        const t0 = performance.now();
        await runtime.create(s);
        await runtime.start(s.id);
        const ms = performance.now() - t0;
        console.log(`# ${runtimeName}: create → running in ${ms.toFixed(1)} ms`);
        const st = await runtime.state(s.id);
        assert.equal(st.status, 'running');
        assert.ok(st.pid > 0 && existsSync(`/proc/${st.pid}`), `pid ${st.pid}`);
        // The overlay is the container's root, yet the host's mount table never holds it.
        assert.match(readFileSync(`/proc/${st.pid}/mounts`, 'utf8'), /^overlay \/ overlay /m);
        assert.deepEqual(mountsUnder(dir), []);

        // exec runs under a conmon of its own: pipes without a terminal, the relay with one.
        const read = (r: Readable | null): Promise<string> =>
          new Promise((resolve) => {
            let text = '';
            if (!r) return resolve(text);
            r.setEncoding('utf8').on('data', (d: string) => (text += d));
            r.on('end', () => resolve(text));
          });
        const plain = await runtime.exec(s.id, { execId: 'a'.repeat(64), args: ['sh', '-c', 'hostname; read x; echo "got $x" >&2; exit 3'], stdin: true });
        plain.stdin?.end('piped\n');
        const [out, err] = await Promise.all([read(plain.stdout), read(plain.stderr)]);
        assert.ok((await plain.started) > 0);
        assert.deepEqual([out, err, (await plain.exited).code], ['exec-host\n', 'got piped\n', 3]);

        const tty = await runtime.exec(s.id, {
          execId: 'b'.repeat(64), args: ['sh', '-c', 'tty; stty size; read x; echo "got $x"; exit 4'], stdin: true, tty: true, consoleSize: { rows: 33, cols: 99 },
        });
        // Typed once the size is out: the terminal echoes input at once.
        let shown = '';
        tty.stdout?.on('data', (d: Buffer) => {
          const had = shown.includes('33 99');
          shown += d.toString();
          if (!had && shown.includes('33 99')) tty.stdin?.write('typed\n'); // chunks may split the size
        });
        assert.deepEqual([await read(tty.stdout), (await tty.exited).code], ['/dev/pts/0\r\n33 99\r\ntyped\r\ngot typed\r\n', 4]);

        for (const t of [false, true]) {
          const missing = await runtime.exec(s.id, { execId: 'c'.repeat(64), args: ['nosuchcommand'], tty: t });
          if (!t) missing.stdout?.resume();
          const text = await read(t ? missing.stdout : missing.stderr);
          const exit = await missing.exited;
          assert.equal(await missing.started, 0);
          // crun with a terminal loses its reason (exec-session.ts): "cannot run" is all we know.
          assert.equal(exit.code, t && runtimeName === 'crun' ? 126 : 127, `tty ${t}: ${text} ${exit.error}`);
          assert.match(t ? (exit.error ?? '') : text, /nosuchcommand/);
        }
        assert.deepEqual(readdirSync(join(dir, 'exec')), [], 'session directories go with their exec');

        // sleep is pid 1 and ignores SIGTERM: stop must fall back to SIGKILL (137).
        assert.equal(await runtime.stop(s.id, 1), 137);
        const stopped = await runtime.state(s.id);
        assert.equal(stopped.status, 'stopped');
        assert.equal(stopped.exitCode, 137);

        await runtime.delete(s.id);
        assert.deepEqual(mountsUnder(dir), []);
        assert.deepEqual(processesUnder(dir), []);
        assert.equal(existsSync(dir), false);
        assert.equal(existsSync(`/proc/${st.pid}`), false);
        await runtime.delete(s.id); // idempotent
      } finally {
        await cleanup(s);
      }
    });

    it('recover() tells running containers from exited ones', async () => {
      const live = await spec(['sleep', '1000']);
      const done = await spec(['sh', '-c', 'exit 3']);
      try {
        await runtime.create(live);
        await runtime.start(live.id);
        await runtime.create(done);
        await runtime.start(done.id);
        await runtime.wait(done.id);
        const found = await runtime.recover();
        assert.ok((found.running.get(live.id) ?? 0) > 0);
        assert.equal(found.exited.get(done.id), 3);
      } finally {
        await cleanup(live);
        await cleanup(done);
      }
    });
  });
}

describe('create/start/delete loop', () => {
  it('20 cycles leave zero mounts and zero processes', async () => {
    const root = join(host.dir, 'loop');
    const runtime = new OciRuntime({
      kernel,
      runtimes: [await detectRuntime('crun')],
      containersRoot: join(root, 'containers'),
      stateRoot: join(root, 'state'),
      cgroupParent: CGROUP_PARENT,
    });
    const netns = await kernel.netnsCreate();
    try {
      for (let i = 0; i < 20; i++) {
        const id = `loop${process.pid}n${i}`;
        await runtime.create({
          id,
          name: id,
          layerDirs,
          hostname: 'loop',
          network: { kind: 'netns', path: netns.path },
          etcFiles: {},
          process: { args: ['sleep', '1000'], env: containerEnv('loop', [], []), cwd: '/', terminal: false, uid: 0, gid: 0 },
        });
        await runtime.start(id);
        await runtime.delete(id);
      }
      assert.deepEqual(mountsUnder(join(root, 'containers')), []);
      assert.deepEqual(processesUnder(join(root, 'containers')), []);
      assert.deepEqual(readdirSync(join(root, 'containers')), []);
    } finally {
      netns.close();
    }
  });
});
