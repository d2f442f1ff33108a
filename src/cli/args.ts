// A command-line flag parser modelled on spf13/pflag as docker configures it: GNU-style long
// flags (`--name value`, `--name=value`), shorthand chains (`-qf`, `-ovalue`, `-o=value`),
// interspersed positionals, `--` to stop, repeatable list/map flags, and pflag's exact error texts
// (docker prints them verbatim, exit 125). It also renders pflag's `FlagUsagesWrapped` help block.

/**
 * How a flag takes values (the names are pflag/docker value types, shown in help):
 * - bool: no value needed; `--x=false` to unset.
 * - string / int: last value wins.
 * - strings: StringSlice — comma-separated (CSV) and repeatable.
 * - list / map / filter: docker's ListOpts / MapOpts / FilterOpt — one item per occurrence.
 */
export type FlagKind = 'bool' | 'string' | 'int' | 'strings' | 'list' | 'map' | 'filter';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  usage: string;
  /** Default shown in help and returned when unset (string/bool/int kinds). */
  default?: string | boolean | number;
  /** Validates/normalises one item (ListOpts validators); throw Error(message) to reject. */
  validate?: (value: string) => string;
  hidden?: boolean;
}

/** A flag parse error; the message is pflag's, e.g. `unknown flag: --x`. */
export class FlagError extends Error {}

export class ParsedFlags {
  constructor(
    private readonly specs: Map<string, FlagSpec>,
    private readonly values: Map<string, string[]>,
  ) {}

  changed(name: string): boolean {
    return this.values.has(name);
  }

  private spec(name: string): FlagSpec {
    const s = this.specs.get(name);
    if (!s) throw new Error(`BUG: flag --${name} is not declared`);
    return s;
  }

  bool(name: string): boolean {
    const v = this.values.get(name);
    return v ? v[v.length - 1] === 'true' : this.spec(name).default === true;
  }

  string(name: string): string {
    const v = this.values.get(name);
    return v ? (v[v.length - 1] as string) : String(this.spec(name).default ?? '');
  }

  int(name: string): number {
    const v = this.values.get(name);
    return v ? Number(v[v.length - 1]) : Number(this.spec(name).default ?? 0);
  }

  /** All items of a strings/list/map/filter flag, in command-line order. */
  list(name: string): string[] {
    this.spec(name);
    return [...(this.values.get(name) ?? [])];
  }

  /** A map flag as docker's MapOpts: `k=v` (or `k` → ""), later keys overwrite earlier ones. */
  map(name: string): Map<string, string> {
    const m = new Map<string, string>();
    for (const item of this.list(name)) {
      const eq = item.indexOf('=');
      m.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
    }
    return m;
  }
}

/** strconv.ParseBool */
function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** encoding/csv reading one record, as pflag's StringSlice does. */
function readCSV(s: string): string[] {
  if (s === '') return [];
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (s[i] === '"') {
      i++;
      for (; i < s.length; i++) {
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i++;
          } else {
            i++;
            break;
          }
        } else field += s[i];
      }
      while (i < s.length && s[i] !== ',') field += s[i++];
    } else {
      while (i < s.length && s[i] !== ',') field += s[i++];
    }
    out.push(field);
    if (i >= s.length) return out;
    i++; // comma
  }
}

/**
 * Parse `argv` against `specs`. Returns the flags and the positional arguments. With
 * `interspersed: false` (pflag's SetInterspersed(false), as `run`/`exec` use) flag parsing stops
 * at the first positional, so `run IMAGE ls -l` keeps `-l` for the container command.
 */
