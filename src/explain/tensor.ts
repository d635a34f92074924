import { MicrogptError } from '../errors.js';
import { evaluate, shapeVariables, type Contract } from '../contracts/index.js';
import { didYouMean } from '../suggest.js';
import { buildMaskReport, type MaskReport } from './mask.js';
import { ROLES, type RoleInfo } from './roles.js';
import { stats, type Stats } from './stats.js';
import type { Tensor } from '../tensor/index.js';

export interface TensorReport {
  kind: 'tensor';
  family: string;
  name: string;
  role: string;
  info: RoleInfo;
  shape: number[];
  count: number;
  stored: boolean;
  /** For attn_mask: the mask itself. */
  mask: MaskReport | null;
  /** With a checkpoint: statistics of the tensor's actual values. */
  values: { weightsFrom: string; stats: Stats } | null;
}

const MASK_NAMES = ['attn_mask', 'causal_mask', 'mask'];

/** The concrete tensor names of a family's smallest size, layer {n} expanded for every layer. */
export function tensorNames(c: Contract): Map<string, { role: string; shapeExpr: string[] }> {
  const size = smallest(c);
  const names = new Map<string, { role: string; shapeExpr: string[] }>();
  for (const t of c.tensors) {
    const layers = t.name.includes('{n}') ? size.layers : 1;
    for (let n = 0; n < layers; n++) names.set(t.name.replaceAll('{n}', String(n)), { role: t.role, shapeExpr: t.shape });
  }
  return names;
}

function smallest(c: Contract) {
  return Object.values(c.sizes).sort((a, b) => a.parameters - b.parameters)[0];
}

/** Explains one tensor of a family by name, or the causal mask (which is computed, not stored). */
export function buildTensorReport(c: Contract, name: string, maskLen: number, model?: { weightsFrom: string; params: ReadonlyMap<string, Tensor> }): TensorReport {
  if (MASK_NAMES.includes(name)) {
    return { kind: 'tensor', family: c.family, name: 'attn_mask', role: 'attn_mask', info: ROLES.attn_mask, shape: [maskLen, maskLen], count: maskLen * maskLen, stored: false, mask: buildMaskReport(maskLen), values: null };
  }
  const names = tensorNames(c);
  const found = names.get(name);
  if (!found) {
    throw new MicrogptError('MG016', `unknown tensor "${name}" in ${c.family}${didYouMean(name, [...names.keys(), 'attn_mask'])}; known: ${[...names.keys(), 'attn_mask'].join(', ')}`);
  }
  const shape = found.shapeExpr.map((e) => evaluate(e, shapeVariables(smallest(c))));
  const report: TensorReport = { kind: 'tensor', family: c.family, name, role: found.role, info: ROLES[found.role] ?? { title: found.role, stage: '—', formula: '—' }, shape, count: shape.reduce((a, b) => a * b, 1), stored: true, mask: null, values: null };
  const t = model?.params.get(name);
  return t ? { ...report, values: { weightsFrom: model!.weightsFrom, stats: stats(t.data) } } : report;
}

/**
 * The role of a concrete tensor name under a family's templates, matched on the
 * whole name with {n} standing for a layer number — never on a substring.
 */
export function roleOf(c: Contract, name: string): string | undefined {
  for (const t of c.tensors) {
    const pattern = new RegExp('^' + t.name.split('{n}').map(escapeRegExp).join('(\\d+)') + '$');
    if (pattern.test(name)) return t.role;
  }
  return undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
