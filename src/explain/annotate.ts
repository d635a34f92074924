/**
 * One-line readings of attention rows, computed from the weights: what a
 * person would say looking at the numbers. Thresholds are stated, not tuned
 * per input: "focuses" means one weight ≥ FOCUS, "broadly" means all visible
 * weights within BROAD of each other, and a head "focuses more" on a token when
 * its weight there beats the mean over heads by at least MORE.
 */
export const FOCUS = 0.6;
export const BROAD = 0.1;
export const MORE = 0.02;

const quote = (label: string) => (label === 'BOS' ? 'BOS' : `'${label}'`);

/** labels[i] is the token at position i; row holds the weights of position i. */
export function describeRow(row: readonly number[], i: number, labels: readonly string[]): string {
  const who = quote(labels[i]);
  const first = quote(labels[0]);
  if (i === 0)
    return row[0] === 1 ? `${first} attends only to itself` : `${first} should attend only to itself, but does not`;
  const top = argmax(row, i + 1);
  if (row[top] >= FOCUS) return `${who} focuses on ${top === i ? 'itself' : quote(labels[top])}`;
  if (spread(row, i + 1) <= BROAD)
    return i === 1 ? `${who} splits between ${first} and self` : `${who} attends broadly`;
  if (i === 1) return `${who} leans toward ${top === 1 ? 'itself' : first}`;
  return `${who} attends to all prior, most to ${top === i ? 'itself' : quote(labels[top])}`;
}

/**
 * The reading of head h's row i in the light of the other heads: "head 3 focuses
 * more on 'a'" when this head's strongest token gets clearly more weight here
 * than the heads give it on average; otherwise null.
 */
export function compareRow(
  heads: readonly (readonly number[][])[],
  h: number,
  i: number,
  labels: readonly string[],
): string | null {
  if (i === 0 || heads.length < 2) return null;
  const row = heads[h][i];
  const top = argmax(row, i + 1);
  const mean = heads.reduce((s, rows) => s + rows[i][top], 0) / heads.length;
  return row[top] - mean >= MORE ? `head ${h} focuses more on ${quote(labels[top])}` : null;
}

/** The first position of the largest of xs[0..n). */
function argmax(xs: readonly number[], n = xs.length): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/** max − min of xs[0..n), as Math.max(...) − Math.min(...) gives it (NaN if any is), without copying the row. */
function spread(xs: readonly number[], n: number): number {
  let max = -Infinity,
    min = Infinity;
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    if (Number.isNaN(x)) return NaN;
    if (x > max) max = x;
    if (x < min) min = x;
  }
  return max - min;
}
