// A container's network side: its sandbox, its endpoints and its /etc files, built at start,
// changed by connect/disconnect while it runs, and torn down at stop. Every step that succeeds
// registers its undo, so a failed start leaves no netns, veth or lease behind.
import { phase } from '../model/trace.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { invalid, notFound } from '../errors.js';
import type { StackKind } from '../drivers/driver.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { Logger } from '../model/logger.js';
import type { Resolver } from '../dns/resolver.js';
import type { Store } from '../store/store.js';
import type { DaemonConfig } from '../model/config.js';
import type { ContainerRecord, WantedAttachment } from '../model/container.js';
import type { EndpointRecord } from '../model/endpoint.js';
import type { NetworkRecord } from '../model/network.js';
import type { Endpoints, SandboxRef } from './endpoints.js';
import { hostsFile, resolvConf, type HostsEntry } from './etc-files.js';
import type { NetnsChoice } from './runtime-port.js';
import type { Sandboxes } from './sandboxes.js';
import type { SandboxPool } from './sandbox-pool.js';
import type { SandboxDnsOptions } from '../dns/resolver.js';
import { Undo } from './undo.js';

export interface EtcPaths {
  hosts: string;
  resolvConf: string;
  hostname: string;
}

export class ContainerNetworking {
  constructor(
    private readonly store: Store,
    private readonly endpoints: Endpoints,
    private readonly sandboxes: Sandboxes,
    private readonly config: DaemonConfig,
    private readonly log: Logger,
    private readonly lookupContainer: (id: string) => Promise<ContainerRecord | undefined>,
    private readonly dns: Resolver,
    private readonly pool: SandboxPool,
    private readonly drivers: DriverRegistry,
  ) {}

