import assert from 'node:assert/strict';
import type { Message } from '../../../src/protocol/entities';
import { firstLine, inert, messageKindWord, notificationText, sendings, wrap } from '../../../src/vscode/messageText';

let nextId = 1;
function message(extra: Partial<Message> = {}): Message {
  const id = nextId++;
  return {
    id, from: 'p-a', fromName: 'alice', to: 'p-w', kind: 'text', body: 'hello', threadId: id, replyTo: null, broadcast: false,
    state: 'queued', createdAt: 1000, deliveredAt: null, readAt: null, ackedAt: null, ...extra,
  };
}

describe('vscode/messageText: how a message reads to the person', () => {
  it('takes the first non-blank line, cut to length, with "…" when cut or when more follows', () => {
    assert.equal(firstLine('  hello  '), 'hello');
    assert.equal(firstLine('\n\n  first\nsecond'), 'first …');
    assert.equal(firstLine('first\n\n  \n'), 'first');
    assert.equal(firstLine('x'.repeat(300), 200), `${'x'.repeat(199)}…`);
    assert.equal(firstLine('x'.repeat(300), 200).length, 200);
    assert.equal(firstLine(''), '');
  });

  it('words a notification by kind, names a broadcast, and sums up a burst', () => {
    assert.equal(notificationText(message({ body: 'fyi: tests pass' })), 'alice: fyi: tests pass');
    assert.equal(notificationText(message({ kind: 'request', body: 'review?\nsrc/a.ts' })), 'alice asks: review? …');
    assert.equal(notificationText(message({ kind: 'alert', body: 'build broken', broadcast: true })), 'Alert from alice (broadcast): build broken');
    assert.equal(notificationText(message({ kind: 'reply', body: 'done' }), 2), 'alice replied: done (and 2 more from alice)');
    for (const kind of ['text', 'request', 'reply', 'status_check', 'dismiss', 'alert'] as const) {
      assert.ok(notificationText(message({ kind })).includes('alice'), kind);
      assert.ok(messageKindWord(kind).length > 0, kind);
    }
  });

  it('keeps another peer\'s links and icons plain text (a notification would make [x](command:…) clickable)', () => {
    const text = notificationText(message({ body: 'see [docs](command:peermesh.restartBroker) and [x](https://example.invalid)' }));
    assert.ok(!/\]\(/.test(text), text);
    assert.equal(text.replace(/\u200b/g, ''), 'alice: see [docs](command:peermesh.restartBroker) and [x](https://example.invalid)');
    assert.equal(inert('a [b] (c) $ (d)'), 'a [b] (c) $ (d)');
    assert.equal(inert('$(alert) urgent'), '$\u200b(alert) urgent', 'no icon either');
  });

  it('shows another peer\'s bidi controls and control characters escaped in notifications and picks, keeping our own line breaks', () => {
    const text = notificationText(message({ fromName: 'mallory', body: 'run \u202Egnp.exe\u202C now \x1b[2K' }));
    assert.equal(text, 'mallory: run \\u202egnp.exe\\u202c now ␛[2K');
    assert.equal(inert('a\u2066b\nc'), 'a\\u2066b\nc');
  });

  it('groups the rows of one sending to several peers, and nothing else', () => {
    const thread = 900;
    const broadcast = ['p-b', 'p-c', 'p-w'].map((to) => message({ to, broadcast: true, threadId: thread, body: 'all hands' }));
    const later = message({ to: 'p-b', broadcast: true, threadId: thread, body: 'all hands', createdAt: 2000 });
    const single = message({ to: 'p-b' });
    const again = message({ to: 'p-c' });
    assert.deepEqual(sendings([...broadcast, later, single, again]).map((g) => g.map((m) => m.id)),
      [broadcast.map((m) => m.id), [later.id], [single.id], [again.id]]);
  });

  it('wraps a body at spaces into lines of at most the width', () => {
    assert.deepEqual(wrap('one two three four', 9), ['one two', 'three', 'four']);
    assert.deepEqual(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(wrap('a\n\nb\n\n', 10), ['a', '', 'b']);
  });
});
