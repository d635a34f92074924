import { MicrogptError } from '../errors.js';
import { kernel, slotValue } from '../kernels/index.js';
import type { Constraints, Contract, SizeVariant } from './schema.js';

/** One constraint read off a config.json, with the fields that decided it. */
export interface Derivation {
  key: keyof Constraints;
  value: string;
  because: string;
}

export interface HfConfigReading {
  modelType: string | null;
  architectures: string[];
  derivations: Derivation[];
  /** The config's own sizes, in the contract's terms (missing fields fall back to the family's smallest size). */
  size: SizeVariant;
  /** Fields this tool read, and what it could not find. */
  missing: string[];
}

type Json = Record<string, unknown>;

/** 1e-6 rather than 0.000001, as configs write it. */
const fmt = (x: number): string => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x));

const num = (c: Json, ...keys: string[]): [number, string] | null => {
  for (const k of keys) if (typeof c[k] === 'number' && Number.isFinite(c[k])) return [c[k] as number, k];
  return null;
};
const str = (c: Json, ...keys: string[]): [string, string] | null => {
  for (const k of keys) if (typeof c[k] === 'string') return [c[k] as string, k];
  return null;
};

/** Is this JSON document a Hugging Face config.json rather than a family contract? */
export function looksLikeHfConfig(data: unknown): data is Json {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const d = data as Json;
  return !('constraints' in d) && ('model_type' in d || 'architectures' in d);
}

/**
 * Reads a config.json: the constraints it implies, each with the field that
 * implies it ("num_key_value_heads=2 → GQA (2 KV heads < 14 query heads)"), and
 * its sizes. Only what the config says is derived; the rest comes from the family.
 */
export function readHfConfig(file: string, c: Json, family: Contract): HfConfigReading {
  const problem = configProblems(c)[0];
  if (problem) throw new MicrogptError('MG018', `${file}: ${problem}`);
  const { size, missing } = readSize(file, c, family);
  return {
    modelType: str(c, 'model_type')?.[0] ?? null,
    architectures: Array.isArray(c.architectures)
      ? c.architectures.filter((a): a is string => typeof a === 'string')
      : [],
    derivations: [...attentionType(c), ...activation(c), ...normAndPositions(c, family), ...flags(c, family)],
    size,
    missing,
  };
}

const HEADS = ['num_attention_heads', 'n_head', 'num_heads', 'n_heads'];
const KV_HEADS = ['num_key_value_heads', 'num_kv_heads', 'n_head_kv', 'multi_query_group_num'];

function attentionType(c: Json): Derivation[] {
  const heads = num(c, ...HEADS);
  if (!heads) return [];
  const [h] = heads;
  const kv = num(c, ...KV_HEADS);
  if (c.multi_query === true && !kv)
    return [
      { key: 'attention_type', value: 'mqa', because: `multi_query=true → MQA (1 KV head for ${h} query heads)` },
    ];
  if (!kv)
    return [
      {
        key: 'attention_type',
        value: 'mha',
        because: `${heads[1]}=${h} and no KV-head count → MHA (every head has its own K and V)`,
      },
    ];
  const k = kv[0];
  const [value, why] =
    k === h
      ? ['mha', `${k} KV heads = ${h} query heads`]
      : k === 1
        ? ['mqa', `1 KV head for ${h} query heads`]
        : ['gqa', `${k} KV heads < ${h} query heads`];
  return [{ key: 'attention_type', value, because: `${kv[1]}=${k} → ${value.toUpperCase()} (${why})` }];
}

/** The activation's keys, in the order transformers reads them (Gemma's hidden_activation overrides its hidden_act). */
export const ACTIVATION_KEYS = ['hidden_activation', 'hidden_act', 'activation_function', 'activation'];

function activation(c: Json): Derivation[] {
  const act = str(c, ...ACTIVATION_KEYS);
  if (!act) return [];
  const a = act[0].toLowerCase();
  const value = a.startsWith('gelu')
    ? 'gelu'
    : a === 'silu' || a === 'swish'
      ? 'silu'
      : a.startsWith('relu')
        ? 'relu'
        : null;
  return value ? [{ key: 'activation', value, because: `${act[1]}=${JSON.stringify(act[0])} → ${value}` }] : [];
}

