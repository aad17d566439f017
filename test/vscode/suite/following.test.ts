import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Lock } from '../../../src/protocol/entities';
import type { EditorDecorations } from '../../../src/vscode/decorations/lockDecorations';
import { lockHover } from '../../../src/vscode/decorations/lockHover';
import { joinedMesh, waitFor, withAnswers, workspaceFolder } from './helpers';
import { startMcpAgent, type McpAgent } from './mcpAgent';

/** What the extension draws in the visible editors, from its internal query (not scraped). */
async function drawn(file: string): Promise<EditorDecorations | undefined> {
  const all = await vscode.commands.executeCommand<EditorDecorations[]>('peermesh._test.decorations');
  return all?.find((editor) => editor.path === file);
}

/** The lines of lock `id` as the broker has them now (asked through the window's connection, not its model). */
async function brokerLines(id: number): Promise<Lock | undefined> {
  const api = await joinedMesh();
  const { locks } = await api.mesh.client!.request('locks/list', {});
  return locks.find((lock) => lock.id === id);
}

/** Polls until the broker has lock `id` at `startLine`–`endLine`. */
function brokerHas(id: number, startLine: number, endLine: number, what: string): Promise<Lock> {
  return waitFor(`the broker to have the claim at ${startLine}–${endLine} (${what})`, async () => {
    const lock = await brokerLines(id);
    return lock?.startLine === startLine && lock.endLine === endLine ? lock : undefined;
  }, 30_000);
}

/** Polls until the editor draws lock `id`, another peer's, on `startLine`–`endLine`. */
function badgeOn(file: string, id: number, startLine: number, endLine: number): Promise<true> {
  return waitFor(`the badge on ${startLine}–${endLine}`, async () => {
    const lock = (await drawn(file))?.others.find((l) => l.lockId === id);
    return lock?.startLine === startLine && lock.endLine === endLine ? true : undefined;
  }, 30_000);
}

/** Ten numbered lines, as the file starts. */
const tenLines = Array.from({ length: 10 }, (_, i) => `export const item${i + 1} = ${i + 1};\n`).join('');

