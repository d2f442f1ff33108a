// An undo stack: right after each effect succeeds, push its inverse. When a later step fails,
// unwind in reverse so a failed create leaves nothing behind; undo failures are collected, not
// allowed to hide the original error.
export class Undo {
  private readonly steps: Array<{ what: string; fn: () => unknown }> = [];

  push(what: string, fn: () => unknown): void {
    this.steps.push({ what, fn });
  }

  /** Forget the stack: the whole change succeeded. */
  commit(): void {
    this.steps.length = 0;
  }

  /** Runs every inverse, newest first; throws an AggregateError naming those that failed. */
  async unwind(): Promise<void> {
    const errors: Error[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.fn();
      } catch (e) {
        errors.push(new Error(`undo ${step.what}: ${(e as Error).message}`, { cause: e }));
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'rollback incomplete');
  }

  /** Runs body; on failure unwinds and rethrows the body's error (undo errors are attached). */
  static async run<T>(body: (undo: Undo) => Promise<T>, onUndoError?: (e: unknown) => void): Promise<T> {
    const undo = new Undo();
    try {
      const r = await body(undo);
      undo.commit();
      return r;
    } catch (e) {
      try {
        await undo.unwind();
      } catch (ue) {
        onUndoError?.(ue);
      }
      throw e;
    }
  }
}
