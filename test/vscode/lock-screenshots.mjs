// Another agent's lock as a person sees it in the editor: a separate OS process (the
// `peermesh` CLI, a terminal peer) locks lines 9–11 of a workspace file; the launcher opens that
// file, shows the explorer, hovers the locked lines, and saves a screenshot per color theme
// (dark, light, high contrast) to .test-artifacts/vscode/. Each check is [title, async () => void].
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export const lockedFile = 'parser.ts';

/** The file the lock lands in; written before the workbench opens. */
export function writeLockedFile(workspace) {
  const lines = [
    '/**',
    ' * A small tokenizer, for the PeerMesh screenshots: another agent',
    ' * holds the loop below (lines 9-11), so the editor badges it,',
    ' * tints it, marks it in the overview ruler and explains it on hover.',
    ' * The explorer badges the file.',
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
const themes = [
  ['dark', /^(Default )?Dark Modern$/, 'Dark Modern'],
  ['light', /^(Default )?Light Modern$/, 'Light Modern'],
  ['hc', /^(Default |Dark )?High Contrast/, 'High Contrast'],
];

/**
 * @param {import('playwright-core').Page} page
 * @param {{ repo: string, name: string, workspace: string, home: string, artifacts: string, nodeBin: string }} ctx
 */
export function lockScreenshotChecks(page, { repo, name, workspace, home, artifacts, nodeBin }) {
  const editor = page.locator('.editor-instance .monaco-editor').first();
  return [
    ['another process locks lines 9-11 (peermesh lock, a separate OS process)', async () => {
      const result = spawnSync(nodeBin, [path.join(repo, 'dist', 'cli.js'), 'lock', `${lockedFile}:9-11`, '--reason', 'rewriting the tokenizer loop'], {
        cwd: workspace, encoding: 'utf8', timeout: 30_000, env: { ...cleanEnv(), PEERMESH_HOME: home },
      });
      if (result.status !== 0) throw new Error(`peermesh lock exited ${result.status}: ${result.stdout}${result.stderr}`);
    }],
    ['opens the locked file and draws the gutter badge and the tint', async () => {
      await page.keyboard.press('Control+J').catch(() => undefined); // hide the panel: more editor
      await page.keyboard.press('Control+Shift+E');
      await page.keyboard.press('Control+P');
      await page.keyboard.type(lockedFile);
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      await editor.locator('.view-line', { hasText: 'const tokens' }).waitFor({ state: 'visible', timeout: 10_000 });
      // A gutter icon is a glyph-margin decoration (.cgmr).
      await editor.locator('.cgmr').first().waitFor({ state: 'attached', timeout: 10_000 });
      const badges = await editor.locator('.cgmr').count();
      if (badges !== 3) throw new Error(`expected 3 gutter badges (lines 9-11), saw ${badges}`);
    }],
    ...themes.map(([short, theme, filter]) => [`screenshot in ${short} theme, hovering the locked lines`, async () => {
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
  ];
}

/** Switches the color theme the way a person does: Preferences: Color Theme, then a click on it. */
async function pickColorTheme(page, theme, filter) {
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type('Color Theme');
  await page.waitForTimeout(500);
  await clickRow(page, /^Preferences: Color Theme/);
  await page.waitForTimeout(500);
  await page.keyboard.type(filter);
  await page.waitForTimeout(300);
  await clickRow(page, theme);
  await page.waitForTimeout(1200);
}

/** Clicks the quick-pick row whose label matches, or closes the quick pick and throws. */
async function clickRow(page, pattern) {
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 5000 });
  const labels = (await rows.allInnerTexts()).map((text) => text.split('\n')[0].trim());
  const index = labels.findIndex((label) => pattern.test(label));
  if (index < 0) {
    await page.keyboard.press('Escape');
    throw new Error(`no quick-pick row matching ${pattern} among ${JSON.stringify(labels)}`);
  }
  await rows.nth(index).click();
}

/** Without an outer npm's or VS Code's variables. */
function cleanEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_') || key.startsWith('VSCODE_')) delete env[key];
  return env;
}
