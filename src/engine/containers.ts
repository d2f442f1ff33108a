// Containers: create, find, list, remove, and network connect/disconnect. Start/stop/exit live
// in container-lifecycle.ts. Every check a request can fail is made at create or connect time,
// before anything is reserved (Docker ≥ 25 validates early too).
import { conflict, forbidden, invalid, notFound, TetherError } from '../errors.js';
import { checkRequestedAddresses } from '../ipam/address-allocator.js';
import { poolConfigFromRecord } from '../ipam/network-config.js';
import type { Store } from '../store/store.js';
import type { ContainerNetworking } from './container-network.js';
import type { ContainerRecord, CreateContainerRequest, WantedAttachment } from '../model/container.js';
import { newId, nowRfc3339Nano } from '../model/ids.js';
import { checkContainerName, randomContainerName } from './names.js';
import type { Networks } from './networks.js';
import type { RuntimePort } from './runtime-port.js';
import type { Endpoints } from './endpoints.js';
import type { ConnectRequest, DisconnectRequest } from '../model/endpoint.js';
import type { NetworkRecord } from '../model/network.js';
import type { StackKind } from '../drivers/driver.js';

const HOST_NET_ERR = 'container cannot be disconnected from host network or connected to host network';

export class Containers {
  constructor(
    private readonly store: Store,
    private readonly networks: Networks,
    private readonly networking: ContainerNetworking,
    private readonly runtime: RuntimePort,
    private readonly endpoints: Endpoints,
  ) {}

  /** Docker's lookup: full id, exact name, then unique id prefix. */
  async find(ref: string): Promise<ContainerRecord> {
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    const exact = (await this.store.container(ref)) ?? (await this.store.containerByName(name));
    if (exact) return exact.doc;
    return byIdPrefix(ref.length > 0 ? (await this.store.containers()).map((r) => r.doc) : [], ref);
  }

  /** find() for create: a missing container is the request's fault (400); see asInvalid. */
  private findForCreate(ref: string): Promise<ContainerRecord> {
    return asInvalid(() => this.find(ref));
  }

  tryFind(ref: string): Promise<ContainerRecord | undefined> {
    return this.find(ref).catch(() => undefined);
  }

  async list(): Promise<ContainerRecord[]> {
    return (await this.store.containers()).map((r) => r.doc).sort((a, b) => b.created.localeCompare(a.created));
  }

  /** dockerd's generateNewName: six random tries, then the short id. */
  private async freeName(id: string): Promise<string> {
    for (let retry = 0; retry < 6; retry++) {
      const name = randomContainerName(retry);
      if (!(await this.store.containerByName(name))) return name; // not find(): a miss would scan for id prefixes
    }
    return id.slice(0, 12);
  }

  save(c: ContainerRecord): Promise<void> {
    return this.store.putContainer(c, 'ready');
  }

