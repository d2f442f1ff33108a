// A tiny in-memory Engine API (networks, version, info; containers and images live in
// fake-containers.ts / fake-images.ts) on a unix socket, answering the way the
// reference dockerd 20.10 did in /work/shared/reference/docker (status codes, messages, JSON key
// order). Tests drive the CLI against it; the docker parity test drives the real docker CLI too.
// Ids and timestamps are deterministic so two fresh servers give identical answers.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { FakeContainers, type Reply } from './fake-containers.js';
import { FakeImages } from './fake-images.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Net {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: Array<Record<string, unknown>> };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, unknown>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export const VERSION_BODY =
  '{"Platform":{"Name":""},"Components":[{"Name":"Engine","Version":"20.10.24+dfsg1","Details":{"ApiVersion":"1.41","Arch":"amd64","BuildTime":"2026-05-07T21:09:36.000000000+00:00","Experimental":"false","GitCommit":"5d6db84","GoVersion":"go1.19.8","KernelVersion":"6.18.44-fc-v595","MinAPIVersion":"1.12","Os":"linux"}},{"Name":"containerd","Version":"1.6.20~ds1","Details":{"GitCommit":"1.6.20~ds1-1+deb12u3"}},{"Name":"runc","Version":"1.1.5+ds1","Details":{"GitCommit":"1.1.5+ds1-1+deb12u1"}},{"Name":"docker-init","Version":"0.19.0","Details":{"GitCommit":""}}],"Version":"20.10.24+dfsg1","ApiVersion":"1.41","MinAPIVersion":"1.12","GitCommit":"5d6db84","GoVersion":"go1.19.8","Os":"linux","Arch":"amd64","KernelVersion":"6.18.44-fc-v595","BuildTime":"2026-05-07T21:09:36.000000000+00:00"}\n';

export const INFO_BODY =
  '{"ID":"54PT:CSWE:LNDQ:R5TN:4XZZ:2H4J:XNGE:A3S2:KAXS:IMLG:6FC7:6VC6","Containers":0,"ContainersRunning":0,"ContainersPaused":0,"ContainersStopped":0,"Images":2,"Driver":"overlay2","DriverStatus":[["Backing Filesystem","extfs"],["Supports d_type","true"],["Native Overlay Diff","true"],["userxattr","false"]],"Plugins":{"Volume":["local"],"Network":["bridge","host","ipvlan","macvlan","null","overlay"],"Authorization":null,"Log":["awslogs","fluentd","gcplogs","gelf","journald","json-file","local","logentries","splunk","syslog"]},"MemoryLimit":true,"SwapLimit":true,"IPv4Forwarding":true,"BridgeNfIptables":true,"Debug":false,"NFd":27,"OomKillDisable":true,"NGoroutines":40,"SystemTime":"2026-11-23T03:32:20.703437895Z","LoggingDriver":"json-file","CgroupDriver":"cgroupfs","CgroupVersion":"1","NEventsListener":0,"KernelVersion":"6.18.44-fc-v595","OperatingSystem":"Debian GNU/Linux 12 (bookworm)","OSVersion":"12","OSType":"linux","Architecture":"x86_64","IndexServerAddress":"https://index.docker.io/v1/","RegistryConfig":{"AllowNondistributableArtifactsCIDRs":[],"AllowNondistributableArtifactsHostnames":[],"InsecureRegistryCIDRs":["127.0.0.0/8"],"IndexConfigs":{"docker.io":{"Name":"docker.io","Mirrors":[],"Secure":true,"Official":true}},"Mirrors":[]},"NCPU":2,"MemTotal":25276514304,"GenericResources":null,"DockerRootDir":"/var/lib/docker","HttpProxy":"","HttpsProxy":"","NoProxy":"","Name":"vm","Labels":[],"ExperimentalBuild":false,"ServerVersion":"20.10.24+dfsg1","Runtimes":{"io.containerd.runc.v2":{"path":"runc"},"io.containerd.runtime.v1.linux":{"path":"runc"},"runc":{"path":"runc"}},"DefaultRuntime":"runc","Swarm":{"NodeID":"","NodeAddr":"","LocalNodeState":"inactive","ControlAvailable":false,"Error":"","RemoteManagers":null},"LiveRestoreEnabled":false,"Isolation":"","InitBinary":"docker-init","ContainerdCommit":{"ID":"1.6.20~ds1-1+deb12u3","Expected":"1.6.20~ds1-1+deb12u3"},"RuncCommit":{"ID":"1.1.5+ds1-1+deb12u1","Expected":"1.1.5+ds1-1+deb12u1"},"InitCommit":{"ID":"","Expected":""},"SecurityOptions":["name=seccomp,profile=default"],"Warnings":null}\n';

const CONTAINERS: Record<string, string> = {
  'ref-cd-box': '8aee5d848955e0d4f0a4e2852d6a264e7f3983414b78b2d794503895cf40c631',
};

