/**
 * The mesh home (`PEERMESH_HOME`, default `~/.peermesh`): the broker secret, `broker.json`,
 * the store and logs. Two homes are two meshes: the broker port is derived from the home's
 * real path, so they never meet.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, realpathSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { BrokerInfo } from '../protocol/methods';
import { atomicWrite } from './files';
import { homeDirOf, homeFiles } from './location';
import { selfIdentity } from './owner';

export interface MeshHome {
  /** Real path of the home folder. */
  dir: string;
  secretFile: string;
  brokerFile: string;
  storeDir: string;
  logDir: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): MeshHome {
  const raw = homeDirOf(env);
  mkdirSync(raw, { recursive: true, mode: 0o700 });
  const dir = realpathSync(raw);
  return {
    dir,
    secretFile: path.join(dir, homeFiles.secret),
    brokerFile: path.join(dir, homeFiles.broker),
    storeDir: path.join(dir, 'store'),
    logDir: path.join(dir, 'logs'),
  };
}

/** Reads the broker secret, creating it (0600, exclusively) if this is a new home. */
export async function readSecret(home: MeshHome): Promise<string> {
  try {
    await fs.writeFile(home.secretFile, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  // Another process may have created it a moment ago and not written it yet.
  for (let i = 0; i < 50; i++) {
    const secret = (await fs.readFile(home.secretFile, 'utf8')).trim();
    if (secret.length >= 32) return secret;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${home.secretFile} is empty or too short; delete it and retry`);
}

/**
 * Port range for derived broker ports: 20000–31999, below every system's default ephemeral range
 * (Linux from 32768, Windows and macOS from 49152). A port in that range can be held for a
 * moment by any outgoing connection, and a probe of it, with no broker listening, can even be
 * given that very port as its own and connect to itself (reading its own request back as a
 * garbled answer).
 */
const portBase = 20_000;
const portSpan = 12_000;
/** How many consecutive ports are tried when one is taken by a foreign program. */
export const candidateCount = 5;

/** The ports a broker for this home may listen on, in order of preference. */
export function candidatePorts(home: MeshHome, override?: number): number[] {
  if (override) return [override];
  const hash = createHash('sha256').update(home.dir).digest().readUInt32BE(0);
  const first = portBase + (hash % portSpan);
  return Array.from({ length: candidateCount }, (_, i) => portBase + ((first - portBase + i) % portSpan));
}

/** broker.json: the broker's info, and its process start time to tell it from a later process with its pid. */
export const BrokerFile = BrokerInfo.extend({ processStart: z.string().optional() });
export type BrokerFile = z.infer<typeof BrokerFile>;

/** Announces the broker (a convenience for tools: peers always verify by connecting). */
export async function writeBrokerFile(home: MeshHome, info: BrokerInfo): Promise<void> {
  const file: BrokerFile = { ...info, processStart: selfIdentity().start };
  await atomicWrite(home.brokerFile, JSON.stringify(file, null, 2) + '\n', { durable: false });
}

/** The last broker that announced itself, or undefined. It may be dead: always verify by connecting. */
export async function readBrokerFile(home: MeshHome): Promise<BrokerFile | undefined> {
  try {
    const parsed = BrokerFile.safeParse(JSON.parse(await fs.readFile(home.brokerFile, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
