import type { Contract } from '../contracts/index.js';
import { MicrogptError } from '../errors.js';
import { kernel } from '../kernels/index.js';
import { isRotary, MICROGPT_ARCHITECTURE, type Architecture } from './architecture.js';
import { MICROGPT, type ModelConfig } from './config.js';

/** Structure a tiny instance does not reproduce, read off the family's tensor roles. */
function omissions(roles: ReadonlySet<string>): string[] {
  const out: string[] = [];
  if (roles.has('moe_router'))
    out.push(
      'mixture of experts: the tiny model has one dense MLP where the family routes each token to a few experts',
    );
  if (roles.has('attn_q_norm'))
    out.push("QK-norm: the family normalises each head's queries and keys; the tiny model does not");
  if (roles.has('attn_post_norm'))
    out.push(
      'post-norm and bidirectional attention: the family is an encoder; the tiny model is a causal, pre-norm language model',
    );
  return out;
}

/** K/V heads of a tiny instance, keeping the family's character: GQA shares, MQA shares all. */
const KV_HEADS: Record<string, number> = { mha: 4, gqa: 2, mqa: 1 };

/**
 * A family's tiny instance: microGPT's scale (n_embd 16, 4 query heads of dim 4,
 * 1 layer, block 16, MLP width 64) with the family's own kernels, and the
 * structure its tensor list shows (norm weights, extra norms, biases, tying).
 */
export function tinyInstance(c: Contract, vocabSize: number): { config: ModelConfig; architecture: Architecture } {
  if (c.family === 'microgpt') return { config: { ...MICROGPT, vocabSize }, architecture: MICROGPT_ARCHITECTURE };
  const k = c.constraints;
  if (!kernel('attention_type', k.attention_type).executable) {
    throw new MicrogptError(
      'MG022',
      `${c.family} is explain-only: its attention_type is ${k.attention_type} (${kernel('attention_type', k.attention_type).title}), with no attention matrix to run or show; try microgpt explain --kernel ${c.family}`,
    );
  }
  const roles = new Set(c.tensors.map((t) => t.role));
  const smallest = Object.values(c.sizes).sort((a, b) => a.parameters - b.parameters)[0];
  const architecture: Architecture = {
    family: c.family,
    attention_type: k.attention_type,
    activation: k.activation,
    ...(k.activation === 'gelu' ? { gelu_approximation: k.gelu_approximation ?? 'tanh' } : {}),
    norm_type: k.norm_type,
    mlp_type: k.mlp_type,
    positional_encoding: k.positional_encoding,
    tied_embeddings: k.tied_embeddings,
    norm_affine: roles.has('attn_norm') || roles.has('attn_post_norm') || roles.has('block_norm'),
    embedding_norm: roles.has('embedding_norm'),
    final_norm: roles.has('final_norm'),
    bias: {
      qkv: roles.has('attn_q_bias') || roles.has('attn_qkv_bias'),
      o: roles.has('attn_output_bias'),
      mlp: roles.has('mlp_up_bias'),
      lm_head: roles.has('lm_head_bias'),
    },
    ...(k.positional_encoding === 'rope' || k.positional_encoding === 'partial_rope'
      ? { rope_theta: smallest.rope_theta ?? 10000 }
      : {}),
    ...(k.positional_encoding === 'partial_rope' ? { rotary_fraction: smallest.partial_rotary_factor ?? 1 } : {}),
    ...(k.block_type && k.block_type !== 'sequential' ? { block_type: k.block_type } : {}),
    ...(k.embedding_scale && k.embedding_scale !== 'none' ? { embedding_scale: k.embedding_scale } : {}),
    omitted: omissions(roles),
  };
  return { config: { ...MICROGPT, vocabSize, nKvHead: KV_HEADS[k.attention_type] }, architecture };
}

/** Largest model `train --n-layer/--n-embd/--n-head` builds: what a checkpoint may describe (checkpoint.ts). */
const MAX_TRAINED = { layers: 64, embd: 1024, heads: 64, matrixProduct: 1e8 } as const;

/**
 * A model config grown or shrunk to the given layers, width and heads (the MLP
 * stays 4 × n_embd, K/V heads keep the family's sharing: all for MHA, the same
 * group size for GQA, one for MQA). Says exactly why a size cannot be built.
 */
export function resized(
  c: ModelConfig,
  a: Architecture,
  size: { layers?: number; embd?: number; heads?: number },
): ModelConfig {
  const nLayer = size.layers ?? c.nLayer;
  const nEmbd = size.embd ?? c.nEmbd;
  const nHead = size.heads ?? c.nHead;
  const group = c.nHead / c.nKvHead;
  const nKvHead = a.attention_type === 'mqa' ? 1 : Math.max(1, Math.floor(nHead / group));
  const why =
    nLayer > MAX_TRAINED.layers
      ? `--n-layer ${nLayer}: at most ${MAX_TRAINED.layers}`
      : nEmbd > MAX_TRAINED.embd
        ? `--n-embd ${nEmbd}: at most ${MAX_TRAINED.embd}`
        : nHead > MAX_TRAINED.heads
          ? `--n-head ${nHead}: at most ${MAX_TRAINED.heads}`
          : nEmbd % nHead !== 0
            ? `--n-embd ${nEmbd} is not a multiple of --n-head ${nHead} (each head gets n_embd / heads dimensions)`
            : isRotary(a) && (nEmbd / nHead) % 2 !== 0
              ? `a head of ${nEmbd / nHead} dimensions cannot be rotated by RoPE (it needs pairs); make n_embd / heads even`
              : nHead % nKvHead !== 0
                ? `--n-head ${nHead} cannot be split into ${a.family}'s K/V groups of ${group}`
                : nEmbd * 4 * nEmbd * nLayer > MAX_TRAINED.matrixProduct
                  ? `${nLayer} layers of n_embd ${nEmbd} are more than this tool trains (n_embd · 4·n_embd · layers ≤ ${MAX_TRAINED.matrixProduct.toExponential()})`
                  : null;
  if (why) throw new MicrogptError('MG087', why);
  return { ...c, nLayer, nEmbd, nHead, nKvHead, nHidden: 4 * nEmbd };
}
