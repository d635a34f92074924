/**
 * A Hugging Face checkpoint's weights, in the places the inference
 * path reads them, bound by role through the family's contract — the same
 * name templates `inspect` matches (with or without the wrapper prefix). Each
 * tensor's shape is checked against the contract's shape expressions,
 * evaluated with config.json's sizes, before a byte of data is read; then
 * matrices are read in their stored precision into the compute layer's
 * storage (matrices.ts) and vectors decoded to float32, a family's storage
 * quirks (storage.ts: GPT-2's Conv1D transpose, fused projections) undone as
 * they are placed.
 */
import { totalmem } from 'node:os';
import { evaluate, genericBuffer, instantiate, nameIndex, parameterTemplates } from '../../contracts/index.js';
import type { TensorTemplate } from '../../contracts/index.js';
import { MicrogptError } from '../../errors.js';
import type { Compute, Matrix } from '../../compute/index.js';
import { canDecode, readFloat32 } from '../../formats/values.js';
import type { TensorEntry } from '../../formats/types.js';
import type { HfSpec } from './spec.js';
import { DeferredMatrix } from './deferred.js';
import { readMatrices, runDtype } from './matrices.js';
import { quirkOf, ROWS } from './storage.js';

export type { Matrix };

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
  /** Looked up a row per token; read whole only if it is also the head and logits are wanted. */
  embed: DeferredMatrix;
  positions: Matrix | null;
  layers: LayerWeights[];
  finalNorm: NormWeights;
  /** [vocab, hidden]: the embedding itself when tied; read at the first product. */
  lmHead: DeferredMatrix;
  lmHeadBias: Float32Array | null;
  parameterCount: number;
  /** Every matrix loaded (the compute layer's storage), to release them when the model closes. */
  matrices: Matrix[];
  /** The embedding and head, released with the model if they were read. */
  deferred: DeferredMatrix[];
}

/** Bytes a load may take: the weights as float32 must fit in this share of the machine's memory. */
const MEMORY_SHARE = 0.75;

/**
 * Bytes the weights will take (`need`; as float32 unless given, `as` naming
 * their precision), and whether this machine can hold them.
 */
