// What a fake container "does": a tiny interpreter for the commands the tests run (echo, cat,
// `sh -c 'echo …; echo … >&2; exit N'`, true/false, sleep/httpd that keep running), and the
// Engine's stream encodings of its output (stdcopy frames, or raw with \r\n for a TTY).

export interface Chunk {
  stream: 1 | 2;
  data: string;
}

export interface Outcome {
  /** Output in order; for `cat`, `stdin` marks where the input is echoed. */
  chunks: Array<Chunk | 'stdin'>;
  /** Exit code, or undefined while the process keeps running. */
  exitCode?: number;
  /** A start failure (the runtime could not exec the command). */
  startError?: string;
}

const KNOWN_LONG_RUNNING = new Set(['sleep', 'httpd', 'top', 'tail', 'nc']);

function runShell(script: string): Outcome {
  const chunks: Chunk[] = [];
  for (const stmt of script.split(';').map((s) => s.trim())) {
    if (stmt === '') continue;
    const exit = /^exit(?:\s+(\d+))?$/.exec(stmt);
    if (exit) return { chunks, exitCode: Number(exit[1] ?? 0) };
    const echo = /^echo(?:\s+(.*?))?(\s*>&2)?$/.exec(stmt);
    if (echo) {
      chunks.push({ stream: echo[2] ? 2 : 1, data: `${echo[1] ?? ''}\n` });
      continue;
    }
    if (/^sleep\b/.test(stmt)) return { chunks }; // keeps running
  }
  return { chunks, exitCode: 0 };
}

export function interpret(argv: string[]): Outcome {
  const [cmd = '', ...args] = argv;
  if (cmd === 'echo') return { chunks: [{ stream: 1, data: `${args.join(' ')}\n` }], exitCode: 0 };
  if (cmd === 'cat' && args.length === 0) return { chunks: ['stdin'], exitCode: 0 };
  if (cmd === 'true') return { chunks: [], exitCode: 0 };
  if (cmd === 'false') return { chunks: [], exitCode: 1 };
  if (cmd === 'sh' && args[0] === '-c') return runShell(args[1] ?? '');
  if (KNOWN_LONG_RUNNING.has(cmd)) return { chunks: [] };
  return {
    chunks: [],
    startError:
      `failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ` +
      `exec: "${cmd}": executable file not found in $PATH: unknown`,
  };
}

/** One stdcopy frame: stream byte, three zero bytes, big-endian length, payload. */
export function frame(stream: number, data: Buffer | string): Buffer {
  const payload = Buffer.from(data);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** How a chunk travels: multiplexed frames, or raw bytes with the TTY's \r\n line endings. */
export function encode(chunk: Chunk, tty: boolean): Buffer {
  return tty ? Buffer.from(chunk.data.replace(/\n/g, '\r\n')) : frame(chunk.stream, chunk.data);
}
