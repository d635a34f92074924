import { Graph, MASK_VALUE, Tensor, addCausalMask, causalAttention } from '../tensor/index.js';
import type { Static } from '@sinclair/typebox';
import type { MaskReportSchema } from './schema.js';

/** What one attention path does to position i's score for position j. */

export type MaskReport = Static<typeof MaskReportSchema>;
export type FusedCell = MaskReport['fused']['grid'][number][number];

const rows = (data: Float64Array, n: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * n, (i + 1) * n)));

/** The causal mask as the code applies it: both paths run on a `len`-position input. */
export function buildMaskReport(len: number): MaskReport {
  const g = new Graph(false);
  const zeros = (shape: number[]) => new Tensor(shape, new Float64Array(shape[0]! * shape[1]!));
  const masked = addCausalMask(g, zeros([len, len]));
  // Equal scores: every position the kernel computes gets weight 1/(i+1) > 0, so a 0 is a cell it skipped.
  const { weights } = causalAttention(g, zeros([len, 1]), zeros([len, 1]), zeros([len, 1]), 1);
  const fused = rows(weights[0]!.data, len).map((r) => r.map((w): FusedCell => (w === 0 ? 'skipped' : 'attends')));
  return {
    kind: 'mask',
    len,
    maskValue: MASK_VALUE,
    runs: 'fused',
    fused: { grid: fused, skippedWeight: 0 },
    reference: { grid: rows(masked.data, len) },
    facts: {
      expOfMaskF64: Math.exp(MASK_VALUE),
      expOfMaskF32: Math.fround(Math.exp(Math.fround(MASK_VALUE))),
      fullyMaskedWithInfinity: Math.exp(-Infinity - -Infinity),
    },
  };
}
