import { distance } from 'fastest-levenshtein';

/** The closest candidate by edit distance, if it is close enough to be a plausible typo ("did you mean"). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  // "lm_head" for "lm_head.weight": a name given without its suffix
  const extended = candidates.find((c) => c.toLowerCase().startsWith(word.toLowerCase() + '.'));
  if (extended) return extended;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** " (did you mean "x"?)" or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const near = nearest(word, candidates);
  return near ? ` (did you mean "${near}"?)` : '';
}
