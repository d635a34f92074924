/**
 * Test-side writers of model files: sparse safetensors (the header, then the
 * file truncated to its full size, so a 13 GB layout costs kilobytes of disk)
 * and GGUF v3, plus the exact tensor layouts of published models.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface StSpec {
  name: string;
  shape: number[];
  dtype: string;
}

const ST_BITS: Record<string, number> = {
  F64: 64,
  F32: 32,
  F16: 16,
  BF16: 16,
  I64: 64,
  I32: 32,
  U8: 8,
  BOOL: 8,
  F8_E4M3: 8,
};

/** A safetensors header for these tensors, laid out in order; returns the header bytes and the data length. */
export function safetensorsHeader(
  tensors: readonly StSpec[],
  metadata?: Record<string, string>,
): { head: Buffer; dataBytes: number } {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let off = 0;
  for (const t of tensors) {
    const n = (t.shape.reduce((a, b) => a * b, 1) * ST_BITS[t.dtype]) / 8;
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + n] };
    off += n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const body = Buffer.from(json);
  const head = Buffer.alloc(8 + body.length);
  head.writeBigUInt64LE(BigInt(body.length), 0);
  body.copy(head, 8);
  return { head, dataBytes: off };
}

/** Writes the header and makes the file its full size without writing the data (a sparse file). */
function writeSparse(path: string, head: Buffer, dataBytes: number): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    ftruncateSync(fd, head.length + dataBytes);
  } finally {
    closeSync(fd);
  }
}

export function writeSparseSafetensors(
  path: string,
  tensors: readonly StSpec[],
  metadata?: Record<string, string>,
): number {
  const { head, dataBytes } = safetensorsHeader(tensors, metadata);
  writeSparse(path, head, dataBytes);
  return dataBytes;
}

// ---- GGUF ----

export type GgufKv =
  | [key: string, type: 'u32' | 'i32' | 'f32' | 'bool' | 'string' | 'u64', value: number | boolean | string]
  | [key: string, type: 'array', elementType: 'string' | 'f32' | 'i32' | 'u32', values: Array<string | number>];
export interface GgufTensorSpec {
  name: string;
  /** GGUF order: innermost first. */
  dims: number[];
  type: number;
}

const GGML_SIZE: Record<number, [number, number]> = {
  0: [1, 4],
  1: [1, 2],
  2: [32, 18],
  8: [32, 34],
  10: [256, 84],
  11: [256, 110],
  12: [256, 144],
  13: [256, 176],
  14: [256, 210],
  30: [1, 2],
  23: [256, 136],
  16: [256, 66],
};
const VT = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

class Writer {
  parts: Buffer[] = [];
  length = 0;
  push(b: Buffer) {
    this.parts.push(b);
    this.length += b.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number | bigint) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  scalar(type: string, v: number | boolean | string) {
    if (type === 'u32') this.u32(v as number);
    else if (type === 'i32') this.i32(v as number);
    else if (type === 'f32') this.f32(v as number);
    else if (type === 'u64') this.u64(v as number);
    else if (type === 'bool') this.push(Buffer.from([v ? 1 : 0]));
    else this.str(v as string);
  }
}

export function ggufBytes(
  kvs: readonly GgufKv[],
  tensors: readonly GgufTensorSpec[],
  alignment = 32,
): { head: Buffer; dataBytes: number } {
  const w = new Writer();
  w.push(Buffer.from('GGUF', 'latin1'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const kv of kvs) {
    w.str(kv[0]);
    w.u32(VT[kv[1]]);
    if (kv[1] === 'array') {
      w.u32(VT[kv[2]]);
      w.u64(kv[3].length);
      for (const v of kv[3]) w.scalar(kv[2], v);
    } else w.scalar(kv[1], kv[2]);
  }
  let off = 0;
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(off);
    const [bs, ts] = GGML_SIZE[t.type];
    const n = (t.dims.reduce((a, b) => a * b, 1) / bs) * ts;
    off += Math.ceil(n / alignment) * alignment;
  }
  const pad = (alignment - (w.length % alignment)) % alignment;
  w.push(Buffer.alloc(pad));
  return { head: Buffer.concat(w.parts), dataBytes: off };
}

