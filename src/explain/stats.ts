import type { Static } from '@sinclair/typebox';
import type { StatsSchema } from './schema.js';
export type Stats = Static<typeof StatsSchema>;

/**
 * Count, mean, std, range, L2 norm and zero share of the finite values, and how
 * many are NaN or infinite: a corrupted weight is counted and said, never
 * printed as a NaN mean. With no finite value at all, the figures are 0.
 */
export function stats(values: ArrayLike<number>): Stats {
  const n = values.length;
  let sum = 0,
    sq = 0,
    min = Infinity,
    max = -Infinity,
    zeros = 0,
    nan = 0,
    inf = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) inf++;
    else {
      sum += v;
      sq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v === 0) zeros++;
    }
  }
  const finite = n - nan - inf;
  if (finite === 0) return { count: n, mean: 0, std: 0, min: 0, max: 0, l2: 0, zeros: 0, nan, inf };
  const mean = sum / finite;
  return {
    count: n,
    mean,
    std: Math.sqrt(Math.max(0, sq / finite - mean * mean)),
    min,
    max,
    l2: Math.sqrt(sq),
    zeros: zeros / n,
    nan,
    inf,
  };
}
