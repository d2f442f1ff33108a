// `tether inspect` (docker's system inspect: any object, looked up as container, image, network,
// volume, then plugin, skipping "not found"), `container inspect` and `image inspect`. Output
// goes through format/inspect.ts (raw JSON re-indented, or -f templates).

import { networkInspectType } from '../apitypes.js';
import { DaemonError, esc, type EngineClient } from '../client.js';
import type { Command, RunContext } from '../command.js';
import type { FlagSpec } from '../args.js';
import { toTyped } from '../format/gotype.js';
import { inspectAll, type Inspected } from '../format/inspect.js';
import { parseGoJSON } from '../format/json.js';
import { INSPECT_FORMAT_HELP } from '../format/listing.js';
import { StatusError } from '../status.js';

type Fetch = (client: EngineClient, ref: string, size: boolean) => Promise<Inspected>;

const raw = async (client: EngineClient, path: string, query?: Record<string, string | undefined>): Promise<Inspected> => {
  const res = await client.request('GET', path, { query });
  return { raw: res.body.toString('utf8') };
};

const FETCHERS: Record<string, Fetch> = {
  container: (c, ref, size) => raw(c, `/containers/${esc(ref)}/json`, { size: size ? '1' : undefined }),
  image: (c, ref) => raw(c, `/images/${esc(ref)}/json`),
  network: async (c, ref) => {
    const item = await raw(c, `/networks/${esc(ref)}`);
    return { ...item, typed: toTyped(parseGoJSON(item.raw), networkInspectType) };
  },
  volume: (c, ref) => raw(c, `/volumes/${esc(ref)}`),
  plugin: (c, ref) => raw(c, `/plugins/${esc(ref)}/json`),
};

const ALL_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];
/** docker's autodetect order; swarm objects only when the daemon is a swarm manager. */
const AUTODETECT = ['container', 'image', 'network', 'volume', 'service', 'task', 'node', 'plugin', 'secret', 'config'];
const SWARM = new Set(['service', 'task', 'node', 'secret', 'config']);

/** isErrSkippable: try the next object type. */
const skippable = (e: unknown): boolean =>
  e instanceof DaemonError && (e.notFound || /not supported|invalid reference format/.test(e.message));

function autodetect(ctx: RunContext, type: string, size: boolean): (ref: string) => Promise<Inspected> {
  const client = ctx.client();
  return async (ref) => {
    let swarm: boolean | undefined;
    for (const t of AUTODETECT) {
      if (type !== '' && t !== type) continue;
      if (type === '' && SWARM.has(t)) {
        if (swarm === undefined) {
          try {
            swarm = (await client.json<{ Swarm?: { ControlAvailable?: boolean } }>('GET', '/info')).Swarm?.ControlAvailable === true;
          } catch (e) {
            ctx.err(`${(e as Error).message}\n`);
            swarm = false;
          }
        }
        if (!swarm) continue;
      }
      const fetch = FETCHERS[t];
      if (!fetch) throw new StatusError(`Error response from daemon: ${t} inspection is not supported by tether`, 1);
      try {
        const item = await fetch(client, ref, size);
        if (size && t !== 'container') ctx.err(`WARNING: --size ignored for ${t}\n`);
        return item;
      } catch (e) {
        if (type === '' && skippable(e)) continue;
        throw e;
      }
    }
    throw new StatusError(`Error: No such object: ${ref}`, 1);
  };
}

async function print(ctx: RunContext, fetch: (ref: string) => Promise<Inspected>): Promise<void> {
  const result = await inspectAll(ctx.args, ctx.flags.string('format'), fetch);
  ctx.out(result.out);
  if (result.error) throw result.error;
}

const FORMAT_FLAG: FlagSpec = { name: 'format', short: 'f', kind: 'string', usage: INSPECT_FORMAT_HELP };

export const inspectCommand: Command = {
  use: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on Docker objects',
  args: { min: 1 },
  flags: [
    FORMAT_FLAG,
    { name: 'type', kind: 'string', usage: 'Only inspect objects of the given type' },
    { name: 'size', short: 's', kind: 'bool', usage: 'Display total file sizes if the type is container' },
  ],
  async run(ctx) {
    const type = ctx.flags.string('type');
    const list = ALL_TYPES.join('", "');
    if (ctx.flags.changed('type') && type === '') throw new StatusError(`type is empty: must be one of "${list}"`, 1);
    if (type !== '' && !ALL_TYPES.includes(type)) throw new StatusError(`unknown type: "${type}": must be one of "${list}"`, 1);
    await print(ctx, autodetect(ctx, type, ctx.flags.bool('size')));
  },
};

export const containerInspectCommand: Command = {
  use: 'inspect [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  args: { min: 1 },
  flags: [FORMAT_FLAG, { name: 'size', short: 's', kind: 'bool', usage: 'Display total file sizes' }],
  run: (ctx) => print(ctx, (ref) => FETCHERS.container!(ctx.client(), ref, ctx.flags.bool('size'))),
};

export const imageInspectCommand: Command = {
  use: 'inspect [OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  args: { min: 1 },
  flags: [FORMAT_FLAG],
  run: (ctx) => print(ctx, (ref) => FETCHERS.image!(ctx.client(), ref, false)),
};
