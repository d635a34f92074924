/** The compute module's exports: see matmul.ts, ops.ts and attention.ts. */
export { packA, packInPlace, widenPanels, gemmBlock, simdPeak } from './matmul';
export { normRows, activation, gated, addInto, rope, erfcPos } from './ops';
export { attendHead } from './attention';