export function writeSparseGguf(
  path: string,
  kvs: readonly GgufKv[],
  tensors: readonly GgufTensorSpec[],
  alignment = 32,
): void {
  const { head, dataBytes } = ggufBytes(kvs, tensors, alignment);
  writeSparse(path, head, dataBytes);
}

// ---- published layouts ----

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** GPT-2 124M as Hugging Face's model.safetensors names it: no "transformer." prefix, causal-mask buffers included. */
export function gpt2Tensors(): StSpec[] {
  const H = 768,
    F = 'F32';
  const out: StSpec[] = [
    { name: 'wte.weight', shape: [50257, H], dtype: F },
    { name: 'wpe.weight', shape: [1024, H], dtype: F },
  ];
  for (const n of range(12)) {
    const p = `h.${n}.`;
    out.push(
      { name: `${p}ln_1.weight`, shape: [H], dtype: F },
      { name: `${p}ln_1.bias`, shape: [H], dtype: F },
      { name: `${p}attn.bias`, shape: [1, 1, 1024, 1024], dtype: F },
      { name: `${p}attn.c_attn.weight`, shape: [H, 3 * H], dtype: F },
      { name: `${p}attn.c_attn.bias`, shape: [3 * H], dtype: F },
      { name: `${p}attn.c_proj.weight`, shape: [H, H], dtype: F },
      { name: `${p}attn.c_proj.bias`, shape: [H], dtype: F },
      { name: `${p}ln_2.weight`, shape: [H], dtype: F },
      { name: `${p}ln_2.bias`, shape: [H], dtype: F },
      { name: `${p}mlp.c_fc.weight`, shape: [H, 4 * H], dtype: F },
      { name: `${p}mlp.c_fc.bias`, shape: [4 * H], dtype: F },
      { name: `${p}mlp.c_proj.weight`, shape: [4 * H, H], dtype: F },
      { name: `${p}mlp.c_proj.bias`, shape: [H], dtype: F },
    );
  }
  out.push({ name: 'ln_f.weight', shape: [H], dtype: F }, { name: 'ln_f.bias', shape: [H], dtype: F });
  return out;
}

export interface LlamaLike {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  tied: boolean;
  qkvBias?: boolean;
  qkNorm?: boolean;
  invFreq?: boolean;
  dtype: string;
}

/** A LlamaForCausalLM-style layout (Llama, Mistral, Qwen2 with biases, Qwen3 with QK-norm). */
export function llamaLikeTensors(m: LlamaLike): StSpec[] {
  const { hidden: H, headDim: D, dtype } = m;
  const out: StSpec[] = [{ name: 'model.embed_tokens.weight', shape: [m.vocab, H], dtype }];
  for (const n of range(m.layers)) {
    const p = `model.layers.${n}.`;
    out.push(
      { name: `${p}input_layernorm.weight`, shape: [H], dtype },
      { name: `${p}self_attn.q_proj.weight`, shape: [m.heads * D, H], dtype },
      { name: `${p}self_attn.k_proj.weight`, shape: [m.kvHeads * D, H], dtype },
      { name: `${p}self_attn.v_proj.weight`, shape: [m.kvHeads * D, H], dtype },
      { name: `${p}self_attn.o_proj.weight`, shape: [H, m.heads * D], dtype },
      { name: `${p}post_attention_layernorm.weight`, shape: [H], dtype },
      { name: `${p}mlp.gate_proj.weight`, shape: [m.intermediate, H], dtype },
      { name: `${p}mlp.up_proj.weight`, shape: [m.intermediate, H], dtype },
      { name: `${p}mlp.down_proj.weight`, shape: [H, m.intermediate], dtype },
    );
    if (m.qkvBias)
      out.push(
        { name: `${p}self_attn.q_proj.bias`, shape: [m.heads * D], dtype },
        { name: `${p}self_attn.k_proj.bias`, shape: [m.kvHeads * D], dtype },
        { name: `${p}self_attn.v_proj.bias`, shape: [m.kvHeads * D], dtype },
      );
    if (m.qkNorm)
      out.push(
        { name: `${p}self_attn.q_norm.weight`, shape: [D], dtype },
        { name: `${p}self_attn.k_norm.weight`, shape: [D], dtype },
      );
    if (m.invFreq) out.push({ name: `${p}self_attn.rotary_emb.inv_freq`, shape: [D / 2], dtype: 'F32' });
  }
  out.push({ name: 'model.norm.weight', shape: [H], dtype });
  if (!m.tied) out.push({ name: 'lm_head.weight', shape: [m.vocab, H], dtype });
  return out;
}

