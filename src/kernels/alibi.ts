/**
 * ALiBi's head slopes, defined once: the formula `explain --kernel` prints and
 * the function the model runs sit side by side. Heads are numbered from 0, so
 * head 0's slope is 2^(−8/H) (0.25 for 4 heads), as in the paper's 1-based 2^(−8h/H).
 */
export const ALIBI_SLOPE_FORMULA = 'm_h = 2^(−8(h+1)/n_heads), heads h = 0, 1, …';

/** One slope per head, 2^(−8(h+1)/H) (the paper's sequence for a power-of-two head count). */
export function alibiSlopes(heads: number): number[] {
  return Array.from({ length: heads }, (_, h) => 2 ** ((-8 * (h + 1)) / heads));
}
