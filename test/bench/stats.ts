/**
 * Bench statistics with no dependencies, so a measurement that runs elsewhere (the VS Code
 * stage runs inside the extension host) summarizes its samples the same way as the rest.
 */

export interface Summary { n: number; p50: number; p99: number; max: number; mean: number }

/** Nearest-rank percentiles of a list of samples (milliseconds, usually). */
export function summarize(samples: number[]): Summary {
  if (samples.length === 0) return { n: 0, p50: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}
