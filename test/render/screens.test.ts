// The layouts that make screens scale: probabilities that mean something at
// 50k tokens, matrices that leave columns out visibly instead of wrapping,
// item lists that never split an item, and a heads grid that fits 12 × 12 in
// 60 columns and 32 × 32 in 80.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeadsReport } from '../../src/explain/detectors.js';
import { packItems } from '../../src/render/columns.js';
import { renderHeadsReport } from '../../src/render/heads.js';
import { fitToWidth, visibleWidth } from '../../src/render/layout.js';
import { fitColumns, renderMatrix } from '../../src/render/matrix.js';
import { probability } from '../../src/render/numbers.js';
import { makeStyle } from '../../src/render/style.js';
import { Rng } from '../../src/tensor/index.js';

describe('probabilities as percentages', () => {
  it('three significant digits, scientific notation below 0.01 %, 0 and 1 exact', () => {
    expect(probability(1)).toBe('100%');
    expect(probability(0)).toBe('0%');
    expect(probability(0.374)).toBe('37.4%');
    expect(probability(0.0631)).toBe('6.31%');
    expect(probability(0.00402)).toBe('0.402%');
    expect(probability(0.000123)).toBe('0.0123%');
    // A uniform guess over GPT-2's vocabulary: 1 / 50257 ≈ 2.0e-5.
    expect(probability(1 / 50257)).toBe('2.0e-3%');
    expect(probability(5e-324)).toBe('4.9e-322%');
  });

  it('reads back to the probability within its printed precision (any p in (0, 1))', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1, noNaN: true }), (p) => {
        const text = probability(p);
        expect(text.length).toBeLessThanOrEqual(9);
        const back = Number(text.slice(0, -1)) / 100;
        // 3 significant digits (2 in scientific notation): within half a unit of the last digit.
        const rel = text.includes('e') ? 0.05 : 0.005;
        expect(Math.abs(back - p)).toBeLessThanOrEqual(p * rel + Number.EPSILON);
      }),
      { seed: 22 },
    );
  });
});

describe('a matrix that fits the width', () => {
  const cells = (rows: number, cols: number) =>
    Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => ((i * cols + j) % 1000) / 1000));

  it('every line fits; the columns shown are the first and last ones, and the rest are counted (any size, width)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 40, max: 200 }),
        fc.boolean(),
        (n, width, notes) => {
          const m = cells(n, n);
          const out = renderMatrix({
            headers: [Array.from({ length: n }, (_, j) => `tok${j}`)],
            rows: m.map((row, i) => ({
              label: `${i} tok${i}`,
              cells: row.map((w) => w.toFixed(3)),
              note: notes && i % 3 === 0 ? `row ${i} attends to all prior, most to itself` : null,
            })),
            cellWidth: 5,
            width,
          });
          for (const l of out.lines) expect(visibleWidth(l)).toBeLessThanOrEqual(width);
          const shown = out.shown;
          expect(shown.length + (out.hidden?.count ?? 0)).toBe(n);
          if (out.hidden) {
            expect(shown).toEqual([
              ...Array.from({ length: out.hidden.from }, (_, j) => j),
              ...Array.from({ length: n - 1 - out.hidden.to }, (_, j) => out.hidden!.to + 1 + j),
            ]);
            expect(out.lines.every((l) => !/\d$/.test(l) || l.includes('…') || !l.startsWith('  '))).toBe(true);
          }
          // Every row line holds exactly its shown cells, whole.
          const rowLines = out.lines.filter((l) => /^ {2}\d+ tok\d+ /.test(l));
          expect(rowLines).toHaveLength(n);
          rowLines.forEach((l, i) => {
            const printed = l.split('   ← ')[0]!.trim().split(/\s+/).slice(2);
            expect(printed.filter((c) => c !== '…')).toEqual(shown.map((j) => m[i]![j]!.toFixed(3)));
          });
          // Cells given as a function of the column: the same lines, and only the shown columns are asked for.
          const asked = new Set<number>();
          const lazy = renderMatrix({
            headers: [Array.from({ length: n }, (_, j) => `tok${j}`)],
            rows: m.map((row, i) => ({
              label: `${i} tok${i}`,
              cells: (j: number) => (asked.add(j), row[j]!.toFixed(3)),
              note: notes && i % 3 === 0 ? `row ${i} attends to all prior, most to itself` : null,
            })),
            cellWidth: 5,
            width,
          });
          expect(lazy).toEqual(out);
          expect([...asked].sort((a, b) => a - b)).toEqual(shown);
        },
      ),
      { seed: 22, numRuns: 200 },
    );
  });

  it('fitColumns leaves out nothing when everything fits', () => {
    expect(fitColumns(4, 5, 24)).toEqual({ shown: [0, 1, 2, 3], hidden: null });
    // (60 − 2 for the "…") / 6 = 9 columns: the first 5 and the last 4.
    expect(fitColumns(16, 5, 60).hidden).toEqual({ from: 5, to: 11, count: 7 });
  });
});

