// A Kernel that changes nothing and records what it would have done, for unit tests without root:
// every ip line, nft batch, sysctl and namespace goes to `effects` as text, and the links the ip
// lines make are kept in a small model, so a test can ask what exists (links(), openNetns()) and
// deletes of missing things fail as iproute2's do. Lines are rendered with the real batch
// renderer, so a value the real kernel layer would refuse is refused here too. Resolver socket
// children are answered with real sockets on 127.0.0.1 (any port), and Node helpers (the resolver
// process) are the real ones, which need no root: DNS logic runs unchanged.
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { internal } from '../errors.js';
import type { RunResult } from './exec.js';
import { BrokeredChild } from './ipc-broker.js';
import { renderLine, throwFirst, type IpLine } from './ip-batch.js';
import type { BatchTool, Kernel, LinkInfo, NetnsBatch, NetnsHandle } from './kernel.js';
import { spawnNodeHelper, type NodeHelper } from './node-helper.js';
import type { SpawnedProcess } from './spawner.js';

interface FakeLink {
  ifname: string;
  kind: string;
  /** '' for the daemon's own namespace. */
  netns: string;
  peer?: { ifname: string; netns: string };
  master?: string;
  alias?: string;
  /** The parent of a sub-interface (`<netns> <name>`): deleting the parent deletes it. */
  lower?: string;
  up: boolean;
  mtu: number;
  /** CIDRs, in the order added. */
  addrs: string[];
}

const HOST = '';

export class FakeKernel implements Kernel {
  /** Everything done, in order: `ip: …`, `ip <netns>: …`, `nft: …`, `sysctl: k=v`, `netns: create|close <path>`, `run: …`. */
  readonly effects: string[] = [];
  /** What `ip route show table all` lists (destinations), for host-route avoidance. */
  hostRoutes: string[] = [];
  /** Link kinds this kernel lacks (e.g. ipvlan, vlan, as on a kernel without those modules). */
  readonly missingKinds = new Set<string>();
  private readonly linkTable = new Map<string, FakeLink>();
  private readonly sysctls = new Map<string, string>();
  private readonly namespaces = new Set<string>();
  private readonly pins = new Set<string>();
  /** Neighbour and FDB entries by namespace: `<key> dev <link>` → the rest of the line. */
  private readonly entries = new Map<string, Map<string, string>>();
  private nextNetns = 1;

  async ip(lines: readonly IpLine[]): Promise<void> {
    throwFirst(lines, this.apply(HOST, lines));
  }

  async ipTry(lines: readonly IpLine[]): Promise<Map<number, string>> {
    return this.apply(HOST, lines);
  }

  async ipIn(netnsPath: string, lines: readonly IpLine[]): Promise<void> {
    if (!this.namespaces.has(netnsPath)) throw internal(`ip in ${netnsPath}: no such namespace`);
    throwFirst(lines, this.apply(netnsPath, lines));
  }

  async ipJson<T>(args: readonly string[], netnsPath?: string): Promise<T> {
    if (args.includes('link')) return (await this.links(netnsPath)) as T;
    if (args[0] === 'addr') {
      const dev = args[args.indexOf('dev') + 1];
      const links = (await this.links(netnsPath)).filter((l) => !args.includes('dev') || l.ifname === dev);
      return links.map((l) => ({
        ...l,
        addr_info: this.linkTable.get(`${netnsPath ?? HOST} ${l.ifname}`)!.addrs.map((cidr) => {
          const [local, prefixlen] = cidr.split('/');
          return { family: local!.includes(':') ? 'inet6' : 'inet', local, prefixlen: Number(prefixlen) };
        }),
      })) as T;
    }
    if (args[0] === 'route') return [] as T; // routes are recorded in effects, not modelled
    throw internal(`fake kernel: ip -j ${args.join(' ')} is not modelled`);
  }

  async links(netnsPath = HOST): Promise<LinkInfo[]> {
    return [...this.linkTable.values()]
      .filter((l) => l.netns === netnsPath)
      .map((l, i) => ({
        ifname: l.ifname,
        ifindex: i + 2,
        mtu: l.mtu,
        operstate: l.up ? 'UP' : 'DOWN',
        linkinfo: { info_kind: l.kind },
        ...(l.master ? { master: l.master } : {}),
        ...(l.alias ? { ifalias: l.alias } : {}),
      }));
  }

  async link(name: string): Promise<LinkInfo | undefined> {
    return (await this.links()).find((l) => l.ifname === name);
  }

  async routeDestinations(): Promise<string[]> {
    return [...this.hostRoutes];
  }

  async nft(batch: string, netnsPath?: string): Promise<void> {
    this.effects.push(`nft${netnsPath ? ` ${netnsPath}` : ''}: ${batch}`);
  }

