import type { MaskReport } from '../explain/mask.js';
import type { Style } from './style.js';

const cell = (v: number) => (v === 0 ? '  0  ' : '  -∞ ');

export function renderMaskGrid(m: MaskReport, s: Style): string {
  const width = String(m.len - 1).length;
  return m.grid
    .map(
      (row, i) =>
        `    pos ${String(i).padStart(width)}: [${row.map((v) => (v === 0 ? cell(v) : s.dim(cell(v)))).join(',')}]`,
    )
    .join('\n');
}

export function renderMaskReport(m: MaskReport, s: Style): string {
  return [
    s.bold('Causal Mask:'),
    '  Each position can only attend to itself and earlier positions.',
    `  Future positions are masked with ${m.maskValue.toExponential().replace('e+', 'e')} → softmax drives them to ~0.`,
    '',
    renderMaskGrid(m, s),
    '',
    `The mask uses ${m.maskValue.toExponential().replace('e+', 'e')} instead of true -∞ to satisfy softmax's precondition that every input is finite`,
    "(this tool's softmax refuses non-finite input). The masked weights are still exactly zero:",
    `  exp(-1e9) = ${m.facts.expOfMaskF64} in f64 and ${m.facts.expOfMaskF32} in f32, so the result is numerically identical to -∞.`,
    `With true -∞, a row with every entry masked would give exp(-∞ − (-∞)) = ${m.facts.fullyMaskedWithInfinity}; a finite mask never produces NaN.`,
  ].join('\n');
}
