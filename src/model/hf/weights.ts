/**
 * A Hugging Face checkpoint's weights as float32, in the places the inference
 * path reads them. Each tensor is found by its Hugging Face name (with or
 * without the wrapper prefix), its shape checked against config.json before
 * a byte of data is read, then decoded chunk by chunk (F32, F16, BF16, F64)
 * straight into its Float32Array: peak memory is the float32 weights plus
 * one chunk. GPT-2's Conv1D matrices ([in, out]) are transposed to [out, in] once here.
 */
import { totalmem } from 'node:os';
import { MicrogptError } from '../../errors.js';
import { canDecode, readFloat32 } from '../../formats/values.js';
import type { TensorEntry } from '../../formats/types.js';
import type { HfSpec } from './spec.js';

export interface LayerWeights {
  norm1: Float32Array;
  norm1Bias: Float32Array | null;
  /** Projections as [out, in], row-major. */
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  o: Float32Array;
  qBias: Float32Array | null;
  kBias: Float32Array | null;
  vBias: Float32Array | null;
  oBias: Float32Array | null;
  /** Qwen3: RMSNorm weights over each head's dims, for queries and keys. */
  qNorm: Float32Array | null;
  kNorm: Float32Array | null;
  norm2: Float32Array;
  norm2Bias: Float32Array | null;
  gate: Float32Array | null;
  up: Float32Array;
  down: Float32Array;
  upBias: Float32Array | null;
  downBias: Float32Array | null;
}

export interface HfWeights {
  embed: Float32Array;
  positions: Float32Array | null;
  layers: LayerWeights[];
  finalNorm: Float32Array;
  finalNormBias: Float32Array | null;
  /** [vocab, hidden]: the embedding itself when tied. */
  lmHead: Float32Array;
  parameterCount: number;
}

/** Bytes a load may take: the weights as float32 must fit in this share of the machine's memory. */
const MEMORY_SHARE = 0.75;

/** Finds tensors by Hugging Face name, trying the names a wrapper class adds or drops. */
class Names {
  private readonly byName: Map<string, TensorEntry>;
  constructor(
    tensors: readonly TensorEntry[],
    private readonly prefixes: readonly string[],
  ) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }
  find(name: string): TensorEntry | undefined {
    for (const p of this.prefixes) {
      const t = this.byName.get(p + name);
      if (t) return t;
    }
    return undefined;
  }
}

interface Want {
  name: string;
  shape: number[];
  /** Which config fields the shape comes from, for the error when it disagrees. */
  because: string;
  optional?: boolean;
  transpose?: boolean;
}

