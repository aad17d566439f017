import assert from 'node:assert/strict';
import { describeClaim, lockDiagnostics, lockHover, othersClaims } from '../../../src/lsp/lock-diagnostics';
import type { Lock } from '../../../src/protocol/entities';

const now = 1_000_000;
const lock = (id: number, holder: string, startLine: number | null, endLine: number | null, reason = ''): Lock => ({
  id, path: '/w/a.ts', relPath: 'a.ts', root: '/w', holder, holderName: holder, startLine, endLine, reason,
  createdAt: now, expiresAt: now + 9 * 60_000 + 1, waiting: 0,
} as Lock);

describe('lsp/lock-diagnostics: other peers\' claims as an editor shows them', () => {
  it('one Information diagnostic per claim on its lines (0-based); a whole-file claim on the first line', () => {
    const [lines, whole] = lockDiagnostics([lock(1, 'alice', 3, 5, 'parser'), lock(2, 'bob', null, null)], now);
    assert.deepEqual([lines.range.start, lines.range.end.line, lines.severity, lines.source, lines.code], [{ line: 2, character: 0 }, 4, 3, 'peermesh', 'lock-1']);
    assert.equal(lines.message, 'a.ts:3-5 held by alice: parser · 9m left');
    assert.deepEqual([whole.range.start.line, whole.range.end.line], [0, 0]);
  });

  it('hovers the claims over a line, and nothing elsewhere', () => {
    const claims = [lock(1, 'alice', 3, 5), lock(2, 'bob', null, null)];
    assert.match(JSON.stringify(lockHover(claims, 3, now)), /a\.ts:3-5 held by alice.*held by bob/);
    assert.match(JSON.stringify(lockHover(claims.slice(0, 1), 5, now)), /^null$/);
  });

  it('leaves out the person\'s own claims (an editor window, the terminal); a holder of unknown kind counts as another peer', () => {
    const kinds: Record<string, string> = { me: 'cli', win: 'vscode-window', agent: 'claude-code' };
    const kept = othersClaims([lock(1, 'me', 1, 1), lock(2, 'win', 2, 2), lock(3, 'agent', 3, 3), lock(4, 'gone', 4, 4)], (id) => kinds[id] as never);
    assert.deepEqual(kept.map((l) => l.id), [3, 4]);
  });

  it('prints a holder\'s name and reason inert', () => {
    const text = describeClaim(lock(1, 'a\u001b[31mb', 1, 2, 'x\u0007'), now);
    assert.ok(![...text].some((c) => c.charCodeAt(0) < 0x20), JSON.stringify(text));
  });
});
