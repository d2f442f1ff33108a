// The IPC broker process (ipc-broker.ts): starts children that hand socket handles back over a
// Node IPC channel, and passes their messages and handles on to the daemon. It is a small Node
// process, so its forks stay cheap when the daemon has grown.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server } from 'node:net';
import type { BrokerReply, BrokerRequest } from './ipc-broker.js';
import { exitWithParent, helperEnv } from './owner.js';

type Handle = UdpSocket | Server;
const children = new Map<number, { child: ChildProcess; handles: Handle[] }>();
const reply = (r: BrokerReply, handle?: Handle): void => {
  if (process.connected) process.send?.(r, handle);
};

process.on('message', (req: BrokerRequest) => {
  if (req.op === 'spawn') {
    const [cmd, ...args] = req.argv;
    const child = spawn(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: helperEnv(req.env) });
    const entry = { child, handles: [] as Handle[] };
    children.set(req.id, entry);
    child.stderr?.setEncoding('utf8').on('data', (text: string) => reply({ op: 'stderr', id: req.id, text }));
    child.on('message', (msg: unknown, handle?: Handle) => {
      if (handle) entry.handles.push(handle);
      reply({ op: 'message', id: req.id, msg }, handle);
    });
    child.on('error', (e) => reply({ op: 'error', id: req.id, message: e.message }));
    child.on('exit', (code) => {
      reply({ op: 'exit', id: req.id, code });
      release(req.id);
    });
    return;
  }
  const entry = children.get(req.id);
  if (!entry) return;
  if (req.op === 'disconnect' && entry.child.connected) entry.child.disconnect();
  if (req.op === 'kill') entry.child.kill('SIGKILL');
});

/** The daemon holds its own copies of the handles by now: ours would keep the sockets bound. */
function release(id: number): void {
  const entry = children.get(id);
  if (!entry) return;
  children.delete(id);
  for (const h of entry.handles) h.close();
}

// The daemon went away: nothing left to hand anything to. 'disconnect' alone is not enough: a
// daemon killed while a handle was on its way left a broker behind, holding the daemon's stderr.
process.on('disconnect', () => process.exit(0));
exitWithParent();
