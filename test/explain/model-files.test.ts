import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContractSet } from '../../src/contracts/index.js';
import { buildFileReport } from '../../src/explain/files/report.js';
import { openModelFiles } from '../../src/formats/index.js';
import {
  CONFIGS,
  gpt2Tensors,
  llama2Q4KMGguf,
  LLAMA2_7B,
  LLAMA32_1B,
  llamaLikeTensors,
  QWEN25_05B,
  QWEN3_06B,
  writeModelDir,
  writeSparseGguf,
  writeSparseSafetensors,
  type GgufTensorSpec,
  type StSpec,
} from '../helpers/model-files.js';

const contracts = (await ContractSet.load()).families.map((f) => f.contract);
const dir = mkdtempSync(join(tmpdir(), 'microgpt-files-'));
const report = (path: string) => buildFileReport(openModelFiles(path), contracts);
const model = (name: string, config: Record<string, unknown> | null, tensors: StSpec[], shards = 1) => {
  const d = join(dir, name);
  writeModelDir(d, config, tensors, shards);
  return report(d);
};

describe('published models, read from sparse copies of their real layouts: the published parameter counts', () => {
  const cases: Array<[string, string, StSpec[], number, string, number]> = [
    ['gpt2', 'gpt2', gpt2Tensors(), 124_439_808, 'gpt2', 12],
    ['llama-2-7b', 'llama-2-7b', llamaLikeTensors(LLAMA2_7B), 6_738_415_616, 'llama', 32],
    ['qwen2.5-0.5b', 'qwen2.5-0.5b', llamaLikeTensors(QWEN25_05B), 494_032_768, 'qwen2', 0],
    ['llama-3.2-1b', 'llama-3.2-1b', llamaLikeTensors(LLAMA32_1B), 1_235_814_400, 'llama', 0],
    ['qwen3-0.6b', 'qwen3-0.6b', llamaLikeTensors(QWEN3_06B), 596_049_920, 'qwen3', 0],
  ];
  for (const [name, cfg, tensors, published, family, buffers] of cases) {
    it(`${name}: ${family}, ${published.toLocaleString('en')} parameters, a role for every tensor, nothing missing`, () => {
      const r = model(name, CONFIGS[cfg], tensors, name === 'llama-2-7b' ? 2 : 1);
      expect(r.family).toBe(family);
      expect(r.parameterCount).toBe(published);
      expect(r.contractParameterCount).toBe(published);
      expect(r.tensorCount).toBe(tensors.length);
      expect(r.tensors.filter((t) => t.role === null)).toEqual([]);
      expect(r.bufferTensors).toBe(buffers);
      expect([r.shapeMismatches, r.missing, r.unknown, r.problems]).toEqual([[], [], [], []]);
      expect(r.configChecks.filter((c) => !c.ok)).toEqual([]);
      // Bytes per dtype add up to the data the files hold.
      expect(r.dtypes.reduce((s, d) => s + d.bytes, 0)).toBe(r.files.reduce((s, f) => s + f.bytes - f.headerBytes, 0));
    });
  }

  it("GPT-2's causal-mask buffers are listed as buffers and not counted", () => {
    const r = report(join(dir, 'gpt2'));
    const mask = r.tensors.filter((t) => t.name.endsWith('attn.bias') && t.shape.length === 4);
    expect(mask.map((t) => [t.kind, t.role])).toEqual(Array(12).fill(['buffer', 'attn_mask']));
    expect(r.bufferElements).toBe(12 * 1024 * 1024);
    expect(r.naming).toBe('Hugging Face names without the "transformer." prefix');
  });

  it('the size says where each number came from: config.json, then the tensors', () => {
    const r = report(join(dir, 'qwen3-0.6b'));
    const src = Object.fromEntries(r.sizes.map((s) => [s.field, [s.value, s.source]]));
    expect(src.head_dim).toEqual([128, 'config.json head_dim']);
    expect(src.kv_heads).toEqual([8, 'config.json num_key_value_heads']);
    expect(r.tied).toEqual({ value: true, source: 'config.json tie_word_embeddings' });
  });
});

