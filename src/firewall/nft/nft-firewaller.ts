// The nftables Firewaller: one `table inet <name>` per daemon. The first call (init/reconcile)
// writes the whole table; after that a network or a port is element adds/deletes in one atomic
// batch. It keeps a mirror of what it programmed, so a failed incremental batch (someone removed
// an element) and a table flushed behind our back are both repaired by one full rebuild.
import type { Logger } from '../../model/logger.js';
import { conflict } from '../../errors.js';
import { formatIp, ipEquals } from '../../ipam/address.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Firewaller, FirewallState, FwNetwork, PortMapping } from '../firewaller.js';
import { elementId, elementLines, networkElements, openElements, portElement, type Element } from './elements.js';
import { rebuildBatch, tableName, USER_CHAIN } from './ruleset.js';
import { ownedStructure } from './table-structure.js';
import { TableWatcher } from './table-watcher.js';
import type { SysctlJournal } from '../sysctl-journal.js';

export type FirewallKernel = Pick<Kernel, 'nft' | 'nftCmd' | 'sysctl' | 'launch'>;

export interface NftFirewallerOptions {
  kernel: FirewallKernel;
  log: Logger;
  /** `--firewall-table`; several daemons (tests) in one namespace need different names. */
  table?: string;
  /** The namespace to program; the daemon's own when undefined (tests pass their test host). */
  netnsPath?: string;
  /** `--ip-forward` (default true): enable IPv4 forwarding, and IPv6 once an IPv6 network exists. */
  ipForward?: boolean;
  /** Where host-wide settings are changed, so `tetherd uninstall` can restore them (the daemon's namespace only). */
  hostSettings?: Pick<SysctlJournal, 'set'>;
}

/** The open elements of the published ports that lead to the container addresses of `touched`. */
function openElementsAt(ports: Map<string, PublishedPort>, touched: readonly PortMapping[]): Element[] {
  const at = (m: PortMapping): boolean => touched.some((t) => ipEquals(t.containerIp, m.containerIp));
  return openElements([...ports.values()].map((p) => p.mapping).filter(at));
}

/** Elements of `a` whose identity is not in `b`. */
function without(a: readonly Element[], b: readonly Element[]): Element[] {
  const ids = new Set(b.map(elementId));
  return a.filter((e) => !ids.has(elementId(e)));
}

interface PublishedPort {
  mapping: PortMapping;
  element: Element;
}

export class NftFirewaller implements Firewaller {
  private readonly kernel: FirewallKernel;
  private readonly log: Logger;
  private readonly table: string;
  private readonly netnsPath: string | undefined;
  private readonly ipForward: boolean;
  private readonly hostSettings: Pick<SysctlJournal, 'set'> | undefined;
  private networks = new Map<string, FwNetwork>();
  private ports = new Map<string, PublishedPort>();
  /** Our part of the table as listed after the last rebuild; undefined before the first. */
  private expected: string | undefined;
  private ipv6Forwarding = false;
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: TableWatcher | undefined;

  constructor(opts: NftFirewallerOptions) {
    this.kernel = opts.kernel;
    this.log = opts.log;
    this.table = tableName(opts.table ?? 'tether');
    this.netnsPath = opts.netnsPath;
    this.ipForward = opts.ipForward ?? true;
    this.hostSettings = opts.hostSettings;
  }

  /**
   * Creates the table and the user chain and touches nothing else: rules and ports left by a
   * previous run keep working until reconcile() (or the first change) rewrites our part.
   */
  init(): Promise<void> {
    return this.serial(async () => {
      if (this.ipForward) await this.hostSysctl('net.ipv4.ip_forward', '1');
      await this.kernel.nft(`add table inet ${this.table}\nadd chain inet ${this.table} ${USER_CHAIN}\n`, this.netnsPath);
    });
  }

  setNetwork(net: FwNetwork): Promise<void> {
    return this.serial(async () => {
      const old = this.networks.get(net.id);
      const before = old ? networkElements(old) : [];
      const after = networkElements(net);
      const next = new Map(this.networks).set(net.id, net);
      // Only the difference: nft refuses deleting and re-adding one interval element in a batch.
      await this.apply(
        [...this.lines('delete', without(before, after)), ...this.lines('add', without(after, before))],
        () => (this.networks = next),
      );
      await this.networkSysctls(net);
    });
  }

  removeNetwork(id: string): Promise<void> {
    return this.serial(async () => {
      const old = this.networks.get(id);
      if (old === undefined) return;
      const next = new Map(this.networks);
      next.delete(id);
      await this.apply(this.lines('delete', networkElements(old)), () => (this.networks = next));
    });
  }

  addPorts(ports: readonly PortMapping[]): Promise<void> {
    return this.serial(async () => {
      const next = new Map(this.ports);
      const added: Element[] = [];
      for (const mapping of ports) {
        const element = portElement(mapping);
        const id = elementId(element);
        const have = next.get(id);
        if (have !== undefined) {
          if (have.element.value === element.value) continue;
          throw conflict(`Bind for ${formatIp(mapping.hostIp)}:${mapping.hostPort} failed: port is already allocated`, 'port.allocated');
        }
        next.set(id, { mapping, element });
        added.push(element);
      }
      added.push(...without(openElementsAt(next, ports), openElementsAt(this.ports, ports)));
      await this.apply(this.lines('add', added), () => (this.ports = next));
    });
  }

