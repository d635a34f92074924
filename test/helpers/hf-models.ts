// Writes real (not sparse) Hugging Face model folders for tests: a tiny family
// model made by this project's own engine, its tensors renamed and laid out as
// transformers saves them, with config.json and a character tokenizer.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContractSet } from '../../src/contracts/index.js';
import { Gpt, headDim, rotaryDims, tinyInstance, Tokenizer } from '../../src/model/index.js';
import { serialize } from '../../src/model/safetensors.js';
import { Rng } from '../../src/tensor/index.js';
import { safetensorsHeader, type StSpec } from './model-files.js';

export type HfTestFamily = 'gpt2' | 'llama' | 'mistral' | 'qwen2' | 'qwen3' | 'gptneox' | 'phi3' | 'gemma' | 'phi';

/** [rows, cols] row-major → [cols, rows]. */
function transpose(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** A tiny family model from the native engine (seeded), as its Hugging Face checkpoint would hold it. */
export async function tinyNative(family: HfTestFamily, seed = 7): Promise<Gpt> {
  const set = await ContractSet.load();
  const { config, architecture } = tinyInstance(set.get(family), Tokenizer.default().vocabSize);
  return Gpt.init(config, seed, architecture);
}

/** The native model's tensors under Hugging Face names and layouts. */
export function hfTensors(
  model: Gpt,
  family: HfTestFamily,
): Array<{ name: string; shape: number[]; data: Float64Array }> {
  const p = (n: string) => model.param(n);
  const has = (n: string) => model.params.has(n);
  const C = model.config.nEmbd;
  const H = model.config.nHidden;
  const out: Array<{ name: string; shape: number[]; data: Float64Array }> = [];
  const put = (name: string, shape: number[], data: Float64Array) => out.push({ name, shape, data });
  if (family === 'gpt2') {
    put('wte.weight', [...p('wte').shape], p('wte').data);
    put('wpe.weight', [...p('wpe').shape], p('wpe').data);
    for (let l = 0; l < model.config.nLayer; l++) {
      const L = `layer${l}.`;
      const qkv = new Float64Array(C * 3 * C);
      ['attn_wq', 'attn_wk', 'attn_wv'].forEach((n, part) => {
        const w = p(L + n).data;
        for (let o = 0; o < C; o++) for (let i = 0; i < C; i++) qkv[i * 3 * C + part * C + o] = w[o * C + i]!;
      });
      const bias = new Float64Array(3 * C);
      ['attn_bq', 'attn_bk', 'attn_bv'].forEach((n, part) => bias.set(p(L + n).data, part * C));
      const h = `h.${l}.`;
      put(`${h}ln_1.weight`, [C], p(L + 'norm_attn_w').data);
      put(`${h}ln_1.bias`, [C], p(L + 'norm_attn_b').data);
      put(`${h}attn.c_attn.weight`, [C, 3 * C], qkv);
      put(`${h}attn.c_attn.bias`, [3 * C], bias);
      put(`${h}attn.c_proj.weight`, [C, C], transpose(p(L + 'attn_wo').data, C, C));
      put(`${h}attn.c_proj.bias`, [C], p(L + 'attn_bo').data);
      put(`${h}ln_2.weight`, [C], p(L + 'norm_mlp_w').data);
      put(`${h}ln_2.bias`, [C], p(L + 'norm_mlp_b').data);
      put(`${h}mlp.c_fc.weight`, [C, H], transpose(p(L + 'mlp_fc1').data, H, C));
      put(`${h}mlp.c_fc.bias`, [H], p(L + 'mlp_b1').data);
      put(`${h}mlp.c_proj.weight`, [H, C], transpose(p(L + 'mlp_fc2').data, C, H));
      put(`${h}mlp.c_proj.bias`, [C], p(L + 'mlp_b2').data);
      // The causal-mask buffer GPT-2 checkpoints carry; not a parameter, ignored by the loader.
      put(`${h}attn.bias`, [1, 1, 16, 16], new Float64Array(256).fill(1));
    }
    put('ln_f.weight', [C], p('norm_f_w').data);
    put('ln_f.bias', [C], p('norm_f_b').data);
    return out;
  }
  if (family === 'gptneox') return neoxTensors(model);
  if (family === 'phi3') return phi3Tensors(model);
  if (family === 'phi') return phiTensors(model);
  put('model.embed_tokens.weight', [...p('wte').shape], p('wte').data);
  for (let l = 0; l < model.config.nLayer; l++) {
    const L = `layer${l}.`;
    const m = `model.layers.${l}.`;
    put(`${m}input_layernorm.weight`, [C], p(L + 'norm_attn_w').data);
    for (const [ours, theirs] of [
      ['attn_wq', 'q_proj'],
      ['attn_wk', 'k_proj'],
      ['attn_wv', 'v_proj'],
      ['attn_wo', 'o_proj'],
    ] as const)
      put(`${m}self_attn.${theirs}.weight`, [...p(L + ours).shape], p(L + ours).data);
    for (const [ours, theirs] of [
      ['attn_bq', 'q_proj'],
      ['attn_bk', 'k_proj'],
      ['attn_bv', 'v_proj'],
    ] as const)
      if (has(L + ours)) put(`${m}self_attn.${theirs}.bias`, [...p(L + ours).shape], p(L + ours).data);
    put(`${m}post_attention_layernorm.weight`, [C], p(L + 'norm_mlp_w').data);
    put(`${m}mlp.gate_proj.weight`, [H, C], p(L + 'mlp_gate').data);
    put(`${m}mlp.up_proj.weight`, [H, C], p(L + 'mlp_fc1').data);
    put(`${m}mlp.down_proj.weight`, [C, H], p(L + 'mlp_fc2').data);
  }
  put('model.norm.weight', [C], p('norm_f_w').data);
  if (has('lm_head')) put('lm_head.weight', [...p('lm_head').shape], p('lm_head').data);
  return out;
}

type Named = Array<{ name: string; shape: number[]; data: Float64Array }>;

/**
 * GPT-NeoX: query_key_value holds, for each head in turn, its q rows, then its
 * k rows, then its v rows (transformers views the output as [heads, 3·head_dim]);
 * the untied head is embed_out.
 */
function neoxTensors(model: Gpt): Named {
  const p = (n: string) => model.param(n);
  const C = model.config.nEmbd,
    H = model.config.nHidden,
    heads = model.config.nHead,
    d = headDim(model.config);
  const out: Named = [{ name: 'gpt_neox.embed_in.weight', shape: [...p('wte').shape], data: p('wte').data }];
  for (let l = 0; l < model.config.nLayer; l++) {
    const L = `layer${l}.`,
      g = `gpt_neox.layers.${l}.`;
    const qkv = new Float64Array(3 * C * C),
      bias = new Float64Array(3 * C);
    ['q', 'k', 'v'].forEach((part, j) => {
      const w = p(`${L}attn_w${part}`).data,
        b = p(`${L}attn_b${part}`).data;
      for (let h = 0; h < heads; h++)
        for (let e = 0; e < d; e++) {
          const row = (h * 3 + j) * d + e;
          qkv.set(w.subarray((h * d + e) * C, (h * d + e + 1) * C), row * C);
          bias[row] = b[h * d + e]!;
        }
    });
    out.push(
      { name: `${g}input_layernorm.weight`, shape: [C], data: p(L + 'norm_attn_w').data },
      { name: `${g}input_layernorm.bias`, shape: [C], data: p(L + 'norm_attn_b').data },
      { name: `${g}post_attention_layernorm.weight`, shape: [C], data: p(L + 'norm_mlp_w').data },
      { name: `${g}post_attention_layernorm.bias`, shape: [C], data: p(L + 'norm_mlp_b').data },
      { name: `${g}attention.query_key_value.weight`, shape: [3 * C, C], data: qkv },
      { name: `${g}attention.query_key_value.bias`, shape: [3 * C], data: bias },
      { name: `${g}attention.dense.weight`, shape: [C, C], data: p(L + 'attn_wo').data },
      { name: `${g}attention.dense.bias`, shape: [C], data: p(L + 'attn_bo').data },
      { name: `${g}mlp.dense_h_to_4h.weight`, shape: [H, C], data: p(L + 'mlp_fc1').data },
      { name: `${g}mlp.dense_h_to_4h.bias`, shape: [H], data: p(L + 'mlp_b1').data },
      { name: `${g}mlp.dense_4h_to_h.weight`, shape: [C, H], data: p(L + 'mlp_fc2').data },
      { name: `${g}mlp.dense_4h_to_h.bias`, shape: [C], data: p(L + 'mlp_b2').data },
      // The causal-mask buffer older GPT-NeoX checkpoints carry: not a parameter.
      { name: `${g}attention.masked_bias`, shape: [1], data: new Float64Array([-1e9]) },
    );
  }
  out.push(
    { name: 'gpt_neox.final_layer_norm.weight', shape: [C], data: p('norm_f_w').data },
    { name: 'gpt_neox.final_layer_norm.bias', shape: [C], data: p('norm_f_b').data },
    { name: 'embed_out.weight', shape: [...p('lm_head').shape], data: p('lm_head').data },
  );
  return out;
}

/** Phi-3: qkv_proj stacks q, k and v rows; gate_up_proj stacks the gate rows, then the up rows. */
function phi3Tensors(model: Gpt): Named {
  const p = (n: string) => model.param(n);
  const C = model.config.nEmbd,
    H = model.config.nHidden;
  const cat = (...parts: Float64Array[]) => {
    const out = new Float64Array(parts.reduce((n, x) => n + x.length, 0));
    let at = 0;
    for (const x of parts) out.set(x, (at += x.length) - x.length);
    return out;
  };
  const out: Named = [{ name: 'model.embed_tokens.weight', shape: [...p('wte').shape], data: p('wte').data }];
  for (let l = 0; l < model.config.nLayer; l++) {
    const L = `layer${l}.`,
      m = `model.layers.${l}.`;
    const [q, k, v] = ['attn_wq', 'attn_wk', 'attn_wv'].map((n) => p(L + n));
    out.push(
      { name: `${m}input_layernorm.weight`, shape: [C], data: p(L + 'norm_attn_w').data },
      {
        name: `${m}self_attn.qkv_proj.weight`,
        shape: [q!.shape[0]! + k!.shape[0]! + v!.shape[0]!, C],
        data: cat(q!.data, k!.data, v!.data),
      },
      { name: `${m}self_attn.o_proj.weight`, shape: [C, C], data: p(L + 'attn_wo').data },
      { name: `${m}post_attention_layernorm.weight`, shape: [C], data: p(L + 'norm_mlp_w').data },
      {
        name: `${m}mlp.gate_up_proj.weight`,
        shape: [2 * H, C],
        data: cat(p(L + 'mlp_gate').data, p(L + 'mlp_fc1').data),
      },
      { name: `${m}mlp.down_proj.weight`, shape: [C, H], data: p(L + 'mlp_fc2').data },
    );
  }
  out.push(
    { name: 'model.norm.weight', shape: [C], data: p('norm_f_w').data },
    { name: 'lm_head.weight', shape: [...p('lm_head').shape], data: p('lm_head').data },
  );
  return out;
}

/** Phi-2: one LayerNorm feeds attention and the MLP; biases everywhere, the output head's too. */
function phiTensors(model: Gpt): Named {
  const p = (n: string) => model.param(n);
  const C = model.config.nEmbd,
    H = model.config.nHidden;
  const out: Named = [{ name: 'model.embed_tokens.weight', shape: [...p('wte').shape], data: p('wte').data }];
  for (let l = 0; l < model.config.nLayer; l++) {
    const L = `layer${l}.`,
      m = `model.layers.${l}.`;
    out.push(
      { name: `${m}input_layernorm.weight`, shape: [C], data: p(L + 'norm_attn_w').data },
      { name: `${m}input_layernorm.bias`, shape: [C], data: p(L + 'norm_attn_b').data },
      ...(['q', 'k', 'v'] as const).flatMap((x) => [
        { name: `${m}self_attn.${x}_proj.weight`, shape: [C, C], data: p(`${L}attn_w${x}`).data },
        { name: `${m}self_attn.${x}_proj.bias`, shape: [C], data: p(`${L}attn_b${x}`).data },
      ]),
      { name: `${m}self_attn.dense.weight`, shape: [C, C], data: p(L + 'attn_wo').data },
      { name: `${m}self_attn.dense.bias`, shape: [C], data: p(L + 'attn_bo').data },
      { name: `${m}mlp.fc1.weight`, shape: [H, C], data: p(L + 'mlp_fc1').data },
      { name: `${m}mlp.fc1.bias`, shape: [H], data: p(L + 'mlp_b1').data },
      { name: `${m}mlp.fc2.weight`, shape: [C, H], data: p(L + 'mlp_fc2').data },
      { name: `${m}mlp.fc2.bias`, shape: [C], data: p(L + 'mlp_b2').data },
    );
  }
  out.push(
    { name: 'model.final_layernorm.weight', shape: [C], data: p('norm_f_w').data },
    { name: 'model.final_layernorm.bias', shape: [C], data: p('norm_f_b').data },
    { name: 'lm_head.weight', shape: [...p('lm_head').shape], data: p('lm_head').data },
    { name: 'lm_head.bias', shape: [...p('lm_head_b').shape], data: p('lm_head_b').data },
  );
  return out;
}

/** config.json for the native model, as transformers writes it for the family. */
export function hfConfig(model: Gpt, family: HfTestFamily): Record<string, unknown> {
  const c = model.config;
  const a = model.architecture;
  if (family === 'gpt2')
    return {
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      n_embd: c.nEmbd,
      n_head: c.nHead,
      n_layer: c.nLayer,
      n_positions: c.blockSize,
      n_inner: c.nHidden,
      vocab_size: c.vocabSize,
      layer_norm_epsilon: c.normEps,
      activation_function: 'gelu_new',
      bos_token_id: c.vocabSize - 1,
      eos_token_id: c.vocabSize - 1,
    };
  if (family === 'gptneox')
    return {
      model_type: 'gpt_neox',
      architectures: ['GPTNeoXForCausalLM'],
      hidden_size: c.nEmbd,
      num_attention_heads: c.nHead,
      num_hidden_layers: c.nLayer,
      intermediate_size: c.nHidden,
      vocab_size: c.vocabSize,
      max_position_embeddings: c.blockSize,
      layer_norm_eps: c.normEps,
      // The tiny head (4 dims) rotates 2, at least one pair: written as the fraction that gives it.
      rotary_pct: rotaryDims(headDim(c), a.rotary_fraction) / headDim(c),
      rotary_emb_base: a.rope_theta,
      hidden_act: 'gelu',
      use_parallel_residual: true,
      tie_word_embeddings: false,
      bos_token_id: c.vocabSize - 1,
      eos_token_id: c.vocabSize - 1,
    };
  if (family === 'phi')
    return {
      model_type: 'phi',
      architectures: ['PhiForCausalLM'],
      hidden_size: c.nEmbd,
      num_attention_heads: c.nHead,
      num_hidden_layers: c.nLayer,
      intermediate_size: c.nHidden,
      vocab_size: c.vocabSize,
      max_position_embeddings: c.blockSize,
      layer_norm_eps: c.normEps,
      partial_rotary_factor: rotaryDims(headDim(c), a.rotary_fraction) / headDim(c),
      rope_theta: a.rope_theta,
      hidden_act: 'gelu_new',
      tie_word_embeddings: false,
      bos_token_id: c.vocabSize - 1,
      eos_token_id: c.vocabSize - 1,
    };
  return {
    model_type: family,
    architectures: [
      {
        llama: 'LlamaForCausalLM',
        mistral: 'MistralForCausalLM',
        qwen2: 'Qwen2ForCausalLM',
        qwen3: 'Qwen3ForCausalLM',
        phi3: 'Phi3ForCausalLM',
        gemma: 'GemmaForCausalLM',
      }[family],
    ],
    hidden_size: c.nEmbd,
    num_attention_heads: c.nHead,
    num_key_value_heads: c.nKvHead,
    num_hidden_layers: c.nLayer,
    intermediate_size: c.nHidden,
    vocab_size: c.vocabSize,
    max_position_embeddings: c.blockSize,
    rms_norm_eps: c.normEps,
    rope_theta: a.rope_theta,
    ...(family === 'gemma'
      ? { head_dim: headDim(c), hidden_act: 'gelu', hidden_activation: 'gelu_pytorch_tanh' }
      : { hidden_act: 'silu' }),
    tie_word_embeddings: a.tied_embeddings,
    bos_token_id: c.vocabSize - 1,
    eos_token_id: c.vocabSize - 1,
    ...(family === 'mistral' ? { sliding_window: 4096 } : {}),
  };
}

/**
 * A tokenizer.json for microGPT's characters: BPE with no merges (one token per
 * letter), BOS = "<s>" at the last id, prepended by the post-processor.
 */
export function charTokenizerJson(opts: { space?: boolean } = {}): Record<string, unknown> {
  const tok = Tokenizer.default();
  const vocab: Record<string, number> = {};
  tok.chars.forEach((ch, i) => (vocab[ch] = i));
  // With a space, it takes BOS's id and BOS moves one up (27).
  const bos = opts.space ? tok.bos + 1 : tok.bos;
  if (opts.space) vocab[' '] = tok.bos;
  vocab['<s>'] = bos;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: bos,
        content: '<s>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [bos], tokens: ['<s>'] } },
    },
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  };
}

