// The Logger every layer writes to, and the daemon's implementation: one JSON object per line on
// stderr, so a daemon's log can be grepped and parsed by tests alike.

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info', out: NodeJS.WritableStream = process.stderr): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 };
  const write = (lvl: keyof typeof order) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    out.write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
