// Another agent's lock as a person sees it in the editor: a separate OS process (the
// `peermesh` CLI, a terminal peer) locks lines 3–5 of a workspace file; the launcher opens that
// file, shows the explorer, hovers the locked lines, and saves a screenshot per color theme
// (dark, light, high contrast) to .test-artifacts/vscode/. Each check is [title, async () => void].
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export const lockedFile = 'parser.ts';

/** The file the lock lands in; written before the workbench opens. */
export function writeLockedFile(workspace) {
  const lines = [
    '// A small tokenizer, for the PeerMesh screenshots.',
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

const themes = [
  ['dark', 'Default Dark Modern'],
  ['light', 'Default Light Modern'],
  ['hc', 'Default High Contrast'],
];

/**
 * @param {import('playwright-core').Page} page
 * @param {{ repo: string, name: string, workspace: string, home: string, artifacts: string, nodeBin: string,
 *           setTheme: (theme: string) => void }} ctx
 */
export function lockScreenshotChecks(page, { repo, name, workspace, home, artifacts, nodeBin, setTheme }) {
  const editor = page.locator('.editor-instance .monaco-editor').first();
  return [
    ['another process locks lines 3-5 (peermesh lock, a separate OS process)', async () => {
      const result = spawnSync(nodeBin, [path.join(repo, 'dist', 'cli.js'), 'lock', `${lockedFile}:3-5`, '--reason', 'rewriting the tokenizer loop'], {
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
      // The gutter icon is a margin decoration (.cgmr), the tint a whole-line overlay (.cdr).
      await editor.locator('.margin-view-overlays .cgmr').first().waitFor({ state: 'attached', timeout: 10_000 });
      const badges = await editor.locator('.margin-view-overlays .cgmr').count();
      if (badges !== 3) throw new Error(`expected 3 gutter badges (lines 3-5), saw ${badges}`);
    }],
    ...themes.map(([short, theme]) => [`screenshot in ${short} theme, hovering the locked lines`, async () => {
      setTheme(theme);
      await page.waitForTimeout(1500);
      await page.mouse.move(5, 5);
      await page.waitForTimeout(300);
      await editor.locator('.view-line', { hasText: 'if (word)' }).hover();
      const hover = page.locator('.monaco-hover', { hasText: 'locked by' }).first();
      const hovered = await hover.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
      const file = path.join(artifacts, `editor-lock-${short}${name === 'dev' ? '' : `-${name}`}.png`);
      await page.screenshot({ path: file });
      if (!hovered) throw new Error(`no hover naming the holder (screenshot ${path.basename(file)})`);
    }]),
  ];
}

/** Without an outer npm's or VS Code's variables. */
function cleanEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_') || key.startsWith('VSCODE_')) delete env[key];
  return env;
}
