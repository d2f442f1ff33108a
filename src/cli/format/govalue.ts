// The values Go templates see. Docker's CLI renders `--format` templates over Go values, and the
// visible output depends on the Go *type*: a map prints as `map[k:v]` with sorted keys, a struct
// as `{a b}`, a time.Time through its String() method, and `{{json .}}` follows struct field
// order but sorts map keys. Modelling those few kinds explicitly lets us reproduce docker's bytes
// instead of approximating them with JavaScript's own printing.

/** A number as Go holds it: an int from a typed struct or a json.Number from a raw decode. */
export class GoNumber {
  constructor(readonly text: string) {}
}

/** time.Time, kept as the RFC 3339 text the daemon sent (its MarshalJSON form). */
export class GoTime {
  constructor(readonly rfc3339: string) {}
}

/** A slice; `isNil` distinguishes a nil slice (`null` in JSON) from an empty one (`[]`). */
export class GoList {
  constructor(
    readonly items: GoValue[],
    readonly isNil = false,
  ) {}
}

/** map[string]T; printed and marshalled with sorted keys, as Go does. A named map type may have methods. */
export class GoMap {
  constructor(
    readonly entries: Map<string, GoValue>,
    readonly isNil = false,
    readonly methods: Record<string, (...args: GoValue[]) => GoValue> = {},
  ) {}
}

export interface GoField {
  name: string; // the Go field name templates use (`.ID`)
  json: string; // the JSON key (`Id`)
  omitempty: boolean;
  value: GoValue;
}

/** A struct (or a docker formatter "context" whose methods act as fields). */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: GoField[],
    /** Methods taking arguments, e.g. networkContext.Label(name). */
    readonly methods: Record<string, (...args: GoValue[]) => GoValue> = {},
    /** A custom MarshalJSON, as docker's formatter contexts have. */
    readonly marshalJSON?: () => string,
  ) {}

  field(name: string): GoField | undefined {
    return this.fields.find((f) => f.name === name);
  }
}

/** `null` is a nil interface or nil pointer. */
export type GoValue = null | string | boolean | GoNumber | GoTime | GoList | GoMap | GoStruct;

/** Shorthand for building a formatter context whose methods all return strings. */
export function stringStruct(typeName: string, fields: Record<string, string>): GoStruct {
  return new GoStruct(
    typeName,
    Object.entries(fields).map(([name, value]) => ({ name, json: name, omitempty: false, value })),
  );
}

// ---------------------------------------------------------------------------------------------
// Printing: fmt.Sprint semantics ("%v").

/** How text/template prints the result of an action: a nil interface shows as `<no value>`. */
export function templatePrint(v: GoValue | undefined): string {
  if (v === undefined || v === null) return '<no value>';
  return goSprint(v);
}

/** fmt's %v for one value, as it appears nested inside composite values. */
export function goSprint(v: GoValue): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof GoNumber) return v.text;
  if (v instanceof GoTime) return goTimeString(v.rfc3339);
  if (v instanceof GoList) return `[${v.items.map(goSprint).join(' ')}]`;
  if (v instanceof GoMap) {
    const keys = [...v.entries.keys()].sort(byteCompare);
    return `map[${keys.map((k) => `${k}:${goSprint(v.entries.get(k) ?? null)}`).join(' ')}]`;
  }
  return `{${v.fields.map((f) => goSprint(f.value)).join(' ')}}`;
}

/** Go compares strings bytewise (UTF-8); JS `<` compares UTF-16 units. Same for the BMP. */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Truthiness as text/template's `if` sees it. */
export function goTruth(v: GoValue | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'boolean') return v;
  if (v instanceof GoNumber) return Number(v.text) !== 0;
  if (v instanceof GoList) return v.items.length > 0;
  if (v instanceof GoMap) return v.entries.size > 0;
  return true; // structs and times are always "non-empty"
}

// ---------------------------------------------------------------------------------------------
// time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST".

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$/;

export function goTimeString(rfc3339: string): string {
  const m = RFC3339.exec(rfc3339);
  if (!m) return rfc3339;
  const [, date, clock, frac = '', zone = 'Z'] = m;
  const fraction = frac.replace(/0+$/, '');
  let zoneText: string;
  if (zone === 'Z' || zone === 'z') {
    zoneText = '+0000 UTC';
  } else {
    // An unnamed fixed zone prints its offset as its abbreviation.
    const off = zone.replace(':', '');
    zoneText = `${off} ${off}`;
  }
  return `${date} ${clock}${fraction ? `.${fraction}` : ''} ${zoneText}`;
}

// ---------------------------------------------------------------------------------------------
// encoding/json marshalling of Go values.

/** Go's JSON string quoting. `escapeHTML` mirrors json.Marshal (true) vs an Encoder with SetEscapeHTML(false). */
export function goQuote(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20) {
      if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else out += `\\u00${c.toString(16).padStart(2, '0')}`;
    } else if (escapeHTML && (ch === '<' || ch === '>' || ch === '&')) {
      out += `\\u00${c.toString(16)}`;
    } else if (c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16)}`;
    } else out += ch;
  }
  return out + '"';
}

function isEmptyValue(v: GoValue): boolean {
  if (v === null || v === '' || v === false) return true;
  if (v instanceof GoNumber) return Number(v.text) === 0;
  if (v instanceof GoList) return v.items.length === 0;
  if (v instanceof GoMap) return v.entries.size === 0;
  return false;
}

export function goMarshal(v: GoValue, escapeHTML: boolean): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goQuote(v, escapeHTML);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof GoNumber) return v.text;
  if (v instanceof GoTime) return goQuote(v.rfc3339, escapeHTML);
  if (v instanceof GoList) {
    return v.isNil ? 'null' : `[${v.items.map((i) => goMarshal(i, escapeHTML)).join(',')}]`;
  }
  if (v instanceof GoMap) {
    if (v.isNil) return 'null';
    const keys = [...v.entries.keys()].sort(byteCompare);
    return `{${keys.map((k) => `${goQuote(k, escapeHTML)}:${goMarshal(v.entries.get(k) ?? null, escapeHTML)}`).join(',')}}`;
  }
  if (v.marshalJSON) return v.marshalJSON();
  const parts = v.fields
    .filter((f) => !(f.omitempty && isEmptyValue(f.value)))
    .map((f) => `${goQuote(f.json, escapeHTML)}:${goMarshal(f.value, escapeHTML)}`);
  return `{${parts.join(',')}}`;
}
