import type { ChalkInstance } from 'chalk';

type Paint = (text: string) => string;

/**
 * What renderers may ask of a style: a few paints and the colour depth. With
 * colour off it is a plain object; with colour on, a chalk instance — chalk is
 * loaded only then (`loadColor()`), so piped and --json output never pay for it.
 */
export interface Style {
  level: 0 | 1 | 2 | 3;
  /** Columns the output may use (render/layout.ts). */
  width: number;
  bold: Paint & { underline: Paint; green: Paint };
  dim: Paint;
  green: Paint;
  red: Paint;
  yellow: Paint;
  cyan: Paint;
  white: { bgRgb(r: number, g: number, b: number): Paint; bgAnsi256(n: number): Paint };
  black: { bgRgb(r: number, g: number, b: number): Paint; bgAnsi256(n: number): Paint };
}

const same: Paint = (text) => text;
const sameBg = { bgRgb: () => same, bgAnsi256: () => same };
const PLAIN: Omit<Style, 'width'> = {
  level: 0,
  bold: Object.assign((text: string) => text, { underline: same, green: same }),
  dim: same,
  green: same,
  red: same,
  yellow: same,
  cyan: same,
  white: sameBg,
  black: sameBg,
};

let chalkClass: (new (o: { level: 0 | 1 | 2 | 3 }) => ChalkInstance) | null = null;

/** Loads chalk; needed once before makeStyle(true). */
export async function loadColor(): Promise<void> {
  chalkClass ??= (await import('chalk')).Chalk;
}

export const COLOR_WHEN = ['auto', 'always', 'never'] as const;
export type ColorWhen = (typeof COLOR_WHEN)[number];

/**
 * Colour on only when stdout is a terminal and nothing says otherwise:
 * --color always/never decide outright (--no-color is never); under auto,
 * NO_COLOR (any value) turns it off and FORCE_COLOR turns it on.
 */
export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean, flag?: ColorWhen | boolean): boolean {
  if (flag === false || flag === 'never') return false;
  if (flag === 'always') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY;
}

/**
 * Colour depth when colour is on. Asking for colour (--color always,
 * FORCE_COLOR, or a terminal) gets colour on any TERM — heatmap cells need at
 * least the 256-colour cube, so basic 16-colour output is never chosen: 24-bit
 * when COLORTERM says truecolor (or 24bit) or FORCE_COLOR=3 asks for it, else 256.
 */
export function colorDepth(env: NodeJS.ProcessEnv): 2 | 3 {
  if (Number(env.FORCE_COLOR) === 3) return 3;
  if (/^(truecolor|24bit)$/i.test(env.COLORTERM ?? '')) return 3;
  return 2;
}

export function makeStyle(color: boolean, env: NodeJS.ProcessEnv = process.env, width = 80): Style {
  if (!color) return { ...PLAIN, width };
  if (!chalkClass) throw new Error('makeStyle(true) before loadColor()');
  const c = new chalkClass({ level: colorDepth(env) });
  return {
    level: c.level,
    width,
    bold: c.bold,
    dim: c.dim,
    green: c.green,
    red: c.red,
    yellow: c.yellow,
    cyan: c.cyan,
    white: c.white,
    black: c.black,
  };
}

import { safe } from './escape.js';
export { safe };

export const fixed = (x: number, digits: number): string => (Object.is(x, -0) ? 0 : x).toFixed(digits);

/** 12345678 → "12,345,678" (fixed format, independent of the machine's locale). */
export const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** "1 name", "3 names", "1,024 tensors": a count and its noun (plural with s). */
export const counted = (n: number, noun: string): string => `${grouped(n)} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Text in double quotes as people read it: a quote and a backslash of its own
 * escaped with a backslash (so a piece holding the four characters \x1b is
 * told apart from ESC), hidden characters in `safe`'s notation.
 */
export const quoted = (text: string): string => `"${safe(text.replace(/["\\]/g, (c) => `\\${c}`))}"`;

/** A token as text with its whitespace visible: " cat" shows as ␣cat, a newline as ↵, a tab as ⇥, an empty one as ∅. */
export const tokenText = (label: string): string =>
  safe(label.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥')) || '∅';
