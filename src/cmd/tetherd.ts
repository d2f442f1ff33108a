#!/usr/bin/env node
// tetherd: the daemon. Parses its config, opens the store, reconciles the kernel with it and
// serves the Engine API until SIGINT/SIGTERM. `tetherd uninstall [flags]` undoes its host state.
import { parseDaemonArgs } from './tetherd-flags.js';
import { startDaemon } from '../daemon.js';
import { uninstall } from '../uninstall.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const removing = args[0] === 'uninstall';
  let config;
  try {
    config = parseDaemonArgs(removing ? args.slice(1) : args);
  } catch (e) {
    process.stderr.write(`tetherd: ${(e as Error).message}\n`);
    process.exit(125);
  }
  if (removing) {
    try {
      await uninstall(config, (line) => process.stdout.write(`${line}\n`));
    } catch (e) {
      process.stderr.write(`tetherd uninstall: ${(e as Error).message}\n`);
      process.exit(1);
    }
    process.stdout.write(`kept: ${config.dataRoot} (images, containers' files, records)\n`);
    return;
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
