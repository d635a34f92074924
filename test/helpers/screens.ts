// Reading numbers back off a screen, so tests check that what is printed is the
// model's own data (from --json), not that the text looks a certain way.
import { expect } from 'vitest';

export interface PrintedRow {
  pos: number;
  token: string;
  /** As printed, "…" included where columns were left out. */
  cells: string[];
  note: string | null;
}

const TITLE = /^(Head \d+|Layer \d+, head \d+):$/;
const ROW = /^\s+(\d+) (\S+)\s+(.*?)(?: {3}← (.*))?$/;

/** Every attention matrix a screen prints, by its title ("Head 0", "Layer 1, head 2"): its rows in order. */
export function printedMatrices(text: string): Map<string, PrintedRow[]> {
  const out = new Map<string, PrintedRow[]>();
  let rows: PrintedRow[] | null = null;
  let header = false;
  for (const line of text.split('\n')) {
    const title = TITLE.exec(line);
    if (title) {
      rows = [];
      out.set(title[1]!, rows);
      header = true;
      continue;
    }
    if (!rows) continue;
    if (line.trim() === '') {
      rows = null;
      continue;
    }
    if (header) {
      header = false;
      continue;
    }
    const m = ROW.exec(line);
    // Continuation lines of a wrapped note carry no position.
    if (m) rows.push({ pos: Number(m[1]), token: m[2]!, cells: m[3]!.trim().split(/\s+/), note: m[4] ?? null });
  }
  return out;
}

/**
 * A printed row is the weights' own, at three decimals: all of them, or the
 * first and last ones around a "…" that stands for the rest.
 */
export function expectRowOf(printed: PrintedRow, weights: readonly number[]): void {
  const expected = weights.map((w) => w.toFixed(3));
  const gap = printed.cells.indexOf('…');
  if (gap < 0) {
    expect(printed.cells).toEqual(expected);
    return;
  }
  const tail = printed.cells.slice(gap + 1);
  expect(printed.cells.slice(0, gap)).toEqual(expected.slice(0, gap));
  expect(tail).toEqual(expected.slice(expected.length - tail.length));
  expect(gap + tail.length).toBeLessThan(expected.length);
}
