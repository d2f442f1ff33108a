// A long-running tool fed over stdin whose answers come as stderr lines (`ip -batch -`,
// `nft -i`): started, its stderr split into whole lines, and its end (exit or failure to start)
// reported once. The caller keeps its own protocol (markers, error attribution).
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';

export function startLineChild(argv: readonly string[], onLine: (line: string) => void, onEnd: (why: string) => void): ChildProcessWithoutNullStreams {
  const [cmd, ...args] = argv;
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  child.stdout.resume(); // nothing the callers send prints anything they need
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      onLine(line);
    }
  });
  child.stdin.on('error', () => undefined); // the exit says why
  child.on('error', (e) => onEnd(e.message));
  child.on('exit', (code) => onEnd(`exit ${code ?? 'signal'}`));
  return child;
}
