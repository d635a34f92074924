import { MASK_VALUE } from '../tensor/index.js';

export interface MaskReport {
  kind: 'mask';
  len: number;
  maskValue: number;
  /** grid[i][j] is 0 where position i may attend to j, the mask value where it may not. */
  grid: number[][];
  /** Facts behind the choice of -1e9, computed here rather than asserted. */
  facts: {
    expOfMaskF64: number;
    expOfMaskF32: number;
    /** softmax of a fully masked row with true −∞: exp(−∞ − (−∞)) is NaN. */
    fullyMaskedWithInfinity: number;
  };
}

export function buildMaskReport(len: number): MaskReport {
  const grid = Array.from({ length: len }, (_, i) => Array.from({ length: len }, (_, j) => (j > i ? MASK_VALUE : 0)));
  return {
    kind: 'mask',
    len,
    maskValue: MASK_VALUE,
    grid,
    facts: {
      expOfMaskF64: Math.exp(MASK_VALUE),
      expOfMaskF32: Math.fround(Math.exp(Math.fround(MASK_VALUE))),
      fullyMaskedWithInfinity: Math.exp(-Infinity - -Infinity),
    },
  };
}
