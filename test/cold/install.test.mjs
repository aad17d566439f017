// The cold path, exactly as a new user's first `npm test` or `npm start` takes it: an empty
// cache, and the installer started from inside an npm script, so that it inherits everything
// the outer npm puts into the environment (npm_config_user_agent, lifecycle variables, nodedir).
// `npm run test:cold` runs it on demand; `npm test` runs it whenever the cache is empty.
//
// It installs into a fresh folder beside the real cache and, when it passed and the real cache
// lacks the installs, moves them there, so a cold CI machine pays for the install only once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import {
  cacheRoot, codeServerDir, ensureVsCodeServer, freePort, nodeDir, nodeMajor, startVsCodeServer,
} from '../../scripts/vscode-server.mjs';

describe('cold install of the VS Code server, started from inside npm', function () {
  this.timeout(20 * 60_000);

  const savedCacheSetting = process.env.PEERMESH_CACHE_DIR;
  const realCache = cacheRoot();
  let coldCache;
  let installed;
  let passed = 0;

  before(function () {
    assert.ok(process.env.npm_config_user_agent,
      'run this through npm (`npm run test:cold`), as `npm test` and `npm start` are: the point is the environment npm gives the installer');
    mkdirSync(path.dirname(realCache), { recursive: true });
    coldCache = mkdtempSync(`${realCache}-cold-`);
    process.env.PEERMESH_CACHE_DIR = coldCache;
  });

  afterEach(function () {
    if (this.currentTest?.state === 'passed') passed += 1;
  });

  after(function () {
    if (savedCacheSetting === undefined) delete process.env.PEERMESH_CACHE_DIR;
    else process.env.PEERMESH_CACHE_DIR = savedCacheSetting;
    if (passed === this.test.parent.tests.length) adoptInto(coldCache, realCache);
    rmSync(coldCache, { recursive: true, force: true });
  });

  it(`installs Node ${nodeMajor} and the VS Code server into an empty cache`, async function () {
    assert.deepEqual(readdirSync(coldCache), []);
    installed = await ensureVsCodeServer();
    const version = spawnSync(installed.nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
    assert.match(version, new RegExp(`^v${nodeMajor}\\.`));
    assert.ok(existsSync(installed.serverMain), installed.serverMain);
  });

  it(`builds the server's native modules for Node ${nodeMajor}, not for the Node that runs npm`, function () {
    assert.ok(installed, 'the install failed');
    const modules = nativeModules(path.join(codeServerDir(), 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules'));
    assert.ok(modules.some((file) => file.includes(`${path.sep}kerberos${path.sep}`)), `no kerberos module among ${modules.join(', ')}`);
    // A module built against another Node's headers fails to load with NODE_MODULE_VERSION.
    // (Windows-only modules build as empty stubs here, which "did not self-register": not ours.)
    const probe = `const failed = []; for (const file of ${JSON.stringify(modules)}) {
      try { require(file); } catch (e) { failed.push(file + ': ' + e.message.split('\\n')[0]); } }
      console.log(JSON.stringify(failed));`;
    const load = spawnSync(installed.nodeBin, ['-e', probe], { encoding: 'utf8' });
    assert.equal(load.status, 0, load.stderr);
    const failed = JSON.parse(load.stdout);
    assert.deepEqual(failed.filter((line) => /NODE_MODULE_VERSION|different Node\.js version/.test(line)), []);
    assert.deepEqual(failed.filter((line) => line.includes(`${path.sep}kerberos${path.sep}`)), []);
  });

  it('starts the installed server, which serves the workbench', async function () {
    assert.ok(installed, 'the install failed');
    const port = await freePort();
    const server = await startVsCodeServer({
      ...installed, port, env: process.env,
      serverDataDir: path.join(coldCache, 'run', 'server-data'),
      extensionsDir: path.join(coldCache, 'run', 'extensions'),
      logFile: path.join(coldCache, 'server.log'),
    });
    try {
      const page = await get(`http://127.0.0.1:${port}/`);
      assert.equal(page.status, 200);
      assert.match(page.body, /workbench/i);
    } finally {
      await server.stop();
    }
  });
});

/** Moves what the cold run installed into `cache`, where that lacks it. */
function adoptInto(coldCache, cache) {
  mkdirSync(cache, { recursive: true });
  for (const dir of [nodeDir(coldCache), codeServerDir(coldCache)]) {
    const target = path.join(cache, path.basename(dir));
    if (existsSync(target)) continue;
    try {
      renameSync(dir, target);
      console.log(`      (kept for the next runs: ${target})`);
    } catch {
      // Another run filled it meanwhile; ours is removed with the cold cache.
    }
  }
}

function nativeModules(dir) {
  const found = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.node') && file.includes(`${path.sep}build${path.sep}Release${path.sep}`)) found.push(file);
    }
  };
  walk(dir);
  return found;
}

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    }).on('error', reject);
  });
}
