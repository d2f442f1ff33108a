// Long-lived Node helpers of the daemon that talk to it over an IPC channel and take socket
// handles from it (the resolver process, dns/resolver-processes.ts). Started once, directly (not
// through the broker: a fork of the daemon is dear per container, not once per daemon), with
// nothing of the daemon's environment but its owner mark; they leave when the daemon does.
import { spawn, type ChildProcess } from 'node:child_process';
import { helperEnv } from './owner.js';

/** What a layer above holds of a helper: send messages (with a handle), hear 'message'/'exit'. */
export type NodeHelper = Pick<ChildProcess, 'send' | 'on' | 'once' | 'off' | 'disconnect' | 'kill' | 'connected' | 'pid'>;

/** nodeFlags go to node itself (e.g. V8's heap sizes), args to the script. */
export function spawnNodeHelper(script: string, args: readonly string[], nodeFlags: readonly string[] = []): NodeHelper {
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: helperEnv({ PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' }),
  });
  // The daemon's own servers keep it running; a helper alone must not (a test's Resolver left open).
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  return child;
}
