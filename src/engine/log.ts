// A plain line logger to stderr: one JSON object per line, so a daemon's log can be grepped and
// parsed by tests alike.
import type { Logger } from '../drivers/driver.js';

export function createLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info', out: NodeJS.WritableStream = process.stderr): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 };
  const write = (lvl: keyof typeof order) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    out.write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