function normAndPositions(c: Json, family: Contract): Derivation[] {
  const out: Derivation[] = [];
  const rms = num(c, 'rms_norm_eps');
  const ln = num(c, 'layer_norm_eps', 'layer_norm_epsilon');
  // The config says RMSNorm; the family says which form (Gemma's (1 + w)).
  const ownRms = kernel('norm_type', family.constraints.norm_type).kind === 'rmsnorm';
  if (rms) {
    const value = ownRms ? family.constraints.norm_type : 'rmsnorm';
    const form = value === 'rmsnorm' ? '' : ` (${family.family}'s ${kernel('norm_type', value).title})`;
    out.push({ key: 'norm_type', value, because: `rms_norm_eps=${fmt(rms[0])} → RMSNorm${form}` });
  } else if (ln && family.constraints.norm_type !== 'rmsnorm')
    out.push({ key: 'norm_type', value: 'layernorm', because: `${ln[1]}=${fmt(ln[0])} → LayerNorm` });
  const theta = sizeField(c, THETA_KEYS);
  const part = sizeField(c, ROTARY_KEYS);
  if (c.alibi === true || c.position_embedding_type === 'alibi')
    out.push({ key: 'positional_encoding', value: 'alibi', because: 'alibi=true → ALiBi' });
  else if (part && part[0] < 1)
    out.push({
      key: 'positional_encoding',
      value: 'partial_rope',
      because: `${part[1]}=${part[0]} → partial RoPE (${Math.round(part[0] * 100)}% of each head rotated)`,
    });
  else if (theta) out.push({ key: 'positional_encoding', value: 'rope', because: `${theta[1]}=${theta[0]} → RoPE` });
  else if (c.position_embedding_type === 'absolute')
    out.push({
      key: 'positional_encoding',
      value: family.constraints.positional_encoding,
      because: 'position_embedding_type="absolute" → learned absolute positions',
    });
  return out;
}

/** GPT-NeoX's use_parallel_residual and Falcon's parallel_attn: whether attention and the MLP read the same stream. */
export const PARALLEL_KEYS = ['use_parallel_residual', 'parallel_attn'];

function flags(c: Json, family: Contract): Derivation[] {
  const out: Derivation[] = [];
  const bias = ['attention_bias', 'bias', 'use_bias', 'add_bias_linear'].find((k) => typeof c[k] === 'boolean');
  if (bias) out.push({ key: 'has_bias', value: String(c[bias]), because: `${bias}=${c[bias]} → has_bias ${c[bias]}` });
  if (typeof c.tie_word_embeddings === 'boolean') {
    out.push({
      key: 'tied_embeddings',
      value: String(c.tie_word_embeddings),
      because: `tie_word_embeddings=${c.tie_word_embeddings} → tied_embeddings ${c.tie_word_embeddings}`,
    });
  }
  const parallel = PARALLEL_KEYS.find((k) => typeof c[k] === 'boolean');
  if (parallel) {
    const own = slotValue(family.constraints, 'block_type');
    const value = c[parallel] ? (own === 'sequential' ? 'parallel' : own) : 'sequential';
    out.push({ key: 'block_type', value, because: `${parallel}=${c[parallel]} → ${value} block` });
  }
  return out;
}

