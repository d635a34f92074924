import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng, Graph } from '../../src/tensor/index.js';
import { Tokenizer } from '../../src/model/index.js';
import { loadHfModel } from '../../src/model/hf/load.js';
import { rope, ropeFrequencies } from '../../src/model/hf/forward.js';
import { generate } from '../../src/engine/index.js';
import { attention } from '../helpers/engines.js';
import { readHfSpec } from '../../src/model/hf/spec.js';
import { ContractSet } from '../../src/contracts/index.js';
import { checkMemory } from '../../src/model/hf/weights.js';
import { hfConfig, hfTensors, tinyNative, writeHfModel, type HfTestFamily } from '../helpers/hf-models.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-hf-'));
const CONTRACTS = (await ContractSet.load()).families.map((f) => f.contract);
/** config.json read as the float32 path reads it, through the shipped contracts. */
const readSpec = (c: Record<string, unknown>, where: string) => readHfSpec(c, where, CONTRACTS);
const tok = Tokenizer.default();

/** Every parameter random (biases and norm weights included, which init as 0 and 1 and would hide a mix-up). */
async function randomNative(family: HfTestFamily, seed: number) {
  const m = await tinyNative(family, seed);
  const rng = new Rng(seed + 100);
  for (const t of m.params.values()) for (let i = 0; i < t.size; i++) t.data[i] = rng.gauss(0, 0.3);
  return m;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};

describe('the float32 inference path agrees with the native engine', () => {
  for (const family of ['gpt2', 'llama', 'mistral', 'qwen2', 'gptneox', 'phi3', 'gemma', 'phi'] as HfTestFamily[]) {
    it(`${family}: a tiny model written in Hugging Face layout gives the native logits (float32 precision)`, async () => {
      const native = await randomNative(family, 11);
      const hf = await loadHfModel(writeHfModel(join(dir, family), native, family));
      const ids = tok.encodePrompt('marianne');
      const want = native.forward(new Graph(false), ids).data;
      const got = hf.run(ids).logits;
      expect(got.length).toBe(want.length);
      expect(maxDiff(got, want)).toBeLessThan(1e-4);
      // …and the check can fail: another seed's native model does not match.
      expect(maxDiff((await randomNative(family, 12)).forward(new Graph(false), ids).data, got)).toBeGreaterThan(1e-2);
      // The text path: the tokenizer.json's post-processor prepends BOS, as microGPT does.
      expect(hf.tokenizer!.encode('mar')).toEqual(tok.encodePrompt('mar'));
    });
  }

  it('tied and untied heads: qwen2 and gpt2 reuse the embedding, llama has its own lm_head', async () => {
    const q = await loadHfModel(join(dir, 'qwen2'));
    expect(q.model.weights.lmHead).toBe(q.model.weights.embed);
    const l = await loadHfModel(join(dir, 'llama'));
    expect(l.model.weights.lmHead).not.toBe(l.model.weights.embed);
  });

  it('the KV cache: generating token by token gives the logits a full forward pass gives', async () => {
    const hf = await loadHfModel(join(dir, 'llama'));
    const prompt = tok.encodePrompt('ma');
    const out = generate(hf, prompt, { maxTokens: 6, temperature: 0, rng: new Rng(1) });
    const all = [...prompt, ...out.tokens.map((t) => t.id)];
    const full = hf.run(all.slice(0, -1)).logits;
    const V = hf.spec.vocab;
    // Greedy: each generated token is the argmax of the full pass's logits at the position before it.
    out.tokens.forEach((t, k) => {
      const row = full.subarray((prompt.length - 1 + k) * V, (prompt.length + k) * V);
      expect(row.indexOf(Math.max(...row))).toBe(t.id);
    });
  });
});

