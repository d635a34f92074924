import { MicrogptError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { kernel, SLOTS, type Slot } from '../kernels/index.js';
import { copiesOf, concreteName, evaluate, headDimOf, shapeVariables, type Contract, type SizeVariant } from '../contracts/index.js';

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
    declaredParameters: number;
    /** |computed − declared| / declared */
    parameterGap: number;
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
  const a = kernel(slot, value), r = kernel(slot, reference);
  if (a.kind === r.kind) return 'same-kind';
  if (r.complexity < a.complexity) return 'simpler';
  if (r.complexity > a.complexity) return 'more-complex';
  return 'different';
}

export function buildKernelReport(c: Contract, reference: Contract, all: readonly Contract[], opts: { verbose: boolean; size?: string }): KernelReport {
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
    pipeline: PIPELINE.map(([operation, slot]) => {
      const k = kernel(slot, value(slot));
      return { operation, slot, value: k.value, title: k.title, formula: k.formula, executable: k.executable };
    }),
    constraints: SLOTS.map((key) => ({ key, value: value(key), reference: String(reference.constraints[key]), verdict: compare(key, value(key), String(reference.constraints[key])) })),
    sameConstraints: all.filter((x) => x.family !== c.family && signature(x) === signature(c)).map((x) => x.family),
    verbose: opts.verbose ? verboseSection(c, opts.size) : null,
  };
}

function verboseSection(c: Contract, sizeName?: string): KernelReport['verbose'] {
  const sizes = Object.entries(c.sizes).map(([name, s]) => ({ name, ...s, head_dim: headDimOf(s) }));
  const chosen = sizeName ?? [...sizes].sort((a, b) => a.parameters - b.parameters)[0].name;
  const size = c.sizes[chosen];
  if (!size) throw new MicrogptError('MG015', `unknown size "${chosen}" for ${c.family}${didYouMean(chosen, Object.keys(c.sizes))}; sizes: ${Object.keys(c.sizes).join(', ')}`);
  const vars = shapeVariables(size);
  const tensors = c.tensors.map((t) => {
    const shape = t.shape.map((e) => evaluate(e, vars));
    return { role: t.role, template: t.name, name: concreteName(t.name), perLayer: t.name.includes('{n}'), shape, count: shape.reduce((a, b) => a * b, 1), copies: copiesOf(t, vars) };
  });
  const computed = tensors.reduce((s, t) => s + t.count * t.copies, 0);
  return {
    sizes,
    size: chosen,
    tensors,
    layers: size.layers,
    computedParameters: computed,
    declaredParameters: size.parameters,
    parameterGap: Math.abs(computed - size.parameters) / size.parameters,
  };
}
