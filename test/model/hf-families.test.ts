// GPT-NeoX, Phi-3 and Gemma on the float32 path, checked against cases computed
// by hand and a plain reference forward pass, and their hook points against the
// tiny families' (the same names for the same points).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContractSet } from '../../src/contracts/index.js';
import { openCompute } from '../../src/compute/index.js';
import { cachingHook } from '../../src/engine/index.js';
import { offsetRmsnorm } from '../../src/kernels/impl.js';
import { Gpt, tinyInstance, Tokenizer } from '../../src/model/index.js';
import { loadHfModel } from '../../src/model/hf/load.js';
import { Sites } from '../../src/model/hf/batch.js';
import { normalize, rope, ropeFrequencies } from '../../src/model/hf/kernels.js';
import { readHfSpec } from '../../src/model/hf/spec.js';
import { Graph, Rng, Tensor } from '../../src/tensor/index.js';
import * as T from '../../src/tensor/index.js';
import { taped } from '../helpers/engines.js';
import { ROOT } from '../helpers/cli.js';
import { hfConfig, hfTensors, tinyNative, writeHfModel } from '../helpers/hf-models.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-hf-families-'));
const set = await ContractSet.load();
const CONTRACTS = set.families.map((f) => f.contract);
const tok = Tokenizer.default();
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};
const neox = (extra: Record<string, unknown> = {}) => ({
  model_type: 'gpt_neox',
  hidden_size: 8,
  num_attention_heads: 1,
  num_hidden_layers: 1,
  intermediate_size: 8,
  vocab_size: 4,
  rotary_pct: 0.5,
  rotary_emb_base: 100,
  ...extra,
});

describe('partial RoPE, by hand: 1 head of 8 dims, the first 4 rotated', () => {
  it('inverse frequencies are θ^(−2i/r) over r = 4 dims: [1, 0.1] for θ = 100', () => {
    const spec = readHfSpec(neox(), 't', CONTRACTS);
    expect(spec.rotaryDims).toBe(4);
    expect(Array.from(ropeFrequencies(spec))).toEqual([1, 0.1]);
  });

  it('at position 3, dim 1 turns into dim 3 by 0.3 rad; dims 4..7 pass unchanged (float32 path and taped op)', () => {
    const x = new Float32Array(4 * 8);
    x[3 * 8 + 1] = 1;
    x.set([0.5, -2, 3, 7], 3 * 8 + 4);
    const taped = T.rope(new Graph(false), new Tensor([4, 8], Float64Array.from(x)), 1, 100, 4).data;
    rope(x, 4, 1, 8, 0, ropeFrequencies(readHfSpec(neox(), 't', CONTRACTS)));
    for (const y of [x, taped]) {
      expect(y[3 * 8 + 1]).toBeCloseTo(Math.cos(0.3), 6);
      expect(y[3 * 8 + 3]).toBeCloseTo(Math.sin(0.3), 6);
      expect([Math.abs(y[3 * 8]!), Math.abs(y[3 * 8 + 2]!)]).toEqual([0, 0]);
      expect(Array.from(y.slice(3 * 8 + 4, 4 * 8))).toEqual([0.5, -2, 3, 7]);
    }
  });

  it("transformers ≥ 4.5x's rope_parameters carry the base and the fraction; nonsense there is refused", () => {
    const { rotary_pct: _p, rotary_emb_base: _b, ...plain } = neox();
    const spec = readHfSpec(
      { ...plain, rope_parameters: { rope_type: 'default', rope_theta: 100, partial_rotary_factor: 0.5 } },
      't',
      CONTRACTS,
    );
    expect([spec.rotaryDims, spec.ropeTheta, spec.ropeScaling]).toEqual([4, 100, null]);
    expect(() =>
      readHfSpec({ ...plain, rope_parameters: { rope_type: 'default', partial_rotary_factor: 3 } }, 't', CONTRACTS),
    ).toThrow(/rope_parameters\.partial_rotary_factor = 3 must be a fraction/);
  });

  it('rotary_pct 0.25 of a 4-dim head is 1 dim: refused, since rotate_half needs pairs', () => {
    expect(() => readHfSpec(neox({ hidden_size: 4, rotary_pct: 0.25 }), 'c', CONTRACTS)).toThrow(
      /rotary_pct gives 1 rotated dims of each 4-dim head; RoPE needs an even number/,
    );
  });
});

