// The JSON message stream of POST /images/create?fromImage=… as dockerd writes it and the docker
// CLI draws it: per-layer status lines keyed by the layer's short digest, progressDetail for the
// bars, and X-Registry-Auth, the credentials the CLI sends as base64url JSON.
import { z } from 'zod';
import type { Credentials } from '../../registry/client.js';
import type { LayerPhase, PullEvent } from '../../registry/puller.js';
import { jsonMessage as line } from './image-json.js';

const PHASE: Record<LayerPhase, string> = {
  pulling: 'Pulling fs layer',
  exists: 'Already exists',
  waiting: 'Waiting',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  downloaded: 'Download complete',
  extracting: 'Extracting',
  complete: 'Pull complete',
};

/** The stream's lines for one pull event. */
export function pullMessages(e: PullEvent): string {
  switch (e.kind) {
    case 'start':
      return line({ status: `Pulling from ${e.repository}`, id: e.tagOrDigest });
    case 'layer': {
      const detail = e.current !== undefined && e.total !== undefined ? { current: e.current, total: e.total } : {};
      const bar = e.current !== undefined && e.total !== undefined && e.phase === 'downloading' ? { progress: progressBar(e.current, e.total) } : {};
      return line({ status: PHASE[e.phase], progressDetail: detail, ...bar, id: e.id });
    }
    case 'done':
      return (
        line({ status: `Digest: ${e.digest}` }) +
        line({ status: e.upToDate ? `Status: Image is up to date for ${e.ref}` : `Status: Downloaded newer image for ${e.ref}` })
      );
  }
}

/** A failure after the stream began: the CLI prints `message` and exits 1. */
export function errorMessage(message: string): string {
  return line({ errorDetail: { message }, error: message });
}


/** moby's JSONProgress.String: a 50-wide bar, then current/total in decimal units. */
export function progressBar(current: number, total: number): string {
  const width = 50;
  const filled = total > 0 ? Math.min(width, Math.floor((current / total) * width)) : 0;
  const bar = `[${'='.repeat(filled)}>${' '.repeat(Math.max(0, width - filled - 1))}] `;
  return `${bar}${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

/** go-units HumanSize: 3 significant digits, decimal units. */
function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

const authSchema = z
  .object({
    username: z.string().optional(),
    password: z.string().optional(),
    auth: z.string().optional(),
    registrytoken: z.string().optional(),
  })
  .passthrough();

/** X-Registry-Auth: base64url (or std base64) JSON. Undecodable → no credentials, as dockerd. */
export function decodeRegistryAuth(header: string | string[] | undefined): Credentials | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  let parsed: z.infer<typeof authSchema>;
  try {
    const r = authSchema.safeParse(JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')));
    if (!r.success) return undefined;
    parsed = r.data;
  } catch {
    return undefined;
  }
  let { username, password } = parsed;
  if (!username && parsed.auth) {
    const plain = Buffer.from(parsed.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) [username, password] = [plain.slice(0, colon), plain.slice(colon + 1)];
  }
  const creds: Credentials = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(parsed.registrytoken ? { registryToken: parsed.registrytoken } : {}),
  };
  return Object.keys(creds).length > 0 ? creds : undefined;
}
