// Parsing for the text/template subset in template.ts: split the source into text and
// {{actions}} (honouring `{{- ` / ` -}}` trim markers), tokenize actions, and build a tree of
// text, output actions and if/with/range blocks.

export class TemplateError extends Error {}

// ---------------------------------------------------------------------------------------------
// Lexing: split into text and actions, then tokenize each action.

export type Tok =
  | { k: 'field'; chain: string[] } // .A.B  (empty chain = ".")
  | { k: 'var'; name: string; chain: string[] } // $x.A
  | { k: 'ident'; name: string }
  | { k: 'str'; value: string }
  | { k: 'num'; text: string }
  | { k: 'punct'; p: '(' | ')' | '|' | ':=' | '=' | ',' }
  | { k: 'chain'; chain: string[] }; // .A after a ')'

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(src: string, where: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const chainAt = (): string[] => {
    const chain: string[] = [];
    while (src[i] === '.') {
      const m = IDENT.exec(src.slice(i + 1));
      if (!m) break;
      chain.push(m[0]);
      i += 1 + m[0].length;
    }
    return chain;
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '.') {
      const prevClose = toks.length > 0 && toks[toks.length - 1]?.k === 'punct' && src[i - 1] === ')';
      const chain = chainAt();
      if (chain.length === 0) i++; // bare dot
      toks.push(prevClose ? { k: 'chain', chain } : { k: 'field', chain });
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      i += m[0].length;
      toks.push({ k: 'var', name: m[0], chain: chainAt() });
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new TemplateError(`template: ${where}: unterminated quoted string`);
      toks.push({ k: 'str', value: JSON.parse(src.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError(`template: ${where}: unterminated raw quoted string`);
      toks.push({ k: 'str', value: src.slice(i + 1, j) });
      i = j + 1;
    } else if (/[-+0-9]/.test(c)) {
      const m = /^[-+]?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw new TemplateError(`template: ${where}: bad number syntax: "${c}"`);
      toks.push({ k: 'num', text: m[0] });
      i += m[0].length;
    } else if (src.startsWith(':=', i)) {
      toks.push({ k: 'punct', p: ':=' });
      i += 2;
    } else if ('()|=,'.includes(c)) {
      toks.push({ k: 'punct', p: c as '(' | ')' | '|' | '=' | ',' });
      i++;
    } else {
      const m = IDENT.exec(src.slice(i));
      if (!m) throw new TemplateError(`template: ${where}: unexpected "${c}" in command`);
      toks.push({ k: 'ident', name: m[0] });
      i += m[0].length;
    }
  }
  return toks;
}

// ---------------------------------------------------------------------------------------------
// Parsing into a tree.

export type Arg = Tok | { k: 'pipe'; pipe: Pipe; chain: string[] };
export interface Cmd {
  args: Arg[];
}
export interface Pipe {
  decl: string[];
  cmds: Cmd[];
}
export type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipe; where: string }
  | { k: 'if' | 'with' | 'range'; pipe: Pipe; body: Node[]; alt: Node[]; where: string };

interface RawAction {
  src: string;
  where: string;
}

function parsePipe(toks: Tok[], where: string): Pipe {
  let pos = 0;
  const decl: string[] = [];
  // `$x := pipeline` or `$i, $v := pipeline` (range)
  const declEnd = toks.findIndex((t) => t.k === 'punct' && (t.p === ':=' || t.p === '='));
  if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t.k === 'var' || (t.k === 'punct' && t.p === ','))) {
    for (const t of toks.slice(0, declEnd)) if (t.k === 'var') decl.push(t.name);
    pos = declEnd + 1;
  }
  const parseCmds = (closing: boolean): Cmd[] => {
    const cmds: Cmd[] = [{ args: [] }];
    while (pos < toks.length) {
      const t = toks[pos++] as Tok;
      const cur = cmds[cmds.length - 1] as Cmd;
      if (t.k === 'punct' && t.p === '|') {
        if (cur.args.length === 0) throw new TemplateError(`template: ${where}: missing value for command`);
        cmds.push({ args: [] });
      } else if (t.k === 'punct' && t.p === '(') {
        const inner = parseCmds(true);
        const next = toks[pos];
        let chain: string[] = [];
        if (next?.k === 'chain') {
          chain = next.chain;
          pos++;
        }
        cur.args.push({ k: 'pipe', pipe: { decl: [], cmds: inner }, chain });
      } else if (t.k === 'punct' && t.p === ')') {
        if (!closing) throw new TemplateError(`template: ${where}: unexpected ")" in command`);
        return cmds;
      } else if (t.k === 'punct') {
        throw new TemplateError(`template: ${where}: unexpected "${t.p}" in command`);
      } else {
        cur.args.push(t);
      }
    }
    if (closing) throw new TemplateError(`template: ${where}: unclosed left paren`);
    return cmds;
  };
  const cmds = parseCmds(false);
  if (cmds.some((c) => c.args.length === 0)) throw new TemplateError(`template: ${where}: missing value for command`);
  return { decl, cmds };
}

