import { colorWanted, makeStyle, type Style } from '../render/style.js';

export interface OutputOptions {
  json?: boolean;
  color?: boolean;
}

/** The style for stdout given --no-color, NO_COLOR, FORCE_COLOR and whether stdout is a terminal. */
export function stdoutStyle(opts: OutputOptions): Style {
  return makeStyle(!opts.json && colorWanted(process.env, process.stdout.isTTY === true, opts.color));
}

/** Columns to draw in: the terminal's width, or 80 when stdout is not a terminal. */
export function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 80;
}

/** Writes text and a newline; text ending in "\n" therefore leaves a blank line after it. */
export function print(text: string): void {
  process.stdout.write(text + '\n');
}
