// Where an operation's time goes (`tetherd --trace-ops`): each API request is one operation, and
// the layers mark their phases (kernel batches, nft, store transactions, runtime create/start,
// DNS). The operation is found through AsyncLocalStorage, so no layer passes a context around;
// with tracing off, phase() is one boolean test and a direct call.
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

export interface PhaseTotal {
  /** Milliseconds spent in the phase, summed over its calls (parallel calls overlap). */
  ms: number;
  calls: number;
}

export interface OpTrace {
  op: string;
  ms: number;
  phases: Record<string, PhaseTotal>;
}

const current = new AsyncLocalStorage<Map<string, PhaseTotal>>();
let sink: ((t: OpTrace) => void) | undefined;

/** Turns tracing on: every finished operation goes to `to`. */
export function traceOps(to: ((t: OpTrace) => void) | undefined): void {
  sink = to;
}

/** Runs one operation; with tracing on, its phases are summed and handed to the sink at the end. */
export async function operation<T>(op: string, fn: () => Promise<T>): Promise<T> {
  const to = sink;
  if (!to) return fn();
  const phases = new Map<string, PhaseTotal>();
  const start = performance.now();
  try {
    return await current.run(phases, fn);
  } finally {
    to({ op, ms: round(performance.now() - start), phases: Object.fromEntries([...phases].map(([k, v]) => [k, { ms: round(v.ms), calls: v.calls }])) });
  }
}

/** Times fn as a phase of the current operation (if any is traced). */
export async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const phases = sink && current.getStore();
  if (!phases) return fn();
  const start = performance.now();
  try {
    return await fn();
  } finally {
    const p = phases.get(name) ?? { ms: 0, calls: 0 };
    p.ms += performance.now() - start;
    p.calls += 1;
    phases.set(name, p);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
