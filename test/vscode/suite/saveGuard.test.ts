import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PeerClient } from '../../../src/client/peer';
import type { Lock } from '../../../src/protocol/entities';
import type { Prompts } from '../../../src/vscode/actions/prompts';
import type { PeerMeshExtensionApi } from '../../../src/vscode/extension';
import type { SaveGuardDecision } from '../../../src/vscode/saveGuard';
import { joinedMesh, otherPeer, waitFor, workspaceFolder } from './helpers';
import { startMcpAgent, type McpAgent } from './mcpAgent';

/** A notification or dialog the extension showed, as the scripted prompts saw it. */
interface Shown {
  readonly message: string;
  readonly modal: boolean;
  readonly detail?: string;
  readonly buttons: readonly string[];
}

/** What the scripted person answers: the dialog's button, a notification's, the input box's text (undefined: dismissed). */
interface Script {
  readonly dialog?: string;
  readonly notification?: (message: string) => string | undefined;
  readonly input?: string;
}

/** Puts a scripted person in place of VS Code's prompts; `restore()` puts VS Code's back. */
function scriptPrompts(api: PeerMeshExtensionApi, script: Script): { shown: Shown[]; inputs: vscode.InputBoxOptions[]; restore(): void } {
  const previous = api.prompts.current;
  const shown: Shown[] = [];
  const inputs: vscode.InputBoxOptions[] = [];
  const scripted: Prompts = {
    pick: async () => undefined,
    pickMany: async () => undefined,
    input: async (options) => {
      inputs.push(options);
      return script.input;
    },
    notify: async (_severity, message, options, ...buttons) => {
      const modal = options.modal === true;
      shown.push({ message, modal, detail: options.detail, buttons });
      return modal ? script.dialog : script.notification?.(message);
    },
  };
  api.prompts.current = scripted;
  return { shown, inputs, restore: () => { api.prompts.current = previous; } };
}

const lineText = (n: number) => `export const line${n} = ${n};`;
const original = Array.from({ length: 10 }, (_, i) => lineText(i + 1)).join('\n') + '\n';

/** The `save_guarded` events that name `lockId`, as another peer reads them. */
async function guardEvents(reader: PeerClient, lockId: number): Promise<{ choice: string; lockIds: number[]; holders: string[] }[]> {
  const { events } = await reader.request('events/read', { types: ['save_guarded'], limit: 1000 });
  return events.flatMap((event) => (event.type === 'save_guarded' && event.data.lockIds.includes(lockId) ? [event.data] : []));
}

