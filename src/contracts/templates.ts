import { evaluate } from './expr.js';
import type { Contract, SizeVariant, TensorTemplate } from './schema.js';

/**
 * The templates that are parameters of a model of this family: never a buffer
 * (a stored constant such as GPT-2's causal-mask `attn.bias`), and an
 * untied-only output head only when the embeddings are not tied.
 */
export function parameterTemplates(c: Contract, tied: boolean = c.constraints.tied_embeddings): TensorTemplate[] {
  return c.tensors.filter((t) => !t.buffer && !(t.when === 'untied' && tied));
}

/** How many tensors a template stands for: its `count`, else layers if it has {n}, times experts if it has {e}. */
export function copiesOf(t: TensorTemplate, vars: Record<string, number | undefined>): number {
  if (t.count !== undefined) return evaluate(t.count, vars);
  return (t.name.includes('{n}') ? (vars.layers ?? 1) : 1) * (t.name.includes('{e}') ? (vars.experts ?? 1) : 1);
}

/** head_dim as the size states it, or hidden / heads. */
export function headDimOf(size: SizeVariant): number {
  return size.head_dim ?? size.hidden / size.heads;
}

/** The names a shape template may use for one size variant. */
export function shapeVariables(size: SizeVariant): Record<string, number | undefined> {
  return { ...size, head_dim: headDimOf(size) };
}

/** Parameters the contract's templates give at one size: Σ copies × Π shape. */
export function templateParameterCount(c: Contract, size: SizeVariant, tied?: boolean): number {
  const vars = shapeVariables(size);
  return parameterTemplates(c, tied).reduce(
    (s, t) => s + copiesOf(t, vars) * t.shape.reduce((p, e) => p * evaluate(e, vars), 1),
    0,
  );
}