export function parse(src: string): Node[] {
  // Split into text and {{actions}}, applying the `{{- ` / ` -}}` trim markers.
  const items: Array<string | RawAction> = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) items.push(text);
      break;
    }
    let start = open + 2;
    if (/^-\s/.test(src.slice(start))) {
      text = text.replace(/\s+$/, '');
      start++;
    }
    if (text) items.push(text);
    const line = src.slice(0, open).split('\n').length;
    const where = `:${line}`;
    const close = src.indexOf('}}', start);
    if (close < 0) throw new TemplateError(`template: ${where}: unclosed action`);
    let end = close;
    if (/\s-$/.test(src.slice(start, close))) {
      end = close - 1;
      trimNext = true;
    }
    const col = open - src.lastIndexOf('\n', open - 1) - 1 + 2;
    items.push({ src: src.slice(start, end).trim(), where: `${where}:${col}` });
    i = close + 2;
  }

  let pos = 0;
  // Parses nodes until one of `stops` keywords; returns the nodes and the stop action's source.
  const parseList = (stops: string[]): [Node[], string | undefined] => {
    const nodes: Node[] = [];
    while (pos < items.length) {
      const it = items[pos++] as string | RawAction;
      if (typeof it === 'string') {
        nodes.push({ k: 'text', text: it });
        continue;
      }
      if (it.src.startsWith('/*')) continue; // comment
      const kw = /^(if|with|range|else|end)\b/.exec(it.src)?.[1];
      const where = it.where.replace(/:\d+$/, '');
      if (kw === 'end' || kw === 'else') {
        if (!stops.includes(kw)) throw new TemplateError(`template: ${where}: unexpected {{${kw}}}`);
        return [nodes, it.src];
      }
      if (kw === 'if' || kw === 'with' || kw === 'range') {
        nodes.push(parseControl(kw, it.src.slice(kw.length), it.where));
        continue;
      }
      if (it.src === '') throw new TemplateError(`template: ${where}: missing value for command`);
      nodes.push({ k: 'action', pipe: parsePipe(tokenize(it.src, where), where), where: it.where });
    }
    if (stops.length > 0) throw new TemplateError(`template: :${src.split('\n').length}: unexpected EOF`);
    return [nodes, undefined];
  };
  const parseControl = (kw: 'if' | 'with' | 'range', rest: string, at: string): Node => {
    const where = at.replace(/:\d+$/, '');
    const pipe = parsePipe(tokenize(rest, where), where);
    const [body, stop] = parseList(['else', 'end']);
    let alt: Node[] = [];
    if (stop !== undefined && stop.startsWith('else')) {
      const elseRest = stop.slice(4).trim();
      if (/^(if|with)\b/.test(elseRest)) {
        // `{{else if x}}` nests a new control whose {{end}} also closes this one.
        const k = elseRest.startsWith('if') ? 'if' : 'with';
        alt = [parseControl(k, elseRest.slice(k.length), at)];
      } else {
        [alt] = parseList(['end']);
      }
    }
    return { k: kw, pipe, body, alt, where: at };
  };
  return parseList([])[0];
}
