// Named points in every multi-step change where a crash test may stop the daemon: with
// TETHER_CRASH_AT=<name> the daemon logs "crash point <name>" and waits there for ever, so the
// test can SIGKILL it at exactly that step. Unset (production), a point is one comparison.
const target = process.env['TETHER_CRASH_AT'];

export type CrashPoint =
  | 'network.create.reserved' // row 'creating' committed, no bridge yet
  | 'network.create.kernel' // bridge made, row not yet 'ready'
  | 'network.remove.marked' // row 'removing', bridge still there
  | 'endpoint.reserved' // endpoint row + lease committed, no veth yet
  | 'endpoint.joined' // veth in the sandbox, row not yet 'ready'
  | 'container.network-up' // sandbox and endpoints ready, process not started
  | 'container.started'; // process running, state not yet recorded

export async function crashPoint(name: CrashPoint): Promise<void> {
  if (target !== name) return;
  process.stderr.write(`crash point ${name}\n`);
  await new Promise<never>(() => undefined);
}
