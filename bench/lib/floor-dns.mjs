#!/usr/bin/env node
// The DNS floor: the least a resolver on 127.0.0.11 can do, one UDP socket answering every query
// with one fixed A record (no lookup, no upstream, no logging). Run inside the floor's DNS netns:
//   nsenter --net=NS node floor-dns.mjs LISTEN_IP ANSWER_IP
// Prints "ready" once bound; the same dnsperf client as the engines' DNS bench then queries it.
import dgram from 'node:dgram';

const [listen, answer] = process.argv.slice(2);
const rdata = Buffer.from(answer.split('.').map(Number));
const sock = dgram.createSocket('udp4');

/** Length of the question section (QNAME labels + QTYPE + QCLASS) starting at byte 12. */
function questionEnd(q) {
  let i = 12;
  while (i < q.length && q[i] !== 0) i += q[i] + 1;
  return i + 5;
}

sock.on('message', (q, from) => {
  if (q.length < 17) return;
  const end = questionEnd(q);
  if (end > q.length) return;
  const r = Buffer.alloc(end + 16);
  q.copy(r, 0, 0, end);
  r[2] = 0x80 | (q[2] & 0x01) | 0x04; // QR, RD copied, AA
  r[3] = 0x80; // RA, NOERROR
  r.writeUInt16BE(1, 4); // QDCOUNT
  r.writeUInt16BE(1, 6); // ANCOUNT
  r.writeUInt32BE(0, 8); // NSCOUNT, ARCOUNT
  // answer: pointer to the question's name, A, IN, TTL 600 (Docker's), 4 bytes of address
  r.writeUInt16BE(0xc00c, end);
  r.writeUInt16BE(1, end + 2);
  r.writeUInt16BE(1, end + 4);
  r.writeUInt32BE(600, end + 6);
  r.writeUInt16BE(4, end + 10);
  rdata.copy(r, end + 12);
  sock.send(r, from.port, from.address);
});
sock.bind(53, listen, () => process.stdout.write('ready\n'));
