import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAblationReport, parseComponents } from '../../src/explain/ablation.js';
import { docLoss, lastLogits, taped } from '../helpers/engines.js';
import { Gpt, MICROGPT, Tokenizer } from '../../src/model/index.js';
import { loadHfModel } from '../../src/model/hf/load.js';
import { writeRandomHf } from '../helpers/hf-models.js';
import { llamaLikeTensors } from '../helpers/model-files.js';

const tok = Tokenizer.default();
const docs = ['emma', 'olivia', 'ava', 'mar'].map((n) => tok.encodeDoc(n));

describe('ablation through the forward pass', () => {
  const model = Gpt.init(MICROGPT, 4);
  const m = taped(model);

  it('hooks that change nothing give the bit-identical loss', async () => {
    const reading = { wants: () => true, visit: () => undefined };
    for (const doc of docs) {
      const clean = docLoss(m, doc);
      expect(docLoss(m, doc, [])).toBe(clean);
      expect(docLoss(m, doc, [reading])).toBe(clean);
    }
  });

  it('mean ablation with the mean over one example is that example, unchanged', async () => {
    const r = await buildAblationReport(m, [docs[0]!], { data: 'one name' });
    expect(r.rows).toHaveLength(4 + 1);
    for (const row of r.rows) expect(row.mean).toBe(r.clean);
    // …while zero ablation does change it.
    expect(r.rows.some((row) => row.zeroDelta !== 0)).toBe(true);
  });

  it('a head cut off from the output by construction (its W_o columns zero) changes nothing; the connected one ranks above them', async () => {
    const planted = Gpt.init(MICROGPT, 5);
    const wo = planted.param('layer0.attn_wo').data;
    const C = MICROGPT.nEmbd;
    // W_o is [out, in]: head h's inputs are columns 4h..4h+3. Only head 1 stays connected.
    for (let o = 0; o < C; o++) for (let i = 0; i < C; i++) if (Math.floor(i / 4) !== 1) wo[o * C + i] = 0;
    const r = await buildAblationReport(taped(planted, tok, 'planted'), docs, { data: 'four names' });
    const heads = r.rows.filter((row) => row.head !== null);
    for (const row of heads.filter((x) => x.head !== 1)) {
      expect(row.zeroDelta).toBe(0);
      expect(row.meanDelta).toBe(0);
    }
    expect(Math.abs(heads.find((x) => x.head === 1)!.zeroDelta)).toBeGreaterThan(1e-3);
    expect(heads.findIndex((x) => x.head === 1)).toBe(heads.findIndex((x) => x.zeroDelta !== 0));
  });

  it('a set ablated together; components checked against the model', async () => {
    const r = await buildAblationReport(m, docs, { data: 'x', together: parseComponents('0.1,0.mlp', m.info) });
    expect(r.together!.components).toEqual([
      { layer: 0, head: 1 },
      { layer: 0, head: null },
    ]);
    expect(() => parseComponents('1.0', m.info)).toThrow(/layer 1 does not exist; the model has layers 0\.\.0/);
    expect(() => parseComponents('0.4', m.info)).toThrow(/head 4 does not exist/);
    expect(() => parseComponents('0-1', m.info)).toThrow(/not a head: write LAYER\.HEAD/);
  });

  it('on a real-layout checkpoint: nothing changes nothing, and the one-example mean is the example', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'microgpt-ablate-'));
    const L = {
      hidden: 32,
      layers: 2,
      heads: 4,
      kvHeads: 2,
      headDim: 8,
      intermediate: 64,
      vocab: 40,
      tied: false,
      dtype: 'BF16',
    };
    const config = {
      model_type: 'llama',
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 64,
      vocab_size: 40,
      max_position_embeddings: 64,
    };
    const real = await loadHfModel(writeRandomHf(join(dir, 'llama'), config, llamaLikeTensors(L)));
    const doc = [27, 19, 7, 4, 26, 2, 0, 19];
    expect(docLoss(real, doc, [{ wants: () => true, visit: () => undefined }])).toBe(docLoss(real, doc));
    const r = await buildAblationReport(real, [doc], { data: 'one text' });
    expect(r.rows).toHaveLength(2 * (4 + 1));
    for (const row of r.rows) expect(row.mean).toBe(r.clean);
  });
});

