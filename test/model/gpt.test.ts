import fc from 'fast-check';
import { attention, taped } from '../helpers/engines.js';
import { describe, expect, it } from 'vitest';
import { Gpt, MICROGPT, Tokenizer, parameterShapes } from '../../src/model/index.js';
import { Graph } from '../../src/tensor/index.js';
import { gradCheck } from '../helpers/gradcheck.js';

describe('microGPT', () => {
  it('has 4,192 parameters, counted from the tensors', () => {
    const model = Gpt.init(MICROGPT, 42);
    expect(model.parameterCount).toBe(4192);
    // and the same from the shapes: 27·16 + 16·16 + 27·16 + 4·16·16 + 2·64·16
    expect(parameterShapes(MICROGPT).reduce((s, [, [a, b]]) => s + a * b, 0)).toBe(4192);
  });

  it('initialises weights from N(0, 0.08²): sample std within 5% of 0.08', () => {
    const model = Gpt.init(MICROGPT, 42);
    const all = [...model.params.values()].flatMap((p) => Array.from(p.data));
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(std - 0.08) / 0.08).toBeLessThan(0.05);
  });

  it('untrained loss is close to ln 27 ≈ 3.30', () => {
    const model = Gpt.init(MICROGPT, 42);
    const tok = Tokenizer.default();
    const names = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'charlotte', 'amelia'];
    const mean = names.reduce((s, n) => s + model.loss(new Graph(false), tok.encodeDoc(n)).data[0], 0) / names.length;
    expect(Math.abs(mean - Math.log(27))).toBeLessThan(0.15);
  });

  it('gradient of the loss w.r.t. every parameter tensor matches finite differences', () => {
    const model = Gpt.init(MICROGPT, 3);
    const tokens = Tokenizer.default().encodeDoc('mar');
    const params = [...model.params.values()];
    const { maxError, worst } = gradCheck(params, (g) => model.loss(g, tokens));
    expect(maxError, JSON.stringify(worst)).toBeLessThan(1e-6);
  });

  it('gradients of a name longer than the block size (cut to 16 positions) also match', () => {
    const model = Gpt.init(MICROGPT, 4);
    const tokens = Tokenizer.default().encodeDoc('abcdefghijklmnopqrst');
    const wq = model.param('layer0.attn_wq'),
      wpe = model.param('wpe');
    const { maxError } = gradCheck([wq, wpe], (g) => model.loss(g, tokens));
    expect(maxError).toBeLessThan(1e-6);
  });

  it('attention weights: row 0 = [1, 0, …], upper triangle exactly 0, rows sum to 1 (any seed, any input)', () => {
    const tok = Tokenizer.default();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.stringMatching(/^[a-z]{1,15}$/), (seed, text) => {
        const model = Gpt.init(MICROGPT, seed);
        for (const head of attention(taped(model, tok), tok.encodePrompt(text))[0]!) {
          expect(head[0][0]).toBe(1);
          head.forEach((row, i) => {
            row.forEach((w, j) => {
              if (j > i) expect(w).toBe(0);
            });
            expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-12);
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});
