/**
 * The float32 engine on the compute kernels: the same bits for any thread
 * count (logits and every hook activation), variants run together equal to
 * runs one by one (several batches), the JavaScript kernels within tolerance
 * of the WebAssembly ones, weights kept in their stored precision (a BF16 or
 * F16 model gives the bits of an F32 — or F64 — file holding the same values),
 * hooks that replace the pattern or the scores taking effect as the maths
 * says, reading hooks changing nothing, and engines that give their threads back.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockHook, cachingHook, pointHook, type Engine, type Hook } from '../../src/engine/index.js';
import { loadHfModel, type LoadOptions } from '../../src/model/hf/load.js';
import { bf16Value, halfValue } from '../compute/reference.js';
import { gpt2Layout, writeRandomHf } from '../helpers/hf-models.js';
import { llamaLikeTensors, type LlamaLike } from '../helpers/model-files.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-hf-compute-'));

/** Big enough that every product and attention splits into several units across threads. */
function gpt2Folder(name: string, dtype = 'F32'): string {
  const layout = gpt2Layout({ hidden: 64, layers: 2, vocab: 300, positions: 64 }).map((t) => ({ ...t, dtype }));
  return writeRandomHf(
    join(dir, name),
    { model_type: 'gpt2', n_embd: 64, n_layer: 2, n_head: 4, n_positions: 64, vocab_size: 300 },
    layout,
    { seed: 3 },
  );
}

function llamaFolder(name: string, dtype = 'BF16'): string {
  const m: LlamaLike = {
    hidden: 64,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 16,
    intermediate: 160,
    vocab: 300,
    tied: false,
    dtype,
  };
  const config = {
    model_type: 'llama',
    hidden_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    intermediate_size: 160,
    vocab_size: 300,
    max_position_embeddings: 64,
  };
  return writeRandomHf(join(dir, name), config, llamaLikeTensors(m), { seed: 5 });
}

const FOLDERS = { 'gpt2 (F32, Conv1D)': gpt2Folder('gpt2'), 'llama (BF16, GQA, RoPE)': llamaFolder('llama') };
const ids = [5, 77, 12, 250, 3, 3, 140, 9, 61];

const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Buffer.from(Float64Array.from(a).buffer).equals(Buffer.from(Float64Array.from(b).buffer));

/** Every activation of a run, and its logits. */
function everything(e: Engine, hooks: Hook[] = []) {
  const { hook, cache } = cachingHook(() => true);
  const logits = e.run(ids, { hooks: [...hooks, hook] }).logits;
  return { logits, cache };
}

