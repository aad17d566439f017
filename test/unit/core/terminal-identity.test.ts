/** The shape of terminal identity names, which the command line makes and the editor reads back. */
import assert from 'node:assert/strict';
import { namedTerminalOf, terminalName, terminalPeerName } from '../../../src/core/terminal-identity';

describe('core/terminal-identity', () => {
  it('a name is a plain word of up to 32 characters, kept in lower case', () => {
    assert.equal(terminalName('Nightly.build_2-x'), 'nightly.build_2-x');
    assert.equal(terminalName('a'), 'a');
    assert.equal(terminalName('x'.repeat(32)), 'x'.repeat(32));
    for (const bad of ['', ' ', '.', '..', '../x', 'a/b', 'a\\b', '-x', '_x', 'a b', 'x'.repeat(33), 'é', 'con', 'NUL', 'com1.txt', 'lpt9']) {
      assert.equal(terminalName(bad), undefined, JSON.stringify(bad));
    }
  });

  it('the default identity is <user>-cli, a named one <user>-cli:NAME, and the editor reads NAME back from terminal peers only', () => {
    assert.equal(terminalPeerName('alice'), 'alice-cli');
    assert.equal(terminalPeerName('alice', 'nightly'), 'alice-cli:nightly');
    assert.equal(namedTerminalOf({ kind: 'cli', name: terminalPeerName('alice', 'nightly') }), 'nightly');
    assert.equal(namedTerminalOf({ kind: 'cli', name: terminalPeerName('alice') }), undefined);
    assert.equal(namedTerminalOf({ kind: 'claude-code', name: 'bob-cli:nightly' }), undefined, 'an agent that calls itself so is not a terminal');
  });
});
