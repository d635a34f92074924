// Fitting text to the terminal: every line of human output is at most `width`
// columns. Tables choose their own layout (render/table.ts); this wraps prose.
// Written here rather than taken from wrap-ansi: importing wrap-ansi@10 costs
// 55–75 ms on this machine, more than half of Node's own start-up.

const SGR = /\u001b\[[0-9;]*m/g;

/** Columns a line takes: colour codes take none, every other code point one. */
export function visibleWidth(text: string): number {
  if (text.includes('\u001b')) {
    let n = 0;
    for (const _ of text.replace(SGR, '')) n++;
    return n;
  }
  // No colour codes: UTF-16 units, less one for each surrogate pair (a code point in two units).
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** A line's pieces: colour codes (zero width) and single code points. Pushed one by one: a megabyte-long word must not become a megabyte of call arguments. */
function pieces(text: string): string[] {
  const out: string[] = [];
  const codePoints = (from: number, to: number) => {
    for (const c of text.slice(from, to)) out.push(c);
  };
  let last = 0;
  for (const m of text.matchAll(SGR)) {
    codePoints(last, m.index);
    out.push(m[0]);
    last = m.index + m[0].length;
  }
  codePoints(last, text.length);
  return out;
}

/** Splits a word wider than `width` into chunks of at most `width` columns. */
function hardBreak(word: string, width: number): string[] {
  const chunks: string[] = [];
  let chunk = '';
  let n = 0;
  for (const p of pieces(word)) {
    const w = p.startsWith('\u001b') ? 0 : 1;
    if (n + w > width) {
      chunks.push(chunk);
      chunk = '';
      n = 0;
    }
    chunk += p;
    n += w;
  }
  if (chunk) chunks.push(chunk);
  return chunks;
}

/** A gap of 2+ spaces this far into a line marks columns ("label:   value"); later ones are just text. */
const COLUMN_GAP_WITHIN = 50;

/** Columns a continuation line keeps for text, however deep its indent. */
const MIN_TEXT = 24;

/** Markers after which a wrapped line's continuation lines align with the text. */
const MARKERS = ['- ', '• ', '✓ ', '✗ ', '⚠ ', '* '];

/** Leading columns the continuation lines of `line` are indented by: its own indent, or under the text after a list marker or a "label:  ". */
function hangingIndent(line: string): number {
  const plain = line.replace(SGR, '');
  const lead = plain.length - plain.trimStart().length;
  const rest = plain.slice(lead);
  const marker = MARKERS.find((m) => rest.startsWith(m));
  if (marker) return lead + visibleWidth(marker);
  // Columns ("label:   value", "$ command    what it does"): continue under the text after the first gap of 2+ spaces.
  const gap = rest.indexOf('  ');
  if (gap > 0 && lead + gap <= COLUMN_GAP_WITHIN)
    return lead + gap + (rest.slice(gap).length - rest.slice(gap).trimStart().length);
  return lead;
}

/** One line wrapped at spaces to `width` columns, continuation lines indented under its text. */
export function wrapLine(line: string, width: number): string[] {
  if (visibleWidth(line) <= width) return [line];
  const indent = Math.min(hangingIndent(line), Math.max(Math.floor(width / 2), width - MIN_TEXT));
  const lead = line.length - line.trimStart().length;
  const words = line.slice(lead).split(' ');
  const lines: string[] = [];
  let current = line.slice(0, lead);
  let used = visibleWidth(current);
  let empty = true;
  for (const word of words) {
    const w = visibleWidth(word);
    if (!empty && used + 1 + w <= width) {
      current += ' ' + word;
      used += 1 + w;
      continue;
    }
    if (empty && used + w <= width) {
      current += word;
      used += w;
      empty = false;
      continue;
    }
    if (!empty) {
      lines.push(current);
      current = ' '.repeat(indent);
      used = indent;
    }
    const chunks = hardBreak(word, Math.max(1, width - Math.max(used, indent)));
    for (const chunk of chunks.slice(0, -1)) {
      lines.push(current + chunk);
      current = ' '.repeat(indent);
      used = indent;
    }
    const tail = chunks.at(-1) ?? '';
    current += tail;
    used += visibleWidth(tail);
    empty = false;
  }
  lines.push(current);
  return lines;
}

/** Every line of `text` wrapped to `width` columns. */
export function fitToWidth(text: string, width: number): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    // A line of at most `width` UTF-16 units is at most `width` columns wide: no need to count.
    if (line.length <= width || visibleWidth(line) <= width) out.push(line);
    else for (const l of wrapLine(line, width)) out.push(l);
  }
  return out.join('\n');
}

/**
 * Columns to lay out in: COLUMNS when set to a number (the user's say), else
 * the terminal's width when stdout is one, else 80. Never under 40.
 */
export function layoutWidth(env: NodeJS.ProcessEnv, terminalColumns: number | undefined): number {
  const fromEnv = Number(env.COLUMNS);
  const chosen =
    env.COLUMNS !== undefined && Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : (terminalColumns ?? 80);
  return Math.max(40, Math.min(chosen, 1000));
}
