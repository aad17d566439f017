/**
 * The services check their input with the wire protocol's own schemas (a call from inside the
 * broker gets the same words as one over the wire).
 */
import type * as z from 'zod';
import { BrokerError } from '../protocol/errors';
import { describeZodError, zodIssues } from '../protocol/methods';

/**
 * `value` checked against `schema` (defaults applied), else `invalidInput` saying what is
 * wrong, after the `field` it is when given.
 */
export function checked<S extends z.ZodType>(schema: S, value: unknown, field?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problem = describeZodError(parsed.error);
    throw new BrokerError('invalidInput', field ? `${field}: ${problem}` : problem, { issues: zodIssues(parsed.error) });
  }
  return parsed.data;
}