describe('RoPE as transformers does it', () => {
  it('rotate_half pairs dimension i with i + d/2 (not 2i with 2i + 1), by angle position · θ^(−2i/d)', () => {
    const d = 8;
    const spec = readSpec(
      {
        model_type: 'llama',
        hidden_size: 8,
        num_attention_heads: 1,
        num_hidden_layers: 1,
        intermediate_size: 8,
        vocab_size: 4,
        rope_theta: 100,
      },
      'test',
    );
    const inv = ropeFrequencies(spec);
    expect(Array.from(inv)).toEqual([0, 1, 2, 3].map((i) => 1 / 100 ** ((2 * i) / d)));
    // One head, position 3: e_1 goes to cos·e_1 + sin·e_5.
    const x = new Float32Array(4 * d);
    x[3 * d + 1] = 1;
    rope(x, 4, 1, d, 0, inv);
    const angle = 3 * inv[1]!;
    expect(x[3 * d + 1]).toBeCloseTo(Math.cos(angle), 6);
    expect(x[3 * d + 5]).toBeCloseTo(Math.sin(angle), 6);
    expect(x[3 * d + 2]).toBe(0);
  });

  it('Llama 3 scaling: high frequencies kept, low ones divided by the factor, the middle interpolated', () => {
    const base = {
      model_type: 'llama',
      hidden_size: 128,
      num_attention_heads: 1,
      num_hidden_layers: 1,
      intermediate_size: 8,
      vocab_size: 4,
      rope_theta: 500000,
      max_position_embeddings: 131072,
    };
    const plain = ropeFrequencies(readSpec(base, 't'));
    const scaled = ropeFrequencies(
      readSpec(
        {
          ...base,
          rope_scaling: {
            rope_type: 'llama3',
            factor: 8,
            low_freq_factor: 1,
            high_freq_factor: 4,
            original_max_position_embeddings: 8192,
          },
        },
        't',
      ),
    );
    let kept = 0,
      divided = 0,
      between = 0;
    plain.forEach((f, i) => {
      const wavelen = (2 * Math.PI) / f;
      if (wavelen < 8192 / 4) {
        expect(scaled[i]).toBe(f);
        kept++;
      } else if (wavelen > 8192 / 1) {
        expect(scaled[i]).toBeCloseTo(f / 8, 15);
        divided++;
      } else {
        expect(scaled[i]!).toBeLessThan(f);
        expect(scaled[i]!).toBeGreaterThan(f / 8);
        between++;
      }
    });
    expect(kept * divided * between).toBeGreaterThan(0);
  });
});

describe('what config.json can say', () => {
  const llama = {
    model_type: 'llama',
    hidden_size: 16,
    num_attention_heads: 4,
    num_hidden_layers: 1,
    intermediate_size: 8,
    vocab_size: 4,
  };
  it('refuses what it cannot run, naming the feature', () => {
    expect(() => readSpec({ ...llama, model_type: 'mixtral' }, 'c')).toThrow(/mixture-of-experts routing/);
    expect(() => readSpec({ ...llama, rope_scaling: { type: 'yarn', factor: 4 } }, 'c')).toThrow(
      /rope_scaling type "yarn" is not supported/,
    );
    expect(() => readSpec({ ...llama, num_key_value_heads: 3 }, 'c')).toThrow(
      /not a multiple of num_key_value_heads 3/,
    );
    expect(() => readSpec({ ...llama, hidden_size: -1 }, 'c')).toThrow(/hidden_size = -1/);
    expect(() => readSpec({ ...llama, hidden_act: 'gelu' }, 'c')).toThrow(/hidden_act "gelu"/);
  });

  it('a model too big for the machine is refused before loading, with the figure', () => {
    expect(() => checkMemory(8e9, 'm', 24 * 2 ** 30)).toThrow(
      /8,000,000,000 parameters need 29\.8 GiB as float32; this machine has 24\.0 GiB/,
    );
    expect(() => checkMemory(1e9, 'm', 24 * 2 ** 30)).not.toThrow();
  });
});

