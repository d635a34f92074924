/**
 * --data is read a chunk at a time (issue 19): the documents are exactly what
 * splitting the whole text gives, and a line over 1 MB is refused with its
 * number, before the rest of the file is read.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, readDocs } from '../../src/model/corpus.js';
import { expectOneLineError, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-data-'));
let n = 0;
const write = (content: string | Buffer) => {
  const p = join(dir, `d${n++}.txt`);
  writeFileSync(p, content);
  return p;
};

/** The reference: the whole file decoded, split on \n or \r\n, trimmed, empty lines dropped. */
const reference = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);

describe('--data lines', () => {
  it('chunked reading gives exactly the lines of the whole text, whatever the chunk size (fast-check, 300 files)', () => {
    const piece = fc.constantFrom('a', 'bé', '\n', '\r\n', ' ', '\t', '😀', '\ufeff', 'xyz', '\u2028');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 1, max: 9 }), (parts, chunk) => {
        const text = 'a\n' + parts.join('');
        expect(readDocs(write(text), chunk)).toEqual(reference(text));
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it('a line over 1 MB is refused with its number, one line, exit 2 (before: read whole, then tokenized for minutes)', async () => {
    const p = write(`anna\nbob\n${'x'.repeat(MAX_LINE_BYTES + 1)}\ncarl\n`);
    expect(() => readDocs(p)).toThrow(/line 3 is over the 1,048,576-byte limit of a line/);
    for (const command of [
      ['eval', '--data', p],
      ['train', '--data', p, '--steps', '1', '--no-out'],
    ])
      expectOneLineError(await runCli(command), /MG048: .*line 3 is over the 1,048,576-byte limit/);
    // A line of exactly the limit is a line like any other.
    expect(readDocs(write(`${'y'.repeat(MAX_LINE_BYTES)}\n`))).toHaveLength(1);
  });
});
