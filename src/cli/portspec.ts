// Docker's client-side port parsing (github.com/docker/go-connections/nat, as vendored by the
// docker CLI 28): `-p [ip:][hostPort:]containerPort[/proto]` with ranges, `--expose`, and the
// `--publish` long syntax. The daemon never sees the raw specs, so the error texts users get for a
// bad `-p` are these, verbatim (`invalid hostPort: 99999`, `invalid proto: sctpx`, …).

import { parseIP } from './cidr.js';

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** strconv.ParseUint(s, 10, 16): plain decimal digits, at most 65535; throws Go's error text. */
function parseUint16(s: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n > 0xffff) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** nat.ParsePortRange: `80` or `8000-8010`; throws on anything else. */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new Error('empty string specified for ports');
  if (!ports.includes('-')) {
    const n = parseUint16(ports);
    return [n, n];
  }
  const parts = ports.split('-');
  const start = parseUint16(parts[0] as string);
  const end = parseUint16(parts[1] as string);
  if (end < start) throw new Error(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** nat.SplitProtoPort: `80/udp` → [udp, 80]; no proto means tcp. */
export function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1] === '') return ['tcp', parts[0] as string];
  return [parts[1] as string, parts[0] as string];
}

/** nat.NewPort: the `80/tcp` / `80-90/tcp` key of ExposedPorts and PortBindings. */
function portKey(proto: string, port: string): string {
  const [start, end] = port === '' ? [0, 0] : parsePortRange(port);
  return start === end ? `${start}/${proto}` : `${start}-${end}/${proto}`;
}

/** nat's splitParts: the last colon-separated field is the container port, the one before it the host port. */
function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const containerPort = parts[n - 1] as string;
  if (n === 1) return ['', '', containerPort];
  if (n === 2) return ['', parts[0] as string, containerPort];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2] as string, containerPort];
}

/** One (port key, binding) pair per container port of a spec, as nat.ParsePortSpec returns them. */
export function parsePortSpec(raw: string): Array<{ port: string; binding: PortBinding }> {
  let [ip, hostPort, containerPort] = splitParts(raw);
  let proto: string;
  [proto, containerPort] = splitProtoPort(containerPort);

  if (ip !== '' && ip.startsWith('[')) {
    // net.SplitHostPort(ip + ":"): `[::1]` → `::1`.
    const m = /^\[([^\]]*)\]$/.exec(ip);
    if (!m) throw new Error(`invalid IP address ${ip}: address ${ip}:: missing port in address`);
    ip = m[1] as string;
  }
  if (ip !== '' && !parseIP(ip)) throw new Error(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new Error(`no port specified: ${raw}<empty>`);

  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new Error(`invalid containerPort: ${containerPort}`);
  }
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPort !== '') {
    try {
      [hostStart, hostEnd] = parsePortRange(hostPort);
    } catch {
      throw new Error(`invalid hostPort: ${hostPort}`);
    }
  }
  if (hostPort !== '' && end - start !== hostEnd - hostStart && end !== start) {
    throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);

  const out: Array<{ port: string; binding: PortBinding }> = [];
  for (let i = 0; i <= end - start; i++) {
    if (hostPort !== '') hostPort = String(hostStart + i);
    // One container port published on a host range: the daemon picks a free port from it.
    if (start === end && hostStart !== hostEnd) hostPort = `${hostPort}-${hostEnd}`;
    out.push({ port: portKey(proto.toLowerCase(), String(start + i)), binding: { HostIp: ip, HostPort: hostPort } });
  }
  return out;
}

/**
 * docker's convertToStandardNotation: the long syntax `target=80,published=8080,protocol=udp`
 * becomes `8080:80/udp`; anything without `=` passes through.
 */
export function toStandardNotation(spec: string): string {
  if (!spec.includes('=')) return spec;
  const params: Record<string, string> = { protocol: 'tcp' };
  for (const param of spec.split(',')) {
    const eq = param.indexOf('=');
    if (eq <= 0) throw new Error(`invalid publish opts format (should be name=value but got '${param}')`);
    params[param.slice(0, eq)] = param.slice(eq + 1);
  }
  return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
}

export interface PortConfig {
  /** Config.ExposedPorts keys, in first-seen order (the body sorts them). */
  exposed: Set<string>;
  /** HostConfig.PortBindings. */
  bindings: Map<string, PortBinding[]>;
}

/** `-p` specs (nat.ParsePortSpecs) merged with `--expose` values, as docker's parse() does. */
export function parsePorts(publish: string[], expose: string[]): PortConfig {
  const exposed = new Set<string>();
  const bindings = new Map<string, PortBinding[]>();
  for (const spec of publish) {
    for (const { port, binding } of parsePortSpec(toStandardNotation(spec))) {
      exposed.add(port);
      bindings.set(port, [...(bindings.get(port) ?? []), binding]);
    }
  }
  for (const e of expose) {
    if (e.includes(':')) throw new Error(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    let start: number;
    let end: number;
    try {
      [start, end] = parsePortRange(port);
    } catch (err) {
      throw new Error(`invalid range format for --expose: ${e}, error: ${(err as Error).message}`);
    }
    for (let i = start; i <= end; i++) exposed.add(portKey(proto, String(i)));
  }
  return { exposed, bindings };
}
