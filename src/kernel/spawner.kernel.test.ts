import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { launch, run } from './exec.js';
import { Spawner, type SpawnedProcess } from './spawner.js';

const closed = (c: SpawnedProcess): Promise<[number | null, string | null]> =>
  new Promise((resolve) => c.on('close', (code: number | null, signal: string | null) => resolve([code, signal])));
const text = (r: Readable): Promise<string> =>
  new Promise((resolve) => {
    let s = '';
    r.setEncoding('utf8').on('data', (d: string) => (s += d)).on('end', () => resolve(s));
  });
/** Parent pid and session id of a process, from /proc/<pid>/stat (fields 4 and 6). */
const statOf = (pid: number): { ppid: number; sid: number } => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return { ppid: Number(f[1]), sid: Number(f[3]) };
};

describe('process helper', () => {
  it('runs commands with input, output, exit codes and a timeout, none of them forked by us', async () => {
    const big = 'x'.repeat(300_000); // more than a pipe holds: written as the child reads
    assert.deepEqual(await run(['cat'], { input: big }), { code: 0, stdout: big, stderr: '' });
    assert.deepEqual(await run(['sh', '-c', 'echo out; echo err >&2; exit 3']), { code: 3, stdout: 'out\n', stderr: 'err\n' });
    const parent = await run(['sh', '-c', 'echo $PPID']);
    assert.notEqual(Number(parent.stdout), process.pid, 'the helper is the parent, not the daemon');
    assert.equal(statOf(Number(parent.stdout)).ppid, process.pid, 'the helper is ours');
    await assert.rejects(run(['/nonexistent/binary']), /cannot run \/nonexistent\/binary: No such file or directory/);
    const t0 = Date.now();
    assert.equal((await run(['sleep', '30'], { timeoutMs: 200 })).code, 128);
    assert.ok(Date.now() - t0 < 5000, 'the timeout killed it');
    const many = await Promise.all(Array.from({ length: 40 }, (_, i) => run(['echo', String(i)])));
    assert.deepEqual(many.map((r) => r.stdout), Array.from({ length: 40 }, (_, i) => `${i}\n`));
  });

  it('gives a detached child a session, extra environment and a pipe on descriptor 3', async () => {
    const c = launch(['sh', '-c', 'echo "$FOO $(cut -d" " -f6 /proc/$$/stat)" >&3; echo done >&2'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { FOO: 'bar' },
      detached: true,
    });
    const [fd3, err, end] = await Promise.all([text(c.stdio[3] as Readable), text(c.stderr!), closed(c)]);
    assert.equal(fd3, `bar ${c.pid}\n`, 'its own session (sid = its pid) and FOO added');
    assert.equal(err, 'done\n');
    assert.deepEqual(end, [0, null]);
  });

  it('reports a signal, lets a reader drop a pipe early, and fails children when the helper dies', async () => {
    const sleeper = launch(['sleep', '30']);
    await new Promise((r) => sleeper.once('spawn', r));
    sleeper.kill('SIGKILL');
    assert.deepEqual(await closed(sleeper), [null, 'SIGKILL']);

    // A reader that destroys stdout must still see the child close (its pipe is dropped).
    const chatty = launch(['sh', '-c', 'echo first; sleep 0.2; yes | head -c 200000; exit 0']);
    chatty.stdout!.once('data', () => chatty.stdout!.destroy());
    chatty.stdin!.end();
    assert.deepEqual(await closed(chatty), [0, null]);

    const own = new Spawner();
    const orphan = own.launch(['sleep', '30']);
    await new Promise((r) => orphan.once('spawn', r));
    const helperPid = statOf(orphan.pid!).ppid;
    const failed = new Promise<Error>((r) => orphan.once('error', r));
    process.kill(helperPid, 'SIGKILL');
    assert.match((await failed).message, /process helper exited/);
    const again = own.launch(['echo', 'back']);
    assert.equal(await text(again.stdout!), 'back\n', 'a new helper starts for the next child');
    process.kill(orphan.pid!, 'SIGKILL');
  });
});
