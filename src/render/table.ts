import type { Style } from './style.js';
import { visibleWidth, wrapLine } from './layout.js';

type Align = 'left' | 'right';

/** Columns of a cell: its widest line. */
function cellWidth(text: string): number {
  if (!text.includes('\n')) return visibleWidth(text);
  let w = 0;
  for (const line of text.split('\n')) w = Math.max(w, visibleWidth(line));
  return w;
}

/** Columns of a cell's longest word: narrower than this, it would have to be cut. */
function longestWord(text: string): number {
  let w = 0;
  for (const word of text.split(/\s+/)) w = Math.max(w, visibleWidth(word));
  return w;
}

/**
 * Content widths that fit `room` columns in all: the widest column gives up a
 * column at a time (the leftmost of equals first), none below its longest
 * word. A column wider than every other gives up its excess in one step, so a
 * megabyte-wide cell costs one step, not a million. Undefined when even the
 * minimum widths are too wide.
 */
function shrink(natural: number[], minimum: number[], room: number): number[] | undefined {
  const widths = [...natural];
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > room) {
    let widest = -1;
    let second = 0;
    for (let i = 0; i < widths.length; i++) {
      if (widths[i]! <= minimum[i]!) continue;
      if (widest < 0 || widths[i]! > widths[widest]!) {
        if (widest >= 0) second = Math.max(second, widths[widest]!);
        widest = i;
      } else second = Math.max(second, widths[i]!);
    }
    if (widest < 0) return undefined;
    const step = Math.max(1, Math.min(total - room, widths[widest]! - Math.max(second, minimum[widest]!)));
    widths[widest]! -= step;
    total -= step;
  }
  return widths;
}

/** One record per block, "header: value", for a table no column layout can fit. */
function vertical(style: Style, head: string[], rows: string[][]): string {
  let label = 0;
  for (const h of head) label = Math.max(label, visibleWidth(h));
  return rows
    .map((r) =>
      r
        .map((cell, i) => {
          const name = head[i] ?? '';
          const lines = cell.split('\n');
          const pad = ' '.repeat(label - visibleWidth(name));
          return [
            ...wrapLine(`${style.bold(name)}:${pad}  ${lines[0]}`, style.width),
            ...lines.slice(1).flatMap((l) => wrapLine(`${' '.repeat(label + 3)}${l}`, style.width)),
          ].join('\n');
        })
        .join('\n'),
    )
    .join('\n\n');
}

/** The table turned on its side: one row per column, the first column's cells as the header. */
function transposed(head: string[], rows: string[][]): { head: string[]; rows: string[][] } {
  return {
    head: [head[0] ?? '', ...rows.map((r) => r[0] ?? '')],
    rows: head.slice(1).map((h, i) => [h, ...rows.map((r) => r[i + 1] ?? '')]),
  };
}

function naturalWidths(head: string[], cells: string[][]): number[] {
  const widths = head.map(visibleWidth);
  for (const r of cells) for (let i = 0; i < head.length; i++) widths[i] = Math.max(widths[i]!, cellWidth(r[i] ?? ''));
  return widths;
}

function minimumWidths(head: string[], cells: string[][]): number[] {
  const widths = head.map(longestWord);
  for (const r of cells)
    for (let i = 0; i < head.length; i++) widths[i] = Math.max(widths[i]!, longestWord(r[i] ?? ''));
  return widths;
}

/** Columns a table takes as drawn: content, one space of padding either side, a border after each column and one before. */
const drawnWidth = (widths: number[]): number => widths.reduce((a, b) => a + b + 3, 1);

/**
 * A table in `style.width` columns: as drawn when it fits; otherwise its widest
 * columns wrap at word boundaries; failing that, turned on its side (records
 * as columns) when that fits; and otherwise one record per block. The header
 * is bold only when colour is on. Drawing is linear in the cells: 100,000 rows
 * take a hundred times what 1,000 do.
 */
export function table(style: Style, head: string[], rows: Array<Array<string | number>>, align?: Align[]): string {
  return layOut(style, head, rows, align, '');
}

