import fc from 'fast-check';
import { attention, corpusLoss, taped } from '../helpers/engines.js';
import { describe, expect, it } from 'vitest';
import { ContractSet } from '../../src/contracts/index.js';
import { MicrogptError } from '../../src/errors.js';
import { builtinNames, Gpt, initParameters, tinyInstance, Tokenizer, trainSteps } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Graph, Tensor } from '../../src/tensor/index.js';
import { gradCheck, randomParam } from '../helpers/gradcheck.js';

const set = await ContractSet.load();
const tok = Tokenizer.default();
const executable = set.families
  .map((f) => f.contract)
  .filter((c) => !['ssm', 'linear'].includes(c.constraints.attention_type));
const build = (family: string, seed = 1) => {
  const { config, architecture } = tinyInstance(set.get(family), tok.vocabSize);
  return Gpt.init(config, seed, architecture);
};

describe('erf (JavaScript has none)', () => {
  it('matches tabulated values to 1e-14', () => {
    const table: Array<[number, number]> = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
      [3.5, 0.9999992569016276],
      [5, 0.9999999999984626],
    ];
    for (const [x, v] of table) {
      expect(Math.abs(T.erf(x) - v)).toBeLessThan(1e-14);
      expect(Math.abs(T.erf(-x) + v)).toBeLessThan(1e-14);
    }
  });
});

describe('RoPE', () => {
  it('preserves the norm of every head vector at every position', () => {
    const x = randomParam([7, 8], 3);
    const y = T.rope(new Graph(false), x, 2, 10000);
    for (let t = 0; t < 7; t++) {
      for (let h = 0; h < 2; h++) {
        const n = (d: Float64Array) => Math.hypot(...Array.from(d.subarray(t * 8 + h * 4, t * 8 + h * 4 + 4)));
        expect(n(y.data)).toBeCloseTo(n(x.data), 12);
      }
    }
  });

  it('makes q·k depend only on the relative position', () => {
    const q = [0.3, -1.2, 0.7, 0.25],
      k = [-0.5, 0.9, 1.1, -0.4];
    // the same q at position i and the same k at position j, for several (i, j) with i − j = 2
    const score = (i: number, j: number) => {
      const rows = 12;
      const Q = new Float64Array(rows * 4),
        K = new Float64Array(rows * 4);
      Q.set(q, i * 4);
      K.set(k, j * 4);
      const g = new Graph(false);
      const rq = T.rope(g, new Tensor([rows, 4], Q), 1, 10000).data.subarray(i * 4, i * 4 + 4);
      const rk = T.rope(g, new Tensor([rows, 4], K), 1, 10000).data.subarray(j * 4, j * 4 + 4);
      return rq.reduce((s, v, d) => s + v * rk[d], 0);
    };
    const base = score(2, 0);
    for (const [i, j] of [
      [3, 1],
      [7, 5],
      [11, 9],
    ])
      expect(score(i, j)).toBeCloseTo(base, 12);
    expect(Math.abs(score(4, 0) - base)).toBeGreaterThan(1e-3);
  });
});

