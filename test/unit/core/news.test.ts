/**
 * How news reads to a model, in a result's `pending` line and in a hook's context: each message
 * on one line, its body JSON-quoted so another peer's text cannot pass for PeerMesh's own lines,
 * and escaped where JSON leaves characters raw that a terminal or a reader would act on.
 */
import assert from 'node:assert/strict';
import { newsLines, pendingText, type News } from '../../../src/core/news';

const news = (body: string): News => ({
  messages: [{ id: 7, from: 'mallory', kind: 'text', body, truncated: false, replyTo: null }],
  more: 0,
  unread: 1,
});

describe('core/news: what the model reads', () => {
  it('quotes a body on one line', () => {
    assert.deepEqual(newsLines(news('line one\nline two "quoted"')), ['#7 from mallory: "line one\\nline two \\"quoted\\""']);
  });

  it('escapes C1 controls, bidi controls and invisible characters, which JSON leaves raw', () => {
    const [line] = newsLines(news('run \u202Egnp.exe\u202C now \u009b2K \u3164'));
    assert.equal(line, '#7 from mallory: "run \\u202egnp.exe\\u202c now \\x9b2K \\u3164"');
    assert.doesNotMatch(pendingText(news('\u202E\u009b')), /[\u202E\u009b]/);
  });
});
