import assert from 'node:assert/strict';
import { afterTurn, agreement, awaiting, turnRefusal, type DebateFacts, type Outcome, type TurnFacts } from '../../../src/core/debate-rules';

/** A debate of `participants` as the service would hold it after `outcome`s so far. */
function start(participants: string[], maxRounds = 3): DebateFacts {
  return { status: 'open', participants, round: 1, maxRounds, turns: [] };
}

/** Applies one turn as the service does: the rules' outcome becomes the debate's status and round. */
function take(d: DebateFacts, peer: string, accepts: number | null, escalate = false): { d: DebateFacts; outcome: Outcome } {
  assert.equal(turnRefusal(d, peer), null, `${peer} may take its turn`);
  const turn: TurnFacts = { peer, round: d.round, accepts, escalate };
  const outcome = afterTurn(d, turn);
  return { d: { ...d, status: outcome.status, round: outcome.round, turns: [...d.turns, turn] }, outcome };
}

describe('core/debate-rules', () => {
  it('resolves once every participant accepts the same proposal, in the round it happens', () => {
    let { d, outcome } = take(start(['a', 'b', 'c']), 'a', 1);
    assert.deepEqual(outcome, { status: 'open', round: 1 });
    assert.deepEqual(awaiting(d), ['b', 'c']);
    ({ d } = take(d, 'c', 1));
    ({ d, outcome } = take(d, 'b', 1));
    assert.deepEqual(outcome, { status: 'resolved', round: 1, agreed: 1 });
    assert.deepEqual(awaiting(d), [], 'a debate that is not open awaits nobody');
  });

  it('a round ends when all have taken their turn, in any order; the next begins', () => {
    const first = take(start(['a', 'b']), 'b', 1).d;
    assert.match(turnRefusal(first, 'b')!, /took your turn of round 1 already/);
    const { d, outcome } = take(first, 'a', 2);
    assert.deepEqual(outcome, { status: 'open', round: 2 });
    assert.deepEqual(awaiting(d), ['a', 'b']);
  });

  it('a turn accepting nothing withdraws the acceptance it had: no agreement until it accepts again', () => {
    let { d } = take(start(['a', 'b']), 'a', 1);
    ({ d } = take(d, 'b', 2));
    ({ d } = take(d, 'a', null));
    assert.equal(agreement(d.participants, d.turns), null);
    let outcome: Outcome;
    ({ d, outcome } = take(d, 'b', 2));
    assert.deepEqual(outcome, { status: 'open', round: 3 }, 'a withdrew: 2 is b\'s alone');
    ({ outcome } = take(d, 'a', 2));
    assert.deepEqual(outcome, { status: 'resolved', round: 3, agreed: 2 });
  });

  it('escalates after the last round is complete without agreement, not before', () => {
    let d = start(['a', 'b'], 2);
    let outcome: Outcome = { status: 'open', round: 1 };
    for (const [peer, n] of [['a', 1], ['b', 2], ['a', 1], ['b', 2]] as const) ({ d, outcome } = take(d, peer, n));
    assert.deepEqual(outcome, { status: 'escalated', round: 2, reason: 'rounds' });
    assert.match(turnRefusal(d, 'a')!, /escalated, no longer open/);
  });

  it('escalates when a turn asks, after recording it; agreement made by that same turn wins', () => {
    const asked = take(start(['a', 'b']), 'a', 1, true);
    assert.deepEqual(asked.outcome, { status: 'escalated', round: 1, reason: 'asked' });
    assert.equal(asked.d.turns.length, 1);
    const agreed = take(take(start(['a', 'b']), 'a', 1).d, 'b', 1, true);
    assert.deepEqual(agreed.outcome, { status: 'resolved', round: 1, agreed: 1 });
  });

  it('refuses a turn from an outsider', () => {
    assert.match(turnRefusal(start(['a', 'b']), 'z')!, /do not take part/);
  });

  it('under every sequence of turns a debate moves as the rules say and keeps its invariants', () => {
    // A seeded generator: the same sequences every run, many shapes of debate.
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 500; run++) {
      const participants = ['a', 'b', 'c', 'd'].slice(0, 2 + random(3));
      let d = start(participants, 1 + random(4));
      let proposals = 0;
      for (let step = 0; step < 40 && d.status === 'open'; step++) {
        const waiting = awaiting(d);
        assert.ok(waiting.length > 0, 'an open debate awaits someone');
        assert.ok(d.round <= d.maxRounds, 'an open debate is within its rounds');
        const peer = waiting[random(waiting.length)];
        const choice = random(4);
        const accepts = choice === 0 ? ++proposals : choice === 1 || proposals === 0 ? null : 1 + random(proposals);
        const asked = random(15) === 0;
        const { d: next, outcome } = take(d, peer, accepts, asked);
        assert.ok(outcome.round <= d.maxRounds && outcome.round >= d.round, 'the round only moves on, never past the last');
        // Asking escalates, unless the same turn brought agreement; nothing else escalates as asked.
        if (outcome.status === 'escalated') assert.equal(outcome.reason === 'asked', asked);
        else if (asked) assert.equal(outcome.status, 'resolved', 'a turn that asks either escalates or agrees');
        if (outcome.status === 'resolved') assert.equal(agreement(participants, next.turns), outcome.agreed);
        else assert.equal(agreement(participants, next.turns), null, 'agreement always resolves');
        if (outcome.status === 'escalated' && outcome.reason === 'rounds') assert.equal(awaiting({ ...next, status: 'open' }).length, 0);
        d = next;
      }
      if (d.status !== 'open') for (const p of participants) assert.notEqual(turnRefusal(d, p), null, 'a closed debate takes no turn');
    }
  });
});