describe('activation patching', () => {
  const model = Gpt.init(MICROGPT, 6);
  const m = taped(model);
  const enc = (text: string) => {
    const ids = tok.encodePrompt(text);
    return { ids, labels: ids.map((id) => tok.label(id)), text };
  };

  it('patching the final residual stream at the last position restores the clean logit fully; an unchanged position restores nothing', async () => {
    const { buildPatchReport } = await import('../../src/explain/patching.js');
    const r = await buildPatchReport(m, enc('emma'), enc('anna'), { id: 0, label: 'a' });
    const output = r.residual.at(-1)!;
    expect(output.restored.at(-1)).toBeCloseTo(1, 12);
    // Position 0 (BOS) and the last position ('a') are the same token in both inputs: copying them changes nothing.
    for (const row of [...r.heads, ...r.residual]) expect(row.restored[0]).toBe(0);
    expect(r.residual[0]!.restored.at(-1)).toBe(0);
    // The clean logit really is the clean run's.
    expect(r.cleanLogit).toBe(lastLogits(m, enc('emma').ids)[0]);
  });

  it('inputs of different lengths, or that the model cannot tell apart, are refused with the reason', async () => {
    const { buildPatchReport } = await import('../../src/explain/patching.js');
    await expect(buildPatchReport(m, enc('emma'), enc('ann'), { id: 0, label: 'a' })).rejects.toThrow(/5 and 4 tokens/);
    await expect(buildPatchReport(m, enc('emma'), enc('emma'), { id: 0, label: 'a' })).rejects.toThrow(
      /nothing to restore/,
    );
  });
});

/**
 * A microGPT built by hand to copy the previous token: tokens a–d are one-hot in
 * residual dims 0–3, positions are angles in dims 8–9; head 1's query is its
 * position rotated back one step and its key the position, so it attends to the
 * previous token; its value is that token's one-hot, which W_o writes into dims
 * 10–13, and the head reads those out as the logits of a–d. Every other head and
 * the MLP are switched off. On "abab…" text the next token is the previous one.
 */
function copyModel(): Gpt {
  const model = Gpt.init(MICROGPT, 1);
  const C = MICROGPT.nEmbd;
  for (const t of model.params.values()) t.data.fill(0);
  const set = (name: string, row: number, col: number, v: number) => (model.param(name).data[row * C + col] = v);
  for (let tokenId = 0; tokenId < 4; tokenId++) set('wte', tokenId, tokenId, 1);
  const alpha = 0.3,
    gain = 6;
  for (let t = 0; t < MICROGPT.blockSize; t++) {
    set('wpe', t, 8, Math.cos(t * alpha));
    set('wpe', t, 9, Math.sin(t * alpha));
  }
  // Head 1 owns rows 4..7 of W_q, W_k, W_v (head_dim 4).
  set('layer0.attn_wq', 4, 8, gain * Math.cos(alpha));
  set('layer0.attn_wq', 4, 9, gain * Math.sin(alpha));
  set('layer0.attn_wq', 5, 8, -gain * Math.sin(alpha));
  set('layer0.attn_wq', 5, 9, gain * Math.cos(alpha));
  set('layer0.attn_wk', 4, 8, gain);
  set('layer0.attn_wk', 5, 9, gain);
  for (let j = 0; j < 4; j++) {
    set('layer0.attn_wv', 4 + j, j, 1);
    set('layer0.attn_wo', 10 + j, 4 + j, 1);
    const lm = model.param('lm_head').data;
    lm[j * C + 10 + j] = 20;
  }
  return model;
}

describe('a previous-token copying head planted by construction', () => {
  const model = copyModel();
  const m = taped(model, tok, 'planted copy');
  const docs = ['abababab', 'cdcdcd', 'adadada', 'bcbcbcbc'].map((n) => tok.encodePrompt(n));
  const enc = (text: string) => {
    const ids = tok.encodePrompt(text);
    return { ids, labels: ids.map((id) => tok.label(id)), text };
  };

  it('it copies: on "abab…" text the next token gets nearly all the probability', async () => {
    const logits = lastLogits(m, tok.encodePrompt('abab'));
    expect(logits[0]).toBeGreaterThan(10 + Math.max(logits[1]!, logits[2]!, logits[3]!));
  });

  it('ablation ranks head 1 first on the copy task; the other heads and the MLP change nothing', async () => {
    // The copy task: targets are the tokens themselves, shifted (no final BOS).
    const r = await buildAblationReport(m, docs, { data: 'copy task' });
    expect(r.rows[0]).toMatchObject({ layer: 0, head: 1 });
    expect(r.rows[0]!.zeroDelta).toBeGreaterThan(1);
    for (const row of r.rows.slice(1)) expect(row.zeroDelta).toBe(0);
  });

  it("patching head 1's output at the last position restores the clean logit fully", async () => {
    const { buildPatchReport } = await import('../../src/explain/patching.js');
    const r = await buildPatchReport(m, enc('abab'), enc('cbcb'), { id: 0, label: 'a' });
    const head1 = r.heads.find((h) => h.head === 1)!;
    expect(head1.restored.at(-1)).toBeCloseTo(1, 12);
    for (const h of r.heads.filter((x) => x.head !== 1)) expect(h.restored.every((x) => x === 0)).toBe(true);
  });
});