function idFor(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

function network(name: string, over: Partial<Net> = {}): Net {
  return {
    Name: name,
    Id: idFor(`net:${name}`),
    Created: '2026-11-23T01:35:12.117002694Z',
    Scope: 'local',
    Driver: 'bridge',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: {},
    ...over,
  };
}

/** The three predefined networks of a fresh daemon, as in 01-network-ls-inspect. */
function predefined(): Net[] {
  return [
    network('bridge', {
      Id: 'c48056864c901d057ebad6a8e6bf719f979917544c3512f9455c6c1331960c78',
      IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16' }] },
      Options: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': 'docker0',
        'com.docker.network.driver.mtu': '1500',
      },
    }),
    network('host', {
      Id: '899a42ab0660c16f7ab4d68d5bee62c60ccfd49bd94244cc50eba334fde04a99',
      Created: '2026-11-23T01:35:12.104676441Z',
      Driver: 'host',
      IPAM: { Driver: 'default', Options: null, Config: [] },
    }),
    network('none', {
      Id: 'd88de5682cefd7f981c22665d39c48c94a18789ad9480294456ce59aaf0767df',
      Created: '2026-11-23T01:35:12.096303641Z',
      Driver: 'null',
      IPAM: { Driver: 'default', Options: null, Config: [] },
    }),
  ];
}

export class FakeEngine {
  readonly requests: RecordedRequest[] = [];
  networks: Net[] = predefined();
  /** The Api-Version the daemon announces on /_ping. */
  apiVersion = '1.41';
  /** Whether HEAD /_ping is answered (when not, clients must fall back to GET). */
  headPing = true;
  readonly images = new FakeImages();
  readonly containers = new FakeContainers(
    (name) => this.networks.some((n) => n.Name === name || n.Id === name),
    (ref) => this.images.find(ref),
  );
  private server: http.Server | undefined;
  private readonly sockets = new Set<Duplex>();
  private dir: string | undefined;
  socketPath = '';

  get host(): string {
    return `unix://${this.socketPath}`;
  }

  /** Add a user network as if created earlier (deterministic id from its name). */
  add(name: string, over: Partial<Net> = {}): Net {
    const n = network(name, { Created: '2026-11-23T01:54:23.466849972Z', ...over });
    this.networks.push(n);
    return n;
  }

