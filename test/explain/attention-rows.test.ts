/**
 * The attention report's per-row readings, written as single passes over the
 * rows, against the plain versions they replaced (copy, sort, spread): the
 * strongest keys, the notes and the invariants' worst places agree on random
 * rows full of ties, zeros of both signs and values near the thresholds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FOCUS, BROAD, compareRow, describeRow } from '../../src/explain/annotate.js';
import { strongest, strongestBySort } from '../../src/explain/attention.js';
import { checkInvariants } from '../../src/explain/invariants.js';

/** Weights drawn from few values, so ties, both zeros and the thresholds' edges come up often. */
const weight = fc.constantFrom(0, -0, 1, 0.5, 0.25, FOCUS, FOCUS - 1e-9, BROAD, 0.1 + 1e-12, 1e-12, 0.3, 1 - 1e-13);
const rows = (n: number) => fc.array(fc.array(weight, { minLength: n, maxLength: n }), { minLength: n, maxLength: n });
const labels = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? 'BOS' : `t${i}`));

/** describeRow as first written: a copy of the visible weights, Math.max/min over a spread. */
function describeRowPlain(row: readonly number[], i: number, l: readonly string[]): string {
  const quote = (s: string) => (s === 'BOS' ? 'BOS' : `'${s}'`);
  const who = quote(l[i]!),
    first = quote(l[0]!);
  if (i === 0)
    return row[0] === 1 ? `${first} attends only to itself` : `${first} should attend only to itself, but does not`;
  const visible = row.slice(0, i + 1);
  let top = 0;
  for (let j = 1; j < visible.length; j++) if (visible[j]! > visible[top]!) top = j;
  if (visible[top]! >= FOCUS) return `${who} focuses on ${top === i ? 'itself' : quote(l[top]!)}`;
  if (Math.max(...visible) - Math.min(...visible) <= BROAD)
    return i === 1 ? `${who} splits between ${first} and self` : `${who} attends broadly`;
  if (i === 1) return `${who} leans toward ${top === 1 ? 'itself' : first}`;
  return `${who} attends to all prior, most to ${top === i ? 'itself' : quote(l[top]!)}`;
}

describe('attention rows read in one pass', () => {
  it('the strongest keys equal the top of a full sort (order, ties by position, signed zeros)', () => {
    fc.assert(
      fc.property(fc.array(weight, { minLength: 1, maxLength: 40 }), fc.nat(), (row, k) => {
        const i = k % row.length;
        expect(strongest(row, i)).toEqual(strongestBySort(row, i));
      }),
      { seed: 21, numRuns: 2000 },
    );
    // A row that is not finite is sorted as before.
    expect(strongest([0.5, NaN, 0.5], 2)).toEqual(strongestBySort([0.5, NaN, 0.5], 2));
  });

  it('the notes equal the plain readings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (n, H, seed) => {
        const heads = fc.sample(rows(n), { numRuns: H, seed });
        const l = labels(n);
        for (let h = 0; h < H; h++)
          for (let i = 0; i < n; i++) {
            expect(describeRow(heads[h]![i]!, i, l)).toBe(describeRowPlain(heads[h]![i]!, i, l));
            // compareRow: the head's strongest visible key against the mean of every head there.
            const row = heads[h]![i]!.slice(0, i + 1);
            let top = 0;
            for (let j = 1; j < row.length; j++) if (row[j]! > row[top]!) top = j;
            const mean = heads.reduce((s, r) => s + r[i]![top]!, 0) / H;
            const want =
              i === 0 || H < 2 || !(row[top]! - mean >= 0.02)
                ? null
                : `head ${h} focuses more on ${top === 0 ? 'BOS' : `'${l[top]}'`}`;
            expect(compareRow(heads, h, i, l)).toBe(want);
          }
      }),
      { seed: 23, numRuns: 300 },
    );
  });

  it("the invariants' worst deviations and places equal a scan of every element", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.nat(), (n, seed) => {
        const attention = [
          fc.sample(rows(n), { numRuns: 2, seed }),
          fc.sample(rows(n), { numRuns: 3, seed: seed + 1 }),
        ];
        const got = checkInvariants(attention);
        const scan = (f: (w: number, i: number, j: number) => number | null, whole = false) => {
          const worst = { deviation: 0, layer: 0, head: 0, row: 0, col: 0 };
          attention.forEach((heads, layer) =>
            heads.forEach((rs, head) =>
              rs.forEach((row, i) => {
                const ds = whole ? [row.reduce((a, b) => a + b, 0)] : row;
                ds.forEach((w, col) => {
                  const d = f(w, i, col);
                  if (d !== null && (d > worst.deviation || Number.isNaN(d)))
                    Object.assign(worst, { deviation: Number.isNaN(d) ? Infinity : d, layer, head, row: i, col });
                });
              }),
            ),
          );
          return worst;
        };
        expect(got.map((g) => g.worst)).toEqual([
          scan((w, i, j) => (i === 0 ? Math.abs(w - (j === 0 ? 1 : 0)) : null)),
          scan((w, i, j) => (j > i ? Math.abs(w) : 0)),
          scan((sum) => Math.abs(sum - 1), true),
        ]);
      }),
      { seed: 29, numRuns: 300 },
    );
  });
});
