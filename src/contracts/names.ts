import type { Contract, TensorTemplate } from './schema.js';

/**
 * Matching concrete tensor names against a family's name templates, where
 * {n} stands for a layer and {e} for an expert. A template is parsed once into
 * literal parts and placeholders and matched left to right in one pass (a
 * placeholder takes the longest run of digits), so matching is linear in the
 * name's length whatever the template: no regular expression is ever built
 * from contract text.
 */
type Part = { lit: string } | { slot: 'n' | 'e' };

/** At most this many digits in a layer or expert index. */
const MAX_DIGITS = 9;

export function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < template.length; i++) {
    if (template[i] === '{' && (template[i + 1] === 'n' || template[i + 1] === 'e') && template[i + 2] === '}') {
      if (lit) parts.push({ lit });
      lit = '';
      parts.push({ slot: template[i + 1] as 'n' | 'e' });
      i += 2;
    } else lit += template[i];
  }
  if (lit) parts.push({ lit });
  return parts;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** The layer and expert a name gives a template's placeholders, or null when it does not instantiate it. */
export function matchParts(parts: readonly Part[], name: string): { n: number | null; e: number | null } | null {
  let pos = 0;
  let n: number | null = null;
  let e: number | null = null;
  for (const p of parts) {
    if ('lit' in p) {
      if (!name.startsWith(p.lit, pos)) return null;
      pos += p.lit.length;
    } else {
      const start = pos;
      while (pos < name.length && isDigit(name.charCodeAt(pos)) && pos - start < MAX_DIGITS + 1) pos++;
      if (pos === start || pos - start > MAX_DIGITS) return null;
      const v = Number(name.slice(start, pos));
      if (p.slot === 'n') n = v;
      else e = v;
    }
  }
  return pos === name.length ? { n, e } : null;
}

/** Whether a name instantiates a template's parts: matchParts without building its result (for counting). */
export function partsMatch(parts: readonly Part[], name: string): boolean {
  let pos = 0;
  for (const p of parts) {
    if ('lit' in p) {
      if (!name.startsWith(p.lit, pos)) return false;
      pos += p.lit.length;
    } else {
      const start = pos;
      while (pos < name.length && isDigit(name.charCodeAt(pos)) && pos - start < MAX_DIGITS + 1) pos++;
      if (pos === start || pos - start > MAX_DIGITS) return false;
    }
  }
  return pos === name.length;
}

/** A name with every run of digits replaced by '#': templates and names that may match share it. */
export function skeleton(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    if (isDigit(name.charCodeAt(i))) {
      out += '#';
      while (i + 1 < name.length && isDigit(name.charCodeAt(i + 1))) i++;
    } else out += name[i];
  }
  return out;
}
const templateSkeleton = (template: string) => skeleton(template.replaceAll('{n}', '0').replaceAll('{e}', '0'));

/** Which of a template's names matched. */
export type NameKind = 'name' | 'gguf' | 'gguf_stacked';

export interface NameMatch {
  template: TensorTemplate;
  kind: NameKind;
  layer: number | null;
  expert: number | null;
  /** Leading name segments the template has and the name lacks (e.g. "transformer."), or the name has extra. */
  prefix: { missing: string } | { extra: string } | null;
}

interface Entry {
  template: TensorTemplate;
  kind: NameKind;
  parts: Part[];
  /** For a suffix entry: the template's leading segments this entry leaves out. */
  dropped: string;
}

/** How many leading segments of a name may be an extra wrapper (e.g. "base_model.model."). */
const MAX_EXTRA_SEGMENTS = 3;

/**
 * One family's names, indexed by skeleton for constant-time lookup. Also
 * indexed: each Hugging Face template without its leading literal segments,
 * since checkpoints are saved both with and without a wrapper prefix
 * (GPT-2's own files name `h.0.attn.c_attn.weight`, not `transformer.h.0…`).
 */
export class NameIndex {
  private readonly exact = new Map<string, Entry[]>();
  private readonly suffixes = new Map<string, Entry[]>();

