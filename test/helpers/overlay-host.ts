// Starts overlay-host-child.js inside a test host's namespace and calls the overlay driver there.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestHost } from './testhost.js';

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'overlay-host-child.js');

export interface OverlayHost {
  /** Where this host pins overlay namespaces. */
  pinDir: string;
  call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  /** SIGKILL, as a crashed daemon: what it made in the kernel stays. */
  kill(): void;
}

export async function startOverlayHost(host: TestHost, advertise: string | undefined, table = `ovt${host.name.slice(-6)}`): Promise<OverlayHost> {
  const pinDir = join(host.dir, 'netns-pinned');
  const child: ChildProcess = spawn('nsenter', [`--net=${host.nsPath}`, '--', process.execPath, '--expose-gc', CHILD, pinDir, advertise ?? '-', table], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let ready: () => void;
  const started = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as { ready?: boolean; id: number; result?: unknown; error?: string };
    if (m.ready) return ready();
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.result);
  });
  let exited = false;
  child.stdin!.on('error', () => undefined); // a write after the exit: answered below
  child.on('exit', () => {
    exited = true;
    for (const w of waiting.values()) w.reject(new Error('overlay host exited'));
    waiting.clear();
  });
  await started;
  return {
    pinDir,
    call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
      const id = ++seq;
      return new Promise<T>((resolve, reject) => {
        if (exited) return reject(new Error('overlay host exited'));
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
      });
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
