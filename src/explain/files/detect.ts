import { configArchitectures, familyOfConfig, nameIndex, skeleton, type Contract } from '../../contracts/index.js';
import { quote } from '../../clip.js';
import { ggufString, type ModelFiles } from '../../formats/index.js';
import { genericBuffer } from '../roles.js';

export interface Detection {
  contract: Contract | null;
  via: 'config.json' | 'gguf general.architecture' | 'tensor names' | '--family' | 'none';
  reasons: string[];
}

/** When names alone cannot tell families apart (LLaMA, Mistral and Gemma share every name), the most common one first. */
const PREFERENCE = ['llama', 'qwen2', 'gpt2', 'mistral'];
const preference = (c: Contract) => (PREFERENCE.includes(c.family) ? PREFERENCE.indexOf(c.family) : PREFERENCE.length);

/** The file's tensor names (buffers aside) grouped by skeleton, so that a family rules out a whole group at once. */
class Names {
  readonly bySkeleton = new Map<string, string[]>();
  readonly length: number = 0;
  constructor(tensors: readonly { name: string }[]) {
    for (const { name } of tensors) {
      if (genericBuffer(name)) continue;
      const sk = skeleton(name);
      const list = this.bySkeleton.get(sk);
      if (list) list.push(name);
      else this.bySkeleton.set(sk, [name]);
      this.length++;
    }
  }
}

/** How many of the file's tensors (buffers aside) a family's naming accounts for. */
function score(c: Contract, names: Names): number {
  const idx = nameIndex(c);
  let n = 0;
  for (const [sk, list] of names.bySkeleton) {
    if (!idx.mayMatch(sk)) continue;
    for (const name of list) if (idx.matches(name, sk)) n++;
  }
  return n;
}

/**
 * Which family a model file belongs to, from the file itself: config.json's
 * architectures/model_type, GGUF's general.architecture, or, failing both,
 * which family's naming accounts for most tensors. Every step is a reason shown.
 */
export function detectFamily(files: ModelFiles, contracts: readonly Contract[], forced?: Contract): Detection {
  const names = new Names(files.tensors);
  if (forced)
    return {
      contract: forced,
      via: '--family',
      reasons: [`read as ${forced.family} (--family), not detected`, coverage(forced, names)],
    };
  const reasons: string[] = [];
  const cfg = files.config?.json;
  if (cfg) {
    const found = familyOfConfig(cfg, contracts);
    if (found)
      return {
        contract: found.contract,
        via: 'config.json',
        reasons: [
          found.by === 'architectures'
            ? `config.json architectures ${quotes(configArchitectures(cfg))} → ${found.contract.family}`
            : `config.json model_type ${quote(found.name)} → ${found.contract.family}`,
          coverage(found.contract, names),
        ],
      };
    const modelType = typeof cfg.model_type === 'string' ? cfg.model_type : null;
    reasons.push(
      `config.json names model_type ${modelType === null ? 'null' : quote(modelType)} and architectures ${quotes(configArchitectures(cfg))}, which no family contract lists`,
    );
  }
  if (files.gguf) {
    const arch = ggufString(files.gguf, 'general.architecture');
    if (arch === undefined) reasons.push('the GGUF file has no general.architecture');
    else {
      const candidates = contracts.filter((c) => (c.gguf_architectures ?? []).includes(arch));
      if (candidates.length === 0) {
        reasons.push(
          `GGUF general.architecture ${quote(arch)} is not a family this tool knows (add a contract with "gguf_architectures": [${quote(arch)}])`,
        );
        return { contract: null, via: 'none', reasons };
      }
      const ranked = candidates
        .map((c) => ({ c, n: score(c, names) }))
        .sort((a, b) => b.n - a.n || preference(a.c) - preference(b.c));
      const best = ranked[0].c;
      const others = ranked.slice(1);
      const equal = others.filter((o) => o.n === ranked[0].n).map((o) => o.c.family);
      const why = equal.length
        ? `${equal.join(', ')} fit${equal.length === 1 ? 's' : ''} equally; ${best.family} is the most common`
        : `${best.family}'s names fit best`;
      reasons.push(
        `GGUF general.architecture ${quote(arch)} → ${best.family}${others.length ? ` (llama.cpp writes it for ${others.map((o) => o.c.family).join(', ')} too; ${why})` : ''}`,
        coverage(best, names),
      );
      return { contract: best, via: 'gguf general.architecture', reasons };
    }
  }
  const scored = contracts.map((c) => ({ c, n: score(c, names) })).filter((x) => x.n > 0);
  if (scored.length === 0 || names.length === 0) {
    reasons.push(
      names.length === 0 ? 'the file holds no tensors to recognise' : "no family's tensor names match this file",
    );
    return { contract: null, via: 'none', reasons };
  }
  const top = Math.max(...scored.map((x) => x.n));
  const tied = scored
    .filter((x) => x.n === top)
    .map((x) => x.c)
    .sort((a, b) => preference(a) - preference(b) || a.family.localeCompare(b.family));
  const best = tied[0];
  if (top * 2 < names.length) {
    reasons.push(
      `tensor names: at best ${top} of ${names.length} match a family (${best.family}); too few to call it one`,
    );
    return { contract: null, via: 'none', reasons };
  }
  reasons.push(coverage(best, names));
  if (tied.length > 1)
    reasons.push(
      `${tied.map((c) => c.family).join(', ')} name their tensors alike; chose ${best.family}, the most common (put the model's config.json beside it to be sure)`,
    );
  return { contract: best, via: 'tensor names', reasons };
}

const coverage = (c: Contract, names: Names) =>
  `tensor names: ${score(c, names)} of ${names.length} match ${c.family}'s naming`;

/** A list of strings from config.json as JSON writes it, each clipped when long, and at most a few. */
const quotes = (xs: readonly string[]): string =>
  `[${xs
    .slice(0, 4)
    .map((x) => quote(x))
    .join(',')}${xs.length > 4 ? `, … (${xs.length} in all)` : ''}]`;