describe('family detection without a config.json', () => {
  it('GPT-2 by its tensor names, with the reason', () => {
    const r = model('gpt2-bare', null, gpt2Tensors());
    expect([r.family, r.detection.via, r.parameterCount]).toEqual(['gpt2', 'tensor names', 124_439_808]);
    expect(r.detection.reasons[0]).toBe("tensor names: 160 of 160 match gpt2's naming");
    expect(r.sizes.find((s) => s.field === 'heads')).toEqual({
      field: 'heads',
      value: 12,
      source: 'gpt2 size 124m (same hidden 768 and 12 layers; the file does not say)',
    });
  });

  it('the same names under an extra wrapper prefix, and with the full "transformer." prefix', () => {
    const wrapped = model(
      'gpt2-wrapped',
      null,
      gpt2Tensors().map((t) => ({ ...t, name: `base_model.model.transformer.${t.name}` })),
    );
    expect([wrapped.family, wrapped.parameterCount, wrapped.naming]).toEqual([
      'gpt2',
      124_439_808,
      'Hugging Face names under an extra "base_model.model." prefix',
    ]);
    const full = model(
      'gpt2-full',
      null,
      gpt2Tensors().map((t) => ({ ...t, name: `transformer.${t.name}` })),
    );
    expect([full.family, full.naming, full.missing]).toEqual(['gpt2', 'Hugging Face names', []]);
  });

  it('Qwen2 wins over LLaMA by its q/k/v biases; a tie between look-alike families is said, not hidden', () => {
    expect(model('qwen-bare', null, llamaLikeTensors(QWEN25_05B)).family).toBe('qwen2');
    const r = model('llama-bare', null, llamaLikeTensors(LLAMA32_1B));
    expect(r.family).toBe('llama');
    expect(r.detection.reasons.join('\n')).toMatch(/name their tensors alike; chose llama/);
    expect(r.tied.source).toBe('the file has no output head: the token embedding serves as one');
  });
});

describe('GGUF', () => {
  it('Llama-2-7B Q4_K_M: family, 6,738,415,616 parameters, the Q4_K/Q6_K/F32 mix and MOSTLY_Q4_K_M', () => {
    const path = join(dir, 'llama-2-7b.Q4_K_M.gguf');
    llama2Q4KMGguf(path);
    const r = report(path);
    expect([r.family, r.format, r.parameterCount, r.gguf!.fileType]).toEqual([
      'llama',
      'gguf',
      6_738_415_616,
      { id: 15, name: 'MOSTLY_Q4_K_M' },
    ]);
    expect(r.dtypes.map((d) => [d.dtype, d.tensors])).toEqual([
      ['Q4_K', 193],
      ['Q6_K', 33],
      ['F32', 65],
    ]);
    expect(r.dtypes[0].bitsPerWeight).toBe(4.5);
    expect([r.shapeMismatches, r.missing, r.unknown]).toEqual([[], [], []]);
    expect(r.tensors.find((t) => t.name === 'output.weight')!.role).toBe('lm_head');
  });

  it('Mixtral with stacked 3-D experts: roles, shapes and the published 46,702,792,704 parameters', () => {
    const H = 4096,
      F = 14336,
      E = 8,
      L = 32,
      V = 32000;
    const t: GgufTensorSpec[] = [
      { name: 'token_embd.weight', dims: [H, V], type: 1 },
      { name: 'output_norm.weight', dims: [H], type: 0 },
      { name: 'output.weight', dims: [H, V], type: 1 },
    ];
    for (let i = 0; i < L; i++) {
      t.push(
        { name: `blk.${i}.attn_norm.weight`, dims: [H], type: 0 },
        { name: `blk.${i}.ffn_norm.weight`, dims: [H], type: 0 },
        { name: `blk.${i}.attn_q.weight`, dims: [H, H], type: 1 },
        { name: `blk.${i}.attn_k.weight`, dims: [H, 1024], type: 1 },
        { name: `blk.${i}.attn_v.weight`, dims: [H, 1024], type: 1 },
        { name: `blk.${i}.attn_output.weight`, dims: [H, H], type: 1 },
        { name: `blk.${i}.ffn_gate_inp.weight`, dims: [H, E], type: 0 },
        { name: `blk.${i}.ffn_gate_exps.weight`, dims: [H, F, E], type: 1 },
        { name: `blk.${i}.ffn_up_exps.weight`, dims: [H, F, E], type: 1 },
        { name: `blk.${i}.ffn_down_exps.weight`, dims: [F, H, E], type: 1 },
      );
    }
    const path = join(dir, 'mixtral.gguf');
    writeSparseGguf(
      path,
      [
        ['general.architecture', 'string', 'llama'],
        ['llama.expert_count', 'u32', E],
        ['llama.expert_used_count', 'u32', 2],
        ['llama.block_count', 'u32', L],
        ['llama.attention.head_count', 'u32', 32],
        ['llama.attention.head_count_kv', 'u32', 8],
      ],
      t,
    );
    const r = report(path);
    expect(r.family).toBe('mixtral');
    expect(r.parameterCount).toBe(46_702_792_704);
    expect(r.tensors.find((x) => x.name === 'blk.0.ffn_down_exps.weight')).toMatchObject({
      role: 'expert_down',
      shape: [E, H, F],
      check: 'ok',
    });
    expect([r.shapeMismatches, r.missing]).toEqual([[], []]);
  });

  it('an unknown architecture: the tensors are still listed, the family is named as unknown', () => {
    const path = join(dir, 'fancy.gguf');
    writeSparseGguf(
      path,
      [['general.architecture', 'string', 'fancynet']],
      [{ name: 'token_embd.weight', dims: [64, 100], type: 0 }],
    );
    const r = report(path);
    expect([r.family, r.tensorCount, r.parameterCount]).toEqual([null, 1, 6400]);
    expect(r.detection.reasons[0]).toMatch(/general.architecture "fancynet" is not a family this tool knows/);
  });
});

