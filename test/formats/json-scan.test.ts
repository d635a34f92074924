import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SAFETENSORS_DTYPE_BITS,
  openSafetensorsHeader,
  openSafetensorsMetadata,
  readSafetensorsHeader,
} from '../../src/formats/index.js';
import { readSafetensorsMetadata } from '../../src/formats/safetensors-header.js';
import { checkJson, parseJson } from '../../src/formats/json-bytes.js';
import { scanSafetensorsHeader } from '../../src/formats/safetensors-header.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-jsonscan-'));
const fail = (m: string): never => {
  throw new Error(m);
};

/** JSON.parse as the reference: the same bytes decoded as the file reader decodes them. */
function reference(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}
function ours(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parseJson(bytes, fail, 1000) };
  } catch {
    return { ok: false };
  }
}

/** Text edits that break JSON in every way: a character cut, doubled, swapped for a JSON-meaningful one. */
const edited = fc
  .tuple(
    fc.jsonValue({ maxDepth: 4 }),
    fc.integer({ min: 0, max: 8 }),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat(),
        fc.constantFrom(
          '',
          '"',
          '\\',
          ',',
          ':',
          '[',
          ']',
          '{',
          '}',
          '-',
          '.',
          'e',
          '0',
          '1',
          ' ',
          '\n',
          'n',
          't',
          '\u0001',
          '\\u12',
          '\\ud800',
          'é',
        ),
      ),
    ),
    fc.constantFrom(undefined, 2, '\t'),
  )
  .map(([v, _n, edits, space]) => {
    let text = JSON.stringify(v, null, space) ?? 'null';
    for (const [at, cut, insert] of edits) {
      const i = text.length ? at % (text.length + 1) : 0;
      text = text.slice(0, i) + insert + text.slice(i + (cut % 3));
    }
    return Buffer.from(text);
  });

describe('the byte-level JSON reader agrees with JSON.parse', () => {
  it('on valid documents of every shape (fast-check, 1,500 cases)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(undefined, 1, 2, '\t', ' \r\n'), (v, space) => {
        const bytes = Buffer.from(JSON.stringify(v, null, space as string | number | undefined) ?? 'null');
        expect(ours(bytes)).toEqual(reference(bytes));
      }),
      { numRuns: 1500, seed: 19 },
    );
  });
  it('on strings with escapes, surrogates, controls and non-ASCII (fast-check, 1,000 cases)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const bytes = Buffer.from(JSON.stringify({ [s]: s, a: [s] }));
        expect(ours(bytes)).toEqual(reference(bytes));
      }),
      { numRuns: 1000, seed: 19 },
    );
  });
  it('on edited, mostly invalid text: the same value, or both refuse (fast-check, 3,000 cases)', () => {
    fc.assert(
      fc.property(edited, (bytes) => {
        expect(ours(bytes)).toEqual(reference(bytes));
        // The check without building agrees on what is JSON.
        let checked = true;
        try {
          checkJson(bytes, fail, 1000);
        } catch {
          checked = false;
        }
        expect(checked).toBe(reference(bytes).ok);
      }),
      { numRuns: 3000, seed: 19 },
    );
  });
  it('"__proto__" stays an own key, as JSON.parse keeps it', () => {
    const v = parseJson(Buffer.from('{"__proto__": {"polluted": 1}}'), fail, 8) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('nesting beyond the bound is refused, with the byte where it happens', () => {
    expect(() => parseJson(Buffer.from('[[[[1]]]]'), fail, 3)).toThrow(/nesting deeper than 3 levels at byte 3/);
    expect(parseJson(Buffer.from('[[[1]]]'), fail, 3)).toEqual([[[1]]]);
  });
});

/** A safetensors header as JSON.parse reads it: metadata, and each entry in key order. */
function referenceHeader(text: string) {
  const h = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const { __metadata__: meta, ...entries } = h as Record<string, unknown>;
  return {
    metadata: new Map(Object.entries((meta ?? {}) as Record<string, string>)),
    tensors: Object.entries(entries as typeof h).map(([name, e]) => ({
      name,
      dtype: e.dtype,
      shape: e.shape,
      begin: e.data_offsets[0],
      end: e.data_offsets[1],
    })),
  };
}

