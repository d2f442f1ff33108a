// A stand-in upstream resolver for tests (run inside a test host): answers every query with
// NXDOMAIN, so forwarded names fail fast and nothing ever leaves the machine. Each query is
// logged on stdout (`query <name> from <address>`), after the first line `ready`.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';

const NXDOMAIN = 3; // the rcode, the low four bits of the flags
const address = process.argv[2] ?? '127.0.0.1';
const sock = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
sock.on('message', (msg, rinfo) => {
  try {
    const q = dnsPacket.decode(msg);
    for (const question of q.questions ?? []) process.stdout.write(`query ${question.name} from ${rinfo.address}\n`);
    const reply = dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | NXDOMAIN, questions: q.questions });
    sock.send(reply, rinfo.port, rinfo.address);
  } catch {
    /* not DNS: ignore */
  }
});
sock.bind(53, address, () => process.stdout.write('ready\n'));
