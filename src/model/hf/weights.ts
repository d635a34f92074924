/**
 * A Hugging Face checkpoint's weights as float32, in the places the inference
 * path reads them, bound by role through the family's contract — the same
 * name templates `inspect` matches (with or without the wrapper prefix). Each
 * tensor's shape is checked against the contract's shape expressions,
 * evaluated with config.json's sizes, before a byte of data is read; then it
 * is decoded (F32, F16, BF16, F64) and a family's storage quirks (storage.ts:
 * GPT-2's Conv1D transpose, fused projections) are undone once, here.
 */
import { totalmem } from 'node:os';
import { evaluate, genericBuffer, instantiate, nameIndex, parameterTemplates } from '../../contracts/index.js';
import type { TensorTemplate } from '../../contracts/index.js';
import { MicrogptError } from '../../errors.js';
import { canDecode, readFloat32 } from '../../formats/values.js';
import type { TensorEntry } from '../../formats/types.js';
import type { HfSpec } from './spec.js';
import { quirkOf, ROWS } from './storage.js';

/** A weight matrix [rows = out, cols = in], row-major: y = W·x. The kernels take it as a handle. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export interface NormWeights {
  weight: Float32Array;
  bias: Float32Array | null;
}

export interface LayerWeights {
  norm1: NormWeights;
  /** The MLP's own norm; null where one norm feeds both (parallel_shared_norm). */
  norm2: NormWeights | null;
  q: Matrix;
  k: Matrix;
  v: Matrix;
  o: Matrix;
  qBias: Float32Array | null;
  kBias: Float32Array | null;
  vBias: Float32Array | null;
  oBias: Float32Array | null;
  /** Qwen3: RMSNorm weights over each head's dims, for queries and keys. */
  qNorm: Float32Array | null;
  kNorm: Float32Array | null;
  gate: Matrix | null;
  up: Matrix;
  down: Matrix;
  upBias: Float32Array | null;
  downBias: Float32Array | null;
}

export interface HfWeights {
  embed: Matrix;
  positions: Matrix | null;
  layers: LayerWeights[];
  finalNorm: NormWeights;
  /** [vocab, hidden]: the embedding itself when tied. */
  lmHead: Matrix;
  lmHeadBias: Float32Array | null;
  parameterCount: number;
}

/** Bytes a load may take: the weights as float32 must fit in this share of the machine's memory. */
const MEMORY_SHARE = 0.75;

/** Float32 bytes the weights will take, and whether this machine can hold them. */
export function checkMemory(parameters: number, what: string, available = totalmem()): void {
  const need = parameters * 4;
  if (need > available * MEMORY_SHARE)
    throw new MicrogptError(
      'MG084',
      `${what}: ${parameters.toLocaleString('en-US')} parameters need ${(need / 2 ** 30).toFixed(1)} GiB as float32; this machine has ${(available / 2 ** 30).toFixed(1)} GiB (at most ${MEMORY_SHARE * 100}% of it is used for weights)`,
    );
}

const ATTENTION_BIASES = new Set(['attn_q_bias', 'attn_k_bias', 'attn_v_bias', 'attn_qkv_bias', 'attn_output_bias']);
const key = (role: string, layer: number | null) => (layer === null ? role : `${role}#${layer}`);
const fail = (message: string): never => {
  throw new MicrogptError('MG083', message);
};

/** A shape's expressions in config.json's words: "kv_heads*head_dim" → "num_key_value_heads·head_dim". */
function inConfigWords(shape: readonly string[], keys: ReadonlyMap<string, string>): string {
  return shape.map((e) => e.replace(/[A-Za-z_]\w*/g, (n) => keys.get(n) ?? n).replaceAll('*', '·')).join(', ');
}

/** The templates this model has as parameters: attention biases only where config.json does not switch them off. */
function wantedTemplates(s: HfSpec, where: string): TensorTemplate[] {
  const all = parameterTemplates(s.contract, s.tied);
  const biased = all.some((t) => ATTENTION_BIASES.has(t.role));
  if (s.attentionBias === true && !biased)
    throw new MicrogptError(
      'MG082',
      `${where}: attention_bias is true, but ${s.family}'s contract has no attention biases; this version does not run it`,
    );
  return s.attentionBias === false ? all.filter((t) => !ATTENTION_BIASES.has(t.role)) : all;
}

