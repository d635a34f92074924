/**
 * Issue 19, the model-file side: every reader bounded, linear and precise.
 * Each case here failed before its fix (the failure noted beside it).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContractSet } from '../../src/contracts/index.js';
import { buildFileReport } from '../../src/explain/files/report.js';
import { openModelFiles, type TensorEntry } from '../../src/formats/index.js';
import { renderJsonPieces } from '../../src/render/json-pieces.js';
import { renderFileReport } from '../../src/render/model-file.js';
import { makeStyle } from '../../src/render/style.js';
import { expectOneLineError, runCli } from '../helpers/cli.js';
import { tinyNative, writeHfModel } from '../helpers/hf-models.js';
import { writeSparseGguf, writeSparseSafetensors } from '../helpers/model-files.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-limits-'));
const at = (name: string) => join(dir, name);

/** A safetensors file from header text as given (duplicates and nesting survive), with `data` bytes after it. */
function rawSafetensors(name: string, header: string, data: number): string {
  const body = Buffer.from(header);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(body.length));
  writeFileSync(at(name), Buffer.concat([len, body, Buffer.alloc(data)]));
  return at(name);
}

const entry = (begin: number, end: number, dtype = 'F32') =>
  `{"dtype":"${dtype}","shape":[${(end - begin) / 4}],"data_offsets":[${begin},${end}]}`;

describe('1. headers: duplicate names seen, nesting refused unparsed', () => {
  it('a tensor name given twice: validate fails that check, inspect shows the ✗ and exits 1 (before: "sound", exit 0)', async () => {
    const p = rawSafetensors('dup.safetensors', `{"a":${entry(0, 4)},"a":${entry(4, 8)}}`, 8);
    const v = await runCli(['validate', p]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/✗ tensor "a": appears twice in the header/);
    const i = await runCli(['inspect', p]);
    expect(i.code).toBe(1);
    expect(i.stdout).toMatch(/✗ tensor "a": appears twice in the header/);
  });

  it('10 MB of nested "[" in __metadata__: one line and exit 2 from inspect, a failed check from validate (before: 0.9 GB, exit 0)', async () => {
    const n = 5_000_000;
    const p = rawSafetensors(
      'nested.safetensors',
      `{"__metadata__":{"format":"pt","x":${'['.repeat(n)}${']'.repeat(n)}},"a":${entry(0, 4)}}`,
      4,
    );
    expectOneLineError(
      await runCli(['inspect', p]),
      /MG056: .*nested\.safetensors: __metadata__\["x"\] is an array, not a string; the safetensors format allows only strings in __metadata__/,
    );
    const v = await runCli(['validate', p]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/✗ __metadata__\["x"\]: is an array, not a string/);
  });
});

describe('2. linear time', () => {
  it('text inspect of 30,000 tensors no family names (before: quadratic table layout, minutes)', async () => {
    const p = at('unknown30k.safetensors');
    writeSparseSafetensors(
      p,
      // Letters only: names with numbers in them group into one row per pattern (t{n}.w{n}), so no cap would show.
      Array.from({ length: 30_000 }, (_, i) => ({ name: `t${letters(i)}.w`, shape: [1], dtype: 'F32' })),
      { format: 'pt' },
    );
    const r = await runCli(['inspect', p]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Tensors: 30,000; 30000 unknown/);
    expect(r.stdout).toMatch(/… and 29,800 more rows \(-v lists every tensor; --json has them all\)/);
  });

  it('30,000 tensors named by number are one row per pattern', async () => {
    const p = at('numbered30k.safetensors');
    writeSparseSafetensors(
      p,
      Array.from({ length: 30_000 }, (_, i) => ({ name: `t${i}.w${(i * 7919) % 1000}`, shape: [1], dtype: 'F32' })),
      { format: 'pt' },
    );
    const r = await runCli(['inspect', p]);
    expect(r.stdout).toMatch(/^\s+30,000 ×\s+t\{n\}\.w\{n\}\s+\[1\]\s+F32\s+no template names it; layers 0–29999$/m);
  });

  /**
   * The work of reading a report is counted, not timed: every property read
   * of every tensor record goes through a counting proxy. Four times the
   * tensors must cost four times the reads (a quadratic step would cost 16×).
   */
  it('report, text and JSON read each tensor record a bounded number of times: 4× the tensors, 4× the reads', async () => {
    const contracts = (await ContractSet.load()).families.map((f) => f.contract);
    const reads = (n: number, names: (i: number) => string) => {
      const p = at(`count-${n}-${names(1)}.safetensors`);
      writeSparseSafetensors(
        p,
        Array.from({ length: n }, (_, i) => ({ name: names(i), shape: [2], dtype: 'F32' })),
      );
      const files = openModelFiles(p);
      let count = 0;
      const counted = files.tensors.map(
        (t) =>
          new Proxy(t, {
            get(target, key) {
              count++;
              return target[key as keyof TensorEntry];
            },
          }),
      );
      const report = buildFileReport({ ...files, tensors: counted }, contracts, { metadata: true });
      const tensorsCounted = report.tensors.map(
        (t) =>
          new Proxy(t, {
            get(target, key) {
              count++;
              return target[key as keyof typeof t];
            },
          }),
      );
      const r = { ...report, tensors: tensorsCounted };
      renderFileReport(r, makeStyle(false, {}, 80), { verbose: true });
      for (const _ of renderJsonPieces('inspect', {}, r)) void _;
      return count;
    };
    for (const names of [(i: number) => `t${i}.w`, (i: number) => `model.layers.${i}.mlp.up_proj.weight`]) {
      const small = reads(2_000, names);
      const large = reads(8_000, names);
      expect(large / small).toBeGreaterThan(3.5);
      expect(large / small).toBeLessThan(4.5);
    }
  });
});

