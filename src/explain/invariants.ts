import type { Static } from '@sinclair/typebox';
import type { InvariantResultSchema } from './schema.js';
export type InvariantResult = Static<typeof InvariantResultSchema>;

export const ROW_SUM_TOLERANCE = 1e-12;

/**
 * The three invariants of causal softmax attention, for every layer and head:
 * row 0 is exactly [1, 0, …], everything above the diagonal is exactly 0, and
 * every row sums to 1 within ROW_SUM_TOLERANCE. `firstToken` names position 0
 * (microGPT's BOS; a real model's first token, whatever it is).
 */
export function checkInvariants(attention: number[][][][], firstToken = 'BOS'): InvariantResult[] {
  const n = attention[0]?.[0]?.length ?? 0;
  const zeros = Array.from({ length: Math.max(0, n - 1) }, () => '0').join(', ');
  const row0 = worstOf(attention, (row, i, worst) => {
    if (i === 0) for (let j = 0; j < row.length; j++) worst.see(Math.abs(row[j]! - (j === 0 ? 1 : 0)), j);
  });
  // On and below the diagonal the deviation is 0, which is never worse than the worst: only the keys above are seen.
  const upper = worstOf(attention, (row, i, worst) => {
    for (let j = i + 1; j < row.length; j++) worst.see(Math.abs(row[j]!), j);
  });
  const rowsum = worstOf(attention, (row, _, worst) => worst.see(Math.abs(row.reduce((a, b) => a + b, 0) - 1), 0));
  return [
    {
      id: 'row0',
      statement: `Row 0 is always [1${zeros ? ', ' + zeros : ''}]`,
      reason:
        firstToken === 'BOS'
          ? 'the BOS token can only see itself'
          : `the first token (${firstToken}) can only see itself`,
      holds: row0.deviation === 0,
      worst: row0,
      tolerance: 0,
    },
    {
      id: 'upper',
      statement: 'Upper triangle is zero',
      reason: 'causal masking prevents attending to the future',
      holds: upper.deviation === 0,
      worst: upper,
      tolerance: 0,
    },
    {
      id: 'rowsum',
      statement: 'Each row sums to 1.0',
      reason: 'softmax normalizes attention weights',
      holds: rowsum.deviation <= ROW_SUM_TOLERANCE,
      worst: rowsum,
      tolerance: ROW_SUM_TOLERANCE,
    },
  ];
}

/** The worst deviation seen so far and where: the first place it is reached (NaN counts as Infinity). */
class Worst {
  deviation = 0;
  layer = 0;
  head = 0;
  row = 0;
  col = 0;
  /** Where the next deviations are seen. */
  at = { layer: 0, head: 0, row: 0 };

  see(d: number, col: number): void {
    if (!(d > this.deviation || Number.isNaN(d))) return;
    this.deviation = Number.isNaN(d) ? Infinity : d;
    this.layer = this.at.layer;
    this.head = this.at.head;
    this.row = this.at.row;
    this.col = col;
  }
}

/**
 * Max over all layers, heads and rows of the deviations `f` shows `worst.see`
 * (with their column, in order), with its position: the first place it is reached.
 */
function worstOf(
  attention: number[][][][],
  f: (row: number[], i: number, worst: Worst) => void,
): InvariantResult['worst'] {
  const worst = new Worst();
  attention.forEach((heads, layer) =>
    heads.forEach((rows, head) =>
      rows.forEach((row, i) => {
        worst.at = { layer, head, row: i };
        f(row, i, worst);
      }),
    ),
  );
  return { deviation: worst.deviation, layer: worst.layer, head: worst.head, row: worst.row, col: worst.col };
}