describe('items packed whole', () => {
  it('no item is split, every line fits the room unless one item alone is wider, order kept', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z␣]{1,8} \d{1,2}\.\d%→\d{1,2}\.\d%$/), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 10, max: 80 }),
        (items, room) => {
          const lines = packItems(items, room, '  ');
          expect(lines.join('  ').split(/ {2}/).filter(Boolean)).toEqual(items);
          for (const l of lines) if (!items.includes(l.trim())) expect(visibleWidth(l)).toBeLessThanOrEqual(room);
        },
      ),
      { seed: 22 },
    );
  });
});

/** A heads report of any size with seeded scores (the renderer reads only these fields). */
function headsReport(layers: number, heads: number): HeadsReport {
  const rng = new Rng(7);
  const scores = Array.from({ length: layers * heads }, (_, i) => ({
    layer: Math.floor(i / heads),
    head: i % heads,
    previous: rng.uniform(),
    duplicate: rng.uniform() / 2,
    induction: i === 5 ? 1 : rng.uniform() / 2,
    firstToken: rng.uniform(),
  }));
  return {
    kind: 'heads',
    family: 'gpt2',
    weightsFrom: 'test',
    layers,
    heads,
    input: { seed: 42, sequences: 4, half: 24, bos: 0, first: [0, 1, 2] },
    scoring: 'score = Σ(A ⊙ P) / ΣA',
    detectors: (['previous-token', 'duplicate-token', 'induction', 'first-token'] as const).map((name) => ({
      name,
      definition: 'P',
    })),
    scores,
    top: [],
    interrupted: false,
  };
}

const KEYS = ['previous', 'duplicate', 'induction', 'firstToken'] as const;

/** The grid rows printed for each detector, without their indent: "L3  12  7 …". */
function gridRows(text: string, layers: number): string[][] {
  const lines = text.split('\n');
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^ {2}L0 /.test(lines[i]!)) continue;
    out.push(lines.slice(i, i + layers).map((l) => l.slice(2)));
    i += layers;
  }
  return out;
}

describe('explain --detect: a layer × head grid that scales', () => {
  it('12 × 12 in 60 columns: each cell is the score × 100, rounded; under 100 lines', () => {
    const r = headsReport(12, 12);
    const text = fitToWidth(renderHeadsReport(r, makeStyle(false, {}, 60)), 60);
    expect(Math.max(...text.split('\n').map(visibleWidth))).toBeLessThanOrEqual(60);
    expect(text.split('\n').length).toBeLessThan(100);
    const lines = text.split('\n');
    KEYS.forEach((key, k) => {
      const start = lines.findIndex(
        (l, i) => /^ {2}L0 /.test(l) && lines.slice(0, i).filter((x) => /^ {2}L0 /.test(x)).length === k,
      );
      for (let l = 0; l < 12; l++) {
        const cells = lines[start + l]!.trim().split(/\s+/).slice(1).map(Number);
        expect(cells).toEqual(r.scores.filter((s) => s.layer === l).map((s) => Math.round(s[key] * 100)));
      }
    });
  });

  it('32 × 32 in 80 columns: one digit per head (tenths, rounded down; · below 0.1), heads numbered tens over units', () => {
    const r = headsReport(32, 32);
    const text = fitToWidth(renderHeadsReport(r, makeStyle(false, {}, 80)), 80);
    expect(Math.max(...text.split('\n').map(visibleWidth))).toBeLessThanOrEqual(80);
    const grids = gridRows(text, 32);
    expect(grids).toHaveLength(4);
    grids.forEach((grid, k) =>
      grid.forEach((line, l) => {
        const cells = line.slice(4).split(' ').slice(0, 32);
        const expected = r.scores
          .filter((s) => s.layer === l)
          .map((s) => Math.min(9, Math.floor(s[KEYS[k]!] * 10)))
          .map((d) => (d === 0 ? '·' : String(d)));
        expect(cells).toEqual(expected);
      }),
    );
    expect(text).toMatch(/^ {6}(?:  ){10}1 1 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2 2 2 2 3 3$/m);
    expect(text).toMatch(/^ {6}0 1 2 3 4 5 6 7 8 9 0 1 2/m);
  });
});
