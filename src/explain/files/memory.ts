import { copiesOf, evaluate, parameterTemplates, type Contract } from '../../contracts/index.js';
import { MicrogptError } from '../../errors.js';
import { ggmlTypeByName, type GgmlType } from '../../formats/index.js';
import type { MemoryReport } from './types.js';

type Vars = Record<string, number | undefined>;

export interface MemoryInput {
  contract: Contract;
  vars: Vars;
  tied: boolean;
  source: string;
  /** The file's real bytes per dtype; without a file, the weights are sized at common dtypes. */
  actualWeights: Array<{ dtype: string; bytes: number }> | null;
  parameters: number | null;
}

export interface MemoryOptions {
  context?: number;
  batch: number;
  kvDtype: string;
}

/** Embedding lookups are row reads, not matrix products: they cost no FLOPs per token. */
const LOOKUPS = new Set(['token_embedding', 'position_embedding', 'token_type_embedding']);
/** Dtypes a model without a file is sized at. */
const HYPOTHETICAL = ['F32', 'BF16', 'Q8_0', 'Q4_K'];

const need = (vars: Vars, k: string, source: string): number => {
  const v = vars[k];
  if (v === undefined)
    throw new MicrogptError('MG015', `${source}: the size gives no ${k}; the memory estimate needs it`);
  return v;
};

/**
 * Memory and compute of running a model: weight bytes, the KV cache for a
 * context and batch (grouped-query aware, capped by a sliding window), and
 * FLOPs per token as 2·N plus the attention term.
 */
export function buildMemoryReport(m: MemoryInput, opts: MemoryOptions): MemoryReport {
  const kvType = ggmlTypeByName(opts.kvDtype);
  if (!kvType || kvType.removed)
    throw new MicrogptError('MG068', `unknown KV-cache dtype "${opts.kvDtype}"; use f16, bf16, f32, q8_0 or q4_0`);
  const tensors = templateTensors(m.contract, m.vars, m.tied, m.source);
  const parameters = m.parameters ?? tensors.reduce((s, t) => s + t.elements * t.copies, 0);
  const attention = !['ssm', 'linear'].includes(m.contract.constraints.attention_type);
  return {
    kind: 'memory',
    family: m.contract.family,
    source: m.source,
    parameters,
    weights: m.actualWeights
      ? m.actualWeights.map((w) => ({ ...w, actual: true }))
      : HYPOTHETICAL.map((d) => ({ dtype: d, bytes: weightBytes(tensors, ggmlTypeByName(d)!), actual: false })),
    kv: attention ? kvCache(m, opts, kvType) : noKv(m, opts, kvType),
    flops: flops(m, tensors, attention, opts),
  };
}

interface SizedTensor {
  role: string;
  dims: number;
  elements: number;
  copies: number;
}

function templateTensors(c: Contract, vars: Vars, tied: boolean, source: string): SizedTensor[] {
  try {
    return parameterTemplates(c, tied).map((t) => ({
      role: t.role,
      dims: t.shape.length,
      elements: t.shape.reduce((p, e) => p * evaluate(e, vars), 1),
      copies: copiesOf(t, vars),
    }));
  } catch (e) {
    if (!(e instanceof MicrogptError)) throw e;
    const missing = missingSizes(c, vars, tied);
    throw new MicrogptError(
      'MG015',
      missing.length
        ? `${source}: cannot size ${c.family} for the memory estimate: it gives no ${missing.join(', ')} (sizes come from config.json, the GGUF metadata or the tensors' shapes)`
        : `cannot size ${c.family} for the memory estimate: ${e.message}`,
    );
  }
}

/** The sizes a contract's tensors are written in that `vars` lacks, in the order the templates use them. */
function missingSizes(c: Contract, vars: Vars, tied: boolean): string[] {
  const names = new Set<string>();
  for (const t of parameterTemplates(c, tied)) {
    if (t.name.includes('{n}')) names.add('layers');
    if (t.name.includes('{e}')) names.add('experts');
    for (const x of t.shape) for (const n of x.match(/[A-Za-z_]\w*/g) ?? []) names.add(n);
  }
  return [...names].filter((n) => vars[n] === undefined);
}

