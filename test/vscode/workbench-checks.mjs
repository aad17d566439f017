// What a person would see in the workbench once the suite has run (the suite keeps the
// extension host alive meanwhile): the status-bar item, the PeerMesh container with its views,
// the empty-state message, and the dashboard webview rendering the host's snapshot under a
// strict CSP. Each check is [title, async () => void], throwing on failure.

/** @param {import('playwright-core').Page} page */
export function workbenchChecks(page) {
  const container = page.locator('[id="workbench.view.extension.peermesh"]');
  return [
    ['shows the PeerMesh status-bar item', async () => {
      await page.locator('.statusbar-item', { hasText: 'PeerMesh' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    }],
    ['shows the PeerMesh container with its four views', async () => {
      await container.waitFor({ state: 'visible', timeout: 10_000 });
      for (const view of ['Peers', 'Locks', 'Debates', 'Dashboard']) {
        await container.locator('.pane-header', { hasText: view }).first().waitFor({ state: 'visible', timeout: 5000 });
      }
    }],
    ['shows the empty Peers view\'s message', async () => {
      await container.getByText('No peers yet.').first().waitFor({ state: 'visible', timeout: 5000 });
    }],
    ['dashboard webview rendered the host\'s snapshot', async () => {
      const text = await (await dashboardFrame(page, 15_000)).locator('#app').innerText();
      if (!/Peers \(0\)/.test(text) || !/PeerMesh \d+\.\d+\.\d+/.test(text)) throw new Error(`dashboard shows: ${JSON.stringify(text)}`);
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
