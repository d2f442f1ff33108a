// Image commands (docker CLI 28 cli/command/image): `images`/`image ls` with docker's
// imageContext columns, `load` (tar from -i or stdin), `import` (file or `-`, optional
// REPOSITORY[:TAG]) and `rmi`/`image rm`.

import fs from 'node:fs';
import { DaemonError, esc } from '../client.js';
import type { Command } from '../command.js';
import { normalizeImage } from '../container-create.js';
import { filtersQuery } from '../filters.js';
import { GoMap, GoStruct, goMarshal, stringStruct, type GoValue } from '../format/govalue.js';
import { FORMAT_HELP, renderList, TABLE_FORMAT_KEY } from '../format/listing.js';
import { displayJSONStream } from '../jsonstream.js';
import { StatusError } from '../status.js';
import { goLocalTime, humanDuration, humanSize, humanSizeWithPrecision } from '../units.js';
import { truncateID } from './ps.js';

interface ImageSummary {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  SharedSize?: number;
  Containers?: number;
}

const DEFAULT_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const DIGEST_TABLE =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const HEADERS = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'VIRTUAL SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

function imageRow(img: ImageSummary, repo: string, tag: string, digest: string, trunc: boolean): GoStruct {
  const values: Record<string, string> = {
    Containers: img.Containers === -1 || img.Containers === undefined ? 'N/A' : String(img.Containers),
    CreatedAt: goLocalTime(img.Created),
    CreatedSince: img.Created ? `${humanDuration(Date.now() - img.Created * 1000)} ago` : '',
    Digest: digest,
    ID: trunc ? truncateID(img.Id) : img.Id,
    Repository: repo,
    SharedSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize(img.SharedSize),
    Size: humanSizeWithPrecision(img.Size, 3),
    Tag: tag,
    UniqueSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize(img.Size - img.SharedSize),
    VirtualSize: humanSize(img.Size),
  };
  const s = stringStruct('*formatter.imageContext', values);
  return new GoStruct(s.typeName, s.fields, {}, () => goMarshal(new GoMap(new Map<string, GoValue>(Object.entries(values))), true));
}

/** imageFormat: one row per repository:tag (and digest, when shown); untagged images as <none>. */
function imageRows(images: ImageSummary[], trunc: boolean, digests: boolean): GoStruct[] {
  const rows: GoStruct[] = [];
  for (const img of images) {
    const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    const dgsts = (img.RepoDigests ?? []).filter((d) => d !== '<none>@<none>');
    if (tags.length === 0 && dgsts.length === 0) {
      rows.push(imageRow(img, '<none>', '<none>', '<none>', trunc));
      continue;
    }
    const byRepo = new Map<string, { tags: string[]; digests: string[] }>();
    const entry = (repo: string): { tags: string[]; digests: string[] } => {
      const e = byRepo.get(repo) ?? { tags: [], digests: [] };
      byRepo.set(repo, e);
      return e;
    };
    for (const t of tags) {
      const ref = normalizeImage(t);
      if (ref?.explicitTag) entry(ref.familiarName).tags.push(ref.explicitTag);
    }
    for (const d of dgsts) {
      const at = d.indexOf('@');
      if (at > 0) entry(normalizeImage(d.slice(0, at))?.familiarName ?? d.slice(0, at)).digests.push(d.slice(at + 1));
    }
    for (const [repo, e] of byRepo) {
      const ds = digests ? e.digests : [];
      if (e.tags.length === 0) {
        for (const d of e.digests) rows.push(imageRow(img, repo, '<none>', d, trunc));
        continue;
      }
      for (const tag of e.tags) {
        if (ds.length === 0) rows.push(imageRow(img, repo, tag, '<none>', trunc));
        for (const d of ds) rows.push(imageRow(img, repo, tag, d, trunc));
      }
    }
  }
  return rows;
}

