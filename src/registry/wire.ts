// What the registry's answers mean: bounded bodies, the distribution API's error envelope
// ({"errors":[{"code","message"}]}) and transport failures, worded as dockerd (Go's net/http)
// words them, since scripts match on those texts.
import type { IncomingMessage } from 'node:http';
import { internal, isTetherError, TetherError } from '../errors.js';

export interface RegistryErrorItem {
  code: string;
  message: string;
}

export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: RegistryErrorItem[],
    message: string,
  ) {
    super(message);
    this.name = 'RegistryHttpError';
  }

  /** The first error code the registry gave (MANIFEST_UNKNOWN, NAME_UNKNOWN, DENIED, …), or by status. */
  get code(): string {
    return this.errors[0]?.code ?? (this.status === 401 ? 'UNAUTHORIZED' : this.status === 404 ? 'NOT_FOUND' : 'UNKNOWN');
  }

  /** Go's errcode.Error text: "manifest unknown: manifest unknown". */
  static from(status: number, body: Buffer): RegistryHttpError {
    let errors: RegistryErrorItem[] = [];
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { errors?: unknown };
      if (Array.isArray(parsed.errors)) {
        errors = parsed.errors
          .filter((e): e is { code: string; message?: unknown } => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string')
          .map((e) => ({ code: e.code, message: typeof e.message === 'string' ? e.message : '' }));
      }
    } catch {
      // not the JSON envelope: described by its status below
    }
    const first = errors[0];
    const text = first ? `${first.code.toLowerCase().replace(/_/g, ' ')}: ${first.message}` : statusText(status);
    return new RegistryHttpError(status, errors, text);
  }
}

function statusText(status: number): string {
  if (status === 401) return 'unauthorized: authentication required';
  if (status === 403) return 'denied: requested access to the resource is denied';
  if (status === 404) return 'not found';
  return `unexpected status code ${status}`;
}

/** Reads at most limit bytes of a response body (manifests, errors, tokens are small). */
export async function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.destroy();
      throw new RegistryHttpError(res.statusCode ?? 0, [], `response body larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `Get "https://h/v2/": dial tcp h:443: connect: connection refused`, as dockerd reports it. */
export function transportError(method: string, url: URL, e: Error & { code?: string; hostname?: string }): Error {
  const verb = method.charAt(0) + method.slice(1).toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  let why: string;
  switch (e.code) {
    case 'ECONNREFUSED':
      why = `dial tcp ${url.hostname}:${port}: connect: connection refused`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      why = `dial tcp: lookup ${url.hostname}: no such host`;
      break;
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      why = `dial tcp ${url.hostname}:${port}: connect: network is unreachable`;
      break;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      why = 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
      break;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      why = `tls: failed to verify certificate: x509: certificate is not valid for ${url.hostname}`;
      break;
    default:
      why = e.message;
  }
  const err = new Error(`${verb} "${url.toString()}": ${why}`, { cause: e });
  return Object.assign(err, { transport: true });
}

export function isTransportError(e: unknown): boolean {
  return e instanceof Error && (e as { transport?: boolean }).transport === true;
}

/** Any failure of a registry conversation as a TetherError; dockerd answers these with 500. */
export function asTetherError(e: unknown): TetherError {
  if (isTetherError(e)) return e;
  if (e instanceof RegistryHttpError) return new TetherError('internal', e.message, { code: e.status === 401 ? 'registry.unauthorized' : 'registry.error' });
  return internal(e instanceof Error ? e.message : String(e), e);
}
