// The resolver process (started by resolver-processes.ts through the kernel layer): answers every
// sandbox's queries from its copy of the records, so no query waits behind the daemon's event
// loop (API calls, store, trace logging) or its garbage collector, and forwards upstream itself.
// It runs in the daemon's namespace: the sockets were bound inside the sandboxes and arrive here
// as handles.   argv: <ServingOptions as JSON>
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server } from 'node:net';
import { exitWithParent } from '../kernel/owner.js';
import type { SandboxContext } from './query-handler.js';
import { DnsRecords } from './records.js';
import type { ResolverReply, ResolverRequest } from './resolver-processes.js';
import { LocalServing, type ServingOptions } from './serving.js';

const records = new DnsRecords();
const serving = new LocalServing(records, JSON.parse(process.argv[2] ?? '{}') as ServingOptions);
/** A sandbox's UDP socket waiting for its TCP server (they come as two messages, one handle each). */
const pending = new Map<string, { udp: UdpSocket; context: SandboxContext }>();

const reply = (r: ResolverReply): void => {
  if (process.connected) process.send?.(r);
};

process.on('message', (m: ResolverRequest, handle?: UdpSocket | Server) => {
  if (m.op === 'records') {
    records.apply(m.change);
  } else if (m.op === 'udp') {
    if (handle) pending.set(m.sandboxId, { udp: handle as UdpSocket, context: m.context });
  } else if (m.op === 'tcp') {
    const udp = pending.get(m.sandboxId);
    pending.delete(m.sandboxId);
    if (udp && handle) {
      void serving.serve(m.sandboxId, { udp: udp.udp, tcp: handle as Server }, udp.context).then(() => reply({ op: 'served', sandboxId: m.sandboxId }));
    } else {
      udp?.udp.close();
      handle?.close();
      reply({ op: 'failed', sandboxId: m.sandboxId });
    }
  } else {
    pending.get(m.sandboxId)?.udp.close();
    pending.delete(m.sandboxId);
    serving.drop(m.sandboxId);
  }
});

// The daemon is gone (or let us go): our sockets would keep its sandboxes' namespaces alive.
process.on('disconnect', () => process.exit(0));
exitWithParent();
