/**
 * What each head's attention pattern looks like, scored as TransformerLens
 * scores it (transformer_lens.head_detector.detect_head, error_measure "mul",
 * exclude_bos False, exclude_current_token False): for a detection pattern P
 * over (query i, key j), score = Σ(A ⊙ P) / ΣA over every query row. The
 * input is TransformerLens' own for induction: [BOS] + r + r for seeded random
 * tokens r, averaged over a few sequences. Rows of the first copy cannot
 * repeat anything, so duplicate-token and induction scores top out near one half.
 */
import { Rng } from '../tensor/index.js';
import { runSteps, type Engine, type Steps } from '../engine/index.js';
import { attentionOf } from './run.js';
import type { Static } from '@sinclair/typebox';
import type { HeadsReportSchema } from './schema.js';

export type HeadsReport = Static<typeof HeadsReportSchema>;

type Pattern = (tokens: readonly number[], i: number, j: number) => boolean;

export const DETECTORS: ReadonlyArray<{
  name: HeadsReport['detectors'][number]['name'];
  definition: string;
  pattern: Pattern;
}> = [
  { name: 'previous-token', definition: 'P[i][j] = 1 when j = i − 1', pattern: (_, i, j) => j === i - 1 },
  {
    name: 'duplicate-token',
    definition: 'P[i][j] = 1 when j < i and token j = token i',
    pattern: (t, i, j) => j < i && t[j] === t[i],
  },
  {
    name: 'induction',
    definition: 'P[i][j] = 1 when 1 ≤ j ≤ i and token j − 1 = token i (the token after an earlier copy)',
    pattern: (t, i, j) => j >= 1 && j <= i && t[j - 1] === t[i],
  },
  {
    name: 'first-token',
    definition: 'P[i][j] = 1 when j = 0 (BOS, where there is one)',
    pattern: (_, __, j) => j === 0,
  },
];

export const SCORING =
  'score = Σ(A ⊙ P) / ΣA over all query rows (TransformerLens detect_head, error_measure "mul", BOS and the current token not excluded)';

/** Sequences scored per model: scores are their mean. */
export const SEQUENCES = 4;
/** Longest random half: a repeat this long is what induction needs, short enough to run on big models. */
const MAX_HALF = 24;

/** [BOS] + r + r for seeded random tokens r. */
export function repeatedSequence(m: Engine, rng: Rng, half: number): number[] {
  const r = Array.from({ length: half }, () => rng.int(m.drawFrom));
  return [...(m.bos === null ? [] : [m.bos]), ...r, ...r];
}

/** Σ(A ⊙ P) / ΣA for one head's [T][T] attention. */
export function patternScore(a: readonly (readonly number[])[], tokens: readonly number[], pattern: Pattern): number {
  let hit = 0,
    all = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j <= i; j++) {
      all += a[i]![j]!;
      if (pattern(tokens, i, j)) hit += a[i]![j]!;
    }
  return all > 0 ? hit / all : 0;
}

export function buildHeadsReport(m: Engine, seed: number): HeadsReport {
  return runSteps(headsSteps(m, seed));
}

/** A sequence scored is a unit; stopped (Ctrl-C), the scores are means over the sequences finished. */
export function headsSteps(m: Engine, seed: number): Steps<HeadsReport> {
  return { total: SEQUENCES, steps: scoringHeads(m, seed) };
}

function* scoringHeads(m: Engine, seed: number): Generator<number, HeadsReport, boolean> {
  const { layers, heads } = m.info;
  const half = Math.min(MAX_HALF, Math.floor((m.info.context - (m.bos === null ? 0 : 1)) / 2));
  const rng = new Rng(seed);
  const sums = Array.from({ length: layers * heads }, () => DETECTORS.map(() => 0));
  const sequences: number[][] = [];
  let interrupted = false;
  for (let n = 0; n < SEQUENCES && !interrupted; n++) {
    const tokens = repeatedSequence(m, rng, half);
    sequences.push(tokens);
    attentionOf(m, tokens).forEach((layer, l) =>
      layer.forEach((a, h) =>
        DETECTORS.forEach((d, k) => (sums[l * heads + h]![k]! += patternScore(a, tokens, d.pattern) / SEQUENCES)),
      ),
    );
    interrupted = yield 1;
  }
  // Stopped early: the sums are over fewer sequences than SEQUENCES, each divided by SEQUENCES.
  const done = sequences.length;
  if (done < SEQUENCES) for (const s of sums) s.forEach((v, k) => (s[k] = (v * SEQUENCES) / done));
  const scores = sums.map((s, i) => ({
    layer: Math.floor(i / heads),
    head: i % heads,
    previous: s[0]!,
    duplicate: s[1]!,
    induction: s[2]!,
    firstToken: s[3]!,
  }));
  const keyOf = ['previous', 'duplicate', 'induction', 'firstToken'] as const;
  return {
    kind: 'heads',
    family: m.info.family,
    weightsFrom: m.info.weightsFrom,
    layers,
    heads,
    input: { seed, sequences: done, half, bos: m.bos, first: sequences[0]! },
    scoring: SCORING,
    detectors: DETECTORS.map((d) => ({ name: d.name, definition: d.definition })),
    scores,
    top: DETECTORS.map((d, k) => ({
      detector: d.name,
      heads: [...scores]
        .sort((a, b) => b[keyOf[k]!] - a[keyOf[k]!] || a.layer - b.layer || a.head - b.head)
        .slice(0, 3)
        .map((s) => ({ layer: s.layer, head: s.head, score: s[keyOf[k]!] })),
    })),
    interrupted: done < SEQUENCES,
  };
}