/**
 * Which stored tensor is which template's, for which layer. A tensor no
 * template names is not the model's (an extra a tool saved beside it) and is
 * left alone; one a template names but the forward pass has no place for is
 * refused when the model is assembled.
 */
function matchTensors(s: HfSpec, tensors: readonly TensorEntry[], where: string): Map<string, TensorEntry> {
  const index = nameIndex(s.contract);
  const byKey = new Map<string, TensorEntry>();
  for (const t of tensors) {
    if (genericBuffer(t.name)) continue;
    const m = index.match(t.name);
    if (!m || m.kind !== 'name' || m.template.buffer) continue;
    const layer = m.layer;
    if (layer !== null && layer >= s.layers)
      fail(`${where}: tensor "${t.name}" is for layer ${layer}, but config.json has ${s.layers} layers`);
    const k = key(m.template.role, layer);
    const other = byKey.get(k);
    if (other) fail(`${where}: tensors "${other.name}" and "${t.name}" are both ${k.replace('#', ' of layer ')}`);
    byKey.set(k, t);
  }
  return byKey;
}

/** Every wanted tensor, found and of the shape the contract gives for config.json's sizes. */
function bindByRole(s: HfSpec, tensors: readonly TensorEntry[], where: string) {
  const stored = matchTensors(s, tensors, where);
  const found: Array<{ role: string; layer: number | null; entry: TensorEntry }> = [];
  for (const t of wantedTemplates(s, where)) {
    const shape = t.shape.map((e) => evaluate(e, s.sizes));
    const because = `${inConfigWords(t.shape, s.keys)}${quirkOf(s.family, t.role)?.transpose ? '; stored [in, out]' : ''}`;
    for (const layer of t.name.includes('{n}') ? Array.from({ length: s.layers }, (_, i) => i) : [null]) {
      const entry = stored.get(key(t.role, layer));
      if (!entry)
        fail(
          `${where}: tensor "${instantiate(t.name, layer ?? 0)}" is missing (config.json makes it [${shape.join(', ')}] from ${because})`,
        );
      if (entry!.shape.join() !== shape.join())
        fail(
          `${where}: tensor "${entry!.name}" is [${entry!.shape.join(', ')}], but config.json gives [${shape.join(', ')}] (${because})`,
        );
      if (!canDecode(entry!.dtype))
        fail(`${where}: tensor "${entry!.name}" is ${entry!.dtype}; this version runs F32, F16, BF16 and F64 weights`);
      found.push({ role: t.role, layer, entry: entry! });
    }
  }
  return found;
}

interface Decoded {
  data: Float32Array;
  /** [rows, cols] for a matrix, [n] for a vector. */
  shape: number[];
}

/** [rows, cols] row-major → [cols, rows]. */
function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** A stored tensor as the roles the forward pass reads, with its family's storage quirk undone. */
function canonical(s: HfSpec, role: string, t: Decoded): Array<[string, Decoded]> {
  const q = quirkOf(s.family, role);
  let { data, shape } = t;
  if (q?.transpose) {
    data = transposed(data, shape[0]!, shape[1]!);
    shape = [shape[1]!, shape[0]!];
  }
  if (!q?.split) return [[role, { data, shape }]];
  const cols = shape.length === 2 ? shape[1]! : 1;
  const rows = q.split.into.map((r) => evaluate(ROWS[r.replace(/_bias$/, '')]!, s.sizes));
  const parts = rows.map((n) => new Float32Array(n * cols));
  if (q.split.layout === 'blocks') {
    let at = 0;
    rows.forEach((n, p) => {
      parts[p]!.set(data.subarray(at * cols, (at + n) * cols));
      at += n;
    });
  } else {
    // Per head h: its rows of every part, one after another (GPT-NeoX's view(heads, 3·head_dim)); every part a full set of heads.
    if (rows.some((n) => n !== s.heads * s.headDim))
      throw new MicrogptError(
        'MG082',
        `${s.family}'s ${role} interleaves whole heads; it cannot hold ${s.kvHeads} key/value heads for ${s.heads} query heads`,
      );
    const d = s.headDim,
      P = rows.length;
    for (let h = 0; h < s.heads; h++)
      for (let p = 0; p < P; p++)
        parts[p]!.set(data.subarray((h * P + p) * d * cols, (h * P + p + 1) * d * cols), h * d * cols);
  }
  return q.split.into.map((r, p) => [
    r,
    { data: parts[p]!, shape: shape.length === 2 ? [rows[p]!, cols] : [rows[p]!] },
  ]);
}

