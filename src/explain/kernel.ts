import { MicrogptError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { kernel, SLOTS, type Slot } from '../kernels/index.js';
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

export type Verdict = 'same' | 'same-kind' | 'simpler' | 'more-complex' | 'different';

export interface ConstraintComparison {
  key: Slot;
  value: string;
  reference: string;
  verdict: Verdict;
}

export interface PipelineRow {
  operation: string;
  slot: Slot;
  value: string;
  title: string;
  formula: string;
  executable: boolean;
}

export interface TensorRow {
  role: string;
  template: string;
  name: string;
  perLayer: boolean;
  shape: number[];
  count: number;
  /** How many tensors the template stands for: one per layer, per expert, or as the contract's `count` says. */
  copies: number;
}

export interface KernelReport {
  kind: 'kernel';
  family: string;
  displayName: string;
  vendor: string;
  source: string;
  architectures: string[];
  aliases: string[];
  referenceFamily: string;
  /** How the --kernel argument was understood (family, alias, architecture class, file, config.json). */
  resolvedVia: Resolved['via'];
  input: string;
  /** For a config.json: each constraint it implies and why, and where it disagrees with the family contract. */
  config: null | { derivations: Derivation[]; warnings: string[]; variants: string[]; missing: string[] };
  notes: string | null;
  pipeline: PipelineRow[];
  constraints: ConstraintComparison[];
  /** Families (other than this one) whose constraint set is identical. */
  sameConstraints: string[];
  verbose: null | {
    sizes: Array<{ name: string } & SizeVariant & { head_dim: number }>;
    size: string;
    tensors: TensorRow[];
    layers: number;
    computedParameters: number;
    /** Null for a config.json's own size, which declares no count. */
    declaredParameters: number | null;
    /** |computed − declared| / declared */
    parameterGap: number | null;
  };
}

/** The forward pass in order, each stage filled by the kernel its slot names. */
const PIPELINE: ReadonlyArray<[string, Slot]> = [
  ['token + position embedding', 'positional_encoding'],
  ['pre-attention norm', 'norm_type'],
  ['self-attention', 'attention_type'],
  ['pre-MLP norm', 'norm_type'],
  ['MLP', 'mlp_type'],
  ['MLP activation', 'activation'],
  ['projections', 'has_bias'],
  ['output head', 'tied_embeddings'],
];

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
  const value = (k: Slot) => String(c.constraints[k]);
  const signature = (x: Contract) => SLOTS.map((k) => String(x.constraints[k])).join('|');
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
                `config says ${d.key}=${d.value} (${d.because}) but the ${target.contract.family} contract says ${String(target.contract.constraints[d.key])}`,
            ),
          variants: target.config.derivations
            .filter((d) => agreement(target.contract, d) === 'variant')
            .map(
              (d) =>
                `config says ${d.key}=${d.value} (${d.because}): a variant the ${target.contract.family} contract lists (usually ${String(target.contract.constraints[d.key])})`,
            ),
          missing: target.config.missing,
        }
      : null,
    notes: c.notes ?? null,
    pipeline: pipelineOf(c),
    constraints: SLOTS.map((key) => ({
      key,
      value: value(key),
      reference: String(reference.constraints[key]),
      verdict: compare(key, value(key), String(reference.constraints[key])),
    })),
    sameConstraints: all.filter((x) => x.family !== c.family && signature(x) === signature(c)).map((x) => x.family),
    verbose: opts.verbose ? verboseSection(c, opts.size ?? (target.config ? CONFIG_SIZE : undefined)) : null,
  };
}

/** Whether a config's derived constraint is the family's own value, one of its listed variants, or neither. */
export function agreement(c: Contract, d: Derivation): 'same' | 'variant' | 'disagrees' {
  if (String(c.constraints[d.key]) === d.value) return 'same';
  if (d.key === 'gelu_approximation') return 'disagrees';
  const listed = (c.variants?.[d.key as keyof NonNullable<Contract['variants']>] ?? []) as ReadonlyArray<
    string | boolean
  >;
  return listed.some((v) => String(v) === d.value) ? 'variant' : 'disagrees';
}

/** The forward pass of a family, stage by stage, with the registry's kernel for each. */
export function pipelineOf(c: Contract): PipelineRow[] {
  return PIPELINE.map(([operation, slot]) => {
    const k = kernel(slot, String(c.constraints[slot]));
    return { operation, slot, value: k.value, title: k.title, formula: k.formula, executable: k.executable };
  });
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

export interface VsReport {
  kind: 'kernel-vs';
  a: KernelReport;
  b: KernelReport;
  rows: Array<{ key: Slot; a: string; b: string; same: boolean }>;
}

/** Two families side by side, constraint by constraint. */
export function buildVsReport(a: KernelReport, b: KernelReport): VsReport {
  return {
    kind: 'kernel-vs',
    a,
    b,
    rows: a.constraints.map((ca, i) => ({
      key: ca.key,
      a: ca.value,
      b: b.constraints[i].value,
      same:
        ca.value === b.constraints[i].value ||
        kernel(ca.key, ca.value).kind === kernel(ca.key, b.constraints[i].value).kind,
    })),
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