describe.each(Object.entries(FOLDERS))('%s', (_, folder) => {
  it('threads 1, 2 and 3 give the same bits: logits and every hook activation', async () => {
    const runs = [];
    for (const threads of [1, 2, 3]) {
      const e = await loadHfModel(folder, undefined, { threads });
      runs.push(everything(e));
      e.close();
    }
    const [one, ...others] = runs;
    expect(one!.cache.size).toBeGreaterThan(20);
    for (const r of others) {
      expect(same(r.logits, one!.logits)).toBe(true);
      expect([...r.cache.keys()]).toEqual([...one!.cache.keys()]);
      for (const [name, { values }] of one!.cache) expect(same(r.cache.get(name)!.values, values), name).toBe(true);
    }
  });

  it('weights outside the WebAssembly memory (the path of models beyond 3 GiB) give the same bits', async () => {
    const inside = await loadHfModel(folder);
    const outside = await loadHfModel(folder, undefined, { residentBytes: 0 });
    expect(outside.model.compute).not.toBe(inside.model.compute);
    const a = everything(inside),
      b = everything(outside);
    expect(same(b.logits, a.logits)).toBe(true);
    for (const [name, { values }] of a.cache) expect(same(b.cache.get(name)!.values, values), name).toBe(true);
    const ids2 = [1, 2, 3];
    expect(same(outside.runVariants(ids2, [[], []])[1]!.logits, inside.run(ids2).logits)).toBe(true);
    inside.close();
    outside.close();
  });

  it('reading every hook point changes no bit of the logits', async () => {
    const e = await loadHfModel(folder);
    expect(same(everything(e).logits, e.run(ids).logits)).toBe(true);
    e.close();
  });

  it('variants run together, in several batches, equal runs one by one bit for bit (all logits and the last; from a block)', async () => {
    // Room for two variants of 9 rows a batch: five variants take three batches.
    const opts: LoadOptions = { batchBytes: 1 };
    const e = await loadHfModel(folder, undefined, opts);
    const d = e.info.headDim;
    const variants: Hook[][] = [
      [],
      [
        pointHook(blockHook(1, 'attn.hook_z'), (z) => {
          for (let t = 0; t < ids.length; t++) for (let i = 0; i < d; i++) z[t * 4 * d + 2 * d + i] = 0;
        }),
      ],
      [pointHook(blockHook(0, 'attn.hook_pattern'), (p) => p.fill(0.25))],
      [pointHook(blockHook(1, 'ln2.hook_scale'), (s) => s.fill(3))],
      [pointHook(blockHook(1, 'hook_resid_pre'), (x) => (x[7] = 5))],
    ];
    for (const logits of ['all', 'last'] as const) {
      const together = e.runVariants(ids, variants, { logits });
      expect(together).toHaveLength(variants.length);
      variants.forEach((hooks, v) =>
        expect(same(together[v]!.logits, e.run(ids, { hooks, logits }).logits)).toBe(true),
      );
    }
    const { hook, cache } = cachingHook((n) => n === blockHook(1, 'hook_resid_pre'));
    e.run(ids, { hooks: [hook] });
    const from = { layer: 1, resid: cache.get(blockHook(1, 'hook_resid_pre'))!.values };
    const together = e.runVariants(ids, variants.slice(1), { from });
    variants
      .slice(1)
      .forEach((hooks, v) => expect(same(together[v]!.logits, e.run(ids, { hooks, from }).logits)).toBe(true));
    e.close();
  });

  it('the JavaScript kernels agree with the WebAssembly ones within float32 tolerance', async () => {
    const wasm = await loadHfModel(folder);
    const js = await loadHfModel(folder, undefined, { kind: 'js' });
    const a = wasm.run(ids).logits,
      b = js.run(ids).logits;
    const scale = Math.max(...Array.from(a, Math.abs));
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-4 * scale);
    expect(worst).toBeGreaterThan(0); // two implementations, not one
    wasm.close();
    js.close();
  });
});

describe('hooks that replace attention', () => {
  it('a uniform pattern makes each head output the mean of the values it sees', async () => {
    const e = await loadHfModel(FOLDERS['gpt2 (F32, Conv1D)']);
    const { hook, cache } = cachingHook((n) => n === 'blocks.0.attn.hook_v' || n === 'blocks.0.attn.hook_z');
    const uniform = pointHook(blockHook(0, 'attn.hook_pattern'), (p, shape) => {
      const [H, T, K] = shape as [number, number, number];
      for (let h = 0; h < H; h++)
        for (let t = 0; t < T; t++) for (let j = 0; j <= t; j++) p[(h * T + t) * K + j] = 1 / (t + 1);
    });
    e.run(ids, { hooks: [uniform, hook] });
    const v = cache.get('blocks.0.attn.hook_v')!.values,
      z = cache.get('blocks.0.attn.hook_z')!.values;
    const [H, d] = [4, 16];
    for (let t = 0; t < ids.length; t++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < d; i++) {
          let mean = 0;
          for (let j = 0; j <= t; j++) mean += v[(j * H + h) * d + i]! / (t + 1);
          expect(Math.abs(z[(t * H + h) * d + i]! - mean)).toBeLessThan(1e-5 * (1 + Math.abs(mean)));
        }
    e.close();
  });

  it('adding a constant to every score a query sees changes nothing (softmax is shift-invariant); masked ones stay masked', async () => {
    const e = await loadHfModel(FOLDERS['llama (BF16, GQA, RoPE)']);
    const shift = pointHook(blockHook(1, 'attn.hook_attn_scores'), (s) => {
      for (let i = 0; i < s.length; i++) s[i] = s[i]! + 3; // −Infinity + 3 is still −Infinity
    });
    const leak = pointHook(blockHook(1, 'attn.hook_attn_scores'), (s) => s.fill(1)); // writes over masked keys too
    const { hook, cache } = cachingHook((n) => n === blockHook(1, 'attn.hook_pattern'));
    const plain = e.run(ids).logits;
    const shifted = e.run(ids, { hooks: [shift] }).logits;
    for (let i = 0; i < plain.length; i++) expect(Math.abs(shifted[i]! - plain[i]!)).toBeLessThan(1e-4);
    e.run(ids, { hooks: [leak, hook] });
    const p = cache.get(blockHook(1, 'attn.hook_pattern'))!;
    const [, T, K] = p.shape as [number, number, number];
    for (let r = 0; r < p.values.length / K; r++)
      for (let j = 0; j < K; j++) {
        const t = r % T;
        expect(p.values[r * K + j]).toBe(j <= t ? 1 / (t + 1) : 0);
      }
    e.close();
  });
});

