/**
 * A temporary user for the setup tests: a HOME (and mesh home) of its own, with none of the
 * real user's XDG_CONFIG_HOME, CODEX_HOME or APPDATA in the environment, and helpers to seed
 * and read each client's config where that client keeps it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'jsonc-parser/lib/esm/main.js';
import { clientTargets, type ClientId } from '../../src/cli/clients';
import { hookTargets, type HookClientId } from '../../src/cli/hooks';
import { tempHome } from './harness';

/** A temporary HOME with nothing of the real user's in the environment. */
export function tempUser() {
  const mesh = tempHome();
  const home = mkdtempSync(path.join(os.tmpdir(), 'pm-home-'));
  const env: NodeJS.ProcessEnv = { ...mesh.env, HOME: home, USERPROFILE: home };
  for (const k of ['XDG_CONFIG_HOME', 'CODEX_HOME', 'APPDATA']) delete env[k];
  const saved = process.env.HOME;
  process.env.HOME = home;
  const targets = clientTargets(env);
  const hooks = hookTargets(env);
  process.env.HOME = saved;
  const file = (id: ClientId) => targets[id].file;
  const seed = (id: ClientId, text: string) => {
    mkdirSync(path.dirname(file(id)), { recursive: true });
    writeFileSync(file(id), text);
  };
  const hooksFile = (id: HookClientId) => hooks[id].file;
  const seedFile = (file: string, text: string) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  return {
    mesh, home, env, file, seed, hooksFile, seedFile,
    read: (id: ClientId) => readFileSync(file(id), 'utf8'),
    json: (id: ClientId) => parse(readFileSync(file(id), 'utf8')) as Record<string, Record<string, Record<string, unknown>>>,
    cleanup() {
      mesh.cleanup();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

