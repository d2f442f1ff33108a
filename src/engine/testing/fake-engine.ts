// An Engine on fakes, for unit tests that need no root: the memory store, the fake kernel, a
// firewall that records what it is asked, a runtime that starts nothing, ports bound nowhere.
// Everything the engine decides (addresses, links, rules, records) is real and can be checked.
import { mkdtempSync, rmSync } from 'node:fs';
import { internal } from '../../errors.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FirewallState, Firewaller, FwNetwork, PortMapping } from '../../firewall/firewaller.js';
import { PortReservations } from '../../firewall/port-reservations.js';
import { FakeKernel } from '../../kernel/fake-kernel.js';
import { DEFAULT_CONFIG, type DaemonConfig } from '../../model/config.js';
import type { CreateContainerRequest } from '../../model/container.js';
import { silentLogger } from '../../model/logger.js';
import { NETWORK_DEFAULTS, type CreateNetworkRequest } from '../../model/network.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import type { Store } from '../../store/store.js';
import { BUILT_IN, DriverRegistry } from '../../drivers/registry.js';
import type { NetworkDriver } from '../../drivers/driver.js';
import { DefaultPoolPlanner } from '../default-pool-planner.js';
import { Engine, type EngineDeps } from '../engine.js';
import { PortPublisher } from '../port-publisher.js';
import type { ImageInfo, RuntimePort, StartSpec } from '../runtime-port.js';

/** The firewall's calls, and the networks and ports it would hold now. */
export class RecordingFirewall implements Firewaller {
  readonly calls: string[] = [];
  readonly networks = new Map<string, FwNetwork>();
  readonly ports: PortMapping[] = [];
  async init(): Promise<void> {
    this.calls.push('init');
  }
  async setNetwork(net: FwNetwork): Promise<void> {
    this.calls.push(`set ${net.bridge}`);
    this.networks.set(net.id, net);
  }
  async removeNetwork(id: string): Promise<void> {
    this.calls.push(`remove ${id.slice(0, 12)}`);
    this.networks.delete(id);
  }
  async addPorts(ports: readonly PortMapping[]): Promise<void> {
    this.ports.push(...ports);
  }
  async removePorts(ports: readonly PortMapping[]): Promise<void> {
    for (const p of ports) this.ports.splice(this.ports.findIndex((q) => q.hostPort === p.hostPort && q.proto === p.proto), 1);
  }
  async reconcile(state: FirewallState): Promise<void> {
    this.calls.push('reconcile');
    this.networks.clear();
    for (const n of state.networks) this.networks.set(n.id, n);
  }
  async watch(): Promise<void> {}
  async close(): Promise<void> {}
}

/** A runtime whose processes exist only as pids; exit() plays a process ending. */
export class FakeRuntime implements RuntimePort {
  readonly started = new Map<string, StartSpec>();
  private nextPid = 1000;
  private readonly listeners: Array<(id: string, code: number) => void> = [];
  async resolveImage(ref: string): Promise<ImageInfo> {
    return { id: `sha256:${'a'.repeat(64)}`, repoTags: [ref], env: [], cmd: ['sh'], entrypoint: [], workingDir: '', exposedPorts: [] };
  }
  async create(spec: StartSpec): Promise<{ pid: number }> {
    this.started.set(spec.id, spec);
    return { pid: this.nextPid++ };
  }
  async start(): Promise<void> {}
  async abort(id: string): Promise<void> {
    this.started.delete(id);
  }
  async stop(id: string): Promise<void> {
    this.exit(id, 0);
  }
  async kill(id: string): Promise<void> {
    this.exit(id, 137);
  }
  async remove(id: string): Promise<void> {
    this.started.delete(id);
  }
  onExit(listener: (id: string, exitCode: number) => void): void {
    this.listeners.push(listener);
  }
  async recover(): Promise<Map<string, number>> {
    return new Map();
  }
  async exec(): Promise<never> {
    throw internal('fake runtime: no exec');
  }
  attachInput(): never {
    throw internal('fake runtime: no attach');
  }
  async resizeTty(): Promise<void> {}
  logPath(id: string): string {
    return `/nonexistent/${id}.log`;
  }
  exit(id: string, code: number): void {
    for (const l of this.listeners) l(id, code);
  }
}

export interface FakeWorld {
  engine: Engine;
  kernel: FakeKernel;
  firewall: RecordingFirewall;
  runtime: FakeRuntime;
  store: Store;
  config: DaemonConfig;
  /** Another engine on the same store and kernel, as after a daemon restart. */
  restart(): Promise<Engine>;
  close(): Promise<void>;
}

/** Builds and starts an engine on fakes; state files go to a temporary directory. */
export interface FakeExtras {
  /** Drivers beside the built-in ones (a stub global driver). */
  drivers?: readonly NetworkDriver[];
  /** Cluster mode: store must then be the scoped store over this cluster store. */
  cluster?: EngineDeps['cluster'];
}

export async function fakeEngine(over: Partial<DaemonConfig> = {}, kernel = new FakeKernel(), store = createMemoryStore(), extras: FakeExtras = {}): Promise<FakeWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'tether-unit-'));
  const config: DaemonConfig = { ...DEFAULT_CONFIG, dataRoot: join(dir, 'data'), execRoot: join(dir, 'exec'), ...over };
  const firewall = new RecordingFirewall();
  const runtime = new FakeRuntime();
  // A restarted daemon opens the same store again: this engine's close must not end it.
  const kept = new Proxy(store, {
    get: (target, key) => (key === 'close' ? async () => undefined : (Reflect.get(target, key) as unknown)),
  });
  const build = (): Engine => {
    const drivers = new DriverRegistry([...BUILT_IN, ...(extras.drivers ?? [])]);
    const bindNothing = { bind: async () => ({ close: async () => undefined }) };
    return new Engine({
      config,
      store: kept,
      kernel,
      log: silentLogger,
      firewall,
      drivers,
      planner: new DefaultPoolPlanner(config.defaultAddressPools),
      runtime,
      ports: new PortPublisher(firewall, new PortReservations({ start: 32768, end: 60999 }, bindNothing), drivers),
      ...(extras.cluster ? { cluster: extras.cluster } : {}),
    });
  };
  let engine = build();
  await engine.start();
  return {
    get engine() {
      return engine;
    },
    kernel,
    firewall,
    runtime,
    store,
    config,
    async restart() {
      await engine.close();
      engine = build();
      await engine.start();
      return engine;
    },
    async close() {
      await engine.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `docker network create` as the API edge hands it over, with Docker's defaults. */
export function networkRequest(name: string, over: Partial<CreateNetworkRequest> = {}): CreateNetworkRequest {
  return {
    name,
    driver: 'bridge',
    ...NETWORK_DEFAULTS,
    ipamConfig: [],
    options: {},
    labels: {},
    ...over,
  };
}

/** `docker create --network <mode> busybox` as the API edge hands it over. */
export function containerRequest(name: string, networkMode = 'default'): CreateContainerRequest {
  return {
    name,
    config: {
      image: 'busybox',
      cmd: [],
      entrypoint: [],
      env: [],
      workingDir: '',
      user: '',
      tty: false,
      openStdin: false,
      stdinOnce: false,
      attachStdin: false,
      attachStdout: false,
      attachStderr: false,
      hostname: '',
      domainname: '',
      labels: {},
      exposedPorts: [],
    },
    hostConfig: { networkMode, portBindings: {}, publishAllPorts: false, links: [], dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [], autoRemove: false, runtime: '' },
    endpoints: {},
  };
}
