/**
 * The settings under `peermesh.*`: key, default and validation of each, in one table that
 * `config.ts` reads through and `test/unit/manifest.test.ts` checks against
 * `contributes.configuration`. Free of `vscode` imports so it is testable in plain Node.
 */
import type { Scope } from '../protocol/entities';
import { coordinationLimits } from '../protocol/coordination';
import { limits } from '../protocol/limits';

/** Section of every setting: `peermesh.<key>`. */
export const configSection = 'peermesh';

export const notificationLevels = ['all', 'requests', 'none'] as const;
export type Notifications = (typeof notificationLevels)[number];

export const scopes = ['machine', 'workspace', 'repo'] as const satisfies readonly Scope[];

interface SettingSpec<T> {
  /** Key under {@link configSection}, as in `package.json`. */
  key: string;
  /** Same value as the manifest's default; used when the value is missing or invalid. */
  default: T;
  /** The value if it is valid, else undefined. */
  parse(value: unknown): T | undefined;
}

const integer = (min: number, max: number) => (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
const between = (min: number, max: number) => (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : undefined;
const positive = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value.trim() : undefined);
const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);
const scope = (value: unknown): Scope | undefined =>
  scopes.find((s) => s === value);

export const settingSpecs = {
  /** Broker port; 0 = derived from the mesh home. */
  port: { key: 'port', default: 0, parse: integer(0, 65535) },
  /** Mesh home; '' = `PEERMESH_HOME`, else `~/.peermesh`. */
  home: { key: 'home', default: '', parse: text },
  // The broker refuses longer TTLs (limits.ttlSeconds), so a longer default would break every lock.
  lockTtlSeconds: { key: 'lockTtlSeconds', default: 600, parse: integer(1, limits.ttlSeconds) },
  lockGraceSeconds: { key: 'lockGraceSeconds', default: 15, parse: integer(0, 24 * 3600) },
  messagesRetentionHours: { key: 'retention.messagesHours', default: 24, parse: positive },
  eventsRetentionHours: { key: 'retention.eventsHours', default: 48, parse: positive },
  /** Rounds a debate gets before it escalates to the person (a broker this window hosts). */
  debateRounds: { key: 'debate.maxRounds', default: 5, parse: integer(1, coordinationLimits.maxRounds) },
  /** Minutes an open debate waits for a turn before it escalates (a broker this window hosts). */
  debateIdleMinutes: { key: 'debate.idleMinutes', default: 15, parse: integer(1, 24 * 60) },
  /** Minutes (a fraction is fine: 0.5 is 30 s) a request to release a lock waits for its holder's answer before it escalates (a broker this window hosts). */
  lockRequestEscalateMinutes: { key: 'lockRequests.escalateMinutes', default: 2, parse: between(0.05, 24 * 60) },
  scope: { key: 'scope', default: 'workspace' as Scope, parse: scope },
  /** Warn before saving over lines another peer has claimed. */
  saveGuard: { key: 'saveGuard.enabled', default: true, parse: flag },
  /** Which messages to the person show a notification. */
  notifications: { key: 'notifications', default: 'all' as Notifications, parse: (value: unknown) => notificationLevels.find((n) => n === value) },
} satisfies Record<string, SettingSpec<unknown>>;

export type SettingName = keyof typeof settingSpecs;

/** Every setting, typed and validated. */
export type PeerMeshSettings = { readonly [K in SettingName]: (typeof settingSpecs)[K]['default'] };

/** Reads one setting through `read(key)`; a missing or invalid value gives the default. */
export function readSetting<K extends SettingName>(name: K, read: (key: string) => unknown): PeerMeshSettings[K] {
  // TypeScript cannot correlate the indexed spec with K; the table's `satisfies` checks each entry.
  const spec = settingSpecs[name] as SettingSpec<PeerMeshSettings[K]>;
  return spec.parse(read(spec.key)) ?? spec.default;
}