export function parseFlags(
  argv: string[],
  specs: FlagSpec[],
  opts: { interspersed?: boolean } = {},
): { flags: ParsedFlags; args: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const values = new Map<string, string[]>();
  const args: string[] = [];

  const set = (spec: FlagSpec, raw: string, shown: string): void => {
    const invalid = (why: string): never => {
      throw new FlagError(`invalid argument ${JSON.stringify(raw)} for ${JSON.stringify(shown)} flag: ${why}`);
    };
    let items: string[];
    if (spec.kind === 'bool') {
      const b = parseBool(raw);
      if (b === undefined) invalid(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
      items = [String(b)];
    } else if (spec.kind === 'int') {
      // strconv.ParseInt(raw, 0, 64); a leading-zero octal literal is read as decimal here.
      const n = /^[-+]?(0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+|\d+)$/.test(raw) ? Number(raw.replace(/^\+/, '')) : Number.NaN;
      if (!Number.isSafeInteger(n)) invalid(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
      items = [String(n)];
    } else if (spec.kind === 'strings') {
      items = readCSV(raw);
    } else if (spec.kind === 'filter') {
      // docker's FilterOpt: empty is ignored; the key is lower-cased and both sides trimmed.
      if (raw === '') return;
      const eq = raw.indexOf('=');
      if (eq < 0) invalid('bad format of filter (expected name=value)');
      items = [`${raw.slice(0, eq).trim().toLowerCase()}=${raw.slice(eq + 1).trim()}`];
    } else {
      items = [raw];
    }
    if (spec.validate) {
      try {
        items = items.map((i) => (spec.validate as (v: string) => string)(i));
      } catch (e) {
        invalid((e as Error).message);
      }
    }
    const prev = values.get(spec.name) ?? [];
    values.set(spec.name, spec.kind === 'string' || spec.kind === 'int' || spec.kind === 'bool' ? items : [...prev, ...items]);
  };
  const display = (spec: FlagSpec): string => (spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`);

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) set(spec, a.slice(eq + 1), display(spec));
      else if (spec.kind === 'bool') set(spec, 'true', display(spec));
      else if (i + 1 < argv.length) set(spec, argv[++i] as string, display(spec));
      else throw new FlagError(`flag needs an argument: --${name}`);
    } else if (a.startsWith('-') && a.length > 1) {
      // A chain of shorthands: each bool takes no value; the first non-bool eats the rest.
      for (let j = 1; j < a.length; j++) {
        const c = a[j] as string;
        const spec = byShort.get(c);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        const rest = a.slice(j + 1);
        if (rest.startsWith('=')) {
          set(spec, rest.slice(1), display(spec));
          break;
        }
        if (spec.kind === 'bool') {
          set(spec, 'true', display(spec));
          continue;
        }
        if (rest !== '') set(spec, rest, display(spec));
        else if (i + 1 < argv.length) set(spec, argv[++i] as string, display(spec));
        else throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
    } else if (opts.interspersed === false) {
      args.push(...argv.slice(i));
      break;
    } else {
      args.push(a);
    }
  }
  return { flags: new ParsedFlags(byName, values), args };
}

// ---------------------------------------------------------------------------------------------
// Help text: pflag's FlagUsagesWrapped.

const VARNAME: Record<FlagKind, string> = {
  bool: '',
  string: 'string',
  int: 'int',
  strings: 'strings',
  list: 'list',
  map: 'map',
  filter: 'filter',
};

function defaultText(spec: FlagSpec): string {
  if (spec.kind === 'map') return ' (default map[])'; // MapOpts prints its empty map
  const d = spec.default;
  if (d === undefined || d === false || d === '' || d === 0) return '';
  return spec.kind === 'string' ? ` (default ${JSON.stringify(d)})` : ` (default ${String(d)})`;
}

/** pflag's wrapN: break `s` at the last whitespace before `i`, allowing `slop` overflow. */
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

function wrap(indent: number, cols: number, s: string): string {
  let width = cols - indent;
  let r = '';
  if (cols === 0) return s.replaceAll('\n', '\n' + ' '.repeat(indent));
  if (width < 24) {
    indent = 16;
    width = cols - indent;
    r += '\n' + ' '.repeat(indent);
  }
  if (width < 24) return s.replaceAll('\n', r);
  const slop = 5;
  width -= slop;
  const pad = ' '.repeat(indent);
  let [line, rest] = wrapN(width, slop, s);
  r += line.replaceAll('\n', '\n' + pad);
  while (rest !== '') {
    [line, rest] = wrapN(width, slop, rest);
    r += '\n' + pad + line.replaceAll('\n', '\n' + pad);
  }
  return r;
}

/** The "Options:" block of `--help`, wrapped to `cols` columns like docker (terminal width - 1). */
export function flagUsages(specs: FlagSpec[], cols: number): string {
  const visible = specs.filter((s) => !s.hidden).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const heads = visible.map((s) => {
    let line = s.short ? `  -${s.short}, --${s.name}` : `      --${s.name}`;
    if (VARNAME[s.kind]) line += ' ' + VARNAME[s.kind];
    return line;
  });
  const maxlen = Math.max(0, ...heads.map((h) => h.length + 1)); // +1: pflag counts its \x00 marker
  return visible
    .map((s, i) => {
      const head = heads[i] as string;
      const spacing = ' '.repeat(maxlen - head.length);
      return `${head} ${spacing} ${wrap(maxlen + 2, cols, s.usage + defaultText(s))}\n`;
    })
    .join('');
}
