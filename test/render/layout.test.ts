import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitToWidth, layoutWidth, visibleWidth, wrapLine } from '../../src/render/layout.js';
import { makeStyle } from '../../src/render/style.js';
import { table } from '../../src/render/table.js';

const words = fc.array(fc.stringMatching(/^[a-zA-Z0-9.,:()→·-]{1,30}$/), { minLength: 1, maxLength: 40 });
const plain = (s: string) => s.replace(/\s+/g, '');

describe('fitting text to a width', () => {
  it('every wrapped line fits, and no character is lost or added (any words, any width ≥ 20)', () => {
    fc.assert(
      fc.property(words, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 20, max: 120 }), (ws, lead, width) => {
        const line = ' '.repeat(lead) + ws.join(' ');
        const out = wrapLine(line, width);
        for (const l of out) expect(visibleWidth(l)).toBeLessThanOrEqual(width);
        expect(plain(out.join(''))).toBe(plain(line));
      }),
    );
  });

  it('a line that fits is left exactly as it is', () => {
    expect(wrapLine('  a  b   c', 80)).toEqual(['  a  b   c']);
  });

  it('continuation lines hang under the text of a list item and under the value of "label:  value"', () => {
    expect(wrapLine('  - alpha beta gamma delta', 16)).toEqual(['  - alpha beta', '    gamma delta']);
    expect(wrapLine('Source:  one two three four', 20)).toEqual(['Source:  one two', '         three four']);
  });

  it('colour codes take no columns and survive wrapping', () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
    const line = [red('aaaa'), 'bbbb', red('cccc')].join(' ');
    expect(visibleWidth(line)).toBe(14);
    const out = fitToWidth(line, 10).split('\n');
    expect(out).toEqual([`${red('aaaa')} bbbb`, red('cccc')]);
  });

  it('a word wider than the line is broken, not cut', () => {
    const out = wrapLine('x'.repeat(50), 20);
    expect(out.join('').replace(/ /g, '')).toBe('x'.repeat(50));
    for (const l of out) expect(visibleWidth(l)).toBeLessThanOrEqual(20);
  });

  it('the width: COLUMNS when set, else the terminal, else 80; never under 40', () => {
    expect(layoutWidth({}, undefined)).toBe(80);
    expect(layoutWidth({}, 132)).toBe(132);
    expect(layoutWidth({ COLUMNS: '100' }, 132)).toBe(100);
    expect(layoutWidth({ COLUMNS: 'wide' }, undefined)).toBe(80);
    expect(layoutWidth({ COLUMNS: '10' }, undefined)).toBe(40);
  });
});

describe('tables in a width', () => {
  const cell = fc.array(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
  it('fit for any cells: as drawn, wrapped, on their side or one record per block; no text lost', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.array(cell, { minLength: 7, maxLength: 7 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 40, max: 120 }),
        (columns, rows, width) => {
          const head = Array.from({ length: columns }, (_, i) => `col${i}`);
          const body = rows.map((r) => r.slice(0, columns));
          const out = table(makeStyle(false, {}, width), head, body);
          for (const l of out.split('\n')) expect(visibleWidth(l)).toBeLessThanOrEqual(width);
          for (const w of body.flat().flatMap((c) => c.split(' '))) expect(out).toContain(w);
        },
      ),
    );
  });

  it('a table that fits is drawn with one row per line', () => {
    const out = table(makeStyle(false, {}, 80), ['a', 'b'], [['1', '2']]);
    expect(out.split('\n')).toHaveLength(5);
  });
});
