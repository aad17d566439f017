/**
 * The dashboard's HTML shell: a strict Content-Security-Policy (nothing loads or runs unless
 * it is our bundle, carrying this page's nonce) and the bundle from `dist/webview/`.
 */
import type * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

/** @param styles stylesheets of the bundle (codicons, the page's own), linked in order */
export function dashboardHtml(webview: vscode.Webview, scriptUri: vscode.Uri, styles: readonly vscode.Uri[] = []): string {
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
${styles.map((uri) => `<link rel="stylesheet" href="${uri.toString()}">`).join('\n')}
</head>
<body>
<main id="app"><p class="muted">Loading…</p></main>
<script nonce="${nonce}" src="${scriptUri.toString()}"></script>
</body>
</html>`;
}