describe('(1 + w) RMSNorm, by hand', () => {
  it('x = [1, 2, 3, 4], w = [0, 1, −1, 0.5]: [1, 4, 0, 6] / √(7.5 + ε)', () => {
    const eps = 1e-6,
      r = Math.sqrt(7.5 + eps);
    const want = [1 / r, 4 / r, 0, 6 / r];
    const w = new Float32Array([0, 1, -1, 0.5]);
    const f32 = normalize(
      openCompute({ threads: 1 }),
      Sites.NONE,
      'ln.',
      new Float32Array([1, 2, 3, 4]),
      4,
      'rmsnorm',
      eps,
      { weight: w, bias: null },
      true,
    );
    const f64 = offsetRmsnorm(new Graph(false), new Tensor([1, 4], Float64Array.from([1, 2, 3, 4])), eps, {
      weight: new Tensor([4], Float64Array.from(w)),
    }).data;
    want.forEach((v, i) => {
      expect(f32[i]).toBeCloseTo(v, 6);
      expect(f64[i]).toBeCloseTo(v, 14);
    });
  });
});

/** A tiny native model of a family with every parameter random, and its folder in Hugging Face layout. */
async function folder(family: 'gptneox' | 'phi3' | 'gemma' | 'phi', name: string, edit?: (m: Gpt) => Gpt) {
  let m = await tinyNative(family, 3);
  const rng = new Rng(31);
  for (const t of m.params.values()) for (let i = 0; i < t.size; i++) t.data[i] = rng.gauss(0, 0.3);
  if (edit) m = edit(m);
  return { native: m, engine: await loadHfModel(writeHfModel(join(dir, name), m, family)) };
}

describe('fused tensors are split as transformers splits them', () => {
  it("GPT-NeoX's query_key_value: head h's q, k, v rows sit together ([heads, 3, head_dim] rows)", async () => {
    const native = await tinyNative('gptneox', 3);
    const tensors = hfTensors(native, 'gptneox');
    const qkv = tensors.find((t) => t.name.endsWith('query_key_value.weight'))!;
    // Row r of the stored matrix holds r in every column: where each row lands is then plain to see.
    qkv.data = Float64Array.from({ length: 48 * 16 }, (_, i) => Math.floor(i / 16));
    const e = await loadHfModel(writeHfModel(join(dir, 'neox-rows'), native, 'gptneox', { tensors }));
    const rows = (m: { values(): Float32Array; cols: number }) =>
      Array.from({ length: m.values().length / m.cols }, (_, r) => m.values()[r * m.cols]);
    const L = e.model.weights.layers[0]!;
    // 4 heads of 4 dims: head h's q rows are stored rows 12h..12h+3, its k rows 12h+4.., its v rows 12h+8..
    expect(rows(L.q)).toEqual([0, 1, 2, 3, 12, 13, 14, 15, 24, 25, 26, 27, 36, 37, 38, 39]);
    expect(rows(L.k)).toEqual([4, 5, 6, 7, 16, 17, 18, 19, 28, 29, 30, 31, 40, 41, 42, 43]);
    expect(rows(L.v)).toEqual([8, 9, 10, 11, 20, 21, 22, 23, 32, 33, 34, 35, 44, 45, 46, 47]);
  });

  it("Phi-3's qkv_proj (GQA: 16 q rows, 8 k, 8 v) and gate_up_proj (gate rows, then up rows) are cut in blocks", async () => {
    const native = await tinyNative('phi3', 3);
    const C = 16,
      F = 64;
    const coded = (rows: number) => Float64Array.from({ length: rows * C }, (_, i) => Math.floor(i / C));
    const tensors = hfTensors(native, 'phi3').map((t) =>
      t.name.endsWith('qkv_proj.weight')
        ? { ...t, shape: [32, C], data: coded(32) }
        : t.name.endsWith('gate_up_proj.weight')
          ? { ...t, data: coded(2 * F) }
          : t,
    );
    const config = { ...hfConfig(native, 'phi3'), num_key_value_heads: 2 };
    const e = await loadHfModel(writeHfModel(join(dir, 'phi3-rows'), native, 'phi3', { tensors, config }));
    const L = e.model.weights.layers[0]!;
    const first = (m: { values(): Float32Array; cols: number; rows: number }) => [
      m.rows,
      m.values()[0],
      m.values()[(m.rows - 1) * m.cols],
    ];
    expect(first(L.q)).toEqual([16, 0, 15]);
    expect(first(L.k)).toEqual([8, 16, 23]);
    expect(first(L.v)).toEqual([8, 24, 31]);
    expect(first(L.gate!)).toEqual([64, 0, 63]);
    expect(first(L.up)).toEqual([64, 64, 127]);
  });
});

