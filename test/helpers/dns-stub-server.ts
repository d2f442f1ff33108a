// A stand-in upstream resolver for tests (run inside a test host): answers every query with
// NXDOMAIN, so forwarded names fail fast and nothing ever leaves the machine.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

const NXDOMAIN = 3; // the rcode, the low four bits of the flags
const sock = createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  try {
    const q = dnsPacket.decode(msg);
    const reply = dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | NXDOMAIN, questions: q.questions });
    sock.send(reply, rinfo.port, rinfo.address);
  } catch {
    /* not DNS: ignore */
  }
});
sock.bind(53, process.argv[2] ?? '127.0.0.1', () => process.stdout.write('ready\n'));