export function checkMemory(
  parameters: number,
  what: string,
  available = totalmem(),
  need = parameters * 4,
  as = 'float32',
): void {
  if (need > available * MEMORY_SHARE)
    throw new MicrogptError(
      'MG084',
      `${what}: ${parameters.toLocaleString('en-US')} parameters need ${(need / 2 ** 30).toFixed(1)} GiB as ${as}; this machine has ${(available / 2 ** 30).toFixed(1)} GiB (at most ${MEMORY_SHARE * 100}% of it is used for weights)`,
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

/** One role a stored tensor holds: its rows, as runs [first row of the stored (or transposed) tensor, count]. */
interface RolePart {
  role: string;
  rows: number;
  runs: Array<[number, number]>;
}

/**
 * The roles a stored tensor of `rows` rows (after any transpose) holds, with
 * its family's storage quirk: the whole, or a fused tensor's rows cut in
 * consecutive blocks (q rows, then k, then v) or per head (GPT-NeoX: head h
 * holds its q, k and v rows together; every part a full set of heads).
 */
function roleParts(s: HfSpec, role: string, rows: number): RolePart[] {
  const q = quirkOf(s.family, role);
  if (!q?.split) return [{ role, rows, runs: [[0, rows]] }];
  const sizes = q.split.into.map((r) => evaluate(ROWS[r.replace(/_bias$/, '')]!, s.sizes));
  if (q.split.layout === 'blocks') {
    let at = 0;
    return q.split.into.map((r, p) => {
      const part: RolePart = { role: r, rows: sizes[p]!, runs: [[at, sizes[p]!]] };
      at += sizes[p]!;
      return part;
    });
  }
  if (sizes.some((n) => n !== s.heads * s.headDim))
    throw new MicrogptError(
      'MG082',
      `${s.family}'s ${role} interleaves whole heads; it cannot hold ${s.kvHeads} key/value heads for ${s.heads} query heads`,
    );
  const d = s.headDim,
    P = sizes.length;
  return q.split.into.map((r, p) => ({
    role: r,
    rows: s.heads * d,
    runs: Array.from({ length: s.heads }, (_, h): [number, number] => [(h * P + p) * d, d]),
  }));
}

/** A vector's values cut into its parts. */
function vectorParts(values: Float32Array, parts: readonly RolePart[]): Array<[string, Float32Array]> {
  return parts.map((p) => {
    const out = new Float32Array(p.rows);
    let at = 0;
    for (const [first, n] of p.runs) {
      out.set(values.subarray(first, first + n), at);
      at += n;
    }
    return [p.role, out];
  });
}

interface Loaded {
  vectors: Map<string, Float32Array>;
  matrices: Map<string, Matrix>;
  deferred: Map<string, DeferredMatrix>;
}

/** Roles read at their first use, not at load (deferred.ts): what a run may never need whole. */
const DEFERRED: ReadonlySet<string> = new Set(['token_embedding', 'lm_head']);

/** Bytes a value of this stored dtype takes when run (16-bit floats stay 16-bit; F64 narrows to F32), and its name. */
const RUN_AS: Readonly<Record<string, [number, string]>> = {
  F32: [4, 'float32'],
  BF16: [2, 'bfloat16'],
  F16: [2, 'float16'],
};

/**
 * Reads and checks every tensor the spec needs from the model's files:
 * vectors (norms, biases) decoded to float32, matrices straight into `c`'s
 * storage in their stored precision, each family's storage quirk applied as
 * they are placed.
 */
export function loadHfWeights(s: HfSpec, tensors: readonly TensorEntry[], where: string, c: Compute): HfWeights {
  const found = bindByRole(s, tensors, where);
  const parameters = found.reduce((n, f) => n + f.entry.elements, 0);
  const as = found.map((f) => RUN_AS[runDtype(f.entry.dtype)]!);
  const bytes = found.reduce((n, f, i) => n + f.entry.elements * as[i]![0], 0);
  const names = [...new Set(as.map(([, name]) => name))].sort().join(' and ');
  checkMemory(parameters, where, totalmem(), bytes, `${names} (the stored precision)`);
  const loaded: Loaded = { vectors: new Map(), matrices: new Map(), deferred: new Map() };
  try {
    for (const f of found) {
      const e = f.entry;
      const transpose = quirkOf(s.family, f.role)?.transpose === true && e.shape.length === 2;
      const parts = roleParts(s, f.role, transpose ? e.shape[1]! : e.shape[0]!);
      if (e.shape.length === 2 && DEFERRED.has(f.role) && !transpose && parts.length === 1)
        loaded.deferred.set(key(f.role, f.layer), new DeferredMatrix(c, e));
      else if (e.shape.length === 2)
        readMatrices(c, e, transpose, parts).forEach((m, i) => loaded.matrices.set(key(parts[i]!.role, f.layer), m));
      else {
        const { values, read } = readFloat32(e);
        if (read !== e.elements) fail(`tensor "${e.name}": the file ends after ${read} of ${e.elements} values`);
        for (const [role, v] of vectorParts(values, parts)) loaded.vectors.set(key(role, f.layer), v);
      }
    }
    return assemble(s, loaded, parameters, where, c);
  } catch (e) {
    for (const m of loaded.matrices.values()) c.releaseMatrix(m);
    throw e;
  }
}

/** The tensors in the places the forward pass reads them; a role the path has no place for is refused. */
function assemble(s: HfSpec, loaded: Loaded, parameterCount: number, where: string, c: Compute): HfWeights {
  const used = new Set<string>();
  const take = <T>(from: Map<string, T>, role: string, layer: number | null): T | null => {
    const k = key(role, layer);
    used.add(k);
    return from.get(k) ?? null;
  };
  const need = <T>(v: T | null, role: string): T =>
    v ?? fail(`${where}: ${s.family}'s contract gives no ${role} tensor, which the float32 path needs`);
  const vec = (role: string, layer: number | null = null) => take(loaded.vectors, role, layer);
  const mat = (role: string, layer: number | null = null) => take(loaded.matrices, role, layer);
  const norm = (role: string, layer: number | null = null): NormWeights => ({
    weight: need(vec(role, layer), role),
    bias: vec(`${role}_bias`, layer),
  });
  /** A deferred table, or (a family storing it transposed or fused) the matrix read at load. */
  const table = (role: string) => {
    const read = mat(role);
    return take(loaded.deferred, role, null) ?? (read && new DeferredMatrix(c, read));
  };
  const embed = need(table('token_embedding'), 'token_embedding');
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
    lmHead: s.tied ? embed : need(table('lm_head'), 'lm_head'),
    lmHeadBias: vec('lm_head_bias'),
    parameterCount,
    matrices: [...loaded.matrices.values()],
    deferred: [...loaded.deferred.values()],
  };
  for (const k of [...loaded.vectors.keys(), ...loaded.matrices.keys(), ...loaded.deferred.keys()])
    if (!used.has(k))
      throw new MicrogptError(
        'MG082',
        `${where}: ${s.family}'s ${k.split('#')[0]} tensors have no place in the float32 path; this version does not run them`,
      );
  return weights;
}
