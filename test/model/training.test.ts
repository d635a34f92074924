import { describe, expect, it } from 'vitest';
import { buildTraceReport } from '../../src/explain/trace.js';
import {
  builtinNames,
  checkpointBytes,
  checkpointFromBytes,
  Gpt,
  MICROGPT,
  Tokenizer,
  trainSteps,
} from '../../src/model/index.js';
import { Graph } from '../../src/tensor/index.js';
import { readSafetensors } from '../helpers/mini-safetensors.js';
import { corpusLoss, sampleNames, taped } from '../helpers/engines.js';

const docs = builtinNames();
const tok = Tokenizer.fromDocs(docs);

function trained(steps: number, seed = 42): Gpt {
  const model = Gpt.init({ ...MICROGPT, vocabSize: tok.vocabSize }, seed);
  for (const _ of trainSteps(model, tok, docs, { steps, lr: 0.01, seed })) void _;
  return model;
}

describe('corpus', () => {
  it('is the 8,403 lowercase a–z English first names, vocabulary a–z + BOS', () => {
    expect(docs).toHaveLength(8403);
    expect(new Set(docs).size).toBe(8403);
    expect(docs.every((d) => /^[a-z]+$/.test(d))).toBe(true);
    expect(tok.vocabSize).toBe(27);
    expect(tok.bos).toBe(26);
  });
});

describe('training', () => {
  it("200 steps lower the corpus loss below the untrained model's", () => {
    const before = corpusLoss(Gpt.init({ ...MICROGPT, vocabSize: tok.vocabSize }, 42), tok, docs);
    const after = corpusLoss(trained(200), tok, docs);
    expect(Math.abs(before - Math.log(27))).toBeLessThan(0.1);
    expect(after).toBeLessThan(before - 0.3);
  });

  it('the default recipe (1000 steps) reaches a mean per-name loss ≤ 2.40', () => {
    expect(corpusLoss(trained(1000), tok, docs)).toBeLessThanOrEqual(2.4);
  });

  it('is deterministic for a seed', () => {
    const a = trained(30, 5),
      b = trained(30, 5);
    expect(Array.from(a.param('wte').data)).toEqual(Array.from(b.param('wte').data));
  });

  it('the learning rate decays linearly to 0', () => {
    const model = Gpt.init({ ...MICROGPT, vocabSize: tok.vocabSize }, 1);
    const lrs = [...trainSteps(model, tok, docs, { steps: 4, lr: 0.01, seed: 1 })].map((s) => s.lr);
    expect(lrs).toEqual([0.01, 0.0075, 0.005, 0.0025]);
  });
});

describe('sampling', () => {
  it('is deterministic for a seed and stops at BOS', () => {
    const model = trained(100);
    const a = sampleNames(model, tok, 10, 0.5, 3);
    expect(sampleNames(model, tok, 10, 0.5, 3)).toEqual(a);
    for (const n of a) {
      expect(n.text).toMatch(/^[a-z]*$/);
      expect(n.text.length).toBeLessThanOrEqual(MICROGPT.blockSize);
      const last = n.steps[n.steps.length - 1];
      if (n.text.length < MICROGPT.blockSize) expect(last.chosen.label).toBe('BOS');
    }
  });

  it('temperature sharpens: P after temperature 0.5 is the normalised square of P', () => {
    const [name] = sampleNames(trained(50), tok, 1, 0.5, 1);
    const top = name.steps[0].top;
    const ratio = (i: number) => top[i].pT / top[0].pT;
    expect(ratio(1)).toBeCloseTo((top[1].p / top[0].p) ** 2, 10);
  });
});