describe('QK-norm (Qwen3) and grouped K/V heads', () => {
  it('with QK-norm, scaling W_q and W_k changes nothing; head_dim may differ from hidden/heads', async () => {
    const C = 16,
      D = 8,
      H = 4,
      KV = 2,
      F = 32,
      V = 27;
    const rng = new Rng(5);
    const rand = (n: number, scale = 0.3) => Float64Array.from({ length: n }, () => rng.gauss(0, scale));
    const tensors = [
      { name: 'model.embed_tokens.weight', shape: [V, C], data: rand(V * C) },
      { name: 'model.layers.0.input_layernorm.weight', shape: [C], data: rand(C) },
      { name: 'model.layers.0.self_attn.q_proj.weight', shape: [H * D, C], data: rand(H * D * C) },
      { name: 'model.layers.0.self_attn.k_proj.weight', shape: [KV * D, C], data: rand(KV * D * C) },
      { name: 'model.layers.0.self_attn.v_proj.weight', shape: [KV * D, C], data: rand(KV * D * C) },
      { name: 'model.layers.0.self_attn.o_proj.weight', shape: [C, H * D], data: rand(C * H * D) },
      { name: 'model.layers.0.self_attn.q_norm.weight', shape: [D], data: rand(D) },
      { name: 'model.layers.0.self_attn.k_norm.weight', shape: [D], data: rand(D) },
      { name: 'model.layers.0.post_attention_layernorm.weight', shape: [C], data: rand(C) },
      { name: 'model.layers.0.mlp.gate_proj.weight', shape: [F, C], data: rand(F * C) },
      { name: 'model.layers.0.mlp.up_proj.weight', shape: [F, C], data: rand(F * C) },
      { name: 'model.layers.0.mlp.down_proj.weight', shape: [C, F], data: rand(C * F) },
      { name: 'model.norm.weight', shape: [C], data: rand(C) },
    ];
    const config = {
      model_type: 'qwen3',
      hidden_size: C,
      head_dim: D,
      num_attention_heads: H,
      num_key_value_heads: KV,
      num_hidden_layers: 1,
      intermediate_size: F,
      vocab_size: V,
      max_position_embeddings: 16,
      tie_word_embeddings: true,
      rms_norm_eps: 1e-6,
    };
    const native = await tinyNative('llama', 1); // only for the writer's signature; tensors and config are ours
    const a = await loadHfModel(writeHfModel(join(dir, 'qwen3-a'), native, 'qwen3', { config, tensors }));
    const scaledTensors = tensors.map((t) =>
      /[qk]_proj/.test(t.name) ? { ...t, data: t.data.map((x) => x * 10) } : t,
    );
    const b = await loadHfModel(
      writeHfModel(join(dir, 'qwen3-b'), native, 'qwen3', { config, tensors: scaledTensors }),
    );
    const ids = tok.encodePrompt('emma');
    const la = a.run(ids);
    const lb = b.run(ids);
    expect(maxDiff(la.logits, lb.logits)).toBeLessThan(1e-4);
    // Without the norm weights' effect the scaled model would differ: the same scaling on a Qwen2-style config does.
    const noNorm = { ...config, model_type: 'qwen2' };
    const plainTensors = tensors.filter((t) => !t.name.includes('_norm.weight') || t.name.includes('layernorm'));
    const biases = [
      { name: 'model.layers.0.self_attn.q_proj.bias', shape: [H * D], data: new Float64Array(H * D) },
      { name: 'model.layers.0.self_attn.k_proj.bias', shape: [KV * D], data: new Float64Array(KV * D) },
      { name: 'model.layers.0.self_attn.v_proj.bias', shape: [KV * D], data: new Float64Array(KV * D) },
    ];
    const c = await loadHfModel(
      writeHfModel(join(dir, 'qwen2-c'), native, 'qwen2', { config: noNorm, tensors: [...plainTensors, ...biases] }),
    );
    const d = await loadHfModel(
      writeHfModel(join(dir, 'qwen2-d'), native, 'qwen2', {
        config: noNorm,
        tensors: [
          ...plainTensors.map((t) => (/[qk]_proj/.test(t.name) ? { ...t, data: t.data.map((x) => x * 10) } : t)),
          ...biases,
        ],
      }),
    );
    expect(maxDiff(c.run(ids).logits, d.run(ids).logits)).toBeGreaterThan(1e-3);
    // GQA: query heads 0 and 1 share K/V head 0, heads 2 and 3 K/V head 1 — rows sum to 1, causal.
    for (const head of attention(a, ids)[0]!)
      head.forEach((row, i) => {
        expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 6);
        expect(row.slice(i + 1).every((w) => w === 0)).toBe(true);
      });
  });
});

describe('the float32 matrix product', () => {
  it('equals the plain triple loop for any shape, edges included (fast-check)', async () => {
    const fc = (await import('fast-check')).default;
    const { linear } = await import('../../src/model/hf/forward.js');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 11 }),
        fc.boolean(),
        (T, inDim, outDim, withBias) => {
          const rng = new Rng(T * 1000 + inDim * 10 + outDim);
          const x = Float32Array.from({ length: T * inDim }, () => rng.gauss(0, 1));
          const W = Float32Array.from({ length: outDim * inDim }, () => rng.gauss(0, 1));
          const b = withBias ? Float32Array.from({ length: outDim }, () => rng.gauss(0, 1)) : null;
          const y = linear(x, T, inDim, W, outDim, b);
          for (let t = 0; t < T; t++)
            for (let o = 0; o < outDim; o++) {
              let s = b ? b[o]! : 0;
              for (let i = 0; i < inDim; i++) s += x[t * inDim + i]! * W[o * inDim + i]!;
              expect(y[t * outDim + o]).toBeCloseTo(s, 4);
            }
        },
      ),
    );
  });
});
