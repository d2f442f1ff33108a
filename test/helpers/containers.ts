// Container helpers for kernel tests: load busybox into a test daemon and run processes inside a
// container's namespaces from the test host (nsenter by pid).
import { join } from 'node:path';
import { ImageStore } from '../../src/runtime/images.js';
import type { TestDaemon } from './daemon.js';
import type { TestHost } from './testhost.js';
import { busyboxTar } from './image.js';

/** Puts busybox:latest into the image store of a daemon that will start with data root `<host.dir>/data`. */
export async function preloadBusybox(host: TestHost): Promise<void> {
  const store = await ImageStore.open({ root: join(host.dir, 'data', 'images') });
  await store.load(busyboxTar());
}

export async function runDetached(d: TestDaemon, name: string, extra: Record<string, unknown> = {}, cmd = ['sleep', '1000']): Promise<any> {
  const { HostConfig, ...rest } = extra as { HostConfig?: Record<string, unknown> };
  const c = await d.api('POST', `/v1.43/containers/create?name=${name}`, { Image: 'busybox:latest', Cmd: cmd, ...rest, HostConfig: { NetworkMode: 'default', ...HostConfig } });
  if (c.status !== 201) throw new Error(`create ${name}: ${c.status} ${c.text}`);
  const s = await d.api('POST', `/v1.43/containers/${name}/start`);
  if (s.status !== 204) throw new Error(`start ${name}: ${s.status} ${s.text}`);
  return (await d.api('GET', `/v1.43/containers/${name}/json`)).json;
}

export async function inspect(d: TestDaemon, name: string): Promise<any> {
  return (await d.api('GET', `/v1.43/containers/${name}/json`)).json;
}

/** Runs argv inside the container's network, mount and UTS namespaces. */
export function inContainer(host: TestHost, pid: number, argv: string[]): { code: number; stdout: string; stderr: string } {
  return host.try(['nsenter', '-t', String(pid), '-n', '-m', '-u', ...argv]);
}

/** Interface names and IPv4 addresses in a container's network namespace (the host's `ip -j`). */
export function interfaces(host: TestHost, pid: number): Record<string, string[]> {
  const links = JSON.parse(host.sh(['nsenter', '-t', String(pid), '-n', 'ip', '-j', 'addr'])) as Array<{ ifname: string; addr_info: Array<{ family: string; local: string; prefixlen: number }> }>;
  return Object.fromEntries(links.map((l) => [l.ifname, l.addr_info.map((a) => `${a.local}/${a.prefixlen}`)]));
}

/**
 * An HTTP GET from inside a container with busybox nc (busybox-static's wget exits 1 here); the
 * body, or undefined when nothing answered. Test values only: no outside text reaches the shell.
 */
export function httpInContainer(host: TestHost, pid: number, ip: string, port: number, path: string): string | undefined {
  const req = `printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${ip} ${port}`;
  const r = inContainer(host, pid, ['sh', '-c', req]);
  const sep = r.stdout.indexOf('\r\n\r\n');
  return r.code === 0 && sep > 0 ? r.stdout.slice(sep + 4) : undefined;
}
