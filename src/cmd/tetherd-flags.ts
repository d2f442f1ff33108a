// tetherd's command line and /etc/tether/daemon.json, with dockerd's names. Flags win over the
// file, as with dockerd (which refuses conflicts; we let the flag win and say so).
import { readFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { invalid } from '../errors.js';
import { DEFAULT_CONFIG, type DaemonConfig } from '../model/config.js';

const fileSchema = z
  .object({
    hosts: z.array(z.string()).optional(),
    'data-root': z.string().optional(),
    'exec-root': z.string().optional(),
    bridge: z.string().optional(),
    bip: z.string().optional(),
    'default-address-pools': z.array(z.object({ base: z.string(), size: z.number().int() })).optional(),
    iptables: z.boolean().optional(),
    'ip-forward': z.boolean().optional(),
    'userland-proxy': z.boolean().optional(),
    dns: z.array(z.string()).optional(),
    mtu: z.number().int().optional(),
    'live-restore': z.boolean().optional(),
    'default-runtime': z.enum(['crun', 'runc']).optional(),
    'firewall-table': z.string().optional(),
    'cgroup-parent': z.string().optional(),
    debug: z.boolean().optional(),
    'trace-ops': z.boolean().optional(),
    'insecure-registries': z.array(z.string()).optional(),
    'registry-mirrors': z.array(z.string().url()).optional(),
    'certs-dir': z.string().optional(),
    'cluster-store': z.string().optional(),
    'cluster-advertise': z.string().optional(),
    'cluster-store-opts': z.record(z.string()).optional(),
  })
  .strict();

const BOOL_FLAGS = ['iptables', 'ip-forward', 'userland-proxy', 'live-restore', 'debug', 'trace-ops'] as const;

function parseBool(name: string, v: string | boolean | undefined): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(`invalid value "${v}" for flag --${name}: expected true or false`);
}

/** `base=10.10.0.0/16,size=24` (dockerd's --default-address-pool syntax). */
function parsePoolFlag(spec: string): { base: string; size: number } {
  const kv = Object.fromEntries(spec.split(',').map((p) => p.split('=', 2) as [string, string]));
  const size = Number(kv['size']);
  if (!kv['base'] || !Number.isInteger(size)) throw invalid(`invalid --default-address-pool ${spec}: want base=CIDR,size=N`);
  return { base: kv['base'], size };
}

/** A mirror is an http(s) URL without a path, as dockerd validates --registry-mirror. */
function parseMirror(spec: string): string {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw invalid(`invalid mirror: ${spec}: want http(s)://host[:port]`);
  }
  if (!/^https?:$/.test(url.protocol) || (url.pathname !== '/' && url.pathname !== '')) throw invalid(`invalid mirror: ${spec}: want http(s)://host[:port]`);
  return url.origin;
}

/** `etcd://h1:2379,h2:2379` → client URLs; https when the store has TLS material, as libkv's etcd does. */
function parseClusterStore(spec: string | undefined, tls: boolean): string[] {
  if (spec === undefined || spec === '') return [];
  const m = /^etcd:\/\/(.+)$/.exec(spec);
  if (!m) throw invalid(`unsupported --cluster-store ${spec}: want etcd://host:port[,host:port…]`);
  return m[1]!.split(',').map((hostPort) => {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/.test(hostPort)) throw invalid(`invalid --cluster-store address ${hostPort}: want host:port`);
    return `${tls ? 'https' : 'http'}://${hostPort}`;
  });
}

const STORE_OPTS = ['kv.cacertfile', 'kv.certfile', 'kv.keyfile'];

/** `kv.cacertfile=/a,kv.certfile=/b` (one flag or several) → the options dockerd's libkv took. */
function parseStoreOpts(specs: string[]): Record<string, string> {
  const opts: Record<string, string> = {};
  for (const part of specs.flatMap((s) => s.split(','))) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq < 0 || !STORE_OPTS.includes(key)) throw invalid(`invalid --cluster-store-opt ${part}: want one of ${STORE_OPTS.join(', ')}=<file>`);
    opts[key] = part.slice(eq + 1);
  }
  return opts;
}

/** dockerd's booleans take `--flag`, `--flag=false`; parseArgs has no optional values. */
function normaliseBoolFlags(argv: string[]): string[] {
  return argv.map((a) => (a === '-D' ? '--debug=true' : BOOL_FLAGS.some((b) => a === `--${b}`) ? `${a}=true` : a));
}

