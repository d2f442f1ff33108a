// The argv of scripts/attach-relay.pl, the bridge between our pipes and conmon's attach socket
// (AF_UNIX SOCK_SEQPACKET, which Node cannot open); its header explains the protocol. Like
// mount.ts, only argv is built here: the process is started with Kernel.launch.

import { scriptPath } from '../script-path.js';

/** Attaches to the conmon whose bundle is dir: our stdin to the process, its output to ours. */
export function attachRelayArgv(dir: string, opts: { tty: boolean }): string[] {
  return ['/usr/bin/perl', scriptPath('attach-relay.pl'), ...(opts.tty ? ['--tty'] : []), dir];
}

/**
 * Runs conmonArgv (an `--exec --exec-attach` session whose bundle is dir) and attaches to it
 * before the process starts. conmon reports on the caller's _OCI_SYNCPIPE and dies with the relay.
 */
export function execAttachArgv(dir: string, opts: { tty: boolean }, conmonArgv: readonly string[]): string[] {
  return [...attachRelayArgv(dir, opts), '--exec', ...conmonArgv];
}
