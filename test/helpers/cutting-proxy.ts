// A TCP proxy for a test host (run as a script inside it) that cuts the first connection once it
// has passed `cutAfter` bytes from the server, to test what a client does with a download that
// dies mid-way. Prints "cut" when it has cut, and each client request line it sees.
// Args: listenPort targetPort cutAfter
import { connect, createServer } from 'node:net';

const [listenPort, targetPort, cutAfter] = process.argv.slice(2).map(Number) as [number, number, number];
let cut = false;

createServer((client) => {
  const server = connect(targetPort, '127.0.0.1');
  let passed = 0;
  client.on('data', (d: Buffer) => {
    for (const line of d.toString('latin1').split('\r\n')) if (/^(GET|HEAD|POST|PUT) |^Range:/i.test(line)) console.log(line);
    server.write(d);
  });
  server.on('data', (d: Buffer) => {
    passed += d.length;
    if (!cut && passed > cutAfter) {
      cut = true;
      console.log('cut');
      client.write(d.subarray(0, d.length - (passed - cutAfter)));
      client.destroy();
      server.destroy();
      return;
    }
    client.write(d);
  });
  const end = (): void => {
    client.destroy();
    server.destroy();
  };
  client.on('error', end).on('close', end);
  server.on('error', end).on('close', end);
}).listen(listenPort, '127.0.0.1');
