import {
  configProblems,
  declaredSizes,
  SIZE_LIMITS,
  type Contract,
  type NameMatch,
  type SizeVariant,
} from '../../contracts/index.js';
import { clip } from '../../clip.js';
import { ggufNumber, ggufString, type ModelFiles, type TensorEntry } from '../../formats/index.js';
import { shapeExpressions, type Mapped } from './map.js';

export type Vars = Record<string, number | undefined>;

export interface SizeReading {
  vars: Vars;
  rows: Array<{ field: string; value: number; source: string }>;
  /** Sizes a file claimed that no real model has: ignored, and said. */
  implausible: string[];
  /** Every size that config.json or the GGUF header states and the tensors also show: agreeing or not. */
  crossChecks: Array<{
    field: string;
    declared: number;
    declaredSource: string;
    derived: number;
    derivedSource: string;
  }>;
}

/** GGUF metadata keys (after "<arch>.") for each size field. */
const GGUF_KEYS: ReadonlyArray<readonly [keyof SizeVariant, readonly string[]]> = [
  ['hidden', ['embedding_length']],
  ['layers', ['block_count']],
  ['heads', ['attention.head_count']],
  ['kv_heads', ['attention.head_count_kv']],
  ['head_dim', ['attention.key_length']],
  ['intermediate', ['feed_forward_length']],
  ['context', ['context_length']],
  ['norm_eps', ['attention.layer_norm_rms_epsilon', 'attention.layer_norm_epsilon']],
  ['rope_theta', ['rope.freq_base']],
  ['experts', ['expert_count']],
  ['experts_per_token', ['expert_used_count']],
  ['moe_intermediate', ['expert_feed_forward_length']],
  ['shared_experts', ['expert_shared_count']],
  ['sliding_window', ['attention.sliding_window']],
  ['state_size', ['ssm.state_size']],
  ['conv_kernel', ['ssm.conv_kernel']],
  ['time_step_rank', ['ssm.time_step_rank']],
];

type Said = Map<string, { value: number; source: string }>;

/** Sizes the file's config.json or GGUF metadata states outright. */
function declared(files: ModelFiles, contract: Contract): Said {
  const out: Said = new Map();
  if (files.config) {
    for (const [f, v] of declaredSizes(files.config.json))
      out.set(f, { value: v.value, source: `config.json ${v.key}` });
  } else if (files.gguf) {
    const arch = ggufString(files.gguf, 'general.architecture') ?? '';
    for (const [f, keys] of GGUF_KEYS) {
      // Mamba's GGUF keeps d_inner in ssm.inner_size (feed_forward_length is 0).
      const ks = f === 'intermediate' && contract.constraints.attention_type === 'ssm' ? ['ssm.inner_size'] : keys;
      for (const k of ks) {
        const v = ggufNumber(files.gguf, `${arch}.${k}`);
        if (v !== undefined && v > 0) {
          out.set(f, { value: v, source: `GGUF ${arch}.${k}` });
          break;
        }
      }
    }
    const tokens = files.gguf.metadata.get('tokenizer.ggml.tokens')?.value;
    if (typeof tokens === 'object' && tokens !== null && !(typeof tokens === 'bigint') && 'length' in tokens)
      out.set('vocab', { value: tokens.length, source: 'GGUF tokenizer.ggml.tokens (length)' });
  }
  return out;
}

const NAME = /^[A-Za-z_]\w*$/;
const PRODUCT = /^([A-Za-z_]\w*|\d+)\*([A-Za-z_]\w*|\d+)$/;

/** Solves "name" or "a*b" with one unknown from an actual dimension. */
function solve(expr: string, actual: number, known: (k: string) => number | undefined): [string, number] | null {
  const e = expr.replace(/\s+/g, '');
  if (NAME.test(e)) return known(e) === undefined ? [e, actual] : null;
  const m = PRODUCT.exec(e);
  if (!m) return null;
  const val = (x: string) => (/^\d+$/.test(x) ? Number(x) : known(x));
  const [a, b] = [m[1], m[2]];
  const [va, vb] = [val(a), val(b)];
  if (va === undefined && vb !== undefined && vb > 0 && actual % vb === 0) return [a, actual / vb];
  if (vb === undefined && va !== undefined && va > 0 && actual % va === 0) return [b, actual / va];
  return null;
}

/** Sizes read off the tensors alone: single names and products with one unknown, repeated until nothing new. */
function derived(mapped: Mapped, seed: Said): Said {
  const out: Said = new Map();
  const known = (k: string) => out.get(k)?.value ?? seed.get(k)?.value;
  // The first tensor of the highest layer.
  let top = -1;
  let topLayer = -1;
  mapped.matches.forEach((m, i) => {
    if (m && m.layer !== null && (top < 0 || m.layer > topLayer)) [top, topLayer] = [i, m.layer];
  });
  if (top >= 0 && !seed.has('layers'))
    out.set('layers', {
      value: topLayer + 1,
      source: `highest layer index in the names (${clip(mapped.entries[top]!.name)})`,
    });
  const distinct = distinctShapes(mapped);
  for (let pass = 0; pass < 4; pass++) {
    let added = false;
    for (const m of distinct) {
      const exprs = shapeExpressions(m.match.template, m.match.kind);
      if (exprs.length !== m.entry.shape.length) continue;
      exprs.forEach((expr, i) => {
        const s = solve(expr, m.entry.shape[i], known);
        if (s && !out.has(s[0]) && !seed.has(s[0]) && s[1] > 0) {
          out.set(s[0], { value: s[1], source: `${clip(m.entry.name)} [${m.entry.shape.join(', ')}]` });
          added = true;
        }
      });
    }
    if (!added) break;
  }
  return out;
}

