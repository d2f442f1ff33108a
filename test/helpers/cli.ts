// Runs a client command (the docker CLI, or our tether CLI) against a test daemon's socket.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const TETHER_CLI = resolve(import.meta.dirname, '../../src/cmd/tether.js');

/** The docker CLIs on this machine: v28 (/usr/local/bin) and Debian's 20.10 (/usr/bin), when present. */
export function dockerClients(): string[] {
  return ['/usr/local/bin/docker', '/usr/bin/docker'].filter((p) => existsSync(p));
}

export function runClient(argv: string[], socket: string, input?: string): CliResult {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, {
    encoding: 'utf8',
    input,
    env: { ...process.env, DOCKER_HOST: `unix://${socket}`, TETHER_HOST: `unix://${socket}`, DOCKER_CONFIG: '/tmp/tether-test-docker-config' },
    timeout: 60_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function tether(args: string[], socket: string, input?: string): CliResult {
  return runClient([process.execPath, TETHER_CLI, ...args], socket, input);
}