  async nftCmd(args: readonly string[], netnsPath?: string): Promise<RunResult> {
    this.effects.push(`nft${netnsPath ? ` ${netnsPath}` : ''}: ${args.join(' ')}`);
    return { code: 0, stdout: '', stderr: '' };
  }

  async sysctl(key: string, value: string, netnsPath?: string): Promise<void> {
    this.effects.push(`sysctl${netnsPath ? ` ${netnsPath}` : ''}: ${key}=${value}`);
    if (!netnsPath) this.sysctls.set(key, value);
  }

  async readSysctl(key: string): Promise<string> {
    return this.sysctls.get(key) ?? '0';
  }

  async netnsCreate(): Promise<NetnsHandle> {
    return this.hold(`/fake/netns/${this.nextNetns++}`);
  }

  netnsOf(pid: number): NetnsHandle {
    return this.hold(`/proc/${pid}/ns/net`);
  }

  async netnsPin(name: string): Promise<string> {
    const path = `/fake/pinned/${name}`;
    if (!this.pins.has(name)) {
      this.pins.add(name);
      this.namespaces.add(path);
      this.effects.push(`netns: pin ${path}`);
    }
    return path;
  }

  async netnsUnpin(name: string): Promise<boolean> {
    if (!this.pins.delete(name)) return false;
    this.release(`/fake/pinned/${name}`);
    return true;
  }

  async netnsPinned(): Promise<string[]> {
    return [...this.pins].sort();
  }

  /** Lines go to the same model (`ip`) or to the neighbour/FDB entries (`bridge`), recorded by tool. */
  batchIn(netnsPath: string, tool: BatchTool): NetnsBatch {
    return {
      exec: async (lines) => {
        if (!this.namespaces.has(netnsPath)) throw internal(`${tool} batch in ${netnsPath}: no such namespace`);
        return this.apply(netnsPath, lines, tool);
      },
      close: () => this.effects.push(`${tool} ${netnsPath}: closed`),
    };
  }

  /** Neighbour (`neigh`) or FDB (`fdb`) entries in a namespace, as their lines after the verb. */
  neighbours(netnsPath: string, kind: 'neigh' | 'fdb'): string[] {
    return [...(this.entries.get(netnsPath) ?? new Map<string, string>())].filter(([k]) => k.startsWith(`${kind} `)).map(([, v]) => v).sort();
  }

  /** Namespaces held and not yet let go: a test can check nothing leaked. */
  openNetns(): string[] {
    return [...this.namespaces];
  }

  async run(argv: readonly string[]): Promise<RunResult> {
    this.effects.push(`run: ${argv.join(' ')}`);
    return { code: 0, stdout: '', stderr: '' };
  }

  async runIn(netnsPath: string, argv: readonly string[]): Promise<RunResult> {
    this.effects.push(`run ${netnsPath}: ${argv.join(' ')}`);
    return { code: 0, stdout: '', stderr: '' };
  }

  launch(argv: readonly string[]): SpawnedProcess {
    throw internal(`fake kernel: no process is started (${argv.join(' ')})`);
  }

  zstdDecoder(): never {
    throw internal('fake kernel: no zstd process is started');
  }

  spawn(argv: readonly string[]): never {
    throw internal(`fake kernel: no process is started (${argv.join(' ')})`);
  }

  /** The resolver's socket child: real sockets on loopback, handed over as the child would. */
  spawnIpc(argv: readonly string[], opts: { netnsPath?: string }): BrokeredChild {
    this.effects.push(`spawnIpc${opts.netnsPath ? ` ${opts.netnsPath}` : ''}: ${argv.slice(1).join(' ')}`);
    const child = new BrokeredChild(0, () => undefined);
    const udp = createSocket('udp4');
    const tcp: Server = createServer();
    udp.bind(0, '127.0.0.1', () =>
      tcp.listen(0, '127.0.0.1', () => {
        child.emit('message', { kind: 'udp' }, udp);
        child.emit('message', { kind: 'tcp' }, tcp);
        child.emit('exit', 0);
      }),
    );
    return child;
  }

  spawnNodeHelper(script: string, args: readonly string[], nodeFlags?: readonly string[]): NodeHelper {
    return spawnNodeHelper(script, args, nodeFlags);
  }

  close(): void {}

  private hold(path: string): NetnsHandle {
    this.namespaces.add(path);
    this.effects.push(`netns: create ${path}`);
    return {
      path,
      close: () => {
        if (this.namespaces.has(path)) this.release(path);
      },
    };
  }

  /** A namespace let go takes its links with it (their peers elsewhere too) and its entries. */
  private release(path: string): void {
    this.namespaces.delete(path);
    this.entries.delete(path);
    this.effects.push(`netns: close ${path}`);
    for (const l of [...this.linkTable.values()]) if (l.netns === path) this.dropLink(l);
  }

