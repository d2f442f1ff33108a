// Value validators of docker's opts package (ListOpts validators run while flags are parsed, so a
// bad value fails with pflag's `invalid argument "…" for "--x" flag: <message>`, exit 125).

import fs from 'node:fs';
import { formatIP, parseIP } from './cidr.js';

/** opts.ValidateLink: `name` or `name:alias`. */
export function validateLink(v: string): string {
  if (v === '') throw new Error('empty string specified for links');
  if (v.split(':').length > 2) throw new Error(`bad format for links: ${v}`);
  return v;
}

/**
 * opts.ValidateEnv: `K=V` as is; a bare `K` takes the value from the CLI process's environment
 * (validators run during flag parsing, before any command context exists).
 */
export function validateEnv(v: string): string {
  const eq = v.indexOf('=');
  const key = eq < 0 ? v : v.slice(0, eq);
  if (key === '') throw new Error(`invalid environment variable: ${v}`);
  if (eq >= 0) return v;
  const value = process.env[key];
  return value === undefined ? v : `${key}=${value}`;
}

/** opts.ValidateLabel */
export function validateLabel(v: string): string {
  const eq = v.indexOf('=');
  const key = (eq < 0 ? v : v.slice(0, eq)).replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${v}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return v;
}

/** opts.ValidateIPAddress: returns the canonical form (net.IP.String()). */
export function validateIPAddress(v: string): string {
  const ip = parseIP(v.trim());
  if (!ip) throw new Error(`IP address is not correctly formatted: ${v}`);
  return formatIP(ip);
}

/** opts.ValidateExtraHost: `host:ip` or `host=ip` (ip may be bracketed or host-gateway); sent as `host:ip`. */
export function validateExtraHost(v: string): string {
  let sep = v.indexOf('=');
  if (sep < 0) sep = v.indexOf(':');
  const key = sep < 0 ? '' : v.slice(0, sep);
  let ip = sep < 0 ? '' : v.slice(sep + 1);
  if (sep < 0 || key === '' || key.includes(':')) throw new Error(`bad format for add-host: ${JSON.stringify(v)}`);
  if (ip !== 'host-gateway') {
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (!parseIP(ip.trim())) throw new Error(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  }
  return `${key}:${ip}`;
}

/** opts.ValidateDNSSearch: `.` or a domain name (at most 255 characters, not starting with `-`). */
export function validateDNSSearch(v: string): string {
  const val = v.replace(/^ +| +$/g, '');
  if (val === '.') return val;
  const m = /^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])))*)\.?\s*$/.exec(val);
  if (!/[a-zA-Z]/.test(val) || !m || (m[1] as string).length >= 255) throw new Error(`${val} is not a valid domain`);
  return m[1] as string;
}

/** validateAttach: the stream names `-a` accepts, case-insensitively. */
export function validateAttach(v: string): string {
  const s = v.toLowerCase();
  if (['stdin', 'stdout', 'stderr'].includes(s)) return s;
  throw new Error('valid streams are STDIN, STDOUT and STDERR');
}

/**
 * opts.ReadKVEnvStrings: `--env-file` lines (blank lines and `#` comments skipped; a bare `KEY`
 * takes the CLI's own value or is dropped), followed by the `-e` values so those win.
 */
export function readEnvFiles(files: string[], overrides: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`open ${file}: ${code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/^\s+/, '');
      if (line === '' || line.startsWith('#')) return;
      const eq = line.indexOf('=');
      const key = (eq < 0 ? line : line.slice(0, eq)).replace(/^\s+/, '');
      if (key === '') throw new Error(`no variable name on line '${line}'`);
      if (/\s/.test(key)) throw new Error(`variable '${key}' contains whitespaces`);
      if (eq >= 0) out.push(`${key}=${line.slice(eq + 1)}`);
      else if (process.env[key] !== undefined) out.push(`${key}=${process.env[key]}`);
      void i;
    });
  }
  return [...out, ...overrides];
}
