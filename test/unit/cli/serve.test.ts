import assert from 'node:assert/strict';
import { serveBrokerOptions } from '../../../src/cli/serve';

describe('peermesh serve: flags to broker options', () => {
  it('hands the retention flags to the broker in milliseconds, and leaves unset ones to the defaults', () => {
    assert.deepEqual(serveBrokerOptions({ json: false, messageRetentionHours: 2, eventRetentionHours: 72, auditRetentionDays: 90, graceSeconds: 0, lockTtlSeconds: 60, idleExitSeconds: 60, debateRounds: 3, debateIdleMs: 600_000, requestEscalateMs: 30_000 }), {
      idleExitMs: 60_000, lockTtlSeconds: 60, graceMs: 0, retention: { messagesMs: 2 * 3_600_000, eventsMs: 72 * 3_600_000, auditMs: 90 * 24 * 3_600_000 },
      debate: { maxRounds: 3, idleMs: 600_000 }, lockRequestEscalateMs: 30_000,
    });
    assert.deepEqual(serveBrokerOptions({ json: false }), {
      idleExitMs: undefined, lockTtlSeconds: undefined, graceMs: undefined, retention: { messagesMs: undefined, eventsMs: undefined, auditMs: undefined },
      debate: { maxRounds: undefined, idleMs: undefined }, lockRequestEscalateMs: undefined,
    });
  });
});
