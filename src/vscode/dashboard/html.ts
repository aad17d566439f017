/**
 * The dashboard's HTML shell: a strict Content-Security-Policy (nothing loads or runs unless
 * it is our bundle, carrying this page's nonce) and the bundle from `dist/webview/`.
 */
import type * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export function dashboardHtml(webview: vscode.Webview, scriptUri: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>PeerMesh Dashboard</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px; }
  h2 { font-size: 1.1em; font-weight: 600; margin: 12px 0 4px; }
  .muted { color: var(--vscode-descriptionForeground); }
  ul.peers { list-style: none; padding: 0; margin: 8px 0; }
  ul.peers li { padding: 3px 0; display: flex; gap: 6px; align-items: baseline; }
  .status { width: 8px; height: 8px; border-radius: 50%; display: inline-block; background: var(--vscode-disabledForeground); }
  .status.working { background: var(--vscode-charts-green); }
  .status.idle { background: var(--vscode-descriptionForeground); }
  .status.disconnected { background: var(--vscode-list-warningForeground); }
</style>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script nonce="${nonce}" src="${scriptUri.toString()}"></script>
</body>
</html>`;
}
