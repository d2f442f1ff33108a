// docker's waitExitOrRemoved: POST /containers/{id}/wait?condition=next-exit|removed is sent and
// its headers awaited *before* the container is started (so no exit can be missed); the status
// arrives later in the body. A failed wait yields 125 with docker's error line on stderr.

import { esc, type EngineClient } from './client.js';
import type { Output } from './command.js';

/** Resolves once the daemon accepted the wait; `status` then resolves with the exit code. */
export async function waitExitOrRemoved(
  client: EngineClient,
  id: string,
  removed: boolean,
  stderr: Output,
): Promise<{ status: Promise<number>; cancel: () => void }> {
  const condition = removed ? 'removed' : 'next-exit';
  let res;
  try {
    res = await client.stream('POST', `/containers/${esc(id)}/wait`, { query: { condition } });
  } catch (e) {
    stderr.write(`error waiting for container: ${(e as Error).message}\n`);
    return { status: Promise.resolve(125), cancel: () => {} };
  }
  const status = new Promise<number>((resolve) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (body += c));
    res.on('end', () => {
      try {
        const r = JSON.parse(body) as { StatusCode: number; Error?: { Message: string } | null };
        if (r.Error) {
          stderr.write(`Error waiting for container: ${r.Error.Message}\n`);
          resolve(125);
        } else resolve(r.StatusCode);
      } catch {
        stderr.write(`error waiting for container: unexpected EOF\n`);
        resolve(125);
      }
    });
    res.on('error', () => resolve(125));
    res.on('close', () => resolve(125)); // no-op once resolved
  });
  // Detached runs stop listening (docker cancels the context), letting the process exit.
  return { status, cancel: () => res.destroy() };
}
