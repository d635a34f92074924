import { Rng, Tensor } from '../tensor/index.js';
import { blockTypeOf, hasPositionTable, isGated, type Architecture } from './architecture.js';
import { MICROGPT_ARCHITECTURE } from './architecture.js';
import { headDim, type ModelConfig } from './config.js';
import type { AttentionWeights, MlpWeights, NormParams } from '../kernels/types.js';

/** One layer's tensors, as the kernels take them. */
export interface LayerTensors {
  attention: AttentionWeights;
  mlp: MlpWeights;
  normAttn: NormParams;
  normMlp: NormParams;
}

/**
 * Every tensor of a model in the place the forward pass reads it from. Built
 * by bindTensors from the same specs that name the tensors, so a name is
 * written once: a tensor cannot be saved under one name and looked for under another.
 */
export interface ModelTensors {
  wte: Tensor;
  wpe?: Tensor;
  lmHead?: Tensor;
  lmHeadBias?: Tensor;
  embeddingNorm: NormParams;
  finalNorm: NormParams;
  layers: LayerTensors[];
}

export interface ParamSpec {
  name: string;
  shape: number[];
  /** The tensor's role, in the contracts' vocabulary (attn_q, mlp_down, …). */
  role: string;
  init: 'normal' | 'ones' | 'zeros';
  /** Puts the tensor where the forward pass reads it. */
  bind: (m: ModelTensors, t: Tensor) => void;
}

/**
 * Tensor names, shapes and roles in checkpoint order; every matrix is [out, in]
 * (y = W·x). microGPT's are exactly docs/architecture.md's; other families add their
 * norm weights, biases and gate projections under the same layer{i}. pattern.
 */
export function parameterSpecs(c: ModelConfig, a: Architecture = MICROGPT_ARCHITECTURE): ParamSpec[] {
  const C = c.nEmbd,
    H = c.nHidden,
    kv = c.nKvHead * headDim(c);
  const specs: ParamSpec[] = [];
  const add = (
    name: string,
    shape: number[],
    role: string,
    bind: ParamSpec['bind'],
    init: ParamSpec['init'] = 'normal',
  ) => specs.push({ name, shape, role, init, bind });
  // Gemma's (1 + γ) weight starts at 0, as transformers initialises it: the same norm as γ = 1.
  const normInit = a.norm_type === 'offset_rmsnorm' ? 'zeros' : 'ones';
  const norm = (prefix: string, role: string, at: (m: ModelTensors) => NormParams) => {
    if (!a.norm_affine) return;
    add(`${prefix}_w`, [C], role, (m, t) => (at(m).weight = t), normInit);
    if (a.norm_type === 'layernorm') add(`${prefix}_b`, [C], `${role}_bias`, (m, t) => (at(m).bias = t), 'zeros');
  };
  add('wte', [c.vocabSize, C], 'token_embedding', (m, t) => (m.wte = t));
  if (hasPositionTable(a)) add('wpe', [c.blockSize, C], 'position_embedding', (m, t) => (m.wpe = t));
  if (!a.tied_embeddings) add('lm_head', [c.vocabSize, C], 'lm_head', (m, t) => (m.lmHead = t));
  if (a.bias.lm_head) add('lm_head_b', [c.vocabSize], 'lm_head_bias', (m, t) => (m.lmHeadBias = t), 'zeros');
  if (a.embedding_norm) norm('norm_emb', 'embedding_norm', (m) => m.embeddingNorm);
  for (let i = 0; i < c.nLayer; i++) {
    const l = `layer${i}.`;
    const att = (m: ModelTensors) => m.layers[i]!.attention;
    const mlp = (m: ModelTensors) => m.layers[i]!.mlp;
    add(`${l}attn_wq`, [C, C], 'attn_q', (m, t) => (att(m).wq = t));
    add(`${l}attn_wk`, [kv, C], 'attn_k', (m, t) => (att(m).wk = t));
    add(`${l}attn_wv`, [kv, C], 'attn_v', (m, t) => (att(m).wv = t));
    add(`${l}attn_wo`, [C, C], 'attn_output', (m, t) => (att(m).wo = t));
    add(`${l}mlp_fc1`, [H, C], 'mlp_up', (m, t) => (mlp(m).fc1 = t));
    add(`${l}mlp_fc2`, [C, H], 'mlp_down', (m, t) => (mlp(m).fc2 = t));
    if (isGated(a)) add(`${l}mlp_gate`, [H, C], 'mlp_gate', (m, t) => (mlp(m).gate = t));
    if (a.bias.qkv) {
      add(`${l}attn_bq`, [C], 'attn_q_bias', (m, t) => (att(m).bq = t), 'zeros');
      add(`${l}attn_bk`, [kv], 'attn_k_bias', (m, t) => (att(m).bk = t), 'zeros');
      add(`${l}attn_bv`, [kv], 'attn_v_bias', (m, t) => (att(m).bv = t), 'zeros');
    }
    if (a.bias.o) add(`${l}attn_bo`, [C], 'attn_output_bias', (m, t) => (att(m).bo = t), 'zeros');
    if (a.bias.mlp) {
      add(`${l}mlp_b1`, [H], 'mlp_up_bias', (m, t) => (mlp(m).b1 = t), 'zeros');
      add(`${l}mlp_b2`, [C], 'mlp_down_bias', (m, t) => (mlp(m).b2 = t), 'zeros');
    }
    norm(`${l}norm_attn`, 'attn_norm', (m) => m.layers[i]!.normAttn);
    // One norm feeds both attention and the MLP in a parallel_shared_norm block.
    if (blockTypeOf(a) !== 'parallel_shared_norm') norm(`${l}norm_mlp`, 'mlp_norm', (m) => m.layers[i]!.normMlp);
  }
  if (a.final_norm) norm('norm_f', 'final_norm', (m) => m.finalNorm);
  return specs;
}

/**
 * The model's tensors in their places, from a name → tensor map: every tensor
 * the architecture has must be there with its shape, and nothing else may be.
 */
export function bindTensors(c: ModelConfig, a: Architecture, params: ReadonlyMap<string, Tensor>): ModelTensors {
  // Placeholders until bound; the check below makes sure every required one is.
  const unbound = undefined as unknown as Tensor;
  const m: ModelTensors = {
    wte: unbound,
    embeddingNorm: {},
    finalNorm: {},
    layers: Array.from({ length: c.nLayer }, () => ({
      attention: { wq: unbound, wk: unbound, wv: unbound, wo: unbound },
      mlp: { fc1: unbound, fc2: unbound },
      normAttn: {},
      normMlp: {},
    })),
  };
  const specs = parameterSpecs(c, a);
  for (const s of specs) {
    const t = params.get(s.name);
    if (!t) throw new Error(`model: tensor "${s.name}" (${s.role}) is missing`);
    if (t.shape.join() !== s.shape.join())
      throw new Error(`model: tensor "${s.name}" is [${t.shape.join(', ')}], expected [${s.shape.join(', ')}]`);
    s.bind(m, t);
  }
  const known = new Set(specs.map((s) => s.name));
  for (const name of params.keys())
    if (!known.has(name)) throw new Error(`model: tensor "${name}" has no place in a ${a.family} model`);
  return m;
}

/** microGPT's [name, shape] list (docs/architecture.md's checkpoint table). */
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
