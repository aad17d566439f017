/**
 * The one way PeerMesh writes a duration (`45s`, `9m 12s`, `2h 5m`, `3d 4h`), for people and
 * for agents alike. The rounding is the caller's explicit choice: time *left* rounds up, so a
 * live lock never reads `0s`; ages and uptimes round to the nearest second.
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
