// Other agents' locks as a person sees them: a separate OS process (`peermesh mcp`, an agent
// that says it is Claude Code, driven by a real MCP client) locks lines 9–11 of a workspace file
// and sets its summary; the terminal (`peermesh lock path#count`, another process) claims the
// function count() by name, which the broker finds at lines 15–17. The
// launcher opens the file, hovers the locked lines, and saves per color theme (dark, light, high
// contrast) a screenshot of the editor and one of the PeerMesh sidebar (Peers, with a second
// agent whose name looks like the first's, and Locks) to
// .test-artifacts/vscode/. Then count() is deleted on disk, as an agent's edit tool writes (a
// temporary file renamed over): the terminal's claim keeps its lines and says its code is gone,
// photographed with the Locks row's tooltip. Each check is [title, async () => void].
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const lockedFile = 'parser.ts';

/** The file the lock lands in; written before the workbench opens. */
export function writeLockedFile(workspace) {
  const lines = [
    '/**',
    ' * A small tokenizer, for the PeerMesh screenshots: an agent holds',
    ' * the loop below (lines 9-11) and the terminal holds count(), so',
    ' * the editor badges, tints and rulers both and explains them on',
    ' * hover. The explorer badges the file.',
    ' */',
    'export function tokenize(source: string): string[] {',
    '  const tokens: string[] = [];',
    '  for (const word of source.split(/\\s+/)) {',
    '    if (word) tokens.push(word);',
    '  }',
    '  return tokens;',
    '}',
    '',
    'export function count(source: string): number {',
    '  return tokenize(source).length;',
    '}',
  ];
  writeFileSync(path.join(workspace, lockedFile), `${lines.join('\n')}\n`);
}

/** Short name, and how the theme picker labels the built-in theme (the names vary by version). */
export const themes = [
  ['dark', /^(Default )?Dark Modern$/, 'Dark Modern'],
  ['light', /^(Default )?Light Modern$/, 'Light Modern'],
  ['hc', /^(Default |Dark )?High Contrast/, 'High Contrast'],
];

/**
 * @param {import('playwright-core').Page} page
 * @param {{ repo: string, name: string, workspace: string, home: string, artifacts: string, nodeBin: string, shownThemes?: typeof themes }} ctx
 *   `shownThemes`: the themes to photograph in (default all three).
 */