const DTYPES = [...SAFETENSORS_DTYPE_BITS].filter(([, bits]) => bits % 8 === 0).map(([d]) => d);
const header = fc
  .record({
    metadata: fc.option(
      fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 30 }), {
        maxKeys: 4,
      }),
    ),
    tensors: fc.uniqueArray(
      fc.record({
        name: fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }).filter((n) => n !== '__metadata__'),
        dtype: fc.constantFrom(...DTYPES),
        shape: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }),
        extra: fc.option(fc.jsonValue({ maxDepth: 3 })),
      }),
      { selector: (t) => t.name, maxLength: 12 },
    ),
    space: fc.constantFrom(undefined, 1, '\t'),
    metaFirst: fc.boolean(),
  })
  .map(({ metadata, tensors, space, metaFirst }) => {
    const h: Record<string, unknown> = {};
    if (metadata && metaFirst) h.__metadata__ = metadata;
    let off = 0;
    for (const t of tensors) {
      const n = (t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BITS.get(t.dtype)!) / 8;
      h[t.name] = {
        dtype: t.dtype,
        shape: t.shape,
        data_offsets: [off, off + n],
        ...(t.extra === null ? {} : { extra: t.extra }),
      };
      off += n;
    }
    if (metadata && !metaFirst) h.__metadata__ = metadata;
    return { text: JSON.stringify(h, null, space), dataLen: off };
  });

describe('safetensors headers: one pass, compact records, the same answer as JSON.parse', () => {
  it('valid headers read the same as through JSON.parse: metadata, names, dtypes, shapes, offsets (fast-check, 800 cases)', () => {
    fc.assert(
      fc.property(header, ({ text, dataLen }) => {
        const got = scanSafetensorsHeader(Buffer.from(text), {
          file: 'f',
          dataStart: 8 + Buffer.byteLength(text),
          dataLen,
          fail,
        });
        const want = referenceHeader(Buffer.from(text).toString('utf8'));
        expect(got.refused).toBeNull();
        expect(got.problems).toEqual([]);
        expect(got.metadata).toEqual(want.metadata);
        expect(
          got.tensors.map((t) => ({
            name: t.name,
            dtype: t.dtype,
            shape: t.shape,
            begin: t.offset - 8 - Buffer.byteLength(text),
            end: t.offset - 8 - Buffer.byteLength(text) + t.bytes,
          })),
        ).toEqual(want.tensors);
      }),
      { numRuns: 800, seed: 19 },
    );
  });

  it('a tensor name given twice is a problem naming it (JSON.parse would keep one silently)', () => {
    const text =
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(Object.keys(JSON.parse(text))).toEqual(['a']);
    const got = scanSafetensorsHeader(Buffer.from(text), { file: 'f', dataStart: 8 + text.length, dataLen: 8, fail });
    expect(got.tensors.map((t) => t.name)).toEqual(['a']);
    expect(got.problems).toEqual([
      {
        where: 'tensor "a"',
        message: 'appears twice in the header (JSON readers keep only the last; the first is listed here)',
        code: 'MG053',
      },
    ]);
  });

  it('a __metadata__ value that is not a string stops the reading there, unparsed', () => {
    for (const [value, kind] of [
      ['[1]', 'an array'],
      ['{"x":"y"}', 'an object'],
      ['3', 'a number'],
      ['null', 'null'],
      ['[' + '['.repeat(1e6), 'an array'],
    ] as const) {
      const text = `{"__metadata__":{"format":"pt","x":${value}},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`;
      const got = scanSafetensorsHeader(Buffer.from(text), { file: 'f', dataStart: 8 + text.length, dataLen: 4, fail });
      expect(got.refused).toEqual({
        where: '__metadata__["x"]',
        message: `is ${kind}, not a string; the safetensors format allows only strings in __metadata__`,
        code: 'MG056',
      });
      expect(got.tensors).toEqual([]);
    }
  });

  it('deep nesting in an extra field is refused with the limit, not parsed', () => {
    const text = `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":${'['.repeat(50)}${']'.repeat(50)}}}`;
    expect(() =>
      scanSafetensorsHeader(Buffer.from(text), { file: 'f', dataStart: 8 + text.length, dataLen: 4, fail }),
    ).toThrow(/nesting deeper than 16 levels at byte \d+/);
  });

  it('a 9 MB header of 100,000 tensors keeps compact records: every dtype string shared', () => {
    const h: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++)
      h[`model.layers.${i}.w`] = { dtype: 'BF16', shape: [2], data_offsets: [4 * i, 4 * i + 4] };
    const p = join(dir, 'many.safetensors');
    const body = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(body.length));
    writeFileSync(p, Buffer.concat([len, body, Buffer.alloc(400_000)]));
    const r = readSafetensorsHeader(p);
    expect(r.tensors).toHaveLength(100_000);
    expect(r.problems).toEqual([]);
    expect(new Set(r.tensors.map((t) => t.dtype))).toEqual(new Set(['BF16']));
  });
});

