// `GET /images/json?filters=`: which images, by dockerd's rules (daemon/images/images.go):
// dangling, reference (glob on the familiar name, with or without the tag; only matching names are
// listed), label, before, since.
// Values of one key are OR-ed (label: AND-ed, as dockerd does), keys AND-ed.
import { matchLabels } from '../../engine/network-filters.js';
import { invalid } from '../../errors.js';
import type { ImageSummary } from '../../runtime/images.js';

const KEYS = new Set(['dangling', 'reference', 'label', 'before', 'since']);

export interface ImageFilterContext {
  /** Resolves an image reference for before/since (throws the store's 404). */
  created: (ref: string) => number;
}

/** path.Match-style glob as reference.FamiliarMatch uses it: `*` and `?` stay within a path segment. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** The tags a reference filter keeps: dockerd lists only the matching names of an image. */
function matchingTags(patterns: string[]): (tags: string[]) => string[] {
  const res = patterns.map(globToRegExp);
  return (tags) =>
    tags.filter((tag) => {
      const repo = tag.slice(0, tag.lastIndexOf(':'));
      return res.some((re) => re.test(tag) || re.test(repo));
    });
}

function danglingValue(values: string[]): boolean {
  const v = values[0] ?? '';
  if (values.length !== 1 || !['true', 'false', '1', '0'].includes(v.toLowerCase())) {
    throw invalid(`Invalid filter 'dangling=${values.join(',')}'`, 'filter.value');
  }
  return v === 'true' || v === '1';
}

export function selectImages(images: ImageSummary[], filters: Record<string, string[]>, ctx: ImageFilterContext): ImageSummary[] {
  for (const key of Object.keys(filters)) {
    if (!KEYS.has(key)) throw invalid(`Invalid filter '${key}'`, 'filter.unknown');
  }
  const preds: ((img: ImageSummary) => boolean)[] = [];
  const values = (key: string): string[] | undefined => (filters[key]?.length ? filters[key] : undefined);
  const dangling = values('dangling');
  if (dangling) {
    const want = danglingValue(dangling);
    preds.push((img) => (img.repoTags.length === 0) === want);
  }
  const reference = values('reference');
  const label = values('label');
  if (label) preds.push((img) => matchLabels(img.labels ?? {}, label));
  const before = values('before');
  if (before) {
    const limit = Math.min(...before.map(ctx.created));
    preds.push((img) => img.created < limit);
  }
  const since = values('since');
  if (since) {
    const limit = Math.max(...since.map(ctx.created));
    preds.push((img) => img.created > limit);
  }
  const selected = images.filter((img) => preds.every((p) => p(img)));
  if (!reference) return selected;
  const keep = matchingTags(reference);
  return selected.map((img) => ({ ...img, repoTags: keep(img.repoTags) })).filter((img) => img.repoTags.length > 0);
}
