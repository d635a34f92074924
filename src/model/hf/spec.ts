/**
 * What a Hugging Face config.json says about a model this tool can run: the
 * families whose every feature the inference path implements (GPT-2, Llama
 * including Llama 3's rope scaling, Mistral's sliding window, Qwen2's q/k/v
 * biases, Qwen3's QK-norm and free head_dim). Any other family is refused
 * with the features it would need, never run wrong.
 */
import { MicrogptError } from '../../errors.js';

export type HfFamily = 'gpt2' | 'llama' | 'mistral' | 'qwen2' | 'qwen3';
export const RUNNABLE: readonly HfFamily[] = ['gpt2', 'llama', 'mistral', 'qwen2', 'qwen3'];

/** Llama 3's frequency-dependent RoPE scaling (transformers' _compute_llama3_parameters). */
export interface Llama3Scaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalContext: number;
}

export interface HfSpec {
  family: HfFamily;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  context: number;
  eps: number;
  norm: 'layernorm' | 'rmsnorm';
  /** GPT-2's gelu_new (tanh form), or the SiLU of a gated MLP. */
  mlp: 'gelu_tanh' | 'swiglu';
  positions: 'learned' | 'rope';
  ropeTheta: number;
  ropeScaling: Llama3Scaling | null;
  /** Mistral: a query sees at most this many keys, itself included. */
  slidingWindow: number | null;
  tied: boolean;
  qkvBias: boolean;
  qkNorm: boolean;
  bosId: number | null;
  eosId: number | null;
}

/** What each family this tool knows but cannot run would need, in one line. */
const MISSING: ReadonlyMap<string, string> = new Map([
  ['mixtral', 'mixture-of-experts routing (8 experts, top-2)'],
  ['qwen2_moe', 'mixture-of-experts routing with a shared expert'],
  ['deepseek', 'mixture-of-experts routing with shared experts'],
  ['deepseek_v2', 'multi-head latent attention and mixture-of-experts routing'],
  ['gemma', 'GeGLU, (1 + weight) RMSNorm and scaled embeddings'],
  ['gemma2', 'GeGLU, logit soft-capping, alternating sliding-window layers'],
  ['phi', 'partial rotary embeddings and a parallel attention/MLP block'],
  ['phi3', 'fused qkv_proj / gate_up_proj weights and LongRoPE scaling'],
  ['falcon', 'fused multi-query QKV and a parallel attention/MLP block'],
  ['bloom', 'ALiBi and an embedding LayerNorm'],
  ['gpt_bigcode', 'multi-query attention with a fused c_attn'],
  ['gpt_neox', 'partial rotary embeddings and a parallel attention/MLP block'],
  ['opt', 'learned positions with an offset of 2 and ReLU'],
  ['bert', 'bidirectional attention (an encoder, not a causal language model)'],
  ['mamba', 'a selective state space, no attention'],
  ['rwkv', 'linear attention (time mixing)'],
]);

type Json = Record<string, unknown>;

const MODEL_TYPES: ReadonlyMap<string, HfFamily> = new Map([
  ['gpt2', 'gpt2'],
  ['llama', 'llama'],
  ['mistral', 'mistral'],
  ['qwen2', 'qwen2'],
  ['qwen3', 'qwen3'],
]);

/** Config numbers are hostile until checked: positive integers within a bound. */
function int(c: Json, where: string, keys: string[], max: number, fallback?: number): number {
  for (const k of keys) {
    if (!Object.hasOwn(c, k) || c[k] === null) continue;
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
      throw new MicrogptError('MG080', `${where}: ${k} = ${JSON.stringify(v)}; expected an integer from 1 to ${max}`);
    return v;
  }
  if (fallback !== undefined) return fallback;
  throw new MicrogptError(
    'MG080',
    `${where}: ${keys.join(' or ')} is missing; the model cannot be assembled without it`,
  );
}

