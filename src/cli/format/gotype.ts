// Typed views of API objects. Docker's `inspect -f` first runs the template over the *typed* Go
// struct (e.g. network.Inspect) and only falls back to the raw JSON map when that fails (say, on
// `{{.Id}}`, which is `ID` in the struct). The two give different bytes — `{{.IPAM.Config}}` is
// `[{10.1.1.0/24  10.1.1.1 map[]}]` typed but `[map[Gateway:… Subnet:…]]` raw — so we describe the
// Go types with this small schema and convert decoded JSON into them.

import { GoList, GoMap, GoNumber, GoStruct, GoTime, type GoField, type GoValue } from './govalue.js';

export type GoType =
  | 'string'
  | 'bool'
  | 'int'
  | 'time'
  | 'any'
  | { slice: GoType }
  | { map: GoType }
  | { ptr: GoType }
  | StructType;

export interface StructType {
  struct: string;
  fields: FieldType[];
}

export interface FieldType {
  name: string;
  type: GoType;
  json?: string; // defaults to the Go name
  omitempty?: boolean;
}

/** Compact field declaration: `f('ID', 'string', { json: 'Id' })`. */
export function f(name: string, type: GoType, opts: { json?: string; omitempty?: boolean } = {}): FieldType {
  return { name, type, ...opts };
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Convert a raw decoded JSON value into the typed Go value, like json.Unmarshal into a struct. */
export function toTyped(raw: GoValue | undefined, type: GoType): GoValue {
  const missing = raw === undefined || raw === null;
  if (type === 'any') return raw ?? null;
  if (type === 'string') return missing ? '' : typeof raw === 'string' ? raw : String(raw);
  if (type === 'bool') return raw === true;
  if (type === 'int') return raw instanceof GoNumber ? raw : new GoNumber('0');
  if (type === 'time') return new GoTime(typeof raw === 'string' ? raw : ZERO_TIME);
  if ('slice' in type) {
    if (!(raw instanceof GoList)) return new GoList([], true);
    return new GoList(
      raw.items.map((i) => toTyped(i, type.slice)),
      raw.isNil,
    );
  }
  if ('map' in type) {
    if (!(raw instanceof GoMap)) return new GoMap(new Map(), true);
    const m = new Map<string, GoValue>();
    for (const [k, v] of raw.entries) m.set(k, toTyped(v, type.map));
    return new GoMap(m);
  }
  if ('ptr' in type) return missing ? null : toTyped(raw, type.ptr);
  const src = raw instanceof GoMap ? raw.entries : new Map<string, GoValue>();
  const fields: GoField[] = type.fields.map((ft) => {
    const key = ft.json ?? ft.name;
    // encoding/json matches keys exactly first, then case-insensitively.
    let v = src.get(key);
    if (v === undefined) {
      for (const [k, val] of src) if (k.toLowerCase() === key.toLowerCase()) v = val;
    }
    return { name: ft.name, json: key, omitempty: ft.omitempty ?? false, value: toTyped(v, ft.type) };
  });
  return new GoStruct(type.struct, fields);
}
