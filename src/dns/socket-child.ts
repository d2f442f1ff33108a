// Runs inside a sandbox's netns (started by the kernel layer under `nsenter --net=…`): binds the
// resolver's UDP and TCP sockets there and hands both to tetherd over the IPC channel, then
// leaves. Kept tiny on purpose — its start-up time is on the `docker run` path.
//   argv: <address> <port>
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { exitWithParent } from '../kernel/owner.js';

const [address = '127.0.0.11', portText = '53'] = process.argv.slice(2);
const port = Number(portText);

function fail(e: NodeJS.ErrnoException): void {
  process.send?.({ kind: 'error', code: e.code ?? 'EUNKNOWN', message: e.message }, () => process.exit(1));
}

const udp = createSocket('udp4');
udp.once('error', fail);
udp.bind({ address, port, exclusive: true }, () => {
  const tcp = createServer();
  tcp.once('error', fail);
  tcp.listen({ host: address, port, backlog: 128, exclusive: true }, () => {
    process.send?.({ kind: 'udp' }, udp);
    process.send?.({ kind: 'tcp' }, tcp);
  });
});
// tetherd disconnects once it holds both handles; until then our copies must stay open. A
// parent killed mid-handover may never say so: leave when it is gone, or the namespace stays.
process.on('disconnect', () => process.exit(0));
exitWithParent();
