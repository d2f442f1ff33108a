// `pull` and `push` as docker CLI 28 prints them when its output is not a terminal: the
// daemon's JSON progress as plain `id: status` lines, then the full reference. The tether CLI
// keeps no credentials (no `login` store): it sends the empty X-Registry-Auth, as docker does
// for a registry it has none for.

import { esc } from '../client.js';
import type { Command, RunContext } from '../command.js';
import { normalizeImage } from '../container-create.js';
import { displayJSONStream } from '../jsonstream.js';
import { StatusError } from '../status.js';

const NO_AUTH = 'e30='; // base64 of `{}`

function reference(ctx: RunContext): NonNullable<ReturnType<typeof normalizeImage>> & { digest: string } {
  const image = ctx.args[0] ?? '';
  const ref = normalizeImage(image);
  if (!ref) throw new StatusError(`invalid reference format`, 1);
  const at = image.indexOf('@');
  return { ...ref, digest: at < 0 ? '' : image.slice(at + 1) };
}

const quietOut = { write: () => true };

export const pullCommand: Command = {
  use: 'pull [OPTIONS] NAME[:TAG|@DIGEST]',
  aliasPaths: ['image pull', 'pull'],
  short: 'Download an image from a registry',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'platform', kind: 'string', usage: 'Set platform if server is multi-platform capable' },
    { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress verbose output' },
  ],
  async run(ctx) {
    const ref = reference(ctx);
    const quiet = ctx.flags.bool('quiet');
    if (!ref.explicitTag && !ref.digest && !quiet) ctx.out(`Using default tag: ${ref.tag}\n`);
    const platform = ctx.flags.string('platform');
    const res = await ctx.client().stream('POST', '/images/create', {
      query: { fromImage: ref.name, tag: ref.digest || ref.tag, platform: platform || undefined },
      headers: { 'X-Registry-Auth': NO_AUTH },
    });
    await displayJSONStream(res, quiet ? quietOut : ctx.io.stdout);
    ctx.out(`${ref.name}${ref.digest ? `@${ref.digest}` : `:${ref.tag}`}\n`);
  },
};

export const pushCommand: Command = {
  use: 'push [OPTIONS] NAME[:TAG]',
  aliasPaths: ['image push', 'push'],
  short: 'Upload an image to a registry',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'all-tags', short: 'a', kind: 'bool', usage: 'Push all tags of an image to the repository' },
    { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress verbose output' },
  ],
  async run(ctx) {
    const ref = reference(ctx);
    if (ref.digest) throw new StatusError('cannot push a digested reference', 1);
    const all = ctx.flags.bool('all-tags');
    if (all && ref.explicitTag) throw new StatusError('tag can\'t be used with --all-tags/-a', 1);
    const quiet = ctx.flags.bool('quiet');
    if (!all && !ref.explicitTag && !quiet) ctx.out(`Using default tag: ${ref.tag}\n`);
    const res = await ctx.client().stream('POST', `/images/${esc(ref.familiarName)}/push`, {
      query: { tag: all ? undefined : ref.tag },
      headers: { 'X-Registry-Auth': NO_AUTH },
    });
    await displayJSONStream(res, quiet ? quietOut : ctx.io.stdout);
    if (quiet) ctx.out(`${ref.familiar}\n`);
  },
};