  async create(req: CreateContainerRequest): Promise<{ id: string; warnings: string[] }> {
    const image = await this.runtime.resolveImage(req.config.image);
    const id = newId();
    const name = req.name ? checkContainerName(req.name) : await this.freeName(id);
    const warnings: string[] = [];
    const hc = { ...req.hostConfig };
    const mode = hc.networkMode || 'default';
    let wanted: WantedAttachment[] = [];
    let primaryStack: StackKind = 'sandbox';
    let legacyBridge = false;

    if (mode.startsWith('container:')) {
      checkContainerModeConflicts(req);
      const target = await this.findForCreate(mode.slice('container:'.length));
      hc.networkMode = `container:${target.id}`; // stored with the full id (INDEX 02)
    } else {
      const primaryRef = mode === 'default' ? this.networks.drivers.defaultNetwork : mode;
      const primary = await asInvalid(() => this.networks.find(primaryRef));
      primaryStack = this.networks.drivers.of(primary).stack;
      legacyBridge = this.networks.drivers.isDefaultNetwork(primary);
      const settings = req.endpoints[primaryRef] ?? req.endpoints[mode] ?? req.endpoints[primary.id] ?? emptySettings();
      wanted.push(this.wantFor(primary, settings));
      for (const [ref, s] of Object.entries(req.endpoints)) {
        if (ref === primaryRef || ref === mode || ref === primary.id) continue;
        const net = await asInvalid(() => this.networks.find(ref));
        if (primaryStack !== 'sandbox') {
          throw invalid('container cannot be connected to multiple networks with one of the networks in private (none) mode', 'container.privateMode');
        }
        wanted.push(this.wantFor(net, s));
      }
      if (primaryStack === 'host' && Object.keys(hc.portBindings).length > 0) warnings.push('Published ports are discarded when using host network mode');
    }
    wanted = dedupe(wanted);
    // Docker checks link targets only for the default bridge, where a link is /etc/hosts and env
    // made at start. On a user network a link is a name the resolver answers once the target
    // exists, so a target created later (compose's order) is fine.
    for (const link of legacyBridge ? hc.links : []) {
      const target = link.split(':')[0] ?? '';
      if (!(await this.tryFind(target))) throw invalid(`could not get container for ${target}: No such container: ${target}`, 'link.notFound');
    }

    const exposed = new Set([...image.exposedPorts, ...req.config.exposedPorts, ...Object.keys(hc.portBindings)]);
    const c: ContainerRecord = {
      id,
      name,
      created: nowRfc3339Nano(),
      config: {
        ...req.config,
        imageId: image.id,
        env: [...image.env.filter((e) => !req.config.env.some((u) => u.split('=')[0] === e.split('=')[0])), ...req.config.env],
        cmd: req.config.cmd.length > 0 || req.config.entrypoint.length > 0 ? req.config.cmd : image.cmd,
        entrypoint: req.config.entrypoint.length > 0 ? req.config.entrypoint : image.entrypoint,
        workingDir: req.config.workingDir || image.workingDir,
        hostname: req.config.hostname || (primaryStack === 'host' ? '' : id.slice(0, 12)),
        exposedPorts: [...exposed],
      },
      hostConfig: hc,
      networks: wanted,
      nextIfIndex: 0,
      state: { status: 'created', pid: 0, exitCode: 0, error: '', startedAt: '0001-01-01T00:00:00Z', finishedAt: '0001-01-01T00:00:00Z' },
    };
    c.config.hostname = this.networking.hostname(c, primaryStack);
    await this.store.putContainer(c, 'ready'); // a taken name is Docker's 409 here
    return { id, warnings };
  }

  /** Docker's rename: the record, and the names its running endpoints answer to. */
  async rename(ref: string, newName: string | null): Promise<void> {
    const c = await this.find(ref);
    if (!newName) throw invalid('Neither old nor new names may be empty', 'container.rename');
    const name = checkContainerName(newName);
    if (name === c.name) throw invalid('Renaming a container with the same name as its current name', 'container.rename');
    const old = c.name;
    await this.save({ ...c, name }); // a taken name is the store's 409
    await this.endpoints.rename(c.id, old, name);
  }

  /** Docker's `DELETE /containers/<parent>/<alias>?link=1`: the parent forgets one legacy link. */
  async removeLink(parentRef: string, alias: string): Promise<void> {
    const c = await this.find(parentRef);
    const links = c.hostConfig.links.filter((l) => (l.split(':')[1] ?? l.split(':')[0]) !== alias);
    if (links.length === c.hostConfig.links.length) throw notFound(`No such container: ${parentRef}/${alias}`, 'container.notFound');
    const updated = { ...c, hostConfig: { ...c.hostConfig, links } };
    await this.save(updated);
    await this.networking.linksChanged(updated);
  }

  async remove(ref: string, opts: { force: boolean; stop: (c: ContainerRecord) => Promise<void> }): Promise<void> {
    const c = await this.find(ref);
    if (c.state.status === 'running' || c.state.status === 'paused') {
      if (!opts.force) {
        throw conflict(`You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`, 'container.running');
      }
      await opts.stop(c);
    }
    await this.networking.down(c);
    await this.runtime.remove(c.id);
    await this.store.deleteContainer(c.id);
  }

