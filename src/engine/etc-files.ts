// /etc/hosts, /etc/resolv.conf and /etc/hostname of a sandbox, generated as Docker generates
// them (INDEX 02/03/04/05). Pure text builders; the container layer writes and bind-mounts them.

const STANDARD_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

export interface HostsEntry {
  ip: string;
  names: string[];
}

export interface HostsInput {
  hostname: string;
  domainname: string;
  /** The container's own addresses, one line each (both families; every attached network). */
  ownAddresses: string[];
  /** --add-host entries then legacy link entries, in Docker's order. */
  extra: HostsEntry[];
}

export function hostsFile(h: HostsInput): string {
  // libnetwork's rule: the FQDN (hostname, or hostname.domainname) and, when it has a dot, the
  // part before the first dot (`--hostname a.b` gives `a.b a`).
  const fqdn = h.domainname ? `${h.hostname}.${h.domainname}` : h.hostname;
  const dot = fqdn.indexOf('.');
  const names = dot > 0 ? `${fqdn} ${fqdn.slice(0, dot)}` : fqdn;
  const lines = [
    ...STANDARD_HOSTS,
    ...h.extra.map((e) => `${e.ip}\t${e.names.join(' ')}`),
    ...h.ownAddresses.map((ip) => `${ip}\t${names}`),
  ];
  return `${lines.join('\n')}\n`;
}

export interface ResolvInput {
  /** The host's resolv.conf text (what the default bridge copies). */
  hostResolvConf: string;
  /** True once the container is on a user-defined network: the embedded resolver answers. */
  embeddedDns: boolean;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
}

export interface ParsedResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function parseResolvConf(text: string): ParsedResolvConf {
  const out: ParsedResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const [key, ...rest] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.search = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

const LOOPBACK = /^(127\.|::1$)/;

/**
 * Docker's rules: on the default bridge the host's file (loopback resolvers removed, --dns and
 * friends replacing their parts); on user-defined networks `nameserver 127.0.0.11` plus
 * `options ndots:0`, the real resolvers going to the embedded DNS as upstreams.
 */
export function resolvConf(r: ResolvInput): string {
  const host = parseResolvConf(r.hostResolvConf);
  const search = r.dnsSearch.length > 0 ? r.dnsSearch : host.search;
  // libnetwork's resolvconf.Build order: search, then nameservers, then options; `.` means none.
  const lines: string[] = search.length > 0 && search.join(' ').trim() !== '.' ? [`search ${search.join(' ')}`] : [];
  if (r.embeddedDns) {
    lines.push('nameserver 127.0.0.11');
    const options = r.dnsOptions.length > 0 ? r.dnsOptions : host.options;
    lines.push(`options ${['ndots:0', ...options.filter((o) => !o.startsWith('ndots:'))].join(' ')}`);
    return `${lines.join('\n')}\n`;
  }
  const servers = r.dns.length > 0 ? r.dns : host.nameservers.filter((ns) => !LOOPBACK.test(ns));
  for (const ns of servers) lines.push(`nameserver ${ns}`);
  const options = r.dnsOptions.length > 0 ? r.dnsOptions : host.options;
  if (options.length > 0) lines.push(`options ${options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** The upstreams the embedded DNS forwards to for this container. */
export function upstreamsFor(r: Pick<ResolvInput, 'hostResolvConf' | 'dns'>): string[] {
  return r.dns.length > 0 ? r.dns : parseResolvConf(r.hostResolvConf).nameservers.filter((ns) => !LOOPBACK.test(ns));
}
