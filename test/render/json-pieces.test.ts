import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/render/json.js';
import { renderJsonPieces } from '../../src/render/json-pieces.js';

/** Reports of every shape JSON can hold, with some long arrays (walked piece by piece) among short ones. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(undefined, -0, NaN, Infinity, '\u202e\u0000\u009b"\\', '😀'),
  ),
  array: fc.oneof(
    fc.array(tie('node'), { maxLength: 4 }),
    fc.integer({ min: 65, max: 200 }).chain((n) => fc.array(tie('leaf'), { minLength: n, maxLength: n })),
  ),
  object: fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 5 }),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
}));

describe('the JSON document in pieces', () => {
  it('joins to exactly what renderJson prints (fast-check, 400 documents)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), value.node, { maxKeys: 6 }), (report) => {
        expect([...renderJsonPieces('x', { a: 1 }, report)].join('')).toBe(renderJson('x', { a: 1 }, report));
      }),
      { numRuns: 400, seed: 19 },
    );
  });
  it("a 100,000-row report comes in pieces under V8's large-object size (128 KB), never as one string", () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ name: `t${i}`, shape: [i, 2], note: null }));
    const pieces = [...renderJsonPieces('inspect', {}, { tensors: rows })];
    expect(pieces.length).toBeGreaterThan(50);
    for (const p of pieces) expect(p.length).toBeLessThan(64 * 1024);
    expect(pieces.join('')).toBe(renderJson('inspect', {}, { tensors: rows }));
  });
});
