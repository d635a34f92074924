import { InvalidArgumentError } from 'commander';

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

/** "0,2" → [0, 2]: a comma-separated list of non-negative integers (range checked against the model later). */
export function integerList(raw: string): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p)))
    throw new InvalidArgumentError(`expected comma-separated head numbers such as 0,2, got "${raw}"`);
  return [...new Set(parts.map(Number))];
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
