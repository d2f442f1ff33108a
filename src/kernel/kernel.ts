// The Kernel interface: everything above kernel/ asks for host effects through this, so unit
// tests can substitute a recording fake and only this folder spawns ip / nft / nsenter.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { internal } from '../errors.js';
import { netnsArgv, run, runOk, spawnChild, type RunOptions, type RunResult } from './exec.js';
import { IpBatch, parseBatchErrors, renderLine, type IpLine } from './ip-batch.js';
import { token } from './names.js';

export type { IpLine } from './ip-batch.js';

export interface LinkInfo {
  ifname: string;
  ifindex: number;
  mtu?: number;
  address?: string;
  operstate?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
  master?: string;
}

export interface Kernel {
  /** Runs ip batch lines in the daemon's namespace; throws on the first failed line. */
  ip(lines: readonly IpLine[]): Promise<void>;
  /** Like ip() but reports each failure instead of throwing (deletes of things already gone). */
  ipTry(lines: readonly IpLine[]): Promise<Map<number, string>>;
  /** Runs ip batch lines inside another network namespace (one nsenter per call). */
  ipIn(netnsPath: string, lines: readonly IpLine[]): Promise<void>;
  /** `ip -j <args>` in the daemon's namespace or in netnsPath. */
  ipJson<T>(args: readonly string[], netnsPath?: string): Promise<T>;
  links(netnsPath?: string): Promise<LinkInfo[]>;
  /** Applies an nft text batch atomically (`nft -f -`). */
  nft(batch: string, netnsPath?: string): Promise<void>;
  /** `nft` with arguments, returning stdout (e.g. `-j list table inet tether`). */
  nftCmd(args: readonly string[], netnsPath?: string): Promise<RunResult>;
  sysctl(key: string, value: string, netnsPath?: string): Promise<void>;
  readSysctl(key: string): Promise<string>;
  /**
   * Creates a persistent network namespace bound at path (under our exec-root), with loopback up
   * and, unless ipv6 is wanted, IPv6 disabled inside (as Docker does for non-IPv6 networks).
   */
  netnsCreate(path: string, opts?: { ipv6?: boolean }): Promise<void>;
  /** Removes a namespace created by netnsCreate; succeeds when it is already gone. */
  netnsDelete(path: string): Promise<void>;
  /** Moves a namespace's bind mount to another path in the same (private) directory. */
  netnsMove(from: string, to: string): Promise<void>;
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  runIn(netnsPath: string, argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  spawn(argv: readonly string[], opts?: SpawnOptions & { netnsPath?: string }): ChildProcess;
  close(): void;
}

const SANDBOX_INIT = [
  'ip link set lo up',
  'echo "$1" > /proc/sys/net/ipv6/conf/all/disable_ipv6',
  'echo "$1" > /proc/sys/net/ipv6/conf/default/disable_ipv6',
].join(' && ');

/**
 * `net.ipv4.ip_forward` or the slash form `net/ipv4/conf/br-x.y/route_localnet`: interface names
 * may contain dots, so keys naming an interface must use slashes (as sysctl(8) accepts too).
 */
function sysctlPath(key: string): string {
  const k = token(key);
  if (k.includes('..')) throw internal(`invalid sysctl key ${key}`);
  return `/proc/sys/${k.includes('/') ? k : k.replaceAll('.', '/')}`;
}

export class LinuxKernel implements Kernel {
  private readonly batch = new IpBatch();
  private readonly netnsDirs = new Set<string>();

  async ip(lines: readonly IpLine[]): Promise<void> {
    const errors = await this.batch.exec(lines);
    throwFirst(lines, errors);
  }

  ipTry(lines: readonly IpLine[]): Promise<Map<number, string>> {
    return this.batch.exec(lines);
  }

  async ipIn(netnsPath: string, lines: readonly IpLine[]): Promise<void> {
    if (lines.length === 0) return;
    const input = `${lines.map(renderLine).join('\n')}\n`;
    const r = await run(netnsArgv(netnsPath, ['ip', '-force', '-batch', '-']), { input });
    if (r.code === 0) return;
    const errors = parseBatchErrors(r.stderr, 1);
    if (errors.size === 0) throw internal(`ip in ${netnsPath}: ${r.stderr.trim()}`);
    throwFirst(lines, errors);
  }

