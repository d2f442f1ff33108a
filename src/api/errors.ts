// The only place that knows HTTP status codes: TetherError kinds become statuses, and every
// error body is Docker's {"message": …}.
import { isTetherError, type ErrorKind } from '../errors.js';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  internal: 500,
  unavailable: 503,
};

/** Where Docker answers a specific status that differs from the kind's default. */
const CODE_STATUS: Record<string, number> = {
  // Docker answers the "no v6 pool" failure with 404 (recorded in 10-api-trace/02-network.log).
  'ipam.noV6Pool': 404,
  // dockerd's errdefs.Unauthenticated for a refused `docker login`.
  'registry.loginFailed': 401,
};

export interface HttpError {
  status: number;
  message: string;
}

export function toHttpError(e: unknown): HttpError {
  if (isTetherError(e)) {
    return { status: e.status ?? CODE_STATUS[e.code] ?? STATUS[e.kind], message: e.message };
  }
  return { status: 500, message: e instanceof Error ? e.message : String(e) };
}