/** Matrices at the dtype; vectors (norms, biases) stay F32, as llama.cpp keeps them. */
function weightBytes(tensors: readonly SizedTensor[], t: GgmlType): number {
  const f32 = ggmlTypeByName('F32')!;
  return tensors.reduce((s, x) => {
    const ty = x.dims >= 2 || t.blockSize === 1 ? t : f32;
    return s + x.copies * Math.ceil(x.elements / ty.blockSize) * ty.typeSize;
  }, 0);
}

/** Bytes of one row of `n` elements in a ggml type (blocks are whole). */
const rowBytes = (n: number, t: GgmlType) => Math.ceil(n / t.blockSize) * t.typeSize;

function kvCache(m: MemoryInput, opts: MemoryOptions, t: GgmlType): MemoryReport['kv'] {
  const layers = need(m.vars, 'layers', m.source);
  const kvHeads = need(m.vars, 'kv_heads', m.source);
  const headDim = need(m.vars, 'head_dim', m.source);
  const context = opts.context ?? need(m.vars, 'context', m.source);
  const window = m.vars.sliding_window ?? null;
  const cachedTokens = window !== null ? Math.min(context, window) : context;
  // K and V: one row of kv_heads·head_dim elements per token, per layer.
  const perTokenLayer = 2 * rowBytes(kvHeads * headDim, t);
  const bytesPerLayer = perTokenLayer * cachedTokens * opts.batch;
  return {
    context,
    batch: opts.batch,
    dtype: t.name,
    bytesPerElement: t.typeSize / t.blockSize,
    layers,
    kvHeads,
    headDim,
    window,
    cachedTokens,
    bytesPerToken: perTokenLayer * layers,
    bytesPerLayer,
    totalBytes: bytesPerLayer * layers,
    formula: `2 (K and V) × ${layers} layers × ${kvHeads} KV heads × ${headDim} head_dim × ${cachedTokens} tokens${window !== null && window < context ? ` (sliding window ${window})` : ''} × batch ${opts.batch} × ${t.typeSize / t.blockSize} bytes (${t.name})`,
  };
}

/** State-space and linear-attention families keep a fixed state, not a cache that grows with the context. */
function noKv(m: MemoryInput, opts: MemoryOptions, t: GgmlType): MemoryReport['kv'] {
  const context = opts.context ?? m.vars.context ?? 0;
  return {
    context,
    batch: opts.batch,
    dtype: t.name,
    bytesPerElement: t.typeSize / t.blockSize,
    layers: m.vars.layers ?? 0,
    kvHeads: 0,
    headDim: 0,
    window: null,
    cachedTokens: 0,
    bytesPerToken: 0,
    bytesPerLayer: 0,
    totalBytes: 0,
    formula: `${m.contract.family} keeps a fixed recurrent state instead of a KV cache`,
  };
}

function flops(
  m: MemoryInput,
  tensors: readonly SizedTensor[],
  attention: boolean,
  opts: MemoryOptions,
): MemoryReport['flops'] {
  const experts = m.vars.experts,
    active = m.vars.experts_per_token;
  const share = (role: string) => (role.startsWith('expert_') && experts && active ? active / experts : 1);
  let matmul = tensors
    .filter((t) => t.dims >= 2 && !LOOKUPS.has(t.role))
    .reduce((s, t) => s + t.elements * t.copies * share(t.role), 0);
  const embedding = tensors.find((t) => t.role === 'token_embedding');
  // A tied head multiplies by the embedding matrix once per token.
  if (m.tied && embedding) matmul += embedding.elements;
  matmul = Math.round(matmul);
  const context = opts.context ?? m.vars.context ?? 0;
  const attentionTerm = attention
    ? 2 * (m.vars.layers ?? 0) * context * (m.vars.heads ?? 0) * (m.vars.head_dim ?? 0)
    : 0;
  const moe =
    experts && active
      ? `only ${active} of ${experts} experts run per token, so their weights count ${active}/${experts}`
      : null;
  return {
    matmulParameters: matmul,
    attentionTerm,
    perToken: 2 * matmul + attentionTerm,
    formula: `2·N + 2·n_layer·n_ctx·d_attn (Kaplan et al. 2020), N = weights used in matrix products per token (embedding lookups excluded${m.tied ? ', the tied head included' : ''})`,
    note: moe,
  };
}
