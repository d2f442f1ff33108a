// The OCI runtime config (config.json) for one container, built from a typed spec: the process,
// hostname, the standard Linux mounts Docker uses, binds for the files the engine writes
// (/etc/hosts, /etc/resolv.conf, /etc/hostname), namespaces and Docker's default capabilities.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Docker's default capability set; NET_RAW lets ping work, NET_BIND_SERVICE ports < 1024. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where the container's network stack comes from. */
export type BundleNetwork = { kind: 'netns'; path: string } | { kind: 'host' };

export interface BundleSpec {
  rootfs: string;
  hostname: string;
  process: {
    args: string[];
    env: string[];
    cwd: string;
    terminal: boolean;
    uid: number;
    gid: number;
    additionalGids?: number[];
  };
  network: BundleNetwork;
  /** Host files bind-mounted over the image's copies; omitted ones are left alone. */
  etcFiles: { hosts?: string; resolvConf?: string; hostname?: string };
  /** cgroup path, e.g. /tether/<id>. */
  cgroupsPath: string;
}

/**
 * Docker's environment order: PATH and HOSTNAME first, then the image's Env, then the user's;
 * a later KEY replaces an earlier one in place. HOME is added last when nobody set it.
 */
export function containerEnv(hostname: string, imageEnv: readonly string[], userEnv: readonly string[]): string[] {
  const merged = new Map<string, string>();
  for (const kv of [DEFAULT_PATH, `HOSTNAME=${hostname}`, ...imageEnv, ...userEnv]) {
    const eq = kv.indexOf('=');
    merged.set(eq < 0 ? kv : kv.slice(0, eq), kv);
  }
  if (!merged.has('HOME')) merged.set('HOME', 'HOME=/root');
  return [...merged.values()];
}

export function ociConfig(spec: BundleSpec): object {
  const caps = [...DEFAULT_CAPABILITIES];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: spec.process.terminal,
      user: { uid: spec.process.uid, gid: spec.process.gid, additionalGids: spec.process.additionalGids ?? [] },
      args: spec.process.args,
      env: spec.process.env,
      cwd: spec.process.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: false,
    },
    root: { path: spec.rootfs, readonly: false },
    hostname: spec.hostname,
    mounts: [...standardMounts(), ...etcBinds(spec.etcFiles)],
    linux: {
      namespaces: namespaces(spec.network),
      cgroupsPath: spec.cgroupsPath,
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      maskedPaths: [
        '/proc/asound',
        '/proc/acpi',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/proc/scsi',
        '/sys/firmware',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** Writes <dir>/config.json for spec. */
export async function writeBundle(dir: string, spec: BundleSpec): Promise<void> {
  // The process's environment is in it: owner only, as Docker keeps its config.v2.json.
  await writeFile(join(dir, 'config.json'), JSON.stringify(ociConfig(spec), null, 1), { mode: 0o600 });
}

function namespaces(network: BundleNetwork): object[] {
  const ns: object[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  // --network host: no network entry at all, so the process stays in the monitor's namespace.
  if (network.kind === 'netns') ns.push({ type: 'network', path: network.path });
  return ns;
}

function standardMounts(): object[] {
  const nodev = ['nosuid', 'noexec', 'nodev'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: nodev },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: [...nodev, 'ro'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: nodev },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: [...nodev, 'mode=1777', 'size=65536k'] },
  ];
}

function etcBinds(files: BundleSpec['etcFiles']): object[] {
  const binds: [string, string | undefined][] = [
    ['/etc/resolv.conf', files.resolvConf],
    ['/etc/hostname', files.hostname],
    ['/etc/hosts', files.hosts],
  ];
  return binds
    .filter((b): b is [string, string] => b[1] !== undefined)
    .map(([destination, source]) => ({ destination, type: 'bind', source, options: ['rbind', 'rprivate'] }));
}
