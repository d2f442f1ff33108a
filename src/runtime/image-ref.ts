// Image references as Docker users type them: `busybox`, `busybox:1.36`, `docker.io/library/
// busybox:latest`, `registry:5000/team/app:v1`. We keep Docker's familiar form ("busybox:latest")
// as the key, so RepoTags read exactly as Docker prints them.
import { invalid } from '../errors.js';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:localhost|[A-Za-z0-9.-]+\.[A-Za-z0-9.-]+|[A-Za-z0-9.-]+:[0-9]+)$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Normalises a name[:tag] reference to Docker's familiar `repo:tag` form. */
export function normalizeRef(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > slash;
  let repo = hasTag ? ref.slice(0, colon) : ref;
  const tag = hasTag ? ref.slice(colon + 1) : 'latest';
  if (ref.includes('@')) throw invalid(`digest references are not supported: ${ref}`, 'image.ref');
  if (!TAG.test(tag)) throw invalid(`invalid reference format: ${ref}`, 'image.ref');
  const parts = repo.split('/');
  const first = parts[0] ?? '';
  if (parts.length > 1 && DOMAIN.test(first)) {
    if (first === 'docker.io' || first === 'index.docker.io') parts.shift();
  }
  if (parts.length === 2 && parts[0] === 'library') parts.shift();
  const domain = parts.length > 1 && DOMAIN.test(parts[0] ?? '') ? parts.shift() : undefined;
  if (parts.length === 0 || !parts.every((p) => COMPONENT.test(p))) {
    throw invalid(`invalid reference format: repository name must be lowercase: ${ref}`, 'image.ref');
  }
  repo = [...(domain ? [domain] : []), ...parts].join('/');
  return `${repo}:${tag}`;
}

/** `busybox@sha256:…` → `busybox@sha256:…` in Docker's familiar form (RepoDigests' key). */
export function normalizeDigestRef(ref: string): string {
  const at = ref.indexOf('@');
  const digest = ref.slice(at + 1);
  if (at < 0 || !/^sha256:[a-f0-9]{64}$/.test(digest)) throw invalid(`invalid reference format: ${ref}`, 'image.ref');
  return `${normalizeRef(ref.slice(0, at)).replace(/:[^/:]*$/, '')}@${digest}`;
}

/** True when s looks like an image id or id prefix rather than a name. */
export function looksLikeId(s: string): boolean {
  return /^(sha256:)?[a-f0-9]{1,64}$/.test(s);
}

/** The tag index's key for a name[:tag] or name@digest reference. */
export function refKey(ref: string): string {
  return ref.includes('@') ? normalizeDigestRef(ref) : normalizeRef(ref);
}

/** refKey, or the text as given when it is no valid reference (to compare with stored names). */
export function safeNormalize(ref: string): string {
  try {
    return refKey(ref);
  } catch {
    return ref;
  }
}
