import { Chalk, type ChalkInstance } from 'chalk';

export type Style = ChalkInstance;

/**
 * Colour on only when stdout is a terminal and nothing says otherwise:
 * NO_COLOR (any value) or --no-color turn it off, FORCE_COLOR turns it on.
 */
export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean, flag?: boolean): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY;
}

/**
 * Colour depth when colour is on: FORCE_COLOR=2 or 3 asks for 256 or 24-bit
 * colour outright; otherwise COLORTERM=truecolor (or 24bit) means 24-bit and a
 * TERM ending in -256color means 256; anything else gets basic colours.
 */
export function colorDepth(env: NodeJS.ProcessEnv): 1 | 2 | 3 {
  const forced = Number(env.FORCE_COLOR);
  if (forced === 2 || forced === 3) return forced;
  if (/^(truecolor|24bit)$/i.test(env.COLORTERM ?? '')) return 3;
  if (/-256(colou?r)?$/i.test(env.TERM ?? '')) return 2;
  return 1;
}

export function makeStyle(color: boolean, env: NodeJS.ProcessEnv = process.env): Style {
  return new Chalk({ level: color ? colorDepth(env) : 0 });
}

/**
 * Escapes what a file or an argument could use to drive the terminal or
 * disguise text: C0/C1 control characters (ESC, BEL …) and the Unicode bidi
 * controls that reorder what is shown (U+061C, U+200E/F, U+202A–U+202E,
 * U+2066–U+2069). The one escaping function for every string from outside.
 */
export function safe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export const fixed = (x: number, digits: number): string => (Object.is(x, -0) ? 0 : x).toFixed(digits);

/** 12345678 → "12,345,678" (fixed format, independent of the machine's locale). */
export const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