describe('per-expert and fused layouts in Hugging Face naming', () => {
  it('Mixtral-8x7B with per-expert 2-D tensors: 46,702,792,704', () => {
    const H = 4096,
      F = 14336;
    const t: StSpec[] = llamaLikeTensors({
      hidden: H,
      layers: 32,
      heads: 32,
      kvHeads: 8,
      headDim: 128,
      intermediate: F,
      vocab: 32000,
      tied: false,
      dtype: 'BF16',
    }).filter((x) => !x.name.includes('.mlp.'));
    for (let n = 0; n < 32; n++) {
      t.push({ name: `model.layers.${n}.block_sparse_moe.gate.weight`, shape: [8, H], dtype: 'BF16' });
      for (let e = 0; e < 8; e++)
        for (const [w, shape] of [
          ['w1', [F, H]],
          ['w2', [H, F]],
          ['w3', [F, H]],
        ] as const)
          t.push({
            name: `model.layers.${n}.block_sparse_moe.experts.${e}.${w}.weight`,
            shape: [...shape],
            dtype: 'BF16',
          });
    }
    const r = model(
      'mixtral',
      {
        architectures: ['MixtralForCausalLM'],
        model_type: 'mixtral',
        hidden_size: H,
        intermediate_size: F,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        num_hidden_layers: 32,
        num_local_experts: 8,
        num_experts_per_tok: 2,
        vocab_size: 32000,
        tie_word_embeddings: false,
      },
      t,
      4,
    );
    expect([r.family, r.parameterCount, r.missing, r.shapeMismatches]).toEqual(['mixtral', 46_702_792_704, [], []]);
    expect(r.tensors.find((x) => x.name === 'model.layers.3.block_sparse_moe.experts.5.w2.weight')).toMatchObject({
      role: 'expert_down',
      layer: 3,
      expert: 5,
    });
  });

  it("Phi-3-mini's fused qkv_proj and gate_up_proj", () => {
    const H = 3072,
      F = 8192,
      t: StSpec[] = [
        { name: 'model.embed_tokens.weight', shape: [32064, H], dtype: 'BF16' },
        { name: 'model.norm.weight', shape: [H], dtype: 'BF16' },
        { name: 'lm_head.weight', shape: [32064, H], dtype: 'BF16' },
      ];
    for (let n = 0; n < 32; n++) {
      const p = `model.layers.${n}.`;
      t.push(
        { name: `${p}input_layernorm.weight`, shape: [H], dtype: 'BF16' },
        { name: `${p}post_attention_layernorm.weight`, shape: [H], dtype: 'BF16' },
        { name: `${p}self_attn.qkv_proj.weight`, shape: [3 * H, H], dtype: 'BF16' },
        { name: `${p}self_attn.o_proj.weight`, shape: [H, H], dtype: 'BF16' },
        { name: `${p}mlp.gate_up_proj.weight`, shape: [2 * F, H], dtype: 'BF16' },
        { name: `${p}mlp.down_proj.weight`, shape: [H, F], dtype: 'BF16' },
      );
    }
    const r = model(
      'phi3',
      {
        architectures: ['Phi3ForCausalLM'],
        model_type: 'phi3',
        hidden_size: H,
        intermediate_size: F,
        num_attention_heads: 32,
        num_key_value_heads: 32,
        num_hidden_layers: 32,
        vocab_size: 32064,
        tie_word_embeddings: false,
      },
      t,
    );
    expect([r.family, r.parameterCount, r.shapeMismatches, r.missing]).toEqual(['phi3', 3_821_079_552, [], []]);
    expect(r.tensors.find((x) => x.name.endsWith('qkv_proj.weight'))!.role).toBe('attn_qkv');
    expect(r.tensors.find((x) => x.name.endsWith('gate_up_proj.weight'))!.role).toBe('mlp_gate_up');
  });
});

