import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, safe } from '../../src/render/escape.js';
import { jsonEscape, renderJson, scriptJson } from '../../src/render/json.js';
import { quoted } from '../../src/render/style.js';

/** The hidden characters as issue 19 lists them, written out independently of the code. */
const RANGES: Array<[number, number]> = [
  [0x0000, 0x001f], // C0
  [0x007f, 0x007f], // DEL
  [0x0080, 0x009f], // C1
  [0x061c, 0x061c], // Arabic letter mark
  [0x200b, 0x200d], // zero-width space, non-joiner, joiner
  [0x200e, 0x200f], // LRM, RLM
  [0x2028, 0x2029], // line and paragraph separators
  [0x202a, 0x202e], // LRE … RLO
  [0x2060, 0x2060], // word joiner
  [0x2066, 0x2069], // LRI … PDI
  [0xfeff, 0xfeff], // zero-width no-break space (BOM)
  [0xe0000, 0xe007f], // tag characters
];
const hidden = (cp: number) => RANGES.some(([a, b]) => cp >= a && cp <= b);
/** The notation, written out: \xNN to U+00FF, \uNNNN in the BMP, \u{NNNNN} beyond. */
const notation = (cp: number) =>
  cp <= 0xff
    ? '\\x' + cp.toString(16).padStart(2, '0')
    : cp <= 0xffff
      ? '\\u' + cp.toString(16).padStart(4, '0')
      : '\\u{' + cp.toString(16) + '}';
/** Every code point worth checking: the first 0x3000, the BOM, an emoji, the tags and past them. */
const CODE_POINTS = [
  ...Array.from({ length: 0x3000 }, (_, i) => i),
  0xfeff,
  0xfffd,
  0x1f600,
  ...Array.from({ length: 0x120 }, (_, i) => 0xe0000 + i),
];
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff\u{e0000}-\u{e007f}]/u;
/** Strings that mix ordinary text, hidden characters and markup. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 4 }),
      fc.constantFrom(...RANGES.flatMap(([a, b]) => [a, b]).map((cp) => String.fromCodePoint(cp))),
      fc.constantFrom('<', '>', '&', '"', "'", '</script', '<!--', '\\', '\\x1b'),
    ),
    { maxLength: 12 },
  )
  .map((xs) => xs.join(''));

describe('one character class, one notation', () => {
  it('safe shows exactly the listed characters, each in its notation, and leaves every other one alone', () => {
    for (const cp of CODE_POINTS) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      expect(safe(`a${c}b`), cp.toString(16)).toBe(hidden(cp) ? `a${notation(cp)}b` : `a${c}b`);
    }
  });
  it('the issue examples: ESC, BEL, U+009B, U+202E, U+2028, U+200B, a tag character', () => {
    expect(safe('\u001b]52;c;SGk=\u0007')).toBe('\\x1b]52;c;SGk=\\x07');
    expect(safe('\u009b31m \u202eevil \u2028 \u200b \u{e0041}')).toBe(
      '\\x9b31m \\u202eevil \\u2028 \\u200b \\u{e0041}',
    );
  });
  it('no hidden character survives safe, escapeHtml, jsonEscape or scriptJson (fast-check)', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        expect(RAW.test(safe(s))).toBe(false);
        expect(RAW.test(escapeHtml(s))).toBe(false);
        expect(RAW.test(jsonEscape(JSON.stringify(s)))).toBe(false);
        expect(RAW.test(scriptJson({ s }))).toBe(false);
      }),
      { seed: 19, numRuns: 2000 },
    );
  });
});

describe('JSON: the text changes, never the values', () => {
  it('parses back to the exact string, indented or not (fast-check)', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        expect(JSON.parse(jsonEscape(JSON.stringify({ [s]: [s] }, null, 2)))).toEqual({ [s]: [s] });
        expect(JSON.parse(scriptJson({ s }))).toEqual({ s });
      }),
      { seed: 19, numRuns: 2000 },
    );
  });
  it('a tag character becomes its surrogate pair, C1 and DEL \\u escapes', () => {
    expect(jsonEscape(JSON.stringify('\u{e0041}\u009b\u007f\u2028'))).toBe('"\\udb40\\udc41\\u009b\\u007f\\u2028"');
    expect(renderJson('x', { a: '\u202e' }, {})).toContain('"a": "\\u202e"');
  });
  it('embedded in <script>, neither </script nor <!-- can appear', () => {
    const text = scriptJson({ name: '</script><script>alert(1)</script><!--' });
    expect(text).not.toMatch(/[<>]/);
    expect(JSON.parse(text).name).toBe('</script><script>alert(1)</script><!--');
  });
});

describe('HTML and quoted text', () => {
  it('escapeHtml makes hidden characters visible and markup inert', () => {
    expect(escapeHtml('<b title="x">\u001b&\u202e</b>')).toBe(
      '&lt;b title=&quot;x&quot;&gt;\\x1b&amp;\\u202e&lt;/b&gt;',
    );
  });
  it('quoted tells a backslash of the text apart from an escape', () => {
    expect(quoted('\u001b')).toBe('"\\x1b"');
    expect(quoted('\\x1b')).toBe('"\\\\x1b"');
    expect(quoted('say "hi"')).toBe('"say \\"hi\\""');
  });
});