  removePorts(ports: readonly PortMapping[]): Promise<void> {
    return this.serial(async () => {
      const next = new Map(this.ports);
      const removed: Element[] = [];
      const gone: PortMapping[] = []; // as published: the caller's container side may differ
      for (const mapping of ports) {
        const have = next.get(elementId(portElement(mapping)));
        if (have === undefined) continue;
        next.delete(elementId(have.element));
        removed.push(have.element);
        gone.push(have.mapping);
      }
      removed.push(...without(openElementsAt(this.ports, gone), openElementsAt(next, gone)));
      await this.apply(this.lines('delete', removed), () => (this.ports = next));
    });
  }

  reconcile(state: FirewallState): Promise<void> {
    return this.serial(async () => {
      const networks = new Map(state.networks.map((n) => [n.id, n]));
      const ports = new Map(state.ports.map((mapping) => {
        const element = portElement(mapping);
        return [elementId(element), { mapping, element }];
      }));
      await this.rebuildWith(() => {
        this.networks = networks;
        this.ports = ports;
      });
      for (const net of networks.values()) await this.networkSysctls(net);
    });
  }

  async watch(): Promise<void> {
    if (this.watcher) return;
    this.watcher = new TableWatcher({
      kernel: this.kernel,
      table: this.table,
      netnsPath: this.netnsPath,
      log: this.log,
      onSuspectChange: () => void this.serial(() => this.repairIfChanged()).catch((e: unknown) => {
        this.log.error('firewall: restoring the table failed', { table: this.table, error: String(e) });
      }),
    });
    this.watcher.start();
  }

  async close(): Promise<void> {
    this.watcher?.stop();
    this.watcher = undefined;
    await this.queue.catch(() => undefined);
  }

  /** The mirror as a state (what a rebuild writes). */
  state(): FirewallState {
    return { networks: [...this.networks.values()], ports: [...this.ports.values()].map((p) => p.mapping) };
  }

  /** Runs kernel work one change at a time, so batches never interleave with a rebuild. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private lines(op: 'add' | 'delete', elements: readonly Element[]): string[] {
    return elementLines(this.table, op, elements);
  }

  /**
   * Applies an incremental batch and then commits the mirror. Before the first rebuild, and when
   * the kernel refuses the batch (an element someone else deleted, a table that is gone), it
   * rebuilds everything from the new mirror instead; the mirror stays as it was if that fails.
   */
  private async apply(lines: readonly string[], commit: () => void): Promise<void> {
    if (lines.length === 0) return commit();
    if (this.expected !== undefined) {
      try {
        await this.kernel.nft(`${lines.join('\n')}\n`, this.netnsPath);
        return commit();
      } catch (e) {
        this.log.warn('firewall: incremental change refused, rebuilding the table', { table: this.table, error: String(e) });
      }
    }
    await this.rebuildWith(commit);
  }

  /** Commits the mirror and writes the whole table from it; puts the mirror back if that fails. */
  private async rebuildWith(commit: () => void): Promise<void> {
    const before = { networks: this.networks, ports: this.ports };
    commit();
    try {
      await this.rebuild();
    } catch (e) {
      Object.assign(this, before);
      throw e;
    }
  }

  /** Writes the whole table from the mirror and remembers how our part of it looks. */
  private async rebuild(): Promise<void> {
    const listing = await this.listTable();
    if (listing === undefined && this.expected !== undefined) {
      this.log.warn('firewall: our table was removed; recreating it with an empty user chain (the user chain rules are lost)', { table: this.table });
    }
    await this.kernel.nft(rebuildBatch(this.table, this.state()), this.netnsPath);
    this.expected = ownedStructure((await this.listTable()) ?? '');
  }

  private async repairIfChanged(): Promise<void> {
    if (this.expected === undefined) return;
    const listing = await this.listTable();
    if (listing !== undefined && ownedStructure(listing) === this.expected) return;
    this.log.warn('firewall: our table was changed behind our back; restoring it', { table: this.table, removed: listing === undefined });
    await this.rebuild();
  }

  private async listTable(): Promise<string | undefined> {
    const r = await this.kernel.nftCmd(['-t', 'list', 'table', 'inet', this.table], this.netnsPath);
    return r.code === 0 ? r.stdout : undefined;
  }

  /**
   * route_localnet lets the host's 127.0.0.1 clients be DNAT'd out of the bridge (the input rule
   * of ruleset.ts closes what it would otherwise open); IPv6 forwarding follows the first IPv6
   * network; br_netfilter's iptables call is what shows bridged traffic to the icc=false rule.
   */
  private async networkSysctls(net: FwNetwork): Promise<void> {
    const families = new Set(net.subnets.map((s) => s.family));
    if (families.has(4)) await this.kernel.sysctl(`net/ipv4/conf/${net.bridge}/route_localnet`, '1', this.netnsPath);
    if (families.has(6) && this.ipForward && !this.ipv6Forwarding) {
      await this.hostSysctl('net.ipv6.conf.all.forwarding', '1');
      this.ipv6Forwarding = true;
    }
    if (!net.icc) {
      for (const v of ['iptables', 'ip6tables']) {
        await this.hostSysctl(`net.bridge.bridge-nf-call-${v}`, '1').catch((e: unknown) => {
          this.log.warn('firewall: br_netfilter is not available; enable_icc=false cannot be enforced', { network: net.id, error: String(e) });
        });
      }
    }
  }

  /** A setting of the whole namespace (not of one of our bridges): journaled when it is the daemon's. */
  private hostSysctl(key: string, value: string): Promise<void> {
    if (this.hostSettings && this.netnsPath === undefined) return this.hostSettings.set(key, value);
    return this.kernel.sysctl(key, value, this.netnsPath);
  }
}
