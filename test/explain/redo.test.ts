/**
 * Interventions that redo only what changed: runs that start at a block from
 * the stream entering it, and variants run together, give what whole runs
 * give, bit for bit — on the taped engine and on the float32 path. The whole
 * re-run is the reference.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAblationReport } from '../../src/explain/ablation.js';
import { meanLoss } from '../../src/explain/eval.js';
import { buildPatchReport } from '../../src/explain/patching.js';
import { blockHook, cachingHook, pointHook, type Engine, type Hook } from '../../src/engine/index.js';
import { Gpt, MICROGPT, Tokenizer } from '../../src/model/index.js';
import { loadHfModel } from '../../src/model/hf/load.js';
import { taped } from '../helpers/engines.js';
import { writeRandomHf } from '../helpers/hf-models.js';
import { llamaLikeTensors } from '../helpers/model-files.js';

const tok = Tokenizer.default();

async function engines(): Promise<Array<[string, Engine]>> {
  const deep = taped(Gpt.init({ ...MICROGPT, nLayer: 3 }, 8), tok, 'three layers');
  const dir = mkdtempSync(join(tmpdir(), 'microgpt-redo-'));
  const L = {
    hidden: 16,
    layers: 3,
    heads: 4,
    kvHeads: 2,
    headDim: 4,
    intermediate: 32,
    vocab: 40,
    tied: false,
    dtype: 'BF16',
  } as const;
  const config = {
    model_type: 'llama',
    hidden_size: 16,
    num_hidden_layers: 3,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    intermediate_size: 32,
    vocab_size: 40,
    max_position_embeddings: 64,
  };
  const real = await loadHfModel(writeRandomHf(join(dir, 'llama'), config, llamaLikeTensors(L), { seed: 4 }));
  return [
    ['taped microGPT, 3 layers', deep],
    ['float32 llama, 3 layers', real],
  ];
}

const zeroHead = (layer: number, head: number, d: number): Hook =>
  pointHook(blockHook(layer, 'attn.hook_z'), (out, shape) => {
    const width = out.length / shape[0]!;
    for (let t = 0; t < shape[0]!; t++) for (let e = 0; e < d; e++) out[t * width + head * d + e] = 0;
  });

describe.each(await engines())('%s', (_, engine) => {
  const ids = [1, 5, 9, 3, 7, 2, 11, 4];

  it('a run from block L, given the stream entering it, equals the whole run bit for bit', () => {
    const whole = engine.run(ids).logits;
    for (let l = 0; l < engine.info.layers; l++) {
      const { hook, cache } = cachingHook((n) => n === blockHook(l, 'hook_resid_pre'));
      engine.run(ids, { hooks: [hook] });
      const from = engine.run(ids, { from: { layer: l, resid: cache.get(blockHook(l, 'hook_resid_pre'))!.values } });
      expect(Array.from(from.logits)).toEqual(Array.from(whole));
    }
  });

  it('variants run together equal runs one by one', () => {
    const variants = [[], [zeroHead(1, 2, engine.info.headDim)], [zeroHead(2, 0, engine.info.headDim)]];
    const together = engine.runVariants(ids, variants);
    variants.forEach((hooks, v) =>
      expect(Array.from(together[v]!.logits)).toEqual(Array.from(engine.run(ids, { hooks }).logits)),
    );
  });

  it('ablation: every zero-ablation loss equals the whole re-run with that head zeroed', async () => {
    const docs = [ids, [2, 4, 6, 8, 10, 12], [3, 3, 3, 1]];
    const r = await buildAblationReport(engine, docs, { data: 'x' });
    expect(r.clean).toBe(meanLoss(engine, docs).loss);
    expect(r.interrupted).toBe(false);
    for (const row of r.rows.filter((x) => x.head !== null))
      expect(row.zero).toBe(meanLoss(engine, docs, [zeroHead(row.layer, row.head!, engine.info.headDim)]).loss);
  });

  it('patching: every share equals the whole patched re-run', async () => {
    const clean = { ids, labels: ids.map(String), text: 'clean' };
    const corruptIds = [1, 5, 9, 3, 8, 2, 11, 4];
    const corrupt = { ids: corruptIds, labels: corruptIds.map(String), text: 'corrupt' };
    const target = { id: 7, label: '7' };
    const r = await buildPatchReport(engine, clean, corrupt, target);
    const { hook, cache } = cachingHook(() => true);
    engine.run(clean.ids, { hooks: [hook] });
    const logitWith = (hooks: Hook[]) => engine.run(corruptIds, { hooks, logits: 'last' }).logits[target.id]!;
    const share = (v: number) => (v - r.corruptLogit) / (r.cleanLogit - r.corruptLogit);
    const d = engine.info.headDim,
      H = engine.info.heads;
    for (const row of r.heads)
      row.restored.forEach((got, p) => {
        const name = blockHook(row.layer, 'attn.hook_z');
        const src = cache.get(name)!.values;
        const at = (p * H + row.head) * d;
        const patched = pointHook(name, (out) => {
          for (let e = 0; e < d; e++) out[at + e] = src[at + e]!;
        });
        expect(got).toBe(share(logitWith([patched])));
      });
    const last = r.residual.at(-1)!;
    expect(last.restored.at(-1)).toBeCloseTo(1, 6);
  });

  it('stopped between units (Ctrl-C), a report holds what was finished and says so', async () => {
    let calls = 0;
    const r = await buildAblationReport(engine, [ids], { data: 'x', work: { shouldStop: () => ++calls > 2 } });
    expect(r.interrupted).toBe(true);
    expect(r.layersDone).toBeLessThan(engine.info.layers);
    expect(r.rows.length).toBe(r.layersDone * (engine.info.heads + 1));
  });
});