describe("Gemma's embedding scale", () => {
  it('hook_embed is the row times √hidden rounded to float32 (transformers casts the normaliser to the model dtype); the tied head reads it unscaled', async () => {
    const { engine } = await folder('gemma', 'gemma-scale');
    expect(engine.spec.embedScale).toBe(Math.fround(Math.sqrt(16)));
    const { hook, cache } = cachingHook((n) => n === 'hook_embed');
    const ids = tok.encodePrompt('ab');
    engine.run(ids, { hooks: [hook] });
    const W = engine.model.weights.embed;
    const row = W.values().subarray(ids[1]! * 16, ids[1]! * 16 + 16);
    expect(Array.from(cache.get('hook_embed')!.values.slice(16, 32))).toEqual(
      Array.from(row, (v) => Math.fround(v * 4)),
    );
    expect(engine.model.weights.lmHead).toBe(W);
    // sqrt(3072) = 55.4256…: its float32 value, not the bfloat16 55.5 of a bfloat16 run.
    const wide = readHfSpec(
      { ...hfConfig(await tinyNative('gemma'), 'gemma'), hidden_size: 3072, head_dim: 256 },
      'c',
      CONTRACTS,
    );
    expect(wide.embedScale).toBe(Math.fround(Math.sqrt(3072)));
  });
});

/**
 * Gemma's forward pass written out plainly in float64, one position at a time,
 * straight from transformers' modeling_gemma: the independent truth for a head
 * dimension other than hidden / heads.
 */
function gemmaReference(
  w: Map<string, { shape: number[]; data: Float64Array }>,
  c: { C: number; H: number; KV: number; D: number; F: number; V: number; eps: number; theta: number },
  ids: number[],
): number[][] {
  const get = (n: string) => w.get(n)!.data;
  const mv = (M: Float64Array, x: number[], rows: number) =>
    Array.from({ length: rows }, (_, r) => x.reduce((s, v, i) => s + M[r * x.length + i]! * v, 0));
  const rms = (x: number[], g: Float64Array) => {
    const r = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length + c.eps);
    return x.map((v, i) => (v / r) * (1 + g[i]!));
  };
  const rot = (v: number[], pos: number) => {
    const out = [...v],
      half = c.D / 2;
    for (let i = 0; i < half; i++) {
      const a = pos / c.theta ** ((2 * i) / c.D);
      out[i] = v[i]! * Math.cos(a) - v[i + half]! * Math.sin(a);
      out[i + half] = v[i + half]! * Math.cos(a) + v[i]! * Math.sin(a);
    }
    return out;
  };
  const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  const E = get('model.embed_tokens.weight');
  let xs = ids.map((id) => Array.from(E.subarray(id * c.C, (id + 1) * c.C), (v) => v * Math.sqrt(c.C)));
  const l = 'model.layers.0.';
  const h = xs.map((x) => rms(x, get(`${l}input_layernorm.weight`)));
  const q = h.map((x) => mv(get(`${l}self_attn.q_proj.weight`), x, c.H * c.D));
  const k = h.map((x) => mv(get(`${l}self_attn.k_proj.weight`), x, c.KV * c.D));
  const v = h.map((x) => mv(get(`${l}self_attn.v_proj.weight`), x, c.KV * c.D));
  const z = xs.map((_, t) =>
    Array.from({ length: c.H }, (_, hd) => {
      const g = Math.floor((hd * c.KV) / c.H);
      const qh = rot(q[t]!.slice(hd * c.D, (hd + 1) * c.D), t);
      const s = Array.from({ length: t + 1 }, (_, j) => {
        const kj = rot(k[j]!.slice(g * c.D, (g + 1) * c.D), j);
        return qh.reduce((a, x, i) => a + x * kj[i]!, 0) / Math.sqrt(c.D);
      });
      const m = Math.max(...s),
        e = s.map((x) => Math.exp(x - m)),
        sum = e.reduce((a, b) => a + b, 0);
      return Array.from({ length: c.D }, (_, i) => e.reduce((a, p, j) => a + (p / sum) * v[j]![g * c.D + i]!, 0));
    }).flat(),
  );
  xs = xs.map((x, t) => mv(get(`${l}self_attn.o_proj.weight`), z[t]!, c.C).map((a, i) => a + x[i]!));
  xs = xs.map((x) => {
    const n = rms(x, get(`${l}post_attention_layernorm.weight`));
    const gate = mv(get(`${l}mlp.gate_proj.weight`), n, c.F);
    const up = mv(get(`${l}mlp.up_proj.weight`), n, c.F);
    return mv(
      get(`${l}mlp.down_proj.weight`),
      gate.map((g, i) => gelu(g) * up[i]!),
      c.C,
    ).map((a, i) => a + x[i]!);
  });
  return xs.map((x) => mv(E, rms(x, get('model.norm.weight')), c.V));
}