describe('checkpoints', () => {
  const model = trained(50);
  const info = { family: 'microgpt', training: { steps: 50 } };

  it('save → load → save is byte-identical and gives the same logits', () => {
    const bytes = checkpointBytes(model, tok, info);
    const loaded = checkpointFromBytes('a', bytes);
    const again = checkpointBytes(loaded.model, loaded.tokenizer, { training: loaded.training ?? undefined });
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    const reloaded = checkpointFromBytes('b', again);
    const ids = tok.encodePrompt('emma');
    const l1 = loaded.model.forward(new Graph(false), ids).data;
    const l2 = reloaded.model.forward(new Graph(false), ids).data;
    expect(Array.from(l2)).toEqual(Array.from(l1));
    // F32 storage: the logits of the original f64 model agree to single precision
    const l0 = model.forward(new Graph(false), ids).data;
    l0.forEach((v, i) => expect(Math.abs(v - l1[i])).toBeLessThan(1e-5));
  });

  it('F64 checkpoints keep every bit of the weights', () => {
    const loaded = checkpointFromBytes('f64', checkpointBytes(model, tok, info, 'F64'));
    expect(Array.from(loaded.model.param('layer0.mlp_fc1').data)).toEqual(
      Array.from(model.param('layer0.mlp_fc1').data),
    );
  });

  it("an independent reader sees docs/architecture.md's names, shapes, [out, in] layout and metadata", () => {
    const st = readSafetensors(checkpointBytes(model, tok, info));
    expect(st.metadata.format).toBe('microgpt');
    expect(st.metadata.family).toBe('microgpt');
    expect(st.metadata.vocab).toBe('abcdefghijklmnopqrstuvwxyz');
    // docs/architecture.md: the usual Hugging Face / nanoGPT keys, so Python tools can read them.
    expect(JSON.parse(st.metadata.config)).toMatchObject({
      n_embd: 16,
      n_head: 4,
      n_layer: 1,
      block_size: 16,
      vocab_size: 27,
    });
    const shapes = Object.fromEntries(Object.entries(st.tensors).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      wte: [27, 16],
      wpe: [16, 16],
      lm_head: [27, 16],
      'layer0.attn_wq': [16, 16],
      'layer0.attn_wk': [16, 16],
      'layer0.attn_wv': [16, 16],
      'layer0.attn_wo': [16, 16],
      'layer0.mlp_fc1': [64, 16],
      'layer0.mlp_fc2': [16, 64],
    });
    // [out, in]: row r of mlp_fc1 holds the weights of hidden unit r
    const fc1 = model.param('layer0.mlp_fc1');
    expect(st.tensors['layer0.mlp_fc1'].values[1 * 16 + 3]).toBe(Math.fround(fc1.at(1, 3)));
    expect(Object.values(st.tensors).every((t) => t.dtype === 'F32')).toBe(true);
  });
});

describe('trace', () => {
  it('agrees with the forward pass: the same logits and the same loss as training computes', () => {
    const model = trained(100);
    const report = buildTraceReport(taped(model, tok), tok.encodePrompt('emma'), 'emma');
    const loss = model.loss(new Graph(false), tok.encodeDoc('emma')).data[0]!;
    expect(report.loss).toBeCloseTo(loss, 12);
    const logits = model.forward(new Graph(false), tok.encodePrompt('emma'));
    const l2 = Math.sqrt(Array.from(logits.data).reduce((a, v) => a + v * v, 0));
    const last = report.stages[report.stages.length - 1]!;
    expect(last.name).toBe('hook_logits');
    expect(last.stats.l2).toBeCloseTo(l2, 12);
    const relu = report.stages.find((s) => s.name === 'blocks.0.mlp.hook_post')!;
    expect(relu.sparsity).toBeGreaterThan(0);
    expect(relu.stats.min).toBe(0);
  });
});

describe('a diverging run', () => {
  it('stops with MG070 before the update, so the weights stay at the last good step', async () => {
    const { MicrogptError } = await import('../../src/errors.js');
    const model = Gpt.init({ ...MICROGPT, vocabSize: tok.vocabSize }, 42);
    const steps = trainSteps(model, tok, docs, { steps: 10, lr: 0.01, seed: 42 });
    steps.next();
    steps.next();
    const good = Array.from(model.param('wte').data);
    model.param('lm_head').data[0] = NaN; // poison: the next loss is NaN
    let err: unknown;
    try {
      steps.next();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MicrogptError);
    expect((err as InstanceType<typeof MicrogptError>).code).toBe('MG070');
    expect(Array.from(model.param('wte').data)).toEqual(good);
  });
});
