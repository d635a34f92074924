/**
 * GPT-2's BPE on long pieces (red team): gpt-tokenizer merges a piece by
 * rescanning all its pairs after every merge, so a 100,000-character run took
 * seconds and a 300 KB line of '=' minutes. Pieces over LONG_PIECE bytes are
 * now merged with a heap; the ids must be exactly gpt-tokenizer's, and the
 * work near-linear (counted, never timed).
 */
import fc from 'fast-check';
import * as r50k from 'gpt-tokenizer/encoding/r50k_base';
import ranks from 'gpt-tokenizer/bpeRanks/r50k_base';
import { R50K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { describe, expect, it } from 'vitest';
import { LONG_PIECE, gpt2Bpe, mergeBytes, rankTable, type MergeCounts } from '../../src/model/hf/gpt2-bpe.js';
import { MinHeap } from '../../src/model/hf/min-heap.js';
import { loadTokenizer } from '../../src/model/hf/tokenizer.js';
import type { HfSpec } from '../../src/model/hf/spec.js';

const ours = gpt2Bpe({ encode: r50k.encode, ranks, split: R50K_TOKEN_SPLIT_REGEX, special: [r50k.EndOfText] });
const utf8 = new TextEncoder();

const table = () => rankTable(ranks);

describe("GPT-2's BPE on long pieces", () => {
  it('gives exactly the ids of gpt-tokenizer on random text built of long runs (fast-check, fixed seed)', () => {
    const unit = fc.constantFrom(
      'a',
      'ab',
      '=',
      ' ',
      '  ',
      '\n',
      '1',
      'é',
      '😀',
      '\u0301',
      'the ',
      "'s",
      '-=',
      'Ġ',
      '\t',
    );
    const run = fc.tuple(unit, fc.integer({ min: 1, max: 400 })).map(([u, k]) => u.repeat(k));
    let long = 0;
    fc.assert(
      fc.property(fc.array(run, { maxLength: 8 }), (runs) => {
        const text = runs.join('');
        if ([...text.matchAll(R50K_TOKEN_SPLIT_REGEX)].some((m) => utf8.encode(m[0]).length > LONG_PIECE)) long++;
        expect(ours.encode(text)).toEqual(r50k.encode(text));
      }),
      { numRuns: 300, seed: 7 },
    );
    expect(long).toBeGreaterThan(100); // the heap path, not only the library's, was compared
  });

  it('mergeBytes alone equals gpt-tokenizer on single words of every length up to 600 bytes', () => {
    const t = table();
    for (const unit of ['a', 'ab', '=', '1', 'é', '😀', 'xyz', '\u0301']) {
      for (let k = 1; k * unit.length <= 300; k += 7) {
        const word = unit.repeat(k);
        expect(mergeBytes(utf8.encode(word), t), `${unit} × ${k}`).toEqual(r50k.encode(word));
      }
    }
  });

  it('a 100,000-byte run costs O(n) rank lookups and heap pops (before: n scans of n pairs)', () => {
    const n = 100_000;
    for (const c of ['a', '=', ' ']) {
      const counts: MergeCounts = { lookups: 0, pops: 0 };
      const ids = mergeBytes(utf8.encode(c.repeat(n)), table(), counts);
      expect(counts.lookups).toBeLessThanOrEqual(3 * n);
      expect(counts.pops).toBeLessThanOrEqual(3 * n);
      expect(r50k.decode(ids)).toBe(c.repeat(n));
    }
  });

  it("the model folder's GPT-2 tokenizer takes this path; text holding <|endoftext|> is refused (MG086)", async () => {
    const tok = await loadTokenizer('/nonexistent-microgpt-dir', { family: 'gpt2', vocab: 50257 } as HfSpec);
    expect(tok!.encode('Hello world')).toEqual([15496, 995]);
    const text = `x ${'='.repeat(2000)} the cat ${'a'.repeat(700)}`;
    expect(tok!.encode(text)).toEqual(r50k.encode(text));
    expect(tok!.decode(tok!.encode('a'.repeat(100_000)))).toBe('a'.repeat(100_000));
    // Before: gpt-tokenizer's own Error, printed as an internal error.
    expect(() => tok!.encode(`${'a'.repeat(500)}<|endoftext|>`)).toThrow(
      expect.objectContaining({ code: 'MG086', message: expect.stringMatching(/holds <\|endoftext\|>.*--ids 50256/) }),
    );
  });

  it('MinHeap pops in order (fast-check against a sort)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 })), (xs) => {
        const h = new MinHeap<number>((a, b) => a - b);
        for (const x of xs) h.push(x);
        const out: number[] = [];
        for (let x = h.pop(); x !== undefined; x = h.pop()) out.push(x);
        expect(out).toEqual([...xs].sort((a, b) => a - b));
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
