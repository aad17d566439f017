/**
 * Release requests: a peer that needs what another holds asks the holder to let go, with its
 * reason; the holder releases, denies (saying why) or narrows its claim to a smaller range. A
 * request left unanswered past the mesh's time escalates to the person. Both sides hear of it
 * in their news (`release/mine`).
 */
import * as z from 'zod';
import { LineInput, Lock, LockRequestData, WaitInput } from '../entities';
import { limits } from '../limits';
import { LockTarget } from './locks';
import { defineRequests } from './spec';

/** A request as its events carry it (`LockRequestData`), with the reasons and its times. */
export const LockRequest = LockRequestData.extend({
  /** Why the requester needs it. */
  reason: z.string(),
  /** The holder's reason, when it denied. */
  answer: z.string().optional(),
  createdAt: z.number(),
  /** When it escalates to the person if still unanswered; null once it has, or once answered. */
  escalateAt: z.number().nullable(),
});
export type LockRequest = z.infer<typeof LockRequest>;

export const LockAnswer = z.enum(['release', 'deny', 'narrow']);
export type LockAnswer = z.infer<typeof LockAnswer>;

export const releaseRequests = defineRequests('release', {
  /**
   * Asks the holder of claim `lockId`, or the holders of the claims in the way of `target`, to
   * let go, with `reason`: one request per claim (asking again for the same claim is the same
   * request). Fails `notFound` when no such claim is held by another peer, `invalidInput` for
   * the caller's own claim. With `waitMs`, also queues an acquire of the target (the claim's
   * lines when asked by id), like `locks/acquire`: `granted` once it frees; a deny ends the
   * wait with `lockConflict` carrying the holder's reason; else `timeout`. Emits
   * `lock_release_requested`.
   */
  'release/request': {
    params: z.object({
      lockId: z.number().int().optional(),
      target: LockTarget.optional(),
      reason: z.string().min(1, 'say why you need it').max(limits.reason),
      waitMs: WaitInput.default(0),
    }).refine((p) => (p.lockId === undefined) !== (p.target === undefined), { message: 'give the lockId or the target, one of them' }),
    result: z.object({
      requests: z.array(LockRequest),
      /** With waitMs: the claim, once granted. */
      granted: Lock.optional(),
    }),
    retry: 'never',
  },
  /**
   * The holder answers request `id`: `release` its claim, `deny` it (`reason` required, told to
   * the requester; ends the requester's wait), or `narrow` it to `startLine`–`endLine`, a smaller
   * range inside it, freeing the rest (every open request on that claim is answered so). Fails
   * `notFound` for an unknown request or a claim already gone, `notHolder` for another's claim,
   * `invalidInput` for one already answered. Emits `lock_request_answered`.
   */
  'release/answer': {
    params: z.object({
      id: z.number().int(),
      answer: LockAnswer,
      reason: z.string().max(limits.reason).optional(),
      startLine: LineInput.optional(),
      endLine: LineInput.optional(),
    }),
    result: z.object({ request: LockRequest, lock: Lock.optional() }),
    retry: 'never',
  },
  /**
   * The caller's news of release requests: those waiting for its answer (`toYou`: open or
   * escalated, on claims it holds), and its own requests answered or ended since it last
   * looked (`answered`; with `seen`, marked seen). At most 5 of each, oldest first.
   */
  'release/mine': {
    params: z.object({ seen: z.boolean().default(false) }),
    result: z.object({ toYou: z.array(LockRequest), answered: z.array(LockRequest) }),
    retry: 'safe',
  },
});