export const LLAMA2_7B: LlamaLike = {
  hidden: 4096,
  layers: 32,
  heads: 32,
  kvHeads: 32,
  headDim: 128,
  intermediate: 11008,
  vocab: 32000,
  tied: false,
  invFreq: true,
  dtype: 'F16',
};
export const QWEN25_05B: LlamaLike = {
  hidden: 896,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  headDim: 64,
  intermediate: 4864,
  vocab: 151936,
  tied: true,
  qkvBias: true,
  dtype: 'BF16',
};
export const LLAMA32_1B: LlamaLike = {
  hidden: 2048,
  layers: 16,
  heads: 32,
  kvHeads: 8,
  headDim: 64,
  intermediate: 8192,
  vocab: 128256,
  tied: true,
  dtype: 'BF16',
};
export const QWEN3_06B: LlamaLike = {
  hidden: 1024,
  layers: 28,
  heads: 16,
  kvHeads: 8,
  headDim: 128,
  intermediate: 3072,
  vocab: 151936,
  tied: true,
  qkNorm: true,
  dtype: 'BF16',
};

export const CONFIGS: Record<string, Record<string, unknown>> = {
  gpt2: {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    n_embd: 768,
    n_layer: 12,
    n_head: 12,
    n_positions: 1024,
    n_ctx: 1024,
    vocab_size: 50257,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
  },
  'llama-2-7b': {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 4096,
    intermediate_size: 11008,
    num_attention_heads: 32,
    num_hidden_layers: 32,
    num_key_value_heads: 32,
    max_position_embeddings: 4096,
    rms_norm_eps: 1e-5,
    vocab_size: 32000,
    hidden_act: 'silu',
    tie_word_embeddings: false,
    torch_dtype: 'float16',
  },
  'qwen2.5-0.5b': {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    hidden_size: 896,
    intermediate_size: 4864,
    num_attention_heads: 14,
    num_hidden_layers: 24,
    num_key_value_heads: 2,
    max_position_embeddings: 32768,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    sliding_window: 32768,
    use_sliding_window: false,
    vocab_size: 151936,
    tie_word_embeddings: true,
    hidden_act: 'silu',
    torch_dtype: 'bfloat16',
  },
  'llama-3.2-1b': {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 2048,
    intermediate_size: 8192,
    num_attention_heads: 32,
    num_hidden_layers: 16,
    num_key_value_heads: 8,
    head_dim: 64,
    max_position_embeddings: 131072,
    rms_norm_eps: 1e-5,
    rope_theta: 500000,
    rope_scaling: {
      factor: 32,
      high_freq_factor: 4,
      low_freq_factor: 1,
      original_max_position_embeddings: 8192,
      rope_type: 'llama3',
    },
    vocab_size: 128256,
    tie_word_embeddings: true,
    hidden_act: 'silu',
    torch_dtype: 'bfloat16',
  },
  'qwen3-0.6b': {
    architectures: ['Qwen3ForCausalLM'],
    model_type: 'qwen3',
    hidden_size: 1024,
    intermediate_size: 3072,
    num_attention_heads: 16,
    num_hidden_layers: 28,
    num_key_value_heads: 8,
    head_dim: 128,
    max_position_embeddings: 40960,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    vocab_size: 151936,
    tie_word_embeddings: true,
    hidden_act: 'silu',
    torch_dtype: 'bfloat16',
  },
};