describe('GQA', () => {
  it('with kv heads = heads equals attention composed from primitive ops, head by head, bit for bit', () => {
    const q = randomParam([6, 8], 5),
      k = randomParam([6, 8], 6),
      v = randomParam([6, 8], 7);
    const g = new Graph(false);
    const fused = T.causalAttention(g, q, k, v, 4, 4).out;
    const d = 2;
    const heads = [0, 1, 2, 3].map((h) => {
      const scores = T.scale(
        g,
        T.matmulT(g, T.sliceCols(g, q, h * d, d), T.sliceCols(g, k, h * d, d)),
        1 / Math.sqrt(d),
      );
      const weights = T.softmaxRows(g, T.addCausalMask(g, scores));
      return T.matmul(g, weights, T.sliceCols(g, v, h * d, d));
    });
    const composed = T.concatCols(g, heads);
    expect(fused.shape).toEqual([6, 8]);
    expect(Array.from(fused.data)).toEqual(Array.from(composed.data));
    // …and the check can fail: a different head count gives different numbers.
    expect(Array.from(T.causalAttention(g, q, k, v, 2, 2).out.data)).not.toEqual(Array.from(composed.data));
  });

  it('every parameter of every tiny family reaches the loss (none is bound but unused)', () => {
    for (const c of executable) {
      const model = build(c.family, 3);
      const g = new Graph();
      const loss = model.loss(g, tok.encodeDoc('emma'));
      g.backward(loss);
      for (const [name, t] of model.params) {
        const reached = t.grad!.some((x) => x !== 0);
        expect(reached, `${c.family}: ${name} has no gradient`).toBe(true);
      }
    }
  });

  it('a model refuses a missing, misshapen or unexpected tensor, naming it', () => {
    const model = build('gpt2');
    const without = new Map(model.params);
    without.delete('layer0.attn_bq');
    expect(() => new Gpt(model.config, without, model.architecture)).toThrow(
      /"layer0\.attn_bq" \(attn_q_bias\) is missing/,
    );
    const extra = new Map(model.params).set('layer0.attn_bz', Tensor.param([16]));
    expect(() => new Gpt(model.config, extra, model.architecture)).toThrow(/"layer0\.attn_bz" has no place/);
    const wrong = new Map(model.params).set('wte', Tensor.param([3, 16]));
    expect(() => new Gpt(model.config, wrong, model.architecture)).toThrow(/"wte" is \[3, 16\]/);
  });

  it('equals MHA with each K/V head repeated for its group of query heads', () => {
    const q = randomParam([5, 8], 8),
      k = randomParam([5, 4], 9),
      v = randomParam([5, 4], 10);
    const repeat = (t: Tensor) => {
      const out = new Float64Array(5 * 8);
      for (let r = 0; r < 5; r++)
        for (let h = 0; h < 4; h++)
          for (let d = 0; d < 2; d++) out[r * 8 + h * 2 + d] = t.data[r * 4 + Math.floor(h / 2) * 2 + d];
      return new Tensor([5, 8], out);
    };
    const gqa = T.causalAttention(new Graph(false), q, k, v, 4, 2).out.data;
    const mha = T.causalAttention(new Graph(false), q, repeat(k), repeat(v), 4, 4).out.data;
    gqa.forEach((x, i) => expect(x).toBeCloseTo(mha[i], 14));
  });
});

describe.each(executable.map((c) => [c.family]))('tiny %s', (family) => {
  it('gradient of the loss w.r.t. every parameter matches finite differences', () => {
    const model = build(family, 2);
    const { maxError, worst } = gradCheck([...model.params.values()], (g) => model.loss(g, tok.encodeDoc('ab')));
    expect(maxError, JSON.stringify(worst)).toBeLessThan(1e-6);
  });

  it('attention invariants hold for random seeds and inputs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.stringMatching(/^[a-z]{1,15}$/), (seed, text) => {
        for (const head of attention(taped(build(family, seed)), tok.encodePrompt(text))[0]!) {
          expect(head[0][0]).toBe(1);
          head.forEach((row, i) => {
            row.forEach((w, j) => j > i && expect(w).toBe(0));
            expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-12);
          });
        }
      }),
      { numRuns: 25 },
    );
  });

  it('300 training steps lower the corpus loss', () => {
    const docs = builtinNames();
    const probe = docs.filter((_, i) => i % 17 === 0);
    const model = build(family, 42);
    const before = corpusLoss(model, tok, probe);
    for (const _ of trainSteps(model, tok, docs, { steps: 300, lr: 0.01, seed: 42 })) void _;
    expect(corpusLoss(model, tok, probe)).toBeLessThan(before - 0.3);
  });
});

describe('explain-only families', () => {
  it.each([['mamba'], ['rwkv']])('%s refuses to build a tiny model, naming why', (family) => {
    expect(() => build(family)).toThrow(MicrogptError);
    expect(() => build(family)).toThrow(/explain-only: its attention_type is (ssm|linear)/);
  });
});

describe('family checkpoints', async () => {
  const { checkpointBytes, checkpointFromBytes } = await import('../../src/model/index.js');
  it.each([['llama'], ['gpt2'], ['bloom'], ['qwen2'], ['gemma']])(
    '%s: save (F64) → load gives the same logits and records the family',
    (family) => {
      const model = build(family, 5);
      const loaded = checkpointFromBytes('x', checkpointBytes(model, tok, {}, 'F64'));
      expect(loaded.family).toBe(family);
      expect(loaded.model.architecture).toEqual(model.architecture);
      const ids = tok.encodePrompt('zoe');
      expect(Array.from(loaded.model.forward(new Graph(false), ids).data)).toEqual(
        Array.from(model.forward(new Graph(false), ids).data),
      );
    },
  );
});
