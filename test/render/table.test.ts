import Table from 'cli-table3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { visibleWidth } from '../../src/render/layout.js';
import { makeStyle } from '../../src/render/style.js';
import { table } from '../../src/render/table.js';

/**
 * The reference: cli-table3 drawing the same cells in the same column widths
 * (the library this drawer replaces, kept as a test dependency). Widths are
 * taken from our own layout, so this compares the drawing: borders, padding,
 * alignment, wrapped lines.
 */
function reference(head: string[], rows: string[][], widths: number[] | null, align: Array<'left' | 'right'>): string {
  const t = new Table({
    head,
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    colAligns: align,
    ...(widths ? { colWidths: widths.map((w) => w + 2), wordWrap: true, wrapOnWordBoundary: true } : {}),
  });
  for (const r of rows) t.push(r);
  return t.toString();
}

/** Content widths of a drawn table, read off its top border. */
const widthsOf = (drawn: string): number[] =>
  drawn
    .split('\n')[0]!
    .slice(1, -1)
    .split('┬')
    .map((s) => s.length - 2);

const word = fc.stringMatching(/^[a-z0-9.,:()→-]{1,10}$/);
const cell = fc
  .array(fc.tuple(word, fc.constantFrom(' ', ' ', '  ', '\n')), { minLength: 1, maxLength: 5 })
  .map((ws) => ws.map(([w, sep], i) => (i ? sep : '') + w).join(''));

describe('the table drawer', () => {
  it('draws what cli-table3 draws for the same widths: as is, and wrapped (fast-check, 400 tables)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.array(cell, { minLength: 6, maxLength: 6 }), { maxLength: 6 }),
        fc.array(fc.constantFrom('left' as const, 'right' as const), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 40, max: 160 }),
        (columns, rows, aligns, width) => {
          const head = Array.from({ length: columns }, (_, i) => `col ${i}`);
          const body = rows.map((r) => r.slice(0, columns));
          const align = aligns.slice(0, columns);
          const ours = table(makeStyle(false, {}, width), head, body, align);
          if (!ours.startsWith('┌')) return; // one record per block: not a table layout
          // The table as given, or turned on its side (records as columns) when only that fits.
          const side = {
            head: [head[0]!, ...body.map((r) => r[0]!)],
            rows: head.slice(1).map((h, i) => [h, ...body.map((r) => r[i + 1]!)]),
          };
          const widths = widthsOf(ours);
          const candidates = [
            { head, rows: body, align },
            { head: side.head, rows: side.rows, align: [] },
          ].map((c) => {
            const natural = c.head.map((h, i) =>
              Math.max(visibleWidth(h), ...c.rows.map((r) => Math.max(...r[i]!.split('\n').map(visibleWidth)))),
            );
            const wrapped = natural.length === widths.length && widths.some((w, i) => w !== natural[i]);
            return reference(c.head, c.rows, wrapped ? widths : null, c.align);
          });
          expect(candidates).toContain(ours);
        },
      ),
      { numRuns: 400, seed: 19 },
    );
  });

  it('a cell of a million characters costs one shrinking step, and the table still fits', () => {
    const big = 'x'.repeat(1_000_000);
    const out = table(makeStyle(false, {}, 80), ['a', 'b'], [['1', `${big.slice(0, 30)} ${'y '.repeat(50_000)}`]]);
    for (const l of out.split('\n')) expect(visibleWidth(l)).toBeLessThanOrEqual(80);
  });

  it('100,000 rows are drawn (cli-table3 takes minutes: its layout compares every cell with every earlier one)', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => [`t${i}.w`, String(i)]);
    const out = table(makeStyle(false, {}, 80), ['name', 'n'], rows, ['left', 'right']);
    expect(out.split('\n')).toHaveLength(100_000 + 4);
  });
});
