import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contracts/index.js';
import { MicrogptError } from '../../src/errors.js';
import { checkpointBytes, checkpointFromBytes, Gpt, MICROGPT, Tokenizer } from '../../src/model/index.js';
import { ROOT } from '../helpers/cli.js';

/** Every outcome is a loaded value or our own error: any other exception fails the property. */
function loadsOrOurError(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof MicrogptError) return true;
    throw e;
  }
}

async function loadsOrOurErrorAsync(f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (e) {
    if (e instanceof MicrogptError) return true;
    throw e;
  }
}

const valid = Buffer.from(checkpointBytes(Gpt.init(MICROGPT, 1), Tokenizer.default(), { training: { steps: 1 } }));
const headerLen = Number(valid.readBigUInt64LE(0));

/** Mutations of a valid file: bit flips anywhere, in the header, truncations, extensions, header edits. */
const bitFlips = fc
  .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 })
  .map((flips) => {
    const b = Buffer.from(valid);
    for (const [i, bit] of flips) b[i] ^= 1 << bit;
    return b;
  });
const headerFlips = fc
  .array(fc.tuple(fc.nat(headerLen + 7), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 })
  .map((flips) => {
    const b = Buffer.from(valid);
    for (const [i, bit] of flips) b[i] ^= 1 << bit;
    return b;
  });
const truncations = fc.nat(valid.length - 1).map((n) => valid.subarray(0, n));
const extensions = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((extra) => Buffer.concat([valid, Buffer.from(extra)]));
const headerText = valid.toString('utf8', 8, 8 + headerLen);
const headerEdits = fc
  .tuple(fc.nat(headerText.length - 1), fc.nat(40), fc.string({ maxLength: 12 }))
  .map(([at, cut, insert]) => {
    const text = headerText.slice(0, at) + insert + headerText.slice(at + cut);
    const head = Buffer.from(text, 'utf8');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(head.length));
    return Buffer.concat([len, head, valid.subarray(8 + headerLen)]);
  });
const lengthFields = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => {
  const b = Buffer.from(valid);
  b.writeBigUInt64LE(n, 0);
  return b;
});

describe('checkpoint reader under mutated files', () => {
  it('the unmutated file loads', () => expect(checkpointFromBytes('ok', valid).model.parameterCount).toBe(4192));

  it('bit flips, truncations, extensions, header edits, length fields: loads or raises MicrogptError (1,200 cases)', () => {
    const arb = fc.oneof(bitFlips, headerFlips, truncations, extensions, headerEdits, lengthFields);
    fc.assert(
      fc.property(arb, (bytes) => loadsOrOurError(() => checkpointFromBytes('fuzz.safetensors', bytes))),
      { numRuns: 1200 },
    );
  });

  it('a flipped bit in the weights still loads (NaN and infinity too: a run stops at them) or is reported out of range', () => {
    fc.assert(
      fc.property(fc.nat(valid.length - 9 - headerLen), fc.integer({ min: 0, max: 7 }), (i, bit) => {
        const b = Buffer.from(valid);
        b[8 + headerLen + i] ^= 1 << bit;
        try {
          const m = checkpointFromBytes('w', b).model;
          return [...m.params.values()].every((t) => t.data.every((x) => !(Math.abs(x) > 1e4 && Number.isFinite(x))));
        } catch (e) {
          return e instanceof MicrogptError && e.code === 'MG060';
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('contract loader under mutated files', () => {
  const text = readFileSync(join(ROOT, 'contracts', 'llama.json'), 'utf8');
  const mutations = fc.oneof(
    fc
      .tuple(fc.nat(text.length - 1), fc.integer({ min: 0, max: 6 }))
      .map(([i, bit]) => text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << bit)) + text.slice(i + 1)),
    fc.nat(text.length - 1).map((n) => text.slice(0, n)),
    fc
      .tuple(fc.nat(text.length - 1), fc.nat(30), fc.string({ maxLength: 16 }))
      .map(([at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut)),
    fc
      .tuple(
        fc.nat(text.length - 1),
        fc.constantFrom('-1', '0', '1e308', '"x"', 'null', '[]', '{}', 'true', '1.5', '"((((((((((hidden"'),
      )
      .map(([at, v]) => {
        // replace the value after the n-th colon
        const colon = text.indexOf(':', at);
        if (colon < 0) return text;
        const end = text.slice(colon + 1).search(/[,\n}]/);
        return text.slice(0, colon + 1) + ' ' + v + text.slice(colon + 1 + end);
      }),
  );
  it('bit flips, truncations, edits and hostile values: loads or raises MicrogptError (1,200 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, (t) => loadsOrOurErrorAsync(() => parseContract('fuzz.json', t))),
      { numRuns: 1200 },
    );
  });
});
