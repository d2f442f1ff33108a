// One error type for the whole daemon. Code below api/ says *what kind* of failure happened;
// only api/errors.ts turns a kind into an HTTP status and Docker's {"message": …} body.

export type ErrorKind =
  | 'invalid' // the client's input is wrong (400)
  | 'notFound' // a named thing does not exist (404)
  | 'conflict' // the request clashes with existing state (409)
  | 'forbidden' // the operation is not allowed on this object (403)
  | 'unavailable' // a dependency (kernel feature, runtime) is missing (503/501)
  | 'internal'; // our bug or an unexpected kernel failure (500)

export class TetherError extends Error {
  readonly kind: ErrorKind;
  /** A stable machine-readable code, e.g. "network.exists"; kept out of the message text. */
  readonly code: string;
  /** An explicit HTTP status for the rare place where Docker's status differs from the kind's. */
  readonly status: number | undefined;

  constructor(kind: ErrorKind, message: string, opts: { code?: string; cause?: unknown; status?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TetherError';
    this.kind = kind;
    this.code = opts.code ?? kind;
    this.status = opts.status;
  }
}

export const invalid = (message: string, code = 'invalid', cause?: unknown): TetherError =>
  new TetherError('invalid', message, { code, cause });
export const notFound = (message: string, code = 'notFound'): TetherError =>
  new TetherError('notFound', message, { code });
export const conflict = (message: string, code = 'conflict'): TetherError =>
  new TetherError('conflict', message, { code });
export const forbidden = (message: string, code = 'forbidden'): TetherError =>
  new TetherError('forbidden', message, { code });
export const unavailable = (message: string, code = 'unavailable', cause?: unknown): TetherError =>
  new TetherError('unavailable', message, { code, cause });
export const internal = (message: string, cause?: unknown): TetherError =>
  new TetherError('internal', message, { code: 'internal', cause });

export function isTetherError(e: unknown): e is TetherError {
  return e instanceof TetherError;
}
