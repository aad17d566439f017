import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Logger } from '../../../src/core/logger';
import { registerCommand } from '../../../src/vscode/commands';
import type { CommandId } from '../../../src/vscode/ids';

/** A Logger that keeps its lines, by level. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string | Error) => { lines.push(`${level} ${message instanceof Error ? message.message : message}`); };
  return { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('command error wrapper', () => {
  // Test-only ids: the wrapper takes any CommandId, and these are never in the manifest.
  const failingId = 'peermesh.test.fails' as CommandId;
  const cancelledId = 'peermesh.test.cancelled' as CommandId;
  const log = recordingLogger();
  const disposables: vscode.Disposable[] = [];

  before(() => {
    disposables.push(
      registerCommand(failingId, () => { throw new Error('the broker is not reachable'); }, { log, showLog: () => undefined }),
      registerCommand(cancelledId, () => { throw new vscode.CancellationError(); }, { log, showLog: () => undefined }),
    );
  });
  after(async () => {
    for (const d of disposables) d.dispose();
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('logs a failure instead of throwing it at the caller', async () => {
    const result = await vscode.commands.executeCommand(failingId);
    assert.equal(result, undefined);
    assert.ok(log.lines.some((l) => l.startsWith('error [command] peermesh.test.fails failed')), log.lines.join('\n'));
    assert.ok(log.lines.includes('error the broker is not reachable'), 'the error itself is logged, with its stack');
  });

  it('treats a cancellation as no error', async () => {
    log.lines.length = 0;
    await vscode.commands.executeCommand(cancelledId);
    assert.deepEqual(log.lines, ['debug [command] peermesh.test.cancelled cancelled']);
  });
});