describe('Gemma with head_dim ≠ hidden / heads, against the plain reference', () => {
  it('hidden 16, 2 query heads of 12 dims, 1 K/V head (MQA): logits agree to float32 precision', async () => {
    const c = { C: 16, H: 2, KV: 1, D: 12, F: 24, V: 27, eps: 1e-6, theta: 10000 };
    const rng = new Rng(77);
    const t = (name: string, shape: number[], norm = false) => ({
      name,
      shape,
      data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.gauss(0, norm ? 0.2 : 0.3)),
    });
    const l = 'model.layers.0.';
    const tensors = [
      t('model.embed_tokens.weight', [c.V, c.C]),
      t(`${l}input_layernorm.weight`, [c.C], true),
      t(`${l}self_attn.q_proj.weight`, [c.H * c.D, c.C]),
      t(`${l}self_attn.k_proj.weight`, [c.KV * c.D, c.C]),
      t(`${l}self_attn.v_proj.weight`, [c.KV * c.D, c.C]),
      t(`${l}self_attn.o_proj.weight`, [c.C, c.H * c.D]),
      t(`${l}post_attention_layernorm.weight`, [c.C], true),
      t(`${l}mlp.gate_proj.weight`, [c.F, c.C]),
      t(`${l}mlp.up_proj.weight`, [c.F, c.C]),
      t(`${l}mlp.down_proj.weight`, [c.C, c.F]),
      t('model.norm.weight', [c.C], true),
    ];
    const config = {
      model_type: 'gemma',
      architectures: ['GemmaForCausalLM'],
      hidden_size: c.C,
      num_attention_heads: c.H,
      num_key_value_heads: c.KV,
      head_dim: c.D,
      num_hidden_layers: 1,
      intermediate_size: c.F,
      vocab_size: c.V,
      max_position_embeddings: 16,
      rms_norm_eps: c.eps,
      hidden_act: 'gelu',
      hidden_activation: 'gelu_pytorch_tanh',
    };
    const native = await tinyNative('gemma');
    const e = await loadHfModel(writeHfModel(join(dir, 'gemma-hd12'), native, 'gemma', { config, tensors }));
    const ids = tok.encodePrompt('gemma');
    const want = gemmaReference(new Map(tensors.map((x) => [x.name, x])), c, ids).flat();
    const got = e.run(ids).logits;
    expect(maxDiff(got, want)).toBeLessThan(1e-4);
    // …and the reference can tell: an exact GELU (hidden_act "gelu" read instead) would differ.
    const exact = await loadHfModel(
      writeHfModel(join(dir, 'gemma-hd12-exact'), native, 'gemma', {
        config: { ...config, hidden_activation: 'gelu' },
        tensors,
      }),
    );
    expect(maxDiff(exact.run(ids).logits, want)).toBeGreaterThan(1e-6);
    expect(e.info.headDim).toBe(12);
  });
});

