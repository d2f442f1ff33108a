// docker push from one tetherd to a registry in the test host, and pull on a second tetherd
// (same test host, its own roots, bridge and nft table) by digest and by tag, then run it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestHost, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { dockerClients, runClient, tether } from './helpers/cli.js';
import { busyboxTar } from './helpers/image.js';
import { startRegistry, type TestRegistry } from './helpers/registry.js';

const DOCKER = dockerClients()[0];

describe('docker push, then pull on another daemon', { skip: DOCKER ? false : 'no docker CLI' }, () => {
  let host: TestHost;
  let a: TestDaemon | undefined;
  let b: TestDaemon | undefined;
  let reg: TestRegistry | undefined;
  const on = (d: TestDaemon | undefined, args: string[]) => runClient([DOCKER!, ...args], d!.socket);
  const ok = (d: TestDaemon | undefined, args: string[]) => {
    const r = on(d, args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  before(async () => {
    host = createTestHost('push');
    reg = await startRegistry(host, 5000);
    a = await startDaemon(host, ['--insecure-registry', reg.addr]);
    const broot = join(host.dir, 'b');
    mkdirSync(broot);
    b = await startDaemon(host, ['--insecure-registry', reg.addr, '--bridge', 'tetherb', '--bip', '172.30.0.1/16', '--firewall-table', 'tetherb'], {
      dataRoot: join(broot, 'data'),
      execRoot: join(broot, 'exec'),
      socket: join(broot, 'b.sock'),
    });
  });
  after(async () => {
    try {
      await a?.stop();
      await b?.stop();
      await reg?.stop();
    } finally {
      host?.dispose();
    }
  });

  it('pushes a loaded image with per-layer progress; a second push finds every layer there', () => {
    ok(a, ['load', '-i', busyboxTar()]);
    ok(a, ['tag', 'busybox', `${reg!.addr}/team/busybox:v1`]);
    const out = ok(a, ['push', `${reg!.addr}/team/busybox:v1`]);
    assert.match(out, new RegExp(`^The push refers to repository \\[${reg!.addr}/team/busybox\\]\\n`));
    assert.match(out, /\n[0-9a-f]{12}: Pushed\n/);
    assert.match(out, /\nv1: digest: sha256:[0-9a-f]{64} size: \d+\n$/);
    const again = ok(a, ['push', `${reg!.addr}/team/busybox:v1`]);
    assert.match(again, /[0-9a-f]{12}: Layer already exists\n/);
    assert.equal(/digest: (sha256:\S+)/.exec(again)?.[1], /digest: (sha256:\S+)/.exec(out)?.[1]);
    const inspect = JSON.parse(ok(a, ['image', 'inspect', `${reg!.addr}/team/busybox:v1`]));
    assert.deepEqual(inspect[0].RepoDigests, [`${reg!.addr}/team/busybox@${/digest: (sha256:\S+)/.exec(out)?.[1]}`]);
  });

  it('the other daemon pulls it by digest and by tag and runs it', () => {
    const digest = JSON.parse(ok(a, ['image', 'inspect', `${reg!.addr}/team/busybox:v1`]))[0].RepoDigests[0] as string;
    const byDigest = ok(b, ['pull', digest]);
    assert.match(byDigest, /Pull complete/);
    const byTag = ok(b, ['pull', `${reg!.addr}/team/busybox:v1`]);
    assert.doesNotMatch(byTag, /Downloading/);
    const idA = ok(a, ['image', 'inspect', '-f', '{{.Id}}', 'busybox']);
    assert.equal(ok(b, ['image', 'inspect', '-f', '{{.Id}}', `${reg!.addr}/team/busybox:v1`]), idA);
    assert.equal(ok(b, ['run', '--rm', `${reg!.addr}/team/busybox:v1`, 'echo', 'pushed, pulled, running']), 'pushed, pulled, running\n');
  });

  it('the tether CLI pulls and pushes with the docker CLI\'s plain output', () => {
    const t = (args: string[]) => tether(args, b!.socket);
    const pushed = t(['push', `${reg!.addr}/team/busybox:v1`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /^The push refers to repository \[127\.0\.0\.1:5000\/team\/busybox\]\n[0-9a-f]{12}: Preparing\n[0-9a-f]{12}: Layer already exists\nv1: digest: sha256:[0-9a-f]{64} size: \d+\n$/);
    assert.equal(t(['rmi', `${reg!.addr}/team/busybox:v1`]).code, 0);
    const missing = t(['pull', `${reg!.addr}/team/busybox`]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, 'Using default tag: latest\n');
    assert.match(missing.stderr, /manifest for 127\.0\.0\.1:5000\/team\/busybox:latest not found: manifest unknown/);
    const pulled = t(['pull', `${reg!.addr}/team/busybox:v1`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /^v1: Pulling from team\/busybox\n[0-9a-f]{12}: Pulling fs layer\n([0-9a-f]{12}: [^\n]+\n)*[0-9a-f]{12}: Pull complete\nDigest: sha256:[0-9a-f]{64}\nStatus: Downloaded newer image for 127\.0\.0\.1:5000\/team\/busybox:v1\n127\.0\.0\.1:5000\/team\/busybox:v1\n$/);
  });

  it('docker run pulls a missing image (--pull missing), never pulls with --pull never', () => {
    const image = `${reg!.addr}/team/busybox:v1`;
    ok(b, ['rmi', image]);
    const never = on(b, ['run', '--rm', '--pull', 'never', image, 'true']);
    assert.equal(never.code, 125);
    assert.match(never.stderr, /No such image: 127\.0\.0\.1:5000\/team\/busybox:v1/);
    const missing = on(b, ['run', '--rm', image, 'echo', 'auto-pulled']);
    assert.equal(missing.stdout, 'auto-pulled\n', missing.stderr);
    assert.match(missing.stderr, /Unable to find image '127\.0\.0\.1:5000\/team\/busybox:v1' locally\n/);
    assert.match(missing.stderr, /Status: Downloaded newer image for 127\.0\.0\.1:5000\/team\/busybox:v1/);
    const always = on(b, ['run', '--rm', '--pull', 'always', image, 'echo', 'again']);
    assert.equal(always.stdout, 'again\n', always.stderr);
    assert.match(always.stderr, /Status: Image is up to date for 127\.0\.0\.1:5000\/team\/busybox:v1/);
  });

  it('docker image prune removes untagged images, -a every unused one, with the space reclaimed', () => {
    const digest = JSON.parse(ok(a, ['image', 'inspect', `${reg!.addr}/team/busybox:v1`]))[0].RepoDigests[0] as string;
    const box = ok(b, ['run', '-d', `${reg!.addr}/team/busybox:v1`, 'sleep', '1000']).trim();
    try {
      ok(b, ['rmi', '-f', `${reg!.addr}/team/busybox:v1`]);
      // Untagged but used by a container: kept.
      assert.equal(ok(b, ['image', 'prune', '-f']), 'Total reclaimed space: 0B\n');
    } finally {
      ok(b, ['rm', '-f', box]);
    }
    const pruned = ok(b, ['image', 'prune', '-f']);
    assert.match(pruned, /^Deleted Images:\nuntagged: 127\.0\.0\.1:5000\/team\/busybox@sha256:[0-9a-f]{64}\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: [1-9][0-9.]*[kM]B\n$/);
    assert.equal(ok(b, ['images', '-q']), '');
    ok(b, ['pull', digest]);
    ok(b, ['tag', digest, 'kept:1']);
    assert.equal(ok(b, ['image', 'prune', '-f']), 'Total reclaimed space: 0B\n');
    assert.match(ok(b, ['image', 'prune', '-a', '-f']), /untagged: kept:1\n/);
    assert.equal(ok(b, ['images', '-q']), '');
  });

  it('pushing an image that is not here is dockerd\'s message', () => {
    const r = on(a, ['push', `${reg!.addr}/nosuch`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, new RegExp(`An image does not exist locally with the tag: ${reg!.addr}/nosuch`));
  });
});
