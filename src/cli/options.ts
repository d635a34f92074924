import { InvalidArgumentError } from 'commander';

/** Commander value parsers: numbers are checked where they are read, with the range in the message. */
export function integerIn(min: number, max: number) {
  return (raw: string): number => {
    if (!/^-?\d+$/.test(raw.trim())) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export const SEED = integerIn(0, 2 ** 32 - 1);

/** "0,2" → [0, 2]: a comma-separated list of non-negative integers (range checked against the model later). */
export function integerList(raw: string): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new InvalidArgumentError(`expected comma-separated head numbers such as 0,2, got "${raw}"`);
  return [...new Set(parts.map(Number))];
}

/** A finite number in (min, max] (or [min, max] when `inclusiveMin`). */
export function numberIn(min: number, max: number, inclusiveMin = false) {
  return (raw: string): number => {
    const n = Number(raw);
    const low = inclusiveMin ? n >= min : n > min;
    if (raw.trim() === '' || !Number.isFinite(n) || !low || n > max) {
      throw new InvalidArgumentError(`expected a number ${inclusiveMin ? '≥' : '>'} ${min} and ≤ ${max}, got "${raw}"`);
    }
    return n;
  };
}