/** The tensors a spec needs, in Hugging Face naming. */
function wanted(s: HfSpec): Want[] {
  const C = s.hidden,
    q = s.heads * s.headDim,
    kv = s.kvHeads * s.headDim,
    F = s.intermediate;
  const w: Want[] = [];
  const add = (name: string, shape: number[], because: string, extra: Partial<Want> = {}) =>
    w.push({ name, shape, because, ...extra });
  if (s.family === 'gpt2') {
    add('wte.weight', [s.vocab, C], 'vocab_size, n_embd');
    add('wpe.weight', [s.context, C], 'n_positions, n_embd');
    for (let i = 0; i < s.layers; i++) {
      const l = `h.${i}.`;
      add(`${l}ln_1.weight`, [C], 'n_embd');
      add(`${l}ln_1.bias`, [C], 'n_embd');
      add(`${l}attn.c_attn.weight`, [C, 3 * C], 'n_embd, 3·n_embd (Conv1D: [in, out])');
      add(`${l}attn.c_attn.bias`, [3 * C], '3·n_embd');
      add(`${l}attn.c_proj.weight`, [C, C], 'n_embd, n_embd');
      add(`${l}attn.c_proj.bias`, [C], 'n_embd');
      add(`${l}ln_2.weight`, [C], 'n_embd');
      add(`${l}ln_2.bias`, [C], 'n_embd');
      add(`${l}mlp.c_fc.weight`, [C, F], 'n_embd, n_inner (Conv1D: [in, out])');
      add(`${l}mlp.c_fc.bias`, [F], 'n_inner');
      add(`${l}mlp.c_proj.weight`, [F, C], 'n_inner, n_embd (Conv1D: [in, out])');
      add(`${l}mlp.c_proj.bias`, [C], 'n_embd');
    }
    add('ln_f.weight', [C], 'n_embd');
    add('ln_f.bias', [C], 'n_embd');
    add('lm_head.weight', [s.vocab, C], 'vocab_size, n_embd', { optional: s.tied });
    return w;
  }
  add('embed_tokens.weight', [s.vocab, C], 'vocab_size, hidden_size');
  for (let i = 0; i < s.layers; i++) {
    const l = `layers.${i}.`;
    add(`${l}input_layernorm.weight`, [C], 'hidden_size');
    add(`${l}self_attn.q_proj.weight`, [q, C], 'num_attention_heads·head_dim, hidden_size');
    add(`${l}self_attn.k_proj.weight`, [kv, C], 'num_key_value_heads·head_dim, hidden_size');
    add(`${l}self_attn.v_proj.weight`, [kv, C], 'num_key_value_heads·head_dim, hidden_size');
    add(`${l}self_attn.o_proj.weight`, [C, q], 'hidden_size, num_attention_heads·head_dim');
    if (s.qkvBias) {
      add(`${l}self_attn.q_proj.bias`, [q], 'num_attention_heads·head_dim');
      add(`${l}self_attn.k_proj.bias`, [kv], 'num_key_value_heads·head_dim');
      add(`${l}self_attn.v_proj.bias`, [kv], 'num_key_value_heads·head_dim');
    }
    if (s.qkNorm) {
      add(`${l}self_attn.q_norm.weight`, [s.headDim], 'head_dim');
      add(`${l}self_attn.k_norm.weight`, [s.headDim], 'head_dim');
    }
    add(`${l}post_attention_layernorm.weight`, [C], 'hidden_size');
    add(`${l}mlp.gate_proj.weight`, [F, C], 'intermediate_size, hidden_size');
    add(`${l}mlp.up_proj.weight`, [F, C], 'intermediate_size, hidden_size');
    add(`${l}mlp.down_proj.weight`, [C, F], 'hidden_size, intermediate_size');
  }
  add('norm.weight', [C], 'hidden_size');
  add('lm_head.weight', [s.vocab, C], 'vocab_size, hidden_size', { optional: s.tied });
  return w;
}

/** A tensor's values as float32, optionally transposed from [rows, cols] to [cols, rows]. */
function decode(t: TensorEntry, transpose: boolean): Float32Array {
  const { values: out, read } = readFloat32(t);
  if (read !== t.elements)
    throw new MicrogptError('MG083', `tensor "${t.name}": the file ends after ${read} of ${t.elements} values`);
  if (!transpose) return out;
  const [rows, cols] = t.shape as [number, number];
  const tr = new Float32Array(t.elements);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) tr[c * rows + r] = out[r * cols + c]!;
  return tr;
}

/** Float32 bytes the weights will take, and whether this machine can hold them. */
export function checkMemory(parameters: number, what: string, available = totalmem()): void {
  const need = parameters * 4;
  if (need > available * MEMORY_SHARE)
    throw new MicrogptError(
      'MG084',
      `${what}: ${parameters.toLocaleString('en-US')} parameters need ${(need / 2 ** 30).toFixed(1)} GiB as float32; this machine has ${(available / 2 ** 30).toFixed(1)} GiB (at most ${MEMORY_SHARE * 100}% of it is used for weights)`,
    );
}

/** Reads, checks and decodes every tensor the spec needs from the model's files. */
export function loadHfWeights(s: HfSpec, tensors: readonly TensorEntry[], where: string): HfWeights {
  const names = new Names(tensors, s.family === 'gpt2' ? ['', 'transformer.'] : ['model.', '']);
  // lm_head is never under the wrapper prefix.
  const head = new Names(tensors, ['']);
  const found = new Map<string, TensorEntry>();
  for (const w of wanted(s)) {
    const t = w.name === 'lm_head.weight' ? head.find(w.name) : names.find(w.name);
    if (!t) {
      if (w.optional) continue;
      throw new MicrogptError(
        'MG083',
        `${where}: tensor "${w.name}" is missing (config.json makes it [${w.shape.join(', ')}] from ${w.because})`,
      );
    }
    if (t.shape.join() !== w.shape.join())
      throw new MicrogptError(
        'MG083',
        `${where}: tensor "${t.name}" is [${t.shape.join(', ')}], but config.json gives [${w.shape.join(', ')}] (${w.because})`,
      );
    if (!canDecode(t.dtype))
      throw new MicrogptError(
        'MG083',
        `${where}: tensor "${t.name}" is ${t.dtype}; this version runs F32, F16, BF16 and F64 weights`,
      );
    found.set(w.name, t);
  }
  if (!s.tied && !found.has('lm_head.weight'))
    throw new MicrogptError(
      'MG083',
      `${where}: config.json says tie_word_embeddings is false, but there is no lm_head.weight`,
    );
  // A tied head is the embedding itself: a saved copy is neither counted nor loaded.
  if (s.tied) found.delete('lm_head.weight');
  const parameters = [...found.values()].reduce((n, t) => n + t.elements, 0);
  checkMemory(parameters, where);
  const get = (name: string, transpose = false) => decode(found.get(name)!, transpose);
  const maybe = (name: string) => (found.has(name) ? get(name) : null);
  return s.family === 'gpt2' ? gpt2Weights(s, get, maybe, parameters) : llamaWeights(s, get, maybe, parameters);
}

