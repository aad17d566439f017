import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type * as vscode from 'vscode';
import { dashboardHtml } from '../../src/vscode/dashboard/html';
import type { DashboardSnapshot, HostToWebviewMessage } from '../../src/protocol/webview';

// The real dashboard bundle (dist/webview/dashboard.js, built by `npm run test:e2e`) in the real
// HTML shell with its strict CSP, in headless Chromium. The page plays the webview, and a stub
// `acquireVsCodeApi` plays VS Code's side of the bridge: it records what the page posts.

const root = path.resolve(__dirname, '../..');
const bundle = readFileSync(path.join(root, 'dist', 'webview', 'dashboard.js'));

describe('dashboard webview (browser)', function () {
  this.timeout(60_000);
  let server: http.Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/dashboard.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      } else if (request.url === '/') {
        // What VS Code would hand the webview: our shell, with this server as the resource origin.
        const webview = { cspSource: origin } as vscode.Webview;
        const scriptUri = { toString: () => `${origin}/dashboard.js` } as vscode.Uri;
        response.writeHead(200, { 'content-type': 'text/html' }).end(dashboardHtml(webview, scriptUri));
      } else if (request.url === '/favicon.ico') {
        response.writeHead(204).end();
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  beforeEach(async () => {
    page = await browser.newPage();
    problems = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    // VS Code injects acquireVsCodeApi before the page's scripts run; so does this stub. (A
    // string, not a function: tsx would add helpers to a function that the page does not have.)
    await page.addInitScript(`
      window.posted = [];
      window.acquireVsCodeApi = () => ({
        postMessage: (message) => window.posted.push(message),
        getState: () => undefined,
        setState: () => undefined,
      });`);
    await page.goto(`${origin}/`);
  });

  afterEach(async () => {
    await page.close();
  });

  const send = (message: HostToWebviewMessage | Record<string, unknown>) =>
    page.evaluate((data) => (globalThis as unknown as { postMessage(data: unknown, target: string): void }).postMessage(data, '*'), message);
  const snapshot = (peers: DashboardSnapshot['peers']): HostToWebviewMessage =>
    ({ type: 'didChangeSnapshot', snapshot: { version: '9.8.7', peers } });

  it('posts ready once it has loaded', async () => {
    await page.waitForFunction('window.posted.length > 0');
    assert.deepEqual(await page.evaluate('window.posted'), [{ type: 'ready' }]);
    assert.deepEqual(problems, []);
  });

  it('renders the snapshot it is sent', async () => {
    await send(snapshot([
      { id: 'p-1', name: 'claude-1', kind: 'claude-code', status: 'working', summary: 'refactoring the store' },
      { id: 'p-2', name: 'cursor', kind: 'cursor', status: 'idle', summary: '' },
    ]));
    await page.locator('#app[data-version="9.8.7"]').waitFor();
    const text = await page.locator('#app').innerText();
    assert.match(text, /Peers \(2\)/);
    assert.match(text, /claude-1/);
    assert.match(text, /refactoring the store/);
    assert.match(text, /PeerMesh 9\.8\.7/);
    assert.equal(await page.locator('li[data-peer-id="p-2"] .status.idle').count(), 1);
    assert.deepEqual(problems, []);
  });

  it('replaces the page with each new snapshot', async () => {
    await send(snapshot([{ id: 'p-1', name: 'claude-1', kind: 'claude-code', status: 'working', summary: '' }]));
    await page.locator('li[data-peer-id="p-1"]').waitFor();
    await send(snapshot([]));
    await page.getByText('No peers yet.').waitFor();
    assert.equal(await page.locator('li[data-peer-id]').count(), 0);
    assert.match(await page.locator('#app').innerText(), /Peers \(0\)/);
  });

  it('shows host text as text, never as HTML', async () => {
    await send(snapshot([{ id: 'p-x', name: '<img src=x onerror="window.pwned=1">', kind: 'unknown', status: 'working', summary: '<b>bold</b>' }]));
    await page.locator('li[data-peer-id="p-x"]').waitFor();
    assert.equal(await page.locator('#app img, #app b').count(), 0);
    assert.match(await page.locator('#app').innerText(), /<img src=x/);
    assert.equal(await page.evaluate('window.pwned'), undefined);
  });

  it('ignores messages that are not part of the protocol', async () => {
    await send({ type: 'somethingElse' });
    await send({ hello: 'world' });
    await send(snapshot([]));
    await page.locator('#app[data-version]').waitFor();
    assert.deepEqual(problems, []);
  });
});
