/**
 * The dashboard as a browser meets it outside VS Code: the real bundle (dist/webview/) in the
 * real HTML shell with its strict CSP, served from a local HTTP server, and a stub of VS Code's
 * side of the bridge for the page (`acquireVsCodeApi`): it records what the page posts
 * (`window.posted`) and keeps what it saves as its state (handed back by `getState` on a reload).
 * For the e2e tests and the bench.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type * as vscode from 'vscode';
import { dashboardHtml } from '../../src/vscode/dashboard/html';

const root = path.resolve(__dirname, '../..');
export const webviewDir = path.join(root, 'dist', 'webview');
const types: Record<string, string> = { js: 'text/javascript', css: 'text/css', ttf: 'font/ttf' };

/** VS Code injects acquireVsCodeApi before the page's scripts run; so does this (a string: a function would carry tsx's helpers). */
export const stubVsCodeApi = `
  window.posted = [];
  window.acquireVsCodeApi = () => ({
    postMessage: (message) => window.posted.push(message),
    getState: () => (sessionStorage.saved ? JSON.parse(sessionStorage.saved) : undefined),
    setState: (state) => { sessionStorage.saved = JSON.stringify(state); },
  });`;

/** Serves the dashboard page at `${origin}/`; `close()` stops the server. */
export async function serveDashboard(): Promise<{ origin: string; close(): Promise<void> }> {
  const assets = new Map(['dashboard.js', 'dashboard.css', 'codicon.css', 'codicon.ttf'].map((name) => [`/${name}`, readFileSync(path.join(webviewDir, name))]));
  let origin = '';
  const server = http.createServer((request, response) => {
    const url = request.url?.replace(/\?.*$/, '') ?? '';
    if (assets.has(url)) {
      response.writeHead(200, { 'content-type': types[url.split('.').pop()!] }).end(assets.get(url));
    } else if (url === '/') {
      // What VS Code would hand the webview: our shell, with this server as the resource origin.
      const webview = { cspSource: origin } as vscode.Webview;
      const uri = (name: string) => ({ toString: () => `${origin}/${name}` }) as vscode.Uri;
      response.writeHead(200, { 'content-type': 'text/html' }).end(dashboardHtml(webview, uri('dashboard.js'), [uri('codicon.css'), uri('dashboard.css')]));
    } else {
      response.writeHead(url === '/favicon.ico' ? 204 : 404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Chromium as the tests and the bench launch it (Debian's, or CHROMIUM_PATH). */
export const chromiumOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};
