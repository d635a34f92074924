import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContractSet } from '../../src/contracts/index.js';
import { MicrogptError } from '../../src/errors.js';
import { buildFileReport } from '../../src/explain/files/report.js';
import { openModelFiles } from '../../src/formats/index.js';
import { runCli } from '../helpers/cli.js';
import { tinyNative, writeHfModel } from '../helpers/hf-models.js';
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
const stHeaderLength = 8 + Number(st.readBigUInt64LE(0));
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

/**
 * The same readers through the real CLI, in process (issue 19): every mutated
 * file, index, config.json and tokenizer.json is read by the commands that
 * read it, and the promise holds — exit 0, 1 or 2 only; on exit 2 one line
 * with a code and nothing on stdout; never a stack trace or an internal
 * error; a generous ceiling on each case's time (a hang guard, not a speed
 * test); memory that does not run away; and no input changed.
 */
describe('fuzzing through the CLI: exit 0/1/2, one coded line on bad input, inputs untouched', () => {
  const cliDir = mkdtempSync(join(tmpdir(), 'microgpt-fuzz-cli-'));
  /** Seconds a case may take: minutes-long quadratic or hanging reads fail it; a loaded 2-core machine does not. */
  const CEILING_MS = 20_000;
  const rssAtStart = process.memoryUsage().rss;

  const hashes = (d: string) =>
    Object.fromEntries(
      readdirSync(d)
        .sort()
        .map((f) => [
          f,
          createHash('sha256')
            .update(readFileSync(join(d, f)))
            .digest('hex'),
        ]),
    );

  async function promiseHolds(d: string, commands: string[][]): Promise<boolean> {
    const before = hashes(d);
    for (const args of commands) {
      const t0 = performance.now();
      const r = await runCli(args, { COLUMNS: '80' });
      const ms = performance.now() - t0;
      const what = `${args.join(' ')} → exit ${r.code}: ${r.stderr.slice(0, 300)}`;
      expect([0, 1, 2], what).toContain(r.code);
      expect(r.stderr, what).not.toMatch(/\n\s+at |internal error|Maximum call stack/);
      if (r.code === 2) {
        expect(r.stdout, what).toBe('');
        expect(r.stderr, what).toMatch(/^microgpt: error MG\d{3}: [^\n]*\n$/);
      }
      expect(ms, what).toBeLessThan(CEILING_MS);
      expect(process.memoryUsage().rss - rssAtStart, what).toBeLessThan(1.5 * 1024 ** 3);
    }
    expect(hashes(d)).toEqual(before);
    return true;
  }

  let k = 0;
  const caseDir = () => {
    const d = join(cliDir, String(k++));
    mkdirSync(d);
    return d;
  };

  /** Text edits that break JSON every way, and values swapped for hostile ones. */
  const textEdits = (text: string) =>
    fc.oneof(
      fc
        .array(
          fc.tuple(
            fc.nat(text.length),
            fc.nat(6),
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
              '-1',
              '1e999',
              'null',
              '"__proto__"',
              '\u0000',
              '\u009b',
              '['.repeat(200),
            ),
          ),
          { minLength: 1, maxLength: 4 },
        )
        .map((edits) => edits.reduce((t, [at, cut, insert]) => t.slice(0, at) + insert + t.slice(at + cut), text)),
      fc
        .tuple(
          fc.nat(text.length),
          fc.constantFrom(
            '0',
            '-1',
            '1e308',
            '"x"',
            'null',
            '[]',
            '{}',
            'true',
            '1.5',
            '"'.concat('y'.repeat(5000), '"'),
          ),
        )
        .map(([at, v]) => {
          const colon = text.indexOf(':', at);
          if (colon < 0) return text;
          const end = text.slice(colon + 1).search(/[,}\]]/);
          return text.slice(0, colon + 1) + v + text.slice(colon + 1 + Math.max(0, end));
        }),
    );

  it('safetensors files: header text edits, bit flips and lying lengths, through inspect, inspect --json and validate (fast-check, 120 cases)', async () => {
    const stText = st.toString('utf8', 8, stHeaderLength);
    const withHeader = (text: string) => {
      const body = Buffer.from(text);
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(body.length));
      return Buffer.concat([len, body, st.subarray(stHeaderLength)]);
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(textEdits(stText).map(withHeader), flips(st, stHeaderLength), lyingU64(st, 8), truncations(st)),
        async (bytes) => {
          const d = caseDir();
          writeFileSync(join(d, 'model.safetensors'), bytes);
          const p = join(d, 'model.safetensors');
          return promiseHolds(d, [
            ['inspect', p],
            ['inspect', p, '--json'],
            ['validate', p],
          ]);
        },
      ),
      { numRuns: 120, seed: 19 },
    );
  });

  it('GGUF files: bit flips, truncations and lying counts, through inspect --metadata and validate (fast-check, 80 cases)', async () => {
    const ggHeader = gg.length - 4 * (88 + 64);
    await fc.assert(
      fc.asyncProperty(fc.oneof(flips(gg, ggHeader), truncations(gg), lyingU64(gg, ggHeader)), async (bytes) => {
        const d = caseDir();
        writeFileSync(join(d, 'model.gguf'), bytes);
        const p = join(d, 'model.gguf');
        return promiseHolds(d, [
          ['inspect', p, '--metadata'],
          ['validate', p],
        ]);
      }),
      { numRuns: 80, seed: 19 },
    );
  });

  it('shard indexes: text edits of model.safetensors.index.json, through inspect and validate (fast-check, 80 cases)', async () => {
    const half = Math.ceil(tiny.length / 2);
    const shards = [tiny.slice(0, half), tiny.slice(half)].map((specs) => {
      const { head, dataBytes } = safetensorsHeader(specs, { format: 'pt' });
      return Buffer.concat([head, Buffer.alloc(dataBytes, 1)]);
    });
    const index = JSON.stringify({
      metadata: { total_size: shards.reduce((s, b) => s + b.length, 0) },
      weight_map: Object.fromEntries(
        tiny.map((t, i) => [t.name, `model-0000${i < half ? 1 : 2}-of-00002.safetensors`]),
      ),
    });
    await fc.assert(
      fc.asyncProperty(textEdits(index), async (text) => {
        const d = caseDir();
        shards.forEach((b, i) => writeFileSync(join(d, `model-0000${i + 1}-of-00002.safetensors`), b));
        writeFileSync(join(d, 'model.safetensors.index.json'), text);
        return promiseHolds(d, [
          ['inspect', d],
          ['validate', d],
        ]);
      }),
      { numRuns: 80, seed: 19 },
    );
  });

  describe('a model folder that runs', () => {
    let good: string;
    beforeAll(async () => {
      good = writeHfModel(join(cliDir, 'good'), await tinyNative('llama'), 'llama');
    });
    const folderWith = (name: string, text: string) => {
      const d = caseDir();
      for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) copyFileSync(join(good, f), join(d, f));
      writeFileSync(join(d, name), text);
      return d;
    };

    it('config.json: text edits and hostile values, through inspect and explain --attention (fast-check, 60 cases)', async () => {
      const config = readFileSync(join(good, 'config.json'), 'utf8');
      await fc.assert(
        fc.asyncProperty(textEdits(config), async (text) => {
          const d = folderWith('config.json', text);
          return promiseHolds(d, [
            ['inspect', d],
            ['explain', '--attention', 'ab', '--model', d],
          ]);
        }),
        { numRuns: 60, seed: 19 },
      );
    });

    it('tokenizer.json: text edits and hostile values, through explain --attention on text (fast-check, 60 cases)', async () => {
      const tokenizer = readFileSync(join(good, 'tokenizer.json'), 'utf8');
      await fc.assert(
        fc.asyncProperty(textEdits(tokenizer), async (text) => {
          const d = folderWith('tokenizer.json', text);
          return promiseHolds(d, [['explain', '--attention', 'ab', '--model', d]]);
        }),
        { numRuns: 60, seed: 19 },
      );
    });
  });
});
