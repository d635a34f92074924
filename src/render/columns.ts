/**
 * Plain aligned columns (no box), for lists whose rows must stay rows: every
 * column as wide as its widest cell, two spaces apart, and a last column of
 * items ("d 6.3%", "a 5.1%" …) packed whole into the room left, continuing
 * under itself. No item is ever split across lines.
 */
import { visibleWidth } from './layout.js';
import { padEndVisible, padStartVisible } from './matrix.js';

export type Align = 'left' | 'right';

const GAP = '  ';
const ITEM_SEP = ', ';

/** Items packed into lines of at most `room` columns, ", " between; an item wider than the room has a line of its own. */
export function packItems(items: readonly string[], room: number, sep = ITEM_SEP): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : line + sep + item;
    if (line !== '' && visibleWidth(next) > room) {
      lines.push(line + sep.trimEnd());
      line = item;
    } else line = next;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * Rows of aligned cells under a header; the last column is a list of items.
 * `indent` spaces before each line; lines fit `width` unless one item alone is wider.
 */
export function columns(
  head: readonly string[],
  rows: ReadonlyArray<{ cells: readonly string[]; items: readonly string[] }>,
  align: readonly Align[],
  width: number,
  opts: { indent?: number; bold?: (t: string) => string } = {},
): string[] {
  const indent = ' '.repeat(opts.indent ?? 2);
  const fixed = head.length - 1;
  const widths = Array.from({ length: fixed }, (_, i) =>
    Math.max(visibleWidth(head[i]!), ...rows.map((r) => visibleWidth(r.cells[i] ?? ''))),
  );
  const pad = (text: string, i: number) =>
    align[i] === 'right' ? padStartVisible(text, widths[i]!) : padEndVisible(text, widths[i]!);
  const start = indent.length + widths.reduce((a, w) => a + w + GAP.length, 0);
  const room = Math.max(1, width - start);
  const bold = opts.bold ?? ((t: string) => t);
  const header =
    indent +
    head
      .slice(0, fixed)
      .map((h, i) => bold(pad(h, i)) + GAP)
      .join('') +
    bold(head[fixed] ?? '');
  return [
    header.trimEnd(),
    ...rows.flatMap((r) => {
      const [first, ...rest] = packItems(r.items, room);
      const lead = indent + r.cells.map((c, i) => pad(c, i) + GAP).join('');
      return [(lead + first).trimEnd(), ...rest.map((l) => ' '.repeat(start) + l)];
    }),
  ];
}