/** Writes the folder: config.json, model.safetensors (F32), tokenizer.json unless told not to. */
export function writeHfModel(
  dir: string,
  model: Gpt,
  family: HfTestFamily,
  opts: { tokenizer?: boolean; config?: Record<string, unknown>; tensors?: ReturnType<typeof hfTensors> } = {},
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(opts.config ?? hfConfig(model, family), null, 2));
  writeFileSync(join(dir, 'model.safetensors'), serialize(opts.tensors ?? hfTensors(model, family), { format: 'pt' }));
  if (opts.tokenizer !== false) writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(charTokenizerJson()));
  return dir;
}

/** A GPT-2 layout of any size, as Hugging Face's model.safetensors names it (no wrapper prefix). */
export function gpt2Layout(m: { hidden: number; layers: number; vocab: number; positions: number }): StSpec[] {
  const H = m.hidden;
  const out: StSpec[] = [
    { name: 'wte.weight', shape: [m.vocab, H], dtype: 'F32' },
    { name: 'wpe.weight', shape: [m.positions, H], dtype: 'F32' },
  ];
  for (let n = 0; n < m.layers; n++) {
    const p = `h.${n}.`;
    out.push(
      { name: `${p}ln_1.weight`, shape: [H], dtype: 'F32' },
      { name: `${p}ln_1.bias`, shape: [H], dtype: 'F32' },
      { name: `${p}attn.c_attn.weight`, shape: [H, 3 * H], dtype: 'F32' },
      { name: `${p}attn.c_attn.bias`, shape: [3 * H], dtype: 'F32' },
      { name: `${p}attn.c_proj.weight`, shape: [H, H], dtype: 'F32' },
      { name: `${p}attn.c_proj.bias`, shape: [H], dtype: 'F32' },
      { name: `${p}ln_2.weight`, shape: [H], dtype: 'F32' },
      { name: `${p}ln_2.bias`, shape: [H], dtype: 'F32' },
      { name: `${p}mlp.c_fc.weight`, shape: [H, 4 * H], dtype: 'F32' },
      { name: `${p}mlp.c_fc.bias`, shape: [4 * H], dtype: 'F32' },
      { name: `${p}mlp.c_proj.weight`, shape: [4 * H, H], dtype: 'F32' },
      { name: `${p}mlp.c_proj.bias`, shape: [H], dtype: 'F32' },
    );
  }
  out.push({ name: 'ln_f.weight', shape: [H], dtype: 'F32' }, { name: 'ln_f.bias', shape: [H], dtype: 'F32' });
  return out;
}

