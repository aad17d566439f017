import assert from 'node:assert/strict';
import { readSetting } from '../../../src/vscode/settings';

describe('settings', () => {
  const from = (values: Record<string, unknown>) => (key: string) => values[key];

  it('reads valid values', () => {
    assert.equal(readSetting('port', from({ port: 41000 })), 41000);
    assert.equal(readSetting('scope', from({ scope: 'repo' })), 'repo');
    assert.equal(readSetting('messagesRetentionHours', from({ 'retention.messagesHours': 0.5 })), 0.5);
    assert.equal(readSetting('home', from({ home: '  ~/mesh ' })), '~/mesh');
  });

  it('falls back to the default for missing or invalid values', () => {
    assert.equal(readSetting('port', from({})), 0);
    assert.equal(readSetting('port', from({ port: 70000 })), 0);
    assert.equal(readSetting('lockTtlSeconds', from({ lockTtlSeconds: 'soon' })), 600);
    assert.equal(readSetting('lockGraceSeconds', from({ lockGraceSeconds: -1 })), 15);
    assert.equal(readSetting('scope', from({ scope: 'galaxy' })), 'workspace');
    assert.equal(readSetting('eventsRetentionHours', from({ 'retention.eventsHours': 0 })), 48);
  });
});