/**
 * One tensor for each template, form and shape, in file order: the others
 * would solve the same expressions to the same sizes, so 100,000 tensors of a
 * few templates cost a few solves per pass.
 */
function distinctShapes(mapped: Mapped): Array<{ entry: TensorEntry; match: NameMatch }> {
  const seen = new Map<unknown, Set<string>>();
  const out: Array<{ entry: TensorEntry; match: NameMatch }> = [];
  mapped.matches.forEach((match, i) => {
    if (!match) return;
    const entry = mapped.entries[i]!;
    let shapes = seen.get(match.template);
    if (!shapes) seen.set(match.template, (shapes = new Set()));
    const key = `${match.kind} ${entry.shape.join(',')}`;
    if (shapes.has(key)) return;
    shapes.add(key);
    out.push({ entry, match });
  });
  return out;
}

/**
 * The size of the model in the contract's terms, each field with where it came
 * from: config.json or GGUF metadata first, then the tensor shapes, then
 * (only for what shapes cannot tell, such as the head count) a contract size
 * of the same width, said as such. Nothing is filled in silently.
 */
export function readSizes(contract: Contract, files: ModelFiles, mapped: Mapped): SizeReading {
  const implausible: string[] = files.config ? configProblems(files.config.json).map((p) => `config.json: ${p}`) : [];
  const said = plausible(declared(files, contract), implausible);
  const fromTensors = plausible(derived(mapped, new Map()), implausible);
  const crossChecks: SizeReading['crossChecks'] = [];
  for (const [field, d] of said) {
    const t = fromTensors.get(field);
    if (t)
      crossChecks.push({
        field,
        declared: d.value,
        declaredSource: d.source,
        derived: t.value,
        derivedSource: t.source,
      });
  }
  const all: Said = new Map([...fromTensors, ...said]);
  for (const [k, v] of plausible(derived(mapped, all), implausible)) all.set(k, v);
  const similar = similarSize(contract, all);
  if (!all.has('heads') && similar) all.set('heads', { value: similar.size.heads, source: similar.source });
  if (!all.has('head_dim')) {
    const h = all.get('hidden')?.value,
      n = all.get('heads')?.value;
    if (similar?.size.head_dim !== undefined && !said.has('heads'))
      all.set('head_dim', { value: similar.size.head_dim, source: similar.source });
    else if (h !== undefined && n !== undefined && h % n === 0)
      all.set('head_dim', { value: h / n, source: 'hidden / heads' });
  }
  // With head_dim known, the K/V projections give the KV-head count.
  for (const [k, v] of plausible(derived(mapped, all), implausible)) all.set(k, v);
  if (!all.has('kv_heads') && all.has('heads')) {
    const mha = contract.constraints.attention_type === 'mha' || files.config !== null;
    if (mha)
      all.set('kv_heads', {
        value: all.get('heads')!.value,
        source: files.config
          ? 'no KV-head count in config.json: every head has its own K and V'
          : `${contract.family} uses MHA: kv_heads = heads`,
      });
    else if (similar) all.set('kv_heads', { value: similar.size.kv_heads, source: similar.source });
  }
  const vars: Vars = {};
  for (const [k, v] of all) vars[k] = v.value;
  const order = ['hidden', 'layers', 'heads', 'kv_heads', 'head_dim', 'intermediate', 'vocab', 'context'];
  const rows = [...all]
    .map(([field, v]) => ({ field, value: v.value, source: v.source }))
    .sort((a, b) => rank(order, a.field) - rank(order, b.field));
  return { vars, rows, crossChecks, implausible: [...new Set(implausible)] };
}

const LIMIT = new Map<string, number>(SIZE_LIMITS);

/** Drops sizes no real model has (a corrupt or hostile header), so that nothing downstream loops over them. */
function plausible(said: Said, out: string[]): Said {
  for (const [field, v] of said) {
    const max = LIMIT.get(field);
    if (max !== undefined && (!Number.isSafeInteger(v.value) || v.value < 1 || v.value > max)) {
      out.push(
        `${v.source} gives ${field} = ${v.value}, not a plausible size (a whole number from 1 to ${max}); ignored`,
      );
      said.delete(field);
    }
  }
  return said;
}

const rank = (order: string[], f: string) => (order.includes(f) ? order.indexOf(f) : order.length);

/** Head counts cannot be read off shapes; a contract size of the same width (and depth) gives them, and says so. */
function similarSize(contract: Contract, all: Said): { size: SizeVariant; source: string } | null {
  const hidden = all.get('hidden')?.value;
  if (hidden === undefined) return null;
  const layers = all.get('layers')?.value;
  const entry =
    Object.entries(contract.sizes).find(
      ([, s]) => s.hidden === hidden && (layers === undefined || s.layers === layers),
    ) ?? Object.entries(contract.sizes).find(([, s]) => s.hidden === hidden);
  if (!entry) return null;
  const [name, size] = entry;
  return {
    size,
    source: `${contract.family} size ${name} (same hidden ${hidden}${layers === size.layers ? ` and ${layers} layers` : ''}; the file does not say)`,
  };
}
