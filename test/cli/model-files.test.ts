import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, ROOT, runCli } from '../helpers/cli.js';
import {
  CONFIGS,
  gpt2Tensors,
  llama2Q4KMGguf,
  LLAMA2_7B,
  LLAMA32_1B,
  llamaLikeTensors,
  safetensorsHeader,
  writeModelDir,
  writeSparseGguf,
} from '../helpers/model-files.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-cli-files-'));
const ajv = new Ajv({ allErrors: true, strict: false });
const schema = (name: string) =>
  ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.schema.json`), 'utf8')));
const json = async (name: string, args: string[], code = 0) => {
  const r = await runCli([...args, '--json']);
  expect(r.code, r.stderr).toBe(code);
  const doc = JSON.parse(r.stdout);
  const validate = schema(name);
  expect(validate(doc), JSON.stringify(validate.errors, null, 1)).toBe(true);
  return doc;
};

const gpt2 = join(dir, 'gpt2');
const llama2 = join(dir, 'llama-2-7b');
const llama32 = join(dir, 'llama-3.2-1b');
const gguf = join(dir, 'llama-2-7b.Q4_K_M.gguf');
beforeAll(async () => {
  writeModelDir(gpt2, CONFIGS.gpt2, gpt2Tensors());
  writeModelDir(llama2, CONFIGS['llama-2-7b'], llamaLikeTensors(LLAMA2_7B), 2);
  writeModelDir(llama32, CONFIGS['llama-3.2-1b'], llamaLikeTensors(LLAMA32_1B));
  llama2Q4KMGguf(gguf);
});

describe('compact model-file views (issue 22)', () => {
  it('Llama-2-7B: the 32 rotary_emb.inv_freq buffers are one line, every template one line at 120 columns', async () => {
    const r = await runCli(['inspect', llama2], { COLUMNS: '120' });
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').filter((l) => l.includes('rotary_emb.inv_freq'));
    expect(line).toEqual([
      expect.stringMatching(
        /^\s+32 ×\s+model\.layers\.\{n\}\.self_attn\.rotary_emb\.inv_freq\s+\[64\]\s+F32\s+rope_frequencies, buffers; layers 0–31$/,
      ),
    ]);
    const listing = r.stdout.slice(r.stdout.indexOf('Tensors by template'), r.stdout.indexOf('Checks:'));
    // The header, 13 templates (embedding, 9 per layer, the buffers, final norm, head), a blank line.
    expect(listing.trimEnd().split('\n')).toHaveLength(1 + 13);
    expect(r.stdout.split('\n').length).toBeLessThan(70);
  });

  it('GGUF -v: one line per tensor with its byte offset and size, offsets as @huggingface/gguf reads them', async () => {
    const r = await runCli(['inspect', gguf, '-v'], { COLUMNS: '200' });
    const rows = r.stdout.split('\n').filter((l) => / @[\d,]+ /.test(l));
    expect(rows).toHaveLength(291);
    const { gguf: hfGguf } = await import('@huggingface/gguf');
    const ref = await hfGguf(gguf, { allowLocalFile: true });
    const start = Number(ref.tensorDataOffset);
    ref.tensorInfos.forEach((t, i) => {
      const offset = Number(rows[i]!.match(/ @([\d,]+) /)![1]!.replace(/,/g, ''));
      expect([rows[i]!.trim().split(/\s+/)[0], offset]).toEqual([t.name, start + Number(t.offset)]);
    });
    // At 80 columns the role goes, and every tensor still takes one line.
    const narrow = await runCli(['inspect', gguf, '-v'], { COLUMNS: '80' });
    expect(narrow.stdout.split('\n').filter((l) => / @[\d,]+ /.test(l))).toHaveLength(291);
  });

  it('diff: a Hugging Face folder against a GGUF of the same model does not report float32 rounding of eps', async () => {
    const r = await runCli(['diff', llama2, gguf, '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.configDifferences.map((d: { field: string }) => d.field)).not.toContain('size norm_eps');
    const meta = await runCli(['inspect', gguf, '--metadata']);
    expect(meta.stdout).toMatch(/llama\.attention\.layer_norm_rms_epsilon\s+│ f32\s+│ 0\.00001\s/);
  });
});

describe('microgpt inspect PATH', () => {
  it('a GPT-2 folder: family, the published count, buffers, a role per template, in text', async () => {
    const r = await runCli(['inspect', gpt2]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Family: GPT-2 \(gpt2\)$/m);
    expect(r.stdout).toMatch(/^Parameters: 124,439,808 ✓ = what the gpt2 contract gives at this size$/m);
    expect(r.stdout).toMatch(/^Tensors: 160; 12 buffers \(12,582,912 elements, not parameters\)$/m);
    expect(r.stdout).toMatch(
      /^\s+12 ×\s+h\.\{n\}\.attn\.c_attn\.weight\s+\[768, 2304\]\s+F32\s+attn_qkv; layers 0–11$/m,
    );
    expect(r.stdout).toMatch(/✓ all 160 shapes checked match the gpt2 contract at this size/);
  });

  it('--json validates against schemas/inspect-file.schema.json and carries name, role, shape, dtype per tensor', async () => {
    const doc = await json('inspect-file', ['inspect', llama2]);
    expect([doc.format, doc.family, doc.parameterCount, doc.tensorCount, doc.files.length]).toEqual([
      'safetensors',
      'llama',
      6_738_415_616,
      32 * 10 + 3,
      2,
    ]);
    expect(
      doc.tensors.find((t: { name: string }) => t.name === 'model.layers.7.self_attn.k_proj.weight'),
    ).toMatchObject({ role: 'attn_k', shape: [4096, 4096], dtype: 'F16', layer: 7 });
    expect(doc.dtypes.map((d: { dtype: string }) => d.dtype)).toEqual(['F16', 'F32']);
  });

  it('a Q4_K_M GGUF: quantisation mix, MOSTLY_Q4_K_M, metadata on request with the token list summarised', async () => {
    const r = await runCli(['inspect', gguf, '--metadata']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/general\.file_type 15 = MOSTLY_Q4_K_M/);
    expect(r.stdout).toMatch(/│ Q4_K │\s+193 │ 5,617,221,632 │/);
    expect(r.stdout).toMatch(/tokenizer\.ggml\.tokens\s+│ array\s+│ \[string × 32000\] \["<unk>", "<s>", "<\/s>", …\]/);
    const doc = await json('inspect-file', ['inspect', gguf]);
    expect(doc.gguf.fileType).toEqual({ id: 15, name: 'MOSTLY_Q4_K_M' });
  });

  it('a microgpt checkpoint still inspects as before, as PATH and as --model', async () => {
    const m = join(dir, 'm.safetensors');
    expect((await runCli(['train', '--steps', '5', '--out', m])).code).toBe(0);
    const a = await runCli(['inspect', m]);
    const b = await runCli(['inspect', '--model', m]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/total: 4,192 parameters/);
  });

  it('bad paths: one line each, exit 2, nothing hangs', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(dir, 'notes.txt'), 'hello world\n');
    const fifo = join(dir, 'fifo.safetensors');
    execFileSync('mkfifo', [fifo]);
    expectOneLineError(await runCli(['inspect', empty]), /MG066: .*holds no model file/);
    expectOneLineError(
      await runCli(['inspect', join(dir, 'notes.txt')]),
      /MG062: .*is neither safetensors nor GGUF \(first bytes 68 65 6c 6c 6f/,
    );
    expectOneLineError(await runCli(['inspect', fifo]), /MG061: .*not a regular file/);
    expectOneLineError(await runCli(['inspect', join(dir, 'nope')]), /MG061: .*no such file/);
    expectOneLineError(
      await runCli(['inspect', gpt2, '--html', join(dir, 'x.html')]),
      /MG001: --html is for checkpoints written by microgpt train/,
    );
    expectOneLineError(
      await runCli(['inspect', gpt2, '--model', gpt2]),
      /MG001: give the model as PATH or as --model, not both/,
    );
  });

  it('an index naming a missing shard: inspect names the shard and exits 2', async () => {
    const d = join(dir, 'missing-shard');
    writeModelDir(d, CONFIGS['llama-2-7b'], llamaLikeTensors({ ...LLAMA2_7B, layers: 2 }), 2);
    renameSync(join(d, 'model-00002-of-00002.safetensors'), join(dir, 'moved.safetensors'));
    expectOneLineError(await runCli(['inspect', d]), /MG065: .*shard "model-00002-of-00002\.safetensors" is missing/);
  });
});

describe('microgpt validate PATH', () => {
  it('a sound model exits 0 and every check passes; --json validates', async () => {
    const r = await runCli(['validate', llama2]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/✓ shards:/);
    expect(r.stdout).toMatch(/Sound: every check passed\./);
    expect((await json('validate', ['validate', gguf])).sound).toBe(true);
  });

  it('a missing shard fails (exit 1) with one line naming it', async () => {
    const d = join(dir, 'missing-shard-v');
    writeModelDir(d, CONFIGS['llama-2-7b'], llamaLikeTensors({ ...LLAMA2_7B, layers: 2 }), 2);
    renameSync(join(d, 'model-00002-of-00002.safetensors'), join(dir, 'moved2.safetensors'));
    const r = await runCli(['validate', d]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ shard "model-00002-of-00002\.safetensors": is missing/);
  });

  it('overlapping data offsets fail (exit 1), naming both tensors', async () => {
    const { head } = safetensorsHeader([
      { name: 'a', shape: [4], dtype: 'F32' },
      { name: 'b', shape: [4], dtype: 'F32' },
    ]);
    const text = head.toString('utf8', 8).replace('[16,32]', '[8,24]');
    const body = Buffer.from(text);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(body.length));
    const p = join(dir, 'overlap.safetensors');
    writeFileSync(p, Buffer.concat([len, body, Buffer.alloc(32)]));
    const r = await runCli(['validate', p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ tensor "b": bytes 8\.\.24 overlap tensor "a"/);
  });

  it('--scan streams the values: a NaN, an infinity and an all-zero tensor are each named', async () => {
    const p = join(dir, 'values.safetensors');
    const { head } = safetensorsHeader([
      { name: 'ok', shape: [3], dtype: 'F32' },
      { name: 'nan', shape: [2], dtype: 'BF16' },
      { name: 'inf', shape: [2], dtype: 'F16' },
      { name: 'zero', shape: [2], dtype: 'F32' },
    ]);
    const data = Buffer.alloc(12 + 4 + 4 + 8);
    data.writeFloatLE(1, 0);
    data.writeFloatLE(-2, 4);
    data.writeFloatLE(0.5, 8);
    data.writeUInt16LE(0x7fc0, 12); // bf16 NaN
    data.writeUInt16LE(0x3f80, 14); // bf16 1.0
    data.writeUInt16LE(0x7c00, 16); // f16 +inf
    data.writeUInt16LE(0x3c00, 18); // f16 1.0
    writeFileSync(p, Buffer.concat([head, data]));
    const r = await runCli(['validate', p, '--scan']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ nan: 1 NaN$/m);
    expect(r.stdout).toMatch(/✗ inf: 1 infinite$/m);
    expect(r.stdout).toMatch(/✗ zero: all zero$/m);
    expect(r.stdout).not.toMatch(/✗ ok:/);
    const doc = await json('validate', ['validate', p, '--scan'], 1);
    expect(doc.scan.findings).toEqual([
      { name: 'nan', nan: 1, inf: 0, allZero: false },
      { name: 'inf', nan: 0, inf: 1, allZero: false },
      { name: 'zero', nan: 0, inf: 0, allZero: true },
    ]);
  });

  it('an unreadable file exits 2: a header length past the end of the file', async () => {
    const b = Buffer.concat([Buffer.from([100, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"a":1}')]);
    writeFileSync(join(dir, 'short.safetensors'), b);
    expectOneLineError(
      await runCli(['validate', join(dir, 'short.safetensors')]),
      /MG063: .*header length 100 runs past the end of the file \(15 bytes\)/,
    );
  });
});

describe('microgpt diff A B', () => {
  it('two families: added, reshaped and size differences; --json validates', async () => {
    const doc = await json('diff', ['diff', llama2, llama32]);
    expect(doc.reshaped.find((x: { name: string }) => x.name === 'model.embed_tokens.weight')).toEqual({
      name: 'model.embed_tokens.weight',
      a: [32000, 4096],
      b: [128256, 2048],
    });
    expect(doc.removed.map((x: { name: string }) => x.name)).toContain('lm_head.weight');
    expect(doc.configDifferences).toContainEqual({ field: 'size kv_heads', a: '32', b: '8' });
    expect(doc.identical).toBe(false);
  });

  it('--values on two checkpoints: identical to itself, and max |Δ|, RMSE, cosine per tensor when trained further', async () => {
    const a = join(dir, 'a.safetensors');
    const b = join(dir, 'b.safetensors');
    expect((await runCli(['train', '--steps', '20', '--out', a])).code).toBe(0);
    expect((await runCli(['train', '--steps', '30', '--out', b])).code).toBe(0);
    expect((await json('diff', ['diff', a, a, '--values'])).identical).toBe(true);
    const doc = await json('diff', ['diff', a, b, '--values']);
    expect(doc.values).toHaveLength(9);
    for (const v of doc.values) {
      expect(v.identical).toBe(false);
      expect(v.maxAbsDiff).toBeGreaterThan(0);
      expect(v.rmse).toBeLessThanOrEqual(v.maxAbsDiff);
      expect(v.cosine).toBeGreaterThan(0.9);
    }
  });

  it('--values refuses files over 2 GB', async () => {
    expectOneLineError(await runCli(['diff', llama32, llama32, '--values']), /MG067: .*over the 2147483648-byte limit/);
  });
});

describe('explain --kernel --memory', () => {
  it('Llama-3-8B at 8,192 tokens with an f16 KV cache: 1,073,741,824 bytes', async () => {
    const r = await runCli(['explain', '--kernel', 'llama', '--size', '8b', '--memory', '--context', '8192']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/total:\s+1,073,741,824 bytes \(1\.0 GiB\)/);
    expect(
      (await json('explain-memory', ['explain', '--kernel', 'llama', '--size', '8b', '--memory', '--context', '8192']))
        .kv.totalBytes,
    ).toBe(1_073_741_824);
  });

  it("Llama-2-7B from its config.json and from its Q4_K_M file: 524,288 bytes per token; the file's real weight bytes", async () => {
    const a = await json('explain-memory', ['explain', '--kernel', join(llama2, 'config.json'), '--memory']);
    const b = await json('explain-memory', ['explain', '--kernel', gguf, '--memory']);
    expect([a.kv.bytesPerToken, b.kv.bytesPerToken]).toEqual([524_288, 524_288]);
    expect(b.weights.map((w: { dtype: string }) => w.dtype)).toEqual(['Q4_K', 'Q6_K', 'F32']);
    expect(b.weights.every((w: { actual: boolean }) => w.actual)).toBe(true);
  });

  it("Mistral's sliding window caps the cache; a bad KV dtype is refused", async () => {
    const doc = await json('explain-memory', ['explain', '--kernel', 'mistral', '--memory', '--context', '32768']);
    expect([doc.kv.window, doc.kv.cachedTokens, doc.kv.totalBytes]).toEqual([4096, 4096, 536_870_912]);
    expectOneLineError(
      await runCli(['explain', '--kernel', 'llama', '--memory', '--kv-dtype', 'q9']),
      /MG068: unknown KV-cache dtype "q9"/,
    );
  });
});