/** Longer than the guard waits before judging the first edit of a clean document (100 ms). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 400));

describe('The save guard', function () {
  this.timeout(30_000);
  let api: PeerMeshExtensionApi;
  let other: PeerClient;
  /** A real agent: `peermesh mcp` in its own process, through an MCP client. */
  let agent: McpAgent;
  let files = 0;

  before(async function () {
    this.timeout(120_000);
    api = await joinedMesh();
    other = await otherPeer('guard-agent');
    agent = await startMcpAgent('guard-process');
  });
  after(async () => {
    await other?.request('locks/releaseAll', {});
    await other?.close();
    await agent?.close();
  });
  afterEach(async () => {
    // Leave no dirty editor behind: revert and close whatever a test left open.
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.isDirty) {
        await vscode.window.showTextDocument(editor.document);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /**
   * A fresh file of ten lines, open in the active editor, with lines 3–5 locked (as the window
   * sees it) by the other peer, or by the agent process.
   */
  async function lockedFile(by: 'peer' | 'agent' = 'peer'): Promise<{ file: string; editor: vscode.TextEditor; lock: Lock }> {
    const name = `guarded-${++files}.ts`;
    const file = path.join(workspaceFolder(), name);
    writeFileSync(file, original);
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    const reason = 'renaming the constants';
    const id = by === 'agent'
      ? (await agent.lock({ path: name, startLine: 3, endLine: 5, reason })).id
      : (await other.request('locks/acquire', { target: { path: file, startLine: 3, endLine: 5 }, reason })).lock.id;
    const lock = await waitFor('the window to see the lock', () => api.model.othersLocks().find((l) => l.id === id), 30_000);
    return { file, editor, lock };
  }

  async function rewriteLine(editor: vscode.TextEditor, line: number, text: string): Promise<void> {
    assert.ok(await editor.edit((edit) => edit.replace(editor.document.lineAt(line - 1).range, text)));
  }

  /** The editor's document clean again (the extension host hears of it just after the save). */
  async function savedClean(editor: vscode.TextEditor): Promise<void> {
    await waitFor('the document to be clean', () => (editor.document.isDirty ? undefined : true), 5000);
  }

  const guardedSave = () => vscode.commands.executeCommand<SaveGuardDecision | undefined>('peermesh.guardedSave');

  it('knows when the active editor shows a file another peer holds claims in (the keybinding\'s context key)', async () => {
    const { lock } = await lockedFile();
    assert.equal(api.saveGuard.editorHasOthersClaims, true);
    await other.request('locks/release', { lockId: lock.id });
    await waitFor('the context key to clear on release', () => (api.saveGuard.editorHasOthersClaims ? undefined : true), 5000);
    const again = await other.request('locks/acquire', { target: { path: lock.path, startLine: 3, endLine: 5 } });
    await waitFor('the context key on a new lock', () => (api.saveGuard.editorHasOthersClaims ? true : undefined), 5000);
    const unclaimed = path.join(workspaceFolder(), 'unclaimed.txt');
    writeFileSync(unclaimed, 'nobody holds this\n');
    await vscode.window.showTextDocument(vscode.Uri.file(unclaimed));
    await waitFor('the context key to clear in another file', () => (api.saveGuard.editorHasOthersClaims ? undefined : true), 5000);
    await other.request('locks/release', { lockId: again.lock.id });
  });

  it('asks before saving an edit inside an agent\'s lock; Save Anyway saves, and the mesh records it', async () => {
    const { file, editor, lock } = await lockedFile('agent');
    const person = scriptPrompts(api, { dialog: 'Save Anyway' });
    try {
      await rewriteLine(editor, 4, 'export const line4 = 40;');
      const decision = await guardedSave();
      assert.deepEqual(decision, { path: lock.path, lockIds: [lock.id], choice: 'saved' });
      const dialogs = person.shown.filter((s) => s.modal);
      assert.equal(dialogs.length, 1);
      assert.equal(dialogs[0].message, `Save guarded-${files}.ts? Your changes touch lines that guard-process locked.`);
      assert.equal(dialogs[0].detail, `guard-process holds guarded-${files}.ts lines 3–5 (renaming the constants); you changed line 4 there.`);
      assert.deepEqual(dialogs[0].buttons, ['Save Anyway', 'Request Release']);
    } finally {
      person.restore();
    }
    assert.match(readFileSync(file, 'utf8'), /line4 = 40;/);
    await savedClean(editor);
    assert.deepEqual(await vscode.commands.executeCommand('peermesh._test.saveGuard'), { path: lock.path, lockIds: [lock.id], choice: 'saved' });
    assert.deepEqual((await guardEvents(other, lock.id)).map((e) => [e.choice, e.lockIds, e.holders]), [['saved', [lock.id], ['guard-process']]]);
  });

  it('does not save when the person dismisses the warning, and records the cancel', async () => {
    const { file, editor, lock } = await lockedFile();
    const person = scriptPrompts(api, { dialog: undefined });
    try {
      await rewriteLine(editor, 5, 'export const line5 = 50;');
      assert.deepEqual(await guardedSave(), { path: lock.path, lockIds: [lock.id], choice: 'cancelled' });
      assert.equal(person.shown.filter((s) => s.modal).length, 1);
    } finally {
      person.restore();
    }
    assert.equal(readFileSync(file, 'utf8'), original, 'the file on disk is unchanged');
    assert.equal(editor.document.isDirty, true, 'the edit is still there, unsaved');
    assert.deepEqual((await guardEvents(other, lock.id)).map((e) => e.choice), ['cancelled']);
  });

  it('Request Release asks the holder to let go of its lines, with the person\'s reason, and does not save', async () => {
    const { file, editor, lock } = await lockedFile();
    const person = scriptPrompts(api, { dialog: 'Request Release', input: 'I need line 3 for a minute' });
    try {
      await rewriteLine(editor, 3, 'export const line3 = 30;');
      assert.deepEqual(await guardedSave(), { path: lock.path, lockIds: [lock.id], choice: 'requested' });
      assert.equal(person.inputs.length, 1);
    } finally {
      person.restore();
    }
    assert.equal(readFileSync(file, 'utf8'), original);
    assert.equal(editor.document.isDirty, true);
    const { toYou } = await other.request('release/mine', {});
    assert.ok(toYou.some((r) => r.lockId === lock.id && r.reason === 'I need line 3 for a minute'), 'the holder was asked');
    assert.deepEqual((await guardEvents(other, lock.id)).map((e) => e.choice), ['requested']);
  });

  it('saves an edit outside every lock of an agent without a word', async () => {
    const { file, editor, lock } = await lockedFile('agent');
    const person = scriptPrompts(api, { dialog: 'Save Anyway' });
    try {
      await rewriteLine(editor, 9, 'export const line9 = 90;');
      // Deleting line 7 touches line 7 only (what is line 8 now), still outside 3–5.
      assert.ok(await editor.edit((edit) => edit.delete(new vscode.Range(6, 0, 7, 0))));
      assert.deepEqual(await guardedSave(), { path: lock.path, lockIds: [], choice: 'no-conflict' });
      assert.deepEqual(person.shown, [], 'nothing was asked or shown');
    } finally {
      person.restore();
    }
    assert.match(readFileSync(file, 'utf8'), /line9 = 90;/);
    await savedClean(editor);
    assert.deepEqual(await guardEvents(other, lock.id), [], 'nothing recorded');
  });

  it('saves without asking while the setting is off', async () => {
    const { file, editor, lock } = await lockedFile();
    const settings = vscode.workspace.getConfiguration('peermesh');
    await settings.update('saveGuard.enabled', false, vscode.ConfigurationTarget.Global);
    await waitFor('the setting to read off', () => (vscode.workspace.getConfiguration('peermesh').get('saveGuard.enabled') === false ? true : undefined));
    const person = scriptPrompts(api, { dialog: 'Save Anyway' });
    try {
      await rewriteLine(editor, 4, 'export const line4 = 44;');
      await settle();
      assert.equal(await guardedSave(), undefined, 'the guard did not look');
      assert.deepEqual(person.shown, [], 'no warning, not even while typing');
    } finally {
      person.restore();
      await settings.update('saveGuard.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.match(readFileSync(file, 'utf8'), /line4 = 44;/);
    await savedClean(editor);
    assert.deepEqual(await guardEvents(other, lock.id), []);
  });

  it('the typing warning\'s buttons ask the holder to release and show the Locks view', async () => {
    const { editor, lock } = await lockedFile();
    const { lock: second } = await other.request('locks/acquire', { target: { path: lock.path, startLine: 8, endLine: 9 }, reason: 'tidying' });
    await waitFor('the window to see the second lock', () => (api.model.othersLocks().some((l) => l.id === second.id) ? true : undefined), 5000);
    const person = scriptPrompts(api, {
      notification: (message) => (message.includes('lines 3–5') ? 'Request Release' : 'Show in Locks'),
      input: 'done with line 4 soon?',
    });
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor('the Locks view hidden', () => (api.trees.locks.view.visible ? undefined : true), 5000);
    try {
      await rewriteLine(editor, 4, 'export const line4 = 400;');
      await waitFor('the request to the holder', async () => {
        const { toYou } = await other.request('release/mine', {});
        return toYou.find((r) => r.lockId === lock.id && r.reason === 'done with line 4 soon?');
      }, 5000);
      await rewriteLine(editor, 9, 'export const line9 = 900;');
      await waitFor('the Locks view', () => (api.trees.locks.view.visible ? true : undefined), 5000);
      assert.deepEqual(person.shown.map((s) => s.message), [
        `guard-agent holds guarded-${files}.ts lines 3–5 (renaming the constants). Your edits here may collide.`,
        `guard-agent holds guarded-${files}.ts lines 8–9 (tidying). Your edits here may collide.`,
      ]);
    } finally {
      person.restore();
    }
  });

  it('warns once while typing inside another peer\'s lock, not outside it, nor when the agent writes the file', async () => {
    const { file, editor, lock } = await lockedFile();
    const person = scriptPrompts(api, {});
    try {
      // The agent edits its lines on disk; the editor reloads the clean document: not the person's edit.
      writeFileSync(file, original.replace('line4 = 4;', 'line4 = 4 * 1;'));
      await waitFor('the editor to reload the file', () => (editor.document.getText().includes('4 * 1') ? true : undefined), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(person.shown.length, 0, 'a reload from disk is not warned about');

      await rewriteLine(editor, 8, 'export const line8 = 80;');
      await settle(); // the first edit of a clean document is judged a little later
      assert.equal(person.shown.length, 0, 'an edit outside the lock is not warned about');
      await rewriteLine(editor, 3, 'export const line3 = 3_0;');
      await rewriteLine(editor, 4, 'export const line4 = 4_0;');
      assert.ok(await editor.edit((edit) => edit.insert(new vscode.Position(4, 0), '// more\n')));
      await waitFor('the warning', () => (person.shown.length > 0 ? true : undefined), 2000);
      assert.deepEqual(person.shown, [{
        message: `guard-agent holds guarded-${files}.ts lines 3–5 (renaming the constants). Your edits here may collide.`,
        modal: false,
        detail: undefined,
        buttons: ['Request Release', 'Show in Locks'],
      }]);

      // A new lock on the same lines is a new claim: warned about once more.
      await other.request('locks/release', { lockId: lock.id });
      const { lock: renewed } = await other.request('locks/acquire', { target: { path: lock.path, startLine: 3, endLine: 5 }, reason: 'second pass' });
      await waitFor('the window to see the new lock', () => (api.model.othersLocks().some((l) => l.id === renewed.id) ? true : undefined), 5000);
      await rewriteLine(editor, 5, 'export const line5 = 5_0;');
      await waitFor('the second warning', () => (person.shown.length > 1 ? true : undefined), 2000);
      assert.equal(person.shown.length, 2);
      assert.match(person.shown[1].message, /\(second pass\)\. Your edits here may collide\.$/);
    } finally {
      person.restore();
    }
  });
});
