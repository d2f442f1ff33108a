// Issue 23: docker-py (Debian's python3-docker) drives networks and endpoints unchanged; the
// checks live in test/fixtures/docker_py_check.py, run against a tetherd in a test host.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { preloadBusybox } from './helpers/containers.js';

const SCRIPT = resolve(import.meta.dirname, '../../test/fixtures/docker_py_check.py');
const hasDockerPy = spawnSync('/usr/bin/python3', ['-c', 'import docker'], { encoding: 'utf8' }).status === 0;

describe('docker-py against tetherd', { skip: hasDockerPy ? false : 'python3-docker is not installed (scripts/setup.sh installs it)' }, () => {
  let host: TestHost;
  let d: TestDaemon;

  before(async () => {
    host = createTestHost('py');
    await preloadBusybox(host);
    d = await startDaemon(host);
  });

  after(async () => {
    await d?.stop();
    host?.dispose();
  });

  it('network create with every IPAM option; connect/disconnect with aliases, links, IPs, MAC', () => {
    const r = spawnSync('/usr/bin/python3', ['-I', SCRIPT, `unix://${d.socket}`], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.stdout.trim(), 'ok');
  });
});