  async start(): Promise<this> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-fake-engine-'));
    this.socketPath = path.join(this.dir, 'engine.sock');
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        this.handle(req.method ?? 'GET', req.url ?? '/', body, res);
      });
    });
    // Open streams (waits, attaches) never end on their own: stop() cuts them.
    this.server.on('connection', (sock: Duplex) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
    // Hijacked calls (attach, exec start) arrive as HTTP upgrades, not as ordinary requests.
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve) => this.server?.listen(this.socketPath, resolve));
    return this;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const sock of this.sockets) sock.destroy();
    await closed;
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Read an upgrade request's body (Content-Length bytes), record it, then hand the socket over. */
  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const length = Number(req.headers['content-length'] ?? 0);
    let buf = head;
    const ready = (): void => {
      socket.removeListener('data', onData);
      const body = buf.subarray(0, length).toString('utf8');
      const rest = buf.subarray(length);
      if (rest.length) socket.unshift(rest);
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://engine');
      const route = decodeURIComponent(/^\/v[\d.]+(\/.*)$/.exec(url.pathname)?.[1] ?? url.pathname);
      if (!this.containers.upgrade(route, url, body, socket)) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n{"message":"page not found"}\n');
      }
    };
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= length) ready();
    };
    if (buf.length >= length) ready();
    else socket.on('data', onData);
  }

  private find(ref: string): Net[] {
    const exact = this.networks.filter((n) => n.Id === ref || n.Name === ref);
    if (exact.length) return exact;
    return this.networks.filter((n) => n.Id.startsWith(ref));
  }

  private handle(method: string, rawUrl: string, body: string, res: http.ServerResponse): void {
    const headers = { 'Api-Version': this.apiVersion, 'Docker-Experimental': 'false', Ostype: 'linux' };
    const send = (status: number, payload?: unknown): void => {
      if (payload === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload) + '\n';
      res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(text);
    };
    const fail = (status: number, message: string): void => send(status, { message });
    const reply: Reply = {
      send,
      fail,
      open: (contentType) => {
        res.writeHead(200, contentType ? { ...headers, 'Content-Type': contentType } : headers);
        res.flushHeaders();
        return res;
      },
    };
    const url = new URL(rawUrl, 'http://engine');
    if (url.pathname === '/_ping' && method === 'HEAD' && !this.headPing) {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname === '/_ping') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(method === 'HEAD' ? undefined : 'OK');
      return;
    }
    const m = /^\/v[\d.]+(\/.*)$/.exec(url.pathname);
    const route = decodeURIComponent(m?.[1] ?? url.pathname);
    const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as Record<string, Record<string, boolean>>;
    const want = (key: string): string[] => Object.keys(filters[key] ?? {});

    if (method === 'GET' && route === '/version') return send(200, VERSION_BODY);
    if (method === 'GET' && route === '/info') return send(200, INFO_BODY);
    if (method === 'GET' && route === '/networks') {
      const builtin = new Set(['bridge', 'host', 'none']);
      const list = this.networks.filter(
        (n) =>
          want('name').every((v) => n.Name.includes(v)) &&
          want('driver').every((v) => n.Driver === v) &&
          want('type').every((v) => (v === 'builtin') === builtin.has(n.Name)) &&
          want('label').every((v) => {
            const [k, val] = v.split('=');
            return k !== undefined && k in n.Labels && (val === undefined || n.Labels[k] === val);
          }),
      );
      return send(200, list.map((n) => ({ ...n, Containers: {} })));
    }
    if (method === 'POST' && route === '/networks/create') {
      const req = JSON.parse(body) as {
        Name: string;
        Driver?: string;
        CheckDuplicate?: boolean;
        EnableIPv6?: boolean;
        Internal?: boolean;
        IPAM?: Net['IPAM'];
        Options?: Record<string, string>;
        Labels?: Record<string, string>;
      };
      if (req.CheckDuplicate && this.networks.some((n) => n.Name === req.Name)) {
        return fail(409, `network with name ${req.Name} already exists`);
      }
      if (req.Name === 'host') return fail(403, 'operation is not permitted on predefined host network');
      const config = req.IPAM?.Config?.length ? req.IPAM.Config : [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }];
      const n = this.add(req.Name, {
        Id: idFor(`net:${req.Name}:${this.networks.length}`),
        Driver: req.Driver || 'bridge',
        EnableIPv6: req.EnableIPv6 === true,
        Internal: req.Internal === true,
        IPAM: { Driver: req.IPAM?.Driver ?? 'default', Options: req.IPAM?.Options ?? null, Config: config },
        Options: req.Options ?? {},
        Labels: req.Labels ?? {},
      });
      return send(201, { Id: n.Id, Warning: '' });
    }
    if (method === 'POST' && route === '/networks/prune') {
      const gone = this.networks.filter(
        (n) =>
          !['bridge', 'host', 'none'].includes(n.Name) &&
          Object.keys(n.Containers).length === 0 &&
          want('label').every((v) => {
            const [k, val] = v.split('=');
            return k !== undefined && n.Labels[k] === val;
          }),
      );
      this.networks = this.networks.filter((n) => !gone.includes(n));
      return send(200, { NetworksDeleted: gone.length ? gone.map((n) => n.Name).reverse() : null });
    }
    const nm = /^\/networks\/(.+?)(\/connect|\/disconnect)?$/.exec(route);
    if (nm) {
      const ref = nm[1] as string;
      const found = this.find(ref);
      if (found.length > 1) return fail(400, `network ${ref} is ambiguous (${found.length} matches found based on name)`);
      const net = found[0];
      if (!net) return fail(404, `network ${ref} not found`);
      if (method === 'GET' && !nm[2]) return send(200, net);
      if (method === 'DELETE' && !nm[2]) {
        if (['bridge', 'host', 'none'].includes(net.Name)) {
          return fail(403, `${net.Name} is a pre-defined network and cannot be removed`);
        }
        if (Object.keys(net.Containers).length) {
          return fail(403, `error while removing network: network ${net.Name} id ${net.Id} has active endpoints`);
        }
        this.networks = this.networks.filter((n) => n !== net);
        return send(204);
      }
      if (method === 'POST' && nm[2]) {
        const req = JSON.parse(body) as { Container: string };
        const cid = CONTAINERS[req.Container];
        if (!cid) return fail(404, `No such container: ${req.Container}`);
        if (nm[2] === '/connect') {
          if (net.Containers[cid]) return fail(403, `endpoint with name ${req.Container} already exists in network ${net.Name}`);
          net.Containers[cid] = { Name: req.Container, EndpointID: idFor(cid), MacAddress: '', IPv4Address: '', IPv6Address: '' };
        } else {
          if (!net.Containers[cid]) return fail(500, `container ${cid} is not connected to network ${net.Name}`);
          delete net.Containers[cid];
        }
        res.writeHead(200, { ...headers, 'Content-Length': '0' }).end();
        return;
      }
    }
    if (method === 'POST' && /^\/exec\/[^/]+\/start$/.test(route) && this.containers.startDetached(route, reply)) return;
    const inUse = (id: string): string | undefined => this.containers.list.find((c) => c.ImageId === id)?.Id;
    if (this.images.handle(method, route, url, body, reply, inUse)) return;
    if (this.containers.handle(method, route, url, body, reply)) return;
    return fail(404, 'page not found');
  }
}
