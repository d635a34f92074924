/**
 * A labelled matrix of fixed-width cells that fits the width: every column when
 * they fit, else the first and last few with a "…" column standing for the
 * rest (the caller says how many were left out; --json has them all). A row is
 * never broken: its note sits beside it, wraps in the room beside it, or goes
 * on the lines below it.
 */
import { visibleWidth, wrapLine } from './layout.js';

/** The column that stands for the columns left out, with the space before it. */
export const ELIDED = ' …';

/** Columns left out of a matrix: from..to (inclusive), count of them. */
export interface Hidden {
  from: number;
  to: number;
  count: number;
}

export interface ColumnFit {
  shown: number[];
  hidden: Hidden | null;
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** Which of `n` columns fit in `room` at `cell` columns each plus a space: all, or the first and last few around "…". */
export function fitColumns(n: number, cell: number, room: number): ColumnFit {
  const per = cell + 1;
  if (n * per <= room) return { shown: range(n), hidden: null };
  const k = Math.min(n - 1, Math.max(2, Math.floor((room - ELIDED.length) / per)));
  const head = Math.ceil(k / 2),
    tail = k - head;
  return {
    shown: [...range(head), ...range(tail, n - tail)],
    hidden: { from: head, to: n - tail - 1, count: n - k },
  };
}

/** Text cut to `width` columns, "…" marking the cut. */
export function clip(text: string, width: number): string {
  // No more UTF-16 units than columns: no more code points either, so nothing to cut.
  if (text.length <= width) return text;
  const points = Array.from(text);
  return points.length <= width ? text : points.slice(0, Math.max(0, width - 1)).join('') + '…';
}

/** Right-aligned in `width` columns (colour codes take none). */
export const padStartVisible = (text: string, width: number): string =>
  ' '.repeat(Math.max(0, width - visibleWidth(text))) + text;

/** Left-aligned in `width` columns (colour codes take none). */
export const padEndVisible = (text: string, width: number): string =>
  text + ' '.repeat(Math.max(0, width - visibleWidth(text)));

export interface MatrixRow {
  label: string;
  /**
   * One per column, each at most `cellWidth` columns wide; or the cell of a
   * column, asked only for the columns shown (a wide matrix formats a few; the
   * column count then comes from the headers).
   */
  cells: readonly string[] | ((column: number) => string);
  /** Said after the row ("← …"); wrapped beside it or put below it when it does not fit. */
  note?: string | null;
}

export interface Matrix {
  /** Header lines above the cells, each one label per column (cut to the cell width). */
  headers: ReadonlyArray<readonly string[]>;
  rows: readonly MatrixRow[];
  cellWidth: number;
  /** Columns the whole line may take. */
  width: number;
  /** Spaces before each row's label (default 2). */
  indent?: number;
  /** Paints a note (e.g. yellow); applied line by line so codes never span lines. */
  paintNote?: (text: string) => string;
  /** The widest note of all the matrices drawn together (default: this one's), so they keep the same columns. */
  noteWidth?: number;
}

/** A note this short (with its "← ") gets room kept for it beside the cells, if four or more cells still fit. */
const SHORT_NOTE = 24;
/** Fewer columns than this beside a row, and its note goes below it. */
const MIN_NOTE_ROOM = 20;
const MIN_CELLS_BESIDE_NOTES = 4;
const NOTE_GAP = '   ';
const ARROW = '← ';

export function renderMatrix(m: Matrix): { lines: string[]; hidden: Hidden | null; shown: number[] } {
  const indent = m.indent ?? 2;
  const first = m.rows[0]?.cells;
  const n = m.headers[0]?.length ?? (Array.isArray(first) ? first.length : 0);
  const labelWidth = Math.max(0, ...m.rows.map((r) => visibleWidth(r.label)));
  const lead = indent + labelWidth;
  const per = m.cellWidth + 1;
  const noteWidth = NOTE_GAP.length + ARROW.length + (m.noteWidth ?? widestNote(m.rows));
  const besideRoom = m.width - lead - noteWidth;
  const reserve =
    noteWidth > NOTE_GAP.length + ARROW.length &&
    noteWidth <= NOTE_GAP.length + ARROW.length + SHORT_NOTE &&
    besideRoom >= MIN_CELLS_BESIDE_NOTES * per + ELIDED.length
      ? noteWidth
      : 0;
  const fit = fitColumns(n, m.cellWidth, m.width - lead - reserve);
  const line = (start: string, cells: MatrixRow['cells']) => {
    let out = start;
    for (const j of fit.shown) {
      if (fit.hidden && j === fit.hidden.to + 1) out += ELIDED;
      out += ' ' + padStartVisible((typeof cells === 'function' ? cells(j) : cells[j]) ?? '', m.cellWidth);
    }
    return fit.hidden && fit.hidden.to === n - 1 ? out + ELIDED : out;
  };
  const headers = m.headers.map((h) => line(' '.repeat(lead), (j) => clip(h[j] ?? '', m.cellWidth)).trimEnd());
  const rowWidth = lead + fit.shown.length * per + (fit.hidden ? ELIDED.length : 0);
  const paint = m.paintNote ?? ((t: string) => t);
  const rows = m.rows.flatMap((r) => {
    const cells = line(' '.repeat(indent) + padEndVisible(r.label, labelWidth), r.cells);
    return r.note ? withNote(cells, r.note, rowWidth, indent, m.width, paint) : [cells.trimEnd()];
  });
  return { lines: [...headers, ...rows], hidden: fit.hidden, shown: fit.shown };
}

/** Columns the widest note of these rows takes (0: none has one). */
export const widestNote = (rows: readonly MatrixRow[]): number =>
  Math.max(0, ...rows.map((r) => (r.note ? visibleWidth(r.note) : 0)));

/** A row and its note: beside it (wrapped in the room there), or on the lines below it. */
function withNote(
  row: string,
  note: string,
  rowWidth: number,
  indent: number,
  width: number,
  paint: (t: string) => string,
): string[] {
  const beside = width - rowWidth - NOTE_GAP.length - ARROW.length;
  if (beside >= Math.min(MIN_NOTE_ROOM, visibleWidth(note))) {
    const [first, ...rest] = wrapLine(note, beside).map((l) => l.trimStart());
    if (rest.length === 0) return [row + NOTE_GAP + paint(ARROW + first)];
    const hang = ' '.repeat(rowWidth + NOTE_GAP.length + ARROW.length);
    return [row + NOTE_GAP + paint(ARROW + first), ...rest.map((l) => hang + paint(l))];
  }
  const at = indent + 2;
  const [first, ...rest] = wrapLine(note, Math.max(1, width - at - ARROW.length)).map((l) => l.trimStart());
  return [
    row.trimEnd(),
    ' '.repeat(at) + paint(ARROW + first),
    ...rest.map((l) => ' '.repeat(at + ARROW.length) + paint(l)),
  ];
}
