// A small lab inside a test host for firewall kernel tests: bridges with "container" namespaces,
// and a neighbour namespace on an uplink that routes the bridge subnets to the test host.
// Everything lives in namespaces the test creates; dispose() removes them and kills what it started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestHost, uniqueName, type TestHost } from '../../../test/helpers/testhost.js';

export interface Ns {
  name: string;
  path: string;
  sh(argv: string[]): string;
  try(argv: string[]): { code: number; stdout: string; stderr: string };
}

function nsRunner(name: string): Ns {
  const path = `/run/netns/${name}`;
  const tryRun = (argv: string[]) => {
    const r = spawnSync('nsenter', [`--net=${path}`, '--', ...argv], { encoding: 'utf8', timeout: 10_000 });
    return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  return {
    name,
    path,
    try: tryRun,
    sh(argv) {
      const r = tryRun(argv);
      if (r.code !== 0) throw new Error(`${argv.join(' ')} (in ${name}): exit ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
  };
}

export class Lab {
  readonly host: TestHost;
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly dirs: string[] = [];

  constructor() {
    this.host = createTestHost('fw');
  }

  get hostNs(): Ns {
    return nsRunner(this.host.name);
  }

  private newNs(kind: string): Ns {
    const name = uniqueName(kind);
    spawnSync('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    const ns = nsRunner(name);
    ns.sh(['ip', 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A bridge in the test host with the gateway address (`10.88.1.1/24`). */
  bridge(gatewayCidr: string): string {
    const br = uniqueName('b');
    const h = this.hostNs;
    h.sh(['ip', 'link', 'add', br, 'type', 'bridge']);
    h.sh(['ip', 'addr', 'add', gatewayCidr, 'dev', br]);
    h.sh(['ip', 'link', 'set', br, 'up']);
    return br;
  }

  /** A "container" on a bridge: own netns, eth0 with `addrCidr`, default route via the gateway. */
  container(br: string, addrCidr: string, gateway: string): Ns {
    const c = this.newNs('c');
    const veth = uniqueName('tv');
    const h = this.hostNs;
    h.sh(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c.name]);
    // Hairpin: a container reaching its own published port comes back out of its own port.
    h.sh(['ip', 'link', 'set', veth, 'master', br, 'up']);
    h.sh(['ip', 'link', 'set', veth, 'type', 'bridge_slave', 'hairpin', 'on']);
    c.sh(['ip', 'addr', 'add', addrCidr, 'dev', 'eth0']);
    c.sh(['ip', 'link', 'set', 'eth0', 'up']);
    c.sh(['ip', 'route', 'add', 'default', 'via', gateway]);
    return c;
  }

  /**
   * A neighbour on an uplink of the test host (192.0.2.1 host side, 192.0.2.2 its side) with a
   * route to `routeTo` through the host, like a LAN machine routing to the bridge subnets.
   */
  neighbour(routeTo: string): Ns {
    const n = this.newNs('n');
    const up = uniqueName('up');
    const h = this.hostNs;
    h.sh(['ip', 'link', 'add', up, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.name]);
    h.sh(['ip', 'addr', 'add', '192.0.2.1/24', 'dev', up]);
    h.sh(['ip', 'link', 'set', up, 'up']);
    n.sh(['ip', 'addr', 'add', '192.0.2.2/24', 'dev', 'eth0']);
    n.sh(['ip', 'link', 'set', 'eth0', 'up']);
    n.sh(['ip', 'route', 'add', routeTo, 'via', '192.0.2.1']);
    return n;
  }

  /**
   * Makes `ns` send packets for 127.0.0.1 out of `dev` to `via` (what a hostile neighbour would
   * do): the local-table rule moves behind ours, and route_localnet allows the source.
   */
  static routeLoopbackOut(ns: Ns, dev: string, via: string): void {
    ns.sh(['sysctl', '-q', '-w', 'net.ipv4.conf.all.route_localnet=1', `net.ipv4.conf.${dev}.route_localnet=1`]);
    ns.sh(['ip', 'route', 'add', '127.0.0.1/32', 'via', via, 'dev', dev, 'table', '100']);
    ns.sh(['ip', 'rule', 'add', 'pref', '10', 'to', '127.0.0.1/32', 'lookup', '100']);
    ns.sh(['ip', 'rule', 'add', 'pref', '20', 'lookup', 'local']);
    ns.sh(['ip', 'rule', 'del', 'pref', '0']);
  }

  /** busybox httpd on `[ip:]port` inside `ns`, serving a file that says `body`. */
  httpd(ns: Ns, listen: string, body: string): void {
    const port = listen.split(':').pop() ?? listen;
    const dir = mkdtempSync(join(tmpdir(), 'fwhttpd-'));
    this.dirs.push(dir);
    writeFileSync(join(dir, 'index.html'), body);
    const child = spawn('nsenter', [`--net=${ns.path}`, '--', 'busybox', 'httpd', '-f', '-p', listen, '-h', dir], { stdio: 'ignore' });
    this.children.push(child);
    for (let i = 0; i < 50; i++) {
      if (ns.try(['ss', '-Hltn', `sport = :${port}`]).stdout.trim() !== '') return;
      spawnSync('sleep', ['0.02']);
    }
    throw new Error(`httpd on :${port} did not start in ${ns.name}`);
  }

  /** GETs a URL with curl from `ns`; the body, or undefined when it could not connect in time. */
  static get(ns: Ns, url: string, timeoutS = 1): string | undefined {
    const r = ns.try(['curl', '-s', '--noproxy', '*', '--max-time', String(timeoutS), url]);
    return r.code === 0 ? r.stdout : undefined;
  }

  dispose(): void {
    for (const c of this.children) if (c.pid !== undefined && c.exitCode === null) c.kill('SIGKILL');
    for (const name of this.namespaces) spawnSync('ip', ['netns', 'del', name]);
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.host.dispose();
  }
}
