/** Colour scales shared by the terminal heatmap and the HTML report. */

export type Rgb = [number, number, number];

/** Sequential, 0 → 1: deep blue through teal to yellow, after viridis. */
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** Diverging, −1 → 1: blue, white, red (for signed weights). */
const DIVERGING: readonly Rgb[] = [
  [33, 102, 172],
  [247, 247, 247],
  [178, 24, 43],
];

function interpolate(stops: readonly Rgb[], t: number): Rgb {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((k) => Math.round(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]))) as Rgb;
}

/** The weights a colour legend shows: the ends and the quarters. */
export const RAMP_STOPS: readonly number[] = [0, 1 / 4, 1 / 2, 3 / 4, 1];

export const sequential = (w: number): Rgb => interpolate(VIRIDIS, w);
/** −maxAbs → blue, 0 → white (the middle of the scale), +maxAbs → red. */
export const diverging = (v: number, maxAbs: number): Rgb =>
  interpolate(DIVERGING, maxAbs > 0 ? (v / maxAbs + 1) / 2 : 1 / 2);
export const css = ([r, g, b]: Rgb): string => `rgb(${r},${g},${b})`;

/** Rec. 601 luma weights, per mille, and the luma above which a cell counts as light. */
const LUMA = [299, 587, 114];
const LIGHT = 150;
export const DARK_TEXT = '#111';
/** Dark text on light cells, light text on dark ones. */
export const textOn = (c: Rgb): string =>
  c.reduce((sum, x, i) => sum + x * LUMA[i]!, 0) / 1000 > LIGHT ? DARK_TEXT : '#fff';
