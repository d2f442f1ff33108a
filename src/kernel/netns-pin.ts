// Network namespaces that must outlive the daemon: an overlay network's namespace holds the veth
// ends of running containers, and a namespace nobody holds is destroyed with everything in it.
// Sandboxes are held by an open file (netns.ts) because their containers' processes keep them
// alive anyway; these are pinned by a bind mount at <dir>/<name>, as iproute2 pins
// /run/netns/<name> and Docker /var/run/docker/netns/<id>. They are few (one per overlay network
// per host), so their mounts cost container starts nothing measurable.
//
// The directory is first made a private bind mount of itself (decisions.md): a pin made below it
// then neither propagates into the host's other mount namespaces nor comes back from them.
import { statSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { internal, invalid } from '../errors.js';
import { runOk } from './exec.js';
import { NETNS_SETUP } from './netns.js';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function checked(name: string): string {
  if (!NAME.test(name) || name === '.' || name === '..') throw invalid(`invalid namespace name ${JSON.stringify(name)}`, 'kernel.netnsName');
  return name;
}

/** Whether path is a mount point in our mount namespace (field 5 of mountinfo, octal escapes kept). */
async function isMountPoint(path: string): Promise<boolean> {
  const escaped = path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').some((l) => l.split(' ')[4] === escaped);
}

/** An nsfs bind mount has the device of nsfs, not the one of the directory that holds it. */
function pinned(dir: string, file: string): boolean {
  try {
    return statSync(file).dev !== statSync(dir).dev;
  } catch {
    return false;
  }
}

export class PinnedNetns {
  /** Pins and unpins one at a time: two first pins must not both bind the directory. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string) {
    if (!dir.startsWith('/') || dir.split('/').includes('..')) throw internal(`invalid namespace directory ${dir}`);
  }

  /** The path of namespace `name`, made (loopback up, IPv6 as asked) unless it is pinned already. */
  pin(name: string, ipv6: boolean): Promise<string> {
    const file = join(this.dir, checked(name));
    return this.serial(async () => {
      await this.ensureDir();
      if (pinned(this.dir, file)) return file;
      await writeFile(file, '', { mode: 0o600 });
      try {
        await runOk(['unshare', `--net=${file}`, 'sh', '-c', NETNS_SETUP.join(' && '), 'netns-setup', ipv6 ? '0' : '1']);
      } catch (e) {
        await this.release(file);
        throw e;
      }
      return file;
    });
  }

  /** Lets go of the pin (the namespace goes once nothing else holds it); false when there was none. */
  unpin(name: string): Promise<boolean> {
    const file = join(this.dir, checked(name));
    return this.serial(() => this.release(file));
  }

  /** Names of the namespaces pinned here. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => pinned(this.dir, join(this.dir, n))).sort();
  }

  private async release(file: string): Promise<boolean> {
    const was = pinned(this.dir, file);
    // Lazy: a process still inside (a batch being closed) does not make the unmount fail.
    if (was) await runOk(['umount', '-l', file]);
    await rm(file, { force: true });
    return was;
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (await isMountPoint(this.dir)) return;
    await runOk(['mount', '--bind', this.dir, this.dir]);
    await runOk(['mount', '--make-private', this.dir]);
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