describe('3. a megabyte-long string from a file: no crash, cut with its length in text, whole in JSON', () => {
  const long = 'x'.repeat(1 << 20);
  const cases: Array<[string, () => string, string[]]> = [
    ['tensor name', () => writeName(), ['inspect']],
    ['dtype', () => rawSafetensors('dtype.safetensors', `{"a":${entry(0, 4, long)}}`, 4), ['inspect']],
    ['metadata value', () => writeMeta(), ['inspect', '--metadata']],
    ['GGUF general.architecture', () => writeArch(), ['inspect', '--metadata']],
  ];
  function writeName(): string {
    writeSparseSafetensors(at('name.safetensors'), [{ name: long, shape: [1], dtype: 'F32' }]);
    return at('name.safetensors');
  }
  function writeMeta(): string {
    writeSparseSafetensors(at('meta.safetensors'), [{ name: 'a', shape: [1], dtype: 'F32' }], { note: long });
    return at('meta.safetensors');
  }
  function writeArch(): string {
    writeSparseGguf(
      at('arch.gguf'),
      [['general.architecture', 'string', long]],
      [{ name: 'token_embd.weight', dims: [8, 11], type: 0 }],
    );
    return at('arch.gguf');
  }
  for (const [what, make, command] of cases)
    it(`a 1 MB ${what} (before: "Maximum call stack size exceeded", exit 70)`, async () => {
      const p = make();
      const text = await runCli([...command, p], { COLUMNS: '100' });
      expect([0, 1]).toContain(text.code);
      expect(text.stderr).toBe('');
      expect(text.stdout).toContain('… (1,048,576 characters)');
      for (const line of text.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
      const json = await runCli([...command, p, '--json']);
      expect(json.code).toBe(text.code);
      // The string whole in JSON; a dtype that is no dtype makes no tensor, only a problem, which quotes it cut.
      expect(json.stdout).toContain(what === 'dtype' ? '… (1,048,576 characters) is not a safetensors dtype' : long);
    });
});

describe('4. what is wrong, where: one code per condition', () => {
  let folder: string;
  beforeAll(async () => {
    folder = writeHfModel(at('good'), await tinyNative('llama'), 'llama');
  });

  /** The folder with its weights' header edited. */
  const edited = (
    name: string,
    edit: (h: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void,
  ) => {
    const d = at(name);
    mkdirSync(d);
    for (const f of ['config.json', 'tokenizer.json']) copyFileSync(join(folder, f), join(d, f));
    const b = readFileSync(join(folder, 'model.safetensors'));
    const n = Number(b.readBigUInt64LE(0));
    const h = JSON.parse(b.toString('utf8', 8, 8 + n));
    edit(h);
    const body = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(body.length));
    writeFileSync(join(d, 'model.safetensors'), Buffer.concat([len, body, b.subarray(8 + n)]));
    return d;
  };

  it('a zero-length header: MG063 from inspect and from validate (before: MG063 and MG062)', async () => {
    const p = at('zero.safetensors');
    writeFileSync(p, Buffer.concat([Buffer.alloc(8), Buffer.from('{}')]));
    for (const command of ['inspect', 'validate'])
      expectOneLineError(await runCli([command, p]), /MG063: .*header length is 0 bytes/);
  });

  it('config.json that is not JSON, a FIFO or /dev/zero is named as such (before: "no config.json beside the weights")', async () => {
    const cases: Array<[string, (p: string) => void, RegExp]> = [
      [
        'notjson',
        (p) => writeFileSync(p, '{"model_type": "llama",'),
        /not valid JSON \(expected a string key at byte 23\)/,
      ],
      ['fifo', (p) => execFileSync('mkfifo', [p]), /is not a regular file but a FIFO/],
      ['devzero', (p) => symlinkSync('/dev/zero', p), /is not a regular file but a device/],
    ];
    for (const [name, make, why] of cases) {
      const d = at(`config-${name}`);
      mkdirSync(d);
      copyFileSync(join(folder, 'model.safetensors'), join(d, 'model.safetensors'));
      make(join(d, 'config.json'));
      expectOneLineError(
        await runCli(['explain', '--attention', 'abc', '--model', d]),
        new RegExp(`MG071: .*the config.json beside the weights cannot be used: .*${why.source}`),
      );
    }
  });

  it('a BF16-labelled tensor holding F32 bytes is named, with what its bytes fit (before: "B: 0 tensors" / "is missing")', async () => {
    const d = edited('bf16', (h) => (h['model.embed_tokens.weight']!.dtype = 'BF16'));
    const why =
      /tensor "model\.embed_tokens\.weight": shape \[27, 16\] × BF16 needs 864 bytes but data_offsets span 1728, what F32 needs: the bytes disagree with the dtype/;
    expectOneLineError(
      await runCli(['explain', '--attention', 'abc', '--model', d]),
      new RegExp(`MG054: .*${why.source}`),
    );
    const diff = await runCli(['diff', join(folder, 'model.safetensors'), join(d, 'model.safetensors')]);
    expect(diff.code).toBe(1);
    expect(diff.stdout.replace(/\s+/g, ' ')).toMatch(new RegExp(why.source.replace(/ /g, '\\s+')));
  });

  it('diff --values with a tensor past the end of the file: reported, not "identical", exit 1 (before: identical, exit 0)', async () => {
    const d = edited('pastend', (h) => {
      h['lm_head.weight']!.data_offsets[1]! += 4;
      h['lm_head.weight']!.shape = [433];
    });
    const same = join(d, 'same.safetensors');
    copyFileSync(join(d, 'model.safetensors'), same);
    const r = await runCli(['diff', join(d, 'model.safetensors'), same, '--values']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/tensor "lm_head\.weight": data_offsets \[\d+, \d+\] are outside the data section/);
    expect(r.stdout).not.toMatch(/identical in everything compared/);
    expect(
      JSON.parse((await runCli(['diff', join(d, 'model.safetensors'), same, '--values', '--json'])).stdout).identical,
    ).toBe(false);
  });

  it('a folder without config.json, to a command that runs models: what is missing (before: "--model takes a .safetensors file")', async () => {
    const d = at('noconfig');
    mkdirSync(d);
    copyFileSync(join(folder, 'model.safetensors'), join(d, 'model.safetensors'));
    expectOneLineError(
      await runCli(['explain', '--attention', 'abc', '--model', d]),
      /MG071: .*no config\.json beside the weights/,
    );
  });

  it('a GGUF file to a command that runs models: they do not run yet (before: a safetensors header-length error)', async () => {
    const p = at('tiny.gguf');
    writeSparseGguf(
      p,
      [['general.architecture', 'string', 'llama']],
      [{ name: 'token_embd.weight', dims: [8, 11], type: 0 }],
    );
    expectOneLineError(
      await runCli(['explain', '--attention', 'abc', '--model', p]),
      /MG072: .*GGUF models do not run yet/,
    );
    // And its memory estimate names what the file lacks (before: 'unknown name "vocab"; known: ' with an empty list).
    const r = await runCli(['explain', '--kernel', p, '--memory']);
    expectOneLineError(r, /MG015: .*it gives no layers, heads, head_dim, kv_heads, intermediate/);
    expect(r.stderr).not.toMatch(/known: $/m);
  });

  it('a path longer than a file name can be: one line naming it, cut (before: internal error ENAMETOOLONG)', async () => {
    const long = 'a'.repeat(5000);
    for (const [args, code] of [
      [['inspect', long], 'MG061'],
      [['explain', '--attention', 'ab', '--model', long], 'MG061'],
      [['eval', '--data', long], 'MG041'],
    ] as const)
      expectOneLineError(
        await runCli([...args]),
        new RegExp(`${code}: a{120}… \\(5,000 characters\\): cannot read \\(ENAMETOOLONG\\)`),
      );
  });

  it('inspect exits 1 when it prints a ✗, as validate does (before: exit 0)', async () => {
    const d = edited('overlap', (h) => (h['lm_head.weight']!.data_offsets = [0, 1728]));
    const r = await runCli(['inspect', d]);
    expect(r.stdout).toMatch(/✗ tensor "lm_head\.weight": bytes 0\.\.1728 overlap/);
    expect(r.code).toBe(1);
    expect(JSON.parse((await runCli(['inspect', d, '--json'])).stdout).failedChecks).toBeGreaterThan(0);
    expect((await runCli(['inspect', folder])).code).toBe(0);
  });
});

/** 0 → "a", 25 → "z", 26 → "ba": a name without digits for every number. */
function letters(i: number): string {
  let out = '';
  do {
    out = String.fromCharCode(97 + (i % 26)) + out;
    i = Math.floor(i / 26);
  } while (i > 0);
  return out;
}
