// What a person would see in the workbench once the suite has run (the suite keeps the
// extension host alive meanwhile): the status-bar item with the peer count, the PeerMesh
// container with its views, the window's own peer in the Peers view, and the dashboard webview
// rendering the host's snapshot (with that peer) under a strict CSP. Each check is
// [title, async () => void], throwing on failure.

/** The window's own peer: `vscode:<folder name>`; the launcher opens a folder named `workspace`. */
const windowPeer = 'vscode:workspace';

/** @param {import('playwright-core').Page} page */
export function workbenchChecks(page) {
  const container = page.locator('[id="workbench.view.extension.peermesh"]');
  return [
    ['shows the PeerMesh status-bar item with working / total peers', async () => {
      // Its accessible name says what its icon and counts show.
      const item = page.locator('.statusbar-item', { has: page.locator('[aria-label^="PeerMesh: "]') }).or(page.locator('.statusbar-item[aria-label^="PeerMesh: "]')).first();
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      // The window may be joining again (a suite restarted its broker): its counts come back.
      let text = '';
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
        text = await item.innerText();
        if (/^\s*\d+\/\d+/.test(text)) break;
      }
      if (!/^\s*\d+\/\d+/.test(text)) throw new Error(`the status-bar item reads ${JSON.stringify(text)}`);
    }],
    ['shows the PeerMesh container with its six views', async () => {
      await container.waitFor({ state: 'visible', timeout: 10_000 });
      for (const view of ['Peers', 'Locks', 'Plan', 'Messages', 'Debates', 'Dashboard']) {
        await container.locator('.pane-header', { hasText: view }).first().waitFor({ state: 'visible', timeout: 5000 });
      }
    }],
    ['shows the window\'s own peer in the Peers view', async () => {
      const peers = container.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Peers' }) }).first();
      await peers.locator('.monaco-list-row', { hasText: windowPeer }).first().waitFor({ state: 'visible', timeout: 10_000 });
    }],
    ['dashboard webview rendered the host\'s snapshot, with the window\'s peer', async () => {
      const frame = await dashboardFrame(page, 15_000);
      await frame.getByRole('tab', { name: /Peers/ }).click();
      const deadline = Date.now() + 10_000;
      let text = '';
      while (Date.now() < deadline) {
        text = await frame.locator('#app').innerText();
        if (text.includes(windowPeer)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      // The tab goes back to the board, as a newcomer first sees it; the focus back to the workbench.
      await frame.getByRole('tab', { name: /Board/ }).click();
      const bar = await page.locator('.part.statusbar').first().boundingBox();
      if (bar) await page.mouse.click(bar.x + bar.width / 2, bar.y + bar.height / 2);
      if (!text.includes(windowPeer) || !/PeerMesh \d+\.\d+\.\d+/.test(text)) {
        throw new Error(`dashboard shows: ${JSON.stringify(text)}`);
      }
    }],
    ['dashboard webview runs under a strict nonce CSP', async () => {
      const frame = await dashboardFrame(page, 5000);
      const csp = await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      if (!csp || !/default-src 'none'/.test(csp) || !/script-src 'nonce-[^']+'(;|$)/.test(csp)) throw new Error(`CSP: ${csp}`);
      // VS Code injects its acquireVsCodeApi script itself (id _vscodeApiScript); ours must carry the nonce.
      const unsigned = await frame.locator('script:not([nonce]):not(#_vscodeApiScript)').count();
      if (unsigned > 0) throw new Error(`${unsigned} script(s) without a nonce`);
    }],
  ];
}

/** The dashboard webview's frame (an iframe inside an iframe) once it has rendered a snapshot. */
async function dashboardFrame(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator('#app[data-version]').count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error('no dashboard webview frame with a rendered snapshot');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
