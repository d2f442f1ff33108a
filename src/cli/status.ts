// The CLI's one error type, after docker's cli.StatusError: a message for stderr (may be empty)
// and the process exit code. Anything a command throws that is not a StatusError is a bug and is
// reported with exit code 1 as well.

export class StatusError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

/** The user declined a prompt: docker exits 0 and prints nothing (errdefs "cancelled"). */
export class CancelledError extends StatusError {
  constructor() {
    super('', 0);
  }
}