export function lockScreenshotChecks(page, { repo, name, workspace, home, artifacts, nodeBin, shownThemes = themes }) {
  const editor = page.locator('.editor-instance .monaco-editor').first();
  /** The agents' MCP clients; closed by the last check. */
  let agent;
  let lookalike;
  return [
    ['an agent on peermesh mcp (a separate OS process) locks lines 9-11 and says what it does', async () => {
      const transport = new StdioClientTransport({
        command: nodeBin, args: [path.join(repo, 'dist', 'cli.js'), 'mcp'], cwd: workspace,
        env: { ...cleanEnv(), PEERMESH_HOME: home }, stderr: 'ignore',
      });
      agent = new Client({ name: 'claude-code', version: '2.1.0' });
      await agent.connect(transport);
      for (const [tool, args] of [
        ['mesh_summary', { summary: 'rewriting the tokenizer' }],
        ['mesh_lock', { action: 'acquire', path: lockedFile, startLine: 9, endLine: 11, reason: 'rewriting the tokenizer loop' }],
      ]) {
        const result = await agent.callTool({ name: tool, arguments: args });
        if (result.isError) throw new Error(`${tool} failed: ${JSON.stringify(result.content)}`);
      }
    }],
    ['a second agent, from an MCP client of no known kind, joins under a name that looks like the first\'s', async () => {
      const transport = new StdioClientTransport({
        command: nodeBin, args: [path.join(repo, 'dist', 'cli.js'), 'mcp', '--name', 'cIaude-code'], cwd: workspace,
        env: { ...cleanEnv(), PEERMESH_HOME: home }, stderr: 'ignore',
      });
      lookalike = new Client({ name: 'mcp-inspector', version: '0.17.0' });
      await lookalike.connect(transport);
      const result = await lookalike.callTool({ name: 'mesh_summary', arguments: { summary: 'reviewing the tokenizer' } });
      if (result.isError) throw new Error(`mesh_summary failed: ${JSON.stringify(result.content)}`);
    }],
    ['the terminal locks count() (peermesh lock, another OS process)', async () => {
      const result = spawnSync(nodeBin, [path.join(repo, 'dist', 'cli.js'), 'lock', `${lockedFile}#count`, '--reason', 'renaming count'], {
        cwd: workspace, encoding: 'utf8', timeout: 30_000, env: { ...cleanEnv(), PEERMESH_HOME: home },
      });
      if (result.status !== 0) throw new Error(`peermesh lock exited ${result.status}: ${result.stdout}${result.stderr}`);
    }],
    ['opens the locked file and draws the gutter badge and the tint', async () => {
      await page.keyboard.press('Control+J').catch(() => undefined); // hide the panel: more editor
      await page.keyboard.press('Control+Shift+E');
      await quickOpen(page, lockedFile);
      await editor.locator('.view-line', { hasText: 'const tokens' }).waitFor({ state: 'visible', timeout: 10_000 });
      // A gutter icon is a glyph-margin decoration (.cgmr).
      await editor.locator('.cgmr').first().waitFor({ state: 'attached', timeout: 10_000 });
      const badges = await editor.locator('.cgmr').count();
      if (badges !== 6) throw new Error(`expected 6 gutter badges (lines 9-11 and 15-17), saw ${badges}`);
    }],
    ...shownThemes.map(([short, theme, filter]) => [`screenshot in ${short} theme, hovering the locked lines`, async () => {
      await pickColorTheme(page, theme, filter);
      await page.mouse.move(700, 700);
      await page.waitForTimeout(300);
      // Over the text of line 5 (past the end of a line VS Code shows no decoration hover).
      await editor.locator('.view-line', { hasText: 'if (word)' }).locator('span', { hasText: 'tokens' }).last().hover();
      const hover = page.locator('.monaco-hover', { hasText: 'locked by' }).first();
      const hovered = await hover.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
      await page.waitForTimeout(400); // the hover fades in
      const file = path.join(artifacts, `editor-lock-${short}${name === 'dev' ? '' : `-${name}`}.png`);
      await page.screenshot({ path: file });
      if (!hovered) throw new Error(`no hover naming the holder (screenshot ${path.basename(file)})`);
    }]),
    ['opens the PeerMesh sidebar: the agent and the terminal in Peers, their locks under the file in Locks', async () => {
      await page.mouse.move(700, 700);
      await runCommand(page, /^View: Show PeerMesh$/, 'Show PeerMesh');
      const sidebar = page.locator('.sidebar');
      await sidebar.locator('.monaco-list-row', { hasText: 'claude-code' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      // The terminal's claim by the symbol's name, with the lines it spans.
      await sidebar.locator('.monaco-list-row', { hasText: 'count (lines 15–17)' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      // Each of the look-alike pair is flagged, naming the other.
      await sidebar.locator('.monaco-list-row', { hasText: 'cIaude-code' }).filter({ hasText: 'looks like claude-code' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      // The terminal's identity between commands: holding a claim, not a working agent.
      await sidebar.locator('.monaco-list-row', { hasText: 'terminal identity · 1 claim' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    }],
    ...shownThemes.map(([short, theme, filter]) => [`sidebar screenshot in ${short} theme`, async () => {
      await pickColorTheme(page, theme, filter);
      await page.mouse.move(700, 700);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifacts, `sidebar-${short}${name === 'dev' ? '' : `-${name}`}.png`) });
    }]),
    ['count() deleted on disk: the terminal\'s claim keeps its lines and says its code is gone', async () => {
      const file = path.join(workspace, lockedFile);
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.splice(13, 4); // the blank line above count() and its three lines
      writeFileSync(`${file}.tmp`, lines.join('\n'));
      renameSync(`${file}.tmp`, file);
      const row = page.locator('.sidebar .monaco-list-row', { hasText: 'code gone' }).first();
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      const text = await row.innerText();
      if (!text.includes('lines 15–17')) throw new Error(`the claim whose code is gone should keep lines 15–17: ${JSON.stringify(text)}`);
    }],
    ...shownThemes.map(([short, theme, filter]) => [`code gone screenshot in ${short} theme, with the Locks row's tooltip`, async () => {
      await pickColorTheme(page, theme, filter);
      const tooltip = page.locator('.monaco-hover', { hasText: 'Code gone' }).first();
      // A redraw of the view under the pointer (the claims' news arriving) closes a hover that was
      // about to open: the pointer leaves and comes back, up to three times.
      let shown = false;
      for (let attempt = 0; attempt < 3 && !shown; attempt++) {
        await page.mouse.move(700, 700);
        await page.locator('.sidebar .monaco-list-row', { hasText: 'code gone' }).first().hover();
        shown = await tooltip.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
      }
      await page.waitForTimeout(300);
      const file = path.join(artifacts, `code-gone-${short}${name === 'dev' ? '' : `-${name}`}.png`);
      await page.screenshot({ path: file });
      await page.mouse.move(700, 700);
      if (!shown) throw new Error(`no tooltip saying the code is gone (screenshot ${path.basename(file)})`);
    }]),
    ['the agents leave', async () => {
      await agent?.close();
      await lookalike?.close();
      agent = lookalike = undefined;
    }],
  ];
}

/** Runs a palette command the way a person does. */
export async function runCommand(page, pattern, filter) {
  // Typed once the palette's box has the focus: typed sooner, the keys go to the editor and the
  // palette lists every command unfiltered.
  await openQuickInput(page, 'Control+Shift+P');
  await page.keyboard.type(filter);
  // A palette still setting itself up may have dropped the keys, listing every command: set again.
  const box = page.locator('.quick-input-widget .quick-input-box input');
  const value = await box.inputValue();
  if (!value.endsWith(filter)) await box.fill(`${value.startsWith('>') ? '>' : ''}${filter}`);
  await clickRow(page, pattern);
  await page.waitForTimeout(150);
}

/**
 * Presses `keys` (the palette's, Quick Open's) and waits for the quick input's box to have the
 * focus. Keys pressed while a webview's page has the focus may stay in its frame: then the
 * pointer clicks the status bar's empty middle (taking the focus back to the workbench) and
 * the keys go again.
 */
async function openQuickInput(page, keys) {
  const box = page.locator('.quick-input-widget .quick-input-box input:focus');
  await page.keyboard.press(keys);
  if (await box.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) return;
  const bar = await page.locator('.part.statusbar').first().boundingBox();
  if (bar) await page.mouse.click(bar.x + bar.width / 2, bar.y + bar.height / 2);
  await page.keyboard.press(keys);
  await box.waitFor({ state: 'visible', timeout: 10_000 });
}

/**
 * Opens `file` with Quick Open (Ctrl+P): typed once its box has the focus, chosen once its row
 * is listed (typed sooner, the keys go to the editor; Enter sooner opens nothing).
 */
export async function quickOpen(page, file) {
  await openQuickInput(page, 'Control+P');
  await page.keyboard.type(file);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(file) }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** The class VS Code puts on the workbench for each kind of theme. */
const themeClass = { dark: 'vs-dark', light: 'vs', hc: 'hc-black' };

/**
 * Switches the color theme the way a person does: Preferences: Color Theme, then a click on it;
 * done once the picker is closed and the workbench wears the theme's kind, then a moment for the
 * editor to repaint.
 */
export async function pickColorTheme(page, theme, filter) {
  await runCommand(page, /^Preferences: Color Theme/, 'Color Theme');
  // Typed once the theme picker lists themes: typed sooner, it would go to the editor.
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: /Modern|High Contrast/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(filter);
  await clickRow(page, theme);
  const kind = themes.find(([, label]) => label === theme)?.[0];
  await page.locator('.quick-input-widget').first().waitFor({ state: 'hidden', timeout: 10_000 });
  if (kind) await page.locator(`.monaco-workbench.${themeClass[kind]}`).first().waitFor({ state: 'attached', timeout: 10_000 });
  await page.waitForTimeout(300);
}

/**
 * Clicks the quick-pick row whose label matches, once the list shows it (it filters as one
 * types), or closes the quick pick and throws.
 */
async function clickRow(page, pattern) {
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  // The label alone: a row's text runs on into its keybinding and its group's separator ("recently used").
  const labelsNow = () => rows.evaluateAll((els) => els.map((el) => (el.querySelector('.label-name') ?? el).textContent.trim()));
  const until = Date.now() + 5000;
  let labels;
  for (let last = ''; ; await page.waitForTimeout(100)) {
    labels = await labelsNow().catch(() => []);
    const index = labels.findIndex((label) => pattern.test(label));
    // Clicked once the list has stopped filtering (two reads alike), so the row is the one read.
    if (index >= 0 && JSON.stringify(labels) === last) {
      await rows.nth(index).click();
      return;
    }
    last = JSON.stringify(labels);
    if (Date.now() > until) break;
  }
  await page.keyboard.press('Escape');
  throw new Error(`no quick-pick row matching ${pattern} among ${JSON.stringify(labels)}`);
}

/** Without an outer npm's or VS Code's variables. */
export function cleanEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_') || key.startsWith('VSCODE_')) delete env[key];
  return env;
}
