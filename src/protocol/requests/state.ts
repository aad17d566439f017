/**
 * Shared state: small JSON values under a namespace and a key, versioned, for decisions every
 * peer should see. Every registered peer may read and write every namespace.
 */
import * as z from 'zod';
import { ListedStateEntry, StateEntry, TtlInput } from '../entities';
import { limits } from '../limits';
import { defineRequests } from './spec';

const key = z.string().min(1).max(limits.key);
const stateValue = z.unknown().refine(
  (v) => v !== undefined && JSON.stringify(v).length <= limits.stateValue,
  { message: `must be JSON of at most ${limits.stateValue} characters` },
);

export const stateRequests = defineRequests('state', {
  /** One entry, or `null` if it does not exist or has expired. */
  'state/get': {
    params: z.object({ namespace: key, key }),
    result: z.object({ entry: StateEntry.nullable() }),
    retry: 'safe',
  },
  /**
   * Writes a value (a new version, authored by the caller); each write sets the TTL afresh.
   * Fails `versionMismatch` (`data.currentVersion`) when `ifVersion` does not match. Emits
   * `state_changed`. Not retried: a repeat would write another version, or fail its own
   * compare-and-set.
   */
  'state/set': {
    params: z.object({
      namespace: key, key, value: stateValue,
      /** Compare-and-set: write only if the current version is this (0 = must not exist). */
      ifVersion: z.number().int().min(0).optional(),
      ttlSeconds: TtlInput.optional(),
    }),
    result: z.object({ entry: StateEntry }),
    retry: 'never',
  },
  /**
   * Deletes an entry; `deleted` is false if there was none. Fails `versionMismatch` when
   * `ifVersion` does not match. Emits `state_deleted`. Not retried: a repeat of a delete that
   * worked would report `deleted: false`, or a version mismatch.
   */
  'state/delete': {
    /** ifVersion 0 (as for `state/set`): only if it does not exist, which deletes nothing. */
    params: z.object({ namespace: key, key, ifVersion: z.number().int().min(0).optional() }),
    result: z.object({ deleted: z.boolean() }),
    retry: 'never',
  },
  /** Live entries of a namespace whose key starts with `prefix`, in key order. */
  'state/list': {
    params: z.object({
      namespace: key, prefix: z.string().max(limits.key).default(''),
      /** Only keys after this one: the last key of the page before. */
      after: z.string().max(limits.key).optional(),
      limit: z.number().int().min(1).max(limits.page).default(100),
      /** Leave out values bigger than this as JSON, in bytes (each entry then says its `bytes`). */
      valueBytes: z.number().int().min(0).optional(),
    }),
    result: z.object({ entries: z.array(ListedStateEntry) }),
    retry: 'safe',
  },
});
