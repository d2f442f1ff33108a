// A "client" namespace wired to a test host by a veth pair, like a machine on the host's LAN:
// host side 198.18.0.1/24 and 2001:2::1/64, client 198.18.0.2/24 and 2001:2::2/64 (the
// benchmarking ranges of RFC 2544 and RFC 5180: never a real network).
import { spawnSync } from 'node:child_process';
import { uniqueName, type TestHost } from './testhost.js';

export interface Neighbour {
  name: string;
  hostIp: string;
  ip: string;
  hostIp6: string;
  ip6: string;
  /** Runs argv in the client namespace. */
  try(argv: string[]): { code: number; stdout: string; stderr: string };
  dispose(): void;
}

export function addNeighbour(host: TestHost): Neighbour {
  const name = uniqueName('nb');
  const hostIf = `${name}h`.slice(-15);
  spawnSync('ip', ['netns', 'add', name]);
  const ns = ['ip', '-n', name];
  host.sh(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', `/run/netns/${name}`]);
  host.sh(['ip', 'addr', 'add', '198.18.0.1/24', 'dev', hostIf]);
  host.sh(['ip', 'addr', 'add', '2001:2::1/64', 'nodad', 'dev', hostIf]);
  host.sh(['ip', 'link', 'set', hostIf, 'up']);
  for (const args of [['link', 'set', 'lo', 'up'], ['link', 'set', 'eth0', 'up'], ['addr', 'add', '198.18.0.2/24', 'dev', 'eth0'], ['route', 'add', 'default', 'via', '198.18.0.1'],
    ['addr', 'add', '2001:2::2/64', 'nodad', 'dev', 'eth0'], ['route', 'add', '::/0', 'via', '2001:2::1']]) {
    spawnSync(ns[0]!, [...ns.slice(1), ...args]);
  }
  return {
    name,
    hostIp: '198.18.0.1',
    ip: '198.18.0.2',
    hostIp6: '2001:2::1',
    ip6: '2001:2::2',
    try(argv) {
      const r = spawnSync('nsenter', [`--net=/run/netns/${name}`, '--', ...argv], { encoding: 'utf8', timeout: 20_000 });
      return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    dispose() {
      spawnSync('ip', ['netns', 'del', name]);
    },
  };
}
