// A transaction of the scoped store (scoped-store.ts): a transaction on each underlying store,
// opened at its first use and held open until the whole function is done, then committed cluster
// store first. The cluster store may run its part again after a conflict; that cannot be done
// for one part alone, so its second call ends the attempt and the scoped store reruns it all.
import { internal } from '../errors.js';
import type { Store, StoreTx } from './store.js';

/** Where a router's operations go: the stores themselves, or one transaction's parts of them. */
export interface Handles {
  readonly inTx: boolean;
  local(): Promise<StoreTx>;
  global(): Promise<StoreTx>;
  /** A cluster-store read failed and was answered from memory. */
  degraded(e: Error): void;
  /** Throws when a global write would rest on such a read. */
  writable(): void;
  /** Runs fn once the work is committed (at once, outside a transaction). */
  later(fn: () => void): void;
}

class Rerun extends Error {}
class Abort extends Error {}

/** One store's transaction, held open until end(). */
class Part {
  readonly handle: Promise<StoreTx>;
  private decide!: (commit: boolean) => void;
  private readonly done: Promise<void>;

  constructor(store: Store) {
    const decision = new Promise<boolean>((r) => (this.decide = r));
    let give!: (t: StoreTx) => void;
    const given = new Promise<StoreTx>((r) => (give = r));
    let runs = 0;
    this.done = store.tx(async (t) => {
      if (++runs > 1) throw new Rerun();
      give(t);
      if (!(await decision)) throw new Abort();
    });
    const early = this.done.then(() => Promise.reject(internal(`the ${store.scope} store ended a transaction before it was decided`)));
    early.catch(() => undefined);
    this.handle = Promise.race([given, early]);
  }

  /** Commits or rolls back; 'rerun': the store wants the whole transaction run again. */
  async end(commit: boolean): Promise<'ok' | 'rerun'> {
    this.decide(commit);
    try {
      await this.done;
    } catch (e) {
      if (e instanceof Abort) return 'ok';
      if (e instanceof Rerun) return 'rerun';
      throw e;
    }
    return 'ok';
  }
}

export class ScopedTxn implements Handles {
  readonly inTx = true;
  private localPart: Part | undefined;
  private globalPart: Part | undefined;
  private broken: Error | undefined;
  private readonly after: Array<() => void> = [];

  constructor(
    private readonly localStore: Store,
    private readonly globalStore: Store,
  ) {}

  local(): Promise<StoreTx> {
    return (this.localPart ??= new Part(this.localStore)).handle;
  }

  async global(): Promise<StoreTx> {
    await this.local(); // the lock order: local, then global
    return (this.globalPart ??= new Part(this.globalStore)).handle;
  }

  degraded(e: Error): void {
    this.broken ??= e;
  }

  writable(): void {
    if (this.broken) throw this.broken;
  }

  later(fn: () => void): void {
    this.after.push(fn);
  }

  /** Ends both parts; false: the cluster store asked for a rerun and nothing was committed. */
  async finish(commit: boolean): Promise<boolean> {
    const [local, global] = [this.localPart, this.globalPart];
    if (!commit) {
      await Promise.allSettled([global?.end(false), local?.end(false)]); // the caller's error is the one to report
      return true;
    }
    let outcome: 'ok' | 'rerun' = 'ok';
    try {
      if (global) outcome = await global.end(true);
    } catch (e) {
      // A degraded part holds no writes (writable() refused them): only the local part matters.
      if (!this.broken) {
        await local?.end(false);
        throw e;
      }
    }
    if (outcome === 'rerun') {
      await local?.end(false);
      return false;
    }
    await local?.end(true);
    for (const fn of this.after) fn();
    return true;
  }
}
