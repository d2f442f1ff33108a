// A real etcd member (Debian's etcd-server) inside a test host: peer and client URLs on 127.0.0.1
// of that namespace only (or on its underlay address, as one member of a cluster), data in a
// temporary directory below the host's. The test process sits in the root namespace, so etcd also listens on a unix socket in that directory
// (the filesystem is shared, the network is not). Its command line names the host's directory:
// TestHost.dispose() and the next run's leftover reaping (testhost.ts) kill it by that, even
// when the run that started it was killed.
import { spawn, type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestHost } from './testhost.js';

export interface TestEtcd {
  /** The client URL for this process: a unix socket, for etcd3's `hosts`. */
  url: string;
  dataDir: string;
  /** Runs etcdctl (API 3) against the member; throws on failure. */
  ctl(args: string[]): string;
  /** Kills the member (SIGKILL, as a crash); its data stays for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same data, and waits until it answers. */
  start(): Promise<void>;
  /** stop(); the data directory goes with the test host. */
  dispose(): Promise<void>;
}

// etcd takes a unix listen URL as unix://<host>:<port> and makes the socket file "<host>:<port>"
// in its working directory; an absolute path does not parse.
const SOCKET = 'etcd.sock:2379';

/** A member of a cluster of several: its name, the test host's address it listens on, and every member's peer URL. */
export interface EtcdMember {
  name: string;
  ip: string;
  /** etcd's --initial-cluster: `m1=http://10.0.0.1:2380,m2=…`. */
  initialCluster: string;
}

/** A single member on the host's loopback, or one member of a cluster (start them all at once: a member answers once a quorum is up). */
export async function startEtcd(host: TestHost, member: EtcdMember = { name: 'm1', ip: '127.0.0.1', initialCluster: 'm1=http://127.0.0.1:2380' }): Promise<TestEtcd> {
  const dir = mkdtempSync(join(host.dir, 'etcd-'));
  const dataDir = join(dir, 'data');
  const socket = join(dir, SOCKET);
  let child: ChildProcess | undefined;
  let log = '';

  const etcdctl = (args: string[]) =>
    spawnSync('etcdctl', ['--endpoints', `unix://${socket}`, '--dial-timeout=1s', '--command-timeout=2s', ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      encoding: 'utf8',
    });
  const health = (): boolean => etcdctl(['endpoint', 'health']).status === 0;
  const ctl = (args: string[]): string => {
    const r = etcdctl(args);
    if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  const start = async (): Promise<void> => {
    rmSync(socket, { force: true }); // a killed member leaves its socket file, which would block the bind
    const { name, ip, initialCluster } = member;
    const args = [
      '--name', name, '--data-dir', dataDir,
      '--listen-client-urls', `http://${ip}:2379,unix://${SOCKET}`, '--advertise-client-urls', `http://${ip}:2379`,
      '--listen-peer-urls', `http://${ip}:2380`, '--initial-advertise-peer-urls', `http://${ip}:2380`,
      '--initial-cluster', initialCluster, '--log-level', 'warn',
    ];
    const c = spawn('nsenter', [`--net=${host.nsPath}`, '--', 'etcd', ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    c.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const deadline = Date.now() + 20_000;
    while (!(existsSync(socket) && health())) {
      if (c.exitCode !== null || Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`etcd did not start in ${host.name}: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL'); // nsenter execs etcd: this is etcd itself
    await exited;
  };

  await start();
  return { url: `unix://${socket}`, dataDir, ctl, stop, start, dispose: stop };
}
