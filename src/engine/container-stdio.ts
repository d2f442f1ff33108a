// A container's stdin and terminal for attached clients (docker attach, run -i, start -ai,
// resizes), through the runtime port. Its output is read from the log (api/routes/streams.ts).
import type { Readable } from 'node:stream';
import type { Containers } from './containers.js';
import type { AttachedInput, ConsoleSize, RuntimePort } from './runtime-port.js';

/** How often attach input waits for the container to run (the engine has no event for it). */
const RUNNING_POLL_MS = 50;

export class ContainerStdio {
  constructor(
    private readonly containers: Containers,
    private readonly runtime: RuntimePort,
  ) {}

  /**
   * Delivers input to the container's stdin once it runs: until then the bytes stay in the
   * stream's buffer (the CLI sends input, EOF included, before it starts the container). Returns
   * the function that ends the delivery (the attach is over); signal ends it too.
   */
  feed(id: string, input: Readable, signal: AbortSignal): () => void {
    let attached: AttachedInput | undefined;
    let waiting = false;
    const timer = setInterval(() => {
      if (waiting) return;
      waiting = true;
      void this.containers.tryFind(id).then((c) => {
        waiting = false;
        if (c?.state.status === 'running' && !signal.aborted) attach();
      });
    }, RUNNING_POLL_MS);
    const attach = (): void => {
      clearInterval(timer);
      try {
        attached = this.runtime.attachInput(id);
      } catch {
        input.resume();
        return;
      }
      attached.onError(() => input.resume()); // the container is gone: discard the rest
      if (attached.stdin) input.pipe(attached.stdin);
      else input.resume();
    };
    const stop = (): void => {
      clearInterval(timer);
      signal.removeEventListener('abort', stop);
      attached?.close();
    };
    signal.addEventListener('abort', stop);
    return stop;
  }

  /**
   * Resizes the container's terminal. Best effort: the CLI resizes right after start, and a
   * command that already exited must not make `docker run -t` print "failed to resize tty".
   */
  async resize(ref: string, size: ConsoleSize): Promise<void> {
    const c = await this.containers.find(ref);
    if (!c.config.tty || c.state.status !== 'running') return;
    await this.runtime.resizeTty(c.id, size).catch(() => undefined);
  }
}
