import Table from 'cli-table3';
import type { Style } from './style.js';
import { visibleWidth, wrapLine } from './layout.js';

type Align = 'left' | 'right';

/** Columns of a cell: its widest line. */
const cellWidth = (text: string): number => Math.max(0, ...text.split('\n').map(visibleWidth));

/** Columns of a cell's longest word: narrower than this, it would have to be cut. */
const longestWord = (text: string): number => Math.max(0, ...text.split(/\s+/).map(visibleWidth));

/**
 * Content widths that fit `room` columns in all: the widest column gives up a
 * column at a time, none below its longest word. Undefined when even that is too wide.
 */
function shrink(natural: number[], minimum: number[], room: number): number[] | undefined {
  const widths = [...natural];
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > room) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (widths[i]! > minimum[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    }
    if (widest < 0) return undefined;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/** One record per block, "header: value", for a table no column layout can fit. */
function vertical(style: Style, head: string[], rows: string[][]): string {
  const label = Math.max(...head.map(visibleWidth));
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

const naturalWidths = (head: string[], cells: string[][]): number[] =>
  head.map((h, i) => Math.max(visibleWidth(h), ...cells.map((r) => cellWidth(r[i] ?? ''))));

/** Columns a table takes as drawn: content, one space of padding either side, a border after each column and one before. */
const drawnWidth = (widths: number[]): number => widths.reduce((a, b) => a + b + 3, 1);

/**
 * A table in `style.width` columns: as drawn when it fits; otherwise its widest
 * columns wrap at word boundaries; failing that, turned on its side (records
 * as columns) when that fits; and otherwise one record per block. The header
 * is bold only when colour is on.
 */
export function table(style: Style, head: string[], rows: Array<Array<string | number>>, align?: Align[]): string {
  const cells = rows.map((r) => r.map(String));
  const natural = naturalWidths(head, cells);
  let widths: number[] | undefined = natural;
  if (drawnWidth(natural) > style.width) {
    const minimum = head.map((h, i) => Math.max(longestWord(h), ...cells.map((r) => longestWord(r[i] ?? ''))));
    widths = shrink(natural, minimum, style.width - drawnWidth(head.map(() => 0)));
    if (!widths) {
      const side = transposed(head, cells);
      return drawnWidth(naturalWidths(side.head, side.rows)) <= style.width
        ? table(style, side.head, side.rows)
        : vertical(style, head, cells);
    }
  }
  const wraps = widths !== natural;
  const t = new Table({
    head: head.map((h) => style.bold(h)),
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    ...(align ? { colAligns: align } : {}),
    ...(wraps ? { colWidths: widths.map((w) => w + 2), wordWrap: true, wrapOnWordBoundary: true } : {}),
  });
  for (const r of cells) t.push(r);
  return t.toString();
}

export const indent = (text: string, by = '  '): string =>
  text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');

/** A table indented by two spaces, laid out in the two columns fewer that leaves. */
export const indentedTable = (style: Style, head: string[], rows: Array<Array<string | number>>, align?: Align[]) =>
  indent(table({ ...style, width: style.width - 2 }, head, rows, align));
