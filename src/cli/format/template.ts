// A subset of Go's text/template, enough for docker's `--format` flags: field chains, variables,
// pipelines, parentheses, if/else/range/with, and the functions docker registers (json, join,
// split, lower, upper, title, pad, truncate) plus Go's builtins (index, len, eq, ne, lt, le, gt,
// ge, and, or, not, print, printf, println). Values are modelled in govalue.ts.

import { GoList, GoMap, GoNumber, GoStruct, goMarshal, goSprint, goTruth, templatePrint, type GoValue } from './govalue.js';
import { parse, TemplateError, type Arg, type Cmd, type Node, type Pipe } from './template-parse.js';

export { TemplateError };

/** A template value; `undefined` is Go's "invalid" value (a missing map key) that prints `<no value>`. */
type Val = GoValue | undefined;
export type TemplateFunc = (...args: Val[]) => Val;

// ---------------------------------------------------------------------------------------------
// Execution.

export interface ExecOptions {
  /** Go's Option("missingkey=error"), used by docker's raw inspect fallback. */
  missingKeyError?: boolean;
  /** Replace some functions (docker's HeaderFunctions for table headers). */
  funcs?: Record<string, TemplateFunc>;
}

function num(v: Val): number {
  if (v instanceof GoNumber) return Number(v.text);
  if (typeof v === 'string') return Number.NaN;
  throw new TemplateError('incompatible types for comparison');
}

function cmp(a: Val, b: Val): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return num(a) - num(b);
}

function eqVal(a: Val, b: Val): boolean {
  if (a instanceof GoNumber && b instanceof GoNumber) return Number(a.text) === Number(b.text);
  if (typeof a === 'object' && a !== null) throw new TemplateError('error calling eq: non-comparable type');
  return a === b;
}

function printfImpl(format: string, args: Val[]): string {
  let n = 0;
  return format.replace(/%([-+# 0]*\d*(?:\.\d+)?)([%svdqt])/g, (_m, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[n++];
    if (a === undefined) return `%!${verb}(MISSING)`;
    if (verb === 'q') return JSON.stringify(goSprint(a));
    return goSprint(a);
  });
}

const builtins: Record<string, TemplateFunc> = {
  json: (v) => goMarshal(v ?? null, false),
  split: (s, sep) => new GoList(String(s ?? '').split(String(sep ?? ''))),
  join: (l, sep) => (l instanceof GoList ? l.items.map((i) => goSprint(i)).join(String(sep ?? '')) : ''),
  title: (s) => String(s ?? '').replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()),
  lower: (s) => String(s ?? '').toLowerCase(),
  upper: (s) => String(s ?? '').toUpperCase(),
  pad: (s, pre, post) => (s === '' ? '' : ' '.repeat(num(pre)) + String(s) + ' '.repeat(num(post))),
  truncate: (s, n) => String(s).slice(0, num(n)),
  len: (v) => {
    if (typeof v === 'string') return new GoNumber(String(Buffer.byteLength(v)));
    if (v instanceof GoList) return new GoNumber(String(v.items.length));
    if (v instanceof GoMap) return new GoNumber(String(v.entries.size));
    throw new TemplateError(`error calling len: len of type ${typeof v}`);
  },
  index: (v, ...keys) => {
    let cur: Val = v;
    for (const k of keys) {
      if (cur instanceof GoMap) cur = cur.entries.get(goSprint(k ?? null));
      else if (cur instanceof GoList) cur = cur.items[num(k)];
      else throw new TemplateError(`error calling index: can't index item of type ${typeof cur}`);
    }
    return cur;
  },
  not: (v) => !goTruth(v),
  and: (...vs) => vs.find((v) => !goTruth(v)) ?? vs[vs.length - 1],
  or: (...vs) => vs.find((v) => goTruth(v)) ?? vs[vs.length - 1],
  eq: (a, ...bs) => bs.some((b) => eqVal(a, b)),
  ne: (a, b) => !eqVal(a, b),
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  print: (...vs) => vs.map((v) => goSprint(v ?? null)).join(''),
  println: (...vs) => vs.map((v) => goSprint(v ?? null)).join(' ') + '\n',
  printf: (f, ...vs) => printfImpl(String(f), vs),
};

/** docker's HeaderFunctions: when rendering a table header, formatting functions are identities. */
export const headerFuncs: Record<string, TemplateFunc> = Object.fromEntries(
  ['json', 'split', 'join', 'title', 'lower', 'upper', 'truncate'].map((n) => [n, (v: Val) => v]),
);

export class Template {
  private readonly nodes: Node[];

  constructor(readonly source: string) {
    this.nodes = parse(source);
    this.checkFuncs(this.nodes);
  }

  private checkFuncs(nodes: Node[]): void {
    const visitPipe = (p: Pipe, where: string): void => {
      for (const c of p.cmds) {
        for (const a of c.args) {
          if (a.k === 'ident' && !(a.name in builtins) && !['true', 'false', 'nil'].includes(a.name)) {
            throw new TemplateError(`template: ${where.replace(/:\d+$/, '')}: function "${a.name}" not defined`);
          }
          if (a.k === 'pipe') visitPipe(a.pipe, where);
        }
      }
    };
    for (const n of nodes) {
      if (n.k === 'text') continue;
      visitPipe(n.pipe, n.where);
      if (n.k !== 'action') {
        this.checkFuncs(n.body);
        this.checkFuncs(n.alt);
      }
    }
  }

