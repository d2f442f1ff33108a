// The unmodified docker CLI running containers on tetherd: load/images/rmi, run (attached, --rm,
// -d, -i, -it, exit codes, --network none), exec (output, exit code, stdin, -t/-it), logs, rm -f.
// Every command is the real CLI over the daemon's socket, so the hijack handshake, the frames and
// the exit-code round trips are the ones a user gets. Terminal cases run the CLI under script(1)
// from util-linux, whose command lines are built from test constants only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createTestHost, uniqueName, type TestHost } from './helpers/testhost.js';
import { startDaemon, type TestDaemon } from './helpers/daemon.js';
import { dockerClients, runClient, type CliResult } from './helpers/cli.js';

const DOCKER = dockerClients()[0];
const PROJECT = resolve(import.meta.dirname, '../..');

/**
 * Runs a fixed command line on a pseudo-terminal (`script -qec CMD /dev/null`). Its stdin stays
 * open until the command ends: script passes the end of its input on as a byte to the terminal,
 * which the container's terminal would echo into the output.
 */
function underScript(cmd: string, socket: string, input = ''): Promise<CliResult> {
  return new Promise((resolveP) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: '/tmp/tether-test-docker-config' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdin.on('error', () => undefined);
    if (input) child.stdin.write(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // The CLI puts script's terminal in raw mode only once the exec is attached: output that
      // comes first gets a second \r from that terminal (with dockerd too). Not ours to assert.
      resolveP({ code: code ?? 1, stdout: stdout.replace(/\r+\n/g, '\r\n'), stderr });
    });
  });
}

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

  it('docker run -i / -it / start -ai deliver stdin', async () => {
    assert.equal(ok(['run', '-i', '--rm', 'busybox', 'cat'], 'hi\n').stdout, 'hi\n');
    // Input sent long before the process reads it, and more than one pipe buffer of it.
    const big = 'x'.repeat(200_000) + '\n';
    assert.equal(ok(['run', '-i', '--rm', 'busybox', 'sh', '-c', 'sleep 1; wc -c'], big).stdout.trim(), String(big.length));
    // Without -i the container's stdin is empty, whatever the CLI has.
    assert.equal(ok(['run', '--rm', 'busybox', 'cat'], 'ignored\n').stdout, '');
    const name = uniqueName('ai');
    try {
      ok(['create', '-i', '--name', name, 'busybox', 'cat']);
      assert.equal(ok(['start', '-ai', name], 'once\n').stdout, 'once\n');
      assert.equal(ok(['start', '-ai', name], 'twice\n').stdout, 'twice\n');
    } finally {
      docker(['rm', '-f', name]);
    }
    const tty = await underScript(`${DOCKER} run -it --rm busybox tty`, d.socket);
    assert.equal(tty.code, 0, tty.stdout + tty.stderr);
    assert.equal(tty.stdout, '/dev/pts/0\r\n');
    // The CLI resizes the container's terminal after the start (conmon's control FIFO).
    const size = await underScript(`stty rows 33 cols 99; ${DOCKER} run -it --rm busybox sh -c 'sleep 0.5; stty size'`, d.socket);
    assert.equal(size.stdout, '33 99\r\n');
    // Typed input reaches a shell on the container's terminal (echoed by it), and its exit code comes back.
    // (Input that arrives before the CLI makes its terminal raw is echoed there too.)
    const typed = await underScript(`${DOCKER} run -it --rm busybox sh -c 'read line; echo "got $line"; exit 6'`, d.socket, 'typed\n');
    assert.equal(typed.code, 6);
    assert.match(typed.stdout, /typed\r\ngot typed\r\n$/);
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

  it('docker exec -t / -it run on a terminal (crun and runc)', async () => {
    // Without a terminal on the CLI's side, -t alone still gets one in the container.
    const t = ok(['exec', '-t', box, 'sh', '-c', 'tty; echo err >&2']);
    assert.equal(t.stdout, '/dev/pts/0\r\nerr\r\n');
    const it1 = await underScript(`${DOCKER} exec -it ${box} tty`, d.socket);
    assert.equal(it1.code, 0, it1.stdout + it1.stderr);
    assert.equal(it1.stdout, '/dev/pts/0\r\n');
    // The CLI sends the size of its terminal (ConsoleSize / resize), the process sees it.
    // (crun sets the size just after it starts the process: a process that asks at once may see 0x0.)
    const size = await underScript(`stty rows 33 cols 99; ${DOCKER} exec -it ${box} sh -c 'sleep 0.3; stty size'`, d.socket);
    assert.equal(size.stdout, '33 99\r\n');
    const typed = await underScript(`${DOCKER} exec -it ${box} sh -c 'read line; echo "got $line"; exit 4'`, d.socket, 'typed\n');
    assert.equal(typed.code, 4);
    assert.match(typed.stdout, /typed\r\ngot typed\r\n$/);
    // runc cannot hand its terminal over without detaching: it runs on one of ours instead.
    const rbox = uniqueName('rbox');
    try {
      ok(['run', '-d', '--runtime', 'runc', '--name', rbox, 'busybox', 'sleep', '1000']);
      const r = await underScript(`stty rows 33 cols 99; ${DOCKER} exec -it ${rbox} sh -c 'tty; sleep 0.3; stty size; exit 5'`, d.socket);
      assert.equal(r.code, 5);
      assert.equal(r.stdout, '/dev/pts/0\r\n33 99\r\n');
    } finally {
      docker(['rm', '-f', rbox]);
    }
  });

  it('exec with Tty over the API: raw stream, exit code, resize', async () => {
    const create = await d.api('POST', `/containers/${box}/exec`, {
      Tty: true, AttachStdout: true, AttachStderr: true, ConsoleSize: [40, 120], Cmd: ['sh', '-c', 'tty; sleep 0.3; stty size; echo e >&2; exit 5'],
    });
    assert.equal(create.status, 201, create.text);
    const id = create.json.Id as string;
    const start = await d.api('POST', `/exec/${id}/start`, { Detach: false, Tty: true });
    assert.equal(start.status, 200);
    assert.equal(start.headers['content-type'], 'application/vnd.docker.raw-stream');
    assert.equal(start.text, '/dev/pts/0\r\n40 120\r\ne\r\n'); // no 8-byte frame headers
    const inspect = await d.api('GET', `/exec/${id}/json`);
    assert.equal(inspect.json.ExitCode, 5);
    assert.equal(inspect.json.Running, false);
    assert.equal(inspect.json.ProcessConfig.tty, true);

    // The process waits (10 s at most) until its terminal has the new size; resizes are sent
    // until it has seen it, since one sent before the process runs has nothing to reach.
    const waitForSize = 'i=0; while [ "$(stty size 2>/dev/null)" != "21 77" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; stty size';
    const later = await d.api('POST', `/containers/${box}/exec`, { Tty: true, AttachStdout: true, Cmd: ['sh', '-c', waitForSize] });
    let ended = false;
    const started = d.api('POST', `/exec/${later.json.Id}/start`, { Tty: true }).finally(() => (ended = true));
    while (!ended) {
      assert.equal((await d.api('POST', `/exec/${later.json.Id}/resize?h=21&w=77`)).status, 200);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await started).text, '21 77\r\n');
  });

  it('refuses what it cannot do with clear errors', () => {
    const pull = docker(['pull', 'nosuchimage']);
    assert.notEqual(pull.code, 0);
    // Docker Hub is out of reach from the test host: dockerd's words for a registry it cannot dial.
    assert.match(pull.stderr, /Error response from daemon: Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp/);
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
