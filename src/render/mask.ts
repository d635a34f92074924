import type { MaskReport } from '../explain/mask.js';
import type { Style } from './style.js';
import { padStartVisible, renderMatrix } from './matrix.js';

/** -1e9 as written in code ("-1e9", not "-1e+9"); 0 as "0". */
export const maskNumber = (v: number): string => (v === 0 ? '0' : v.toExponential().replace('e+', 'e'));

const FUSED_LABEL = { attends: 'scored', skipped: 'masked' } as const;

/**
 * The rows as the chapter writes them ("pos 1: [scored, scored, masked]") when
 * they fit the width; otherwise as a matrix with key positions over the
 * columns, the middle ones left out behind "…" if even that is too wide.
 */
function grid(cells: string[][], dim: (i: number, j: number) => boolean, s: Style): string {
  const posWidth = String(cells.length - 1).length;
  const cellWidth = Math.max(...cells.flat().map((c) => c.length));
  const paint = (i: number, j: number) => (dim(i, j) ? s.dim(cells[i]![j]!) : cells[i]![j]!);
  const label = (i: number) => `pos ${String(i).padStart(posWidth)}:`;
  const bracketed = 4 + label(0).length + 2 + cells.length * (cellWidth + 2);
  if (bracketed <= s.width)
    return cells
      .map((row, i) => `    ${label(i)} [${row.map((c, j) => padStartVisible(paint(i, j), cellWidth)).join(', ')}]`)
      .join('\n');
  const m = renderMatrix({
    headers: [cells.map((_, j) => String(j))],
    rows: cells.map((row, i) => ({ label: label(i), cells: row.map((_, j) => paint(i, j)) })),
    cellWidth,
    width: s.width,
    indent: 4,
  });
  const left = m.hidden ? [`    (keys ${m.hidden.from}–${m.hidden.to} left out at this width: "…")`] : [];
  return [...left, ...m.lines].join('\n');
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