/** The file rewritten with every 16-bit tensor widened, exactly, to `to`. */
function widened(folder: string, name: string, to: 'F32' | 'F64'): string {
  const out = join(dir, name);
  const bytes = readFileSync(join(folder, 'model.safetensors'));
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const chunks: Buffer[] = [];
  let at = 0;
  for (const [key, t] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const data = bytes.subarray(8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
    const count = t.shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: count }, (_, i) =>
      t.dtype === 'BF16'
        ? bf16Value(data.readUInt16LE(2 * i))
        : t.dtype === 'F16'
          ? halfValue(data.readUInt16LE(2 * i))
          : data.readFloatLE(4 * i),
    );
    const buf =
      to === 'F32' ? Buffer.from(Float32Array.from(values).buffer) : Buffer.from(Float64Array.from(values).buffer);
    chunks.push(buf);
    header[key] = { dtype: to, shape: t.shape, data_offsets: [at, at + buf.length] };
    at += buf.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(json.length));
  mkdirSync(out);
  writeFileSync(join(out, 'model.safetensors'), Buffer.concat([head, Buffer.from(json), ...chunks]));
  copyFileSync(join(folder, 'config.json'), join(out, 'config.json'));
  return out;
}

describe('weights in their stored precision', () => {
  for (const [layout, make] of [
    ['gpt2', gpt2Folder],
    ['llama', llamaFolder],
  ] as const)
    for (const dtype of ['BF16', 'F16'] as const)
      it(`${layout} in ${dtype}: matrices stay ${dtype}, and give the bits of the same values stored as F32 and as F64`, async () => {
        const folder = make(`${layout}-${dtype}`, dtype);
        const e = await loadHfModel(folder);
        const L = e.model.weights.layers[0]!;
        expect([L.q.dtype, L.up.dtype, L.down.dtype, e.model.weights.embed.dtype]).toEqual([
          dtype,
          dtype,
          dtype,
          dtype,
        ]);
        const want = e.run(ids).logits;
        for (const to of ['F32', 'F64'] as const) {
          const other = await loadHfModel(widened(folder, `${layout}-${dtype}-as-${to}`, to));
          expect(other.model.weights.layers[0]!.q.dtype).toBe('F32');
          expect(same(other.run(ids).logits, want), `${dtype} → ${to}`).toBe(true);
          other.close();
        }
        e.close();
      });
});

describe('engines give their threads back', () => {
  it('engines share one compute layer; it closes with the last; a closed engine refuses to run', async () => {
    const a = await loadHfModel(FOLDERS['gpt2 (F32, Conv1D)'], undefined, { threads: 2 });
    const b = await loadHfModel(FOLDERS['llama (BF16, GQA, RoPE)'], undefined, { threads: 2 });
    expect(b.model.compute).toBe(a.model.compute);
    const before = a.run(ids).logits;
    b.close();
    expect(same(a.run(ids).logits, before)).toBe(true); // b's release left a's weights alone
    a.close();
    a.close(); // twice: nothing
    expect(() => a.run(ids)).toThrow(/was closed/);
    const c = await loadHfModel(FOLDERS['gpt2 (F32, Conv1D)'], undefined, { threads: 2 });
    expect(c.model.compute).not.toBe(a.model.compute);
    expect(same(c.run(ids).logits, before)).toBe(true);
    c.close();
  });

  it('a process that runs a model and never closes it still exits at once', () => {
    const script = `
      const { loadHfModel } = await import(${JSON.stringify(join(import.meta.dirname, '../../src/model/hf/load.ts'))});
      const e = await loadHfModel(${JSON.stringify(FOLDERS['gpt2 (F32, Conv1D)'])}, undefined, { threads: 3 });
      e.runVariants([1, 2, 3], [[], []]);
      console.log('ran');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect([r.status, r.stdout.trim()]).toEqual([0, 'ran']);
  });
});
