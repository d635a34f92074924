import { createRequire } from 'node:module';

/** Loaded on the first suggestion only: every command imports this module, few ever suggest. */
let levenshtein: ((a: string, b: string) => number) | undefined;
const distance = (a: string, b: string): number =>
  (levenshtein ??= (
    createRequire(import.meta.url)('fastest-levenshtein') as { distance: (a: string, b: string) => number }
  ).distance)(a, b);

/** The closest candidate by edit distance, if it is close enough to be a plausible typo ("did you mean"). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  // A name given without its suffix: "lm_head" for "lm_head.weight", "explain" for "explain_attention".
  if (w.length >= 3) {
    const extended = candidates.find((c) => c.toLowerCase().startsWith(w));
    if (extended) return extended;
  }
  let best: string | undefined;
  let bestD = Infinity;
  let bestPrefix = -1;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    const prefix = commonPrefix(w, c.toLowerCase());
    // Ties go to the candidate that starts like the word: "lamma" → "llama", not "gemma".
    if (d < bestD || (d === bestD && prefix > bestPrefix)) {
      bestD = d;
      bestPrefix = prefix;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** " (did you mean "x"?)" or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const near = nearest(word, candidates);
  return near ? ` (did you mean "${near}"?)` : '';
}
