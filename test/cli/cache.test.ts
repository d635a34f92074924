import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRoom } from '../../src/cli/commands/cache.js';
import { Graph } from '../../src/tensor/index.js';
import { Tokenizer } from '../../src/model/index.js';
import { cachingHook } from '../../src/engine/index.js';
import { HookSite } from '../../src/engine/site.js';
import { expectOneLineError, runCli } from '../helpers/cli.js';
import { tinyNative, writeHfModel } from '../helpers/hf-models.js';
import { readSafetensors } from '../helpers/mini-safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'microgpt-cache-'));
const llamaDir = join(dir, 'llama');
const tok = Tokenizer.default();
let native: Awaited<ReturnType<typeof tinyNative>>;

beforeAll(async () => {
  native = await tinyNative('llama', 21);
  writeHfModel(llamaDir, native, 'llama');
});

const list = async (args: string[]) => {
  const r = await runCli(['cache', '--list', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { points: Array<{ name: string; axes: string[] }> };
};

describe('microgpt cache', () => {
  it('--list: the same names for the same hook points in microGPT, a tiny family and a model folder', async () => {
    const micro = (await list([])).points.map((p) => p.name);
    const tiny = (await list(['--family', 'llama'])).points.map((p) => p.name);
    const folder = (await list(['--model', llamaDir])).points.map((p) => p.name);
    for (const name of ['hook_embed', 'blocks.0.attn.hook_pattern', 'blocks.0.attn.hook_z', 'blocks.0.hook_resid_post'])
      for (const names of [micro, tiny, folder]) expect(names).toContain(name);
    // What differs is architecture, not naming: learned positions and an embedding norm in microGPT,
    // RoPE, a gated MLP and a final norm in LLaMA — the tiny LLaMA and the LLaMA folder list the same points.
    expect(micro).toContain('hook_pos_embed');
    expect(micro).not.toContain('blocks.0.attn.hook_rot_q');
    expect(tiny).toEqual(folder);
    expect(folder).toContain('blocks.0.mlp.hook_pre_linear');
    expect((await list([])).points.find((p) => p.name === 'blocks.0.attn.hook_pattern')!.axes).toEqual([
      'batch',
      'head',
      'query_pos',
      'key_pos',
    ]);
  });

  it("a saved pattern equals explain --attention --json's weights; tokens and ids are in the metadata", async () => {
    const out = join(dir, 'micro.safetensors');
    const r = await runCli(['cache', 'emma', '--out', out, '--names', 'blocks.*.attn.hook_pattern']);
    expect(r.code, r.stderr).toBe(0);
    const file = readSafetensors(readFileSync(out));
    expect(Object.keys(file.tensors)).toEqual(['blocks.0.attn.hook_pattern']);
    const t = file.tensors['blocks.0.attn.hook_pattern']!;
    expect(t.shape).toEqual([1, 4, 5, 5]);
    expect(t.dtype).toBe('F32');
    expect(JSON.parse(file.metadata.ids!)).toEqual(tok.encodePrompt('emma'));
    expect(JSON.parse(file.metadata.tokens!)).toEqual(['BOS', 'e', 'm', 'm', 'a']);
    const att = JSON.parse((await runCli(['explain', '--attention', 'emma', '--json'])).stdout);
    for (let h = 0; h < 4; h++)
      for (let q = 0; q < 5; q++)
        for (let k = 0; k < 5; k++)
          expect(t.values[(h * 5 + q) * 5 + k]).toBe(Math.fround(att.layers[0].heads[h].rows[q].weights[k]));
  });

  it("a model folder's hook_resid_post after every block equals the residual stream the native engine computes", async () => {
    const out = join(dir, 'resid.safetensors');
    const ids = tok.encodePrompt('marianne');
    const r = await runCli([
      'cache',
      '--ids',
      ids.join(','),
      '--model',
      llamaDir,
      '--out',
      out,
      '--names',
      '*hook_resid_post',
      '--names',
      'ln_final.hook_normalized',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const file = readSafetensors(readFileSync(out));
    // The native (taped, float64) engine's own stream, read through its hooks.
    const { hook, cache } = cachingHook((n) => n.endsWith('hook_resid_post'));
    native.forward(new Graph(false), ids, new HookSite([hook], null));
    for (let l = 0; l < native.config.nLayer; l++) {
      const got = file.tensors[`blocks.${l}.hook_resid_post`]!;
      const want = cache.get(`blocks.${l}.hook_resid_post`)!.values;
      expect(got.shape).toEqual([1, ids.length, native.config.nEmbd]);
      let worst = 0;
      want.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got.values[i]!))));
      expect(worst).toBeLessThan(1e-5);
    }
    // Hugging Face's last hidden state is after the final norm; ours before it, as TransformerLens's.
    const last = file.tensors[`blocks.${native.config.nLayer - 1}.hook_resid_post`]!.values;
    const normed = file.tensors['ln_final.hook_normalized']!.values;
    expect(Array.from(last)).not.toEqual(Array.from(normed));
  });

  it('refuses what cannot be done, in one line', async () => {
    expectOneLineError(
      await runCli(['cache', 'emma', '--out', join(dir, 'x.safetensors'), '--names', 'nope*']),
      /MG111: no hook point matches "nope\*"/,
    );
    expectOneLineError(await runCli(['cache', 'emma']), /MG001: cache writes a file: give --out/);
    expectOneLineError(
      await runCli(['cache', '--out', join(dir, 'y.safetensors')]),
      /MG001: cache runs the model on an input/,
    );
    const existing = join(dir, 'exists.safetensors');
    writeFileSync(existing, 'x');
    expectOneLineError(await runCli(['cache', 'emma', '--out', existing]), /MG045: .*already exists; pass --force/);
    expectOneLineError(
      await runCli([
        'cache',
        '--ids',
        '1,2',
        '--model',
        llamaDir,
        '--out',
        join(llamaDir, 'model.safetensors'),
        '--force',
      ]),
      /MG044: .*is the same file as/,
    );
    expect(readFileSync(existing, 'utf8')).toBe('x');
  });

  it('a cache written into its model folder leaves the folder the model it was (inspect, validate, diff, run, cache again)', async () => {
    const folder = join(dir, 'with-cache');
    cpSync(llamaDir, folder, { recursive: true });
    const out = join(folder, 'acts.safetensors');
    const first = await runCli(['cache', 'emma', '--model', folder, '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    const v = await runCli(['validate', folder]);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toContain('also in the folder, not part of the model: acts.safetensors');
    const before = JSON.parse((await runCli(['inspect', llamaDir, '--json'])).stdout);
    const i = await runCli(['inspect', folder, '--json']);
    expect(i.code, i.stderr).toBe(0);
    const after = JSON.parse(i.stdout);
    expect([after.tensorCount, after.stMetadata, after.problems, after.ignoredFiles]).toEqual([
      before.tensorCount,
      before.stMetadata,
      [],
      ['acts.safetensors'],
    ]);
    const d = await runCli(['diff', folder, llamaDir, '--json']);
    expect(d.code, d.stdout).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ added: [], removed: [] });
    // Named itself, the cache is activations: the folder's config.json is not its family, and --scan passes the mask.
    const own = await runCli(['validate', out, '--scan', '--json']);
    expect(own.code, own.stdout).toBe(0);
    expect(JSON.parse(own.stdout).family).toBeNull();
    // The cache is no input of the model: written again with --force; the weights still cannot be overwritten.
    const again = await runCli(['cache', 'emma', '--model', folder, '--out', out, '--force']);
    expect(again.code, again.stderr).toBe(0);
    expectOneLineError(
      await runCli(['cache', 'emma', '--model', folder, '--out', join(folder, 'model.safetensors'), '--force']),
      /MG044: .*is the same file as/,
    );
  });

  it("validate --scan passes a cache's causal −inf in hook_attn_scores, and only those", async () => {
    const path = join(dir, 'scores.safetensors');
    const written = await runCli(['cache', 'emma', '--out', path, '--names', '*hook_attn_scores', '--json']);
    expect(written.code, written.stderr).toBe(0);
    const name = 'blocks.0.attn.hook_attn_scores';
    const bytes = readFileSync(path);
    const [, H, T] = readSafetensors(bytes).tensors[name]!.shape as [number, number, number, number];
    // [BOS, e, m, m, a]: 5 positions, 4 heads, 10 keys after their query per head.
    expect([H, T]).toEqual([4, 5]);
    const scan = async (file: string, code: number) => {
      const r = await runCli(['validate', file, '--scan', '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(code);
      return JSON.parse(r.stdout).scan as { masked: unknown[]; findings: unknown[] };
    };
    expect(await scan(path, 0)).toMatchObject({ masked: [{ name, values: (H * T * (T - 1)) / 2 }], findings: [] });
    const text = await runCli(['validate', path, '--scan']);
    expect(text.stdout).toMatch(/40 −inf in 1 hook_attn_scores tensor masked \(causal\), as expected/);
    // One value changed at [0, head, query, key]: −inf on the diagonal, NaN or +inf above it, each fails.
    const n = 8 + Number(bytes.readBigUInt64LE(0));
    const at = (h: number, q: number, k: number) => n + 4 * ((h * T + q) * T + k);
    const changed = (h: number, q: number, k: number, v: number) => {
      const b = Buffer.from(bytes);
      b.writeFloatLE(v, at(h, q, k));
      const p = join(dir, `scores-${h}${q}${k}${v}.safetensors`);
      writeFileSync(p, b);
      return p;
    };
    expect(bytes.readFloatLE(at(2, 1, 3))).toBe(-Infinity);
    expect(Number.isFinite(bytes.readFloatLE(at(2, 3, 1)))).toBe(true);
    const finding = (nan: number, inf: number) => [{ name, nan, inf, allZero: false }];
    expect((await scan(changed(1, 2, 2, -Infinity), 1)).findings).toEqual(finding(0, 1));
    expect((await scan(changed(1, 3, 0, -Infinity), 1)).findings).toEqual(finding(0, 1));
    expect((await scan(changed(2, 1, 3, NaN), 1)).findings).toEqual(finding(1, 0));
    expect((await scan(changed(2, 1, 3, Infinity), 1)).findings).toEqual(finding(0, 1));
    // Not a microgpt cache by its metadata: every −inf is infinite, as in any other file.
    const i = bytes.indexOf('microgpt-cache');
    const other = Buffer.from(bytes);
    other.write('microgpt-cachx', i);
    const otherPath = join(dir, 'not-a-cache.safetensors');
    writeFileSync(otherPath, other);
    expect((await scan(otherPath, 1)).findings).toEqual(finding(0, (H * T * (T - 1)) / 2));
  });

  it('a cache larger than memory or the free disk is refused with the figures', () => {
    expect(() => checkRoom(2 ** 30, join(dir, 'a'), 2 ** 30, null)).toThrow(/MG112|needs about 3072\.0 MiB of memory/);
    expect(() => checkRoom(2 ** 20, join(dir, 'a'), 2 ** 40, 1000)).toThrow(/has 0\.0 MiB free/);
    expect(() => checkRoom(2 ** 20, join(dir, 'a'), 2 ** 40, 2 ** 30)).not.toThrow();
  });
});
