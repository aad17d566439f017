/**
 * Structured debates: a bounded negotiation between agents that disagree, which the person
 * rules on when they cannot agree. Every request works on one project, as the plan's do.
 */
import * as z from 'zod';
import { coordinationLimits, Debate, DebateStatus, DebateSummary, TurnInput } from '../coordination';
import { limits } from '../limits';
import { PlanId } from '../plan';
import { defineRequests } from './spec';

const project = z.string().min(1).max(limits.path).optional();
const id = z.number().int().min(1);

export const debateRequests = defineRequests('debate', {
  /**
   * Starts a debate with other peers (ids or live names; the caller takes part too) and takes
   * the caller's first turn. `origin`: the delta it disputes (its contract and task become
   * what the debate concerns, unless `contract` or `task` says). `maxRounds` defaults to the
   * broker's setting (5). Emits `debate_started` and `debate_turn`.
   */
  'debate/start': {
    params: z.object({
      project,
      topic: z.string().trim().min(1).max(coordinationLimits.topic),
      with: z.array(z.string().min(1).max(limits.name)).min(1).max(coordinationLimits.participants - 1),
      origin: id.optional(),
      contract: PlanId.optional(),
      task: PlanId.optional(),
      maxRounds: z.number().int().min(1).max(coordinationLimits.maxRounds).optional(),
      turn: TurnInput,
    }),
    result: z.object({ debate: Debate }),
    retry: 'never',
  },
  /**
   * Takes the caller's turn of the round under way. `invalidInput` when the debate is not
   * open, the caller is not a participant, it has taken its turn this round already, or it
   * accepts a proposal the debate does not have. Resolves the debate when every participant
   * accepts one proposal; escalates it after the last round or when the turn asks. Emits
   * `debate_turn`, and `debate_changed` when it moved.
   */
  'debate/respond': {
    params: z.object({ id, turn: TurnInput }),
    result: z.object({ debate: Debate }),
    retry: 'never',
  },
  /** One debate, round by round. `notFound` for an unknown id. */
  'debate/get': {
    params: z.object({ id }),
    result: z.object({ debate: Debate }),
    retry: 'safe',
  },
  /** The project's debates, newest first, of the given statuses when given. */
  'debate/list': {
    params: z.object({
      project,
      status: z.array(DebateStatus).max(DebateStatus.options.length).optional(),
      limit: z.number().int().min(1).max(limits.page).default(100),
    }),
    result: z.object({ debates: z.array(DebateSummary) }),
    retry: 'safe',
  },
  /**
   * The person rules: picks proposal `pick` or writes `text`. Only the person's peers (an
   * editor window, the terminal) may; the debate must be open or escalated. The ruling becomes
   * a blocking `decision` delta to the participants and is recorded on the contract or task
   * the debate concerns. Emits `debate_changed` (decided) and `delta_pushed`.
   */
  'debate/decide': {
    params: z.object({
      id,
      pick: z.number().int().min(1).optional(),
      text: z.string().trim().min(1).max(coordinationLimits.detail).optional(),
    }).refine((p) => (p.pick === undefined) !== (p.text === undefined), { message: 'a ruling picks a proposal or gives its own text, one of the two' }),
    result: z.object({ debate: Debate }),
    retry: 'never',
  },
  /**
   * The caller's debate news, for tool results and hooks: open debates whose current round
   * awaits its turn and that it has not been shown at this round (`seen` marks them shown),
   * and debates it takes part in that resolved, escalated or were decided since it was last
   * shown them.
   */
  'debate/mine': {
    params: z.object({ seen: z.boolean().default(false) }),
    result: z.object({ yourTurn: z.array(DebateSummary), changed: z.array(DebateSummary) }),
    retry: (p: { seen?: boolean }) => (p.seen ? 'never' : 'safe'),
  },
});
