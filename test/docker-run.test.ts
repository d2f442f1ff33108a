// The unmodified docker CLI running containers on tetherd: load/images/rmi, run (attached, --rm,
// -d, exit codes, --network none), exec (output, exit code, stdin), logs, rm -f. Every command is
// the real CLI over the daemon's socket, so the hijack handshake, the frames and the exit-code
// round trips are the ones a user gets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createTestHost, uniqueName, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { dockerClients, runClient, type CliResult } from './helpers/cli.js';

const DOCKER = dockerClients()[0];
const PROJECT = resolve(import.meta.dirname, '../..');

describe('docker run / exec / logs / images against tetherd', { skip: DOCKER ? false : 'no docker CLI on this machine' }, () => {
  let host: TestHost;
  let d: TestDaemon;
  const box = uniqueName('box');
  const docker = (args: string[], input?: string): CliResult => runClient([DOCKER!, ...args], d.socket, input);
  const ok = (args: string[], input?: string): CliResult => {
    const r = docker(args, input);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    host = createTestHost('run');
    d = await startDaemon(host);
    const tar = join(host.dir, 'busybox.tar');
    execFileSync(join(PROJECT, 'scripts', 'build-busybox-image.sh'), [tar]);
    const load = ok(['load', '-i', tar]);
    assert.equal(load.stdout, 'Loaded image: busybox:latest\n');
  });

  after(async () => {
    try {
      if (d) docker(['rm', '-f', box]);
    } finally {
      await d?.stop();
      host?.dispose();
    }
  });

  it('lists, inspects and tags the loaded image', () => {
    const images = ok(['images']).stdout.trimEnd().split('\n');
    assert.match(images[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    assert.match(images[1]!, /^busybox\s+latest\s+[0-9a-f]{12}\s+/);
    const [img] = JSON.parse(ok(['image', 'inspect', 'busybox']).stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(img!['RepoTags'], ['busybox:latest']);
    assert.match(String(img!['Id']), /^sha256:[0-9a-f]{64}$/);
    ok(['tag', 'busybox', 'example.com/team/bb:v1']);
    assert.equal(ok(['images', '--format', '{{.Repository}}:{{.Tag}}', 'example.com/team/bb']).stdout, 'example.com/team/bb:v1\n');
    assert.equal(ok(['rmi', 'example.com/team/bb:v1']).stdout, 'Untagged: example.com/team/bb:v1\n');
  });

  it('docker run --rm prints the output and passes the exit code', () => {
    assert.equal(ok(['run', '--rm', 'busybox', 'echo', 'hi']).stdout, 'hi\n');
    const failed = docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(failed.code, 3);
    assert.equal(failed.stdout, 'out\n');
    assert.equal(failed.stderr, 'err\n');
  });

  it('docker run -t sends raw terminal output; start -a shows only the new run', () => {
    assert.equal(ok(['run', '--rm', '-t', 'busybox', 'echo', 'hi']).stdout, 'hi\r\n');
    const name = uniqueName('sa');
    try {
      assert.equal(ok(['run', '--name', name, 'busybox', 'echo', 'again']).stdout, 'again\n');
      assert.equal(ok(['start', '-a', name]).stdout, 'again\n');
      assert.equal(ok(['logs', name]).stdout, 'again\nagain\n');
    } finally {
      docker(['rm', '-f', name]);
    }
    // With --rm the daemon removes it, so `wait?condition=removed` ends too.
    const gone = docker(['run', '--rm', '--name', name, 'busybox', 'nosuchcmd']);
    assert.notEqual(gone.code, 0);
    assert.equal(docker(['inspect', name]).code, 1, 'removed');
  });

  it('a failed start ends the attached run instead of hanging', () => {
    const name = uniqueName('bad');
    try {
      const r = docker(['run', '--name', name, 'busybox', 'nosuchcmd']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /nosuchcmd/);
    } finally {
      docker(['rm', '-f', name]);
    }
  });

  it('docker import makes an image from a rootfs tar', () => {
    const rootfs = join(host.dir, 'rootfs.tar');
    execFileSync('tar', ['-C', join(PROJECT, 'scripts'), '-cf', rootfs, 'build-busybox-image.sh']);
    const id = ok(['import', rootfs, 'imported:v1']).stdout.trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(ok(['images', '-q', '--no-trunc', 'imported:v1']).stdout.trim(), id);
    assert.match(ok(['rmi', 'imported:v1']).stdout, /^Untagged: imported:v1\nDeleted: sha256:/);
  });

  it('docker run --network none has only loopback', () => {
    const out = ok(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']).stdout;
    assert.deepEqual(out.trimEnd().split('\n').map((l) => l.split(':')[1]!.trim()), ['lo']);
    assert.match(ok(['run', '--rm', '--network', 'none', 'busybox', 'ip', 'addr']).stdout, /inet 127\.0\.0\.1\/8/);
  });

  it('docker run -d, exec (output, exit code, stdin), logs', () => {
    const id = ok(['run', '-d', '--name', box, 'busybox', 'sh', '-c', 'echo out1; echo err1 >&2; echo out2; exec sleep 1000']).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(ok(['exec', box, 'hostname']).stdout, `${id.slice(0, 12)}\n`);
    const three = docker(['exec', box, 'sh', '-c', 'echo o; echo e >&2; exit 3']);
    assert.equal(three.code, 3);
    assert.equal(three.stdout, 'o\n');
    assert.equal(three.stderr, 'e\n');
    assert.equal(ok(['exec', '-i', box, 'cat'], 'piped\n').stdout, 'piped\n');
    // -e adds to the container's environment (crun alone would replace it).
    assert.equal(ok(['exec', '-e', 'FOO=bar', box, 'sh', '-c', 'echo $FOO $HOSTNAME']).stdout, `bar ${id.slice(0, 12)}\n`);
    ok(['exec', '-d', box, 'sleep', '1']);

    const logs = ok(['logs', box]);
    assert.equal(logs.stdout, 'out1\nout2\n');
    assert.equal(logs.stderr, 'err1\n');
    // The last entry is out2 or err1: conmon reads the two pipes independently.
    const tail = ok(['logs', '-t', '--tail', '1', box]);
    assert.match(tail.stdout + tail.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (out2|err1)\n$/);
  });

  it('refuses what it cannot do with clear errors', () => {
    const tty = docker(['exec', '-t', box, 'true']);
    assert.equal(tty.code, 1);
    assert.match(tty.stderr, /exec with a TTY .* is not supported/);
    const pull = docker(['pull', 'nosuchimage']);
    assert.notEqual(pull.code, 0);
    assert.match(pull.stderr, /pull access denied for nosuchimage.*no registry/);
    const inUse = docker(['rmi', 'busybox']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /conflict: unable to remove repository reference "busybox" \(must force\) - container [0-9a-f]{12} is using its referenced image/);
  });

  it('docker rm -f removes the running container', () => {
    assert.equal(ok(['rm', '-f', box]).stdout, `${box}\n`);
    const gone = docker(['exec', box, 'true']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No such container/);
  });
});
