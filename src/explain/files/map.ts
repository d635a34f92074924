import { instantiate, nameIndex, type Contract, type NameMatch, type TensorTemplate } from '../../contracts/index.js';
import { quote } from '../../clip.js';
import type { TensorEntry } from '../../formats/index.js';
import { genericBuffer } from '../roles.js';

/**
 * The file's tensors and, index by index, the contract template each is an
 * instance of (or null). Two columns, not an object per tensor: a file may
 * hold 100,000 tensors, and this lives as long as the report is being built.
 */
export interface Mapped {
  entries: readonly TensorEntry[];
  matches: ReadonlyArray<NameMatch | null>;
}

export function mapTensors(contract: Contract | null, tensors: readonly TensorEntry[]): Mapped {
  const idx = contract ? nameIndex(contract) : null;
  return { entries: tensors, matches: tensors.map((entry) => idx?.match(entry.name) ?? null) };
}

/** Role of a stored constant that is not a parameter: a buffer template's, or a generic buffer's by its name. */
export function bufferRole(entry: TensorEntry, match: NameMatch | null): string | null {
  return match ? (match.template.buffer ? match.template.role : null) : (genericBuffer(entry.name) ?? null);
}

/** The first tensor that is an instance of a template of this role, and its match. */
export function findRole(mapped: Mapped, role: string): { entry: TensorEntry; match: NameMatch } | null {
  const i = mapped.matches.findIndex((m) => m?.template.role === role);
  return i < 0 ? null : { entry: mapped.entries[i]!, match: mapped.matches[i]! };
}

/** How the file names tensors relative to the contract: GGUF, Hugging Face, or Hugging Face with a prefix changed. */
export interface Naming {
  kind: 'gguf' | 'name';
  prefix: NameMatch['prefix'];
  text: string;
}

export function namingOf(mapped: Mapped, gguf: boolean): Naming {
  if (gguf) return { kind: 'gguf', prefix: null, text: 'GGUF names (llama.cpp)' };
  const counts = new Map<string, { prefix: NameMatch['prefix']; n: number }>();
  for (const m of mapped.matches) {
    if (!m) continue;
    const key = JSON.stringify(m.prefix);
    const c = counts.get(key) ?? { prefix: m.prefix, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  const top = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  const prefix = top?.prefix ?? null;
  const text = !prefix
    ? 'Hugging Face names'
    : 'missing' in prefix
      ? `Hugging Face names without the ${quote(prefix.missing)} prefix`
      : `Hugging Face names under an extra ${quote(prefix.extra)} prefix`;
  return { kind: 'name', prefix, text };
}

/** A template in the file's naming: its GGUF name, or its Hugging Face name with the file's prefix change. */
export function templateInFile(t: TensorTemplate, naming: Naming, stacked = false): string | null {
  if (naming.kind === 'gguf') return (stacked ? t.gguf_stacked : t.gguf) ?? null;
  if (!naming.prefix) return t.name;
  if ('extra' in naming.prefix) return naming.prefix.extra + t.name;
  return t.name.startsWith(naming.prefix.missing) ? t.name.slice(naming.prefix.missing.length) : t.name;
}

/** A template's name for layer n, expert e, in the file's naming. */
export function nameInFile(t: TensorTemplate, naming: Naming, n: number, e: number, stacked = false): string | null {
  const tpl = templateInFile(t, naming, stacked);
  return tpl === null ? null : instantiate(tpl, n, e);
}

/** The shape expressions of a template in the form it matched: GGUF's own when it differs, and [experts, …] when stacked. */
export function shapeExpressions(t: TensorTemplate, kind: NameMatch['kind']): string[] {
  if (kind === 'gguf_stacked') return ['experts', ...t.shape];
  if (kind !== 'name' && t.gguf_shape) return t.gguf_shape;
  return t.shape;
}
