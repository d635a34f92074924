import { Rng, Tensor } from '../tensor/index.js';
import { hasPositionTable, isGated, type Architecture } from './architecture.js';
import { MICROGPT_ARCHITECTURE } from './architecture.js';
import { headDim, type ModelConfig } from './config.js';

export interface ParamSpec {
  name: string;
  shape: number[];
  /** The tensor's role, in the contracts' vocabulary (attn_q, mlp_down, …). */
  role: string;
  init: 'normal' | 'ones' | 'zeros';
}

/**
 * Tensor names, shapes and roles in checkpoint order; every matrix is [out, in]
 * (y = W·x). microGPT's are exactly DESIGN.md's; other families add their
 * norm weights, biases and gate projections under the same layer{i}. pattern.
 */
export function parameterSpecs(c: ModelConfig, a: Architecture = MICROGPT_ARCHITECTURE): ParamSpec[] {
  const C = c.nEmbd,
    H = c.nHidden,
    kv = c.nKvHead * headDim(c);
  const specs: ParamSpec[] = [];
  const add = (name: string, shape: number[], role: string, init: ParamSpec['init'] = 'normal') =>
    specs.push({ name, shape, role, init });
  const norm = (prefix: string, role: string) => {
    if (!a.norm_affine) return;
    add(`${prefix}_w`, [C], role, 'ones');
    if (a.norm_type === 'layernorm') add(`${prefix}_b`, [C], `${role}_bias`, 'zeros');
  };
  add('wte', [c.vocabSize, C], 'token_embedding');
  if (hasPositionTable(a)) add('wpe', [c.blockSize, C], 'position_embedding');
  if (!a.tied_embeddings) add('lm_head', [c.vocabSize, C], 'lm_head');
  if (a.bias.lm_head) add('lm_head_b', [c.vocabSize], 'lm_head_bias', 'zeros');
  if (a.embedding_norm) norm('norm_emb', 'embedding_norm');
  for (let i = 0; i < c.nLayer; i++) {
    const l = `layer${i}.`;
    add(`${l}attn_wq`, [C, C], 'attn_q');
    add(`${l}attn_wk`, [kv, C], 'attn_k');
    add(`${l}attn_wv`, [kv, C], 'attn_v');
    add(`${l}attn_wo`, [C, C], 'attn_output');
    add(`${l}mlp_fc1`, [H, C], 'mlp_up');
    add(`${l}mlp_fc2`, [C, H], 'mlp_down');
    if (isGated(a)) add(`${l}mlp_gate`, [H, C], 'mlp_gate');
    if (a.bias.qkv) {
      add(`${l}attn_bq`, [C], 'attn_q_bias', 'zeros');
      add(`${l}attn_bk`, [kv], 'attn_k_bias', 'zeros');
      add(`${l}attn_bv`, [kv], 'attn_v_bias', 'zeros');
    }
    if (a.bias.o) add(`${l}attn_bo`, [C], 'attn_output_bias', 'zeros');
    if (a.bias.mlp) {
      add(`${l}mlp_b1`, [H], 'mlp_up_bias', 'zeros');
      add(`${l}mlp_b2`, [C], 'mlp_down_bias', 'zeros');
    }
    norm(`${l}norm_attn`, 'attn_norm');
    norm(`${l}norm_mlp`, 'mlp_norm');
  }
  if (a.final_norm) norm('norm_f', 'final_norm');
  return specs;
}

/** microGPT's [name, shape] list (DESIGN.md's checkpoint table). */
export function parameterShapes(c: ModelConfig, a: Architecture = MICROGPT_ARCHITECTURE): Array<[string, number[]]> {
  return parameterSpecs(c, a).map((s) => [s.name, s.shape]);
}

/** Matrices drawn from N(0, initStd²) in the order of `parameterSpecs`, row by row; norm weights 1, biases 0. */
export function initParameters(
  c: ModelConfig,
  seed: number,
  a: Architecture = MICROGPT_ARCHITECTURE,
): Map<string, Tensor> {
  const rng = new Rng(seed);
  const params = new Map<string, Tensor>();
  for (const s of parameterSpecs(c, a)) {
    const t = Tensor.param(s.shape);
    if (s.init === 'normal') for (let i = 0; i < t.size; i++) t.data[i] = rng.gauss(0, c.initStd);
    else if (s.init === 'ones') t.data.fill(1);
    params.set(s.name, t);
  }
  return params;
}