describe('Claims that follow the code', () => {
  let agent: McpAgent;
  /** A file of its own for each test, so no test meets a document an earlier one left open. */
  let name: string;
  let file: string;
  let count = 0;

  before(async function () {
    this.timeout(120_000); // starting a process is slow on a busy machine
    await joinedMesh();
    agent = await startMcpAgent('follow-agent', { client: 'claude-code' });
  });
  beforeEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    name = `followed-${++count}.ts`;
    file = path.join(workspaceFolder(), name);
    writeFileSync(file, tenLines);
  });
  afterEach(async () => {
    await agent?.unlock({ path: name }).catch(() => 0);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    rmSync(file, { force: true }); // the workbench's screenshots show the explorer
  });
  after(async () => {
    await agent?.close();
  });

  /** Opens the file, has the agent claim lines 3–5, and waits until the editor draws the claim there. */
  async function claimedInEditor(): Promise<{ editor: vscode.TextEditor; lockId: number }> {
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    const { id: lockId } = await agent.lock({ path: name, startLine: 3, endLine: 5, reason: 'renaming the items' });
    await badgeOn(file, lockId, 3, 5);
    return { editor, lockId };
  }

  it('moves a claim with the person\'s typing, before anything is saved: in the broker, the badge and the Locks tree', async function () {
    this.timeout(120_000);
    const api = await joinedMesh();
    const { editor, lockId } = await claimedInEditor();

    // The person types two lines above line 1; nothing is saved.
    assert.equal(await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '// one\n// two\n')), true);
    await brokerHas(lockId, 5, 7, 'two lines typed above it');
    await badgeOn(file, lockId, 5, 7);
    assert.equal(editor.document.isDirty, true, 'the claim moved while the document was still unsaved');
    await waitFor('the Locks tree to show lines 5–7', () => (api.trees.locks.rows().some((row) => row.label === 'lines 5–7') ? true : undefined), 30_000);

    // Undo is an edit like any other: the claim goes back.
    await vscode.commands.executeCommand('undo');
    await brokerHas(lockId, 3, 5, 'the typing undone');
    await badgeOn(file, lockId, 3, 5);
  });

  it('moves a claim with an agent\'s edit on disk of a file open in an editor, unmodified', async function () {
    this.timeout(120_000);
    const { editor, lockId } = await claimedInEditor();
    assert.equal(editor.document.isDirty, false);

    // As an agent's edit tool writes: a temporary file renamed over the original.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `// added by the agent\n// above its claim\n// three lines\n${tenLines}`);
    renameSync(temp, file);

    await waitFor('the editor to reload the file', () => (editor.document.lineAt(0).text === '// added by the agent' ? true : undefined), 30_000);
    await brokerHas(lockId, 6, 8, 'three lines written above it on disk');
    await badgeOn(file, lockId, 6, 8);
  });

  it('moves a claim taken on the saved file to where its code is in a document already edited, unsaved', async function () {
    this.timeout(120_000);
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    // The person has typed two lines above line 1 before anyone claims anything.
    assert.equal(await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '// one\n// two\n')), true);
    assert.equal(editor.document.isDirty, true);

    // The agent claims lines 3–5 of the file on disk: lines 5–7 of the document.
    const { id: lockId } = await agent.lock({ path: name, startLine: 3, endLine: 5, reason: 'renaming the items' });
    await brokerHas(lockId, 5, 7, 'the document\'s unsaved lines above it');
    await badgeOn(file, lockId, 5, 7);
    assert.equal(editor.document.isDirty, true);
  });

  it('claims the lines the person selected in a document with unsaved lines above them', async function () {
    this.timeout(120_000);
    const api = await joinedMesh();
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    assert.equal(await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '// one\n// two\n')), true);
    // Lines 5–6 of the document: the saved file's lines 3–4.
    editor.selection = new vscode.Selection(4, 0, 5, 3);
    assert.equal(await vscode.commands.executeCommand('peermesh.toggleSelectionLock'), 'locked');
    const mine = await waitFor('this window\'s claim', () => api.model.ownLocks().find((l) => l.path.endsWith(name)), 30_000);
    try {
      await brokerHas(mine.id, 5, 6, 'the lines as the person selected them');
      assert.equal(editor.document.isDirty, true);
    } finally {
      await api.mesh.client!.request('locks/release', { lockId: mine.id });
    }
  });

  it('offers to save before claiming lines typed but not saved yet, then claims them', async function () {
    this.timeout(120_000);
    const api = await joinedMesh();
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    assert.equal(await editor.edit((edit) => edit.insert(new vscode.Position(2, 0), 'export const typed1 = 0;\nexport const typed2 = 0;\n')), true);
    editor.selection = new vscode.Selection(2, 0, 3, 5); // the two typed lines, 3–4
    await withAnswers({ notify: (_message, buttons) => (buttons.includes('Save and Lock') ? 'Save and Lock' : undefined) }, async (asked) => {
      assert.equal(await vscode.commands.executeCommand('peermesh.toggleSelectionLock'), 'locked');
      assert.match(asked[0]?.text ?? '', /lines 3–4 hold lines that are not saved yet/);
    });
    assert.equal(editor.document.isDirty, false, 'saved first');
    const mine = await waitFor('this window\'s claim', () => api.model.ownLocks().find((l) => l.path.endsWith(name)), 30_000);
    try {
      await brokerHas(mine.id, 3, 4, 'the typed lines, saved');
    } finally {
      await api.mesh.client!.request('locks/release', { lockId: mine.id });
    }
  });

  it('says a claim\'s code is gone when the person deletes every line it covered, and keeps its lines', async function () {
    this.timeout(120_000);
    const api = await joinedMesh();
    const { editor, lockId } = await claimedInEditor();

    // Lines 3–5 (0-based 2–4) deleted in the editor, not saved.
    assert.equal(await editor.edit((edit) => edit.delete(new vscode.Range(2, 0, 5, 0))), true);
    const lost = await waitFor('the broker to flag the claim', async () => {
      const lock = await brokerLines(lockId);
      return lock?.anchorLost ? lock : undefined;
    }, 30_000);
    assert.deepEqual([lost.startLine, lost.endLine], [3, 5], 'a claim whose code is gone keeps the last lines it had');

    const row = await waitFor('the Locks tree to say the code is gone', () => api.trees.locks.rows().find((r) => String(r.description).startsWith('code gone · ')), 30_000);
    assert.equal(row.label, 'lines 3–5');
    assert.equal((row.iconPath as vscode.ThemeIcon).id, 'warning');
    // Markdown escapes and non-breaking spaces undone: the words a person reads.
    const tooltip = (row.tooltip as vscode.MarkdownString).value.replace(/\\/g, '').replace(/&nbsp;/g, ' ');
    assert.match(tooltip, /\$\(warning\) Code gone: the code it covered is no longer in the file\. It keeps lines 3–5 until its holder claims the code again or releases it\./);

    // The hover on the badge says it too, from the lock as the broker has it.
    const hover = lockHover(lost, api.model.peer(lost.holder), false).value.replace(/\\/g, '').replace(/&nbsp;/g, ' ');
    assert.match(hover, /\$\(warning\) Code gone: the code it covered is no longer in the file\. It keeps lines 3–5 until/);
  });
});
