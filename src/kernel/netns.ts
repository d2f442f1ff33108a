// Network namespaces held by an open file of the daemon instead of a bind mount. A bind mount
// per sandbox sat in the host's mount table, which every container start copies into its own
// mount namespace and tears down again: 1000 sandboxes made each start ~10 ms slower. An open
// file costs nothing to anyone else, and a dead daemon's idle namespaces go away by themselves.
//
// The path handed to ip, nsenter and the OCI runtimes is /proc/<daemon pid>/fd/<n>: they just
// open it. File numbers are reused, so a closed handle keeps its number a little longer: a child
// started with the path just before the close must not open some later namespace instead.
import { closeSync, openSync } from 'node:fs';
import { internal } from '../errors.js';
import { launch } from './exec.js';

export interface NetnsHandle {
  /** What other processes open to enter the namespace. */
  readonly path: string;
  /** Lets go of the namespace (it lives on while a process or socket is still in it). */
  close(): void;
}

const REUSE_GRACE_MS = 2000;

/** Loopback up, IPv6 off unless wanted ($1 = 1 disables it): every namespace we make starts so. */
export const NETNS_SETUP = [
  'ip link set lo up',
  'echo "$1" > /proc/sys/net/ipv6/conf/all/disable_ipv6',
  'echo "$1" > /proc/sys/net/ipv6/conf/default/disable_ipv6',
];

/** The setup, then wait for the daemon to open the namespace. */
const SANDBOX_INIT = [...NETNS_SETUP, 'echo ready', 'read _'].join(' && ');

/** Holds the network namespace process pid is in. */
export function holdNetnsOf(pid: number): NetnsHandle {
  if (!Number.isInteger(pid) || pid <= 0) throw internal(`invalid pid ${pid}`);
  let fd: number | undefined = openSync(`/proc/${pid}/ns/net`, 'r');
  const path = `/proc/${process.pid}/fd/${fd}`;
  return {
    path,
    close() {
      const held = fd;
      fd = undefined;
      if (held !== undefined) setTimeout(() => closeSync(held), REUSE_GRACE_MS).unref();
    },
  };
}

/** A new namespace made by one short-lived process (unshare + the fixed init script), then held. */
export function createNetns(ipv6: boolean): Promise<NetnsHandle> {
  const child = launch(['unshare', '--net', 'sh', '-c', SANDBOX_INIT, 'sandbox-init', ipv6 ? '0' : '1']);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      try {
        f(); // opens the namespace first: the process ends soon after its stdin does
      } finally {
        child.stdin?.end(); // lets `read` return: the process exits, the namespace stays held
      }
    };
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!out.includes('ready\n') || child.pid === undefined) return;
      const pid = child.pid;
      finish(() => {
        try {
          resolve(holdNetnsOf(pid));
        } catch (e) {
          reject(internal(`netns: cannot open the namespace of ${pid}: ${(e as Error).message}`));
        }
      });
    });
    child.stdin?.on('error', () => undefined);
    child.on('error', (e: Error) => finish(() => reject(internal(`netns: cannot run unshare: ${e.message}`))));
    child.on('close', (code: number | null) => finish(() => reject(internal(`netns: unshare exited ${code}: ${err.trim()}`))));
  });
}
