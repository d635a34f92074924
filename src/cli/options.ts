import { InvalidArgumentError } from 'commander';
import { MicrogptError } from '../errors.js';

/** Commander value parsers: numbers are checked where they are read, with the range in the message. */
export function integerIn(min: number, max: number) {
  return (raw: string): number => {
    if (!/^-?\d+$/.test(raw.trim()))
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export const SEED = integerIn(0, 2 ** 32 - 1);

/** One entry of --heads: HEAD (that head in every layer), LAYER.HEAD, or LAYER.mlp (the MLP, for ablate). */
const HEAD_ENTRY = /^\d{1,6}(\.(\d{1,6}|mlp))?$/;

/**
 * --heads, the same list in every command: comma-separated heads, each HEAD or
 * LAYER.HEAD (ablate also takes LAYER.mlp). Checked for form here, against the
 * model once it is open; kept as written (without spaces) for each command to read.
 */
export function headList(raw: string): string {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !HEAD_ENTRY.test(p)))
    throw new InvalidArgumentError(
      `expected comma-separated head numbers such as 0,2 or LAYER.HEAD pairs such as 0.1,1.3, got "${raw}"`,
    );
  return parts.join(',');
}

/** A head --heads names: `layer` null is that head in every layer. */
export interface HeadRef {
  layer: number | null;
  head: number;
}

/** --heads as heads to show: HEAD or LAYER.HEAD, repeats dropped; an MLP is not a head here. */
export function headRefs(list: string): HeadRef[] {
  const refs = new Map<string, HeadRef>();
  for (const part of list.split(',')) {
    const [a, b] = part.split('.');
    if (b === 'mlp')
      throw new MicrogptError('MG001', `--heads ${part} names an MLP; here --heads takes heads (HEAD or LAYER.HEAD)`);
    const ref = b === undefined ? { layer: null, head: Number(a) } : { layer: Number(a), head: Number(b) };
    refs.set(`${ref.layer}.${ref.head}`, ref);
  }
  return [...refs.values()];
}

/** Token ids as given: comma-separated, order and repeats kept. */
export function idList(raw: string): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d{1,9}$/.test(p)))
    throw new InvalidArgumentError(`expected comma-separated token ids such as 50,1000,7, got "${raw}"`);
  return parts.map(Number);
}

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A finite number in (min, max] (or [min, max] when `inclusiveMin`). */
export function numberIn(min: number, max: number, inclusiveMin = false) {
  return (raw: string): number => {
    const n = Number(raw);
    const low = inclusiveMin ? n >= min : n > min;
    // Decimal only, as --steps and --seed: Number() would also take "0x1", "0b1" and "  ".
    if (!DECIMAL.test(raw.trim()) || !Number.isFinite(n) || !low || n > max) {
      throw new InvalidArgumentError(`expected a number ${inclusiveMin ? '≥' : '>'} ${min} and ≤ ${max}, got "${raw}"`);
    }
    return n;
  };
}

/** Options that may be given more than once (they add up); any other option given twice is a mistake. */
const REPEATABLE = new Set(['--contracts', '--names']);

/** "--steps 5 --steps 9": commander would keep the last silently; name the option instead. */
export function repeatedOption(argv: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const arg of argv) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const name = arg.split('=')[0];
    if (REPEATABLE.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}