/** The IEEE half nearest a value of normal half range (|v| in [2^-14, 65504]) or 0: round to nearest, ties to even. */
function halfBits(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a < 2 ** -14) return sign; // the writer's values never need subnormals: flushed
  let e = Math.floor(Math.log2(a));
  if (a < 2 ** e) e--; // log2 rounded up just below a power of two
  if (a >= 2 ** (e + 1)) e++;
  const f = (a / 2 ** e - 1) * 1024; // exact: a power-of-two scaling
  let m = Math.round(f);
  // Ties to even: Math.round rounds .5 up, so undo it where that made m odd.
  if (f - Math.floor(f) === 0.5 && m % 2 === 1) m--;
  return m === 1024 ? sign | ((e + 16) << 10) : sign | ((e + 15) << 10) | m;
}

/**
 * A safetensors file with random values (N(0, std²), std 0.2 unless given; norm
 * weights near 1) in each tensor's dtype (F32, BF16 or F16).
 */
export function writeRandomSafetensors(path: string, specs: readonly StSpec[], seed: number, std = 0.2): void {
  const rng = new Rng(seed);
  const { head, dataBytes } = safetensorsHeader(specs, { format: 'pt' });
  const data = Buffer.alloc(dataBytes);
  const f32 = new DataView(new ArrayBuffer(4));
  let at = 0;
  for (const t of specs) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const norm = /norm|ln_/.test(t.name) && t.name.endsWith('weight');
    for (let i = 0; i < n; i++) {
      const v = norm ? 1 + rng.gauss(0, 0.1) : rng.gauss(0, std);
      if (t.dtype === 'F32') {
        data.writeFloatLE(v, at);
        at += 4;
      } else if (t.dtype === 'BF16') {
        f32.setFloat32(0, v);
        data.writeUInt16LE(f32.getUint32(0) >>> 16, at);
        at += 2;
      } else if (t.dtype === 'F16') {
        data.writeUInt16LE(halfBits(v), at);
        at += 2;
      } else throw new Error(`writeRandomSafetensors: ${t.dtype}`);
    }
  }
  writeFileSync(path, Buffer.concat([head, data]));
}

/** A random model folder of a real family's layout: config.json, model.safetensors, a character tokenizer.json (optional). */
export function writeRandomHf(
  dir: string,
  config: Record<string, unknown>,
  specs: readonly StSpec[],
  opts: { seed?: number; tokenizer?: boolean; std?: number } = {},
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeRandomSafetensors(join(dir, 'model.safetensors'), specs, opts.seed ?? 1, opts.std);
  if (opts.tokenizer) writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(charTokenizerJson({ space: true })));
  return dir;
}
