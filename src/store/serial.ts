// A queue that runs one job at a time, in the order they came: how a store keeps its own
// transactions from interleaving (a failed job does not stop the ones behind it).
export type Serial = <T>(fn: () => T | Promise<T>) => Promise<T>;

export function serial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => T | Promise<T>): Promise<T> => {
    const p = tail.then(fn);
    tail = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  };
}