  private apply(netns: string, lines: readonly IpLine[], tool: BatchTool = 'ip'): Map<number, string> {
    const failed = new Map<number, string>();
    lines.forEach((line, i) => {
      const text = renderLine(line);
      this.effects.push(`${tool}${netns ? ` ${netns}` : ''}: ${text}`);
      const a = line.map(String);
      const why = tool === 'bridge' || a[0] === 'neigh' ? this.entry(netns, a) : this.model(netns, a);
      if (why) failed.set(i, why);
    });
    return failed;
  }

  /** Applies one line to the link model; returns iproute2's error text when it would fail. */
  private model(netns: string, a: string[]): string | undefined {
    const at = (word: string): string | undefined => {
      const i = a.indexOf(word);
      return i < 0 ? undefined : a[i + 1];
    };
    const key = (name: string, ns = netns): string => `${ns} ${name}`;
    if (a[0] === 'link' && a[1] === 'add') {
      const name = at('name')!;
      const kind = at('type') ?? '';
      if (this.missingKinds.has(kind)) return 'Error: Unknown device type.';
      // `link add link <parent> …`: a sub-interface of a parent in this namespace.
      const parent = a[2] === 'link' ? a[3] : undefined;
      if (parent !== undefined && !this.linkTable.has(key(parent))) return `Cannot find device "${parent}"`;
      const peerName = a.includes('peer') ? a[a.indexOf('peer') + 2] : undefined;
      const peerNs = at('netns') ?? netns;
      // Without a peer, `netns` puts the new link itself there (created in place, named there).
      const ns = peerName ? netns : peerNs;
      if (ns !== HOST && !this.namespaces.has(ns)) return `Invalid "netns" value "${ns}"`;
      if (this.linkTable.has(key(name, ns))) return 'RTNETLINK answers: File exists';
      const mtu = Number(at('mtu') ?? 1500);
      const link: FakeLink = { ifname: name, kind, netns: ns, up: false, mtu, addrs: [], ...(parent !== undefined ? { lower: key(parent) } : {}) };
      if (peerName) {
        if (peerNs !== HOST && !this.namespaces.has(peerNs)) return `Invalid "netns" value "${peerNs}"`;
        link.peer = { ifname: peerName, netns: peerNs };
        this.linkTable.set(key(peerName, peerNs), { ifname: peerName, kind, netns: peerNs, peer: { ifname: name, netns }, up: false, mtu, addrs: [] });
      }
      this.linkTable.set(key(name, ns), link);
      return undefined;
    }
    const dev = at('dev');
    if (dev === undefined) return undefined; // routes without a device, show commands: recorded only
    const link = this.linkTable.get(key(dev));
    if (!link) return `Cannot find device "${dev}"`;
    if (a[0] === 'link' && a[1] === 'del') this.dropLink(link);
    else if (a[0] === 'link' && a[1] === 'set') {
      if (a.includes('up')) link.up = true;
      const master = at('master');
      if (master) link.master = master;
      const alias = at('alias');
      if (alias) link.alias = alias;
      const to = at('netns');
      if (to !== undefined) {
        if (!this.namespaces.has(to)) return `Invalid "netns" value "${to}"`;
        this.linkTable.delete(key(dev));
        link.netns = to;
        this.linkTable.set(key(dev, to), link);
      }
    } else if (a[0] === 'addr' && (a[1] === 'add' || a[1] === 'replace')) {
      if (link.addrs.includes(a[2]!)) return a[1] === 'add' ? 'RTNETLINK answers: File exists' : undefined;
      link.addrs.push(a[2]!);
    }
    return undefined;
  }

  /**
   * `neigh replace|del <ip> … dev <link>` and `fdb replace|del <mac> dev <link> …`: the entries a
   * vxlan device answers and forwards by; a delete of a missing one fails as the kernel's does.
   */
  private entry(netns: string, a: string[]): string | undefined {
    const dev = a[a.indexOf('dev') + 1];
    if (!this.linkTable.has(`${netns} ${dev}`)) return `Cannot find device "${dev}"`;
    const table = this.entries.get(netns) ?? new Map<string, string>();
    this.entries.set(netns, table);
    const key = `${a[0]} ${a[2]} dev ${dev}`;
    if (a[1] === 'del') return table.delete(key) ? undefined : 'RTNETLINK answers: No such file or directory';
    table.set(key, `${a[2]} ${a.slice(3).join(' ')}`);
    return undefined;
  }

  private dropLink(l: FakeLink): void {
    const k = `${l.netns} ${l.ifname}`;
    this.linkTable.delete(k);
    const table = this.entries.get(l.netns);
    for (const key of [...(table?.keys() ?? [])]) if (key.endsWith(` dev ${l.ifname}`)) table!.delete(key);
    for (const child of [...this.linkTable.values()]) if (child.lower === k) this.dropLink(child);
    if (l.peer) this.linkTable.delete(`${l.peer.netns} ${l.peer.ifname}`);
  }
}