export function parseDaemonArgs(argv: string[]): DaemonConfig {
  const { values } = parseArgs({
    args: normaliseBoolFlags(argv),
    strict: true,
    options: {
      host: { type: 'string', short: 'H', multiple: true },
      'data-root': { type: 'string' },
      'exec-root': { type: 'string' },
      bridge: { type: 'string', short: 'b' },
      bip: { type: 'string' },
      'default-address-pool': { type: 'string', multiple: true },
      iptables: { type: 'string' },
      'ip-forward': { type: 'string' },
      'userland-proxy': { type: 'string' },
      dns: { type: 'string', multiple: true },
      mtu: { type: 'string' },
      'live-restore': { type: 'string' },
      'default-runtime': { type: 'string' },
      'firewall-table': { type: 'string' },
      'cgroup-parent': { type: 'string' },
      'config-file': { type: 'string' },
      debug: { type: 'string' },
      'trace-ops': { type: 'string' },
      'insecure-registry': { type: 'string', multiple: true },
      'registry-mirror': { type: 'string', multiple: true },
      'certs-dir': { type: 'string' },
      'cluster-store': { type: 'string' },
      'cluster-advertise': { type: 'string' },
      'cluster-store-opt': { type: 'string', multiple: true },
    },
  });
  const configFile = values['config-file'] ?? '/etc/tether/daemon.json';
  let file: z.output<typeof fileSchema> = {};
  if (existsSync(configFile)) {
    const r = fileSchema.safeParse(JSON.parse(readFileSync(configFile, 'utf8')));
    if (!r.success) throw invalid(`${configFile}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    file = r.data;
  }
  const bools = Object.fromEntries(BOOL_FLAGS.map((b) => [b, parseBool(b, values[b]) ?? file[b]]));
  const runtime = values['default-runtime'] ?? file['default-runtime'];
  if (runtime !== undefined && runtime !== 'crun' && runtime !== 'runc') throw invalid(`unknown runtime ${runtime}: crun or runc`);
  const mtu = values.mtu !== undefined ? Number(values.mtu) : file.mtu;
  if (mtu !== undefined && (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535)) throw invalid(`invalid --mtu ${values.mtu}`);
  const cgroupParent = (values['cgroup-parent'] ?? file['cgroup-parent'] ?? DEFAULT_CONFIG.cgroupParent).replace(/^\/+|\/+$/g, '');
  // Names below /sys/fs/cgroup: plain path components only, never `..` or an empty one.
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/.test(cgroupParent)) {
    throw invalid(`invalid --cgroup-parent ${values['cgroup-parent'] ?? file['cgroup-parent']}: want a cgroup path such as /tether`);
  }
  const storeOpts = values['cluster-store-opt'] ? parseStoreOpts(values['cluster-store-opt']) : parseStoreOpts(Object.entries(file['cluster-store-opts'] ?? {}).map(([k, v]) => `${k}=${v}`));
  const clusterAdvertise = values['cluster-advertise'] ?? file['cluster-advertise'] ?? '';
  if ((values['cluster-store'] ?? file['cluster-store'] ?? '') !== '' && clusterAdvertise === '') {
    throw invalid('--cluster-store needs --cluster-advertise: the address other hosts reach this one at');
  }
  return {
    hosts: values.host ?? file.hosts ?? DEFAULT_CONFIG.hosts,
    dataRoot: values['data-root'] ?? file['data-root'] ?? DEFAULT_CONFIG.dataRoot,
    execRoot: values['exec-root'] ?? file['exec-root'] ?? DEFAULT_CONFIG.execRoot,
    bridge: values.bridge ?? file.bridge ?? DEFAULT_CONFIG.bridge,
    bip: values.bip ?? file.bip ?? DEFAULT_CONFIG.bip,
    defaultAddressPools: values['default-address-pool']?.map(parsePoolFlag) ?? file['default-address-pools'] ?? [],
    iptables: bools['iptables'] ?? DEFAULT_CONFIG.iptables,
    ipForward: bools['ip-forward'] ?? DEFAULT_CONFIG.ipForward,
    userlandProxy: bools['userland-proxy'] ?? DEFAULT_CONFIG.userlandProxy,
    dns: values.dns ?? file.dns ?? [],
    mtu: mtu ?? DEFAULT_CONFIG.mtu,
    liveRestore: bools['live-restore'] ?? DEFAULT_CONFIG.liveRestore,
    defaultRuntime: (runtime ?? DEFAULT_CONFIG.defaultRuntime) as DaemonConfig['defaultRuntime'],
    firewallTable: values['firewall-table'] ?? file['firewall-table'] ?? DEFAULT_CONFIG.firewallTable,
    cgroupParent,
    debug: bools['debug'] ?? DEFAULT_CONFIG.debug,
    traceOps: bools['trace-ops'] ?? DEFAULT_CONFIG.traceOps,
    insecureRegistries: [...DEFAULT_CONFIG.insecureRegistries, ...(values['insecure-registry'] ?? file['insecure-registries'] ?? [])],
    registryMirrors: (values['registry-mirror'] ?? file['registry-mirrors'] ?? []).map(parseMirror),
    certsDir: values['certs-dir'] ?? file['certs-dir'] ?? DEFAULT_CONFIG.certsDir,
    clusterStore: parseClusterStore(values['cluster-store'] ?? file['cluster-store'], Object.keys(storeOpts).length > 0),
    clusterAdvertise,
    clusterStoreOpts: storeOpts,
  };
}
