// One place that turns a zod failure into a 400 whose message names the offending field.
import type { z } from 'zod';
import { invalid, type TetherError } from '../../errors.js';

export function validationError(message: string): TetherError {
  return invalid(message, 'body.invalid');
}

export function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown): z.output<T> {
  if (body === undefined || body === null) throw validationError('request body is empty: a JSON object is required');
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || '(body)';
  throw validationError(`invalid ${field}: ${issue.message}`);
}
