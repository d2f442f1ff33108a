// Registry references as `docker pull` takes them: `busybox`, `busybox:1.36`, `busybox@sha256:…`,
// `docker.io/library/busybox`, `registry:5000/team/app:v1`. Docker Hub's defaults apply: no domain
// means docker.io, and a one-component name there lives under library/.
import { invalid } from '../errors.js';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:localhost(?::[0-9]{1,5})?|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::[0-9]{1,5})?|[A-Za-z0-9-]+:[0-9]{1,5}|\[[0-9a-fA-F:.]+\](?::[0-9]{1,5})?)$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
export const DOCKER_HUB = 'docker.io';

export interface RegistryRef {
  /** Registry host[:port]; docker.io for Docker Hub. */
  domain: string;
  /** Repository path in the registry, e.g. library/busybox. */
  path: string;
  tag?: string;
  digest?: string;
}

/** Parses a pull reference; a reference with neither tag nor digest gets `latest`. */
export function parseRegistryRef(input: string): RegistryRef {
  const bad = (why: string): never => {
    throw invalid(`invalid reference format: ${why}: ${input}`, 'image.ref');
  };
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) bad('invalid digest');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) bad('invalid tag');
  }
  const parts = rest.split('/');
  let domain = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first === 'localhost' || DOMAIN.test(first) && /[.:[]/.test(first) || first.startsWith('localhost:'))) {
    domain = first === 'index.docker.io' ? DOCKER_HUB : first;
    parts.shift();
  }
  if (domain === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  if (parts.length === 0 || !parts.every((p) => COMPONENT.test(p))) bad('repository name must be lowercase');
  const path = parts.join('/');
  if (path.length > 255) bad('repository name must not be more than 255 characters');
  return { domain, path, ...(tag !== undefined ? { tag } : digest ? {} : { tag: 'latest' }), ...(digest ? { digest } : {}) };
}

/** Docker's familiar name: docker.io/library/busybox → busybox, docker.io/a/b → a/b. */
export function familiarName(ref: RegistryRef): string {
  if (ref.domain !== DOCKER_HUB) return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith('library/') && ref.path.split('/').length === 2 ? ref.path.slice('library/'.length) : ref.path;
}

/** familiar name with :tag or @digest, as Docker prints a reference. */
export function familiarString(ref: RegistryRef): string {
  return `${familiarName(ref)}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`}`;
}

/** What the manifest URL names: the digest if there is one, else the tag. */
export function tagOrDigest(ref: RegistryRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
