/**
 * What a Hugging Face config.json says about a model this tool can run. The
 * family is decided where the whole program decides it (familyOfConfig), the
 * fields are read with the program's one config.json reader
 * (contracts/hfconfig.ts), and the model's structure — norm, MLP, positions,
 * block, embedding scale — comes from the family's contract; the runnable
 * table (families.ts) adds only transformers' defaults. Any other family is
 * refused with the features it would need, never run wrong.
 */
import {
  configField,
  configProblems,
  CONFIG_SIZE_KEYS,
  declaredSizes,
  familyOfConfig,
  PARALLEL_KEYS,
  ropeParameters,
  SIZE_LIMITS,
  type Contract,
  type SizeVariant,
} from '../../contracts/index.js';
import { MicrogptError } from '../../errors.js';
import { kernel, slotValue } from '../../kernels/index.js';
import { RUNNABLE, runnableFamily, type RunnableFamily } from './families.js';

/** Llama 3's frequency-dependent RoPE scaling (transformers' _compute_llama3_parameters). */
export interface Llama3Scaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalContext: number;
}

export type Activation = 'gelu_tanh' | 'gelu' | 'silu' | 'relu';
export type BlockType = 'sequential' | 'parallel' | 'parallel_shared_norm';

export interface HfSpec {
  /** The contract's family name. */
  family: string;
  /** The contract the tensors are bound through. */
  contract: Contract;
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
  /** Gemma: the norm multiplies by (1 + weight). */
  normOffset: boolean;
  activation: Activation;
  /** A gated MLP: act(gate) ⊙ up. */
  gated: boolean;
  positions: 'learned' | 'rope';
  /** Dimensions of each head RoPE rotates (all of them but for partial rotary). */
  rotaryDims: number;
  ropeTheta: number;
  ropeScaling: Llama3Scaling | null;
  /** Mistral: a query sees at most this many keys, itself included. */
  slidingWindow: number | null;
  block: BlockType;
  /** Gemma's √hidden, in float32 as the forward pass computes; null: the embedding is not scaled. */
  embedScale: number | null;
  tied: boolean;
  /** config.json's attention_bias, where it says. */
  attentionBias: boolean | null;
  bosId: number | null;
  eosId: number | null;
  /** The contract's size names (hidden, kv_heads, head_dim …) with this model's values: its shape expressions read them. */
  sizes: Record<string, number>;
  /** Which config.json key gave each size, for messages. */
  keys: ReadonlyMap<string, string>;
}

/** What each family this tool knows but cannot run would need, in one line, by model_type. */
const MISSING: ReadonlyMap<string, string> = new Map([
  ['mixtral', 'mixture-of-experts routing (8 experts, top-2)'],
  ['qwen2_moe', 'mixture-of-experts routing with a shared expert'],
  ['deepseek', 'mixture-of-experts routing with shared experts'],
  ['deepseek_v2', 'multi-head latent attention and mixture-of-experts routing'],
  ['gemma2', 'logit soft-capping and alternating sliding-window layers'],
  ['falcon', 'fused multi-query QKV'],
  ['bloom', 'ALiBi and an embedding LayerNorm'],
  ['gpt_bigcode', 'multi-query attention with a fused c_attn'],
  ['opt', 'learned positions with an offset of 2 and ReLU'],
  ['bert', 'bidirectional attention (an encoder, not a causal language model)'],
  ['mamba', 'a selective state space, no attention'],
  ['rwkv', 'linear attention (time mixing)'],
]);

type Json = Record<string, unknown>;

const fail = (code: string, message: string): never => {
  throw new MicrogptError(code, message);
};

/** The contract of a family the float32 path runs, and its row; or why it cannot run. */
function runnable(c: Json, where: string, contracts: readonly Contract[]): [Contract, RunnableFamily] {
  const found = familyOfConfig(c, contracts);
  const row = found && runnableFamily(found.contract.family);
  if (found && row) return [found.contract, row];
  const type = typeof c.model_type === 'string' ? c.model_type : null;
  const names = RUNNABLE.map((r) => r.family).join(', ');
  const missing = (type === null ? undefined : MISSING.get(type)) ?? (found && MISSING.get(found.contract.family));
  return fail(
    'MG082',
    type === null && !found
      ? `${where}: no model_type, so the family is unknown; runnable: ${names}`
      : missing
        ? `${where}: model_type "${type ?? found!.contract.model_type}" needs ${missing}, which this version does not run; runnable: ${names}`
        : `${where}: model_type "${type ?? found!.contract.model_type}" is not a family this tool runs; runnable: ${names}`,
  );
}