  execute(dot: GoValue, opts: ExecOptions = {}): string {
    const funcs = { ...builtins, ...opts.funcs };
    const vars: Array<[string, Val]> = [['$', dot]];
    let out = '';

    const fail = (where: string, at: string, msg: string): never => {
      throw new TemplateError(`template: ${where}: executing "" at <${at}>: ${msg}`);
    };
    const field = (recv: Val, name: string, args: Val[], where: string): Val => {
      if (recv instanceof GoStruct) {
        const m = recv.methods[name];
        if (m) return m(...args.map((a) => a ?? null));
        const fld = recv.field(name);
        if (fld) return fld.value;
        return fail(where, `.${name}`, `can't evaluate field ${name} in type ${recv.typeName}`);
      }
      if (recv instanceof GoMap) {
        const m = recv.methods[name];
        if (m) return m(...args.map((a) => a ?? null));
        if (recv.entries.has(name)) return recv.entries.get(name);
        if (opts.missingKeyError) return fail(where, `.${name}`, `map has no entry for key "${name}"`);
        return undefined;
      }
      if (recv === null || recv === undefined) return fail(where, `.${name}`, `nil pointer evaluating interface {}.${name}`);
      return fail(where, `.${name}`, `can't evaluate field ${name} in type ${typeof recv}`);
    };
    const chainOf = (start: Val, chain: string[], args: Val[], where: string): Val => {
      let v = start;
      chain.forEach((name, i) => {
        v = field(v, name, i === chain.length - 1 ? args : [], where);
      });
      return v;
    };
    const lookupVar = (name: string, where: string): Val => {
      for (let i = vars.length - 1; i >= 0; i--) if (vars[i]?.[0] === name) return vars[i]?.[1];
      return fail(where, name, `undefined variable: ${name}`);
    };
    const evalArg = (a: Arg, d: Val, where: string): Val => {
      switch (a.k) {
        case 'field':
          return chainOf(d, a.chain, [], where);
        case 'var':
          return chainOf(lookupVar(a.name, where), a.chain, [], where);
        case 'str':
          return a.value;
        case 'num':
          return new GoNumber(a.text);
        case 'pipe':
          return chainOf(evalPipe(a.pipe, d, where), a.chain, [], where);
        case 'ident':
          if (a.name === 'true' || a.name === 'false') return a.name === 'true';
          if (a.name === 'nil') return null;
          return callFunc(a.name, [], where);
        default:
          return fail(where, '', 'unexpected token');
      }
    };
    const callFunc = (name: string, args: Val[], where: string): Val => {
      const fn = funcs[name];
      if (!fn) return fail(where, name, `function "${name}" not defined`);
      try {
        return fn(...args);
      } catch (e) {
        if (e instanceof TemplateError && e.message.startsWith('template:')) throw e;
        return fail(where, `${name}`, `error calling ${name}: ${(e as Error).message}`);
      }
    };
    const evalCmd = (c: Cmd, d: Val, piped: Val[], where: string): Val => {
      const [first, ...rest] = c.args as [Arg, ...Arg[]];
      const args = () => [...rest.map((a) => evalArg(a, d, where)), ...piped];
      if (first.k === 'ident' && !['true', 'false', 'nil'].includes(first.name)) return callFunc(first.name, args(), where);
      if (first.k === 'field' && first.chain.length > 0) {
        // The last element of a chain may be a method called with arguments: {{.Label "x"}}.
        const recv = chainOf(d, first.chain.slice(0, -1), [], where);
        return field(recv, first.chain[first.chain.length - 1] as string, args(), where);
      }
      if (rest.length > 0 || piped.length > 0) fail(where, '', `can't give argument to non-function`);
      return evalArg(first, d, where);
    };
    const evalPipe = (p: Pipe, d: Val, where: string): Val => {
      let v: Val;
      p.cmds.forEach((c, i) => {
        v = evalCmd(c, d, i === 0 ? [] : [v], where);
      });
      if (p.decl.length === 1) vars.push([p.decl[0] as string, v]);
      return v;
    };
    const run = (nodes: Node[], d: Val): void => {
      for (const n of nodes) {
        if (n.k === 'text') {
          out += n.text;
        } else if (n.k === 'action') {
          const v = evalPipe(n.pipe, d, n.where);
          if (n.pipe.decl.length === 0) out += templatePrint(v ?? null);
        } else {
          const mark = vars.length;
          const decl = n.k === 'range' ? { ...n.pipe, decl: [] } : n.pipe;
          const v = evalPipe(decl, d, n.where);
          if (n.k === 'if') run(goTruth(v) ? n.body : n.alt, d);
          else if (n.k === 'with') run(goTruth(v) ? n.body : n.alt, goTruth(v) ? v : d);
          else {
            const entries: Array<[Val, Val]> =
              v instanceof GoList
                ? v.items.map((it, i) => [new GoNumber(String(i)), it])
                : v instanceof GoMap
                  ? [...v.entries.keys()].sort().map((k) => [k, v.entries.get(k)])
                  : [];
            if (v !== undefined && v !== null && !(v instanceof GoList) && !(v instanceof GoMap)) {
              fail(n.where, 'range', `range can't iterate over ${goSprint(v)}`);
            }
            if (entries.length === 0) run(n.alt, d);
            for (const [k, item] of entries) {
              const inner = vars.length;
              if (n.pipe.decl.length === 1) vars.push([n.pipe.decl[0] as string, item]);
              if (n.pipe.decl.length === 2) vars.push([n.pipe.decl[0] as string, k], [n.pipe.decl[1] as string, item]);
              run(n.body, item);
              vars.length = inner;
            }
          }
          vars.length = mark;
        }
      }
    };
    run(this.nodes, dot);
    return out;
  }
}