describe('the metadata walk (is this a microgpt checkpoint?) answers as the full reader does', () => {
  let n = 0;
  const file = (text: string, dataLen: number) => {
    const p = join(dir, `walk-${n++}.safetensors`);
    const body = Buffer.from(text);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(body.length));
    writeFileSync(p, Buffer.concat([len, body, Buffer.alloc(dataLen)]));
    return p;
  };
  /** The full reader's metadata, or its error message. */
  const full = (p: string) => {
    try {
      return openSafetensorsHeader(p, false).metadata;
    } catch (e) {
      return (e as Error).message;
    }
  };
  const walked = (p: string) => {
    try {
      return openSafetensorsMetadata(p);
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('valid headers: the same metadata, found by the walk itself (fast-check, 300 cases)', () => {
    fc.assert(
      fc.property(header, ({ text, dataLen }) => {
        const p = file(text, dataLen);
        expect(readSafetensorsMetadata(p)).toEqual(readSafetensorsHeader(p).metadata);
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  const edits = fc.array(
    fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('', '"', '\\', ',', ':', '[', ']', '{', '}', '1', '\\u0061', ' ')),
    { minLength: 1, maxLength: 3 },
  );
  it('edited headers: the same metadata or the same error, whatever the edit (fast-check, 600 cases)', () => {
    const kinds = { read: 0, refused: 0 };
    fc.assert(
      fc.property(header, edits, ({ text, dataLen }, cuts) => {
        let t = text;
        for (const [at, cut, insert] of cuts) {
          const i = at % (t.length + 1);
          t = t.slice(0, i) + insert + t.slice(i + (cut % 3));
        }
        const p = file(t, dataLen);
        const want = full(p);
        expect(walked(p)).toEqual(want);
        kinds[typeof want === 'string' ? 'refused' : 'read']++;
      }),
      { numRuns: 600, seed: 19 },
    );
    // Both outcomes are exercised.
    expect(kinds.refused).toBeGreaterThan(100);
    expect(kinds.read).toBeGreaterThan(100);
  });

  it('a second __metadata__, an escaped key and a refused value: as the full reader', () => {
    const e = '"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    for (const text of [
      `{"__metadata__":{"format":"pt"},${e},"__metadata__":{"format":"microgpt"}}`,
      `{"__metad\\u0061ta__":{"format":"microgpt"},${e}}`,
      `{${e},"__metadata__":{"format":"microgpt","x":[1]}}`,
      `{${e},"__metadata__":"microgpt"}`,
    ]) {
      const p = file(text, 4);
      expect(walked(p)).toEqual(full(p));
    }
    expect(walked(file(`{"__metadata__":{"format":"pt"},${e},"__metadata__":{"format":"microgpt"}}`, 4))).toEqual(
      new Map([['format', 'microgpt']]),
    );
  });
});