/** Each size field and the config.json keys that carry it, first match wins (names differ between families). */
export const CONFIG_SIZE_KEYS: ReadonlyArray<readonly [keyof SizeVariant, readonly string[]]> = [
  ['hidden', ['hidden_size', 'n_embd', 'd_model']],
  ['layers', ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers']],
  ['heads', HEADS],
  ['kv_heads', KV_HEADS],
  ['head_dim', ['head_dim']],
  ['intermediate', ['intermediate_size', 'ffn_dim', 'n_inner', 'd_ff']],
  ['vocab', ['vocab_size']],
  ['context', ['max_position_embeddings', 'n_positions', 'seq_length', 'context_length']],
  ['norm_eps', ['rms_norm_eps', 'layer_norm_eps', 'layer_norm_epsilon']],
  ['rope_theta', ['rope_theta', 'rotary_emb_base']],
  ['partial_rotary_factor', ['partial_rotary_factor', 'rotary_pct']],
  ['experts', ['num_local_experts', 'n_routed_experts', 'num_experts']],
  ['experts_per_token', ['num_experts_per_tok']],
  ['shared_experts', ['n_shared_experts']],
  ['moe_intermediate', ['moe_intermediate_size']],
  ['state_size', ['state_size']],
  ['conv_kernel', ['conv_kernel']],
  ['time_step_rank', ['time_step_rank']],
  ['sliding_window', ['sliding_window']],
];

const EPS_KEYS = ['rms_norm_eps', 'layer_norm_eps', 'layer_norm_epsilon'];
const THETA_KEYS = ['rope_theta', 'rotary_emb_base'];
const ROTARY_KEYS = ['partial_rotary_factor', 'rotary_pct'];
/** Size fields that are real numbers, not counts. */
const REAL_FIELDS: ReadonlySet<string> = new Set(['norm_eps', 'rope_theta', 'partial_rotary_factor']);

/** The first of these keys config.json sets (to anything but null), and its value: how every field is looked up. */
export function configField(c: Json, keys: readonly string[]): { value: unknown; key: string } | null {
  for (const key of keys) if (Object.hasOwn(c, key) && c[key] !== null) return { value: c[key], key };
  return null;
}

/**
 * RoPE's settings as one object: transformers 4.5x writes them as
 * rope_parameters (theta, partial_rotary_factor, rope_type), earlier
 * versions as rope_scaling (type and factors only). Null when neither is an object.
 */
export function ropeParameters(c: Json): { value: Json; key: string } | null {
  const r = configField(c, ['rope_parameters', 'rope_scaling']);
  return r && typeof r.value === 'object' && !Array.isArray(r.value) ? { value: r.value as Json, key: r.key } : null;
}

/** A number config.json gives at the top level, or inside rope_parameters for RoPE's own fields. */
function sizeField(c: Json, keys: readonly string[]): [number, string] | null {
  const top = num(c, ...keys);
  if (top) return top;
  const rope = c.rope_parameters;
  if (typeof rope !== 'object' || rope === null || Array.isArray(rope)) return null;
  const inner = num(rope as Json, ...keys.filter((k) => k === 'rope_theta' || k === 'partial_rotary_factor'));
  return inner && [inner[0], `rope_parameters.${inner[1]}`];
}

/**
 * What is wrong with a config.json's numbers, field by field: a number written
 * as a string (silently ignored otherwise, and the family default used), a
 * size that is not a positive whole number, an epsilon outside (0, 1), a RoPE
 * base ≤ 0, heads that do not divide the hidden size when no head_dim is given.
 */
export function configProblems(c: Json): string[] {
  const out: string[] = [];
  const present = (k: string) => Object.hasOwn(c, k) && c[k] !== null;
  for (const [field, keys] of CONFIG_SIZE_KEYS) {
    for (const k of keys) {
      if (!present(k)) continue;
      const v = c[k];
      if (typeof v !== 'number' || !Number.isFinite(v))
        out.push(`${k} is ${JSON.stringify(v)}, not a number (config.json numbers are written without quotes)`);
      else if (!REAL_FIELDS.has(field) && (!Number.isInteger(v) || v < (field === 'intermediate' ? 0 : 1)))
        out.push(`${k} = ${v} is not a usable size (a whole number${field === 'intermediate' ? '' : ' from 1'})`);
    }
  }
  for (const k of EPS_KEYS)
    if (present(k) && typeof c[k] === 'number' && !((c[k] as number) > 0 && (c[k] as number) < 1))
      out.push(`${k} = ${c[k]} must be between 0 and 1`);
  for (const k of THETA_KEYS)
    if (present(k) && typeof c[k] === 'number' && !((c[k] as number) > 0))
      out.push(`${k} = ${c[k]} must be greater than 0`);
  for (const k of ROTARY_KEYS)
    if (present(k) && typeof c[k] === 'number' && !((c[k] as number) > 0 && (c[k] as number) <= 1))
      out.push(`${k} = ${c[k]} must be a fraction of the head, above 0 and at most 1`);
  // transformers ≥ 4.5x nests RoPE's base and fraction in rope_parameters.
  const rope = ropeParameters(c);
  if (rope?.key === 'rope_parameters') {
    const { rope_theta: theta, partial_rotary_factor: part } = rope.value;
    if (theta !== undefined && theta !== null && !(typeof theta === 'number' && theta > 0))
      out.push(`rope_parameters.rope_theta = ${JSON.stringify(theta)} must be a number greater than 0`);
    if (part !== undefined && part !== null && !(typeof part === 'number' && part > 0 && part <= 1))
      out.push(
        `rope_parameters.partial_rotary_factor = ${JSON.stringify(part)} must be a fraction above 0 and at most 1`,
      );
  }
  const hidden = num(c, 'hidden_size', 'n_embd', 'd_model');
  const heads = num(c, ...HEADS);
  if (hidden && heads && heads[0] > 0 && !num(c, 'head_dim') && hidden[0] % heads[0] !== 0)
    out.push(`${heads[1]} = ${heads[0]} does not divide ${hidden[1]} = ${hidden[0]}, and there is no head_dim`);
  return out;
}

/** What a config.json itself states, field by field, with the key that said it; nothing filled in. */
export function declaredSizes(c: Json): Map<keyof SizeVariant, { value: number; key: string }> {
  const out = new Map<keyof SizeVariant, { value: number; key: string }>();
  for (const [field, keys] of CONFIG_SIZE_KEYS) {
    const v = sizeField(c, keys);
    // Qwen2 configs carry a sliding_window they do not use (use_sliding_window: false).
    if (v && !(field === 'sliding_window' && c.use_sliding_window === false))
      out.set(field, { value: v[0], key: v[1] });
  }
  if (!out.has('kv_heads') && c.multi_query === true) out.set('kv_heads', { value: 1, key: 'multi_query' });
  return out;
}

/** The config's sizes in the contract's terms; what it leaves out comes from the family's smallest size, and is listed as missing. */
function readSize(file: string, c: Json, family: Contract): { size: SizeVariant; missing: string[] } {
  const base = Object.values(family.sizes).sort((a, b) => a.parameters - b.parameters)[0];
  const said = declaredSizes(c);
  const missing = (['hidden', 'layers', 'vocab'] as const)
    .filter((f) => !said.has(f))
    .map((f) => CONFIG_SIZE_KEYS.find(([k]) => k === f)![1][0]);
  const get = (f: keyof SizeVariant): number | undefined => said.get(f)?.value;
  const hidden = get('hidden') ?? base.hidden;
  const heads = get('heads') ?? base.heads;
  const size: SizeVariant = {
    parameters: base.parameters,
    hidden,
    layers: get('layers') ?? base.layers,
    heads,
    kv_heads: get('kv_heads') ?? heads,
    intermediate: get('intermediate') ?? (family.constraints.attention_type === 'ssm' ? 2 * hidden : 4 * hidden),
    vocab: get('vocab') ?? base.vocab,
    context: get('context') ?? base.context,
    norm_eps: get('norm_eps') ?? base.norm_eps,
  };
  for (const f of ['head_dim', 'rope_theta', 'partial_rotary_factor', 'sliding_window'] as const)
    if (said.has(f)) size[f] = said.get(f)!.value;
  for (const f of [
    'experts',
    'experts_per_token',
    'shared_experts',
    'moe_intermediate',
    'state_size',
    'conv_kernel',
    'time_step_rank',
  ] as const) {
    const v = get(f) ?? base[f];
    if (v !== undefined) size[f] = v;
  }
  checkSize(file, size);
  return { size, missing };
}

/** The largest size a real model has in each field: anything above is a corrupt or hostile file. */
export const SIZE_LIMITS: ReadonlyArray<readonly [keyof SizeVariant, number]> = [
  ['hidden', 1e6],
  ['layers', 1e4],
  ['heads', 1e4],
  ['kv_heads', 1e4],
  ['head_dim', 1e5],
  ['intermediate', 1e7],
  ['vocab', 1e8],
  ['context', 1e9],
  ['experts', 1e4],
  ['experts_per_token', 1e4],
  ['shared_experts', 1e4],
  ['moe_intermediate', 1e7],
  ['state_size', 1e5],
  ['conv_kernel', 1e3],
  ['time_step_rank', 1e6],
  ['sliding_window', 1e9],
];

/** A config is read as a real model: whole, positive, bounded sizes. */
function checkSize(file: string, size: SizeVariant): void {
  for (const [field, max] of SIZE_LIMITS) {
    if (!(field in size)) continue;
    const v = size[field] as number;
    if (!Number.isInteger(v) || v < (field === 'intermediate' ? 0 : 1) || v > max) {
      throw new MicrogptError(
        'MG018',
        `${file}: ${field} = ${v} is not a usable size (a whole number from 1 to ${max}); check the config's sizes`,
      );
    }
  }
  if (size.heads % size.kv_heads !== 0)
    throw new MicrogptError(
      'MG018',
      `${file}: ${size.heads} attention heads are not divisible by ${size.kv_heads} key/value heads`,
    );
}
