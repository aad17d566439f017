/**
 * Where a mesh home is and what its files are called, without touching the disk: the hook
 * entry (which must load fast) and the CLI read the same names resolveHome() uses.
 */
import os from 'node:os';
import path from 'node:path';

/** The mesh home PeerMesh uses when PEERMESH_HOME does not say: `~/.peermesh`. */
export function defaultHomeDir(): string {
  return path.join(os.homedir(), '.peermesh');
}

/** The mesh home `env` points at (PEERMESH_HOME, else the default), as given: not created, not resolved. */
export function homeDirOf(env: NodeJS.ProcessEnv): string {
  return env.PEERMESH_HOME?.trim() || defaultHomeDir();
}

/** The files in a mesh home, by name. */
export const homeFiles = { secret: 'secret', broker: 'broker.json' } as const;
