// Root-only: the engine's RuntimePort end to end — image lookup, start in a fresh netns, the exit
// event, a second start that keeps the writable layer and the log, user lookup, remove.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestHost, type TestHost } from '../../test/helpers/testhost.js';
import { LinuxKernel } from '../kernel/kernel.js';
import { ContainerRuntime } from './container-runtime.js';
import type { StartSpec } from './port.js';

const CGROUP_PARENT = `tether-test-${process.pid}`;
let host: TestHost;
let kernel: LinuxKernel;
let rt: ContainerRuntime;

before(async () => {
  host = createTestHost('cr');
  kernel = new LinuxKernel();
  rt = await ContainerRuntime.open({
    kernel,
    dataRoot: join(host.dir, 'data'),
    execRoot: join(host.dir, 'exec'),
    defaultRuntime: 'crun',
    cgroupParent: CGROUP_PARENT,
  });
  const tar = join(host.dir, 'busybox.tar');
  execFileSync(join(process.cwd(), 'scripts', 'build-busybox-image.sh'), [tar]);
  await rt.images.load(tar);
});

after(() => {
  kernel?.close();
  host?.dispose();
  for (const ctrl of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', ctrl, CGROUP_PARENT);
    if (existsSync(dir)) rmdirSync(dir);
  }
});

describe('ContainerRuntime (RuntimePort)', () => {
  it('resolves busybox like the reference: no Cmd, no Env', async () => {
    const img = await rt.resolveImage('busybox');
    assert.deepEqual({ ...img, id: '' }, { id: '', repoTags: ['busybox:latest'], env: [], cmd: [], entrypoint: [], workingDir: '', exposedPorts: [] });
  });

  it('reports exits, keeps the writable layer and log across starts, removes everything', async () => {
    const id = `cr${process.pid}x1`;
    const netns = await kernel.netnsCreate();
    const etc = join(host.dir, 'etc');
    mkdirSync(etc, { recursive: true });
    for (const f of ['hosts', 'resolv.conf', 'hostname']) writeFileSync(join(etc, f), '');
    const exits: [string, number][] = [];
    rt.onExit((cid, code) => exits.push([cid, code]));
    const spec = (args: string[], user = ''): StartSpec => ({
      id, name: 'x1', imageId: '', args, env: ['PATH=/bin'], cwd: '/', user, tty: false, openStdin: false, stdinOnce: false,
      hostname: 'x1', netns: { kind: 'path', path: netns.path },
      etc: { hosts: join(etc, 'hosts'), resolvConf: join(etc, 'resolv.conf'), hostname: join(etc, 'hostname') },
      runtime: 'crun',
    });
    const imageId = (await rt.resolveImage('busybox')).id;
    const waitExit = async (n: number): Promise<void> => {
      for (let i = 0; i < 100 && exits.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    };
    try {
      await rt.create({ ...spec(['sh', '-c', 'echo first > /marker; exit 7']), imageId });
      await rt.start(id);
      await waitExit(1);
      assert.deepEqual(exits, [[id, 7]]);
      await rt.create({ ...spec(['sh', '-c', 'cat /marker; id -u'], 'nobody'), imageId });
      await rt.start(id);
      await waitExit(2);
      assert.deepEqual(exits[1], [id, 0]);
      const log = readFileSync(rt.logPath(id), 'utf8');
      assert.match(log, / stdout F first\n.* stdout F 65534\n$/);
    } finally {
      await rt.remove(id);
      netns.close();
    }
    assert.equal(existsSync(join(host.dir, 'data', 'containers', id)), false);
  });
});
