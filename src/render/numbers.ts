/**
 * How a token's probability reads on every screen (trace, the lens, sample):
 * one function, so a row of zeros never stands for "small" and a 50,000-token
 * vocabulary does not print zero everywhere.
 */

/** Below this percentage (a probability of 1e-4) a probability is written in scientific notation. */
const SMALLEST_PLAIN_PERCENT = 10 ** -2;

/**
 * A probability as a percentage with three significant digits ("37.4%",
 * "6.31%", "0.0123%"), tiny ones in scientific notation ("2.0e-3%"), and 0 and
 * 1 exactly as "0%" and "100%".
 */
export function probability(p: number): string {
  if (p === 0) return '0%';
  if (p === 1) return '100%';
  const percent = p * 100;
  if (percent < SMALLEST_PLAIN_PERCENT) return `${percent.toExponential(1)}%`;
  return `${percent.toPrecision(3)}%`;
}

/** Columns `probability` takes at most ("4.9e-322%", the smallest float64). */
export const PROBABILITY_WIDTH = 9;