  etcPaths(c: ContainerRecord): EtcPaths {
    const dir = join(this.config.dataRoot, 'containers', sharedOwner(c) ?? c.id); // container:X uses X's files (INDEX 02)
    return { hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf'), hostname: join(dir, 'hostname') };
  }

  /** The stack its first network's driver gives a container; its own sandbox when it has no network. */
  async stackOf(c: ContainerRecord): Promise<StackKind> {
    const first = c.networks[0];
    const net = first && (await this.store.network(first.networkId))?.doc;
    return net ? this.drivers.of(net).stack : 'sandbox';
  }

  hostname(c: ContainerRecord, stack: StackKind): string {
    if (stack === 'host') return c.config.hostname || osHostname();
    return c.config.hostname || c.id.slice(0, 12);
  }

  /**
   * Where the running container's network namespace can be entered: '' when stopped or in
   * another container's; for the host's stack, where dockerd names the host's namespace
   * (".../netns/default"); else the process's own link (ours are held by open files).
   */
  async sandboxKey(c: ContainerRecord): Promise<string> {
    if ((c.state.status !== 'running' && c.state.status !== 'paused') || sharedOwner(c)) return '';
    return (await this.stackOf(c)) === 'host' ? join(this.config.execRoot, 'netns', 'default') : `/proc/${c.state.pid}/ns/net`;
  }

  /** Whether the container's first network is Docker's default one, where legacy links live. */
  async onDefaultNetwork(c: ContainerRecord): Promise<boolean> {
    const first = c.networks[0];
    const net = first && (await this.store.network(first.networkId))?.doc;
    return !!net && this.drivers.isDefaultNetwork(net);
  }

  /** The running container's address on the default network, if it is there. */
  async defaultNetworkIpv4(c: ContainerRecord): Promise<string | undefined> {
    return (await this.attached(c)).find(({ net }) => this.drivers.isDefaultNetwork(net))?.ep.ipv4;
  }

  /** Whether the container runs in a namespace of its own (not the host's, not another container's). */
  async ownsSandbox(c: ContainerRecord): Promise<boolean> {
    return !sharedOwner(c) && (await this.stackOf(c)) !== 'host';
  }

  /**
   * Builds the network side for a start. `alongside` (the runtime's create) runs in parallel with
   * the links and the resolver sockets, as soon as the namespace exists: the process is created
   * while the network is made, and started only after both are done.
   */
  async up<T>(c: ContainerRecord, alongside: (netns: NetnsChoice) => Promise<T>): Promise<T> {
    const ownerId = sharedOwner(c);
    if (ownerId) {
      const shared = await this.lookupContainer(ownerId);
      if (!shared) throw notFound(`No such container: ${ownerId}`, 'container.notFound');
      if (!this.sandboxes.exists(shared.id) || shared.state.status !== 'running') {
        throw invalid(`cannot join network of a non running container: ${shared.id}`, 'container.notRunning');
      }
      return alongside({ kind: 'path', path: this.sandboxes.ref(shared.id).netnsPath });
    }
    return Undo.run(async (undo) => {
      const isHost = (await this.stackOf(c)) === 'host';
      const wantsDns = !isHost && (await this.usesEmbeddedDns(c.networks));
      const ipv6 = await this.wantsIpv6(c);
      let sb: SandboxRef = { containerId: c.id, netnsPath: '' };
      // A pooled sandbox has its resolver sockets bound already (IPv4-only namespaces).
      const pooled = wantsDns && !ipv6 ? this.pool.take() : undefined;
      if (!isHost) {
        sb = pooled ? this.sandboxes.adopt(c.id, pooled.netns) : await this.sandboxes.create(c.id, ipv6);
        undo.push('sandbox', () => this.sandboxes.delete(c.id));
      }
      await this.writeEtc(c); // the runtime bind-mounts these; they are rewritten in place below
      const other = alongside(isHost ? { kind: 'host' } : { kind: 'path', path: sb.netnsPath });
      const dnsReady = !wantsDns ? undefined : pooled ? this.dns.adoptSandbox(c.id, pooled.sockets, await this.dnsOptions(c)) : this.startDns(c, sb);
      if (dnsReady) undo.push('dns', () => this.dns.removeSandbox(c.id));
      c.nextIfIndex = 0;
      let routed = false;
      try {
        for (const want of c.networks) {
          const ep = await this.endpoints.attach(c, want, sb, c.nextIfIndex++, !routed);
          undo.push(`endpoint ${ep.id}`, () => this.endpoints.detach(ep));
          routed ||= ep.defaultRoute;
        }
      } finally {
        // Settle both before any undo runs: an undo must not race a half-done socket bind or create.
        await Promise.allSettled([dnsReady, other]);
      }
      await dnsReady;
      await this.writeEtc(c);
      return other;
    }, (e) => this.log.error('rollback of container network failed', { container: c.id, error: String(e) }));
  }

  /** Tears the network side down after the process exited; idempotent. */
  async down(c: ContainerRecord): Promise<void> {
    for (const { doc: ep } of await this.store.endpoints({ containerId: c.id })) await this.endpoints.detach(ep);
    if (sharedOwner(c)) return; // the namespace is the owner's (who may be gone already)
    this.dns.removeSandbox(c.id); // an open socket would keep the namespace alive
    this.sandboxes.delete(c.id);
  }

  /** Binds the embedded resolver in a running container's sandbox (start, connect, restart). */
  async startDns(c: ContainerRecord, sb: SandboxRef): Promise<void> {
    if (this.dns.hasSandbox(c.id)) return;
    await phase('dns.sandbox', async () => this.dns.addSandbox(c.id, sb.netnsPath, await this.dnsOptions(c)));
  }

  /** The container's links changed: a running one's resolver answers from the new set. */
  async linksChanged(c: ContainerRecord): Promise<void> {
    this.dns.updateLinks(c.id, await this.dnsOptions(c));
  }

  private async dnsOptions(c: ContainerRecord): Promise<SandboxDnsOptions> {
    // --link at create, and the links given per network at connect (EndpointSettings.Links).
    const links: Array<[string, string]> = [];
    for (const l of [...c.hostConfig.links, ...c.networks.flatMap((w) => w.links)]) {
      const [target, alias] = l.split(':');
      if (!target) continue;
      const other = await this.lookupContainer(target);
      // A target that does not exist yet stays a name: the resolver finds it when it appears.
      links.push([(alias ?? target).toLowerCase(), other?.id ?? target.replace(/^\//, '')]);
    }
    return {
      containerId: c.id,
      hostname: c.config.hostname,
      dnsServers: c.hostConfig.dns.length > 0 ? c.hostConfig.dns : this.config.dns,
      dnsSearch: c.hostConfig.dnsSearch,
      links: Object.fromEntries(links),
    };
  }

  async usesEmbeddedDns(wanted: WantedAttachment[]): Promise<boolean> {
    for (const w of wanted) if ((await this.store.network(w.networkId))?.doc.predefined === false) return true;
    return false;
  }

  /** `network connect`: live when the container runs, remembered for its next start otherwise. */
  async connect(c: ContainerRecord, want: WantedAttachment, running: boolean): Promise<void> {
    if (running) {
      const hasRoute = (await this.store.endpoints({ containerId: c.id })).some((r) => r.doc.defaultRoute);
      const index = c.nextIfIndex++; // consumed when the attach fails past validation (requests are checked before)
      try {
        await this.endpoints.attach(c, want, this.sandboxes.ref(c.id), index, !hasRoute);
        if (await this.usesEmbeddedDns([want])) await this.startDns(c, this.sandboxes.ref(c.id));
      } finally {
        await this.persistIfIndex(c);
      }
    } else if ((await this.store.endpoints({ containerId: c.id })).length > 0 || c.networks.some((w) => w.networkId === want.networkId)) {
      const net = (await this.store.network(want.networkId))!.doc;
      throw invalid(`endpoint with name ${c.name} already exists in network ${net.name}`, 'endpoint.exists');
    }
    c.networks.push(want);
    if (running) {
      await this.writeEtc(c);
      if (want.links.length > 0) await this.linksChanged(c);
    }
  }

  async disconnect(c: ContainerRecord, net: NetworkRecord, running: boolean): Promise<void> {
    const idx = c.networks.findIndex((w) => w.networkId === net.id);
    if (idx < 0) throw notFound(`container ${c.id} is not connected to network ${net.name}`, 'endpoint.notConnected');
    const [gone] = c.networks.splice(idx, 1);
    if (!running) return;
    if (gone && gone.links.length > 0) await this.linksChanged(c);
    const ep = (await this.store.endpoints({ containerId: c.id })).find((r) => r.doc.networkId === net.id)?.doc;
    if (ep) {
      await this.endpoints.detach(ep, this.sandboxes.exists(c.id) ? this.sandboxes.ref(c.id).netnsPath : '');
      if (ep.defaultRoute) await this.moveDefaultRoute(c);
    }
    await this.writeEtc(c);
  }

  /** The endpoints of a running container, with their networks, in attach order. */
  async attached(c: ContainerRecord): Promise<Array<{ ep: EndpointRecord; net: NetworkRecord }>> {
    const out: Array<{ ep: EndpointRecord; net: NetworkRecord }> = [];
    for (const { doc: ep } of await this.store.endpoints({ containerId: c.id })) {
      const net = (await this.store.network(ep.networkId))?.doc;
      if (net) out.push({ ep, net });
    }
    return out.sort((a, b) => Number(a.ep.ifname.slice(3)) - Number(b.ep.ifname.slice(3)));
  }

  private async moveDefaultRoute(c: ContainerRecord): Promise<void> {
    const next = (await this.attached(c)).find(({ ep, net }) => ep.gateway4 && !net.internal);
    if (next) await this.endpoints.takeDefaultRoute(next.ep, next.net, this.sandboxes.ref(c.id));
  }

  private persistIfIndex(c: ContainerRecord): Promise<void> {
    return this.store.tx(async (t) => {
      const row = await t.container(c.id);
      if (row) await t.putContainer({ ...row.doc, nextIfIndex: c.nextIfIndex }, row.status);
    });
  }

  private async wantsIpv6(c: ContainerRecord): Promise<boolean> {
    for (const w of c.networks) if ((await this.store.network(w.networkId))?.doc.pools.some((p) => p.family === 6 && p.active)) return true;
    return false;
  }

  /** Writes hosts, resolv.conf and hostname as Docker would for the current attachments. */
  async writeEtc(c: ContainerRecord): Promise<void> {
    if (sharedOwner(c)) return;
    const paths = this.etcPaths(c);
    await mkdir(join(paths.hosts, '..'), { recursive: true });
    const attached = await this.attached(c);
    const stack = await this.stackOf(c);
    const hostname = this.hostname(c, stack);
    const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    const embeddedDns = attached.some(({ net }) => !net.predefined);
    const hosts = stack === 'host'
      ? await readFile('/etc/hosts', 'utf8').catch(() => hostsFile({ hostname, domainname: '', ownAddresses: [], extra: [] }))
      : hostsFile({
          hostname,
          domainname: c.config.domainname,
          ownAddresses: attached.flatMap(({ ep }) => [ep.ipv4, ep.ipv6].filter((a): a is string => !!a)),
          extra: [...(await this.extraHosts(c)), ...(await this.linkEntries(c, attached))],
        });
    await Promise.all([
      writeFile(paths.hosts, hosts),
      writeFile(paths.resolvConf, resolvConf({ hostResolvConf: hostResolv, embeddedDns, dns: c.hostConfig.dns.length > 0 ? c.hostConfig.dns : this.config.dns, dnsSearch: c.hostConfig.dnsSearch, dnsOptions: c.hostConfig.dnsOptions })),
      writeFile(paths.hostname, `${hostname}\n`),
    ]);
  }

  private async extraHosts(c: ContainerRecord): Promise<HostsEntry[]> {
    const gw = (await this.store.networkByName(this.drivers.defaultNetwork))?.doc.pools[0]?.gateway ?? '';
    return c.hostConfig.extraHosts.map((h) => {
      const sep = h.indexOf(':');
      const ip = h.slice(sep + 1);
      return { ip: ip === 'host-gateway' ? gw : ip, names: [h.slice(0, sep)] };
    });
  }

  /** Legacy links on the default bridge: `ip\talias shortid name` for running targets there. */
  private async linkEntries(c: ContainerRecord, attached: Array<{ ep: EndpointRecord; net: NetworkRecord }>): Promise<HostsEntry[]> {
    if (!attached.some(({ net }) => this.drivers.isDefaultNetwork(net))) return [];
    const out: HostsEntry[] = [];
    for (const link of c.hostConfig.links) {
      const [target, alias] = link.split(':');
      const other = target ? await this.lookupContainer(target) : undefined;
      const ip = other && (await this.defaultNetworkIpv4(other));
      if (other && ip) out.push({ ip, names: [...new Set([alias ?? other.name, other.id.slice(0, 12), other.name])] });
    }
    return out;
  }
}

/** The owner's full id for `--network container:<id>` (stored with the full id), else undefined. */
function sharedOwner(c: ContainerRecord): string | undefined {
  return /^container:([0-9a-f]{64})$/.exec(c.hostConfig.networkMode)?.[1];
}