describe('the same hook points under the same names as the tiny families', () => {
  for (const family of ['gptneox', 'phi3', 'gemma', 'phi'] as const) {
    it(`${family}: a model folder and --family ${family} list the same hook names, and a run reaches every one`, async () => {
      const { engine } = await folder(family, `${family}-hooks`);
      const { config, architecture } = tinyInstance(set.get(family), tok.vocabSize);
      const tiny = taped(Gpt.init(config, 1, architecture));
      const names = engine.hookPoints().map((p) => p.name);
      expect(names).toEqual(tiny.hookPoints().map((p) => p.name));
      const parallel = family === 'gptneox' || family === 'phi';
      expect(names.includes('blocks.0.hook_resid_mid')).toBe(!parallel);
      // Phi-2's one norm feeds both attention and the MLP: no ln2.
      expect(names.includes('blocks.0.ln2.hook_normalized')).toBe(family !== 'phi');
      expect(names).toContain('blocks.0.attn.hook_rot_k');
      expect(names.includes('blocks.0.mlp.hook_pre_linear')).toBe(!parallel);
      // Every listed point is reached by a run, with the shape the vocabulary gives.
      const { hook, cache } = cachingHook(() => true);
      engine.run(tok.encodePrompt('anna'), { hooks: [hook] });
      expect([...cache.keys()]).toEqual(names);
    });
  }

  it('GPT-NeoX with use_parallel_residual false runs the sequential block, as the native model with that block does', async () => {
    const native = await tinyNative('gptneox', 5);
    const rng = new Rng(8);
    for (const t of native.params.values()) for (let i = 0; i < t.size; i++) t.data[i] = rng.gauss(0, 0.3);
    const sequential = new Gpt(native.config, native.params, { ...native.architecture, block_type: 'sequential' });
    const e = await loadHfModel(
      writeHfModel(join(dir, 'neox-seq'), native, 'gptneox', {
        config: { ...hfConfig(native, 'gptneox'), use_parallel_residual: false },
      }),
    );
    const ids = tok.encodePrompt('olivia');
    expect(maxDiff(e.run(ids).logits, sequential.forward(new Graph(false), ids).data)).toBeLessThan(1e-4);
    expect(maxDiff(e.run(ids).logits, native.forward(new Graph(false), ids).data)).toBeGreaterThan(1e-2);
    expect(e.hookPoints().map((p) => p.name)).toContain('blocks.0.hook_resid_mid');
  });
});

describe('what the new families refuse', () => {
  const phi3Config = tinyNative('phi3').then((m) => hfConfig(m, 'phi3'));
  it("Phi-3's LongRoPE (rope_scaling type longrope, or its old name su) is refused by name", async () => {
    const config = await phi3Config;
    for (const type of ['longrope', 'su'])
      expect(() =>
        readHfSpec({ ...config, rope_scaling: { type, short_factor: [1], long_factor: [1] } }, 'c', CONTRACTS),
      ).toThrow(new RegExp(`rope_scaling type "${type}" is not supported`));
  });

  it('a tensor the contract names but the float32 path has no place for is refused, not left out', async () => {
    // A user's contract (--contracts DIR) overriding gemma with one more per-layer tensor.
    const contracts = join(dir, 'contracts-sinks');
    mkdirSync(contracts, { recursive: true });
    const gemma = JSON.parse(readFileSync(join(ROOT, 'contracts', 'gemma.json'), 'utf8'));
    gemma.tensors.push({ role: 'attn_sinks', name: 'model.layers.{n}.self_attn.sinks', shape: ['heads'] });
    writeFileSync(join(contracts, 'gemma.json'), JSON.stringify(gemma));
    const native = await tinyNative('gemma');
    const tensors = [
      ...hfTensors(native, 'gemma'),
      { name: 'model.layers.0.self_attn.sinks', shape: [4], data: new Float64Array(4) },
    ];
    const path = writeHfModel(join(dir, 'gemma-sinks'), native, 'gemma', { tensors });
    await expect(loadHfModel(path, await ContractSet.load([contracts]))).rejects.toThrow(
      /gemma's attn_sinks tensors have no place in the float32 path/,
    );
    // Without the override the stray tensor is nobody's: the model runs without it.
    expect((await loadHfModel(path)).run(tok.encodePrompt('ab')).rows).toBe(3);
  });

  it('attention_bias true on a family whose contract has no attention biases is refused', async () => {
    const native = await tinyNative('phi3');
    await expect(
      loadHfModel(
        writeHfModel(join(dir, 'phi3-bias'), native, 'phi3', {
          config: { ...(await phi3Config), attention_bias: true },
        }),
      ),
    ).rejects.toThrow(/attention_bias is true, but phi3's contract has no attention biases/);
  });

  it('a GPT-NeoX query_key_value of the wrong size names the tensor, the shape and the config fields', async () => {
    const native = await tinyNative('gptneox');
    const tensors = hfTensors(native, 'gptneox').map((t) =>
      t.name.endsWith('query_key_value.weight') ? { ...t, shape: [32, 16], data: t.data.slice(0, 32 * 16) } : t,
    );
    await expect(loadHfModel(writeHfModel(join(dir, 'neox-bad'), native, 'gptneox', { tensors }))).rejects.toThrow(
      /"gpt_neox\.layers\.0\.attention\.query_key_value\.weight" is \[32, 16\], but config\.json gives \[48, 16\] \(3·hidden_size, hidden_size\)/,
    );
  });
});
