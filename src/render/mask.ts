import type { MaskReport } from '../explain/mask.js';
import type { Style } from './style.js';

/** -1e9 as written in code ("-1e9", not "-1e+9"); 0 as "0". */
export const maskNumber = (v: number): string => (v === 0 ? '0' : v.toExponential().replace('e+', 'e'));

const FUSED_LABEL = { attends: 'scored', skipped: 'masked' } as const;

function grid(cells: string[][], dim: (i: number, j: number) => boolean, s: Style): string {
  const posWidth = String(cells.length - 1).length;
  const cellWidth = Math.max(...cells.flat().map((c) => c.length));
  return cells
    .map(
      (row, i) =>
        `    pos ${String(i).padStart(posWidth)}: [${row
          .map((c, j) => (dim(i, j) ? s.dim(c.padStart(cellWidth)) : c.padStart(cellWidth)))
          .join(', ')}]`,
    )
    .join('\n');
}

export function renderMaskReport(m: MaskReport, s: Style): string {
  const mask = maskNumber(m.maskValue);
  return [
    s.bold('Causal Mask:'),
    '  Each position can only attend to itself and earlier positions.',
    `  The ${m.runs} attention kernel (the one the model runs) never scores a future position; its weight stays exactly ${m.fused.skippedWeight}, and no mask value is added:`,
    grid(
      m.fused.grid.map((r) => r.map((c) => FUSED_LABEL[c])),
      (i, j) => m.fused.grid[i]![j] === 'skipped',
      s,
    ),
    '',
    `  The reference path (plain ops, the truth the fused kernel is tested against) adds ${mask} to the future scores before softmax; these are the values it adds:`,
    grid(
      m.reference.grid.map((r) => r.map(maskNumber)),
      (i, j) => m.reference.grid[i]![j] !== 0,
      s,
    ),
    '',
    `It adds ${mask} instead of true −∞ to satisfy softmax's precondition that every input is finite (this tool's softmax refuses non-finite input). The masked weights are still exactly zero: exp(${mask}) = ${m.facts.expOfMaskF64} in f64 and ${m.facts.expOfMaskF32} in f32, so both paths give the same weights.`,
    `With true −∞, a row with every entry masked would give exp(−∞ − (−∞)) = ${m.facts.fullyMaskedWithInfinity}; a finite mask never produces NaN.`,
  ].join('\n');
}
