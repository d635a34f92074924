import type { Static } from '@sinclair/typebox';
import type { StatsSchema } from './schema.js';
export type Stats = Static<typeof StatsSchema>;

export function stats(values: ArrayLike<number>): Stats {
  const n = values.length;
  let sum = 0,
    sq = 0,
    min = Infinity,
    max = -Infinity,
    zeros = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    sq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
  }
  const mean = sum / n;
  return {
    count: n,
    mean,
    std: Math.sqrt(Math.max(0, sq / n - mean * mean)),
    min,
    max,
    l2: Math.sqrt(sq),
    zeros: zeros / n,
  };
}