/** A model folder: config.json and one safetensors file, or shards with an index when `shards` > 1. */
export function writeModelDir(
  dir: string,
  config: Record<string, unknown> | null,
  tensors: readonly StSpec[],
  shards = 1,
): void {
  mkdirSync(dir, { recursive: true });
  if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  if (shards === 1) {
    writeSparseSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
    return;
  }
  const per = Math.ceil(tensors.length / shards);
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = tensors.slice(s * per, (s + 1) * per);
    total += writeSparseSafetensors(join(dir, file), part, { format: 'pt' });
    for (const t of part) weightMap[t.name] = file;
  }
  writeFileSync(
    join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2),
  );
}

/** Llama-2-7B as llama.cpp's Q4_K_M writes it: Q4_K with Q6_K for attn_v/ffn_down on the "more bits" layers and the output. */
export function llama2Q4KMGguf(path: string, opts: { vocabTokens?: number } = {}): void {
  const L = 32,
    H = 4096,
    F = 11008,
    V = opts.vocabTokens ?? 32000;
  const Q4K = 12,
    Q6K = 14,
    F32 = 0;
  const moreBits = (i: number) => i < L / 8 || i >= (7 * L) / 8 || (i - L / 8) % 3 === 2;
  const tensors: GgufTensorSpec[] = [{ name: 'token_embd.weight', dims: [H, 32000], type: Q4K }];
  for (const i of range(L)) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [H], type: F32 },
      { name: `blk.${i}.attn_q.weight`, dims: [H, H], type: Q4K },
      { name: `blk.${i}.attn_k.weight`, dims: [H, H], type: Q4K },
      { name: `blk.${i}.attn_v.weight`, dims: [H, H], type: moreBits(i) ? Q6K : Q4K },
      { name: `blk.${i}.attn_output.weight`, dims: [H, H], type: Q4K },
      { name: `blk.${i}.ffn_norm.weight`, dims: [H], type: F32 },
      { name: `blk.${i}.ffn_gate.weight`, dims: [H, F], type: Q4K },
      { name: `blk.${i}.ffn_up.weight`, dims: [H, F], type: Q4K },
      { name: `blk.${i}.ffn_down.weight`, dims: [F, H], type: moreBits(i) ? Q6K : Q4K },
    );
  }
  tensors.push(
    { name: 'output_norm.weight', dims: [H], type: F32 },
    { name: 'output.weight', dims: [H, 32000], type: Q6K },
  );
  const tokens = range(V).map((i) => (i === 0 ? '<unk>' : i === 1 ? '<s>' : i === 2 ? '</s>' : `tok${i}`));
  const kvs: GgufKv[] = [
    ['general.architecture', 'string', 'llama'],
    ['general.name', 'string', 'LLaMA v2'],
    ['llama.context_length', 'u32', 4096],
    ['llama.embedding_length', 'u32', H],
    ['llama.block_count', 'u32', L],
    ['llama.feed_forward_length', 'u32', F],
    ['llama.rope.dimension_count', 'u32', 128],
    ['llama.attention.head_count', 'u32', 32],
    ['llama.attention.head_count_kv', 'u32', 32],
    ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5],
    ['general.file_type', 'u32', 15],
    ['tokenizer.ggml.model', 'string', 'llama'],
    ['tokenizer.ggml.tokens', 'array', 'string', tokens],
    ['tokenizer.ggml.scores', 'array', 'f32', range(V).map(() => 0)],
    ['tokenizer.ggml.token_type', 'array', 'i32', range(V).map(() => 1)],
    ['tokenizer.ggml.bos_token_id', 'u32', 1],
    ['tokenizer.ggml.eos_token_id', 'u32', 2],
    ['general.quantization_version', 'u32', 2],
  ];
  writeSparseGguf(path, kvs, tensors);
}
