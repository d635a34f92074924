import { MicrogptError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { kernel, SLOTS, slotShown, slotValue, type Slot } from '../kernels/index.js';
import {
  copiesOf,
  concreteName,
  evaluate,
  headDimOf,
  parameterTemplates,
  shapeVariables,
  type Contract,
  type Derivation,
  type Resolved,
  type SizeVariant,
} from '../contracts/index.js';
import { MICROGPT_ARCHITECTURE } from '../model/architecture.js';
import type { Static } from '@sinclair/typebox';
import type {
  ConstraintComparisonSchema,
  KernelReportSchema,
  PipelineRowSchema,
  TensorRowSchema,
  VsReportSchema,
  VsRowSchema,
} from './schema.js';

export type ConstraintComparison = Static<typeof ConstraintComparisonSchema>;
export type Verdict = ConstraintComparison['verdict'];

export type PipelineRow = Static<typeof PipelineRowSchema>;

export type TensorRow = Static<typeof TensorRowSchema>;

export type KernelReport = Static<typeof KernelReportSchema>;

/** How the reference (microGPT) compares, judged by the kernel registry's complexity and kind. */
export function compare(slot: Slot, value: string, reference: string): Verdict {
  if (value === reference) return 'same';
  const a = kernel(slot, value),
    r = kernel(slot, reference);
  if (a.kind === r.kind) return 'same-kind';
  if (r.complexity < a.complexity) return 'simpler';
  if (r.complexity > a.complexity) return 'more-complex';
  return 'different';
}

export function buildKernelReport(
  target: Resolved,
  reference: Contract,
  all: readonly Contract[],
  opts: { verbose: boolean; size?: string },
): KernelReport {
  const c = effectiveContract(target);
  const value = (k: Slot) => slotValue(c.constraints, k);
  const signature = (x: Contract) => SLOTS.map((k) => slotValue(x.constraints, k)).join('|');
  return {
    kind: 'kernel',
    family: c.family,
    displayName: c.display_name,
    vendor: c.vendor,
    source: c.source,
    architectures: c.architectures,
    aliases: c.aliases,
    referenceFamily: reference.display_name,
    resolvedVia: target.via,
    input: target.input,
    config: target.config
      ? {
          derivations: target.config.derivations,
          warnings: target.config.derivations
            .filter((d) => agreement(target.contract, d) === 'disagrees')
            .map(
              (d) =>
                `config says ${d.key}=${d.value} (${d.because}) but the ${target.contract.family} contract says ${slotValue(target.contract.constraints, d.key as Slot)}`,
            ),
          variants: target.config.derivations
            .filter((d) => agreement(target.contract, d) === 'variant')
            .map(
              (d) =>
                `config says ${d.key}=${d.value} (${d.because}): a variant the ${target.contract.family} contract lists (usually ${slotValue(target.contract.constraints, d.key as Slot)})`,
            ),
          missing: target.config.missing,
        }
      : null,
    notes: c.notes ?? null,
    pipeline: pipelineOf(c),
    constraints: SLOTS.filter((key) => slotShown(key, [value(key), slotValue(reference.constraints, key)])).map(
      (key) => ({
        key,
        value: value(key),
        reference: slotValue(reference.constraints, key),
        verdict: compare(key, value(key), slotValue(reference.constraints, key)),
      }),
    ),
    sameConstraints: all.filter((x) => x.family !== c.family && signature(x) === signature(c)).map((x) => x.family),
    verbose: opts.verbose ? verboseSection(c, opts.size ?? (target.config ? CONFIG_SIZE : undefined)) : null,
  };
}

/** Whether a config's derived constraint is the family's own value, one of its listed variants, or neither. */
export function agreement(c: Contract, d: Derivation): 'same' | 'variant' | 'disagrees' {
  if (slotValue(c.constraints, d.key as Slot) === d.value) return 'same';
  if (d.key === 'gelu_approximation') return 'disagrees';
  const listed = (c.variants?.[d.key as keyof NonNullable<Contract['variants']>] ?? []) as ReadonlyArray<
    string | boolean
  >;
  return listed.some((v) => String(v) === d.value) ? 'variant' : 'disagrees';
}

/** A step filled by the registry's kernel for one of the contract's constraints. */
function kernelStep(c: Contract, operation: string, slot: Slot, formula?: string): PipelineRow {
  const k = kernel(slot, slotValue(c.constraints, slot));
  const yesNo = slot === 'has_bias' || slot === 'tied_embeddings';
  return {
    operation,
    slot,
    value: k.value,
    kernel: yesNo ? k.title : `${k.value} (${k.title})`,
    formula: formula ?? k.formula,
    executable: k.executable,
  };
}

/**
 * The forward pass of a family in order, each step with the kernel that runs
 * it: embedding (scaled where the family scales it, with the position table
 * where there is one), the embedding norm where the family has one
 * (microGPT's weightless RMSNorm has no tensor, so microGPT's own
 * architecture says so), per layer the block — norm → projections → RoPE →
 * attention (ALiBi's bias inside it) → output projection → norm → MLP, in
 * sequence or in parallel — then the final norm and the output head.
 */
export function pipelineOf(c: Contract): PipelineRow[] {
  const roles = new Set(c.tensors.map((t) => t.role));
  const own = c.family === MICROGPT_ARCHITECTURE.family;
  const embeddingNorm = own ? MICROGPT_ARCHITECTURE.embedding_norm : roles.has('embedding_norm');
  const finalNorm = own ? MICROGPT_ARCHITECTURE.final_norm : roles.has('final_norm');
  const postNorm = roles.has('attn_post_norm');
  const pos = c.constraints.positional_encoding;
  const block = slotValue(c.constraints, 'block_type');
  const runs = kernel('attention_type', c.constraints.attention_type).executable;
  const plain = (operation: string, formula: string): PipelineRow => ({
    operation,
    slot: null,
    value: 'linear',
    kernel: 'matrix product',
    formula,
    executable: runs,
  });
  const table = pos === 'learned' || pos === 'absolute';
  const bias = c.constraints.has_bias ? ' + b' : '';
  const preMlpNorm = !postNorm && block !== 'parallel_shared_norm';
  return [
    table
      ? kernelStep(c, 'token + position embedding', 'positional_encoding')
      : { ...plain('token embedding', 'x_t = wte[token_t]'), value: 'lookup', kernel: 'table lookup' },
    ...(slotValue(c.constraints, 'embedding_scale') !== 'none'
      ? [kernelStep(c, 'embedding scale', 'embedding_scale')]
      : []),
    ...(embeddingNorm ? [kernelStep(c, 'embedding norm', 'norm_type')] : []),
    ...(block !== 'sequential' ? [kernelStep(c, 'block: attention and MLP in parallel', 'block_type')] : []),
    ...(postNorm
      ? []
      : [kernelStep(c, block === 'parallel_shared_norm' ? 'pre-block norm' : 'pre-attention norm', 'norm_type')]),
    kernelStep(c, 'q, k, v projections', 'has_bias', `q = W_q·h${bias}, k = W_k·h${bias}, v = W_v·h${bias}`),
    ...(pos === 'rope' || pos === 'partial_rope'
      ? [kernelStep(c, 'rotary positions on q, k', 'positional_encoding')]
      : []),
    kernelStep(c, 'self-attention', 'attention_type'),
    ...(pos === 'alibi' ? [kernelStep(c, 'distance bias on the scores', 'positional_encoding')] : []),
    plain(
      block === 'sequential' ? 'output projection + residual' : 'output projection',
      block === 'sequential' ? `x = x + W_o·concat(heads)${bias}` : `a = W_o·concat(heads)${bias}`,
    ),
    ...(postNorm ? [kernelStep(c, 'post-attention norm', 'norm_type')] : []),
    ...(preMlpNorm
      ? [kernelStep(c, block === 'parallel' ? 'MLP norm (of the block input)' : 'pre-MLP norm', 'norm_type')]
      : []),
    kernelStep(c, block === 'sequential' ? 'MLP (+ residual)' : 'MLP; x = x + a + mlp', 'mlp_type'),
    kernelStep(
      c,
      'MLP activation',
      'activation',
      c.constraints.activation === 'gelu' && c.constraints.gelu_approximation === 'none'
        ? 'x·Φ(x) = 0.5x(1 + erf(x/√2)) (exact)'
        : undefined,
    ),
    ...(postNorm ? [kernelStep(c, 'post-MLP norm', 'norm_type')] : []),
    ...(finalNorm ? [kernelStep(c, 'final norm', 'norm_type')] : []),
    kernelStep(c, 'output head', 'tied_embeddings'),
  ];
}

/** The size variant a config.json describes, listed first under this name. */
export const CONFIG_SIZE = 'config.json';

/** A config.json overrides the family's constraints with what it implies, and adds its own size. */
export function effectiveContract(t: Resolved): Contract {
  if (!t.config) return t.contract;
  const constraints = { ...t.contract.constraints };
  for (const d of t.config.derivations)
    (constraints as Record<string, unknown>)[d.key] =
      d.key === 'has_bias' || d.key === 'tied_embeddings' ? d.value === 'true' : d.value;
  return { ...t.contract, constraints, sizes: { [CONFIG_SIZE]: t.config.size, ...t.contract.sizes } };
}

export type VsRow = Static<typeof VsRowSchema>;

export type VsReport = Static<typeof VsReportSchema>;

const SIZE_FIELDS = [
  'parameters',
  'hidden',
  'layers',
  'heads',
  'kv_heads',
  'head_dim',
  'intermediate',
  'vocab',
  'context',
  'rope_theta',
  'norm_eps',
] as const;

type Side = Map<string, string | number>;

const sideBySide = (keys: readonly string[], a: Side, b: Side): VsRow[] =>
  keys.map((key) => {
    const x = a.get(key) ?? null;
    const y = b.get(key) ?? null;
    return { key, a: x, b: y, same: x === y };
  });

/** Keys of both maps in order: each of b's own keys goes right after the key it follows in b. */
function union(a: Side, b: Side): string[] {
  const keys = [...a.keys()];
  let after = -1;
  for (const k of b.keys()) {
    const at = keys.indexOf(k);
    if (at >= 0) after = at;
    else keys.splice(++after, 0, k);
  }
  return keys;
}

/** Two families side by side: constraints, sizes, the pipeline, and (verbose) tensor names. Both reports must be verbose. */
export function buildVsReport(a: KernelReport, b: KernelReport, verbose: boolean): VsReport {
  const va = a.verbose!;
  const vb = b.verbose!;
  const dims = (v: NonNullable<KernelReport['verbose']>) => {
    const size = v.sizes.find((z) => z.name === v.size)!;
    const values: Side = new Map();
    for (const f of SIZE_FIELDS) {
      const x = f === 'parameters' ? v.computedParameters : size[f];
      if (x !== undefined) values.set(f, x);
    }
    return values;
  };
  const steps = (r: KernelReport): Side => new Map(r.pipeline.map((p) => [p.operation, p.kernel]));
  const names = (v: NonNullable<KernelReport['verbose']>) => {
    const byRole: Side = new Map();
    for (const t of v.tensors)
      byRole.set(t.role, byRole.has(t.role) ? `${byRole.get(t.role)}, ${t.template}` : t.template);
    return byRole;
  };
  const pa = steps(a);
  const pb = steps(b);
  const ta = names(va);
  const tb = names(vb);
  // Rows for the slots either report shows; a slot one side leaves out holds its default there.
  const valueIn = (r: KernelReport, key: Slot) => r.constraints.find((c) => c.key === key)?.value ?? slotValue({}, key);
  const rows = SLOTS.filter((key) => [a, b].some((r) => r.constraints.some((c) => c.key === key))).map((key) => {
    const x = valueIn(a, key),
      y = valueIn(b, key);
    return { key, a: x, b: y, same: x === y || kernel(key, x).kind === kernel(key, y).kind };
  });
  const sizes = sideBySide(SIZE_FIELDS, dims(va), dims(vb));
  const pipeline = sideBySide(union(pa, pb), pa, pb);
  return {
    kind: 'kernel-vs',
    a,
    b,
    rows,
    sizes: { a: va.size, b: vb.size, rows: sizes },
    pipeline,
    tensors: verbose ? sideBySide(union(ta, tb), ta, tb) : null,
    differing: {
      constraints: rows.filter((r) => !r.same).length,
      sizes: sizes.filter((r) => !r.same).length,
      pipeline: pipeline.filter((r) => !r.same).length,
    },
  };
}

function verboseSection(c: Contract, sizeName?: string): KernelReport['verbose'] {
  const sizes = Object.entries(c.sizes).map(([name, s]) => ({ name, ...s, head_dim: headDimOf(s) }));
  // A config's own size has no declared count: its parameters are computed below.
  const chosen = sizeName ?? [...sizes].sort((a, b) => a.parameters - b.parameters)[0].name;
  const fromConfig = chosen === CONFIG_SIZE;
  const size = c.sizes[chosen];
  if (!size)
    throw new MicrogptError(
      'MG015',
      `unknown size "${chosen}" for ${c.family}${didYouMean(chosen, Object.keys(c.sizes))}; sizes: ${Object.keys(c.sizes).join(', ')}`,
    );
  const vars = shapeVariables(size);
  const tensors = parameterTemplates(c).map((t) => {
    const shape = t.shape.map((e) => evaluate(e, vars));
    return {
      role: t.role,
      template: t.name,
      name: concreteName(t.name),
      perLayer: t.name.includes('{n}'),
      shape,
      count: shape.reduce((a, b) => a * b, 1),
      copies: copiesOf(t, vars),
    };
  });
  const computed = tensors.reduce((s, t) => s + t.count * t.copies, 0);
  return {
    sizes,
    size: chosen,
    tensors,
    layers: size.layers,
    computedParameters: computed,
    declaredParameters: fromConfig ? null : size.parameters,
    parameterGap: fromConfig ? null : Math.abs(computed - size.parameters) / size.parameters,
  };
}
