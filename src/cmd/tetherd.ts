#!/usr/bin/env node
// tetherd: the daemon. Parses its config, opens the store, reconciles the kernel with it and
// serves the Engine API until SIGINT/SIGTERM.
import { parseDaemonArgs } from './tetherd-flags.js';
import { startDaemon } from '../daemon.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseDaemonArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`tetherd: ${(e as Error).message}\n`);
    process.exit(125);
  }
  const daemon = await startDaemon(config);
  const stop = (): void => {
    void daemon.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`tetherd: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