export const imagesCommand: Command = {
  use: 'images [OPTIONS] [REPOSITORY[:TAG]]',
  aliasPaths: ['image ls', 'image list', 'images'],
  short: 'List images',
  args: { min: 0, max: 1 },
  flags: [
    { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only show image IDs' },
    { name: 'all', short: 'a', kind: 'bool', usage: 'Show all images (default hides intermediate images)' },
    { name: 'no-trunc', kind: 'bool', usage: "Don't truncate output" },
    { name: 'digests', kind: 'bool', usage: 'Show digests' },
    { name: 'format', kind: 'string', usage: FORMAT_HELP },
    { name: 'filter', short: 'f', kind: 'filter', usage: 'Filter output based on conditions provided' },
  ],
  async run(ctx) {
    const { flags } = ctx;
    const filters = [...flags.list('filter'), ...(ctx.args[0] ? [`reference=${ctx.args[0]}`] : [])];
    const images = await ctx.client().json<ImageSummary[]>('GET', '/images/json', {
      query: { all: flags.bool('all') ? '1' : undefined, filters: filtersQuery(filters) },
    });
    const quiet = flags.bool('quiet');
    const digests = flags.bool('digests');
    let format = flags.string('format') || TABLE_FORMAT_KEY;
    if (format === TABLE_FORMAT_KEY) format = quiet ? '{{.ID}}' : digests ? DIGEST_TABLE : DEFAULT_TABLE;
    else if (format.startsWith(TABLE_FORMAT_KEY) && digests && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';
    const needDigest = digests || format.includes('{{.Digest}}');
    ctx.out(renderList(format, imageRows(images, !flags.bool('no-trunc'), needDigest), HEADERS));
  },
};

export const loadCommand: Command = {
  use: 'load [OPTIONS]',
  aliasPaths: ['image load', 'load'],
  short: 'Load an image from a tar archive or STDIN',
  flags: [
    { name: 'input', short: 'i', kind: 'string', usage: 'Read from tar archive file, instead of STDIN' },
    { name: 'quiet', short: 'q', kind: 'bool', usage: 'Suppress the load output' },
  ],
  async run(ctx) {
    const file = ctx.flags.string('input');
    if (file === '' && (ctx.io.stdin as { isTTY?: boolean }).isTTY) {
      throw new StatusError('requested load from stdin, but stdin is empty', 1);
    }
    let body: NodeJS.ReadableStream;
    try {
      body = file === '' ? ctx.io.stdin : await openFile(file);
    } catch (e) {
      throw new StatusError(`open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`, 1);
    }
    const quiet = ctx.flags.bool('quiet') || !ctx.io.stdout.isTTY;
    const res = await ctx.client().stream('POST', '/images/load', {
      query: { quiet: quiet ? '1' : '0' },
      headers: { 'Content-Type': 'application/x-tar' },
      body,
    });
    if (String(res.headers['content-type']).includes('application/json')) await displayJSONStream(res, ctx.io.stdout);
    else for await (const chunk of res) ctx.io.stdout.write(chunk as Buffer);
  },
};

/** Open a file for streaming, failing early (like os.Open) when it does not exist. */
async function openFile(path: string): Promise<NodeJS.ReadableStream> {
  await fs.promises.access(path, fs.constants.R_OK);
  return fs.createReadStream(path);
}

export const importCommand: Command = {
  use: 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  aliasPaths: ['image import', 'import'],
  short: 'Import the contents from a tarball to create a filesystem image',
  args: { min: 1 },
  flags: [
    { name: 'change', short: 'c', kind: 'list', usage: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', kind: 'string', usage: 'Set commit message for imported image' },
    { name: 'platform', kind: 'string', usage: 'Set platform if server is multi-platform capable' },
  ],
  async run(ctx) {
    const [source, ref] = ctx.args as [string, string | undefined];
    const remote = /^https?:\/\//.test(source);
    let body: NodeJS.ReadableStream | undefined;
    if (source === '-') body = ctx.io.stdin;
    else if (!remote) {
      try {
        body = await openFile(source);
      } catch {
        throw new StatusError(`open ${source}: no such file or directory`, 1);
      }
    }
    const changes = ctx.flags.list('change');
    const res = await ctx.client().stream('POST', '/images/create', {
      // url.Values.Encode: keys sorted, `changes` repeated
      query: {
        changes: changes.length ? changes : undefined,
        fromSrc: remote ? source : '-',
        message: ctx.flags.string('message') || undefined,
        platform: ctx.flags.string('platform') || undefined,
        repo: ref || undefined,
      },
      body,
    });
    await displayJSONStream(res, ctx.io.stdout);
  },
};

export const rmiCommand: Command = {
  use: 'rmi [OPTIONS] IMAGE [IMAGE...]',
  aliasPaths: ['image rm', 'image remove', 'rmi'],
  short: 'Remove one or more images',
  args: { min: 1 },
  flags: [
    { name: 'force', short: 'f', kind: 'bool', usage: 'Force removal of the image' },
    { name: 'no-prune', kind: 'bool', usage: 'Do not delete untagged parents' },
  ],
  async run(ctx) {
    const force = ctx.flags.bool('force');
    const query = { force: force ? '1' : undefined, noprune: ctx.flags.bool('no-prune') ? '1' : undefined };
    const errors: string[] = [];
    let fatal = false;
    for (const img of ctx.args) {
      try {
        const dels = await ctx.client().json<Array<{ Untagged?: string; Deleted?: string }>>('DELETE', `/images/${esc(img)}`, { query });
        for (const d of dels) ctx.out(d.Deleted ? `Deleted: ${d.Deleted}\n` : `Untagged: ${d.Untagged ?? ''}\n`);
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
        if (!(e instanceof DaemonError && e.notFound)) fatal = true;
        errors.push(e.message);
      }
    }
    if (!errors.length) return;
    if (!force || fatal) throw new StatusError(errors.join('\n'), 1);
    ctx.err(`${errors.join('\n')}\n`);
  },
};

export const imageLsCommand: Command = { ...imagesCommand, use: 'ls [OPTIONS] [REPOSITORY[:TAG]]', aliases: ['list'] };
export const imageRmCommand: Command = { ...rmiCommand, use: 'rm [OPTIONS] IMAGE [IMAGE...]', aliases: ['rmi', 'remove'] };