  async connect(networkRef: string, req: ConnectRequest): Promise<void> {
    const net = await this.networks.find(networkRef);
    const c = await this.find(req.container);
    const mode = c.hostConfig.networkMode;
    if (mode.startsWith('container:')) {
      throw invalid('container sharing network namespace with another container or host cannot be connected to any other network', 'container.sharedNetns');
    }
    const netStack = this.networks.drivers.of(net).stack;
    const ownStack = await this.networking.stackOf(c);
    if (netStack === 'host' || ownStack === 'host') throw invalid(HOST_NET_ERR, 'container.hostNetwork');
    if (netStack === 'loopback' || ownStack === 'loopback') {
      throw invalid('container cannot be connected to multiple networks with one of the networks in private (none) mode', 'container.privateMode');
    }
    const { container: _ignored, ...settings } = req;
    // dockerd's connect adds the short id to a user network's aliases at once, running or not
    // (05: a created container connected shows it); create's own networks get it at start.
    const aliases = net.predefined ? settings.aliases : [...new Set([...settings.aliases, c.id.slice(0, 12)])];
    const want = this.wantFor(net, { ...settings, aliases });
    if (c.networks.some((w) => w.networkId === net.id)) {
      throw forbidden(`endpoint with name ${c.name} already exists in network ${net.name}`, 'endpoint.exists');
    }
    await this.networking.connect(c, want, c.state.status === 'running');
    await this.save(c);
  }

  async disconnect(networkRef: string, req: DisconnectRequest): Promise<void> {
    const net = await this.networks.find(networkRef);
    const c = await this.find(req.container);
    const netStack = this.networks.drivers.of(net).stack;
    if (netStack === 'host') throw invalid(HOST_NET_ERR, 'container.hostNetwork');
    if (netStack === 'loopback' && (await this.networking.stackOf(c)) === 'loopback') return; // Docker: silently fine
    await this.networking.disconnect(c, net, c.state.status === 'running');
    await this.save(c);
  }

  private wantFor(net: NetworkRecord, s: Omit<WantedAttachment, 'networkId'>): WantedAttachment {
    if (net.configOnly) throw forbidden('cannot create endpoint on configuration-only network', 'network.configOnly');
    if (net.predefined && s.aliases.length > 0) {
      throw invalid('network-scoped alias is supported only for containers in user defined networks', 'endpoint.alias');
    }
    if (net.predefined && (s.ipv4 || s.ipv6)) {
      throw invalid('user specified IP address is supported on user defined networks only', 'ipam.staticOnDefault');
    }
    if ((s.ipv4 || s.ipv6) && net.pools.every((p) => p.poolAssigned)) {
      throw invalid('user specified IP address is supported only when connecting to networks with user configured subnets', 'ipam.staticOnPoolNetwork');
    }
    checkRequestedAddresses(net.pools.map(poolConfigFromRecord), s);
    return { networkId: net.id, ...s };
  }
}

/** find() over a list read already (a whole listing's filters look up several refs). */
export function findContainerIn(list: readonly ContainerRecord[], ref: string): ContainerRecord {
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  return list.find((c) => c.id === ref || c.name === name) ?? byIdPrefix(list, ref);
}

function byIdPrefix(list: readonly ContainerRecord[], ref: string): ContainerRecord {
  const matches = ref.length > 0 ? list.filter((c) => c.id.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw invalid(`multiple IDs found with provided prefix: ${ref}`, 'container.ambiguous');
  throw notFound(`No such container: ${ref}`, 'container.notFound');
}

function emptySettings(): Omit<WantedAttachment, 'networkId'> {
  return { aliases: [], links: [], driverOpts: {} };
}

function dedupe(w: WantedAttachment[]): WantedAttachment[] {
  return w.filter((a, i) => w.findIndex((b) => b.networkId === a.networkId) === i);
}

/** Docker's daemon-side conflicts for `--network container:X` (INDEX 02). */
function checkContainerModeConflicts(req: CreateContainerRequest): void {
  const hc = req.hostConfig;
  const fail = (what: string): never => {
    throw invalid(`conflicting options: ${what}`, 'container.modeConflict');
  };
  if (Object.keys(hc.portBindings).length > 0 || hc.publishAllPorts) fail('port publishing and the container type network mode');
  if (req.config.exposedPorts.length > 0) fail('port exposing and the container type network mode');
  if (hc.dns.length > 0) fail('dns and the network mode');
  if (req.config.hostname) fail('hostname and the network mode');
  if (hc.extraHosts.length > 0) fail('custom host-to-IP mapping and the network mode');
  if (Object.values(req.endpoints).some((e) => e.mac)) fail('mac-address and the network mode');
  if (hc.links.length > 0) fail("container type network can't be used with links. This would result in undefined behavior");
}

/**
 * At create, a missing network or container is a client mistake answered 400 with Docker's
 * words: a 404 from create makes the docker CLI think the image is missing and try a pull.
 */
async function asInvalid<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TetherError && e.kind === 'notFound') throw invalid(e.message, e.code);
    throw e;
  }
}
