// JSON helpers that work on the daemon's raw bytes. Docker prints `inspect` output by re-indenting
// the raw response (json.Indent), never by re-marshalling it, so key order and string escapes are
// exactly what the daemon sent. JSON.parse + JSON.stringify would reorder integer-like keys and
// change escapes, so these functions work on the text itself.

import { GoList, GoMap, GoNumber, type GoValue } from './govalue.js';

const WS = new Set([' ', '\t', '\n', '\r']);

/** Go's json.Indent(dst, src, prefix="", indent). Empty objects/arrays stay `{}` / `[]`. */
export function jsonIndent(src: string, indent = '    '): string {
  let out = '';
  let depth = 0;
  let needIndent = false; // just opened a container; newline is deferred until we see content
  let inString = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') out += src[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (WS.has(c)) continue;
    if (needIndent && c !== ']' && c !== '}') {
      out += '\n' + indent.repeat(depth);
      needIndent = false;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        depth++;
        needIndent = true;
        break;
      case '}':
      case ']':
        depth--;
        if (needIndent) needIndent = false; // empty container: keep compact
        else out += '\n' + indent.repeat(depth);
        out += c;
        break;
      case ',':
        out += ',\n' + indent.repeat(depth);
        break;
      case ':':
        out += ': ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** Go's json.Compact: drop insignificant whitespace, keep everything else byte for byte. */
export function jsonCompact(src: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') out += src[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (!WS.has(c)) {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return out;
}

/**
 * Decode JSON into Go values the way `json.Decoder` with UseNumber() fills an `interface{}`:
 * objects become maps, arrays slices, numbers keep their literal text.
 */
export function parseGoJSON(text: string): GoValue {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(`invalid JSON at offset ${i}`);
  };
  const skip = (): void => {
    while (i < text.length && WS.has(text[i] as string)) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): GoValue => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map<string, GoValue>();
      skip();
      if (text[i] === '}') {
        i++;
        return new GoMap(m);
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail();
        const k = str();
        skip();
        if (text[i++] !== ':') fail();
        m.set(k, value());
        skip();
        const sep = text[i++];
        if (sep === '}') return new GoMap(m);
        if (sep !== ',') fail();
      }
    }
    if (c === '[') {
      i++;
      const items: GoValue[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return new GoList(items);
      }
      for (;;) {
        items.push(value());
        skip();
        const sep = text[i++];
        if (sep === ']') return new GoList(items);
        if (sep !== ',') fail();
      }
    }
    if (c === '"') return str();
    for (const [lit, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!num) return fail();
    i += num[0].length;
    return new GoNumber(num[0]);
  };
  const v = value();
  skip();
  if (i < text.length) fail();
  return v;
}
