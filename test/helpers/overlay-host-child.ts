// One "host" of the overlay tests: the overlay driver on a real kernel, driven directly (no
// daemon, no store) from the test process over JSON lines on stdin/stdout. Started inside a test
// host's namespace (overlay-host.ts), so the kernel it programs is that host's.
// argv: <pinned netns dir> <advertise address> <nft table>
import { createInterface } from 'node:readline';
import { overlayDriver } from '../../src/drivers/overlay/overlay-driver.js';
import type { DriverContext, JoinSpec, RemoteEndpoint } from '../../src/drivers/driver.js';
import { NftFirewaller } from '../../src/firewall/nft/nft-firewaller.js';
import { LinuxKernel } from '../../src/kernel/kernel.js';
import { silentLogger } from '../../src/model/logger.js';
import type { EndpointRecord } from '../../src/model/endpoint.js';
import type { NetworkRecord } from '../../src/model/network.js';

const [pinnedNetnsDir, advertise, table] = process.argv.slice(2) as [string, string, string];
const kernel = new LinuxKernel({ pinnedNetnsDir });
const firewall = new NftFirewaller({ kernel, log: silentLogger, table });
const ctx: DriverContext = { kernel, firewall, log: silentLogger, ...(advertise === '-' ? {} : { cluster: { advertise } }) };

interface Request {
  id: number;
  op: string;
  net?: NetworkRecord;
  spec?: JoinSpec;
  ep?: RemoteEndpoint;
  eps?: RemoteEndpoint[];
  present?: boolean;
  others?: NetworkRecord[];
  endpoints?: EndpointRecord[];
}

const ops: Record<string, (r: Request) => Promise<unknown>> = {
  probe: () => overlayDriver.probe(ctx),
  validate: (r) => overlayDriver.validate(ctx, r.net!),
  create: (r) => overlayDriver.createNetwork(ctx, r.net!),
  delete: (r) => overlayDriver.deleteNetwork(ctx, r.net!),
  join: (r) => overlayDriver.join(ctx, r.net!, r.spec!),
  leave: (r) => overlayDriver.leave(ctx, r.net!, r.spec!),
  peer: (r) => overlayDriver.peer!(ctx, r.net!, r.ep!, r.present!),
  // Many peers at once, as a watch delivers them: every call issued before any is awaited.
  peers: async (r) => {
    const t0 = performance.now();
    await Promise.all(r.eps!.map((ep) => overlayDriver.peer!(ctx, r.net!, ep, r.present!)));
    return { ms: performance.now() - t0 };
  },
  reconcile: (r) => overlayDriver.reconcile(ctx, { networks: r.others ?? [], endpoints: r.endpoints ?? [] }),
  uninstall: () => overlayDriver.uninstall(ctx, { networks: [], endpoints: [] }),
  // The heap the driver keeps, after a full collection (the child runs with --expose-gc).
  heap: async () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().heapUsed;
  },
};

await firewall.init();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const r = JSON.parse(line) as Request;
  ops[r.op]!(r).then(
    (result) => process.stdout.write(`${JSON.stringify({ id: r.id, result: result ?? null })}\n`),
    (e: unknown) => process.stdout.write(`${JSON.stringify({ id: r.id, error: e instanceof Error ? e.message : String(e) })}\n`),
  );
}
kernel.close();