describe('disagreements are named: the field, the tensor, the expected shape', () => {
  it('config.json says 4 KV heads, the tensors hold 8: every K/V projection is a ✗ naming num_key_value_heads', () => {
    const r = model(
      'llama32-badcfg',
      { ...CONFIGS['llama-3.2-1b'], num_key_value_heads: 4 },
      llamaLikeTensors(LLAMA32_1B),
    );
    expect(r.shapeMismatches).toHaveLength(32);
    expect(r.shapeMismatches[0]).toMatchObject({
      name: 'model.layers.0.self_attn.k_proj.weight',
      actual: [512, 2048],
      expected: [256, 2048],
    });
    expect(r.shapeMismatches[0].because).toBe(
      '[kv_heads*head_dim, hidden] = [256, 2048] (kv_heads 4 from config.json num_key_value_heads; head_dim 64 from config.json head_dim; hidden 2048 from config.json hidden_size)',
    );
  });

  it('config.json says 20 layers for a 16-layer file, and untied embeddings with no output head', () => {
    const r = model(
      'llama32-layers',
      { ...CONFIGS['llama-3.2-1b'], num_hidden_layers: 20, tie_word_embeddings: false },
      llamaLikeTensors(LLAMA32_1B),
    );
    const failed = r.configChecks.filter((c) => !c.ok).map((c) => c.message);
    expect(failed).toContain(
      'config.json num_hidden_layers = 20, but highest layer index in the names (model.layers.15.input_layernorm.weight) gives layers = 16',
    );
    expect(failed).toContain('config.json tie_word_embeddings = false, but the file has no output head (lm_head)');
    expect(r.missingCount).toBe(4 * 9 + 1);
    expect(r.missing.at(-1)).toEqual({ name: 'lm_head.weight', role: 'lm_head' });
  });

  it('an unknown tensor is listed and counted; a wrong shape says what the contract expects', () => {
    const t = gpt2Tensors().map((x) => (x.name === 'h.3.mlp.c_fc.weight' ? { ...x, shape: [768, 3000] } : x));
    t.push({ name: 'score.weight', shape: [2, 768], dtype: 'F32' });
    const r = model('gpt2-odd', CONFIGS.gpt2, t);
    expect(r.unknown).toEqual(['score.weight']);
    expect(r.shapeMismatches.map((m) => m.name)).toEqual(['h.3.mlp.c_fc.weight']);
    expect(r.parameterCount).toBe(124_439_808 - 768 * 72 + 2 * 768);
  });
});

describe('--family reads a file as the family given', () => {
  it('no detection; the reasons say so, and how well the names fit', () => {
    const llama = contracts.find((c) => c.family === 'llama')!;
    const r = buildFileReport(openModelFiles(join(dir, 'gpt2')), contracts, { family: llama });
    expect([r.family, r.detection.via, r.detection.reasons]).toEqual([
      'llama',
      '--family',
      ['read as llama (--family), not detected', "tensor names: 0 of 160 match llama's naming"],
    ]);
    expect(r.unknown).toHaveLength(160);
  });
});

describe('tensors grouped by name pattern', () => {
  it('a group says its layers as sorted runs, whatever the order, gaps and repeats (fast-check, 200 files)', () => {
    /** The plain rule: the distinct layers, sorted, consecutive ones joined. */
    const runs = (layers: number[]) => {
      const u = [...new Set(layers)].sort((a, b) => a - b);
      const out: string[] = [];
      for (let i = 0; i < u.length;) {
        let j = i;
        while (j + 1 < u.length && u[j + 1] === u[j]! + 1) j++;
        out.push(i === j ? String(u[i]) : `${u[i]}–${u[j]}`);
        i = j + 1;
      }
      return out.join(', ');
    };
    const p = join(dir, 'layers.safetensors');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 60 }), (layers) => {
        // Names no family gives; the first number is the layer, the second keeps names distinct.
        writeSparseSafetensors(
          p,
          layers.map((n, i) => ({ name: `x.${n}.y${i}`, shape: [1], dtype: 'F32' })),
        );
        const groups = report(p).groups;
        expect(groups.map((g) => [g.template, g.count, g.layers])).toEqual([
          ['x.{n}.y{n}', layers.length, runs(layers)],
        ]);
      }),
      { numRuns: 200, seed: 19 },
    );
  });
});
