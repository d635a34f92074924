/**
 * softmax(logits / T), computed as exp((l − max) / T): the max is taken before
 * dividing, so a tiny T (1e-320) gives the argmax probability 1 instead of
 * ∞ − ∞ = NaN. T = 0 is its limit, greedy decoding: all the probability on the
 * largest logit (the lowest id among equals).
 */
export function softmax(logits: ArrayLike<number>, temperature: number): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < logits.length; i++)
    if (logits[i]! > max) {
      max = logits[i]!;
      argmax = i;
    }
  if (temperature === 0) {
    out[argmax] = 1;
    return out;
  }
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += out[i] = Math.exp((logits[i]! - max) / temperature);
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

/** −ln softmax(logits)[target], from the log-sum-exp (no probability underflows to 0 first). */
export function crossEntropyOf(logits: ArrayLike<number>, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i]! - max);
  return Math.log(z) + max - logits[target]!;
}

/** The k largest entries, largest first (the lower id among equals), without sorting the whole vocabulary. */
export function topK(p: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < p.length; i++) {
    if (best.length === k && p[i]! <= p[best[k - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && p[best[at - 1]!]! < p[i]!) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}
