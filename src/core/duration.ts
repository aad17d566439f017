/**
 * The one way PeerMesh writes a duration (`45s`, `9m 12s`, `2h 5m`, `3d 4h`), for people and
 * for agents alike. The rounding is the caller's explicit choice: time *left* rounds up, so a
 * live lock never reads `0s`; ages and uptimes round to the nearest second. `parseDuration`
 * reads the same form back (`peermesh audit export --since 2h`).
 */
export interface DurationFormat {
  rounding: 'up' | 'nearest';
  /** How many units to show, largest first: 2 → `9m 12s` (the default), 1 → `9m`. */
  units?: 1 | 2;
}

const unitSeconds: ReadonlyArray<[seconds: number, unit: string]> = [[86_400, 'd'], [3_600, 'h'], [60, 'm'], [1, 's']];

export function formatDuration(ms: number, { rounding, units = 2 }: DurationFormat): string {
  const whole = rounding === 'up' ? Math.ceil(ms / 1000) : Math.round(ms / 1000);
  let rest = Math.max(0, whole);
  const parts = unitSeconds.map(([seconds, unit]) => {
    const n = Math.floor(rest / seconds);
    rest -= n * seconds;
    return `${n}${unit}`;
  });
  const first = parts.findIndex((p) => !p.startsWith('0'));
  return first < 0 ? '0s' : parts.slice(first, first + units).join(' ');
}

const parseUnits: ReadonlyArray<[unit: string, seconds: number]> = [['w', 604_800], ...unitSeconds.map(([s, u]): [string, number] => [u, s])];

/**
 * Reads a duration as people write it: `45s`, `2h`, `7d`, `1d 2h`, `1h30m` (what
 * {@link formatDuration} writes reads back), in milliseconds. Units go from largest to smallest,
 * each once, each with a whole number; anything else (`2`, `1.5h`, `30m 2h`) is undefined.
 */
export function parseDuration(text: string): number | undefined {
  const parts = text.trim().split(/(?<=[a-z])\s*/);
  if (parts.length === 0 || parts[0] === '') return undefined;
  let ms = 0;
  let next = 0;
  for (const part of parts) {
    const m = /^(\d{1,9})([a-z])$/.exec(part);
    const at = m ? parseUnits.findIndex(([unit]) => unit === m[2]) : -1;
    if (!m || at < next) return undefined;
    ms += Number(m[1]) * parseUnits[at][1] * 1000;
    next = at + 1;
  }
  return ms;
}
