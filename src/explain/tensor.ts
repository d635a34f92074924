import { MicrogptError } from '../errors.js';
import {
  concreteName,
  evaluate,
  nameIndex,
  shapeVariables,
  type Contract,
  type TensorTemplate,
} from '../contracts/index.js';
import { didYouMean } from '../suggest.js';
import { parameterSpecs, type Gpt } from '../model/index.js';
import { buildMaskReport, type MaskReport } from './mask.js';
import { GENERIC_NAMES, roleInfo, type RoleInfo } from './roles.js';
import { stats, type Stats } from './stats.js';
import { attentionEquation, familyFormula, type KernelChoice } from './formulas.js';
import type { Static } from '@sinclair/typebox';
import type { TensorReportSchema } from './schema.js';

/** A role's description with the formula this family's kernels give it. */
function infoIn(role: string, k: KernelChoice | undefined): RoleInfo {
  const info = roleInfo(role);
  if (!k) return info;
  const formula = role === 'attn_mask' ? attentionEquation(k) : familyFormula(role, k);
  return formula === null ? info : { ...info, formula };
}

export type TensorReport = Static<typeof TensorReportSchema>;

const MASK_NAMES = ['attn_mask', 'causal_mask', 'mask'];

/** Where names are looked up first: this tool's own model, then the two families the chapter compares with. */
const PREFERRED = ['microgpt', 'gpt2', 'llama'];
const rank = (c: Contract) => (PREFERRED.includes(c.family) ? PREFERRED.indexOf(c.family) : PREFERRED.length);
const ggufRank = (m: Match) => (m.via !== 'gguf' ? 2 : m.contract.family === 'llama' ? 0 : 1);

const smallest = (c: Contract) => Object.values(c.sizes).sort((a, b) => a.parameters - b.parameters)[0];

interface Match {
  contract: Contract;
  template: TensorTemplate;
  via: 'template' | 'gguf';
  /** The template text that matched (the Hugging Face name, the GGUF name or the stacked GGUF name). */
  text: string;
  layer: number | null;
}

/** The template a concrete name instantiates, in the family's naming or its GGUF naming (parsed, never a regex). */
function matchIn(c: Contract, name: string, anyLayer = false): Match | undefined {
  const m = nameIndex(c).match(name);
  if (!m) return undefined;
  // A layer index must exist in the family's largest size.
  if (!anyLayer && m.layer !== null && m.layer >= maxLayers(c)) return undefined;
  const text =
    m.kind === 'gguf' ? m.template.gguf! : m.kind === 'gguf_stacked' ? m.template.gguf_stacked! : m.template.name;
  return { contract: c, template: m.template, via: m.kind === 'name' ? 'template' : 'gguf', text, layer: m.layer };
}

const maxLayers = (c: Contract) => Math.max(...Object.values(c.sizes).map((s) => s.layers));

/** The role of a concrete tensor name under one family's templates, or undefined. */
export function roleOf(c: Contract, name: string): string | undefined {
  // A tensor that exists (a checkpoint trained with --n-layer) has its role whatever layer it is in.
  return matchIn(c, name, true)?.template.role;
}

/** Layer-0 names of every family's templates (and GGUF names): the candidates for "did you mean". */
function knownNames(contracts: readonly Contract[]): string[] {
  return [
    ...new Set(
      contracts.flatMap((c) =>
        c.tensors.flatMap((t) => [concreteName(t.name), ...(t.gguf ? [concreteName(t.gguf)] : [])]),
      ),
    ),
  ];
}

/**
 * Explains one tensor by name: a family's own name (any layer), a GGUF name, a
 * generic naming pattern, or the causal mask (computed, not stored). Names are
 * matched on the whole pattern, never on a substring. With `family`, only that
 * family's naming is tried; otherwise microGPT's, GPT-2's, LLaMA's, then the rest.
 */