/** Reads, checks and decodes every tensor the spec needs from the model's files. */
export function loadHfWeights(s: HfSpec, tensors: readonly TensorEntry[], where: string): HfWeights {
  const found = bindByRole(s, tensors, where);
  const parameters = found.reduce((n, f) => n + f.entry.elements, 0);
  checkMemory(parameters, where);
  const decoded = new Map<string, Decoded>();
  for (const f of found) {
    const { values, read } = readFloat32(f.entry);
    if (read !== f.entry.elements)
      fail(`tensor "${f.entry.name}": the file ends after ${read} of ${f.entry.elements} values`);
    for (const [role, t] of canonical(s, f.role, { data: values, shape: [...f.entry.shape] }))
      decoded.set(key(role, f.layer), t);
  }
  return assemble(s, decoded, parameters, where);
}

/** The decoded tensors in the places the forward pass reads them; a role the path has no place for is refused. */
function assemble(s: HfSpec, decoded: Map<string, Decoded>, parameterCount: number, where: string): HfWeights {
  const used = new Set<string>();
  const take = (role: string, layer: number | null): Decoded | null => {
    const k = key(role, layer);
    used.add(k);
    return decoded.get(k) ?? null;
  };
  const need = <T>(v: T | null, role: string): T =>
    v ?? fail(`${where}: ${s.family}'s contract gives no ${role} tensor, which the float32 path needs`);
  const vec = (role: string, layer: number | null = null) => take(role, layer)?.data ?? null;
  const mat = (role: string, layer: number | null = null): Matrix | null => {
    const t = take(role, layer);
    return t && { rows: t.shape[0]!, cols: t.shape[1]!, data: t.data };
  };
  const norm = (role: string, layer: number | null = null): NormWeights => ({
    weight: need(vec(role, layer), role),
    bias: vec(`${role}_bias`, layer),
  });
  const embed = need(mat('token_embedding'), 'token_embedding');
  const weights: HfWeights = {
    embed,
    positions: s.positions === 'learned' ? need(mat('position_embedding'), 'position_embedding') : null,
    layers: Array.from({ length: s.layers }, (_, l) => ({
      norm1: norm('attn_norm', l),
      norm2: s.block === 'parallel_shared_norm' ? null : norm('mlp_norm', l),
      q: need(mat('attn_q', l), 'attn_q'),
      k: need(mat('attn_k', l), 'attn_k'),
      v: need(mat('attn_v', l), 'attn_v'),
      o: need(mat('attn_output', l), 'attn_output'),
      qBias: vec('attn_q_bias', l),
      kBias: vec('attn_k_bias', l),
      vBias: vec('attn_v_bias', l),
      oBias: vec('attn_output_bias', l),
      qNorm: vec('attn_q_norm', l),
      kNorm: vec('attn_k_norm', l),
      gate: s.gated ? need(mat('mlp_gate', l), 'mlp_gate') : null,
      up: need(mat('mlp_up', l), 'mlp_up'),
      down: need(mat('mlp_down', l), 'mlp_down'),
      upBias: vec('mlp_up_bias', l),
      downBias: vec('mlp_down_bias', l),
    })),
    finalNorm: norm('final_norm'),
    lmHead: s.tied ? embed : need(mat('lm_head'), 'lm_head'),
    lmHeadBias: vec('lm_head_bias'),
    parameterCount,
  };
  for (const k of decoded.keys())
    if (!used.has(k))
      throw new MicrogptError(
        'MG082',
        `${where}: ${s.family}'s ${k.split('#')[0]} tensors have no place in the float32 path; this version does not run them`,
      );
  return weights;
}
