// Starts dns-stub-server inside a test host: the upstream tetherd forwards unknown names to.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestHost } from './testhost.js';

const SERVER = resolve(import.meta.dirname, 'dns-stub-server.js');

export async function startDnsStub(host: TestHost, address = '127.0.0.1'): Promise<ChildProcess> {
  const child = spawn('nsenter', [`--net=${host.nsPath}`, '--', process.execPath, SERVER, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    child.stdout!.once('data', () => ok());
    child.once('exit', (code) => fail(new Error(`dns stub exited ${code}`)));
  });
  return child;
}
