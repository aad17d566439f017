// Refreshes the README's screenshots in media/readme/ from the ones the VS Code tier takes
// (.test-artifacts/vscode/, see test/vscode/lock-screenshots.mjs, plan-screenshots.mjs, dashboard-checks.mjs and
// debate-screenshots.mjs): run `npm run test:vscode`
// first, then `npm run readme:images`.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(root, '.test-artifacts', 'vscode');
const target = path.join(root, 'media', 'readme');

/** README image ← screenshot of the VS Code tier. */
const images = {
  'sidebar-dark.png': 'sidebar-dark.png',
  'editor-hover-light.png': 'editor-lock-light.png',
  'sidebar-high-contrast.png': 'sidebar-hc.png',
  'plan-light.png': 'plan-hover-light.png',
  'debates-light.png': 'debates-escalated-light.png',
  'dashboard-board-dark.png': 'dashboard-board-dark.png',
  'dashboard-debate-light.png': 'dashboard-debate-light.png',
};

const missing = Object.values(images).filter((shot) => !existsSync(path.join(artifacts, shot)));
if (missing.length > 0) {
  console.error(`readme-images: no ${missing.join(', ')} in ${path.relative(root, artifacts)}; run \`npm run test:vscode\` first`);
  process.exit(1);
}
mkdirSync(target, { recursive: true });
for (const [image, shot] of Object.entries(images)) {
  copyFileSync(path.join(artifacts, shot), path.join(target, image));
  console.log(`media/readme/${image} ← ${path.relative(root, path.join(artifacts, shot))}`);
}
