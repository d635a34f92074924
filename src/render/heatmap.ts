import { DARK_TEXT, RAMP_STOPS, sequential, textOn, type Rgb } from './colors.js';
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
  [1 / 20, ' '],
  [1 / 4, '░'],
  [1 / 2, '▒'],
  [3 / 4, '▓'],
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
    // Two decimals without the leading zero; a weight that rounds to one prints "1".
    const two = w.toFixed(2);
    const digits = two.startsWith('1') ? '1' : width >= 3 ? two.slice(1) : width === 2 ? two.slice(2) : '';
    const text = digits.padEnd(width).slice(0, width);
    const fg = textOn(c) === DARK_TEXT ? s.black : s.white;
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

const MASKED_NOTE = 'masked (future position, weight exactly 0)';

/** The legend, made from the same stops and shades the cells are drawn with. */
export function heatmapLegend(s: Style): string {
  if (s.level >= 2) {
    const ramp = RAMP_STOPS.map((w) => cell(w, false, 3, s)).join('');
    return `Legend: ${ramp} weight ${RAMP_STOPS[0]} → ${RAMP_STOPS.at(-1)} (cells print the weight's decimals)   ${s.dim('·')} ${MASKED_NOTE}`;
  }
  const shades = SHADES.map(([t, glyph], i) => {
    const sample = glyph.repeat(3);
    const shown = glyph === ' ' ? `"${sample}"` : sample;
    return Number.isFinite(t) ? `${shown} < ${t}` : `${shown} ≥ ${SHADES[i - 1]![0]}`;
  });
  return `Legend: ${shades.join('   ')}   · ${MASKED_NOTE}`;
}

/**
 * A head's weights as a thumbnail: one character per cell, no labels, padded to
 * a fixed width so thumbnails can stand side by side (the compact view of a long input).
 */
export function thumbnailLines(title: string, rows: readonly (readonly number[])[], s: Style): string[] {
  const n = rows.length;
  const width = Math.max(n, title.length);
  return [
    s.bold(title.padEnd(width)),
    ...rows.map((row, i) => row.map((w, j) => cell(w, j > i, 1, s)).join('') + ' '.repeat(width - n)),
  ];
}

/** Blocks of equal-height lines side by side, as many per band as fit in `width`, two spaces apart. */
export function sideBySide(blocks: readonly string[][], blockWidth: number, width: number): string {
  const perBand = Math.max(1, Math.floor((width + 2) / (blockWidth + 2)));
  const bands: string[] = [];
  for (let b = 0; b < blocks.length; b += perBand) {
    const band = blocks.slice(b, b + perBand);
    const height = Math.max(...band.map((x) => x.length));
    bands.push(
      Array.from({ length: height }, (_, i) =>
        band
          .map((x) => x[i] ?? ' '.repeat(blockWidth))
          .join('  ')
          .trimEnd(),
      ).join('\n'),
    );
  }
  return bands.join('\n\n');
}
