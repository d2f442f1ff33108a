// docker's createContainer (cli/command/container/create.go), shared by `run` and `create`:
// client-side API version checks, POST /containers/create?name=…, pulling a missing image and
// retrying, and the `WARNING:` lines for the daemon's warnings.

import { compareVersions, DaemonError, type EngineClient } from './client.js';
import type { RunContext } from './command.js';
import type { CreateRequest } from './container-config.js';
import { parseIP } from './cidr.js';
import { displayJSONStream } from './jsonstream.js';
import { StatusError } from './status.js';

/** reference.ParseNormalizedNamed + TagNameOnly, reduced to what the CLI needs. */
export function normalizeImage(
  image: string,
): { familiar: string; familiarName: string; name: string; tag: string; explicitTag: string } | undefined {
  if (/^(sha256:)?[a-f0-9]{64}$/.test(image)) return undefined; // an ID, not a name
  const at = image.indexOf('@');
  const base = at < 0 ? image : image.slice(0, at);
  const lastSlash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  let name = hasTag ? base.slice(0, colon) : base;
  const tag = hasTag ? base.slice(colon + 1) : at < 0 ? 'latest' : '';
  const first = name.split('/')[0] as string;
  const hasDomain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  const familiarName = name.replace(/^docker\.io\/(library\/)?/, '');
  const familiar = familiarName + (tag ? `:${tag}` : '') + (at < 0 ? '' : image.slice(at));
  return { familiar, familiarName, name, tag, explicitTag: hasTag ? tag : '' };
}

/** POST /images/create?fromImage=…&tag=…, progress on stderr (docker's pullImage). */
export async function pullImage(ctx: RunContext, image: string, quiet: boolean): Promise<void> {
  const ref = normalizeImage(image);
  if (!ref) throw new StatusError(`invalid reference format`, 1);
  const res = await ctx.client().stream('POST', '/images/create', {
    query: { fromImage: ref.name, tag: ref.tag || undefined },
    headers: { 'X-Registry-Auth': 'e30=' }, // base64 of `{}`: no credentials
  });
  await displayJSONStream(res, quiet ? { write: () => true } : ctx.io.stderr);
}

/** The Engine's warning for a loopback --dns (docker's localhostDNSWarning). */
function localhostDNSWarning(dns: string[]): string | undefined {
  for (const d of dns) {
    const ip = parseIP(d);
    const loopback = ip && (ip.v4 ? ip.value >> 24n === 127n : ip.value === 1n);
    if (loopback) return `Localhost DNS (${d}) may fail in containers.`;
  }
  return undefined;
}

async function versionCheck(client: EngineClient, req: CreateRequest): Promise<void> {
  const v = await client.apiVersion();
  if (req.endpointMac && compareVersions(v, '1.44') < 0) {
    throw new StatusError(`"specify mac-address per network" requires API version 1.44, but the Tether daemon API version is ${v}`, 1);
  }
}

/** Create the container and return its id; errors are the daemon's (callers decorate them). */
export async function createContainer(
  ctx: RunContext,
  req: CreateRequest,
  opts: { name: string; pull: string; quiet: boolean },
): Promise<string> {
  const client = ctx.client();
  await versionCheck(client, req);
  const out = ctx.io.stdout;
  // GetTtySize: [height, width] of a terminal stdout, else zeros.
  if (out.isTTY && out.rows && out.columns) req.body.HostConfig.ConsoleSize = [out.rows, out.columns];
  const image = req.body.Image as string;
  if (opts.pull === 'always') await pullImage(ctx, image, opts.quiet);
  const create = (): Promise<{ Id: string; Warnings: string[] | null }> =>
    client.json('POST', '/containers/create', { query: { name: opts.name || undefined }, json: req.body });
  let res;
  try {
    res = await create();
  } catch (e) {
    const ref = normalizeImage(image);
    if (!(e instanceof DaemonError && e.notFound && ref && opts.pull === 'missing' && /image/i.test(e.daemonMessage))) throw e;
    if (!opts.quiet) ctx.err(`Unable to find image '${ref.familiar}' locally\n`);
    await pullImage(ctx, image, opts.quiet);
    res = await create();
  }
  const warnings = [...(res.Warnings ?? [])];
  const dnsWarning = localhostDNSWarning((req.body.HostConfig.Dns as string[]) ?? []);
  if (dnsWarning) warnings.push(dnsWarning);
  for (const w of warnings) ctx.err(`WARNING: ${w}\n`);
  return res.Id;
}

/** docker's validatePullOpt */
export function validatePull(v: string): void {
  if (!['always', 'missing', 'never', ''].includes(v)) {
    throw new Error(`invalid pull option: '${v}': must be one of "always", "missing" or "never"`);
  }
}