/** A table with `margin` before every line (drawn with it: a 100,000-row table is not split and joined again to indent it). */
function layOut(
  style: Style,
  head: string[],
  rows: Array<Array<string | number>>,
  align: Align[] | undefined,
  margin: string,
): string {
  const cells = rows.every((r) => r.every((c) => typeof c === 'string'))
    ? (rows as string[][])
    : rows.map((r) => r.map(String));
  const natural = naturalWidths(head, cells);
  let widths: number[] | undefined = natural;
  if (drawnWidth(natural) > style.width) {
    widths = shrink(natural, minimumWidths(head, cells), style.width - drawnWidth(head.map(() => 0)));
    if (!widths) {
      const side = transposed(head, cells);
      const text =
        drawnWidth(naturalWidths(side.head, side.rows)) <= style.width
          ? table(style, side.head, side.rows)
          : vertical(style, head, cells);
      return margin ? indent(text, margin) : text;
    }
  }
  return draw(style, head, cells, { widths, wrap: widths !== natural, align: align ?? [], margin });
}

/** Box-drawing, one line of cells per row (no rules between rows), as cli-table3 draws a compact table. */
function draw(
  style: Style,
  head: string[],
  cells: string[][],
  { widths, wrap, align, margin }: { widths: number[]; wrap: boolean; align: Align[]; margin: string },
) {
  const rule = (l: string, m: string, r: string) => margin + l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const lines = [rule('┌', '┬', '┐')];
  const row = (r: string[], paint: (s: string) => string) => {
    // Most rows are one line of short cells: drawn directly, without splitting each cell into lines.
    // (Each line is one join: flat strings, not a chain of concatenations per cell.)
    if (!wrap && !r.some((c) => c.includes('\n'))) {
      const padded = widths.map((w, i) => {
        const text = r[i] ?? '';
        return pad(text === '' ? text : paint(text), w, align[i] ?? 'left');
      });
      lines.push(`${margin}│ ${padded.join(' │ ')} │`);
      return;
    }
    const parts = widths.map((w, i) => {
      const text = r[i] ?? '';
      return (wrap ? wordWrap(text, w) : text.split('\n')).map((l) => (l === '' ? l : paint(l)));
    });
    const height = Math.max(1, ...parts.map((p) => p.length));
    for (let k = 0; k < height; k++)
      lines.push(
        margin + '│' + widths.map((w, i) => ` ${pad(parts[i]![k] ?? '', w, align[i] ?? 'left')} `).join('│') + '│',
      );
  };
  row(head, style.bold);
  if (cells.length) lines.push(rule('├', '┼', '┤'));
  for (const r of cells) row(r, (s) => s);
  lines.push(rule('└', '┴', '┘'));
  return lines.join('\n');
}

function pad(text: string, width: number, align: Align): string {
  const gap = spaces(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? gap + text : text + gap;
}

/** Runs of spaces, made once each: a table of 100,000 rows pads 600,000 cells. */
const SPACES: string[] = [];
const spaces = (n: number): string => (n <= 256 ? (SPACES[n] ??= ' '.repeat(n)) : ' '.repeat(n));

/** Words onto lines of at most `width` columns, keeping the spaces between words on a line (cli-table3's word wrap). */
function wordWrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const input of text.split('\n')) {
    const split = input.split(/(\s+)/);
    let line = '';
    let used = 0;
    let space = '';
    for (let i = 0; i < split.length; i += 2) {
      const word = split[i]!;
      const w = visibleWidth(word);
      // The space before the first word is a cell's indent: kept, and counted (cli-table3 keeps it uncounted).
      const next = used + w + space.length;
      if (next > width && used !== 0) {
        out.push(line);
        line = word;
        used = w;
      } else {
        line += space + word;
        used = next;
      }
      space = split[i + 1] ?? '';
    }
    if (used) out.push(line);
  }
  return out;
}

export const indent = (text: string, by = '  '): string =>
  text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');

/** A table indented by two spaces, laid out in the two columns fewer that leaves. */
export const indentedTable = (style: Style, head: string[], rows: Array<Array<string | number>>, align?: Align[]) =>
  layOut({ ...style, width: style.width - 2 }, head, rows, align, '  ');