  constructor(readonly contract: Contract) {
    for (const t of contract.tensors) {
      this.add(this.exact, t, 'name', t.name, '');
      if (t.gguf) this.add(this.exact, t, 'gguf', t.gguf, '');
      if (t.gguf_stacked) this.add(this.exact, t, 'gguf_stacked', t.gguf_stacked, '');
      const segs = t.name.split('.');
      const firstSlot = segs.findIndex((s) => s.includes('{'));
      // Leave at least one literal segment before the layer index, or two segments in all.
      const maxDrop = firstSlot >= 0 ? firstSlot - 1 : segs.length - 2;
      for (let k = 1; k <= maxDrop; k++)
        this.add(this.suffixes, t, 'name', segs.slice(k).join('.'), segs.slice(0, k).join('.') + '.');
    }
  }

  private add(
    map: Map<string, Entry[]>,
    template: TensorTemplate,
    kind: NameKind,
    text: string,
    dropped: string,
  ): void {
    const key = templateSkeleton(text);
    const list = map.get(key) ?? [];
    list.push({ template, kind, parts: parseTemplate(text), dropped });
    map.set(key, list);
  }

  /**
   * Whether a name of this skeleton can match at all: most names of a foreign
   * family are ruled out by this alone, so scoring 100,000 names against every
   * family costs one lookup per distinct skeleton, not a match per name.
   */
  mayMatch(sk: string): boolean {
    if (this.exact.has(sk) || this.suffixes.has(sk)) return true;
    // A digit run never holds a dot, so the skeleton after the k-th dot is the skeleton of the name after it.
    let cut = 0;
    for (let k = 0; k < MAX_EXTRA_SEGMENTS; k++) {
      cut = sk.indexOf('.', cut) + 1;
      if (cut === 0) break;
      if (this.exact.has(sk.slice(cut))) return true;
    }
    return false;
  }

  /** Whether `match` would find a template for the name (family detection counts 100,000 names per family this way). */
  matches(name: string, sk = skeleton(name)): boolean {
    const any = (list: Entry[] | undefined, text: string) =>
      list !== undefined && list.some((en) => partsMatch(en.parts, text));
    if (any(this.exact.get(sk), name) || any(this.suffixes.get(sk), name)) return true;
    let cut = 0;
    let skCut = 0;
    for (let k = 0; k < MAX_EXTRA_SEGMENTS; k++) {
      cut = name.indexOf('.', cut) + 1;
      skCut = sk.indexOf('.', skCut) + 1;
      if (cut === 0) break;
      // As in match: the first template the rest instantiates decides, and only a Hugging Face name counts.
      const rest = name.slice(cut);
      const first = this.exact.get(sk.slice(skCut))?.find((en) => partsMatch(en.parts, rest));
      if (first?.kind === 'name') return true;
    }
    return false;
  }

  /** The template a concrete name instantiates: exactly, without the family's prefix, or under an extra wrapper prefix. */
  match(name: string, sk = skeleton(name)): NameMatch | undefined {
    if (!this.mayMatch(sk)) return undefined;
    const hit = (list: Entry[] | undefined, text: string) => {
      for (const en of list ?? []) {
        const m = matchParts(en.parts, text);
        if (m) return { en, m };
      }
      return undefined;
    };
    const exact = hit(this.exact.get(sk), name);
    if (exact)
      return { template: exact.en.template, kind: exact.en.kind, layer: exact.m.n, expert: exact.m.e, prefix: null };
    const suffix = hit(this.suffixes.get(sk), name);
    if (suffix)
      return {
        template: suffix.en.template,
        kind: 'name',
        layer: suffix.m.n,
        expert: suffix.m.e,
        prefix: { missing: suffix.en.dropped },
      };
    let cut = 0;
    for (let k = 0; k < MAX_EXTRA_SEGMENTS; k++) {
      cut = name.indexOf('.', cut) + 1;
      if (cut === 0) break;
      const rest = name.slice(cut);
      const inner = hit(this.exact.get(skeleton(rest)), rest);
      if (inner && inner.en.kind === 'name')
        return {
          template: inner.en.template,
          kind: 'name',
          layer: inner.m.n,
          expert: inner.m.e,
          prefix: { extra: name.slice(0, cut) },
        };
    }
    return undefined;
  }
}

/** Indexes are built once per contract object. */
const cache = new WeakMap<Contract, NameIndex>();
export function nameIndex(c: Contract): NameIndex {
  let idx = cache.get(c);
  if (!idx) cache.set(c, (idx = new NameIndex(c)));
  return idx;
}

/** A template's name for layer n and expert e. */
export const instantiate = (template: string, n: number, e = 0): string =>
  template.replaceAll('{n}', String(n)).replaceAll('{e}', String(e));
