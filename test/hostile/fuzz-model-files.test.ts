import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContractSet } from '../../src/contracts/index.js';
import { MicrogptError } from '../../src/errors.js';
import { buildFileReport } from '../../src/explain/files/report.js';
import { openModelFiles } from '../../src/formats/index.js';
import { ggufBytes, llamaLikeTensors, safetensorsHeader, type GgufKv } from '../helpers/model-files.js';

const contracts = (await ContractSet.load()).families.map((f) => f.contract);
const dir = mkdtempSync(join(tmpdir(), 'microgpt-fuzz-files-'));
let n = 0;

/** Writes the bytes, reads them as a model and builds the report: either that works or it is our own one-line error. */
function readsOrOurError(bytes: Uint8Array, name: string): boolean {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, bytes);
  try {
    buildFileReport(openModelFiles(path), contracts, { metadata: true });
    return true;
  } catch (e) {
    if (e instanceof MicrogptError && !e.message.includes('\n')) return true;
    throw e;
  }
}

const tiny = llamaLikeTensors({
  hidden: 8,
  layers: 2,
  heads: 2,
  kvHeads: 1,
  headDim: 4,
  intermediate: 16,
  vocab: 11,
  tied: false,
  dtype: 'F32',
});
const st = (() => {
  const { head, dataBytes } = safetensorsHeader(tiny, { format: 'pt' });
  return Buffer.concat([head, Buffer.alloc(dataBytes, 1)]);
})();
const kvs: GgufKv[] = [
  ['general.architecture', 'string', 'llama'],
  ['llama.block_count', 'u32', 2],
  ['tokenizer.ggml.tokens', 'array', 'string', ['a', 'b', 'c']],
  ['general.alignment', 'u32', 32],
];
const gg = (() => {
  const { head, dataBytes } = ggufBytes(kvs, [
    { name: 'token_embd.weight', dims: [8, 11], type: 0 },
    { name: 'blk.0.attn_q.weight', dims: [8, 8], type: 0 },
  ]);
  return Buffer.concat([head, Buffer.alloc(dataBytes, 1)]);
})();

const flips = (valid: Buffer, upTo: number) =>
  fc.array(fc.tuple(fc.nat(upTo - 1), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map((fs) => {
    const b = Buffer.from(valid);
    for (const [i, bit] of fs) b[i] ^= 1 << bit;
    return b;
  });
const truncations = (valid: Buffer) => fc.nat(valid.length - 1).map((k) => valid.subarray(0, k));
/** A 64-bit length or count anywhere in the header replaced by any value: the lying lengths. */
const lyingU64 = (valid: Buffer, upTo: number) =>
  fc.tuple(fc.nat(upTo - 8), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([at, v]) => {
    const b = Buffer.from(valid);
    b.writeBigUInt64LE(v, at);
    return b;
  });

describe('fuzzing the model-file readers: every mutation reads or fails with one MGnnn line', () => {
  const stHeader = 8 + Number(st.readBigUInt64LE(0));
  const ggHeader = gg.length - 4 * (88 + 64);
  it('the valid seeds read cleanly', () => {
    expect(readsOrOurError(st, 'seed.safetensors')).toBe(true);
    expect(readsOrOurError(gg, 'seed.gguf')).toBe(true);
  });
  it('safetensors: 600 bit flips, truncations and lying lengths', () => {
    fc.assert(
      fc.property(fc.oneof(flips(st, stHeader), truncations(st), lyingU64(st, 16)), (b) =>
        readsOrOurError(b, 'x.safetensors'),
      ),
      { numRuns: 600, seed: 42 },
    );
  });
  it('GGUF: 600 bit flips, truncations and lying counts and lengths', () => {
    fc.assert(
      fc.property(fc.oneof(flips(gg, ggHeader), truncations(gg), lyingU64(gg, ggHeader)), (b) =>
        readsOrOurError(b, 'x.gguf'),
      ),
      { numRuns: 600, seed: 42 },
    );
  });
  it('deep JSON and a huge claimed array do not crash or allocate', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const body = Buffer.from(`{"a":${deep}}`);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(body.length));
    expect(readsOrOurError(Buffer.concat([len, body]), 'deep.safetensors')).toBe(true);
    const { head } = ggufBytes([['tokenizer.ggml.tokens', 'array', 'string', ['a']]], []);
    // The array's element count, right after its element type: claim 2^50 strings.
    const at = head.indexOf(Buffer.from('tokenizer.ggml.tokens')) + 'tokenizer.ggml.tokens'.length + 4 + 4;
    head.writeBigUInt64LE(2n ** 50n, at);
    expect(() => openModelFiles(writeTo(head, 'huge.gguf'))).toThrow(
      /claims 1125899906842624 elements, more than the file holds/,
    );
  });
});

function writeTo(bytes: Buffer, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}