/** The sizes config.json gives, checked, with transformers' defaults where it is silent. */
function sizes(
  c: Json,
  where: string,
  row: RunnableFamily,
): { values: Record<string, number>; keys: Map<string, string> } {
  const problem = configProblems(c)[0];
  if (problem) fail('MG080', `${where}: ${problem}`);
  const said = declaredSizes(c);
  const keys = new Map([...said].map(([f, v]) => [f as string, v.key]));
  for (const [field, max] of SIZE_LIMITS) {
    const v = said.get(field);
    if (v && v.value > max) fail('MG080', `${where}: ${v.key} = ${v.value}; expected at most ${max}`);
  }
  const get = (field: keyof SizeVariant, fallback?: number): number => {
    const v = said.get(field)?.value ?? fallback;
    if (v !== undefined) return v;
    const names = CONFIG_SIZE_KEYS.find(([f]) => f === field)![1];
    return fail('MG080', `${where}: ${names.join(' or ')} is missing; the model cannot be assembled without it`);
  };
  const hidden = get('hidden');
  const heads = get('heads');
  const kvHeads = get('kv_heads', heads);
  if (heads % kvHeads !== 0)
    fail(
      'MG080',
      `${where}: ${keys.get('heads')} ${heads} is not a multiple of ${keys.get('kv_heads') ?? 'the key/value heads'} ${kvHeads}`,
    );
  const perHidden = row.defaults.intermediatePerHidden;
  const values: Record<string, number> = {
    hidden,
    layers: get('layers'),
    heads,
    kv_heads: kvHeads,
    head_dim: get('head_dim', row.defaults.headDim ?? Math.floor(hidden / heads)),
    intermediate: get('intermediate', perHidden === undefined ? undefined : perHidden * hidden),
    vocab: get('vocab'),
    context: get('context', row.defaults.context),
    norm_eps: get('norm_eps', row.defaults.eps),
  };
  return { values, keys };
}

/** transformers' ACT2FN names, as the forward pass runs them. */
const ACTIVATIONS: ReadonlyMap<string, Activation> = new Map([
  ['gelu_new', 'gelu_tanh'],
  ['gelu_pytorch_tanh', 'gelu_tanh'],
  ['gelu_fast', 'gelu_tanh'],
  ['gelu', 'gelu'],
  ['silu', 'silu'],
  ['swish', 'silu'],
  ['relu', 'relu'],
]);

/** The activation config.json names, as the forward pass runs it; it must be the contract's kind of function. */
function activationOf(c: Json, where: string, row: RunnableFamily, contract: Contract): Activation {
  const said = configField(c, row.activationKeys);
  const name = said?.value ?? row.defaults.activation;
  const act = typeof name === 'string' ? ACTIVATIONS.get(name) : undefined;
  const kind = act === 'gelu_tanh' ? 'gelu' : act;
  if (kind !== contract.constraints.activation)
    fail(
      'MG082',
      `${where}: ${said?.key ?? 'the activation'} "${String(name)}" is not supported; ${contract.family} runs with ${contract.constraints.activation}`,
    );
  return act!;
}