type Get = (name: string, transpose?: boolean) => Float32Array;
type Maybe = (name: string) => Float32Array | null;

function llamaWeights(s: HfSpec, get: Get, maybe: Maybe, parameterCount: number): HfWeights {
  const embed = get('embed_tokens.weight');
  return {
    embed,
    positions: null,
    layers: Array.from({ length: s.layers }, (_, i) => {
      const l = `layers.${i}.`;
      return {
        norm1: get(`${l}input_layernorm.weight`),
        norm1Bias: null,
        q: get(`${l}self_attn.q_proj.weight`),
        k: get(`${l}self_attn.k_proj.weight`),
        v: get(`${l}self_attn.v_proj.weight`),
        o: get(`${l}self_attn.o_proj.weight`),
        qBias: maybe(`${l}self_attn.q_proj.bias`),
        kBias: maybe(`${l}self_attn.k_proj.bias`),
        vBias: maybe(`${l}self_attn.v_proj.bias`),
        oBias: null,
        qNorm: maybe(`${l}self_attn.q_norm.weight`),
        kNorm: maybe(`${l}self_attn.k_norm.weight`),
        norm2: get(`${l}post_attention_layernorm.weight`),
        norm2Bias: null,
        gate: get(`${l}mlp.gate_proj.weight`),
        up: get(`${l}mlp.up_proj.weight`),
        down: get(`${l}mlp.down_proj.weight`),
        upBias: null,
        downBias: null,
      };
    }),
    finalNorm: get('norm.weight'),
    finalNormBias: null,
    lmHead: s.tied ? embed : get('lm_head.weight'),
    parameterCount,
  };
}

/** GPT-2's fused c_attn [C, 3C] (Conv1D) split into q, k, v as [out, in]. */
function splitQkv(w: Float32Array, b: Float32Array, C: number): { q: Float32Array[]; b: Float32Array[] } {
  const parts = [0, 1, 2].map((p) => {
    const m = new Float32Array(C * C);
    for (let o = 0; o < C; o++) for (let i = 0; i < C; i++) m[o * C + i] = w[i * 3 * C + p * C + o]!;
    return m;
  });
  return { q: parts, b: [0, 1, 2].map((p) => b.slice(p * C, (p + 1) * C)) };
}

function gpt2Weights(s: HfSpec, get: Get, maybe: Maybe, parameterCount: number): HfWeights {
  const embed = get('wte.weight');
  return {
    embed,
    positions: get('wpe.weight'),
    layers: Array.from({ length: s.layers }, (_, i) => {
      const l = `h.${i}.`;
      const { q, b } = splitQkv(get(`${l}attn.c_attn.weight`), get(`${l}attn.c_attn.bias`), s.hidden);
      return {
        norm1: get(`${l}ln_1.weight`),
        norm1Bias: get(`${l}ln_1.bias`),
        q: q[0]!,
        k: q[1]!,
        v: q[2]!,
        o: get(`${l}attn.c_proj.weight`, true),
        qBias: b[0]!,
        kBias: b[1]!,
        vBias: b[2]!,
        oBias: get(`${l}attn.c_proj.bias`),
        qNorm: null,
        kNorm: null,
        norm2: get(`${l}ln_2.weight`),
        norm2Bias: get(`${l}ln_2.bias`),
        gate: null,
        up: get(`${l}mlp.c_fc.weight`, true),
        down: get(`${l}mlp.c_proj.weight`, true),
        upBias: get(`${l}mlp.c_fc.bias`),
        downBias: get(`${l}mlp.c_proj.bias`),
      };
    }),
    finalNorm: get('ln_f.weight'),
    finalNormBias: get('ln_f.bias'),
    lmHead: s.tied ? embed : get('lm_head.weight'),
    parameterCount,
  };
}
