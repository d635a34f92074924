import { colorWanted, makeStyle, type ColorWhen, type Style } from '../render/style.js';
import { fitToWidth, layoutWidth } from '../render/layout.js';

export interface OutputOptions {
  json?: boolean;
  /** --color WHEN, or false from --no-color. */
  color?: ColorWhen | boolean;
  /** --html FILE: the page is the report, so no text report follows it on stdout. */
  html?: string;
}

/** Columns to draw in: COLUMNS when set, else the terminal's width, else 80 (render/layout.ts). */
export function terminalWidth(): number {
  return layoutWidth(process.env, process.stdout.isTTY ? process.stdout.columns : undefined);
}

/** The style for stdout given --no-color, NO_COLOR, FORCE_COLOR, whether stdout is a terminal, and its width. */
export function stdoutStyle(opts: OutputOptions): Style {
  return makeStyle(
    !opts.json && colorWanted(process.env, process.stdout.isTTY === true, opts.color),
    process.env,
    terminalWidth(),
  );
}

/** Characters written at a time: a 50 MB JSON document is never copied whole into one buffer. */
const WRITE_CHUNK = 1 << 20;

/** Writes text and a newline; text ending in "\n" therefore leaves a blank line after it. */
export function print(text: string): void {
  if (text.length <= WRITE_CHUNK) {
    process.stdout.write(text + '\n');
    return;
  }
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + WRITE_CHUNK);
    const last = text.charCodeAt(end - 1);
    // Never split a surrogate pair between two writes.
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    process.stdout.write(text.slice(i, end));
    i = end;
  }
  process.stdout.write('\n');
}

/** Writes text for people, every line fitted to the style's width. */
export function printFitted(text: string, style: Style): void {
  print(fitToWidth(text, style.width));
}

/**
 * A command's result: its JSON document under --json, else the text its
 * renderer draws, fitted to the terminal — unless --html wrote the report as a
 * page (the caller names the file on stderr). The JSON may come in pieces
 * (render/json-pieces.ts), written one after the other; the text may come in
 * pieces of whole lines, which joined with "\n" are the text (fitting is line
 * by line, so fitting each piece fits the whole).
 */
export function show(
  opts: OutputOptions,
  json: () => string | Iterable<string>,
  text: (style: Style) => string | Iterable<string>,
): void {
  if (opts.json) {
    const doc = json();
    if (typeof doc === 'string') return print(doc);
    for (const piece of doc) process.stdout.write(piece);
    process.stdout.write('\n');
    return;
  }
  if (opts.html !== undefined) return;
  const style = stdoutStyle(opts);
  const t = text(style);
  if (typeof t === 'string') return printFitted(t, style);
  let first = true;
  for (const piece of t) {
    process.stdout.write((first ? '' : '\n') + fitToWidth(piece, style.width));
    first = false;
  }
  process.stdout.write('\n');
}