/** Reads config.json into what the inference path needs, or says exactly why it cannot run this model. */
export function readHfSpec(c: Json, where: string, contracts: readonly Contract[]): HfSpec {
  const [contract, row] = runnable(c, where, contracts);
  const k = contract.constraints;
  if (!kernel('attention_type', k.attention_type).executable)
    fail('MG082', `${where}: ${contract.family}'s attention (${k.attention_type}) is explain-only`);
  const pos = k.positional_encoding;
  if (!['learned', 'absolute', 'rope', 'partial_rope'].includes(pos))
    fail('MG082', `${where}: ${contract.family}'s positions (${pos}) are not run by the float32 path`);
  const { values: z, keys } = sizes(c, where, row);
  const rope = pos === 'rope' || pos === 'partial_rope';
  const rotary = rope ? rotaryDimsOf(c, where, row, z.head_dim!) : z.head_dim!;
  if (rope && rotary % 2 !== 0) fail('MG080', `${where}: head_dim ${z.head_dim} is odd; RoPE needs pairs`);
  return {
    family: contract.family,
    contract,
    hidden: z.hidden!,
    layers: z.layers!,
    heads: z.heads!,
    kvHeads: z.kv_heads!,
    headDim: z.head_dim!,
    intermediate: z.intermediate!,
    vocab: z.vocab!,
    context: z.context!,
    eps: z.norm_eps!,
    norm: k.norm_type === 'layernorm' ? 'layernorm' : 'rmsnorm',
    normOffset: k.norm_type === 'offset_rmsnorm',
    activation: activationOf(c, where, row, contract),
    gated: k.mlp_type === 'swiglu' || k.mlp_type === 'gated_mlp',
    positions: rope ? 'rope' : 'learned',
    rotaryDims: rotary,
    ropeTheta: rope ? (declaredSizes(c).get('rope_theta')?.value ?? row.defaults.theta ?? 10000) : 0,
    ropeScaling: rope ? ropeScaling(c, where, z.context!) : null,
    slidingWindow: slidingWindow(c, row, z.context!),
    block: blockOf(c, contract),
    embedScale: slotValue(k, 'embedding_scale') === 'sqrt_hidden' ? Math.fround(Math.sqrt(z.hidden!)) : null,
    tied: typeof c.tie_word_embeddings === 'boolean' ? c.tie_word_embeddings : row.defaults.tied,
    attentionBias: typeof c.attention_bias === 'boolean' ? c.attention_bias : null,
    bosId: optionalId(c, 'bos_token_id'),
    eosId: optionalId(c, 'eos_token_id'),
    sizes: z,
    keys,
  };
}

/** int(head_dim · partial_rotary_factor), as transformers computes it: the dims of each head RoPE turns. */
function rotaryDimsOf(c: Json, where: string, row: RunnableFamily, headDim: number): number {
  const said = declaredSizes(c).get('partial_rotary_factor');
  const dims = Math.floor(headDim * (said?.value ?? row.defaults.rotary ?? 1));
  if (dims < 2 || dims % 2 !== 0)
    fail(
      'MG080',
      `${where}: ${said?.key ?? 'the rotary fraction'} gives ${dims} rotated dims of each ${headDim}-dim head; RoPE needs an even number, at least 2`,
    );
  return dims;
}

/** Attention and the MLP in sequence or in parallel: the contract's block, unless config.json turns it off (or on). */
function blockOf(c: Json, contract: Contract): BlockType {
  const own = slotValue(contract.constraints, 'block_type') as BlockType;
  const said = configField(c, PARALLEL_KEYS);
  if (typeof said?.value !== 'boolean') return own;
  return said.value ? (own === 'sequential' ? 'parallel' : own) : 'sequential';
}

function slidingWindow(c: Json, row: RunnableFamily, context: number): number | null {
  const on = row.window === 'when-set' || (row.window === 'when-enabled' && c.use_sliding_window === true);
  if (!on) return null;
  const w = declaredSizes(c).get('sliding_window')?.value;
  // Mistral without a window, or Qwen with use_sliding_window but none given: the whole context.
  return w ?? (row.window === 'when-set' ? null : context);
}

function optionalId(c: Json, key: string): number | null {
  const v = Object.hasOwn(c, key) ? c[key] : null;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

/** A positive number of the rope object, or its default. */
function real(s: Json, where: string, key: string, fallback: number): number {
  if (!Object.hasOwn(s, key) || s[key] === null) return fallback;
  const v = s[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    fail('MG080', `${where}: ${key} = ${JSON.stringify(v)}; expected a positive number`);
  return v as number;
}

function ropeScaling(c: Json, where: string, context: number): Llama3Scaling | null {
  const r = ropeParameters(c);
  const raw = configField(c, ['rope_scaling']);
  if (!r) {
    if (raw) fail('MG081', `${where}: rope_scaling is not an object`);
    return null;
  }
  const s = r.value;
  const type = s.rope_type ?? s.type;
  if (type === undefined || type === 'default') return null;
  if (type !== 'llama3')
    fail(
      'MG081',
      `${where}: ${r.key} type ${JSON.stringify(type)} is not supported; this version runs "llama3" scaling or none`,
    );
  const at = `${where} ${r.key}`;
  const original = real(s, at, 'original_max_position_embeddings', context);
  if (!Number.isInteger(original)) fail('MG080', `${at}: original_max_position_embeddings is not a whole number`);
  return {
    factor: real(s, at, 'factor', 8),
    lowFreqFactor: real(s, at, 'low_freq_factor', 1),
    highFreqFactor: real(s, at, 'high_freq_factor', 4),
    originalContext: original,
  };
}
