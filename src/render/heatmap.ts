import { DARK_TEXT, RAMP_STOPS, sequential, textOn, type Rgb } from './colors.js';
import type { Style } from './style.js';
import { clip, renderMatrix } from './matrix.js';

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
  if (masked) return s.dim(width > 1 ? ' ·'.padEnd(width) : '·');
  if (s.level >= 2) {
    const c = sequential(w);
    // Two decimals without the leading zero; a weight that rounds to one prints "1".
    const two = w.toFixed(2);
    const digits = two.startsWith('1') ? '1' : width >= 3 ? two.slice(1) : width === 2 ? two.slice(2) : '';
    const text = digits.padEnd(width).slice(0, width);
    const fg = textOn(c) === DARK_TEXT ? s.black : s.white;
    return s.level >= 3 ? fg.bgRgb(...c)(text) : fg.bgAnsi256(ansi256(c))(text);
  }
  return width === 1 ? shade(w) : shade(w).repeat(width);
}

/** The shade character of a weight (a thumbnail draws one per cell, hundreds of thousands for 144 heads). */
function shade(w: number): string {
  for (const [t, glyph] of SHADES) if (w < t) return glyph;
  return SHADES[SHADES.length - 1]![1];
}

/** A row's label is cut to this many columns, so long tokens leave room for the cells. */
const LABEL_WIDTH = 12;

/**
 * rows[i][j] is position i's weight on position j; labels name the positions.
 * Three characters per cell when they fit (room for ".48"), else two, else
 * one; failing that, the middle columns are left out behind a "…".
 */
export function renderHeatmap(
  title: string,
  rows: readonly (readonly number[])[],
  labels: readonly string[],
  s: Style,
  opts: HeatmapOptions,
): string {
  const shown = labels.map((l) => clip(l, LABEL_WIDTH));
  const lead = 2 + Math.max(...shown.map((l) => l.length));
  const n = labels.length;
  const cellWidth = [3, 2, 1].find((w) => lead + n * (w + 1) <= opts.width) ?? 1;
  const m = renderMatrix({
    headers: [shown],
    rows: rows.map((row, i) => ({ label: shown[i]!, cells: (j: number) => cell(row[j]!, j > i, cellWidth, s) })),
    cellWidth,
    width: opts.width,
  });
  const left = m.hidden ? ` (keys ${m.hidden.from}–${m.hidden.to} left out: "…")` : '';
  return [s.bold(title.replace(/:$/, `${left}:`)), ...m.lines].join('\n');
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

/** Columns a thumbnail may take in `width`: all but a margin of two. */
export const thumbnailRoom = (width: number): number => Math.max(3, width - 2);

/** The first and last columns a `columns`-wide thumbnail of n keys keeps, around a "…". */
function thumbnailColumns(n: number, columns: number): { head: number; tail: number } {
  if (columns >= n) return { head: n, tail: 0 };
  const head = Math.ceil((columns - 1) / 2);
  return { head, tail: columns - 1 - head };
}

/** "5–58": the keys a `columns`-wide thumbnail of n keys leaves out. */
export function thumbnailHidden(n: number, columns: number): string {
  const { head, tail } = thumbnailColumns(n, columns);
  return `${head}–${n - tail - 1}`;
}

/**
 * A head's weights as a thumbnail: one character per cell, no labels, padded to
 * a fixed width so thumbnails can stand side by side (the compact view of a long
 * input); wider than `columns`, the middle keys are left out behind a "…".
 */
export function thumbnailLines(
  title: string,
  rows: readonly (readonly number[])[],
  s: Style,
  columns = rows.length,
): string[] {
  const n = rows.length;
  const { head, tail } = thumbnailColumns(n, columns);
  const shown = Math.min(n, columns);
  const width = Math.max(shown, title.length);
  const cells: string[] = [];
  const draw = (row: readonly number[], i: number) => {
    cells.length = 0;
    for (let j = 0; j < head; j++) cells.push(cell(row[j]!, j > i, 1, s));
    if (head < n) cells.push('…');
    for (let j = n - tail; j < n; j++) cells.push(cell(row[j]!, j > i, 1, s));
    return cells.join('');
  };
  return [s.bold(title.padEnd(width)), ...rows.map((row, i) => draw(row, i) + ' '.repeat(width - shown))];
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
