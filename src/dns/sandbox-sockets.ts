// Gets a sandbox's resolver sockets: the kernel layer starts socket-child.js inside the sandbox's
// netns with an IPC channel (through its broker, kernel/ipc-broker.ts); the child binds 127.0.0.11:53 (UDP and TCP) and passes both handles
// back (Node can pass dgram sockets and net servers between processes), then exits. Node cannot
// setns a thread, so a short-lived child is the way to own sockets in another namespace.
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { internal, unavailable } from '../errors.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SandboxSockets } from './listener.js';

const CHILD = fileURLToPath(new URL('./socket-child.js', import.meta.url));

export interface BindOptions {
  address: string;
  port: number;
  /** The child must have bound both sockets by then (Node start-up is ~0.1 s). */
  timeoutMs?: number;
}

/**
 * Binds the resolver's sockets inside netnsPath. Every sandbox has `lo` up from its creation
 * (kernel/netns.ts): with it down the bind would succeed and no query arrive.
 */
export function bindSandboxSockets(kernel: Kernel, netnsPath: string, opts: BindOptions): Promise<SandboxSockets> {
  const child = kernel.spawnIpc([process.execPath, CHILD, opts.address, String(opts.port)], {
    netnsPath,
    // Nothing of the daemon's environment: NODE_EXTRA_CA_CERTS alone (set on many machines)
    // makes every Node start parse a CA bundle, 61 instead of 22 ms of CPU per sandbox.
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  return new Promise((resolve, reject) => {
    let udp: UdpSocket | undefined;
    let tcp: Server | undefined;
    let stderr = '';
    let settled = false;
    const done = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.connected) child.disconnect(); // lets the child exit
      if (err) {
        udp?.close();
        tcp?.close();
        child.kill();
        reject(err);
      } else if (udp && tcp) {
        resolve({ udp, tcp });
      }
    };
    const timer = setTimeout(
      () => done(unavailable(`dns: no resolver sockets from ${netnsPath} after ${opts.timeoutMs ?? 5000} ms`)),
      opts.timeoutMs ?? 5000,
    );
    child.on('stderr', (d: string) => (stderr += d.slice(0, 2000)));
    child.on('error', (e: Error) => done(internal(`dns: cannot start the socket child: ${e.message}`, e)));
    child.on('exit', (code: number | null) => {
      if (!udp || !tcp) done(internal(`dns: socket child in ${netnsPath} exited ${code ?? 'by signal'}: ${stderr.trim()}`));
    });
    child.on('message', (msg: { kind?: string; code?: string; message?: string }, handle: unknown) => {
      if (msg.kind === 'udp') udp = handle as UdpSocket;
      else if (msg.kind === 'tcp') tcp = handle as Server;
      else if (msg.kind === 'error') {
        const text = `dns: bind ${opts.address}:${opts.port} in ${netnsPath}: ${msg.message ?? ''}`;
        done(unavailable(text, `dns.bind.${msg.code ?? 'error'}`));
      }
      if (udp && tcp) done();
    });
  });
}