export function buildTensorReport(
  contracts: readonly Contract[],
  name: string,
  opts: { family?: Contract; maskLen: number; model?: { family: string; model: Gpt; weightsFrom: string } },
): TensorReport {
  const empty = { alsoIn: [], layer: null, mask: null, values: null, template: null };
  const spec =
    opts.model && parameterSpecs(opts.model.model.config, opts.model.model.architecture).find((s) => s.name === name);
  if (opts.model && spec) {
    const t = opts.model.model.param(name);
    return {
      ...empty,
      kind: 'tensor',
      family: opts.model.family,
      name,
      via: 'model',
      layer: /^layer(\d+)\./.test(name) ? Number(/^layer(\d+)\./.exec(name)![1]) : null,
      role: spec.role,
      info: infoIn(spec.role, opts.model.model.architecture),
      shape: [...t.shape],
      count: t.size,
      stored: true,
      values: { weightsFrom: opts.model.weightsFrom, stats: stats(t.data) },
    };
  }
  if (MASK_NAMES.includes(name)) {
    const n = opts.maskLen;
    return {
      ...empty,
      kind: 'tensor',
      family: opts.family?.family ?? 'microgpt',
      name: 'attn_mask',
      via: 'mask',
      role: 'attn_mask',
      info: infoIn('attn_mask', (opts.family ?? contracts.find((c) => c.family === 'microgpt'))?.constraints),
      shape: [n, n],
      count: n * n,
      stored: false,
      mask: buildMaskReport(n),
    };
  }
  const ranked = [...contracts].sort((a, b) => rank(a) - rank(b));
  const order = opts.family ? [opts.family] : ranked;
  const found = order.map((c) => matchIn(c, name)).filter((m): m is Match => m !== undefined);
  // Most GGUF files are llama.cpp's "llama" architecture: a bare GGUF name is read as LLaMA's first.
  const matches = found.some((m) => m.via === 'gguf') ? [...found].sort((a, b) => ggufRank(a) - ggufRank(b)) : found;
  const first = matches[0];
  if (!first) {
    const generic = GENERIC_NAMES.find(([pattern]) => pattern.test(name));
    if (generic)
      return {
        ...empty,
        kind: 'tensor',
        family: null,
        name,
        via: 'pattern',
        role: generic[1],
        info: roleInfo(generic[1]),
        shape: null,
        count: null,
        stored: true,
      };
    const beyond = order.map((c) => matchIn(c, name, true)).find((m) => m !== undefined);
    if (beyond) {
      throw new MicrogptError(
        'MG016',
        `"${name}" names layer ${beyond.layer}, but ${beyond.contract.family}'s largest size has ${maxLayers(beyond.contract)} layer${maxLayers(beyond.contract) === 1 ? '' : 's'} (0..${maxLayers(beyond.contract) - 1})`,
      );
    }
    const scope = opts.family ? [opts.family] : contracts;
    const known = [...knownNames(scope), 'attn_mask'];
    const own = knownNames(scope.filter((c) => c.family === (opts.family?.family ?? 'microgpt')));
    throw new MicrogptError(
      'MG016',
      `unknown tensor "${name}"${opts.family ? ` in ${opts.family.family}` : ''}${didYouMean(name, known)}; ${opts.family?.family ?? 'microgpt'}'s tensors: ${[...own, 'attn_mask'].join(', ')}${opts.family ? '' : "; names in any shipped family's naming (Hugging Face or GGUF) work too"}`,
    );
  }
  const vars = shapeVariables(smallest(first.contract));
  const shape = first.template.shape.map((e) => evaluate(e, vars));
  return {
    ...empty,
    kind: 'tensor',
    family: first.contract.family,
    name,
    via: first.via,
    template: first.text,
    alsoIn: matches
      .slice(1)
      .filter((m) => m.template.role === first.template.role)
      .map((m) => m.contract.family),
    layer: first.layer,
    role: first.template.role,
    info: infoIn(first.template.role, first.contract.constraints),
    shape,
    count: shape.reduce((a, b) => a * b, 1),
    stored: true,
  };
}
