/**
 * What every request spec says, and the pieces several domains share. Each domain file
 * (`mesh.ts`, `locks.ts`, …) declares its requests with {@link defineRequests}; methods.ts
 * merges them into the one `requests` table both sides validate with.
 */
import * as z from 'zod';
import { limits } from '../limits';

/**
 * May the client send a request again when a fail-over cut it off, not knowing whether the old
 * broker applied it?
 * - `safe`: yes; repeating it gives the caller the answer it wanted (a read, or a write that
 *   lands on the same result when applied twice, like re-acquiring one's own lock).
 * - `never`: no; the caller gets `unavailable` ("may or may not have been applied"), because a
 *   repeat could do it twice (send a message twice) or misreport a success (`notFound` for a
 *   release that had worked).
 * - a function of the request's params, when that depends on them.
 */
export type Retry = 'safe' | 'never' | ((params: never) => 'safe' | 'never');

/** Whether `spec`'s request with these params may be sent again after a fail-over. */
export function retrySafe(spec: RequestSpec, params: unknown): boolean {
  const retry = typeof spec.retry === 'function' ? (spec.retry as (p: unknown) => 'safe' | 'never')(params) : spec.retry;
  return retry === 'safe';
}

/** One request: its params, its result, and whether it may be retried after a fail-over. */
export interface RequestSpec {
  params: z.ZodType;
  result: z.ZodType;
  retry: Retry;
}

/**
 * Declares a domain's requests. Every method is named `<domain>/<verb>` after the file it lives
 * in (a method named otherwise does not compile), so a method cannot land in the wrong file,
 * nor two files declare the same method; every spec must say its `retry`.
 */
export function defineRequests<const Domain extends string, const Table extends Record<string, RequestSpec>>(
  _domain: Domain,
  table: Table & { [M in keyof Table]: M extends `${Domain}/${string}` ? unknown : `a ${Domain} request is named ${Domain}/…` },
): Table {
  return table;
}

/** A peer's display name, as given and as used to address it. */
export const PeerNameInput = z.string().min(1).max(limits.name);

/** The result of a request that has nothing to say but that it worked. */
export const Ok = z.object({ ok: z.literal(true) });
