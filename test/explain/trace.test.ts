import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { softmax } from '../../src/engine/index.js';
import { rankOf } from '../../src/explain/lens.js';
import { buildTraceReport } from '../../src/explain/trace.js';
import { loadHfModel } from '../../src/model/hf/load.js';
import { Gpt, MICROGPT, Tokenizer } from '../../src/model/index.js';
import { taped } from '../helpers/engines.js';
import { gpt2Layout, writeRandomHf } from '../helpers/hf-models.js';

/** The rank by sorting (an independent definition): 1 + the tokens strictly more likely than the target. */
const sortedRank = (p: ArrayLike<number>, target: number) =>
  [...Array.from(p)].sort((a, b) => b - a).findIndex((x) => x === p[target]) + 1;

describe('the rank of a target', () => {
  it('is 1 + the tokens more likely than it, ties sharing the better rank (any distribution)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 40 }), fc.nat(), (xs, t) => {
        const target = t % xs.length;
        expect(rankOf(xs, target)).toBe(sortedRank(xs, target));
      }),
      { seed: 22 },
    );
    expect(rankOf([0.1, 0.5, 0.4], 2)).toBe(2);
    expect(rankOf([0.5, 0.5, 0], 1)).toBe(1);
    expect(rankOf([0.5, 0.5, 0], 2)).toBe(3);
  });
});

describe('trace: predictions, ranks and the lens at every position', () => {
  const tok = Tokenizer.default();
  const engine = taped(Gpt.init(MICROGPT, 3), tok);

  it('a name: every position has a target (BOS after the last); ranks and P from the logits; the loss over all', () => {
    const ids = engine.tokenizer!.encode('emma');
    const r = buildTraceReport(engine, ids, 'emma', { lens: true });
    const { logits } = engine.run(ids);
    const V = engine.info.vocab;
    const targets = [...ids.slice(1), tok.bos];
    expect(r.predictions).toHaveLength(ids.length);
    r.predictions.forEach((p, pos) => {
      const probs = softmax(logits.subarray(pos * V, (pos + 1) * V), 1);
      expect(p.pTarget).toBe(probs[targets[pos]!]);
      expect(p.targetRank).toBe(sortedRank(probs, targets[pos]!));
      // The final stage of the lens is the model's own prediction.
      expect(r.lens!.at(-1)!.positions[pos]).toMatchObject({ pTarget: p.pTarget, targetRank: p.targetRank });
    });
    expect(r.loss).toBeCloseTo(-r.predictions.reduce((a, p) => a + Math.log(p.pTarget!), 0) / ids.length, 12);
  });

  it('--names keeps the matching hook points in order; a glob that matches none is MG005', () => {
    const ids = engine.tokenizer!.encode('ava');
    const all = buildTraceReport(engine, ids, 'ava').stages.map((s) => s.name);
    const some = buildTraceReport(engine, ids, 'ava', { names: ['blocks.*.attn.*', 'hook_logits'] });
    expect(some.stages.map((s) => s.name)).toEqual(
      all.filter((n) => n.startsWith('blocks.0.attn.') || n === 'hook_logits'),
    );
    expect(() => buildTraceReport(engine, ids, 'ava', { names: ['blocks.9.*'] })).toThrow(
      expect.objectContaining({ code: 'MG005', message: expect.stringMatching(/matches no hook point/) }),
    );
  });

  it('a text: the last position has no target but is read out (top tokens), by the lens too', async () => {
    const dir = writeRandomHf(
      join(mkdtempSync(join(tmpdir(), 'microgpt-trace-')), 'gpt2'),
      { model_type: 'gpt2', n_embd: 8, n_layer: 2, n_head: 2, n_positions: 16, vocab_size: 300 },
      gpt2Layout({ hidden: 8, layers: 2, vocab: 300, positions: 16 }),
    );
    const m = await loadHfModel(dir);
    const ids = [5, 17, 250, 3];
    const r = buildTraceReport(m, ids, '', { lens: true });
    expect(r.predictions).toHaveLength(4);
    expect(r.predictions[3]).toMatchObject({ target: null, pTarget: null, targetRank: null });
    const { logits } = m.run(ids);
    const last = softmax(logits.subarray(3 * 300, 4 * 300), 1);
    const best = Array.from(last).indexOf(Math.max(...last));
    expect(r.predictions[3]!.top[0]!.p).toBe(last[best]);
    for (const stage of r.lens!) {
      expect(stage.positions).toHaveLength(4);
      expect(stage.positions[3]).toMatchObject({ pTarget: null, targetRank: null });
      expect(stage.positions[3]!.top).toHaveLength(3);
    }
    expect(r.lens!.at(-1)!.positions[3]!.top).toEqual(r.predictions[3]!.top);
    expect(r.loss).toBeCloseTo(-r.predictions.slice(0, 3).reduce((a, p) => a + Math.log(p.pTarget!), 0) / 3, 10);
  });
});
