import { sequential, type Rgb } from './colors.js';
import type { Style } from './style.js';

/**
 * A matrix of attention weights as a terminal picture. Colour depth follows
 * the style: 24-bit on true-colour terminals, the 256-colour cube otherwise,
 * and shade characters when colour is off. Masked cells (the future) are
 * always drawn as "·", never as a colour, so they cannot be mistaken for
 * small weights.
 */
export interface HeatmapOptions {
  /** Columns available; cells shrink to fit. */
  width: number;
}

/** Shade characters by weight: [threshold, glyph]; the first threshold the weight is below wins. */
const SHADES: ReadonlyArray<[number, string]> = [
  [0.05, ' '],
  [0.25, '░'],
  [0.5, '▒'],
  [0.75, '▓'],
  [Infinity, '█'],
];

/** Nearest colour of the xterm 6×6×6 cube. */
function ansi256([r, g, b]: Rgb): number {
  const q = (v: number) => Math.round((v / 255) * 5);
  return 16 + 36 * q(r) + 6 * q(g) + q(b);
}

function cell(w: number, masked: boolean, width: number, s: Style): string {
  if (masked) return s.dim(' ·'.slice(width > 1 ? 0 : 1).padEnd(width));
  if (s.level >= 2) {
    const c = sequential(w);
    const digits = w >= 0.995 ? '1' : width >= 3 ? w.toFixed(2).slice(1) : width === 2 ? w.toFixed(2).slice(2) : '';
    const text = digits.padEnd(width).slice(0, width);
    const fg = w > 0.6 ? s.black : s.white;
    return s.level >= 3 ? fg.bgRgb(...c)(text) : fg.bgAnsi256(ansi256(c))(text);
  }
  const glyph = SHADES.find(([t]) => w < t)![1];
  return glyph.repeat(width);
}

/** rows[i][j] is position i's weight on position j; labels name the positions. */
export function renderHeatmap(
  title: string,
  rows: readonly (readonly number[])[],
  labels: readonly string[],
  s: Style,
  opts: HeatmapOptions,
): string {
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const n = labels.length;
  // Three characters per cell when they fit (room for ".48"), else two, else one; one space between cells.
  const cellWidth = [3, 2, 1].find((w) => labelWidth + 3 + n * (w + 1) <= opts.width) ?? 1;
  const header = ' '.repeat(labelWidth + 3) + labels.map((l) => l.slice(0, cellWidth).padEnd(cellWidth + 1)).join('');
  const body = rows.map((row, i) =>
    `  ${labels[i].padEnd(labelWidth)} ${row.map((w, j) => cell(w, j > i, cellWidth, s)).join(' ')}`.trimEnd(),
  );
  return [s.bold(title), header.trimEnd(), ...body].join('\n');
}

export function heatmapLegend(s: Style): string {
  if (s.level >= 2) {
    const ramp = [0, 0.25, 0.5, 0.75, 1].map((w) => cell(w, false, 3, s)).join('');
    return `Legend: ${ramp} weight 0 → 1 (cells print the weight's decimals)   ${s.dim('·')} masked (future position, weight exactly 0)`;
  }
  return `Legend: "   " < 0.05   ░░░ < 0.25   ▒▒▒ < 0.5   ▓▓▓ < 0.75   ███ ≥ 0.75   · masked (future position, weight exactly 0)`;
}
