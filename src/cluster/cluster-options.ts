// The daemon's cluster settings turned into what the engine takes: this host (name and the
// underlay address other hosts reach it at) and the etcd store, with dockerd's option names.
import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { invalid } from '../errors.js';
import type { DaemonConfig } from '../model/config.js';
import type { ClusterHost } from '../model/endpoint.js';
import { createEtcdStore, type EtcdStore } from '../store/etcd/etcd-store.js';

/**
 * --cluster-advertise: `ip`, `ip:port` or `[ipv6]:port` (the port was dockerd's API port; the
 * underlay needs the address only), or an interface name, taken as its first IPv4 address, as
 * dockerd resolved it.
 */
export function advertiseAddress(spec: string): string {
  const bare = /^\[(.+)\]:\d+$/.exec(spec)?.[1] ?? (isIP(spec) ? spec : /^([^:]+):\d+$/.exec(spec)?.[1] ?? spec);
  if (isIP(bare)) return bare;
  const addrs = networkInterfaces()[bare];
  if (!addrs) throw invalid(`--cluster-advertise ${spec}: neither an IP address nor an interface of this host`);
  const v4 = addrs.find((a) => a.family === 'IPv4') ?? addrs.find((a) => a.family === 'IPv6' && !a.address.startsWith('fe80'));
  if (!v4) throw invalid(`--cluster-advertise ${spec}: the interface has no address`);
  return v4.address;
}

/** kv.cacertfile, kv.certfile, kv.keyfile → etcd3's credentials (files read once, at start). */
function credentials(opts: Record<string, string>) {
  const read = (key: string): Buffer | undefined => {
    const path = opts[key];
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (e) {
      throw invalid(`--cluster-store-opt ${key}=${path}: ${(e as Error).message}`);
    }
  };
  const [rootCertificate, certChain, privateKey] = [read('kv.cacertfile'), read('kv.certfile'), read('kv.keyfile')];
  if (!rootCertificate) return undefined;
  return { rootCertificate, ...(certChain ? { certChain } : {}), ...(privateKey ? { privateKey } : {}) };
}

export function openCluster(config: DaemonConfig): { self: ClusterHost; store: EtcdStore } | undefined {
  if (config.clusterStore.length === 0) return undefined;
  const self = { name: hostname(), address: advertiseAddress(config.clusterAdvertise) };
  const creds = credentials(config.clusterStoreOpts);
  return { self, store: createEtcdStore({ hosts: config.clusterStore, ...(creds ? { credentials: creds } : {}) }) };
}
