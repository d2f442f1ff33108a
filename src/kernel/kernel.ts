// The Kernel interface: everything above kernel/ asks for host effects through this, so unit
// tests can substitute a recording fake and only this folder spawns ip / nft / nsenter.
import { readFile, writeFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { internal } from '../errors.js';
import { launch, netnsArgv, run, runOk, type RunOptions, type RunResult } from './exec.js';
import { IpcBroker, type BrokeredChild } from './ipc-broker.js';
import { spawnNodeHelper, type NodeHelper } from './node-helper.js';
import { IpBatch, parseBatchErrors, renderLine, throwFirst, type IpLine } from './ip-batch.js';
import { token } from './names.js';
import { createNetns, holdNetnsOf, type NetnsHandle } from './netns.js';
import { CoalescingBatch, type BatchTool, type NetnsBatch } from './netns-batch.js';
import { PinnedNetns } from './netns-pin.js';
import { zstdDecoder } from './zstd.js';
import { NftSession, oneLine } from './nft-session.js';
import { feed, SpareBatch, startWaiting } from './spare-batch.js';
import { parseProcIpv6Routes, parseProcRoutes } from './proc-routes.js';
import { phase } from '../model/trace.js';

export type { IpLine } from './ip-batch.js';
export type { NetnsHandle } from './netns.js';
export type { BatchTool, NetnsBatch } from './netns-batch.js';
export type { LaunchOptions, SpawnedProcess } from './spawner.js';
export type { BrokeredChild } from './ipc-broker.js';
export type { NodeHelper } from './node-helper.js';
/** What Kernel.spawn returns. Layers above hold it by this name: only kernel/ touches child_process. */
export type { ChildProcess } from 'node:child_process';
import type { LaunchOptions, SpawnedProcess } from './spawner.js';

export interface LinkInfo {
  ifname: string;
  ifindex: number;
  mtu?: number;
  address?: string;
  operstate?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
  master?: string;
  /** The link's alias (`ip link set … alias`): how we mark links we made on a name we do not own. */
  ifalias?: string;
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
  /** Routed prefixes (CIDR) of the daemon namespace's main table, v4 and v6. */
  routeDestinations(): Promise<string[]>;
  /** One link of the daemon's namespace, or undefined when there is none by that name. */
  link(name: string): Promise<LinkInfo | undefined>;
  /** Applies an nft text batch atomically (`nft -f -`). */
  nft(batch: string, netnsPath?: string): Promise<void>;
  /** `nft` with arguments, returning stdout (e.g. `-j list table inet tether`). */
  nftCmd(args: readonly string[], netnsPath?: string): Promise<RunResult>;
  sysctl(key: string, value: string, netnsPath?: string): Promise<void>;
  readSysctl(key: string): Promise<string>;
  /**
   * A new network namespace with loopback up and, unless ipv6 is wanted, IPv6 disabled inside
   * (as Docker does for non-IPv6 networks), held open by the daemon (netns.ts).
   */
  netnsCreate(opts?: { ipv6?: boolean }): Promise<NetnsHandle>;
  /** Holds the network namespace of a live process (a running container's, after a restart). */
  netnsOf(pid: number): NetnsHandle;
  /**
   * The path of a network namespace pinned by name (netns-pin.ts): it outlives the daemon, and
   * the same name after a restart finds it again. Made, loopback up, when it does not exist.
   */
  netnsPin(name: string, opts?: { ipv6?: boolean }): Promise<string>;
  /** Lets go of a pinned namespace; false when there was none. */
  netnsUnpin(name: string): Promise<boolean>;
  /** Names of the pinned namespaces. */
  netnsPinned(): Promise<string[]>;
  /**
   * A long-running `ip -batch` or `bridge -batch` inside netnsPath, for many small changes at a
   * high rate (netns-batch.ts). The caller closes it before the namespace goes.
   */
  batchIn(netnsPath: string, tool: BatchTool): NetnsBatch;
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  runIn(netnsPath: string, argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** A child started by the process helper (pipes or /dev/null, no IPC): cheap at any scale. */
  launch(argv: readonly string[], opts?: LaunchOptions & { netnsPath?: string }): SpawnedProcess;
  /**
   * A child with a Node IPC channel (it passes socket handles back), started through the broker
   * (ipc-broker.ts) so that the daemon does not fork; in netnsPath if given.
   */
  spawnIpc(argv: readonly string[], opts: { netnsPath?: string; env: Record<string, string> }): BrokeredChild;
  /** A long-lived Node helper (a script of ours) in the daemon's namespace, with an IPC channel (node-helper.ts). */
  spawnNodeHelper(script: string, args: readonly string[], nodeFlags?: readonly string[]): NodeHelper;
  /** A streaming zstd decompressor (the zstd tool): compressed bytes in, content out (zstd.ts). */
  zstdDecoder(): Duplex;
  close(): void;
}

/**
 * `net.ipv4.ip_forward` or the slash form `net/ipv4/conf/br-x.y/route_localnet`: interface names
 * may contain dots, so keys naming an interface must use slashes (as sysctl(8) accepts too).
 */
function sysctlPath(key: string): string {
  const k = token(key);
  if (k.includes('..')) throw internal(`invalid sysctl key ${key}`);
  return `/proc/sys/${k.includes('/') ? k : k.replaceAll('.', '/')}`;
}

export interface LinuxKernelOptions {
  /** Where pinned namespaces live (the daemon: <exec root>/netns-pinned). */
  pinnedNetnsDir?: string;
}

export class LinuxKernel implements Kernel {
  private readonly batch = new IpBatch();
  private readonly broker = new IpcBroker();
  private readonly nftSession = new NftSession();
  private readonly spare = new SpareBatch(['ip', '-force', '-batch', '-']);
  private readonly pinned: PinnedNetns;

  constructor(opts: LinuxKernelOptions = {}) {
    this.pinned = new PinnedNetns(opts.pinnedNetnsDir ?? '/run/tether/netns-pinned');
  }

  async ip(lines: readonly IpLine[]): Promise<void> {
    throwFirst(lines, await this.ipTry(lines));
  }

  /**
   * iproute2 opens the file a `netns` argument names and never closes it: in the long-running
   * batch every sandbox's namespace would stay alive (one open file each) until that process
   * ends. Such lines run in a batch of their own that ends with them.
   */
  ipTry(lines: readonly IpLine[]): Promise<Map<number, string>> {
    return lines.some((l) => l.includes('netns')) ? phase('ip.oneshot', () => this.oneShot(lines)) : phase('ip.batch', () => this.batch.exec(lines));
  }

  async ipIn(netnsPath: string, lines: readonly IpLine[]): Promise<void> {
    throwFirst(lines, await phase('ip.netns', () => this.oneShot(lines, netnsPath)));
  }

  /** The batch a new namespace's first ipIn will use, started with the namespace (off the hot path for pooled sandboxes). */
  private readonly firstBatchIn = new Map<string, SpawnedProcess>();

  /** One `ip -batch` process for these lines (in netnsPath if given); the failed lines by index. */
  private async oneShot(lines: readonly IpLine[], netnsPath?: string): Promise<Map<number, string>> {
    if (lines.length === 0) return new Map();
    const input = `${lines.map(renderLine).join('\n')}\n`;
    const argv = ['ip', '-force', '-batch', '-'];
    const waiting = netnsPath ? this.firstBatchIn.get(netnsPath) : undefined;
    if (netnsPath) this.firstBatchIn.delete(netnsPath);
    const r = waiting && waiting.exitCode === null ? await feed(waiting, input) : netnsPath ? await run(netnsArgv(netnsPath, argv), { input }) : await this.spare.run(input);
    if (r.code === 0) return new Map();
    const errors = parseBatchErrors(r.stderr, 1);
    if (errors.size === 0) throw internal(`ip${netnsPath ? ` in ${netnsPath}` : ''}: ${r.stderr.trim()}`);
    return errors;
  }

  async ipJson<T>(args: readonly string[], netnsPath?: string): Promise<T> {
    const argv = ['ip', '-j', ...args];
    const out = await phase('ip.json', () => runOk(netnsPath ? netnsArgv(netnsPath, argv) : argv));
    return (out.trim() === '' ? [] : JSON.parse(out)) as T;
  }

  links(netnsPath?: string): Promise<LinkInfo[]> {
    return this.ipJson<LinkInfo[]>(['-d', 'link', 'show'], netnsPath);
  }

  /**
   * The main table's routed prefixes (what Docker's overlap check reads through netlink), from
   * /proc/self/net, which shows the calling process's namespace: no process to start.
   */
  async routeDestinations(): Promise<string[]> {
    const [v4, v6] = await Promise.all([readFile('/proc/self/net/route', 'utf8').catch(() => ''), readFile('/proc/self/net/ipv6_route', 'utf8').catch(() => '')]);
    return [...parseProcRoutes(v4), ...parseProcIpv6Routes(v6)];
  }

  /** Most names asked about do not exist: the long-running batch says so without a new process. */
  async link(name: string): Promise<LinkInfo | undefined> {
    const missing = (await phase('ip.batch', () => this.batch.exec([['link', 'show', 'dev', name]]))).has(0);
    if (missing) return undefined;
    return (await this.ipJson<LinkInfo[]>(['-d', 'link', 'show', 'dev', name]))[0];
  }

  async nft(batch: string, netnsPath?: string): Promise<void> {
    const line = netnsPath === undefined ? oneLine(batch) : undefined;
    if (line !== undefined) return phase('nft.session', () => this.nftSession.exec(line));
    const argv = ['nft', '-f', '-'];
    const r = await phase('nft', () => run(netnsPath ? netnsArgv(netnsPath, argv) : argv, { input: batch }));
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
    return (await readFile(sysctlPath(key), 'utf8')).trim();
  }

  netnsCreate(opts: { ipv6?: boolean } = {}): Promise<NetnsHandle> {
    return phase('netns.create', async () => {
      const ns = await createNetns(opts.ipv6 ?? false);
      this.firstBatchIn.set(ns.path, startWaiting(netnsArgv(ns.path, ['ip', '-force', '-batch', '-'])));
      return {
        path: ns.path,
        close: () => {
          // The waiting ip is inside the namespace: unused, it must end, or the namespace lives on.
          this.firstBatchIn.get(ns.path)?.stdin?.end();
          this.firstBatchIn.delete(ns.path);
          ns.close();
        },
      };
    });
  }

  netnsOf(pid: number): NetnsHandle {
    return holdNetnsOf(pid);
  }

  netnsPin(name: string, opts: { ipv6?: boolean } = {}): Promise<string> {
    return phase('netns.pin', () => this.pinned.pin(name, opts.ipv6 ?? false));
  }

  netnsUnpin(name: string): Promise<boolean> {
    return this.pinned.unpin(name);
  }

  netnsPinned(): Promise<string[]> {
    return this.pinned.list();
  }

  batchIn(netnsPath: string, tool: BatchTool): NetnsBatch {
    return new CoalescingBatch(netnsPath, tool);
  }

  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    return phase(`run.${argv[0] ?? ''}`, () => run(argv, opts));
  }

  runIn(netnsPath: string, argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    return phase(`run.${argv[0] ?? ''}`, () => run(netnsArgv(netnsPath, argv), opts));
  }

  launch(argv: readonly string[], opts: LaunchOptions & { netnsPath?: string } = {}): SpawnedProcess {
    const { netnsPath, ...rest } = opts;
    return launch(netnsPath ? netnsArgv(netnsPath, argv) : argv, rest);
  }

  spawnIpc(argv: readonly string[], opts: { netnsPath?: string; env: Record<string, string> }): BrokeredChild {
    return this.broker.spawn(opts.netnsPath ? netnsArgv(opts.netnsPath, argv) : argv, opts.env);
  }

  spawnNodeHelper(script: string, args: readonly string[], nodeFlags?: readonly string[]): NodeHelper {
    return spawnNodeHelper(script, args, nodeFlags);
  }

  zstdDecoder(): Duplex {
    return zstdDecoder();
  }

  close(): void {
    this.batch.close();
    this.nftSession.close();
    this.spare.close();
    for (const waiting of this.firstBatchIn.values()) waiting.stdin?.end();
    this.firstBatchIn.clear();
  }
}