  async ipJson<T>(args: readonly string[], netnsPath?: string): Promise<T> {
    const argv = ['ip', '-j', ...args];
    const out = await runOk(netnsPath ? netnsArgv(netnsPath, argv) : argv);
    return (out.trim() === '' ? [] : JSON.parse(out)) as T;
  }

  links(netnsPath?: string): Promise<LinkInfo[]> {
    return this.ipJson<LinkInfo[]>(['-d', 'link', 'show'], netnsPath);
  }

  async nft(batch: string, netnsPath?: string): Promise<void> {
    const argv = ['nft', '-f', '-'];
    const r = await run(netnsPath ? netnsArgv(netnsPath, argv) : argv, { input: batch });
    if (r.code !== 0) throw internal(`nft: ${r.stderr.trim()}`);
  }

  nftCmd(args: readonly string[], netnsPath?: string): Promise<RunResult> {
    const argv = ['nft', ...args];
    return run(netnsPath ? netnsArgv(netnsPath, argv) : argv);
  }

  async sysctl(key: string, value: string, netnsPath?: string): Promise<void> {
    if (netnsPath) {
      await runOk(netnsArgv(netnsPath, ['sysctl', '-q', '-w', `${token(key)}=${token(value)}`])); // sysctl(8) takes both forms
      return;
    }
    await writeFile(sysctlPath(key), value);
  }

  async readSysctl(key: string): Promise<string> {
    const { readFile } = await import('node:fs/promises');
    return (await readFile(sysctlPath(key), 'utf8')).trim();
  }

  async netnsCreate(path: string, opts: { ipv6?: boolean } = {}): Promise<void> {
    await this.privateMountDir(dirname(path));
    await writeFile(path, '', { flag: 'a' });
    // One process for the whole setup: unshare binds the new namespace at path and runs the fixed
    // script inside it ($1 = 1 disables IPv6). /proc/sys/net shows the reader's own namespace.
    const r = await run(['unshare', `--net=${path}`, 'sh', '-c', SANDBOX_INIT, 'sandbox-init', opts.ipv6 ? '0' : '1']);
    if (r.code !== 0) {
      await rm(path, { force: true });
      throw internal(`netns ${path}: ${r.stderr.trim()}`);
    }
  }

  async netnsDelete(path: string): Promise<void> {
    // Lazy unmount: an fd still open somewhere keeps the namespace alive but not its mount.
    await run(['umount', '-l', path]);
    await rm(path, { force: true });
  }

  async netnsMove(from: string, to: string): Promise<void> {
    await writeFile(to, '', { flag: 'a' });
    const r = await run(['mount', '--move', from, to]);
    if (r.code !== 0) {
      await rm(to, { force: true });
      throw internal(`netns move ${from} → ${to}: ${r.stderr.trim()}`);
    }
    await rm(from, { force: true });
  }

  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    return run(argv, opts);
  }

  runIn(netnsPath: string, argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    return run(netnsArgv(netnsPath, argv), opts);
  }

  spawn(argv: readonly string[], opts: SpawnOptions & { netnsPath?: string } = {}): ChildProcess {
    const { netnsPath, ...rest } = opts;
    return spawnChild(netnsPath ? netnsArgv(netnsPath, argv) : argv, rest);
  }

  close(): void {
    this.batch.close();
  }

  /**
   * A namespace file must sit on a private mount so the bind mount made by `unshare --net=FILE`
   * does not propagate into other mount namespaces (iproute2 does the same for /run/netns).
   */
  private async privateMountDir(dir: string): Promise<void> {
    if (this.netnsDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    const mounts = await (await import('node:fs/promises')).readFile('/proc/self/mountinfo', 'utf8');
    const already = mounts.split('\n').some((l) => l.split(' ')[4] === dir);
    if (!already) await runOk(['mount', '--bind', dir, dir]);
    await runOk(['mount', '--make-private', dir]);
    this.netnsDirs.add(dir);
  }
}

function throwFirst(lines: readonly IpLine[], errors: Map<number, string>): void {
  for (const [i, msg] of [...errors].sort((a, b) => a[0] - b[0])) {
    throw internal(`ip ${lines[i]?.join(' ') ?? '?'}: ${msg}`);
  }
}