function real(c: Json, where: string, key: string, fallback: number): number {
  if (!Object.hasOwn(c, key) || c[key] === null) return fallback;
  const v = c[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new MicrogptError('MG080', `${where}: ${key} = ${JSON.stringify(v)}; expected a positive number`);
  return v;
}

function optionalId(c: Json, key: string): number | null {
  const v = Object.hasOwn(c, key) ? c[key] : null;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

function ropeScaling(c: Json, where: string, context: number): Llama3Scaling | null {
  const r = Object.hasOwn(c, 'rope_scaling') ? c.rope_scaling : null;
  if (r === null || r === undefined) return null;
  if (typeof r !== 'object' || Array.isArray(r))
    throw new MicrogptError('MG081', `${where}: rope_scaling is not an object`);
  const s = r as Json;
  const type = s.rope_type ?? s.type;
  if (type === 'default') return null;
  if (type !== 'llama3')
    throw new MicrogptError(
      'MG081',
      `${where}: rope_scaling type ${JSON.stringify(type)} is not supported; this version runs "llama3" scaling or none`,
    );
  return {
    factor: real(s, `${where} rope_scaling`, 'factor', 8),
    lowFreqFactor: real(s, `${where} rope_scaling`, 'low_freq_factor', 1),
    highFreqFactor: real(s, `${where} rope_scaling`, 'high_freq_factor', 4),
    originalContext: int(s, `${where} rope_scaling`, ['original_max_position_embeddings'], 1 << 24, context),
  };
}

/** Reads config.json into what the inference path needs, or says exactly why it cannot run this model. */
export function readHfSpec(c: Json, where: string): HfSpec {
  const type = typeof c.model_type === 'string' ? c.model_type : null;
  const family = type === null ? undefined : MODEL_TYPES.get(type);
  if (!family) {
    const missing = type === null ? undefined : MISSING.get(type);
    throw new MicrogptError(
      'MG082',
      type === null
        ? `${where}: no model_type, so the family is unknown; runnable: ${RUNNABLE.join(', ')}`
        : missing
          ? `${where}: model_type "${type}" needs ${missing}, which this version does not run; runnable: ${RUNNABLE.join(', ')}`
          : `${where}: model_type "${type}" is not a family this tool runs; runnable: ${RUNNABLE.join(', ')}`,
    );
  }
  if (family === 'gpt2') {
    const hidden = int(c, where, ['n_embd'], 1 << 16);
    const heads = int(c, where, ['n_head'], 1024);
    if (hidden % heads !== 0)
      throw new MicrogptError('MG080', `${where}: n_embd ${hidden} is not a multiple of n_head ${heads}`);
    const act = c.activation_function ?? 'gelu_new';
    if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh')
      throw new MicrogptError(
        'MG082',
        `${where}: activation_function "${String(act)}" is not supported; GPT-2 runs with gelu_new`,
      );
    const context = int(c, where, ['n_positions', 'n_ctx'], 1 << 20);
    return {
      family,
      hidden,
      layers: int(c, where, ['n_layer'], 1024),
      heads,
      kvHeads: heads,
      headDim: hidden / heads,
      intermediate: int(c, where, ['n_inner'], 1 << 20, 4 * hidden),
      vocab: int(c, where, ['vocab_size'], 1 << 22),
      context,
      eps: real(c, where, 'layer_norm_epsilon', 1e-5),
      norm: 'layernorm',
      mlp: 'gelu_tanh',
      positions: 'learned',
      ropeTheta: 0,
      ropeScaling: null,
      slidingWindow: null,
      tied: c.tie_word_embeddings !== false,
      qkvBias: true,
      qkNorm: false,
      bosId: optionalId(c, 'bos_token_id'),
      eosId: optionalId(c, 'eos_token_id'),
    };
  }
  const hidden = int(c, where, ['hidden_size'], 1 << 16);
  const heads = int(c, where, ['num_attention_heads'], 1024);
  const kvHeads = int(c, where, ['num_key_value_heads'], 1024, heads);
  if (heads % kvHeads !== 0)
    throw new MicrogptError(
      'MG080',
      `${where}: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`,
    );
  const headDim = int(c, where, ['head_dim'], 4096, Math.floor(hidden / heads));
  if (!Object.hasOwn(c, 'head_dim') && hidden % heads !== 0)
    throw new MicrogptError(
      'MG080',
      `${where}: hidden_size ${hidden} is not a multiple of num_attention_heads ${heads}`,
    );
  if (headDim % 2 !== 0) throw new MicrogptError('MG080', `${where}: head_dim ${headDim} is odd; RoPE needs pairs`);
  const act = c.hidden_act ?? 'silu';
  if (act !== 'silu')
    throw new MicrogptError(
      'MG082',
      `${where}: hidden_act "${String(act)}" is not supported; ${family} runs with silu`,
    );
  const context = int(c, where, ['max_position_embeddings'], 1 << 24, 2048);
  const window =
    family === 'mistral' || (family !== 'llama' && c.use_sliding_window === true)
      ? int(c, where, ['sliding_window'], 1 << 24, context)
      : null;
  return {
    family,
    hidden,
    layers: int(c, where, ['num_hidden_layers'], 1024),
    heads,
    kvHeads,
    headDim,
    intermediate: int(c, where, ['intermediate_size'], 1 << 20),
    vocab: int(c, where, ['vocab_size'], 1 << 22),
    context,
    eps: real(c, where, 'rms_norm_eps', 1e-6),
    norm: 'rmsnorm',
    mlp: 'swiglu',
    positions: 'rope',
    ropeTheta: real(c, where, 'rope_theta', 10000),
    ropeScaling: ropeScaling(c, where, context),
    slidingWindow: window,
    tied: c.tie_word_embeddings === true,
    qkvBias: family === 'qwen2' || c.attention_bias === true,
    qkNorm: family === 'qwen3',
    bosId: optionalId(c, 'bos_token_id'),
    eosId: optionalId(c, 'eos_token_id'),
  };
}
