import type { Engine } from '../engine/index.js';
import { attentionOf } from './run.js';
import type { Static } from '@sinclair/typebox';
import type { HeadSummaryReportSchema, HeadSummarySchema } from './schema.js';

export type HeadSummary = Static<typeof HeadSummarySchema>;
export type HeadLabel = HeadSummary['label'];

/**
 * A head is named for what it attends to when that target gets at least LIFT
 * times the weight uniform attention would give it; otherwise it is broad.
 */
export const LIFT = 1.5;

/** The first position scored: from 2 on, BOS, the previous token and the token itself are three different positions. */
export const FIRST_SCORED_POSITION = 2;

export type HeadSummaryReport = Static<typeof HeadSummaryReportSchema>;

/**
 * What each head does, measured over a probe set of names. Only positions ≥ 2
 * count, where BOS, the previous token and the token itself are three different
 * positions, so the three scores do not overlap.
 */
export function summarizeHeads(engine: Engine, probe: readonly string[]): HeadSummary[] {
  const { layers: nLayer, heads: nHead, context } = engine.info;
  const acc = Array.from({ length: nLayer * nHead }, () => ({
    previous: 0,
    self: 0,
    bos: 0,
    entropy: 0,
    chance: 0,
    n: 0,
  }));
  for (const name of probe) {
    const ids = engine.tokenizer!.encode(name).slice(0, context);
    if (ids.length <= FIRST_SCORED_POSITION) continue;
    const attention = attentionOf(engine, ids);
    attention.forEach((heads, l) =>
      heads.forEach((rows, h) => {
        const a = acc[l * nHead + h];
        for (let i = FIRST_SCORED_POSITION; i < rows.length; i++) {
          const row = rows[i];
          a.previous += row[i - 1];
          a.self += row[i];
          a.bos += row[0];
          let H = 0;
          for (let j = 0; j <= i; j++) if (row[j] > 0) H -= row[j] * Math.log(row[j]);
          a.entropy += H / Math.log(i + 1);
          a.chance += 1 / (i + 1);
          a.n++;
        }
      }),
    );
  }
  return acc.map((a, k) => {
    const n = Math.max(1, a.n);
    const scores = { 'previous-token': a.previous / n, self: a.self / n, BOS: a.bos / n };
    const [best, score] = Object.entries(scores).sort((x, y) => y[1] - x[1])[0] as [HeadLabel, number];
    const chance = a.chance / n;
    const named = score >= LIFT * chance;
    return {
      layer: Math.floor(k / nHead),
      head: k % nHead,
      previous: scores['previous-token'],
      self: scores.self,
      bos: scores.BOS,
      entropy: a.entropy / n,
      chance,
      label: named ? best : 'broad',
      score: named ? score : a.entropy / n,
    };
  });
}

/** A fixed probe set: every k-th name of the corpus, at most `count`, so it is the same on every run. */
export function probeNames(docs: readonly string[], count = 200): string[] {
  const step = probeStep(docs.length, count);
  return docs.filter((_, i) => i % step === 0).slice(0, count);
}

/** The probe takes one name in every this many. */
export const probeStep = (names: number, count: number) => Math.max(1, Math.floor(names / count));
