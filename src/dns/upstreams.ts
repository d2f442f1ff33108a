// Where unknown names go: the sandbox's `--dns` servers, else the host's resolvers from
// resolv.conf. Forwarding leaves from tetherd's own namespace, so a host loopback resolver
// (systemd-resolved's 127.0.0.53) is fine — but never the embedded DNS address itself.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';

export interface Upstream {
  address: string;
  port: number;
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
}

/** Parses resolv.conf's `nameserver` and `search`/`domain` lines (the last search line wins, as in glibc). */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  for (const raw of text.split('\n')) {
    const [key, ...rest] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (key === 'nameserver' && rest[0] !== undefined) nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') search = rest.filter((d) => d !== '');
  }
  return { nameservers, search: normaliseDomains(search) };
}

/** The host's resolv.conf; a missing or unreadable file means no host resolvers. */
export async function readResolvConf(path: string): Promise<ResolvConf> {
  try {
    return parseResolvConf(await readFile(path, 'utf8'));
  } catch {
    return { nameservers: [], search: [] };
  }
}

/**
 * Upstream servers from a list of addresses: non-IPs and duplicates dropped, and any address that
 * is our own listener (`exclude`, 127.0.0.11) dropped so a query can never loop back into us.
 */
export function toUpstreams(addresses: readonly string[], port: number, exclude: readonly string[]): Upstream[] {
  const seen = new Set<string>();
  const out: Upstream[] = [];
  for (const a of addresses) {
    const address = a.trim();
    if (isIP(address) === 0 || exclude.includes(address) || seen.has(address)) continue;
    seen.add(address);
    out.push({ address, port });
  }
  return out;
}

/** Search domains as we compare them to query names: lower-case, no leading/trailing dot. */
export function normaliseDomains(domains: readonly string[]): string[] {
  return domains.map((d) => d.toLowerCase().replace(/^\.+|\.+$/g, '')).filter((d) => d !== '');
}
