import { describe, expect, it } from 'vitest';
import { buildHeadsReport, DETECTORS, patternScore } from '../../src/explain/detectors.js';
import { taped } from '../helpers/engines.js';
import { Gpt, MICROGPT, Tokenizer } from '../../src/model/index.js';

const tok = Tokenizer.default();
const pattern = (name: string) => DETECTORS.find((d) => d.name === name)!.pattern;

describe('detection patterns and scores, by hand', () => {
  it('score = Σ(A ⊙ P) / ΣA over every row (TransformerLens "mul")', () => {
    // 3 positions; previous-token pattern hits (1,0) and (2,1).
    const A = [
      [1, 0, 0],
      [0.25, 0.75, 0],
      [0.1, 0.6, 0.3],
    ];
    expect(patternScore(A, [5, 6, 7], pattern('previous-token'))).toBeCloseTo((0.25 + 0.6) / 3, 15);
    expect(patternScore(A, [5, 6, 7], pattern('first-token'))).toBeCloseTo((1 + 0.25 + 0.1) / 3, 15);
  });

  it('duplicate-token and induction on [BOS, a, b, a, b]: the earlier copy, and the token after it', () => {
    const t = [9, 1, 2, 1, 2];
    const hits = (name: string) => {
      const out: Array<[number, number]> = [];
      for (let i = 0; i < t.length; i++) for (let j = 0; j <= i; j++) if (pattern(name)(t, i, j)) out.push([i, j]);
      return out;
    };
    expect(hits('duplicate-token')).toEqual([
      [3, 1],
      [4, 2],
    ]);
    // Query 3 ('a') looks at what followed the earlier 'a' (position 2); query 4 ('b') at position 3.
    expect(hits('induction')).toEqual([
      [3, 2],
      [4, 3],
    ]);
  });
});

/**
 * microGPT with a previous-token head planted by construction: positions are
 * angles (wpe[t] = (cos tα, sin tα, 0, …), token embeddings zero), head 1's
 * query rotates its position back by one step and its key keeps it, so
 * q_i · k_j peaks at j = i − 1. The other heads have zero queries: uniform.
 */
function plantedPreviousTokenModel(): Gpt {
  const model = Gpt.init(MICROGPT, 1);
  const C = MICROGPT.nEmbd;
  const alpha = 0.3;
  const gain = 6;
  model.param('wte').data.fill(0);
  const wpe = model.param('wpe').data;
  wpe.fill(0);
  for (let t = 0; t < MICROGPT.blockSize; t++) {
    wpe[t * C] = Math.cos(t * alpha);
    wpe[t * C + 1] = Math.sin(t * alpha);
  }
  const wq = model.param('layer0.attn_wq').data;
  const wk = model.param('layer0.attn_wk').data;
  wq.fill(0);
  wk.fill(0);
  const head1 = 4; // rows 4..7 are head 1's (head_dim 4)
  wq[head1 * C] = gain * Math.cos(alpha);
  wq[head1 * C + 1] = gain * Math.sin(alpha);
  wq[(head1 + 1) * C] = -gain * Math.sin(alpha);
  wq[(head1 + 1) * C + 1] = gain * Math.cos(alpha);
  wk[head1 * C] = gain;
  wk[(head1 + 1) * C + 1] = gain;
  return model;
}

describe('the detectors find heads planted by construction', () => {
  it('a model whose head 1 attends to the previous token scores head 1 highest on that pattern, and only there', () => {
    const model = plantedPreviousTokenModel();
    const r = buildHeadsReport(taped(model, tok, 'planted'), 42);
    const top = r.top.find((t) => t.detector === 'previous-token')!.heads[0]!;
    expect(top).toMatchObject({ layer: 0, head: 1 });
    // Every row but BOS's puts almost all its weight on the previous token: (T − 1)/T of the rows.
    const T = r.input.first.length;
    expect(top.score).toBeGreaterThan(((T - 1) / T) * 0.99);
    for (const s of r.scores.filter((x) => x.head !== 1)) expect(s.previous).toBeLessThan(0.3);
    expect(r.scores[1]!.induction).toBeLessThan(0.2);
  });

  it('the same seed gives the same input and scores; another seed another input', () => {
    const m = taped(Gpt.init(MICROGPT, 3), tok, 'x');
    expect(buildHeadsReport(m, 5)).toEqual(buildHeadsReport(m, 5));
    expect(buildHeadsReport(m, 6).input.first).not.toEqual(buildHeadsReport(m, 5).input.first);
  });
});
